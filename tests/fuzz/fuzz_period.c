/* fuzz_period.c - libFuzzer harness for the reports' --period parsing
 * (ruta_report__period, src/lib/reports.c). The first 8 bytes are "now". */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long now = 0;
	int from = -7, to = -7;
	char *spec;

	if (size >= sizeof(now)) {
		memcpy(&now, data, sizeof(now));
		data += sizeof(now);
		size -= sizeof(now);
	}
	/* gmtime_r's range: ruta passes time(NULL), a sane number */
	now = (long long)((unsigned long long)now % 253402300800ULL);
	if (!(spec = malloc(size + 1)))
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (ruta_report__period(&from, &to, spec, now) == 0 &&
			(from < 1970 * 12 || to <= from || to > 10000 * 12))
		__builtin_trap();
	free(spec);
	return 0;
}
