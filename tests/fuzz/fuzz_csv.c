/* fuzz_csv.c - libFuzzer harness for the CSV reader (src/lib/csv.c): every
 * record of any input, and the formula unneutralising of every cell. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ruta_csv *c = NULL;
	char **cells;
	size_t n, line, last = 0, i;
	int rc;

	if (ruta_csv__open(&c, (const char *)data, size) < 0) {
		if (!ruta_error_last()->message[0])
			__builtin_trap();
		return 0;
	}
	while ((rc = ruta_csv__next(c, &cells, &n, &line)) == 1) {
		if (n == 0 || line < last)
			__builtin_trap();   /* a record has a cell; lines only grow */
		last = line;
		for (i = 0; i < n; i++)
			ruta_csv__unneutralise(cells[i]);
	}
	if (rc < 0 && !ruta_error_last()->message[0])
		__builtin_trap();
	ruta_csv__free(c);
	return 0;
}
