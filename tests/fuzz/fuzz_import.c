/* fuzz_import.c - libFuzzer harness for ruta_data_import (src/lib/exchange.c)
 * through the public API: a dry run of the input as contacts and accounts,
 * as CSV and as vCard, against one replica made once with a few records to
 * match. A dry run must leave the replica as it was, which is checked now
 * and then by exporting it; a refusal must say why. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ruta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ruta_replica *replica;
static char *baseline[2];
static unsigned long runs;

static const char seed_accounts[] =
	"id,name,tax_id,email,phone,country,tags\r\n"
	"ACME1,Acme,ES:B12345674,info@acme.es,+34911234567,ES,vip\r\n"
	"BETA2,Beta,,hola@beta.es,,ES,\r\n";
static const char seed_contacts[] =
	"id,account,first_name,last_name,email_1,email_1_kind,phone_1,phone_1_kind,tags\r\n"
	"ANA1,Acme,Ana,Ruiz,ana@acme.es,work,+34600111222,mobile,vip\r\n"
	"LUIS2,Beta,Luis,Gil,luis@beta.es,home,,,\r\n";

static char *snapshot(const char *type)
{
	char *out = NULL;
	size_t len;
	if (ruta_data_export(&out, &len, replica, type, NULL) != 0)
		__builtin_trap();
	return out;
}

static void setup(void)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_import_result res = RUTA_IMPORT_RESULT_INIT;
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[512], path[600];

	snprintf(dir, sizeof(dir), "%s/ruta-fuzz-XXXXXX", base);
	if (!mkdtemp(dir))
		__builtin_trap();
	snprintf(path, sizeof(path), "%s/r", dir);
	o.team = "north";
	o.country = "ES";
	if (ruta_replica_init(&replica, path, &o) != 0 ||
			ruta_data_import(&res, replica, "account", seed_accounts, strlen(seed_accounts),
				NULL) != 0 ||
			ruta_data_import(&res, replica, "contact", seed_contacts, strlen(seed_contacts),
				NULL) != 0) {
		fprintf(stderr, "fuzz_import: setup: %s\n", ruta_error_last()->message);
		abort();
	}
	baseline[0] = snapshot("account");
	baseline[1] = snapshot("contact");
}

static void report(size_t line, const char *what, const char *message, void *payload)
{
	(void)line;
	(void)payload;
	if (!what || !message || !message[0])
		__builtin_trap();   /* every told row says why */
}

static void one(const char *type, int format, int ignore, const uint8_t *data, size_t size)
{
	ruta_import_options o = RUTA_IMPORT_OPTIONS_INIT;
	ruta_import_result res = RUTA_IMPORT_RESULT_INIT;
	o.format = format;
	o.dry_run = 1;
	o.ignore_unknown = ignore;
	o.report = report;
	if (ruta_data_import(&res, replica, type, (const char *)data, size, &o) != 0 &&
			!ruta_error_last()->message[0])
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "account", "contact" };
	size_t i;

	if (!replica)
		setup();
	for (i = 0; i < 2; i++) {
		one(types[i], RUTA_DATA_CSV, (int)(size & 1), data, size);
		one(types[i], RUTA_DATA_VCARD, 0, data, size);
	}
	if (++runs % 512 == 0)
		for (i = 0; i < 2; i++) {
			char *now = snapshot(types[i]);
			if (strcmp(now, baseline[i]) != 0) {
				fprintf(stderr, "fuzz_import: a dry run changed the %ss\n", types[i]);
				abort();
			}
			ruta_free(now);
		}
	return 0;
}
