/*
 * gen_history.c - a helper of bench_fresh.sh: N real signed changesets from
 * one team replica, through the public API only (include/ruta.h).
 *
 *   gen_history DIR N [SEED [FIELDS]]
 *
 * Each changeset is one small edit a sales rep makes in the field, sealed
 * on its own (ruta_changeset_seal), as if the rep synced after every edit:
 * a new account (with a checked Spanish CIF), a new contact with an email
 * and a phone, a new opportunity, a planned call, an opportunity moved one
 * stage on, and field edits of accounts, contacts and opportunities. The
 * same SEED gives the same edits. With FIELDS, each changeset instead holds
 * as many edits as set FIELDS fields (a day's work sealed at once; an edit
 * that sets a field to the value it had captures nothing, so a changeset can
 * hold a few changes less; bench_footprint.sh). Prints one line: the
 * changesets, field changes and the time.
 *
 * `make bench` runs every program built from bench/ without arguments; without
 * arguments this one does nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ruta.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, long long i)
{
	fprintf(stderr, "gen_history: changeset %lld: %s: %s\n", i, what, ruta_error_last()->message);
	exit(1);
}

static uint64_t rng = 88172645463325252ULL;

static unsigned pick(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Ids made so far, to edit and to link to; for opportunities, the stage. */
typedef struct pool {
	char **v;
	char (*stage)[16];
	size_t n, cap;
} pool;

static void keep(pool *p, char *id)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		if (!(p->v = realloc(p->v, p->cap * sizeof(*p->v))) ||
				!(p->stage = realloc(p->stage, p->cap * sizeof(*p->stage)))) {
			fprintf(stderr, "gen_history: out of memory\n");
			exit(1);
		}
	}
	p->stage[p->n][0] = '\0';
	p->v[p->n++] = id;
}

static const char *any(const pool *p)
{
	return p->v[pick((unsigned)p->n)];
}

static const char *const first_names[] = { "Ana", "Luis", "Marta", "Javier", "Lucía", "Pablo",
	"Elena", "Sergio", "Carmen", "Andrei", "Ioana", "Mihai" };
static const char *const last_names[] = { "Ruiz", "Gil", "García", "Fernández", "López",
	"Martín", "Sánchez", "Popescu", "Ionescu", "Díaz", "Moreno", "Álvarez" };
static const char *const cities[] = { "Madrid", "Oviedo", "Santander", "Bilbao", "León",
	"Burgos", "Gijón", "Valladolid" };
static const char *const regions[] = { "Asturias", "Cantabria", "País Vasco", "Castilla y León" };
static const char *const sectors[] = { "transport", "logistics", "retail", "construction",
	"food", "energy" };
static const char *const titles[] = { "Fleet manager", "Purchasing", "CFO", "Operations",
	"Owner", "Logistics lead" };
static const char *const lifecycles[] = { "lead", "prospect", "potential", "client" };
static const char *const steps[] = { "send brochure", "call back", "visit depot",
	"demo for the board", "wait for budget" };
static const char *const next_stage[][2] = { { "qualification", "needs" },
	{ "needs", "offer_sent" }, { "offer_sent", "negotiation" } };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A Spanish CIF of type B with its check digit: B + 7 digits + control. */
static void cif(char out[16], unsigned n)
{
	char d[8];
	int sum = 0, i;
	snprintf(d, sizeof(d), "%07u", n % 10000000u);
	for (i = 0; i < 7; i++) {
		int v = d[i] - '0';
		if (i % 2 == 0) {   /* positions 1, 3, 5, 7: doubled, digits summed */
			v *= 2;
			v = v / 10 + v % 10;
		}
		sum += v;
	}
	snprintf(out, 16, "ES:B%s%d", d, (10 - sum % 10) % 10);
}

/* One edit; returns its kind's name for the error message. *nf: the fields
 * it sets (an estimate of the changes it captures). */
static const char *edit(ruta_replica *r, long long i, pool *acc, pool *con, pool *opp, int *nf_out)
{
	char a[64], b[64], c[64], d[64], e[64], tax[16];
	char *id = NULL;
	unsigned k = pick(100);

	*nf_out = 1;

	/* a rep's day: a few new records, mostly edits of what is there */
	if (acc->n < 5 || k < 12) {
		ruta_field f[] = { { "name", a }, { "tax_id", tax }, { "region", regions[pick(N(regions))] },
			{ "city", cities[pick(N(cities))] }, { "sector", sectors[pick(N(sectors))] },
			{ "employees", b }, { "sales_channel", "direct" } };
		snprintf(a, sizeof(a), "Transportes %s %lld S.L.", last_names[pick(N(last_names))], i);
		cif(tax, (unsigned)i * 7919u);
		snprintf(b, sizeof(b), "%u", 5 + pick(400));
		*nf_out = (int)N(f);
		if (ruta_record_add(&id, r, "account", f, N(f)) < 0)
			return "account add";
		keep(acc, id);
	} else if (k < 27) {
		ruta_field f[] = { { "account", any(acc) }, { "first_name", first_names[pick(N(first_names))] },
			{ "last_name", last_names[pick(N(last_names))] }, { "title", titles[pick(N(titles))] },
			{ "email", a }, { "phone", b } };
		snprintf(a, sizeof(a), "rep%lld@cliente%u.example", i, pick(5000));
		snprintf(b, sizeof(b), "+346%08u", pick(100000000));
		*nf_out = (int)N(f);
		if (ruta_record_add(&id, r, "contact", f, N(f)) < 0)
			return "contact add";
		keep(con, id);
	} else if (k < 39) {
		ruta_field f[] = { { "account", any(acc) }, { "name", a }, { "amount", b },
			{ "currency", "EUR" }, { "expected_close", c }, { "lead_source", "field visit" } };
		snprintf(a, sizeof(a), "Fleet renewal %lld", i);
		snprintf(b, sizeof(b), "%u.%02u", 1000 + pick(90000), pick(100));
		snprintf(c, sizeof(c), "2027-%02u-%02u", 1 + pick(12), 1 + pick(28));
		*nf_out = (int)N(f);
		if (ruta_record_add(&id, r, "opp", f, N(f)) < 0)
			return "opp add";
		keep(opp, id);
		snprintf(opp->stage[opp->n - 1], 16, "qualification");
	} else if (k < 49) {
		ruta_field f[] = { { "kind", "call" }, { "subject", a }, { "account", any(acc) },
			{ "start", b }, { "end", c } };
		unsigned day = 1 + pick(28), h = 8 + pick(9);
		snprintf(a, sizeof(a), "Follow-up call %lld", i);
		snprintf(b, sizeof(b), "2027-03-%02uT%02u:00:00Z", day, h);
		snprintf(c, sizeof(c), "2027-03-%02uT%02u:30:00Z", day, h);
		*nf_out = (int)N(f);
		if (ruta_record_add(&id, r, "activity", f, N(f)) < 0)
			return "activity add";
		ruta_free(id);
	} else if (k < 59 && opp->n) {
		size_t o = pick((unsigned)opp->n);
		size_t s;
		for (s = 0; s < N(next_stage) && strcmp(opp->stage[o], next_stage[s][0]) != 0; s++)
			;
		if (s < N(next_stage)) {
			if (ruta_opp_move(r, opp->v[o], next_stage[s][1]) < 0)
				return "opp move";
			snprintf(opp->stage[o], 16, "%s", next_stage[s][1]);
		} else {
			ruta_field f[] = { { "next_step", steps[pick(N(steps))] } };
			if (ruta_record_edit(NULL, r, "opp", opp->v[o], f, N(f)) < 0)
				return "opp edit";
		}
	} else if (k < 72 && opp->n) {
		ruta_field f[] = { { "next_step", steps[pick(N(steps))] }, { "amount", d } };
		snprintf(d, sizeof(d), "%u.00", 1000 + pick(90000));
		*nf_out = (int)N(f);
		if (ruta_record_edit(NULL, r, "opp", any(opp), f, N(f)) < 0)
			return "opp edit";
	} else if (k < 86 || !con->n) {
		ruta_field f[] = { { "city", cities[pick(N(cities))] }, { "employees", e },
			{ "lifecycle", lifecycles[pick(N(lifecycles))] } };
		size_t nf = 1 + pick(3);
		snprintf(e, sizeof(e), "%u", 5 + pick(400));
		*nf_out = (int)nf;
		if (ruta_record_edit(NULL, r, "account", any(acc), f + (3 - nf), nf) < 0)
			return "account edit";
	} else {
		ruta_field f[] = { { "title", titles[pick(N(titles))] } };
		if (ruta_record_edit(NULL, r, "contact", any(con), f, N(f)) < 0)
			return "contact edit";
	}
	return NULL;
}

/* Captured field changes not yet exported (sealed or not). */
static long long unexported(ruta_replica *r, long long i)
{
	ruta_status st = RUTA_STATUS_INIT;
	if (ruta_replica_status(&st, r) < 0)
		die("status", i);
	return (long long)st.unexported;
}

int main(int argc, char **argv)
{
	ruta_replica *r = NULL;
	pool acc = { 0 }, con = { 0 }, opp = { 0 };
	long long n, i, fields = 0, per = 0, edits = 0;
	double t0, t1, in_seal = 0;
	size_t k;

	if (argc == 1)
		return 0;   /* run by make bench's loop; bench_fresh.sh runs it */
	if (argc < 3 || argc > 5 || (n = atoll(argv[2])) < 1 ||
			(argc == 5 && (per = atoll(argv[4])) < 1)) {
		fprintf(stderr, "usage: gen_history DIR N [SEED [FIELDS]]\n");
		return 2;
	}
	if (argc >= 4)
		rng ^= strtoull(argv[3], NULL, 10) * 0x9E3779B97F4A7C15ULL;
	if (ruta_replica_open(&r, argv[1], NULL) < 0)
		die("opening the replica", 0);
	t0 = now();
	for (i = 1; i <= n; i++) {
		int64_t seq = 0, changes = 0;
		int rc;
		do {   /* an edit that set a field to the value it had captured nothing */
			/* the total so far made up to i * FIELDS: edits of a field
			 * already changed in this changeset count once when sealed */
			long long set = 0, left = per * i - fields, base = per ? unexported(r, i) : 0;
			do {   /* with FIELDS: edits until they captured that many */
				int nf = 0;
				const char *failed = edit(r, ++edits, &acc, &con, &opp, &nf);
				if (failed)
					die(failed, i);
				/* an edit captures more than it sets (an opp move, a new
				 * record's defaults): count for real near the end */
				if ((set += nf) * 4 >= left) {
					left = per * i - fields - (unexported(r, i) - base);
					set = 0;
				}
			} while (left > 0);
			t1 = now();
			rc = ruta_changeset_seal(&seq, &changes, r);
			in_seal += now() - t1;
		} while (rc == RUTA_ITEROVER);
		if (rc < 0)
			die("sealing", i);
		fields += changes;
	}
	t1 = now() - t0;
	printf("gen_history: %lld changesets (%lld field changes) in %.2f s: edits %.2f s, seals %.2f s\n",
		n, fields, t1, t1 - in_seal, in_seal);
	for (k = 0; k < acc.n; k++)
		ruta_free(acc.v[k]);
	for (k = 0; k < con.n; k++)
		ruta_free(con.v[k]);
	for (k = 0; k < opp.n; k++)
		ruta_free(opp.v[k]);
	free(acc.v);
	free(con.v);
	free(opp.v);
	free(acc.stage);
	free(con.stage);
	free(opp.stage);
	ruta_replica_free(r);
	return 0;
}
