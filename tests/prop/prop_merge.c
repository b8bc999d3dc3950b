/*
 * prop_merge.c - the convergence property, tested with seeded random trials:
 * replicas that exchanged the same signed changesets, in any order, with
 * duplicates and delays, hold the same CRM (ruta_state_hash) and the same
 * open conflicts (ruta_conflicts_json, byte for byte).
 *
 * Only the public API (ruta.h) is used, as an embedding app would; jansson
 * reads the conflicts' JSON. Making a replica costs more than a whole trial,
 * so head office and three teams (keys endorsed, trust file delivered, a few
 * shared records) are made once per process and every trial works on copies
 * of their files. A trial (seed s) runs rounds of random CRM operations on
 * random replicas, many of them concurrent edits of one field, seals
 * changesets, delivers part of them in random order between rounds, then
 * delivers everything everywhere until nothing changes, and compares.
 * It also checks that the fields merged as one unit (an amount and its
 * currency, an address) show, on every replica, a unit that some replica
 * had right after a person set it: never one side's amount with the other's
 * currency, never a street of one with the city of another.
 *
 *   prop_merge                  PROP_TRIALS trials (default 1000) from seed 1
 *   PROP_SEED=s                 only seed s, its op log printed if it fails
 *   PROP_FIRST=s                the first seed of the run
 *   PROP_CONTINUE=1             go on after a failure; list the failed seeds
 *   PROP_VERBOSE=1              every op log, and counts of what ran
 *   PROP_ROUNDS=n PROP_OPS=n    smaller trials, to shrink a failure
 *   PROP_SPACED=1               a millisecond between steps (no equal clocks)
 *   PROP_KEEP=1                 keep the temporary directory
 *
 * Record ids (ULIDs) and versions (HLCs) come from the clock, so a seed
 * replays the same operations and deliveries, but a failure that depends on
 * which of two edits has the later clock may need a few reruns.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ruta.h"

enum {
	TEAMS = 3,
	NREP = TEAMS + 1,      /* replica 0 is head office */
	ROUNDS = 3,            /* rounds of operations, each followed by partial delivery */
	OPS_PER_ROUND = 7,     /* PROP_ROUNDS and PROP_OPS change them, to shrink a failure */
	SETTLE_PASSES = 6      /* full deliveries before "did not settle" */
};

static const char *const team_names[TEAMS] = { "north", "south", "east" };

/* ---- the trial's world ---------------------------------------------------- */

typedef struct rep {
	ruta_replica *r;
	char id[64];
} rep;

enum rtype { T_ACCOUNT, T_CONTACT, T_OPP, T_ACTIVITY, T_OFFER, NTYPES };
static const char *const type_names[NTYPES] = { "account", "contact", "opp", "activity", "offer" };
static const char type_letter[NTYPES] = { 'A', 'C', 'O', 'V', 'F' };

/* A record some replica made in this trial; others may not have it yet. */
typedef struct rec {
	int type;
	int key;               /* natural key (tax id, email) index, for duplicates */
	int deleted;           /* some replica tombstoned it */
	char id[40];
} rec;

/* A changeset or trust file seen in some replica's bundle: what travels. */
typedef struct unit {
	char name[160];
	char label[24];        /* short name for the op log: "r2#3", "T4" */
	char *body, *sig;
	size_t blen, slen;
	int late;              /* held back until the final delivery */
} unit;

static struct {
	uint64_t seed, rng;
	uint64_t rounds, ops;  /* per trial */
	int spaced;            /* PROP_SPACED: a millisecond between steps */
	char base[256], tpl[300], trial[300];
	rep reps[NREP];
	rec *recs;
	size_t nrecs, caprecs, ntpl; /* the first ntpl are the template's */
	unit *units;
	size_t nunits, capunits;
	char *log;
	size_t loglen, logcap;
	int log_printed;       /* the op log was printed for this failure */
	int keep_going, in_trial; /* PROP_CONTINUE: a failed trial does not stop the run */
	jmp_buf next;          /* where a failed trial goes then */
	uint64_t failed[64], nfailed;
	char opline[2048];     /* the operation being done, for the log */
	size_t oplen;
	unsigned op_ok;        /* its steps that the library took */
	char refusal[600];     /* the last refusal an apply reported */
	int64_t applied;       /* changesets applied during the current settle pass */
	int dirty[NREP];       /* edited since its changesets were last collected */
	char **units_set;      /* groups as a person left them: "id|v|v..." */
	size_t nunits_set, capunits_set, ntpl_units; /* the first ntpl_units are the template's */
	unsigned long stat[24][2]; /* per kind of operation: how many, steps taken */
	double t_apply, t_seal, t_files; /* seconds spent applying, sealing, copying and opening */
	struct { char id[40]; json_t *values; int sends; } sent[64]; /* offers sent, as sent */
	size_t nsent;
} w;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds (user and system): what a trial costs, also on a busy machine. */
static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---- output and failure --------------------------------------------------- */

/* One line of the op log, kept per trial and printed when it fails. */
static void note(const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (w.loglen + (size_t)n + 2 > w.logcap) {
		w.logcap = (w.loglen + (size_t)n + 2) * 2;
		if (!(w.log = realloc(w.log, w.logcap)))
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(w.log + w.loglen, (size_t)n + 1, fmt, ap);
	va_end(ap);
	w.loglen += (size_t)n;
	w.log[w.loglen++] = '\n';
	w.log[w.loglen] = '\0';
}

static void print_log(void)
{
	if (w.log_printed++)
		return;
	fprintf(stderr, "--- op log of seed %" PRIu64 " ---\n%s--- end of op log ---\n",
		w.seed, w.log ? w.log : "");
}

static void cleanup_base(void);

/* Prints the seed, its op log and what went wrong, and stops; with
 * PROP_CONTINUE, goes on with the next trial instead. */
static void fail(const char *fmt, ...)
{
	va_list ap;
	if (!w.keep_going || getenv("PROP_VERBOSE"))
		print_log();
	fprintf(stderr, "prop_merge: seed %" PRIu64 ": ", w.seed);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nprop_merge: rerun with PROP_SEED=%" PRIu64 "\n", w.seed);
	if (w.keep_going && w.in_trial) {
		w.in_trial = 0;
		if (w.nfailed++ < sizeof(w.failed) / sizeof(*w.failed))
			w.failed[w.nfailed - 1] = w.seed;
		longjmp(w.next, 1);
	}
	cleanup_base();
	/* _exit: what the failed trial held is no leak worth a report under ASan */
	fflush(NULL);
	_exit(1);
}

/* A library call that must not fail. */
static void must(int err, const char *what)
{
	if (err < 0)
		fail("%s: %d: %s", what, err, ruta_error_last()->message);
}

/* ---- random numbers: splitmix64, never rand() ----------------------------- */

static uint64_t next64(void)
{
	uint64_t z = (w.rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return n ? (unsigned)(next64() % n) : 0;
}

static int chance(unsigned pct)
{
	return below(100) < pct;
}

static const char *pick(const char *const *v, size_t n)
{
	return v[below((unsigned)n)];
}
#define PICK(arr) pick(arr, sizeof(arr) / sizeof(arr[0]))

static void shuffle(size_t *v, size_t n)
{
	size_t i, j, t;
	for (i = n; i > 1; i--) {
		j = below((unsigned)i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* ---- files ------------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	if (access(dir, F_OK) == 0 && nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
		fail("cannot remove %s: %s", dir, strerror(errno));
}

static void cleanup_base(void)
{
	size_t i;
	for (i = 0; i < NREP; i++) {
		ruta_replica_free(w.reps[i].r);
		w.reps[i].r = NULL;
	}
	if (w.base[0] && getenv("PROP_KEEP") == NULL) {
		char dir[256];
		snprintf(dir, sizeof(dir), "%s", w.base);
		w.base[0] = '\0';
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	if (in < 0 || (out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0)
		fail("cannot copy %s: %s", from, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			fail("cannot write %s: %s", to, strerror(errno));
	if (n < 0 || close(out) < 0)
		fail("cannot copy %s: %s", from, strerror(errno));
	close(in);
}

/* A copy of a closed replica: the database, the keys, their modes. */
static void copy_tree(const char *from, const char *to)
{
	DIR *d = NULL;
	struct dirent *e;
	struct stat st;
	char a[600], b[600];
	if (stat(from, &st) < 0 || mkdir(to, st.st_mode & 07777) < 0 || !(d = opendir(from)))
		fail("cannot copy %s: %s", from, strerror(errno));
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(a, sizeof(a), "%s/%s", from, e->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, e->d_name);
		if (lstat(a, &st) < 0)
			fail("cannot copy %s: %s", a, strerror(errno));
		if (S_ISDIR(st.st_mode))
			copy_tree(a, b);
		else
			copy_file(a, b, st.st_mode & 07777);
	}
	closedir(d);
}

/* tmpfs when there is one: the trials write small SQLite transactions all day. */
static void make_base(void)
{
	const char *t = getenv("TMPDIR");
	if (!t || !*t)
		t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(w.base, sizeof(w.base), "%s/ruta-prop-XXXXXX", t);
	if (!mkdtemp(w.base)) {
		w.base[0] = '\0';
		fail("cannot make a directory in %s: %s", t, strerror(errno));
	}
	snprintf(w.tpl, sizeof(w.tpl), "%s/tpl", w.base);
	snprintf(w.trial, sizeof(w.trial), "%s/trial", w.base);
	if (mkdir(w.tpl, 0700) < 0)
		fail("cannot make %s: %s", w.tpl, strerror(errno));
}

/* ---- bundles: the stream that carries changesets ---------------------------- */

static void put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		if (!(*buf = realloc(*buf, *cap)))
			abort();
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void put_entry(char **buf, size_t *len, size_t *cap, const char *name,
	const char *sfx, const char *data, size_t n)
{
	char head[220];
	int h = snprintf(head, sizeof(head), "%s%s %zu\n", name, sfx, n);
	put(buf, len, cap, head, (size_t)h);
	put(buf, len, cap, data, n);
	put(buf, len, cap, "\n", 1);
}

/* A bundle (docs/format.md §8) of some units, each followed by its signature. */
static char *bundle_of(size_t *len, const size_t *idx, size_t n)
{
	char *buf = NULL;
	size_t cap = 0, i;
	*len = 0;
	put(&buf, len, &cap, "ruta-bundle 1\n", 14);
	for (i = 0; i < n; i++) {
		const unit *u = &w.units[idx[i]];
		put_entry(&buf, len, &cap, u->name, "", u->body, u->blen);
		put_entry(&buf, len, &cap, u->name, ".sig", u->sig, u->slen);
	}
	return buf;
}

static char *dup_bytes(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* "north-xxxx-00000003.json" -> "r1#3"; "ruta-trust-00000004.txt" -> "T4". */
static void unit_label(unit *u)
{
	size_t i, n = strlen(u->name);
	if (!strncmp(u->name, "ruta-trust-", 11)) {
		snprintf(u->label, sizeof(u->label), "T%ld", strtol(u->name + 11, NULL, 10));
		return;
	}
	for (i = 0; i < NREP; i++) {
		size_t l = strlen(w.reps[i].id);
		if (!strncmp(u->name, w.reps[i].id, l) && u->name[l] == '-' && n > 5)
			break;
	}
	snprintf(u->label, sizeof(u->label), "r%zu#%ld", i, strtol(u->name + n - 13, NULL, 10));
}

static unit *find_unit(const char *name)
{
	size_t i;
	for (i = 0; i < w.nunits; i++)
		if (!strcmp(w.units[i].name, name))
			return &w.units[i];
	return NULL;
}

/* A file of a bundle joins the pool; the same name with other bytes would
 * be a fork made by the library itself. */
static void pool_file(const char *name, const char *data, size_t n)
{
	unit *u = find_unit(name);
	if (u) {
		if (u->blen != n || memcmp(u->body, data, n))
			fail("%s was exported twice with different bytes", name);
		return;
	}
	if (w.nunits == w.capunits) {
		w.capunits = w.capunits ? w.capunits * 2 : 64;
		if (!(w.units = realloc(w.units, w.capunits * sizeof(*w.units))))
			abort();
	}
	u = &w.units[w.nunits++];
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->body = dup_bytes(data, n);
	u->blen = n;
	unit_label(u);
	/* Some changesets travel only at the very end: long delays. */
	u->late = u->label[0] != 'T' && chance(15);
}

static void pool_sig(const char *name, const char *data, size_t n)
{
	char base[160];
	unit *u;
	snprintf(base, sizeof(base), "%.*s", (int)(strlen(name) - 4), name);
	if (!(u = find_unit(base)))
		fail("bundle: signature %s before its file", name);
	if (!u->sig) {
		u->sig = dup_bytes(data, n);
		u->slen = n;
	}
}

/* Splits an exported bundle into the pool. */
static void pool_bundle(const char *data, size_t len)
{
	size_t pos = 14;
	if (len < pos || memcmp(data, "ruta-bundle 1\n", pos))
		fail("export made no bundle");
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		char name[160];
		unsigned long n = 0;
		if (!nl || sscanf(data + pos, "%159s %lu", name, &n) != 2 ||
				(size_t)(nl + 1 - data) + n + 1 > len) {
			fail("export made a bad bundle at byte %zu", pos);
			return;
		}
		if (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".sig"))
			pool_sig(name, nl + 1, n);
		else
			pool_file(name, nl + 1, n);
		pos = (size_t)(nl + 1 - data) + n + 1;
	}
}

static void pool_free(void)
{
	size_t i;
	for (i = 0; i < w.nunits; i++) {
		free(w.units[i].body);
		free(w.units[i].sig);
	}
	w.nunits = 0;
}

/* ---- sealing and delivery ----------------------------------------------------- */

/* Puts replica i's own changesets into the pool: others' travel from their
 * makers. Applying seals a replica's pending edits by itself, so this runs
 * after a delivery to a replica with edits since it last ran, too; what is
 * new is logged. */
static void collect(size_t i)
{
	ruta_export_options eo = RUTA_EXPORT_OPTIONS_INIT;
	char *b = NULL, line[400];
	size_t len = 0, before = w.nunits, k, off;
	must(ruta_export_bundle(&b, &len, w.reps[i].r, &eo), "exporting a bundle");
	pool_bundle(b, len);
	ruta_free(b);
	if (w.nunits == before)
		return;
	/* a new changeset of its own sealed every edit it had */
	w.dirty[i] = 0;
	off = (size_t)snprintf(line, sizeof(line), "r%zu exports new:", i);
	for (k = before; k < w.nunits && off < sizeof(line) - 30; k++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %s", w.units[k].label);
	note("%s", line);
}

/* Seals replica i's new changes into a changeset for the pool. Returns
 * whether one was made. */
static int seal(size_t i)
{
	int64_t seq = 0, changes = 0;
	int err;
	w.t_seal -= now_s();
	err = ruta_changeset_seal(&seq, &changes, w.reps[i].r);
	w.t_seal += now_s();
	if (err == RUTA_ITEROVER) {
		w.dirty[i] = 0;
		return 0;
	}
	must(err, "sealing");
	note("r%zu seal #%" PRId64 " (%" PRId64 " changes)", i, seq, changes);
	collect(i);
	return 1;
}

static void on_report(const char *name, int code, const char *reason, void *payload)
{
	(void)payload;
	if (code != RUTA_OK)
		snprintf(w.refusal, sizeof(w.refusal), "%s: %d: %s", name, code, reason);
}

static void deliver(size_t to, const size_t *idx, size_t n)
{
	ruta_apply_result res = RUTA_APPLY_RESULT_INIT;
	ruta_apply_options ao = RUTA_APPLY_OPTIONS_INIT;
	char line[4096];
	size_t len, i, off;
	char *b;

	if (n == 0)
		return;
	off = (size_t)snprintf(line, sizeof(line), "deliver r%zu <-", to);
	for (i = 0; i < n && off < sizeof(line) - 40; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %s", w.units[idx[i]].label);
	b = bundle_of(&len, idx, n);
	ao.report = on_report;
	w.refusal[0] = '\0';
	w.t_apply -= now_s();
	must(ruta_apply_bundle(&res, w.reps[to].r, b, len, &ao), "applying a bundle");
	w.t_apply += now_s();
	free(b);
	note("%s: applied %" PRId64 " dup %" PRId64 " waiting %" PRId64, line, res.applied,
		res.duplicates, res.waiting);
	if (w.dirty[to])
		collect(to);
	if (res.refused)
		fail("r%zu refused %" PRId64 " changesets: %s", to, res.refused, w.refusal);
	w.applied += res.applied;
}

/* Delivers the chosen units to one replica in a random order, in bundles
 * cut after a unit with a chance of cut_pct; a bundle never carries one file
 * twice (that is malformed), so a duplicate starts the next one. */
static void deliver_some(size_t to, size_t *idx, size_t n, unsigned cut_pct)
{
	size_t start = 0, k, j;
	shuffle(idx, n);
	for (k = 0; k <= n; k++) {
		int cut = k == n || (k > start && chance(cut_pct));
		for (j = start; !cut && j < k; j++)
			cut = idx[j] == idx[k];
		if (cut) {
			deliver(to, idx + start, k - start);
			start = k;
		}
	}
}

/* Between rounds: each replica gets a random part of the pool (never the
 * late ones), some of it twice; the rest waits for a later round. */
static void partial_delivery(void)
{
	size_t *idx = NULL, to, i, n;
	for (to = 0; to < NREP; to++) {
		if (!chance(70))
			continue;
		/* a delivery can add units: what a replica sealed while applying */
		if (!(idx = realloc(idx, (w.nunits * 2 + 1) * sizeof(*idx))))
			abort();
		for (i = n = 0; i < w.nunits; i++) {
			if (w.units[i].late || !chance(55))
				continue;
			idx[n++] = i;
			if (chance(10))
				idx[n++] = i;
		}
		deliver_some(to, idx, n, 8);
	}
	free(idx);
}

/* Everything to everyone, in random orders, until a pass applies nothing and
 * no replica has made anything new. */
static void settle(void)
{
	size_t *idx = NULL, to, i, pass, units;
	for (pass = 0; pass < SETTLE_PASSES; pass++) {
		for (to = 0; to < NREP; to++)
			seal(to);
		units = w.nunits;
		if (!(idx = realloc(idx, (units + 1) * sizeof(*idx))))
			abort();
		w.applied = 0;
		for (to = 0; to < NREP; to++) {
			for (i = 0; i < units; i++)
				idx[i] = i;
			deliver_some(to, idx, units, 3);
		}
		/* the pool grows when a pass seals anything, here or while applying */
		if (w.applied == 0 && w.nunits == units && pass > 0)
			break;
	}
	free(idx);
	if (pass == SETTLE_PASSES)
		fail("still applying or sealing after %d full deliveries", SETTLE_PASSES);
}

/* ---- operations ------------------------------------------------------------ */

static const char *err_name(int err)
{
	switch (err) {
	case RUTA_ENOTFOUND: return "ENOTFOUND";
	case RUTA_EINVALID: return "EINVALID";
	case RUTA_EEXISTS: return "EEXISTS";
	case RUTA_ESTATE: return "ESTATE";
	default: return "E?";
	}
}

/* An operation's steps (on one or several replicas) make one line of the
 * op log. */
static void op_part(const char *fmt, ...)
{
	char part[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(part, sizeof(part), fmt, ap);
	va_end(ap);
	w.oplen += (size_t)snprintf(w.opline + w.oplen, sizeof(w.opline) - w.oplen, "%s%s",
		w.oplen ? " | " : "", part);
	if (w.oplen >= sizeof(w.opline))
		w.oplen = sizeof(w.opline) - 1;
}

/* Logs one step of an operation on replica i with its outcome. A refusal the CRM rules
 * explain (a record not here yet, deleted, in the wrong state, a value that
 * does not fit) is part of the game; anything else is a failure. */
static int logop(size_t i, int err, const char *fmt, ...)
{
	char text[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (err != 0 && err != RUTA_ENOTFOUND && err != RUTA_EINVALID && err != RUTA_EEXISTS &&
			err != RUTA_ESTATE)
		fail("r%zu %s: %d: %s", i, text, err, ruta_error_last()->message);
	/* Steps in one millisecond on two replicas get equal clocks: a case to
	 * test, but PROP_SPACED=1 keeps them apart to see what else fails. */
	if (w.spaced)
		usleep(1100);
	if (err == 0)
		op_part("r%zu %s", i, text);
	else
		op_part("r%zu %s -> %s (%.60s)", i, text, err_name(err), ruta_error_last()->message);
	w.op_ok += err == 0;
	w.dirty[i] |= err == 0;
	return err;
}

/* "A3": a record's type and its place in the trial's list, for the log. */
static const char *label(const rec *x)
{
	static char buf[4][16];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%c%zu", type_letter[x->type], (size_t)(x - w.recs));
	return buf[k];
}

static rec *add_rec(int type, int key, const char *id)
{
	if (w.nrecs == w.caprecs) {
		w.caprecs = w.caprecs ? w.caprecs * 2 : 64;
		if (!(w.recs = realloc(w.recs, w.caprecs * sizeof(*w.recs))))
			abort();
	}
	w.recs[w.nrecs].type = type;
	w.recs[w.nrecs].key = key;
	w.recs[w.nrecs].deleted = 0;
	snprintf(w.recs[w.nrecs].id, sizeof(w.recs[w.nrecs].id), "%s", id);
	return &w.recs[w.nrecs++];
}

/* Replica i holds the record, not tombstoned. */
static int live_at(size_t i, const rec *x)
{
	ruta_record *rr = NULL;
	int err = ruta_record_get(&rr, w.reps[i].r, type_names[x->type], x->id), live;
	if (err == RUTA_ENOTFOUND)
		return 0;
	must(err, "reading a record");
	live = ruta_record_value(rr, "deleted_at") == NULL;
	ruta_record_free(rr);
	return live;
}

/* A random record of a type (-1: any) that replica i holds live, or NULL. */
static rec *live_rec(size_t i, int type)
{
	size_t *cand = malloc((w.nrecs + 1) * sizeof(*cand)), n = 0, k;
	rec *found = NULL;
	if (!cand)
		abort();
	for (k = 0; k < w.nrecs; k++)
		if (type < 0 || w.recs[k].type == type)
			cand[n++] = k;
	shuffle(cand, n);
	for (k = 0; k < n && !found; k++)
		if (live_at(i, &w.recs[cand[k]]))
			found = &w.recs[cand[k]];
	free(cand);
	return found;
}

/* A random record of a type (-1: any), held or not. */
static rec *any_rec(int type)
{
	int tries;
	for (tries = 0; w.nrecs && tries < 12; tries++) {
		rec *x = &w.recs[below((unsigned)w.nrecs)];
		if (type < 0 || x->type == type)
			return x;
	}
	return NULL;
}

/* The replicas that hold x live, in random order; how many. */
static size_t holders(size_t *out, const rec *x)
{
	size_t i, n = 0;
	for (i = 0; i < NREP; i++)
		if (live_at(i, x))
			out[n++] = i;
	shuffle(out, n);
	return n;
}

/* ---- values ------------------------------------------------------------------- */

/* Spanish NIF number n: eight digits and their check letter. */
static void nif(char *out, size_t size, int n)
{
	long d = 12345678L + 7919L * n;
	snprintf(out, size, "ES:%08ld%c", d, "TRWAGMYFPDXBNJZSQVHLCKE"[d % 23]);
}

static void key_email(char *out, size_t size, int n)
{
	snprintf(out, size, "c%d@dup.example", n);
}

/* One alternative of "a|b|" (the empty one clears the field), or a generated
 * value: @tax (from a few, so that they collide), @account, @contact (a
 * record replica i holds). */
static const char *value_of(char *out, size_t size, const char *pool, size_t i)
{
	const char *p = pool, *bar;
	unsigned n = 1, k;
	rec *x;
	if (!strcmp(pool, "@tax")) {
		nif(out, size, (int)below(6));
		return out;
	}
	if (!strcmp(pool, "@account") || !strcmp(pool, "@contact")) {
		x = live_rec(i, pool[1] == 'a' ? T_ACCOUNT : T_CONTACT);
		snprintf(out, size, "%s", x ? x->id : "");
		return out;
	}
	for (bar = pool; (bar = strchr(bar, '|')); bar++)
		n++;
	for (k = below(n); k > 0; k--)
		p = strchr(p, '|') + 1;
	bar = strchr(p, '|');
	snprintf(out, size, "%.*s", (int)(bar ? (size_t)(bar - p) : strlen(p)), p);
	return out;
}

typedef struct fdef {
	const char *name, *pool;
} fdef;

#define OWNER_TEAM { "owner", "ana|luis|marta|" }, { "team", "north|south|east|hq" }
static const fdef account_f[] = {
	{ "name", "Acme S.L.|Acme Iberia S.L.|Bodegas Sur|Frutas Norte" },
	{ "legal_name", "Acme Sociedad Limitada|Acme SL|" },
	{ "tax_id", "@tax" }, { "lifecycle", "lead|prospect|potential|client|inactive" },
	{ "sector", "transport|wine|retail|" }, { "region", "Madrid|Galicia|Rioja|" },
	{ "sales_channel", "direct|distributor|phone|web|other|" },
	{ "website", "https://acme.example|https://sur.example|" },
	{ "phone", "+34612345678|+34698765432|912345678|" },
	{ "email", "info@acme.example|sales@acme.example|" },
	{ "street", "Calle Mayor 1|Gran Via 2|" }, { "city", "Madrid|Vigo|Sevilla|Bilbao|" },
	{ "postal_code", "28001|36201|41001|" }, { "country", "ES|PT|RO|" },
	{ "employees", "5|50|500|" }, OWNER_TEAM,
};
static const fdef contact_f[] = {
	{ "first_name", "Ana|Luis|Marta|" }, { "last_name", "Ruiz|Gil|Sanz" },
	{ "title", "CEO|CFO|Buyer|" }, { "lifecycle", "lead|prospect|potential|client|inactive|" },
	{ "do_not_call", "0|1" }, { "street", "Rua Nova 3|Calle Sol 7|" },
	{ "city", "Madrid|Vigo|Sevilla|" }, { "postal_code", "36201|41001|" }, { "country", "ES|PT|" },
	{ "account", "@account" }, OWNER_TEAM,
};
static const fdef opp_f[] = {
	{ "name", "Fleet renewal|Fleet 2027|Trucks" }, { "probability", "10|35|60|90|" },
	{ "expected_close", "2026-12-01|2027-01-15|2027-03-31|" },
	{ "next_step", "call back|send offer|" }, { "lead_source", "fair|web|referral|" },
	{ "contact", "@contact" }, { "account", "@account" }, OWNER_TEAM,
};
static const fdef activity_f[] = {
	{ "subject", "visit|tasting|demo|" }, { "location", "office|plant|" },
	{ "notes", "bring samples|call first|" },
	{ "start", "2026-11-24T09:30:00Z|2026-11-25T10:00:00Z" },
	{ "end", "2026-11-24T10:30:00Z|2026-11-25T11:00:00Z|" }, OWNER_TEAM,
};
static const fdef offer_f[] = {
	{ "number", "OF-1|OF-2|" }, { "description", "12 trucks|10 trucks|" },
	{ "valid_until", "2026-12-31|2027-01-31|" }, { "total", "900.00|850.00|950.00" },
	OWNER_TEAM,
};
static const struct {
	const fdef *f;
	size_t n;
} fields_of[NTYPES] = {
	{ account_f, sizeof(account_f) / sizeof(*account_f) },
	{ contact_f, sizeof(contact_f) / sizeof(*contact_f) },
	{ opp_f, sizeof(opp_f) / sizeof(*opp_f) },
	{ activity_f, sizeof(activity_f) / sizeof(*activity_f) },
	{ offer_f, sizeof(offer_f) / sizeof(*offer_f) },
};

static const fdef *any_field(int type)
{
	return &fields_of[type].f[below((unsigned)fields_of[type].n)];
}

/* A value for the log: a record's label rather than its id. */
static const char *shown(const char *v)
{
	size_t k;
	for (k = 0; v && *v && k < w.nrecs; k++)
		if (!strcmp(w.recs[k].id, v))
			return label(&w.recs[k]);
	return v;
}

/* ---- groups: fields merged as one unit ------------------------------------------ */

static const char *const amount_cols[] = { "amount_minor", "currency", NULL };
static const char *const total_cols[] = { "total_minor", "currency", NULL };
static const char *const address_cols[] = { "street", "city", "postal_code", "country", NULL };

static const char *const *group_of(int type)
{
	switch (type) {
	case T_ACCOUNT: case T_CONTACT: return address_cols;
	case T_OPP: return amount_cols;
	case T_OFFER: return total_cols;
	default: return NULL;
	}
}

/* A field name (API or column) of a group. */
static int in_group(const char *name)
{
	static const char *const names[] = { "amount", "amount_minor", "total", "total_minor",
		"currency", "street", "city", "postal_code", "country" };
	size_t k;
	for (k = 0; name && k < sizeof(names) / sizeof(*names); k++)
		if (!strcmp(names[k], name))
			return 1;
	return 0;
}

/* "id|value|value...": x's group as replica i shows it; 0 if it has none. */
static int unit_of(char *out, size_t size, size_t i, const rec *x)
{
	const char *const *cols = group_of(x->type);
	ruta_record *rr = NULL;
	size_t k, len;
	int err;
	if (!cols)
		return 0;
	if ((err = ruta_record_get(&rr, w.reps[i].r, type_names[x->type], x->id)) == RUTA_ENOTFOUND)
		return 0;
	must(err, "reading a record");
	len = (size_t)snprintf(out, size, "%s", x->id);
	for (k = 0; cols[k] && len < size; k++) {
		const char *v = ruta_record_value(rr, cols[k]);
		len += (size_t)snprintf(out + len, size - len, "|%s", v ? v : "(null)");
	}
	ruta_record_free(rr);
	return 1;
}

static int unit_known(const char *u)
{
	size_t k;
	for (k = 0; k < w.nunits_set; k++)
		if (!strcmp(w.units_set[k], u))
			return 1;
	return 0;
}

/* Replica i shows x's group as a person just left it there. */
static void unit_set(size_t i, const rec *x)
{
	char u[400];
	if (!unit_of(u, sizeof(u), i, x) || unit_known(u))
		return;
	if (w.nunits_set == w.capunits_set) {
		w.capunits_set = w.capunits_set ? w.capunits_set * 2 : 64;
		if (!(w.units_set = realloc(w.units_set, w.capunits_set * sizeof(*w.units_set))))
			abort();
	}
	if (!(w.units_set[w.nunits_set++] = strdup(u)))
		abort();
}

static void units_reset(size_t keep)
{
	while (w.nunits_set > keep)
		free(w.units_set[--w.nunits_set]);
}

static int edit(size_t i, const rec *x, const ruta_field *f, size_t n)
{
	char text[300];
	size_t k, off = 0;
	for (k = 0; k < n && off < sizeof(text); k++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, " %s=%.40s", f[k].name,
			shown(f[k].value));
	int err = logop(i, ruta_record_edit(NULL, w.reps[i].r, type_names[x->type], x->id, f, n),
		"edit %s%s", label(x), text);
	/* a group a person changed is one someone had; one merged is not */
	for (k = 0; err == 0 && k < n; k++)
		if (in_group(f[k].name)) {
			unit_set(i, x);
			break;
		}
	return err;
}

static int edit_one(size_t i, const rec *x, const fdef *f)
{
	char v[80];
	ruta_field fl = { f->name, value_of(v, sizeof(v), f->pool, i) };
	return edit(i, x, &fl, 1);
}

/* ---- adding records ------------------------------------------------------------ */

static rec *added(size_t i, int type, int key, int err, char *id, const char *what)
{
	rec *x = NULL;
	if (err == 0)
		x = add_rec(type, key, id);
	logop(i, err, "add %s%s%s", x ? label(x) : type_names[type], *what ? " " : "", what);
	if (x)
		unit_set(i, x);
	ruta_free(id);
	return x;
}

/* key: the natural key (tax id) to share with another replica's, or -1. */
static rec *add_account(size_t i, int key, const char *name)
{
	char tax[32], v[80], what[120];
	ruta_field f[3] = { { "name", name }, { "region", value_of(v, sizeof(v), "Madrid|Rioja", i) } };
	size_t n = 2;
	char *id = NULL;
	int err;
	if (key >= 0) {
		nif(tax, sizeof(tax), key);
		f[n].name = "tax_id";
		f[n++].value = tax;
	}
	snprintf(what, sizeof(what), "name=%s%s%s", name, key >= 0 ? " tax=" : "", key >= 0 ? tax : "");
	err = ruta_record_add(&id, w.reps[i].r, "account", f, n);
	return added(i, T_ACCOUNT, key, err, id, what);
}

static rec *add_contact(size_t i, int key, const char *last)
{
	char mail[48], acc[48], what[160];
	ruta_field f[4] = { { "last_name", last }, { "first_name", "Ana" } };
	size_t n = 2;
	char *id = NULL;
	int err;
	if (key >= 0) {
		key_email(mail, sizeof(mail), key);
		f[n].name = "email";
		f[n++].value = mail;
	}
	if (chance(70) && *value_of(acc, sizeof(acc), "@account", i)) {
		f[n].name = "account";
		f[n++].value = acc;
	}
	snprintf(what, sizeof(what), "last=%s%s%s", last, key >= 0 ? " email=" : "", key >= 0 ? mail : "");
	err = ruta_record_add(&id, w.reps[i].r, "contact", f, n);
	return added(i, T_CONTACT, key, err, id, what);
}

static rec *add_opp(size_t i, const char *name)
{
	static const char *const amounts[][2] = { { "1500.00", "EUR" }, { "7000.00", "RON" },
		{ "250000", "JPY" } };
	rec *a = live_rec(i, T_ACCOUNT);
	ruta_field f[4] = { { "account", a ? a->id : "" }, { "name", name } };
	size_t n = 2, k = below(4);
	char *id = NULL, what[120];
	int err;
	if (!a)
		return NULL;
	if (k < 3) {
		f[n].name = "amount";
		f[n++].value = amounts[k][0];
		f[n].name = "currency";
		f[n++].value = amounts[k][1];
	}
	snprintf(what, sizeof(what), "%s name=%s%s%s", label(a), name, k < 3 ? " amount=" : "",
		k < 3 ? amounts[k][0] : "");
	err = ruta_record_add(&id, w.reps[i].r, "opp", f, n);
	return added(i, T_OPP, -1, err, id, what);
}

static rec *add_activity(size_t i)
{
	static const char *const kinds[] = { "call", "meeting", "visit" };
	rec *o = live_rec(i, chance(50) ? T_OPP : T_ACCOUNT);
	const char *kind = PICK(kinds);
	ruta_field f[4] = { { "kind", kind }, { "start", "2026-11-24T09:30:00Z" },
		{ "subject", "first visit" } };
	size_t n = 3;
	char *id = NULL, what[40];
	int err;
	if (o) {
		f[n].name = o->type == T_OPP ? "opp" : "account";
		f[n++].value = o->id;
	}
	snprintf(what, sizeof(what), "%s%s%s", kind, o ? " on " : "", o ? label(o) : "");
	err = ruta_record_add(&id, w.reps[i].r, "activity", f, n);
	return added(i, T_ACTIVITY, -1, err, id, what);
}

static rec *add_offer(size_t i)
{
	rec *o = live_rec(i, T_OPP);
	ruta_field f[3] = { { "opp", o ? o->id : "" }, { "total", "900.00" }, { "currency", "EUR" } };
	char *id = NULL;
	int err;
	if (!o)
		return NULL;
	err = ruta_record_add(&id, w.reps[i].r, "offer", f, 3);
	return added(i, T_OFFER, -1, err, id, label(o));
}

static void op_add(void)
{
	static const char *const names[] = { "Acme S.L.", "Bodegas Sur", "Frutas Norte" };
	static const char *const lasts[] = { "Ruiz", "Gil", "Sanz" };
	size_t i = below(NREP);
	switch (below(9)) {
	case 0: case 1: add_account(i, chance(50) ? (int)below(6) : -1, PICK(names)); break;
	case 2: case 3: add_contact(i, chance(50) ? (int)below(6) : -1, PICK(lasts)); break;
	case 4: case 5: case 6: add_opp(i, "Fleet renewal"); break;
	case 7: add_activity(i); break;
	default: add_offer(i); break;
	}
}

/* The same real-world account or contact created on two replicas. */
static void op_duplicate(void)
{
	size_t a = below(NREP), b = (a + 1 + below(NREP - 1)) % NREP;
	int key = (int)below(6);
	if (chance(50)) {
		add_account(a, key, "Acme S.L.");
		add_account(b, key, "ACME SL");
	} else {
		add_contact(a, key, "Ruiz");
		add_contact(b, key, "Ruiz Gil");
	}
}

/* ---- changing records -------------------------------------------------------------- */

static void op_edit(void)
{
	size_t i = below(NREP);
	rec *x = live_rec(i, -1);
	if (x)
		edit_one(i, x, any_field(x->type));
}

/* The same field of one record changed on two or three replicas that have
 * not seen each other's change: the heart of the matter. */
static void op_concurrent(void)
{
	size_t who[NREP], n, k;
	rec *x = any_rec(-1);
	const fdef *f;
	if (!x || (n = holders(who, x)) < 2)
		return;
	f = any_field(x->type);
	n = n > 2 && chance(40) ? 3 : 2;
	for (k = 0; k < n; k++)
		edit_one(who[k], x, f);
}

/* One field set on every record of a type that a replica holds live (a
 * new territory, a new owner): many records of one shape in a changeset,
 * some of them edited elsewhere meanwhile, which apply batches. */
static void op_bulk(void)
{
	size_t i = below(NREP), k;
	int type = (int)below(NTYPES);
	const fdef *f = any_field(type);
	for (k = 0; k < w.nrecs; k++)
		if (w.recs[k].type == type && live_at(i, &w.recs[k]))
			edit_one(i, &w.recs[k], f);
}

static int rm(size_t i, rec *x)
{
	int err = logop(i, ruta_record_rm(NULL, w.reps[i].r, type_names[x->type], x->id),
		"rm %s", label(x));
	x->deleted |= err == 0;
	return err;
}

static void op_rm(void)
{
	rec *x = any_rec(-1);
	if (x)
		rm(below(NREP), x);
}

static void stage_op(size_t i, const rec *x);

/* One replica deletes a record while others, not knowing, edit it. */
static void op_edit_deleted(void)
{
	size_t who[NREP], n, k;
	rec *x = any_rec(-1);
	if (!x || (n = holders(who, x)) < 2)
		return;
	rm(who[0], x);
	for (k = 1; k < n; k++) {
		if (x->type == T_OPP && chance(40))
			stage_op(who[k], x);
		else if (chance(70))
			edit_one(who[k], x, any_field(x->type));
	}
}

/* After a delete, the same real-world thing is made again, maybe elsewhere. */
static void op_recreate(void)
{
	size_t i = below(NREP), k, n = 0;
	rec *x = NULL;
	for (k = 0; k < w.nrecs; k++)
		if (w.recs[k].deleted && below((unsigned)++n) == 0)
			x = &w.recs[k];
	if (!x)
		return;
	if (x->type == T_ACCOUNT)
		add_account(i, x->key, "Acme S.L.");
	else if (x->type == T_CONTACT)
		add_contact(i, x->key, "Ruiz");
	else if (x->type == T_OPP)
		add_opp(i, "Fleet renewal");
}

/* Forward, back, won, lost with a reason. */
static void stage_op(size_t i, const rec *x)
{
	static const char *const stages[] = { "qualification", "needs", "offer_sent", "negotiation" };
	static const char *const reasons[] = { "price", "competitor", "no_budget", "timing" };
	ruta_replica *r = w.reps[i].r;
	const char *s, *why;
	switch (below(6)) {
	case 0:
		logop(i, ruta_opp_win(r, x->id), "win %s", label(x));
		break;
	case 1:
		why = PICK(reasons);
		logop(i, ruta_opp_lose(r, x->id, why, chance(50) ? "cheaper bid" : NULL),
			"lose %s %s", label(x), why);
		break;
	default:
		s = PICK(stages);
		logop(i, ruta_opp_move(r, x->id, s), "move %s %s", label(x), s);
	}
}

/* Stage moves of one deal, often on several replicas at once. */
static void op_stage(void)
{
	size_t who[NREP], n, k;
	rec *x = any_rec(T_OPP);
	if (!x || (n = holders(who, x)) == 0)
		return;
	n = chance(40) ? 1 : n;
	for (k = 0; k < n; k++)
		stage_op(who[k], x);
}

static void op_activity(void)
{
	static const char *const starts[] = { NULL, "2026-11-24T09:40:00Z" };
	size_t who[NREP], n, k;
	rec *x = any_rec(T_ACTIVITY);
	ruta_replica *r;
	if (!x || (n = holders(who, x)) == 0)
		return;
	n = chance(40) ? 1 : n;
	for (k = 0; k < n; k++) {
		r = w.reps[who[k]].r;
		switch (below(4)) {
		case 0: logop(who[k], ruta_activity_held(r, x->id, PICK(starts), NULL),
				"held %s", label(x)); break;
		case 1: logop(who[k], ruta_activity_not_held(r, x->id, "client absent"),
				"not-held %s", label(x)); break;
		case 2: logop(who[k], ruta_activity_cancel(r, x->id, "rain"), "cancel %s", label(x)); break;
		default: edit_one(who[k], x, any_field(x->type));
		}
	}
}

/* Amount and currency travel as one unit; concurrent edits of either. */
static void op_amount(void)
{
	static const char *const amounts[][2] = { { "1500.00", "EUR" }, { "1600.00", "EUR" },
		{ "7000.00", "RON" }, { "250000", "JPY" }, { "", "" } };
	size_t who[NREP], n, k, a;
	rec *x = any_rec(chance(75) ? T_OPP : T_OFFER);
	if (!x || (n = holders(who, x)) == 0)
		return;
	n = chance(30) ? 1 : n;
	for (k = 0; k < n; k++) {
		ruta_field f[2] = { { x->type == T_OPP ? "amount" : "total", NULL }, { "currency", NULL } };
		a = below(5);
		f[0].value = amounts[a][0];
		f[1].value = amounts[a][1];
		/* Sometimes only one of the pair: the other keeps its value. */
		switch (below(4)) {
		case 0: edit(who[k], x, f, 1); break;
		case 1: edit(who[k], x, f + 1, 1); break;
		default: edit(who[k], x, f, 2);
		}
	}
}

/* The address is one block: concurrent edits of any part of it. */
static void op_address(void)
{
	static const char *const streets[] = { "Calle Mayor 1", "Gran Via 2", "" };
	static const char *const cities[] = { "Madrid", "Vigo", "Bilbao", "" };
	static const char *const codes[] = { "28001", "36201", "" };
	static const char *const countries[] = { "ES", "PT", "" };
	size_t who[NREP], n, k, m;
	rec *x = any_rec(chance(60) ? T_ACCOUNT : T_CONTACT);
	if (!x || (n = holders(who, x)) == 0)
		return;
	n = chance(25) ? 1 : n;
	for (k = 0; k < n; k++) {
		ruta_field f[4];
		m = 0;
		if (chance(40))
			f[m].name = "street", f[m++].value = PICK(streets);
		if (chance(50) || m == 0)
			f[m].name = "city", f[m++].value = PICK(cities);
		if (chance(40))
			f[m].name = "postal_code", f[m++].value = PICK(codes);
		if (chance(25))
			f[m].name = "country", f[m++].value = PICK(countries);
		edit(who[k], x, f, m);
	}
}

/* The fields a sent offer freezes, as its sender has them. */
static json_t *frozen_of(size_t i, const char *id)
{
	static const char *const keys[] = { "number", "total", "total_minor", "currency",
		"valid_until", "description" };
	ruta_record *rr = NULL;
	json_t *all, *out = json_object();
	char *text = NULL;
	size_t k;
	must(ruta_record_get(&rr, w.reps[i].r, "offer", id), "reading an offer");
	must(ruta_record_json(&text, rr), "offer as JSON");
	all = json_loads(text, 0, NULL);
	for (k = 0; k < sizeof(keys) / sizeof(*keys); k++)
		if (json_object_get(all, keys[k]))
			json_object_set(out, keys[k], json_object_get(all, keys[k]));
	json_decref(all);
	ruta_free(text);
	ruta_record_free(rr);
	return out;
}

/* An offer sent: what its sender sent, which every replica shows in the end
 * unless another replica sent it too without seeing this send. */
static void sent_offer(size_t i, const rec *x)
{
	size_t k;
	for (k = 0; k < w.nsent && strcmp(w.sent[k].id, x->id); k++)
		;
	if (k == sizeof(w.sent) / sizeof(*w.sent))
		return;
	if (k == w.nsent) {
		snprintf(w.sent[k].id, sizeof(w.sent[k].id), "%s", x->id);
		w.sent[k].values = frozen_of(i, x->id);
		w.nsent++;
	}
	w.sent[k].sends++;
}

static void offer_op(size_t i, const rec *x)
{
	static const char *const answers[] = { "accepted", "rejected", "expired", "withdrawn" };
	ruta_replica *r = w.reps[i].r;
	const char *s;
	char *id = NULL, what[32];
	int err;
	switch (below(4)) {
	case 0:
		if (logop(i, ruta_offer_send(r, x->id), "send %s", label(x)) == 0)
			sent_offer(i, x);
		break;
	case 1:
		s = PICK(answers);
		logop(i, ruta_offer_decide(r, x->id, s), "decide %s %s", label(x), s);
		break;
	case 2:
		err = ruta_offer_revise(&id, r, x->id);
		snprintf(what, sizeof(what), "revising %s", label(x));
		added(i, T_OFFER, -1, err, id, what);
		break;
	default:
		edit_one(i, x, any_field(x->type));
	}
}

/* Sending an offer on one replica while another edits the draft. */
static void op_offer(void)
{
	size_t who[NREP], n, k;
	rec *x = any_rec(T_OFFER);
	if (!x || (n = holders(who, x)) == 0)
		return;
	n = chance(40) ? 1 : n;
	if (n > 1 && chance(50)) {
		/* the very race: one sends, the others change what it freezes */
		if (logop(who[0], ruta_offer_send(w.reps[who[0]].r, x->id), "send %s", label(x)) == 0)
			sent_offer(who[0], x);
		for (k = 1; k < n && k < 3; k++)
			edit_one(who[k], x, &offer_f[below(4)]);
		return;
	}
	for (k = 0; k < n && k < 3; k++)
		offer_op(who[k], x);
}

/* A contact's emails and phones are sets: adds and removes on several replicas. */
static void op_email(void)
{
	static const char *const phones[] = { "+34612345678", "+34698765432" };
	size_t who[NREP], n, k;
	rec *x = any_rec(T_CONTACT);
	char v[48];
	if (!x || (n = holders(who, x)) == 0)
		return;
	for (k = 0; k < n && k < 3; k++) {
		ruta_field f = { NULL, v };
		switch (below(4)) {
		case 0: f.name = "add_email"; key_email(v, sizeof(v), (int)below(4)); break;
		case 1: f.name = "remove_email"; key_email(v, sizeof(v), (int)below(4)); break;
		case 2: f.name = "add_phone"; snprintf(v, sizeof(v), "%s", PICK(phones)); break;
		default: f.name = "remove_phone"; snprintf(v, sizeof(v), "%s", PICK(phones)); break;
		}
		edit(who[k], x, &f, 1);
	}
}

/* Tags are add-wins sets: tag and untag on several replicas, one record. */
static void op_tag(void)
{
	static const char *const tags[] = { "vip", " VIP ", "feria 2026", "Ștefan" };
	size_t who[NREP], n, k;
	rec *x = any_rec((int)below(3));   /* T_ACCOUNT, T_CONTACT or T_OPP */
	if (!x || (n = holders(who, x)) == 0)
		return;
	for (k = 0; k < n && k < 3; k++) {
		ruta_field f = { chance(55) ? "tag" : "untag", PICK(tags) };
		if (edit(who[k], x, &f, 1) != 0 && f.name[0] == 't')   /* x is live there */
			fail("r%zu: tagging %s failed: %s", who[k], label(x), ruta_error_last()->message);
	}
}

/* Head office changes the pipeline while teams move deals through it. */
static void op_config(void)
{
	static const char *const probs[] = { "20", "30", "40" };
	ruta_field f = { "probability", PICK(probs) };
	logop(0, ruta_record_edit(NULL, w.reps[0].r, "stage", "needs", &f, 1),
		"edit stage needs probability=%s", f.value);
}

/* ---- resolving conflicts -------------------------------------------------------- */

/* A field's pool by its column name ("amount_minor") or its API name. */
static const fdef *field_by_column(int type, const char *col)
{
	static const char *const alias[][2] = { { "account_id", "account" },
		{ "contact_id", "contact" }, { "planned_start", "start" }, { "planned_end", "end" },
		{ "amount_minor", "amount" }, { "total_minor", "total" } };
	size_t k;
	for (k = 0; k < sizeof(alias) / sizeof(*alias); k++)
		if (!strcmp(col, alias[k][0]))
			col = alias[k][1];
	for (k = 0; k < fields_of[type].n; k++)
		if (!strcmp(fields_of[type].f[k].name, col))
			return &fields_of[type].f[k];
	return NULL;
}

static int type_index(const char *type)
{
	int t;
	for (t = 0; t < NTYPES; t++)
		if (!strcmp(type_names[t], type))
			return t;
	return -1;
}

/* What a person picks for conflict c on replica i: NULL (the policy's
 * choice), one of the heads' values, or a value typed anew. */
static const char *resolution(char *out, size_t size, json_t *c, size_t i)
{
	json_t *heads = json_object_get(c, "heads"), *v;
	const char *col = json_string_value(json_object_get(c, "field"));
	int t = type_index(json_string_value(json_object_get(c, "type")));
	const fdef *f = t < 0 || !col ? NULL : field_by_column(t, col);
	unsigned k = below(10);
	if (col && !strcmp(col, "deleted_at") && k >= 4)
		return k < 7 ? "deleted" : "restored";
	if (k < 4)
		return NULL;
	if (k < 8 || !f) {
		v = json_array_get(heads, below((unsigned)json_array_size(heads)));
		if (json_is_integer(v))
			snprintf(out, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		else
			snprintf(out, size, "%s", json_is_string(v) ? json_string_value(v) : "");
		return out;
	}
	return value_of(out, size, f->pool, i);
}

static void resolve_on(size_t i, json_t *c)
{
	const char *id = json_string_value(json_object_get(c, "id"));
	const char *field = json_string_value(json_object_get(c, "field"));
	char buf[120];
	const char *v = resolution(buf, sizeof(buf), c, i);
	const char *rid = json_string_value(json_object_get(c, "record"));
	size_t k;
	int err = logop(i, ruta_resolve(w.reps[i].r, id, v), "resolve %s %s=%s", id, field,
		v ? shown(v) : "(policy)");
	/* a value chosen for a group's field: the group as the person left it
	 * (the policy's choice is the merge's, and is checked, not taken) */
	for (k = 0; err == 0 && v && in_group(field) && rid && k < w.nrecs; k++)
		if (!strcmp(w.recs[k].id, rid))
			unit_set(i, &w.recs[k]);
}

/* A person settles conflicts: one (sometimes on two replicas at once, with
 * different minds) or all of them. JSON is read with jansson, which the
 * library links anyway. */
static void op_resolve(void)
{
	size_t i = below(NREP), other = (i + 1 + below(NREP - 1)) % NREP, n;
	int64_t count = 0;
	json_t *doc, *list, *c;
	char *json = NULL;
	int err;
	if (chance(25)) {
		const char *table = chance(50) ? NULL : type_names[below(NTYPES)];
		err = ruta_resolve_all(&count, w.reps[i].r, table);
		logop(i, err, "resolve-all %s (%" PRId64 ")", table ? table : "", count);
		return;
	}
	must(ruta_conflicts_json(&json, w.reps[i].r, NULL), "listing conflicts");
	if (!(doc = json_loads(json, 0, NULL)))
		fail("r%zu: conflicts are not JSON: %.200s", i, json);
	ruta_free(json);
	list = json_object_get(doc, "conflicts");
	if ((n = json_array_size(list)) > 0) {
		c = json_array_get(list, below((unsigned)n));
		resolve_on(i, c);
		if (chance(30))
			resolve_on(other, c);
	}
	json_decref(doc);
}

typedef struct opdef {
	void (*fn)(void);
	unsigned weight;
	const char *name;
} opdef;

#define OP(fn, weight) { op_##fn, weight, #fn }
static const opdef ops[] = {
	OP(add, 20), OP(duplicate, 4), OP(edit, 10), OP(bulk, 4), OP(concurrent, 18), OP(rm, 4),
	OP(edit_deleted, 5), OP(recreate, 3), OP(stage, 9), OP(activity, 5), OP(amount, 7),
	OP(address, 6),
	OP(offer, 4), OP(email, 4), OP(config, 1), OP(tag, 4),
	OP(resolve, 6),
};
_Static_assert(sizeof(ops) / sizeof(*ops) <= sizeof(w.stat) / sizeof(*w.stat),
	"a counter for each kind of operation");

static void random_op(void)
{
	unsigned total = 0, k;
	size_t i;
	for (i = 0; i < sizeof(ops) / sizeof(*ops); i++)
		total += ops[i].weight;
	k = below(total);
	for (i = 0; k >= ops[i].weight; i++)
		k -= ops[i].weight;
	w.oplen = 0;
	w.op_ok = 0;
	ops[i].fn();
	if (w.oplen)
		note("%s: %s", ops[i].name, w.opline);
	w.stat[i][0]++;
	w.stat[i][1] += w.op_ok;
}

/* ---- comparing replicas ---------------------------------------------------------- */

/* Details of a failure are printed unless a PROP_CONTINUE run goes on. */
static int loud(void)
{
	return !w.keep_going || getenv("PROP_VERBOSE") != NULL;
}

/* What differs between two JSON documents, as a short list of the kinds of
 * paths ("opp.stage", "heads[].replica") and, when loud, the values. */
typedef struct jdiff {
	char kinds[400];
	const char *prefix;    /* put before each kind: "opp." */
	int skip;              /* leading path parts that name the place, not the kind */
	int shown;             /* lines printed so far */
} jdiff;

static void jdiff_kind(jdiff *d, const char *path)
{
	char k[120], pad[124], all[404];
	const char *p = path;
	size_t n;
	int i;
	/* "C3.account_id.heads[2].replica" -> "heads[].replica": the shape, not the place */
	for (i = 0; i < d->skip && p; i++)
		p = strchr(p + (i > 0), '.');
	n = (size_t)snprintf(k, sizeof(k), "%s", d->prefix);
	for (p = p ? p + 1 : "(all of it, on one side only)"; *p && n < sizeof(k) - 1; p++) {
		k[n++] = *p;
		if (*p == '[')
			p += strcspn(p, "]") - 1;
	}
	k[n] = '\0';
	snprintf(pad, sizeof(pad), " %s ", k);
	snprintf(all, sizeof(all), " %s ", d->kinds);
	if (!strstr(all, pad) && strlen(d->kinds) + n + 2 < sizeof(d->kinds))
		snprintf(d->kinds + strlen(d->kinds), sizeof(d->kinds) - strlen(d->kinds), "%s%s",
			*d->kinds ? " " : "", k);
}

static void jdiff_show(jdiff *d, const char *path, json_t *a, json_t *b, size_t other)
{
	char *x = a ? json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	char *y = b ? json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	jdiff_kind(d, path);
	if (loud() && d->shown++ < 12)
		fprintf(stderr, "  %s: r0 %.300s, r%zu %.300s\n", path, x ? x : "(none)", other,
			y ? y : "(none)");
	free(x);
	free(y);
}

static void jdiff_walk(jdiff *d, const char *path, json_t *a, json_t *b, size_t other)
{
	char sub[300];
	const char *key;
	json_t *v;
	size_t i;
	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach(a, key, v) {
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			jdiff_walk(d, sub, v, json_object_get(b, key), other);
		}
		json_object_foreach(b, key, v)
			if (!json_object_get(a, key)) {
				snprintf(sub, sizeof(sub), "%s.%s", path, key);
				jdiff_show(d, sub, NULL, v, other);
			}
	} else if (json_is_array(a) && json_is_array(b)) {
		for (i = 0; i < json_array_size(a) || i < json_array_size(b); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			jdiff_walk(d, sub, json_array_get(a, i), json_array_get(b, i), other);
		}
	} else if (!a || !b || !json_equal(a, b)) {
		jdiff_show(d, path, a, b, other);
	}
}

/* Every record of a type on replica i (tombstones too), as one JSON object
 * by id. */
static json_t *dump_type(size_t i, const char *type)
{
	ruta_list_options lo = RUTA_LIST_OPTIONS_INIT;
	ruta_record_iter *it = NULL;
	ruta_record *rr = NULL;
	json_t *all = json_object();
	char *text = NULL;
	lo.include_deleted = 1;
	must(ruta_record_list(&it, w.reps[i].r, type, &lo), "listing records");
	while (ruta_record_iter_next(&rr, it) == 0) {
		must(ruta_record_json(&text, rr), "record as JSON");
		json_object_set_new(all, ruta_record_id(rr), json_loads(text, 0, NULL));
		ruta_free(text);
		ruta_record_free(rr);
	}
	ruta_record_iter_free(it);
	return all;
}

static void diff_type(jdiff *d, size_t a, size_t b, const char *type)
{
	json_t *x = dump_type(a, type), *y = dump_type(b, type), *v;
	const char *id;
	char prefix[40];
	snprintf(prefix, sizeof(prefix), "%s.", type);
	d->prefix = prefix;
	json_object_foreach(x, id, v)
		jdiff_walk(d, shown(id), v, json_object_get(y, id), b);
	json_object_foreach(y, id, v)
		if (!json_object_get(x, id))
			jdiff_show(d, shown(id), NULL, v, b);
	json_decref(x);
	json_decref(y);
}

/* Which records r0 and r`b` hold differently. */
static void diff_records(jdiff *d, size_t b)
{
	static const char *const types[] = { "stage", "lost_reason", "account", "contact", "opp",
		"activity", "offer" };
	size_t t;
	memset(d, 0, sizeof(*d));
	d->skip = 1;
	if (loud())
		fprintf(stderr, "records that differ between r0 and r%zu:\n", b);
	for (t = 0; t < sizeof(types) / sizeof(*types); t++)
		diff_type(d, 0, b, types[t]);
}

/* Prints the changesets of the pool that replica i does not hold. */
static void print_missing(size_t i)
{
	ruta_export_options eo = RUTA_EXPORT_OPTIONS_INIT;
	char *b = NULL, head[200];
	size_t len = 0, k;
	eo.all = 1;
	must(ruta_export_bundle(&b, &len, w.reps[i].r, &eo), "exporting all");
	fprintf(stderr, "r%zu lacks:", i);
	for (k = 0; k < w.nunits; k++) {
		snprintf(head, sizeof(head), "\n%s %zu\n", w.units[k].name, w.units[k].blen);
		if (w.units[k].label[0] != 'T' && !strstr(b, head))
			fprintf(stderr, " %s", w.units[k].label);
	}
	fprintf(stderr, "; holds beyond the pool:");
	for (k = 14; k < len; ) {
		const char *nl = memchr(b + k, '\n', len - k);
		char name[160];
		unsigned long n = 0;
		if (!nl || sscanf(b + k, "%159s %lu", name, &n) != 2)
			break;
		if (!strstr(name, ".sig") && strncmp(name, "ruta-trust-", 11) && !find_unit(name))
			fprintf(stderr, " %s", name);
		k = (size_t)(nl + 1 - b) + n + 1;
	}
	fprintf(stderr, "\n");
	ruta_free(b);
}

/* Nothing waits, nothing was refused, nothing local is left unsent, and
 * every replica holds every changeset. */
static void check_status(void)
{
	ruta_status st[NREP];
	size_t i;
	for (i = 0; i < NREP; i++) {
		ruta_status init = RUTA_STATUS_INIT;
		st[i] = init;
		must(ruta_replica_status(&st[i], w.reps[i].r), "status");
		if (st[i].waiting || st[i].quarantined || st[i].unexported)
			fail("r%zu after settling: %" PRId64 " waiting, %" PRId64 " quarantined, %"
				PRId64 " unexported", i, st[i].waiting, st[i].quarantined, st[i].unexported);
		if (st[i].changesets != st[0].changesets) {
			if (loud()) {
				print_log();
				print_missing(0);
				print_missing(i);
			}
			fail("r%zu holds %" PRId64 " changesets, r0 %" PRId64, i, st[i].changesets,
				st[0].changesets);
		}
	}
}

static void print_conflicts(size_t i)
{
	char *c = NULL;
	must(ruta_conflicts_json(&c, w.reps[i].r, NULL), "listing conflicts");
	fprintf(stderr, "r%zu conflicts: %.2000s\n", i, c);
	ruta_free(c);
}


static void check_hashes(void)
{
	char h[NREP][65];
	size_t i, k;
	jdiff d;
	for (i = 0; i < NREP; i++)
		must(ruta_state_hash(h[i], w.reps[i].r), "state hash");
	for (i = 1; i < NREP && !strcmp(h[0], h[i]); i++)
		;
	if (i == NREP)
		return;
	if (loud())
		print_log();
	diff_records(&d, i);
	if (loud()) {
		print_conflicts(0);
		print_conflicts(i);
		for (k = 0; k < NREP; k++)
			fprintf(stderr, "r%zu %s state %s\n", k, w.reps[k].id, h[k]);
	}
	fail("the replicas did not converge: state hashes differ (differing: %s)",
		*d.kinds ? d.kinds : "nothing the records show");
}

/* The conflict on the same record and field in another list, or NULL. */
static json_t *same_conflict(json_t *list, json_t *c)
{
	json_t *x;
	size_t i;
	json_array_foreach(list, i, x)
		if (json_equal(json_object_get(x, "record"), json_object_get(c, "record")) &&
				json_equal(json_object_get(x, "field"), json_object_get(c, "field")))
			return x;
	return NULL;
}

/* "C3.account_id": the conflict's place, for the report. */
static void conflict_place(char *out, size_t size, json_t *c)
{
	const char *id = json_string_value(json_object_get(c, "record"));
	size_t k;
	for (k = 0; id && k < w.nrecs && strcmp(w.recs[k].id, id); k++)
		;
	snprintf(out, size, "%s.%s", id && k < w.nrecs ? label(&w.recs[k]) : id ? id : "?",
		json_string_value(json_object_get(c, "field")));
}

/* Which parts of the conflict lists of r0 and r`other` differ. */
static void diff_conflicts(jdiff *d, const char *x, const char *y, size_t other)
{
	json_t *a = json_loads(x, 0, NULL), *b = json_loads(y, 0, NULL), *la, *lb, *c;
	char place[80];
	size_t i;
	if (!a || !b) {
		jdiff_show(d, "(not JSON)", a, b, other);
		goto done;
	}
	la = json_object_get(a, "conflicts");
	lb = json_object_get(b, "conflicts");
	json_array_foreach(la, i, c) {
		conflict_place(place, sizeof(place), c);
		jdiff_walk(d, place, c, same_conflict(lb, c), other);
	}
	json_array_foreach(lb, i, c)
		if (!same_conflict(la, c)) {
			conflict_place(place, sizeof(place), c);
			jdiff_show(d, place, NULL, c, other);
		}
	jdiff_walk(d, "(document)", json_object_get(a, "schema"), json_object_get(b, "schema"), other);
done:
	json_decref(a);
	json_decref(b);
}

/* Byte for byte the same open conflicts everywhere. */
static void check_conflicts(void)
{
	char *c[NREP];
	jdiff d;
	size_t i, k;
	for (i = 0; i < NREP; i++)
		must(ruta_conflicts_json(&c[i], w.reps[i].r, NULL), "listing conflicts");
	for (i = 1; i < NREP && !strcmp(c[0], c[i]); i++)
		;
	if (i < NREP) {
		memset(&d, 0, sizeof(d));
		d.prefix = "";
		d.skip = 2;
		if (loud()) {
			print_log();
			fprintf(stderr, "open conflicts that differ between r0 and r%zu:\n", i);
		}
		diff_conflicts(&d, c[0], c[i], i);
	}
	for (k = 0; k < NREP; k++)
		ruta_free(c[k]);
	if (i < NREP)
		fail("the replicas hold different open conflicts (differing: %s)",
			*d.kinds ? d.kinds : "only the bytes");
}

/* Every replica shows each group as some replica had it right after a
 * person set it. */
static void check_units(void)
{
	char u[400];
	size_t i, k;
	for (i = 0; i < NREP; i++)
		for (k = 0; k < w.nrecs; k++)
			if (unit_of(u, sizeof(u), i, &w.recs[k]) && !unit_known(u)) {
				if (loud())
					print_log();
				fail("r%zu shows %s %s as %s, a group no one set", i,
					type_names[w.recs[k].type], label(&w.recs[k]), strchr(u, '|') + 1);
			}
}

/* An offer sent once shows, everywhere, what its sender sent: an edit of
 * the draft made elsewhere meanwhile went to a new revision. */
static void check_sent_offers(void)
{
	size_t k;
	for (k = 0; k < w.nsent; k++) {
		json_t *now;
		if (w.sent[k].sends != 1)
			continue;
		now = frozen_of(0, w.sent[k].id);
		if (!json_equal(now, w.sent[k].values)) {
			char *a = json_dumps(w.sent[k].values, JSON_SORT_KEYS | JSON_COMPACT);
			char *b = json_dumps(now, JSON_SORT_KEYS | JSON_COMPACT);
			if (loud())
				print_log();
			fprintf(stderr, "offer %s: sent %s, shows %s\n", w.sent[k].id, a, b);
			free(a);
			free(b);
			json_decref(now);
			fail("a sent offer does not show what was sent");
		}
		json_decref(now);
	}
}

static void check(void)
{
	check_status();
	check_hashes();
	check_conflicts();
	check_units();
	check_sent_offers();
}

/* ---- replicas ----------------------------------------------------------------------- */

static ruta_replica *make_replica(size_t i)
{
	ruta_init_options o = RUTA_INIT_OPTIONS_INIT;
	ruta_replica *r = NULL;
	char dir[400], root[400];
	snprintf(dir, sizeof(dir), "%s/r%zu", w.tpl, i);
	snprintf(root, sizeof(root), "%s/r0/keys/root.pub", w.tpl);
	o.head_office = i == 0;
	o.team = i ? team_names[i - 1] : NULL;
	o.root_key = i ? root : NULL;
	o.country = "ES";
	must(ruta_replica_init(&r, dir, &o), "creating a replica");
	return r;
}

static void close_trial(void)
{
	size_t i;
	for (i = 0; i < NREP; i++) {
		ruta_replica_free(w.reps[i].r);
		w.reps[i].r = NULL;
	}
	pool_free();
	memset(w.dirty, 0, sizeof(w.dirty));
	for (i = 0; i < w.nsent; i++)
		json_decref(w.sent[i].values);
	w.nsent = 0;
	/* the next trial starts from the template alone, as a rerun of its seed does */
	for (i = 0; i < w.ntpl; i++)
		w.recs[i].deleted = 0;
	w.nrecs = w.ntpl;
	units_reset(w.ntpl_units);
	w.loglen = 0;
	w.log_printed = 0;
	if (w.log)
		w.log[0] = '\0';
}

/* The CRM every trial starts from, made at head office: a few records of
 * each kind that every replica holds, so that concurrent edits of one record
 * start at once. */
static void seed_records(void)
{
	static const char *const names[] = { "Acme S.L.", "Bodegas Sur", "Frutas Norte" };
	static const char *const lasts[] = { "Ruiz", "Gil", "Sanz" };
	int k;
	for (k = 0; k < 3; k++)
		add_account(0, k, names[k]);
	for (k = 0; k < 3; k++)
		add_contact(0, k, lasts[k]);
	for (k = 0; k < 4; k++)
		add_opp(0, "Fleet renewal");
	for (k = 0; k < 3; k++)
		add_activity(0);
	for (k = 0; k < 2; k++)
		add_offer(0);
	if (w.nrecs != 15)
		fail("the template's records: %zu of 15 made", w.nrecs);
}

/* Head office and the teams, keys endorsed, the trust file and the seed
 * records delivered to all: made once, copied for every trial. */
static void make_template(void)
{
	ruta_apply_result res = RUTA_APPLY_RESULT_INIT;
	char *pub = NULL, *b = NULL;
	int64_t seq, changes;
	size_t i, len = 0;
	for (i = 0; i < NREP; i++)
		w.reps[i].r = make_replica(i);
	for (i = 1; i < NREP; i++) {
		must(ruta_replica_public_key(&pub, w.reps[i].r, 0), "public key");
		must(ruta_keys_endorse(w.reps[0].r, pub, team_names[i - 1], NULL, NULL), "endorsing");
		ruta_free(pub);
	}
	seed_records();
	must(ruta_changeset_seal(&seq, &changes, w.reps[0].r), "sealing the seed records");
	must(ruta_export_bundle(&b, &len, w.reps[0].r, NULL), "exporting the template");
	for (i = 1; i < NREP; i++) {
		must(ruta_apply_bundle(&res, w.reps[i].r, b, len, NULL), "applying the template");
		if (res.trust_version < NREP || res.applied != 1)
			fail("r%zu: trust version %d, %" PRId64 " applied from the template", i,
				res.trust_version, res.applied);
	}
	ruta_free(b);
	w.ntpl = w.nrecs;
	w.ntpl_units = w.nunits_set;
	close_trial();
}

static void open_trial(void)
{
	char dir[400];
	size_t i;
	rm_tree(w.trial);
	copy_tree(w.tpl, w.trial);
	for (i = 0; i < NREP; i++) {
		snprintf(dir, sizeof(dir), "%s/r%zu", w.trial, i);
		must(ruta_replica_open(&w.reps[i].r, dir, NULL), "opening a replica");
		snprintf(w.reps[i].id, sizeof(w.reps[i].id), "%s", ruta_replica_id(w.reps[i].r));
	}
}

/* ---- a trial ------------------------------------------------------------------------- */

static void trial(uint64_t seed)
{
	size_t round, k, i;
	w.seed = w.rng = seed;
	w.t_files -= now_s();
	open_trial();
	w.t_files += now_s();
	for (round = 0; round < w.rounds; round++) {
		for (k = 0; k < w.ops; k++) {
			random_op();
			/* Several changesets per replica: chains, gaps and dependencies. */
			for (i = 0; i < NREP; i++)
				if (chance(8))
					seal(i);
		}
		for (i = 0; i < NREP; i++)
			if (chance(75))
				seal(i);
		partial_delivery();
	}
	settle();
	check();
	if (getenv("PROP_VERBOSE"))
		print_log();
	w.t_files -= now_s();
	close_trial();
	w.t_files += now_s();
}

/* How often each kind of operation ran, and how many of its steps the
 * library took (the rest were refused by the CRM rules). */
static void print_stats(void)
{
	size_t i;
	for (i = 0; i < sizeof(ops) / sizeof(*ops); i++)
		fprintf(stderr, "%-14s %8lu ops %8lu steps taken\n", ops[i].name, w.stat[i][0],
			w.stat[i][1]);
	fprintf(stderr, "time: %.1f s applying, %.1f s sealing, %.1f s copying, opening and"
		" closing replicas\n", w.t_apply, w.t_seal, w.t_files);
}

/* One trial; a failure under PROP_CONTINUE comes back here. */
static void run_trial(uint64_t seed)
{
	if (setjmp(w.next) == 0) {
		w.in_trial = 1;
		trial(seed);
		w.in_trial = 0;
	} else {
		close_trial();
	}
}

static void print_failed(void)
{
	uint64_t k;
	if (!w.nfailed)
		return;
	fprintf(stderr, "prop_merge: %" PRIu64 " trials failed, seeds:", w.nfailed);
	for (k = 0; k < w.nfailed && k < sizeof(w.failed) / sizeof(*w.failed); k++)
		fprintf(stderr, " %" PRIu64, w.failed[k]);
	fprintf(stderr, "%s\n", w.nfailed > k ? " ..." : "");
}

/* An interrupted run stops after the trial under way and removes its
 * directory, which would otherwise pile up in tmpfs. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void stop_if_asked(void)
{
	int sig = stop_signal;
	if (!sig)
		return;
	cleanup_base();
	signal(sig, SIG_DFL);
	raise(sig);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	return s && *s ? strtoull(s, NULL, 10) : dflt;
}

int main(void)
{
	uint64_t first = env_u64("PROP_FIRST", 1), n = env_u64("PROP_TRIALS", 1000), s;
	double t0 = now_s(), t1, c1;
	w.keep_going = getenv("PROP_CONTINUE") != NULL;
	w.spaced = getenv("PROP_SPACED") != NULL;
	w.rounds = env_u64("PROP_ROUNDS", ROUNDS);
	w.ops = env_u64("PROP_OPS", OPS_PER_ROUND);
	if (getenv("PROP_SEED")) {
		first = env_u64("PROP_SEED", 1);
		n = 1;
	}
	catch_signals();
	make_base();
	make_template();
	t1 = now_s();
	c1 = cpu_s();
	for (s = first; s < first + n; s++) {
		run_trial(s);
		stop_if_asked();
		if (n >= 10000 && (s - first + 1) % 1000 == 0)
			fprintf(stderr, "prop_merge: %" PRIu64 " trials done\n", s - first + 1);
	}
	printf("prop_merge: %" PRIu64 " of %" PRIu64 " trials passed (seeds %" PRIu64 "..%" PRIu64
		"), %.1f s; per trial %.1f ms (%.1f ms CPU); setup %.0f ms\n", n - w.nfailed, n, first,
		first + n - 1, now_s() - t0, (now_s() - t1) * 1000 / (double)n,
		(cpu_s() - c1) * 1000 / (double)n, (t1 - t0) * 1000);
	if (getenv("PROP_VERBOSE"))
		print_stats();
	print_failed();
	cleanup_base();
	free(w.log);
	free(w.recs);
	free(w.units);
	units_reset(0);
	free(w.units_set);
	return w.nfailed ? 1 : 0;
}
