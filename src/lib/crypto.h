/* crypto.h - keys and randomness; crypto.c is the only file that calls libsodium. */
#ifndef RUTA_CRYPTO_H
#define RUTA_CRYPTO_H

#include <stddef.h>

#include "ruta.h"

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


/* ---- hashing, signing (SSHSIG), secret keys ---- */

#define RUTA_NS_CHANGESET "ruta-changeset"
#define RUTA_NS_TRUST "ruta-trust"
#define RUTA_NS_SNAPSHOT "ruta-snapshot"

/* SHA-256 of `len` bytes as 64 lower-case hex digits. */
void ruta_crypto__sha256(unsigned char out[32], const void *data, size_t len);
void ruta_crypto__sha256_hex(char out[65], const void *data, size_t len);
/* `out` gets 2 * len hex digits and a NUL. */
void ruta_crypto__hex(char *out, const unsigned char *bin, size_t len);

/* sha256.c: whether this processor has the SHA instructions, and SHA-256
 * with them (call it only then). */
int ruta_sha256__hw(void);
void ruta_sha256__ni(unsigned char out[32], const void *data, size_t len);

/* SHA-256 over data fed in pieces. */
typedef struct ruta_hasher ruta_hasher;
int ruta_crypto__hasher_new(ruta_hasher **out);
void ruta_crypto__hasher_add(ruta_hasher *h, const void *data, size_t len);
/* Writes the digest as 64 hex digits and frees the hasher. */
void ruta_crypto__hasher_done(ruta_hasher *h, char out[65]);

/* A secret key held in guarded memory, wiped when freed. */
typedef struct ruta_secret ruta_secret;

/* Reads a secret key file: OpenSSH "openssh-key-v1" (unencrypted), or
 * ruta's passphrase-encrypted form, for which `ask` is called. */
int ruta_crypto__load_secret(ruta_secret **out, const char *path,
	ruta_passphrase_cb ask, void *payload);
void ruta_crypto__secret_free(ruta_secret *sk);
void ruta_crypto__secret_public(unsigned char pk[RUTA_PK_BYTES], const ruta_secret *sk);

/* An armored OpenSSH signature ("-----BEGIN SSH SIGNATURE-----") over the
 * bytes, exactly as `ssh-keygen -Y sign -n NS` makes it: SHA-512, except
 * for changesets (-O hashalg=sha256). New. */
int ruta_crypto__sshsig_sign(char **out, const ruta_secret *sk, const char *ns,
	const void *data, size_t len);

/* Checks an armored signature over the bytes for namespace `ns`; on success
 * *signer gets the signing key. RUTA_EVERIFY with the reason otherwise. */
int ruta_crypto__sshsig_verify(unsigned char signer[RUTA_PK_BYTES], const char *armored,
	size_t armored_len, const char *ns, const void *data, size_t len);
/* The same, given the data's SHA-256 when the caller has it already (NULL:
 * not known); a signature that hashed with SHA-256 then needs no second pass. */
int ruta_crypto__sshsig_verify_known(unsigned char signer[RUTA_PK_BYTES], const char *armored,
	size_t armored_len, const char *ns, const void *data, size_t len,
	const unsigned char *data_sha256);

/* Encrypts (new_pass non-NULL) or decrypts (NULL) the secret key file in
 * place; `old_pass` opens an encrypted one. */
int ruta_crypto__protect(const char *path, const char *old_pass, const char *new_pass);

#endif
