#!/bin/sh
# stock-audit.sh - docs/audit.md's stock-tool recipe, sections 2 to 9, in
# one run, with no ruta: git (2.34 or later), ssh-keygen (OpenSSH 8.8 or
# later), sha256sum, sqlite3 to read JSON, and coreutils, sed and awk.
#
#   sh examples/stock-audit.sh HUB ROOT_PUB [WORKDIR]
#
# HUB is the hub's path or URL, ROOT_PUB head office's root public key
# (`ruta -C hq keys export-pub --root`). It clones the hub bare, extracts
# every changeset and trust file from every commit of every branch, and
# checks them as the page's blocks do, in its order: the trust files against
# the root key (§3), every changeset's signature (§4), the chains and the
# revoked, expired and replaced keys' after-seq (§5), the deps (§6), the
# validity windows against each changeset's own times (§7), and every
# commit's signature and each branch's shape (§9). WORKDIR (new or empty)
# keeps the clone and the files, in hub.git/ and usb/; without it they go
# to a temporary directory that is removed at the end.
#
# Each problem is one line on standard output, starting with an upper-case
# tag: OTHER, TWICE, BAD, VERSION, NAME, GAP, CHAIN, REVOKED, EXPIRED,
# REPLACED, DEPS, WINDOW, SIGNATURE, SIGNER, FOREIGN, MERGE, TIME or ORDER.
# The last line is a summary, `stock audit: N problems in M changesets, K
# commits`. The root key's fingerprint (compare it with head office's), the
# trust version in force, and what ssh-keygen and git say about a failed
# check go to standard error. Exit status: 0 when no problem, 1 when any, 2
# when the audit could not run (a usage error, no root key, a hub that
# cannot be cloned, a WORKDIR that is not empty).
set -u

say() { printf 'stock audit: %s\n' "$*" >&2; }
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: stock-audit.sh HUB ROOT_PUB [WORKDIR]" >&2; exit 2; }
HUB=$1
[ -d "$HUB" ] && HUB=$(cd "$HUB" && pwd)     # a path: the clone runs in WORKDIR
[ -f "$2" ] || { say "no root key at '$2'"; exit 2; }
ROOT=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
if [ $# -eq 3 ]; then
	WORK=$3
	mkdir -p "$WORK" && [ -z "$(ls -A "$WORK")" ] ||
		{ say "'$WORK' must be a new or empty directory"; exit 2; }
else
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/stock-audit.XXXXXX") || exit 2
	trap 'rm -rf "$WORK"' EXIT
	trap 'exit 130' INT TERM HUP
fi
cd "$WORK" || exit 2

# §2: the root key's fingerprint, to compare with the one head office gives.
say "root key $(ssh-keygen -l -f "$ROOT" | cut -d' ' -f2) (compare it with head office's)"
git clone -q --bare "$HUB" hub.git || { say "cannot clone '$HUB'"; exit 2; }
mkdir usb

# §9, clone and extract: every changeset and trust file of every commit;
# a name's first copy is kept. Only ruta's names are taken: no other
# character than a-z, 0-9, '.' and '-' ever reaches a file name or a query.
extract() {
	git -C hub.git rev-list --all | while read -r c; do
		git -C hub.git ls-tree -r "$c" | while read -r mode type obj path; do
			name=$(basename "$path")
			case $path in snapshot/*) continue ;; esac
			case $type:$name in
			blob:*[!a-z0-9.-]*) echo "OTHER: $path in $c"; continue ;;
			blob:*-[0-9]*.json | blob:*-[0-9]*.json.sig | blob:ruta-trust-*.txt | blob:ruta-trust-*.txt.sig) ;;
			*) echo "OTHER: $path in $c"; continue ;;
			esac
			if [ ! -e "usb/$name" ]; then
				git -C hub.git cat-file blob "$obj" > "usb/$name"
			elif [ "$(git -C hub.git hash-object --stdin < "usb/$name")" != "$obj" ]; then
				echo "TWICE: $path in $c differs from another commit's copy"
			fi
		done
	done
}

# §3: every trust file against the root key, and its version line. The
# newest that passes is $trust, which judges everything after.
trust_files() {
	awk '{ print "ruta-root namespaces=\"ruta-trust\" " $1 " " $2 }' "$ROOT" > root_signers
	trust=
	for t in usb/ruta-trust-*.txt; do
		[ -e "$t" ] || continue
		v=$(basename "$t" .txt | sed 's/^ruta-trust-0*//')
		if ! ssh-keygen -Y verify -f root_signers -I ruta-root -n ruta-trust -s "$t.sig" < "$t" > /dev/null; then
			echo "BAD: $t"
		elif [ "$(sed -n 2p "$t")" != "# version $v" ]; then
			echo "VERSION: $t"
		else
			trust=$t
		fi
	done
	if [ -n "$trust" ]; then say "trust file in force: version $(sed -n 's/^# version //p' "$trust")"
	else echo "BAD: no trust file on the hub is signed by the root key"; trust=/dev/null; fi
}

# §4: every changeset's signature, by the replica it names, with the key it
# names. Revoked and replaced keys become signer lines again (§5 checks
# their after-seq), and the windows are left out (§7 checks them against
# the changeset's own times, not against today).
signatures() {
	{ grep -v '^#' "$trust" | sed 's/,valid-[a-z]*="[0-9]*Z"//g'
	  sed -n -e 's/^# revoked \([^ ]*\) after-seq [0-9]* /\1 namespaces="ruta-changeset" /p' \
		-e 's/^# replaced \([^ ]*\) after-seq [0-9]* /\1 namespaces="ruta-changeset" /p' "$trust"
	} > signers
	for f in usb/*-[0-9]*.json; do
		[ -e "$f" ] || continue
		set -- $(sqlite3 -separator ' ' :memory: "SELECT json_extract(j, '\$.replica'),
			json_extract(j, '\$.key') FROM (SELECT CAST(readfile('$f') AS TEXT) AS j)" 2>/dev/null)
		who=${1:-} key=${2:-}
		if ! good=$(ssh-keygen -Y verify -f signers -I "$who" -n ruta-changeset -s "$f.sig" < "$f"); then
			echo "BAD: $f"
		elif [ "${good##* key }" != "$key" ]; then
			echo "BAD: $f is signed by ${good##* key }, not by the key it names"
		fi
	done
}

# §5: per replica, names, gaps and prev hashes; and no changeset beyond the
# after-seq of its replica's '# revoked' or '# expired' line, or of the
# '# replaced' line of the key that signed it.
chains() {
	sed -n 's/^# replaced \([^ ]*\) after-seq \([0-9]*\) \(.*\)/\3 \1 \2/p' "$trust" > replaced.pub
	: > replaced
	[ ! -s replaced.pub ] || ssh-keygen -l -f replaced.pub > replaced
	last_who= last_seq=0 last_hash=
	for f in usb/*-[0-9]*.json; do
		[ -e "$f" ] || continue
		set -- $(sqlite3 -separator ' ' :memory: "SELECT json_extract(j, '\$.replica'),
			json_extract(j, '\$.seq'), json_extract(j, '\$.prev'), json_extract(j, '\$.key')
			FROM (SELECT CAST(readfile('$f') AS TEXT) AS j)" 2>/dev/null)
		who=${1:-} seq=${2:-} prev=${3:-} key=${4:-}
		case $seq in '' | *[!0-9]*) seq=0 ;; esac
		[ "$(basename "$f")" = "$(printf '%s-%08d.json' "$who" "$seq")" ] ||
			{ echo "NAME: $f does not name that replica and seq"; continue; }
		if [ "$who" != "$last_who" ]; then
			last_seq=0 last_hash=0000000000000000000000000000000000000000000000000000000000000000
		fi
		[ "$seq" -eq $((last_seq + 1)) ] || echo "GAP: $who $last_seq -> $seq"
		[ "$prev" = "$last_hash" ] || echo "CHAIN: $f does not follow $last_seq"
		after=$(sed -n "s/^# revoked $who after-seq \([0-9]*\) .*/\1/p" "$trust")
		[ -z "$after" ] || [ "$seq" -le "$after" ] || echo "REVOKED: $f (after $after)"
		after=$(sed -n "s/^# expired $who after-seq \([0-9]*\)$/\1/p" "$trust")
		[ -z "$after" ] || [ "$seq" -le "$after" ] || echo "EXPIRED: $f (after $after)"
		after=$(awk -v k="$key" -v w="$who" '$2 == k && $3 == w { print $4 }' replaced)
		[ -z "$after" ] || [ "$seq" -le "$after" ] || echo "REPLACED: $f signed with $key (after $after)"
		last_who=$who last_seq=$seq last_hash=$(sha256sum < "$f" | cut -d' ' -f1)
	done
}

# §6: each changeset its deps name is there, with that hash.
deps() {
	for f in usb/*-[0-9]*.json; do
		[ -e "$f" ] || continue
		sqlite3 -separator ' ' :memory: "SELECT d.key, json_extract(d.value, '\$.seq'),
			json_extract(d.value, '\$.hash')
			FROM json_each(json_extract(CAST(readfile('$f') AS TEXT), '\$.deps')) AS d" 2>/dev/null |
		while read -r who seq hash; do
			case $who-$seq in *[!a-z0-9-]*) echo "DEPS: $f names a changeset that is not one"; continue ;; esac
			dep=$(printf 'usb/%s-%08d.json' "$who" "$seq")
			if [ ! -f "$dep" ]; then echo "DEPS: $f needs $dep, which is missing"
			elif [ "$(sha256sum < "$dep" | cut -d' ' -f1)" != "$hash" ]; then
				echo "DEPS: $f saw another $dep"
			fi
		done
	done
}

# §7: a windowed key's changesets, at the times they carry: hlc.min not
# before valid-after, hlc.max not after valid-before.
windows() {
	{ grep -v '^#' "$trust"
	  sed -n -e 's/^# revoked \([^ ]*\) after-seq [0-9]* /\1 namespaces="ruta-changeset" /p' \
		-e 's/^# replaced \([^ ]*\) after-seq [0-9]* /\1 namespaces="ruta-changeset" /p' "$trust"
	} > windowed
	for f in usb/*-[0-9]*.json; do
		[ -e "$f" ] || continue
		who=$(sqlite3 :memory: "SELECT json_extract(CAST(readfile('$f') AS TEXT), '\$.replica')" 2>/dev/null)
		grep -q "^$who namespaces=.*,valid-" windowed 2>/dev/null || continue
		for end in min max; do
			h=$(sqlite3 :memory: "SELECT json_extract(CAST(readfile('$f') AS TEXT), '\$.hlc.$end')")
			case $h in *[!0-9a-f]* | '') h=0 ;; esac
			when=$(date -u -d @$(( (0x$h >> 16) / 1000 )) +%Y%m%d%H%M%SZ)
			ssh-keygen -Y verify -f windowed -I "$who" -n ruta-changeset \
				-Overify-time="$when" -s "$f.sig" < "$f" > /dev/null || echo "WINDOW: $f at $when"
		done
	done
}

# §9: commits. git's allowed signers from the trust file, with the revoked
# and replaced keys back and without windows (git would judge them by the
# commit's time, which its signer chose; §7 judges the changesets). Then
# each ruta/ branch as ruta writes it, and every other commit signed.
commits() {
	{ grep -v '^#' "$trust" | sed 's/,valid-[a-z]*="[0-9]*Z"//g'
	  sed -n -e 's/^# revoked \([^ ]*\) after-seq [0-9]* /\1 namespaces="git" /p' \
		-e 's/^# replaced \([^ ]*\) after-seq [0-9]* /\1 namespaces="git" /p' "$trust"
	} > git_signers
	git -C hub.git config gpg.format ssh
	git -C hub.git config gpg.ssh.allowedSignersFile "$PWD/git_signers"
	for ref in $(git -C hub.git for-each-ref --format='%(refname:short)' refs/heads/ruta/); do
		who=${ref#ruta/} newer= above= after=
		git -C hub.git rev-list --merges "$ref" | sed "s|^|MERGE: $ref |"
		git -C hub.git log --format='%H %G? %ct %GS' "$ref" 2>/dev/null |
		while read -r c good time signer; do
			[ "$good" = G ] || echo "SIGNATURE: $ref $c ($good)"
			if [ "$who" = trust ]; then
				grep -qx "# team $signer hq" "$trust" || echo "SIGNER: $ref $c by '$signer'"
				want="trust/ruta-trust-[0-9]*\.txt"
			elif [ "$who" = snapshot ]; then
				grep -qx "# team $signer hq" "$trust" || echo "SIGNER: $ref $c by '$signer'"
				want="snapshot/(manifest|records-[0-9]*)\.json"
			else
				[ "$signer" = "$who" ] || echo "SIGNER: $ref $c by '$signer'"
				want="changesets/$who/$who-[0-9]*\.json"
			fi
			files=$(git -C hub.git ls-tree -r --name-only "$c")
			printf '%s\n' "$files" | grep -vxE "$want(\.sig)?" | sed "s|^|FOREIGN: $ref $c holds |"
			[ -z "$newer" ] || [ "$time" -lt "$newer" ] ||
				echo "TIME: $ref $c is not older than the commit after it"
			newer=$time
			[ "$who" != snapshot ] || continue
			nums=$(printf '%s\n' "$files" | grep -xE "$want" | sed -nE 's/.*-0*([0-9]+)\.(json|txt)$/\1/p' | sort -n)
			[ -n "$nums" ] || continue
			high=$(printf '%s\n' "$nums" | tail -n 1)
			[ -z "$above" ] || [ "$high" -lt "$above" ] ||
				echo "ORDER: $ref $after holds $above, but $c before it holds $high"
			above=$(printf '%s\n' "$nums" | head -n 1) after=$c
		done
	done
	git -C hub.git log --all --not --branches='ruta/*' --format='%H %G?' 2>/dev/null |
	while read -r c good; do
		[ "$good" = G ] || echo "SIGNATURE: $c ($good), outside the ruta/ branches"
	done
}

{ extract; trust_files; signatures; chains; deps; windows; commits; } | tee problems
n=$(wc -l < problems)
m=$(ls usb | grep -c '.-[0-9]*\.json$')
k=$(git -C hub.git rev-list --all | wc -l)
plural() { if [ "$1" -eq 1 ]; then echo "$1 $2"; else echo "$1 ${2}s"; fi; }
echo "stock audit: $(plural "$n" problem) in $(plural "$m" changeset), $(plural "$k" commit)"
[ "$n" -eq 0 ] || exit 1
