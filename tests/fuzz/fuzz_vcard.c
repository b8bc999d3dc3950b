/* fuzz_vcard.c - libFuzzer harness for the vCard reader (src/lib/vcard.c):
 * parse, then split and test every property the way the importer does. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vcard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ruta_vcard *cards = NULL;
	size_t n = 0, i, j;
	char *parts[8];

	if (ruta_vcard__parse(&cards, &n, (const char *)data, size) < 0) {
		if (cards || n || !ruta_error_last()->message[0])
			__builtin_trap();
		return 0;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < cards[i].nprops; j++) {
			ruta_vcard_prop *p = &cards[i].props[j];
			(void)ruta_vcard__has_type(p, "pref");
			(void)ruta_vcard__has_type(p, "work");
			/* N and ADR are split on ';', CATEGORIES on ','; values once only */
			ruta_vcard__split(parts, 8, p->value, j % 3 == 0 ? ';' : j % 3 == 1 ? ',' : 0);
		}
	ruta_vcard__free_all(cards, n);
	return 0;
}
