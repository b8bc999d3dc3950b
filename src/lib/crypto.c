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

/* Base64 of secret bytes, wrapped at 70 columns between two armor lines,
 * in guarded memory (sodium_free it). */
static int armor_secret(char **out, const unsigned char *bin, size_t len, const char *begin,
	const char *end)
{
	size_t b64len = sodium_base64_ENCODED_LEN(len, B64), i, total;
	char *b64 = sodium_malloc(b64len);
	char *text = sodium_malloc(b64len + b64len / 70 + strlen(begin) + strlen(end) + 8);
	size_t t = 0;

	if (!b64 || !text) {
		sodium_free(b64);
		sodium_free(text);
		return ruta_error__oom();
	}
	sodium_bin2base64(b64, b64len, bin, len, B64);
	total = strlen(b64);
	t += (size_t)sprintf(text, "%s\n", begin);
	for (i = 0; i < total; i += 70) {
		size_t n = total - i < 70 ? total - i : 70;
		memcpy(text + t, b64 + i, n);
		t += n;
		text[t++] = '\n';
	}
	t += (size_t)sprintf(text + t, "%s\n", end);
	sodium_free(b64);
	*out = text;
	return 0;
}

static int armor_private(char **out, const unsigned char *bin, size_t len)
{
	return armor_secret(out, bin, len, "-----BEGIN OPENSSH PRIVATE KEY-----",
		"-----END OPENSSH PRIVATE KEY-----");
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

/* ---- hashing ---------------------------------------------------------------- */

struct ruta_hasher {
	crypto_hash_sha256_state st;
};

int ruta_crypto__hasher_new(ruta_hasher **out)
{
	if (!(*out = malloc(sizeof(**out))))
		return ruta_error__oom();
	crypto_hash_sha256_init(&(*out)->st);
	return 0;
}

void ruta_crypto__hasher_add(ruta_hasher *h, const void *data, size_t len)
{
	crypto_hash_sha256_update(&h->st, data, len);
}

void ruta_crypto__hasher_done(ruta_hasher *h, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&h->st, d);
	sodium_bin2hex(out, 65, d, sizeof(d));
	free(h);
}

void ruta_crypto__sha256(unsigned char out[32], const void *data, size_t len)
{
	if (ruta_sha256__hw())
		ruta_sha256__ni(out, data, len);
	else
		crypto_hash_sha256(out, data, len);
}

void ruta_crypto__hex(char *out, const unsigned char *bin, size_t len)
{
	sodium_bin2hex(out, 2 * len + 1, bin, len);
}

void ruta_crypto__sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	ruta_crypto__sha256(h, data, len);
	ruta_crypto__hex(out, h, sizeof(h));
}

/* find_bytes() is a GNU extension; this is the portable few lines of it. */
static const char *find_bytes(const char *hay, size_t n, const char *needle, size_t m)
{
	size_t i;
	if (m == 0 || m > n)
		return NULL;
	for (i = 0; i + m <= n; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
			return hay + i;
	return NULL;
}

/* ---- reading SSH wire encoding, bounds-checked -------------------------------- */

typedef struct reader {
	const unsigned char *p;
	size_t left;
} reader;

static int get_u32(uint32_t *v, reader *r)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int get_string(const unsigned char **s, size_t *n, reader *r)
{
	uint32_t len;
	if (get_u32(&len, r) < 0 || len > r->left)
		return -1;
	*s = r->p;
	*n = len;
	r->p += len;
	r->left -= len;
	return 0;
}

static int string_is(const unsigned char *s, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* ---- secret keys ------------------------------------------------------------- */

struct ruta_secret {
	unsigned char sk[crypto_sign_SECRETKEYBYTES];   /* seed || public key */
};

#define ENC_MAGIC "ruta-key-v1"
#define ENC_BEGIN "-----BEGIN RUTA ENCRYPTED KEY-----"
#define ENC_END "-----END RUTA ENCRYPTED KEY-----"
#define SSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define SSH_END "-----END OPENSSH PRIVATE KEY-----"

/* Base64 between two armor lines, into guarded memory (new; sodium_free). */
static int dearmor(unsigned char **out, size_t *outlen, const char *text, size_t len,
	const char *begin, const char *end)
{
	const char *b = find_bytes(text, len, begin, strlen(begin)), *e;
	size_t cap;
	if (!b)
		return -1;
	b += strlen(begin);
	e = find_bytes(b, len - (size_t)(b - text), end, strlen(end));
	if (!e)
		return -1;
	cap = (size_t)(e - b);
	if (!(*out = sodium_malloc(cap + 1)))
		return ruta_error__oom();
	if (sodium_base642bin(*out, cap + 1, b, (size_t)(e - b), " \t\r\n", outlen, NULL, B64) != 0) {
		sodium_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* The unencrypted openssh-key-v1 container with one ed25519 key. */
static int parse_container(ruta_secret *sk, const unsigned char *bin, size_t len)
{
	reader r = { bin, len };
	const unsigned char *s, *pk, *sec;
	size_t n, pkn, secn;
	uint32_t count, c1, c2;

	if (len < 15 || memcmp(bin, "openssh-key-v1", 15) != 0)
		return -1;
	r.p += 15;
	r.left -= 15;
	if (get_string(&s, &n, &r) < 0 || !string_is(s, n, "none") ||
			get_string(&s, &n, &r) < 0 || !string_is(s, n, "none") ||
			get_string(&s, &n, &r) < 0 || get_u32(&count, &r) < 0 || count != 1 ||
			get_string(&s, &n, &r) < 0 || get_string(&s, &n, &r) < 0)
		return -1;
	r.p = s;
	r.left = n;   /* the private section */
	if (get_u32(&c1, &r) < 0 || get_u32(&c2, &r) < 0 || c1 != c2 ||
			get_string(&s, &n, &r) < 0 || !string_is(s, n, KEY_TYPE) ||
			get_string(&pk, &pkn, &r) < 0 || pkn != RUTA_PK_BYTES ||
			get_string(&sec, &secn, &r) < 0 || secn != crypto_sign_SECRETKEYBYTES ||
			memcmp(sec + 32, pk, RUTA_PK_BYTES) != 0)
		return -1;
	memcpy(sk->sk, sec, crypto_sign_SECRETKEYBYTES);
	return 0;
}

static int derive_key(unsigned char key[crypto_secretbox_KEYBYTES], const char *pass,
	const unsigned char *salt, unsigned long long ops, size_t mem)
{
	if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, strlen(pass), salt, ops, mem,
			crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ruta_error__set(RUTA_ENOMEM, "not enough memory to derive the key");
	return 0;
}

/* ruta's encrypted form: magic, salt, opslimit, memlimit, nonce, secretbox. */
#define ENC_HEAD (sizeof(ENC_MAGIC) + crypto_pwhash_SALTBYTES + 16 + crypto_secretbox_NONCEBYTES)

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;
	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_u64(unsigned char *p, uint64_t v)
{
	int i;
	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static int decrypt_container(unsigned char **plain, size_t *plainlen, const unsigned char *bin,
	size_t len, const char *pass)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	const unsigned char *salt = bin + sizeof(ENC_MAGIC);
	uint64_t ops, mem;
	int err;

	if (len < ENC_HEAD + crypto_secretbox_MACBYTES || memcmp(bin, ENC_MAGIC, sizeof(ENC_MAGIC)))
		return ruta_error__set(RUTA_EINVALID, "the encrypted key file is malformed");
	ops = get_u64(salt + crypto_pwhash_SALTBYTES);
	mem = get_u64(salt + crypto_pwhash_SALTBYTES + 8);
	if (ops > crypto_pwhash_OPSLIMIT_SENSITIVE || mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
		return ruta_error__set(RUTA_EINVALID, "the encrypted key file asks for too much work");
	if ((err = derive_key(key, pass, salt, ops, (size_t)mem)) < 0)
		return err;
	*plainlen = len - ENC_HEAD - crypto_secretbox_MACBYTES;
	if (!(*plain = sodium_malloc(*plainlen + 1))) {
		sodium_memzero(key, sizeof(key));
		return ruta_error__oom();
	}
	err = crypto_secretbox_open_easy(*plain, bin + ENC_HEAD, len - ENC_HEAD,
		bin + ENC_HEAD - crypto_secretbox_NONCEBYTES, key);
	sodium_memzero(key, sizeof(key));
	if (err != 0) {
		sodium_free(*plain);
		*plain = NULL;
		return ruta_error__set(RUTA_EINVALID, "wrong passphrase for the secret key");
	}
	return 0;
}

static int read_file(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return ruta_error__set(errno == ENOENT ? RUTA_ENOTFOUND : RUTA_ERROR,
			"cannot read '%s': %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || n > 65536 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return ruta_error__set(RUTA_EINVALID, "'%s' is not a key file", path);
	}
	if (!(buf = sodium_malloc((size_t)n + 1))) {
		fclose(f);
		return ruta_error__oom();
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		sodium_free(buf);
		return ruta_error__set(RUTA_ERROR, "cannot read '%s'", path);
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = (size_t)n;
	return 0;
}

static int ask_passphrase(char **pass, const char *path, ruta_passphrase_cb ask, void *payload)
{
	const char *what = strstr(path, "root.key") ? "root key" : "replica key";
	if (!ask)
		return ruta_error__set(RUTA_EINVALID, "the %s is protected by a passphrase and none "
			"was given (set RUTA_PASSPHRASE or run ruta on a terminal)", what);
	if (!(*pass = sodium_malloc(1024)))
		return ruta_error__oom();
	memset(*pass, 0, 1024);
	if (ask(*pass, 1024, what, payload) != 0 || !memchr(*pass, '\0', 1024)) {
		sodium_free(*pass);
		*pass = NULL;
		return ruta_error__set(RUTA_EINVALID, "no passphrase for the %s (set RUTA_PASSPHRASE, "
			"or run ruta on a terminal)", what);
	}
	return 0;
}

/* The key file's OpenSSH container, decrypting it first if it is protected. */
static int load_container(unsigned char **bin, size_t *binlen, const char *text, size_t len,
	const char *path, ruta_passphrase_cb ask, void *payload)
{
	unsigned char *enc = NULL;
	size_t enclen = 0;
	char *pass = NULL;
	int err;

	if (dearmor(bin, binlen, text, len, SSH_BEGIN, SSH_END) == 0)
		return 0;
	if ((err = dearmor(&enc, &enclen, text, len, ENC_BEGIN, ENC_END)) != 0)
		return err < 0 && err != -1 ? err :
			ruta_error__set(RUTA_EINVALID, "'%s' is not an ed25519 secret key", path);
	if ((err = ask_passphrase(&pass, path, ask, payload)) == 0)
		err = decrypt_container(bin, binlen, enc, enclen, pass);
	sodium_free(pass);
	sodium_free(enc);
	return err;
}

int ruta_crypto__load_secret(ruta_secret **out, const char *path, ruta_passphrase_cb ask,
	void *payload)
{
	char *text = NULL;
	unsigned char *bin = NULL;
	size_t len = 0, binlen = 0;
	ruta_secret *sk = NULL;
	int err;

	*out = NULL;
	if ((err = read_file(&text, &len, path)) < 0)
		return err;
	if ((err = load_container(&bin, &binlen, text, len, path, ask, payload)) < 0)
		goto done;
	if (!(sk = sodium_malloc(sizeof(*sk)))) {
		err = ruta_error__oom();
		goto done;
	}
	if (parse_container(sk, bin, binlen) < 0) {
		err = ruta_error__set(RUTA_EINVALID, "'%s' is not an ed25519 secret key", path);
		sodium_free(sk);
		goto done;
	}
	*out = sk;
done:
	sodium_free(bin);
	sodium_free(text);
	return err;
}

void ruta_crypto__secret_free(ruta_secret *sk)
{
	sodium_free(sk);
}

void ruta_crypto__secret_public(unsigned char pk[RUTA_PK_BYTES], const ruta_secret *sk)
{
	memcpy(pk, sk->sk + 32, RUTA_PK_BYTES);
}

/* ---- SSHSIG (OpenSSH PROTOCOL.sshsig) ------------------------------------------- */

#define SIG_BEGIN "-----BEGIN SSH SIGNATURE-----"
#define SIG_END "-----END SSH SIGNATURE-----"

/* Changesets are hashed with SHA-256, which every reader computes for a
 * changeset's name anyway and which processors do in hardware; what else
 * ruta signs is small and keeps ssh-keygen's default, SHA-512. */
static const char *sig_hash(const char *ns)
{
	return strcmp(ns, RUTA_NS_CHANGESET) == 0 ? "sha256" : "sha512";
}

/* What is signed: "SSHSIG" || string ns || string "" || string hash || string H(msg). */
static size_t signed_data(unsigned char *out, const char *ns, const unsigned char *digest,
	size_t dlen, const char *hash)
{
	size_t n = 6;
	memcpy(out, "SSHSIG", 6);
	n += put_string(out + n, ns, strlen(ns));
	n += put_string(out + n, "", 0);
	n += put_string(out + n, hash, strlen(hash));
	n += put_string(out + n, digest, dlen);
	return n;
}

static int armor_signature(char **out, const unsigned char *blob, size_t len)
{
	size_t b64len = sodium_base64_ENCODED_LEN(len, B64), i, total;
	char *b64 = malloc(b64len);
	ruta_buf b = RUTA_BUF_INIT;

	if (!b64)
		return ruta_error__oom();
	sodium_bin2base64(b64, b64len, blob, len, B64);
	total = strlen(b64);
	ruta_buf__puts(&b, SIG_BEGIN "\n");
	for (i = 0; i < total; i += 70) {
		ruta_buf__put(&b, b64 + i, total - i < 70 ? total - i : 70);
		ruta_buf__puts(&b, "\n");
	}
	ruta_buf__puts(&b, SIG_END "\n");
	free(b64);
	if (ruta_buf__check(&b) < 0)
		return RUTA_ENOMEM;
	*out = ruta_buf__detach(&b);
	return 0;
}

int ruta_crypto__sshsig_sign(char **out, const ruta_secret *sk, const char *ns,
	const void *data, size_t len)
{
	unsigned char digest[crypto_hash_sha512_BYTES], sig[crypto_sign_BYTES];
	unsigned char tosign[512], blob[512], pkblob[51], sigblob[128];
	const char *hash = sig_hash(ns);
	size_t n, bl = 0, sl, dlen = crypto_hash_sha512_BYTES;

	*out = NULL;
	if (strlen(ns) > 200 || !*ns)
		return ruta_error__set(RUTA_EINVALID, "bad signature namespace");
	if (strcmp(hash, "sha256") == 0) {
		ruta_crypto__sha256(digest, data, len);
		dlen = crypto_hash_sha256_BYTES;
	} else {
		crypto_hash_sha512(digest, data, len);
	}
	n = signed_data(tosign, ns, digest, dlen, hash);
	crypto_sign_detached(sig, NULL, tosign, n, sk->sk);
	public_blob(pkblob, sk->sk + 32);
	sl = put_string(sigblob, KEY_TYPE, strlen(KEY_TYPE));
	sl += put_string(sigblob + sl, sig, sizeof(sig));
	memcpy(blob, "SSHSIG", 6);
	bl = 6;
	bl += put_u32(blob + bl, 1);
	bl += put_string(blob + bl, pkblob, sizeof(pkblob));
	bl += put_string(blob + bl, ns, strlen(ns));
	bl += put_string(blob + bl, "", 0);
	bl += put_string(blob + bl, hash, strlen(hash));
	bl += put_string(blob + bl, sigblob, sl);
	return armor_signature(out, blob, bl);
}

static int bad_sig(const char *why)
{
	return ruta_error__set(RUTA_EVERIFY, "bad signature: %s", why);
}

/* Strict armor: the BEGIN line first, base64 lines, the END line last. */
static int sig_blob(unsigned char *blob, size_t cap, size_t *len, const char *armored, size_t n)
{
	const char *p = armored, *end = armored + n, *b64, *e;
	if (n > 4096)
		return bad_sig("the signature file is too large");
	if (n < strlen(SIG_BEGIN) || memcmp(p, SIG_BEGIN, strlen(SIG_BEGIN)) != 0)
		return bad_sig("the signature file does not start with " SIG_BEGIN);
	b64 = p + strlen(SIG_BEGIN);
	if (!(e = find_bytes(b64, (size_t)(end - b64), SIG_END, strlen(SIG_END))))
		return bad_sig("the signature file has no " SIG_END " line (truncated?)");
	for (p = e + strlen(SIG_END); p < end; p++)
		if (*p != '\n' && *p != '\r')
			return bad_sig("text follows the end of the signature");
	if (sodium_base642bin(blob, cap, b64, (size_t)(e - b64), "\r\n", len, NULL, B64) != 0)
		return bad_sig("the signature is not valid base64");
	return 0;
}

int ruta_crypto__sshsig_verify(unsigned char signer[RUTA_PK_BYTES], const char *armored,
	size_t armored_len, const char *ns, const void *data, size_t len)
{
	return ruta_crypto__sshsig_verify_known(signer, armored, armored_len, ns, data, len, NULL);
}

int ruta_crypto__sshsig_verify_known(unsigned char signer[RUTA_PK_BYTES], const char *armored,
	size_t armored_len, const char *ns, const void *data, size_t len,
	const unsigned char *data_sha256)
{
	unsigned char blob[1024], digest[crypto_hash_sha512_BYTES], tosign[512];
	const unsigned char *pkb, *nsb, *res, *hash, *sigb, *s, *k, *sig;
	size_t bl = 0, pkn, nsn, resn, hashn, sign, sn, kn, sgn, n;
	reader r, pr, sr;
	uint32_t version;
	int err;

	if ((err = sig_blob(blob, sizeof(blob), &bl, armored, armored_len)) < 0)
		return err;
	r.p = blob;
	r.left = bl;
	if (bl < 6 || memcmp(blob, "SSHSIG", 6) != 0)
		return bad_sig("no SSHSIG magic");
	r.p += 6;
	r.left -= 6;
	if (get_u32(&version, &r) < 0 || version != 1)
		return bad_sig("unknown SSHSIG version");
	if (get_string(&pkb, &pkn, &r) < 0 || get_string(&nsb, &nsn, &r) < 0 ||
			get_string(&res, &resn, &r) < 0 || get_string(&hash, &hashn, &r) < 0 ||
			get_string(&sigb, &sign, &r) < 0 || r.left != 0)
		return bad_sig("the signature is malformed");
	if (!string_is(nsb, nsn, ns))
		return ruta_error__set(RUTA_EVERIFY, "bad signature: made for namespace '%.*s', "
			"not '%s'", (int)(nsn > 64 ? 64 : nsn), (const char *)nsb, ns);
	pr.p = pkb;
	pr.left = pkn;
	if (get_string(&s, &sn, &pr) < 0 || !string_is(s, sn, KEY_TYPE) ||
			get_string(&k, &kn, &pr) < 0 || kn != RUTA_PK_BYTES || pr.left != 0)
		return bad_sig("the signing key is not an ed25519 key");
	sr.p = sigb;
	sr.left = sign;
	if (get_string(&s, &sn, &sr) < 0 || !string_is(s, sn, KEY_TYPE) ||
			get_string(&sig, &sgn, &sr) < 0 || sgn != crypto_sign_BYTES || sr.left != 0)
		return bad_sig("the signature is not an ed25519 signature");
	if (string_is(hash, hashn, "sha512"))
		crypto_hash_sha512(digest, data, len);
	else if (string_is(hash, hashn, "sha256") && data_sha256)
		memcpy(digest, data_sha256, crypto_hash_sha256_BYTES);
	else if (string_is(hash, hashn, "sha256"))
		ruta_crypto__sha256(digest, data, len);
	else
		return bad_sig("unknown hash algorithm");
	if (resn != 0)
		return bad_sig("reserved field is not empty");
	n = signed_data(tosign, ns, digest, string_is(hash, hashn, "sha512") ?
		crypto_hash_sha512_BYTES : crypto_hash_sha256_BYTES,
		string_is(hash, hashn, "sha512") ? "sha512" : "sha256");
	if (crypto_sign_verify_detached(sig, tosign, n, k) != 0)
		return ruta_error__set(RUTA_EVERIFY, "bad signature: it does not match the data "
			"(altered, or signed over other bytes)");
	memcpy(signer, k, RUTA_PK_BYTES);
	return 0;
}

/* ---- passphrase protection ------------------------------------------------------- */

static int armor_encrypted(char **out, const unsigned char *bin, size_t len)
{
	return armor_secret(out, bin, len, ENC_BEGIN, ENC_END);
}

static int encrypt_container(char **out, const unsigned char *plain, size_t len, const char *pass)
{
	size_t total = ENC_HEAD + crypto_secretbox_MACBYTES + len;
	unsigned char *bin = sodium_malloc(total), key[crypto_secretbox_KEYBYTES];
	unsigned char *salt, *nonce;
	int err;

	if (!bin)
		return ruta_error__oom();
	memcpy(bin, ENC_MAGIC, sizeof(ENC_MAGIC));
	salt = bin + sizeof(ENC_MAGIC);
	randombytes_buf(salt, crypto_pwhash_SALTBYTES);
	put_u64(salt + crypto_pwhash_SALTBYTES, crypto_pwhash_OPSLIMIT_INTERACTIVE);
	put_u64(salt + crypto_pwhash_SALTBYTES + 8, crypto_pwhash_MEMLIMIT_INTERACTIVE);
	nonce = bin + ENC_HEAD - crypto_secretbox_NONCEBYTES;
	randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
	if ((err = derive_key(key, pass, salt, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			crypto_pwhash_MEMLIMIT_INTERACTIVE)) == 0) {
		crypto_secretbox_easy(bin + ENC_HEAD, plain, len, nonce, key);
		err = armor_encrypted(out, bin, total);
	}
	sodium_memzero(key, sizeof(key));
	sodium_free(bin);
	return err;
}

static int replace_file(const char *path, const char *text)
{
	char tmp[4200];
	int err;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	unlink(tmp);
	if ((err = write_exclusive(tmp, text, 0600)) < 0)
		return err;
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return ruta_error__set(RUTA_ERROR, "cannot replace '%s': %s", path, strerror(errno));
	}
	return 0;
}

static int give_pass(char *buf, size_t size, const char *what, void *payload)
{
	(void)what;
	if (strlen(payload) >= size)
		return -1;
	strcpy(buf, payload);
	return 0;
}

int ruta_crypto__protect(const char *path, const char *old_pass, const char *new_pass)
{
	char *text = NULL, *armored = NULL;
	unsigned char *bin = NULL;
	size_t len = 0, binlen = 0;
	ruta_secret probe;
	int err;

	if ((err = read_file(&text, &len, path)) < 0)
		return err;
	if ((err = load_container(&bin, &binlen, text, len, path, old_pass ? give_pass : NULL,
			(void *)old_pass)) < 0)
		goto done;
	if (parse_container(&probe, bin, binlen) < 0) {
		err = ruta_error__set(RUTA_EINVALID, "'%s' is not an ed25519 secret key", path);
		goto done;
	}
	sodium_memzero(&probe, sizeof(probe));
	if (new_pass)
		err = encrypt_container(&armored, bin, binlen, new_pass);
	else
		err = armor_private(&armored, bin, binlen);
	if (err == 0)
		err = replace_file(path, armored);
done:
	sodium_free(armored);
	sodium_free(bin);
	sodium_free(text);
	return err;
}
