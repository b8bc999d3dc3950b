/*
 * crypto.c - Ed25519 keys and randomness; the only file that calls libsodium.
 *
 * Keys are written in OpenSSH's own formats so that stock ssh-keygen can read
 * them (ssh-keygen -y -f replica.key prints replica.pub): OpenSSH stores the
 * 64-byte secret as seed||public, which is exactly libsodium's layout.
 * Secret bytes live only in sodium_malloc memory and are wiped on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"

#define KEY_TYPE "ssh-ed25519"
#define B64 sodium_base64_VARIANT_ORIGINAL

int ruta_crypto__init(void)
{
	if (sodium_init() < 0)
		return ruta_error__set(RUTA_ERROR, "cannot initialise libsodium");
	return 0;
}

void ruta_crypto__random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

/* SSH wire encoding: a uint32 length, then the bytes. */
static size_t put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return 4;
}

static size_t put_string(unsigned char *p, const void *s, size_t n)
{
	put_u32(p, (uint32_t)n);
	memcpy(p + 4, s, n);
	return 4 + n;
}

static size_t public_blob(unsigned char out[51], const unsigned char *pk)
{
	size_t n = put_string(out, KEY_TYPE, strlen(KEY_TYPE));
	return n + put_string(out + n, pk, RUTA_PK_BYTES);
}

static int write_exclusive(const char *path, const char *text, mode_t mode)
{
	size_t len = strlen(text), off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return ruta_error__set(errno == EEXIST ? RUTA_EEXISTS : RUTA_ERROR,
			"cannot create '%s': %s", path, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			close(fd);
			unlink(path);
			return ruta_error__set(RUTA_ERROR, "cannot write '%s': %s", path, strerror(e));
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		unlink(path);
		return ruta_error__set(RUTA_ERROR, "cannot write '%s': %s", path, strerror(errno));
	}
	return 0;
}

/* The "openssh-key-v1" container, unencrypted, one key. */
static size_t private_container(unsigned char *out, const unsigned char *pk,
	const unsigned char *sk, const char *comment)
{
	unsigned char blob[51];
	unsigned char *priv = out + 512;   /* the private section is built after the header */
	size_t bl = public_blob(blob, pk), n = 0, pn = 0;
	uint32_t check;
	unsigned char pad = 1;

	randombytes_buf(&check, sizeof(check));
	pn += put_u32(priv + pn, check);
	pn += put_u32(priv + pn, check);
	pn += put_string(priv + pn, KEY_TYPE, strlen(KEY_TYPE));
	pn += put_string(priv + pn, pk, RUTA_PK_BYTES);
	pn += put_string(priv + pn, sk, crypto_sign_SECRETKEYBYTES);
	pn += put_string(priv + pn, comment, strlen(comment));
	while (pn % 8)
		priv[pn++] = pad++;

	memcpy(out, "openssh-key-v1", 15);
	n = 15;
	n += put_string(out + n, "none", 4);
	n += put_string(out + n, "none", 4);
	n += put_string(out + n, "", 0);
	n += put_u32(out + n, 1);
	n += put_string(out + n, blob, bl);
	n += put_u32(out + n, (uint32_t)pn);
	/* sodium_free() wipes the whole container, the copy at `priv` included. */
	memmove(out + n, priv, pn);
	return n + pn;
}

static int armor_private(char **out, const unsigned char *bin, size_t len)
{
	size_t b64len = sodium_base64_ENCODED_LEN(len, B64), i;
	char *b64 = sodium_malloc(b64len);
	char *text = sodium_malloc(b64len + b64len / 70 + 128);
	size_t t = 0;

	if (!b64 || !text) {
		sodium_free(b64);
		sodium_free(text);
		return ruta_error__oom();
	}
	sodium_bin2base64(b64, b64len, bin, len, B64);
	t += (size_t)sprintf(text, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
	size_t total = strlen(b64);
	for (i = 0; i < total; i += 70) {
		size_t n = total - i < 70 ? total - i : 70;
		memcpy(text + t, b64 + i, n);
		t += n;
		text[t++] = '\n';
	}
	t += (size_t)sprintf(text + t, "-----END OPENSSH PRIVATE KEY-----\n");
	sodium_free(b64);
	*out = text;
	return 0;
}

static int public_line(char **out, const unsigned char *pk, const char *comment)
{
	unsigned char blob[51];
	char b64[sodium_base64_ENCODED_LEN(51, B64)];
	ruta_buf b = RUTA_BUF_INIT;

	public_blob(blob, pk);
	sodium_bin2base64(b64, sizeof(b64), blob, sizeof(blob), B64);
	ruta_buf__printf(&b, "%s %s %s\n", KEY_TYPE, b64, comment);
	if (ruta_buf__check(&b) < 0)
		return RUTA_ENOMEM;
	*out = ruta_buf__detach(&b);
	return 0;
}

int ruta_crypto__keygen(const char *secret_path, const char *public_path, const char *comment)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	unsigned char *container = sodium_malloc(2048);
	char *armored = NULL, *pub = NULL;
	int err;

	if (!sk || !container) {
		err = ruta_error__oom();
		goto done;
	}
	if (strlen(comment) > 256) {
		err = ruta_error__set(RUTA_EINVALID, "key comment is too long");
		goto done;
	}
	crypto_sign_keypair(pk, sk);
	if ((err = armor_private(&armored, container,
			private_container(container, pk, sk, comment))) < 0)
		goto done;
	if ((err = public_line(&pub, pk, comment)) < 0)
		goto done;
	if ((err = write_exclusive(secret_path, armored, 0600)) < 0)
		goto done;
	if ((err = write_exclusive(public_path, pub, 0644)) < 0)
		unlink(secret_path);
done:
	sodium_free(armored);   /* sodium_free() zeroes before it frees */
	free(pub);
	sodium_free(container);
	sodium_free(sk);
	return err;
}

int ruta_crypto__parse_public(unsigned char pk[RUTA_PK_BYTES], const char *line)
{
	unsigned char blob[64], expect[51];
	size_t bloblen = 0, n;
	const char *p = line, *end;
	char b64[128];

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, KEY_TYPE " ", strlen(KEY_TYPE) + 1) != 0)
		return ruta_error__set(RUTA_EINVALID, "not an ssh-ed25519 public key "
			"(expected a line \"ssh-ed25519 AAAA... name\")");
	p += strlen(KEY_TYPE) + 1;
	end = p + strcspn(p, " \t\r\n");
	n = (size_t)(end - p);
	if (n == 0 || n >= sizeof(b64))
		return ruta_error__set(RUTA_EINVALID, "the ssh-ed25519 key data has the wrong length");
	memcpy(b64, p, n);
	b64[n] = '\0';
	if (sodium_base642bin(blob, sizeof(blob), b64, n, NULL, &bloblen, NULL, B64) != 0 ||
			bloblen != 51)
		return ruta_error__set(RUTA_EINVALID, "the ssh-ed25519 key data is not valid base64 of a key");
	memcpy(pk, blob + 15 + 4, RUTA_PK_BYTES);   /* after string "ssh-ed25519" and a length */
	public_blob(expect, pk);
	if (memcmp(expect, blob, 51) != 0)
		return ruta_error__set(RUTA_EINVALID, "the ssh-ed25519 key data is malformed");
	return 0;
}

int ruta_crypto__fingerprint(char out[RUTA_FINGERPRINT_MAX], const unsigned char pk[RUTA_PK_BYTES])
{
	unsigned char blob[51], hash[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
		sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

	public_blob(blob, pk);
	crypto_hash_sha256(hash, blob, sizeof(blob));
	sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash),
		sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	snprintf(out, RUTA_FINGERPRINT_MAX, "SHA256:%s", b64);
	return 0;
}
