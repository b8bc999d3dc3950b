/* crypto.h - keys and randomness; crypto.c is the only file that calls libsodium. */
#ifndef RUTA_CRYPTO_H
#define RUTA_CRYPTO_H

#include <stddef.h>

#define RUTA_PK_BYTES 32
#define RUTA_FINGERPRINT_MAX 64  /* "SHA256:" + 43 base64 characters + NUL */

int ruta_crypto__init(void);
/* Fills `buf` with `n` unpredictable bytes. */
void ruta_crypto__random(void *buf, size_t n);

/*
 * Makes an Ed25519 key pair and writes it in OpenSSH's formats: the secret
 * key to `secret_path` (created exclusively, mode 0600, unencrypted
 * "openssh-key-v1") and "ssh-ed25519 <base64> <comment>\n" to `public_path`.
 * The secret never leaves locked, wiped memory except into that file.
 */
int ruta_crypto__keygen(const char *secret_path, const char *public_path, const char *comment);

/* Parses one OpenSSH public key line; only ssh-ed25519 is accepted. */
int ruta_crypto__parse_public(unsigned char pk[RUTA_PK_BYTES], const char *line);

/* "SHA256:<base64, no padding>", as ssh-keygen -l prints it. */
int ruta_crypto__fingerprint(char out[RUTA_FINGERPRINT_MAX], const unsigned char pk[RUTA_PK_BYTES]);

#endif
