/*
 * sha256.c - SHA-256 with the x86 SHA extensions, for the processors that
 * have them.
 *
 * Every changeset taken in is hashed whole (its identity, docs/format.md
 * §9), and libsodium's portable SHA-256 was a tenth of applying one. The
 * SHA instructions do the same rounds several times faster. Elsewhere
 * (another architecture, another compiler, a processor without them)
 * ruta_sha256__hw() says no and crypto.c uses libsodium, as before; the
 * unit tests check both give the same digests.
 */
#include <string.h>

#include "crypto.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>

static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* 64-byte blocks into the state, four rounds per step: each step's message
 * words come from the last four steps' (msg1 and msg2 schedule them). */
__attribute__((target("sha,sse4.1")))
static void blocks(uint32_t state[8], const unsigned char *p, size_t n)
{
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i s0, s1, t, m[4], msg, abef, cdgh;
	int g;

	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1);   /* CDAB */
	s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B);  /* EFGH */
	s0 = _mm_alignr_epi8(t, s1, 8);                                                /* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xF0);                                             /* CDGH */
	for (; n--; p += 64) {
		abef = s0;
		cdgh = s1;
		for (g = 0; g < 16; g++) {
			if (g < 4)
				m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), swap);
			msg = _mm_add_epi32(m[g & 3], _mm_loadu_si128((const __m128i *)&k256[4 * g]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
			if (g >= 3 && g <= 14) {
				t = _mm_alignr_epi8(m[g & 3], m[(g + 3) & 3], 4);
				m[(g + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(m[(g + 1) & 3], t), m[g & 3]);
			}
			s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(msg, 0x0E));
			if (g >= 1 && g <= 12)
				m[(g + 3) & 3] = _mm_sha256msg1_epu32(m[(g + 3) & 3], m[g & 3]);
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	t = _mm_shuffle_epi32(s0, 0x1B);                                               /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);                                              /* DCHG */
	_mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(t, s1, 0xF0));         /* DCBA */
	_mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(s1, t, 8));             /* HGFE */
}

/* CPUID: SHA is leaf 7's EBX bit 29; SSSE3 and SSE4.1, leaf 1's ECX bits 9 and 19. */
static int probe_cpu(void)
{
	unsigned int a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return 0;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}

/* Asked once: in a virtual machine CPUID traps to the hypervisor, tens of
 * microseconds, and a conflict's id is hashed on every one. Threads that
 * race here store the same answer. */
int ruta_sha256__hw(void)
{
	static _Atomic int known = -1;
	int v = atomic_load_explicit(&known, memory_order_relaxed);
	if (v < 0) {
		v = probe_cpu();
		atomic_store_explicit(&known, v, memory_order_relaxed);
	}
	return v;
}

void ruta_sha256__ni(unsigned char out[32], const void *data, size_t len)
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
		0x1f83d9ab, 0x5be0cd19 };
	unsigned char last[128];
	uint64_t bits = (uint64_t)len * 8;
	size_t full = len / 64, rest = len % 64, pad = rest < 56 ? 64 : 128, i;

	if (full)
		blocks(h, data, full);
	/* the tail, a 1 bit, zeros, the length in bits big-endian */
	memset(last, 0, sizeof(last));
	if (rest)
		memcpy(last, (const unsigned char *)data + full * 64, rest);
	last[rest] = 0x80;
	for (i = 0; i < 8; i++)
		last[pad - 1 - i] = (unsigned char)(bits >> (8 * i));
	blocks(h, last, pad / 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(h[i] >> 8);
		out[4 * i + 3] = (unsigned char)h[i];
	}
}

#else

int ruta_sha256__hw(void)
{
	return 0;
}

void ruta_sha256__ni(unsigned char out[32], const void *data, size_t len)
{
	(void)data;
	(void)len;
	memset(out, 0, 32);   /* never called: ruta_sha256__hw() said no */
}

#endif
