/*
 * embed.c - libruta as an app would use it: open (or create) a replica,
 * record a visit, print the changes waiting to be exported.
 *
 *   cc embed.c $(pkg-config --cflags --libs ruta) -o embed && ./embed DIR
 */
#include <stdio.h>
#include <stdlib.h>

#include <ruta.h>

static int fail(const char *what)
{
	fprintf(stderr, "embed: %s: %s\n", what, ruta_error_last()->message);
	return 1;
}

int main(int argc, char **argv)
{
	ruta_init_options init = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	ruta_change_iter *it = NULL;
	ruta_change c = RUTA_CHANGE_INIT;
	char *account = NULL, *visit = NULL, hlc[40];
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: embed DIR\n");
		return 2;
	}
	init.team = "app";
	init.country = "ES";
	if ((err = ruta_replica_open(&r, argv[1], NULL)) == RUTA_ENOTREPLICA)
		err = ruta_replica_init(&r, argv[1], &init);
	if (err < 0)
		return fail("opening the replica");

	{
		ruta_field acc[] = { { "name", "Bodegas Ejemplo S.A." }, { "region", "Rioja" } };
		if (ruta_record_add(&account, r, "account", acc, 2) < 0)
			return fail("adding the account");
	}
	{
		ruta_field act[] = { { "kind", "visit" }, { "account", account },
			{ "start", "2026-11-24T09:30:00Z" }, { "subject", "tasting of the new range" } };
		if (ruta_record_add(&visit, r, "activity", act, 4) < 0 ||
				ruta_activity_held(r, visit, NULL, NULL) < 0)
			return fail("recording the visit");
	}

	if (ruta_changes_local(&it, r) < 0)
		return fail("reading the change log");
	while ((err = ruta_change_iter_next(&c, it)) == 0) {
		ruta_hlc_describe(hlc, c.hlc);
		printf("%s %c %s.%s = %s\n", hlc, c.op, c.table, c.field, c.value ? c.value : "NULL");
	}
	ruta_change_iter_free(it);
	ruta_free(account);
	ruta_free(visit);
	ruta_replica_free(r);
	return err == RUTA_ITEROVER ? 0 : fail("reading the change log");
}
