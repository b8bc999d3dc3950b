/* test_crypto.c - keys in OpenSSH's formats, checked against ssh-keygen itself. */
#include <sodium.h>

#include "helpers.h"
#include "crypto.h"
#include "internal.h"

static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *out = calloc(1, 4096);
	assert_non_null(p);
	assert_non_null(out);
	if (!fgets(out, 4096, p))
		out[0] = '\0';
	assert_int_equal(pclose(p), 0);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

static void fingerprint_matches_ssh_keygen(void **state)
{
	char *tmp = temp_dir(), sk[600], pk[600], cmd[1400], fp[RUTA_FINGERPRINT_MAX];
	unsigned char key[RUTA_PK_BYTES];
	char *line, *theirs;
	FILE *f;
	(void)state;
	ASSERT_OK(ruta_crypto__init());
	snprintf(sk, sizeof(sk), "%s/k", tmp);
	snprintf(pk, sizeof(pk), "%s/k.pub", tmp);
	ASSERT_OK(ruta_crypto__keygen(sk, pk, "north-test"));
	assert_non_null(f = fopen(pk, "r"));
	line = calloc(1, 512);
	assert_non_null(fgets(line, 512, f));
	fclose(f);
	ASSERT_OK(ruta_crypto__parse_public(key, line));
	ASSERT_OK(ruta_crypto__fingerprint(fp, key));
	/* "256 SHA256:... north-test (ED25519)" */
	snprintf(cmd, sizeof(cmd), "ssh-keygen -l -f '%s' | cut -d' ' -f2", pk);
	theirs = run(cmd);
	assert_string_equal(fp, theirs);
	/* A key that exists is never overwritten. */
	assert_int_equal(ruta_crypto__keygen(sk, pk, "again"), RUTA_EEXISTS);
	free(theirs);
	free(line);
	rm_tree(tmp);
}

static void malformed_public_keys_are_refused(void **state)
{
	unsigned char key[RUTA_PK_BYTES];
	static const char *const bad[] = {
		"",
		"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ north",
		"ssh-ed25519",
		"ssh-ed25519 !!!notbase64!!! x",
		/* valid base64 of the wrong length */
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 x",
		/* an ed25519 blob whose inner type says ssh-rsa */
		"ssh-ed25519 AAAAB3NzaC1yc2EAAAAgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA x",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ruta_crypto__parse_public(key, bad[i]) != RUTA_EINVALID)
			fail_msg("accepted: %s", bad[i]);
	ASSERT_OK(ruta_crypto__parse_public(key, "  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFrzeo0mPg61"
		"jUt24Omacf2IX2bQZddR3r3jf5VMhhjE north\n"));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 8192);
	assert_non_null(f);
	*len = fread(buf, 1, 8191, f);
	fclose(f);
	return buf;
}

static void signatures_are_openssh_signatures(void **state)
{
	char *tmp = temp_dir(), sk[600], pk[600], data[600], cmd[2400], *ours, *theirs;
	static const char body[] = "{\"format\":\"ruta-changeset/1\",\"x\":\"\xc3\xb1\"}\n";
	unsigned char signer[RUTA_PK_BYTES], key[RUTA_PK_BYTES];
	ruta_secret *secret = NULL;
	size_t n;
	FILE *f;
	(void)state;
	ASSERT_OK(ruta_crypto__init());
	snprintf(sk, sizeof(sk), "%s/k", tmp);
	snprintf(pk, sizeof(pk), "%s/k.pub", tmp);
	snprintf(data, sizeof(data), "%s/data", tmp);
	ASSERT_OK(ruta_crypto__keygen(sk, pk, "north-test"));
	assert_non_null(f = fopen(data, "wb"));
	fputs(body, f);
	fclose(f);
	ASSERT_OK(ruta_crypto__load_secret(&secret, sk, NULL, NULL));
	ASSERT_OK(ruta_crypto__sshsig_sign(&ours, secret, RUTA_NS_CHANGESET, body, strlen(body)));
	/* Ed25519 is deterministic: stock ssh-keygen makes the very same bytes,
	 * told to hash with SHA-256 as ruta does for changesets. */
	snprintf(cmd, sizeof(cmd), "ssh-keygen -q -Y sign -f '%s' -n ruta-changeset -O hashalg=sha256"
		" '%s' 2>/dev/null", sk, data);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.sig", data);
	theirs = slurp(cmd, &n);
	assert_string_equal(ours, theirs);
	ASSERT_OK(ruta_crypto__sshsig_verify(signer, theirs, n, RUTA_NS_CHANGESET, body, strlen(body)));
	ruta_crypto__secret_public(key, secret);
	assert_memory_equal(signer, key, RUTA_PK_BYTES);
	assert_int_equal(ruta_crypto__sshsig_verify(signer, theirs, n, "git", body, strlen(body)),
		RUTA_EVERIFY);
	assert_non_null(strstr(ruta_error_last()->message, "namespace"));
	assert_int_equal(ruta_crypto__sshsig_verify(signer, theirs, n / 2, RUTA_NS_CHANGESET, body,
		strlen(body)), RUTA_EVERIFY);
	assert_int_equal(ruta_crypto__sshsig_verify(signer, theirs, n, RUTA_NS_CHANGESET, body,
		strlen(body) - 1), RUTA_EVERIFY);
	ruta_free(ours);
	free(theirs);
	/* Other namespaces keep ssh-keygen's default hash, SHA-512. */
	ASSERT_OK(ruta_crypto__sshsig_sign(&ours, secret, RUTA_NS_TRUST, body, strlen(body)));
	snprintf(cmd, sizeof(cmd), "%s.sig", data);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "ssh-keygen -q -Y sign -f '%s' -n ruta-trust '%s' 2>/dev/null",
		sk, data);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.sig", data);
	theirs = slurp(cmd, &n);
	assert_string_equal(ours, theirs);
	ASSERT_OK(ruta_crypto__sshsig_verify(signer, theirs, n, RUTA_NS_TRUST, body, strlen(body)));
	ruta_free(ours);
	free(theirs);
	ruta_crypto__secret_free(secret);
	rm_tree(tmp);
}

static int give(char *buf, size_t size, const char *what, void *payload)
{
	(void)what;
	snprintf(buf, size, "%s", (const char *)payload);
	return 0;
}

static void a_protected_key_needs_its_passphrase(void **state)
{
	char *tmp = temp_dir(), sk[600], pk[600], cmd[1400], *text;
	ruta_secret *secret = NULL;
	size_t n;
	(void)state;
	snprintf(sk, sizeof(sk), "%s/k", tmp);
	snprintf(pk, sizeof(pk), "%s/k.pub", tmp);
	ASSERT_OK(ruta_crypto__keygen(sk, pk, "north-test"));
	ASSERT_OK(ruta_crypto__protect(sk, NULL, "correct horse"));
	text = slurp(sk, &n);
	assert_non_null(strstr(text, "BEGIN RUTA ENCRYPTED KEY"));
	free(text);
	assert_int_equal(ruta_crypto__load_secret(&secret, sk, NULL, NULL), RUTA_EINVALID);
	assert_int_equal(ruta_crypto__load_secret(&secret, sk, give, "wrong horse"), RUTA_EINVALID);
	assert_non_null(strstr(ruta_error_last()->message, "wrong passphrase"));
	ASSERT_OK(ruta_crypto__load_secret(&secret, sk, give, "correct horse"));
	ruta_crypto__secret_free(secret);
	assert_int_equal(ruta_crypto__protect(sk, "wrong", NULL), RUTA_EINVALID);
	ASSERT_OK(ruta_crypto__protect(sk, "correct horse", NULL));
	snprintf(cmd, sizeof(cmd), "ssh-keygen -y -f '%s' >/dev/null", sk);
	assert_int_equal(system(cmd), 0);
	rm_tree(tmp);
}

/* The SHA instructions' digests are libsodium's, at every length around a
 * block's edges and for a changeset's size. */
static void sha256_with_the_sha_instructions_is_sha256(void **state)
{
	unsigned char *data = malloc(200000), a[32], b[32];
	size_t i, lens[] = { 150000, 199999, 200000 };
	(void)state;
	if (!ruta_sha256__hw())
		skip();
	for (i = 0; i < 200000; i++)
		data[i] = (unsigned char)(i * 131 + (i >> 7));
	for (i = 0; i < 300; i++) {
		ruta_sha256__ni(a, data, i);
		crypto_hash_sha256(b, data, i);
		assert_memory_equal(a, b, 32);
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		ruta_sha256__ni(a, data, lens[i]);
		crypto_hash_sha256(b, data, lens[i]);
		assert_memory_equal(a, b, 32);
	}
	ruta_sha256__ni(a, NULL, 0);
	crypto_hash_sha256(b, (const unsigned char *)"", 0);
	assert_memory_equal(a, b, 32);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fingerprint_matches_ssh_keygen),
		cmocka_unit_test(malformed_public_keys_are_refused),
		cmocka_unit_test(signatures_are_openssh_signatures),
		cmocka_unit_test(a_protected_key_needs_its_passphrase),
		cmocka_unit_test(sha256_with_the_sha_instructions_is_sha256),
	};
	return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
