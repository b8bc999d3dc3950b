/* test_crypto.c - keys in OpenSSH's formats, checked against ssh-keygen itself. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fingerprint_matches_ssh_keygen),
		cmocka_unit_test(malformed_public_keys_are_refused),
	};
	return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
