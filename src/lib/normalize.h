/* normalize.h - validation and canonical forms of CRM field values (emails, phones, tax ids, money, dates). */
#ifndef RUTA_NORMALIZE_H
#define RUTA_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every function returns 0, or RUTA_EINVALID with ruta_error__set() holding a
 * message that quotes the value and says what is allowed, without naming the
 * field (the caller prefixes it), e.g.
 *   "'ana@' is not an email address (expected name@domain.tld)".
 * The quote is cut after 40 bytes and masks control bytes. Output buffers are
 * always NUL-terminated on success and hold "" (numbers 0) on failure; a
 * value that does not fit is RUTA_EINVALID ("... is too long"). Surrounding
 * blanks (space, tab, CR, LF) are ignored everywhere except in currency
 * codes. Nothing depends on the C locale; only local datetimes read TZ.
 * Thread-safe: no state besides the per-thread error.
 */

/* Trims spaces; one '@', non-empty local part, domain of dot-separated
 * non-empty labels (letters, digits, '-', non-ASCII), valid UTF-8, no spaces
 * (NO-BREAK SPACE included) or control characters, at most 254 bytes. `norm`
 * gets the trimmed address lower-cased (ASCII only), `raw` (may be NULL) the
 * trimmed address as typed; both have `size` bytes. */
int ruta_norm__email(char *raw, char *norm, size_t size, const char *in);

/* A tag (docs/format.md §2.2): trimmed, runs of spaces made one, 1 to 40
 * characters of letters (any script), digits, spaces and - _ . / + &,
 * starting with a letter or a digit; no control characters, special spaces
 * or invisible characters. `out` gets it case-folded: A-Z and the capitals
 * of Latin-1, Latin Extended-A and Romanian Ș Ț become lower case (other
 * scripts stay as typed; no Unicode normalization). `out` needs 161 bytes. */
int ruta_norm__tag(char *out, size_t size, const char *in);

/* Phone to E.164 ("+34612345678"). Accepts spaces, dashes, dots, slashes and
 * parentheses; a leading "+" or "00" means international, and "(0)" after
 * the country code ("+44 (0)20 ...") is dropped. Without it the number is
 * national for `country` (ISO 3166 alpha-2, any case, may be NULL): ES takes
 * 9 digits starting with 6-9, RO 10 digits starting with 0 (the 0 dropped),
 * FR 10 digits starting with 0 (dropped), PT 9 digits, IT 6 to 11 digits
 * starting with 0 or 3 (kept), US and CA 10 digits with an optional leading
 * 1; no country or another one is an error that asks for the international
 * form. International numbers for +34, +40, +33, +351 and +1 must fit the
 * same plans. E.164 has 8 to 15 digits after "+"; `e164` needs 17 bytes. */
int ruta_norm__phone(char *e164, size_t size, const char *in, const char *country);

/* Tax id given as "CC:ID" (also "CCID" for ES/RO, e.g. "ESB12345674",
 * "RO18547290"); CC must be an ISO 3166 code. Upper-cases, strips spaces,
 * '-', '.', '/'. ES: DNI/NIF (8 digits + letter), NIE (X/Y/Z + 7 digits +
 * letter), the K/L/M NIFs (letter + 7 digits + letter, checked like a DNI)
 * and CIF (letter + 7 digits + control: a letter after P Q R S W N, a digit
 * after A B E H, either after the others) with their check characters; RO:
 * CUI of 2-10 digits, no leading 0, with its check digit (key 753217532).
 * Other countries: 2-20 letters and digits, no checksum. `norm` gets
 * "ES:B12345674" / "RO:18547290"; 24 bytes always suffice. */
int ruta_norm__tax_id(char *norm, size_t size, const char *in);

/* ISO 4217 currency code, exactly as stored: three capitals, no blanks, an
 * active code with a minor unit (not XAU, XXX, ...). Returns the number of
 * minor-unit digits (0..4) in *out_exp when not NULL. */
int ruta_norm__currency(int *out_exp, const char *in);

/* A non-negative decimal amount ("12000", "12000.5", "12000.50") in the
 * currency's minor units. No sign, no thousands separators, no exponent, at
 * most the currency's number of decimals, at most 2^53-1 minor units. A
 * point needs digits on both sides (".5" and "5." are refused). A bad
 * currency is reported as ruta_norm__currency does. */
int ruta_norm__money(int64_t *out_minor, const char *in, const char *currency);

/* Minor units back to text with exactly the currency's decimals: "12000.00",
 * "-0.05". Locale independent; cut to fit `size` (24 bytes always suffice). */
void ruta_norm__money_format(char *out, size_t size, int64_t minor, int exp);

/* A calendar date YYYY-MM-DD (real day of a real month; years 1900-9999). */
int ruta_norm__date(char out[11], const char *in);

/* A time: "YYYY-MM-DDTHH:MM[:SS[.fff]]" with 'T' or one space, then 'Z',
 * "+HH:MM", "-HH:MM" or nothing (nothing: local time of the TZ environment).
 * Also a bare date (midnight local). Written as UTC "YYYY-MM-DDTHH:MM:SSZ";
 * the fraction (1-9 digits) is dropped. Hours 00-23, seconds 00-59 (no leap
 * second: UTC text and POSIX time cannot hold it). A local time the clocks
 * skipped is refused; one they repeated is taken at its first occurrence.
 * The result must fall in years 1900-9999. */
int ruta_norm__datetime(char out[21], const char *in);

/* A whole percentage 0..100, digits only, with an optional '%' right after. */
int ruta_norm__percent(int *out, const char *in);

/* yes/no, true/false, 1/0, on/off (any case); 1 or 0 in *out. */
int ruta_norm__bool(int *out, const char *in);

/* A non-negative integer without sign or separators, at most 2^53-1. */
int ruta_norm__count(int64_t *out, const char *in);

/* Country code ISO 3166-1 alpha-2, upper-cased into out[3]; any two ASCII
 * letters from the official list. */
int ruta_norm__country(char out[3], const char *in);

#endif
