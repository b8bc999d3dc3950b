#!/usr/bin/env python3
"""cases.py - writes the hostile inputs of ruta's bad-input corpus.

Called by make.sh as: cases.py WORKDIR CORPUSDIR. WORKDIR holds the world
make.sh built (replicas hq north south east west nomad rogue, their public
keys as NAME.pub, and what they exported in out/). Writes CORPUSDIR/cases/
and CORPUSDIR/controls/ (see README.md for the layout of a case).

Signatures that must be valid (so that a later check is reached) are made by
stock `ssh-keygen -Y sign` with the fixture keys; broken ones are built here
byte by byte.
"""
import base64
import copy
import glob
import gzip
import hashlib
import json
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile

WORK, HERE = sys.argv[1], sys.argv[2]
CASES = os.path.join(HERE, 'cases')
CONTROLS = os.path.join(HERE, 'controls')
NS = 'ruta-changeset'
NS_TRUST = 'ruta-trust'
LIMIT_53 = 2 ** 53 - 1


# ---- reading the world ---------------------------------------------------------

def read(path):
    with open(path, 'rb') as f:
        return f.read()


def one(pattern):
    found = glob.glob(os.path.join(WORK, pattern))
    assert len(found) == 1, (pattern, found)
    return found[0]


def replica_id(name):
    return read(os.path.join(WORK, name, 'keys', 'replica.pub')).split()[2].decode()


def fingerprint(pubfile):
    blob = base64.b64decode(read(pubfile).split()[1])
    return 'SHA256:' + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip('=')


HQ, NORTH, SOUTH, EAST, WEST, NOMAD, ROGUE = (replica_id(n) for n in
                                             ('hq', 'north', 'south', 'east', 'west', 'nomad', 'rogue'))
FP = {n: fingerprint(os.path.join(WORK, n, 'keys', 'replica.pub'))
      for n in ('hq', 'north', 'south', 'east', 'west', 'nomad', 'rogue')}
KEY = {n: os.path.join(WORK, n, 'keys', 'replica.key')
       for n in ('hq', 'north', 'south', 'east', 'west', 'nomad', 'rogue')}
KEY['root'] = os.path.join(WORK, 'hq', 'keys', 'root.key')
KEY['rogue-root'] = os.path.join(WORK, 'rogue', 'keys', 'root.key')


def cs_name(replica, seq):
    return '%s-%08d.json' % (replica, seq)


def exported(directory, replica, seq):
    path = one('out/%s/%s' % (directory, cs_name(replica, seq)))
    return read(path), read(path + '.sig')


S1, S1SIG = exported('s1', SOUTH, 1)
S2, S2SIG = exported('s2', SOUTH, 2)
S3, S3SIG = exported('s3', SOUTH, 3)
S4, S4SIG = exported('s4', SOUTH, 4)
E1, E1SIG = exported('e1', EAST, 1)
E2, E2SIG = exported('e2', EAST, 2)
W1, W1SIG = exported('w1', WEST, 1)
H1, H1SIG = exported('hq', HQ, 1)
N1, N1SIG = exported('n1', NORTH, 1)
T5, T5SIG = read(one('out/t5/ruta-trust-00000005.txt')), read(one('out/t5/ruta-trust-00000005.txt.sig'))
T6, T6SIG = read(one('out/hq/ruta-trust-00000006.txt')), read(one('out/hq/ruta-trust-00000006.txt.sig'))
with sqlite3.connect(os.path.join(WORK, 'hq', 'ruta.db')) as _db:
    T3, T3SIG = (x.encode() for x in
                 _db.execute('SELECT text, sig FROM ruta_trust WHERE version = 3').fetchone())


def ere(text):
    """`text` as an extended regular expression matching itself."""
    return ''.join('\\' + c if c in '\\.[]()*+?{}|^$' else c for c in text)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def canon(obj):
    """ruta's canonical form: sorted keys, compact, UTF-8, one newline."""
    return json.dumps(obj, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode() + b'\n'


for _b in (S1, S2, S3, E2, N1):
    assert canon(json.loads(_b)) == _b, 'canonical form differs from ruta\'s'

T2 = json.loads(S2)   # south's next changeset for north: the base of most cases
HMIN, HMAX = int(T2['hlc']['min'], 16), int(T2['hlc']['max'], 16)
ACME = T2['records'][0]['id']          # south's account, which north has
CONTACT = T2['records'][1]['id']


def hlc(v):
    return '%016x' % v


def hlc_at(ms, counter=0):
    return hlc(ms << 16 | counter)


# ---- signing ------------------------------------------------------------------------

def sign(data, who='south', ns=NS):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'data')
        with open(path, 'wb') as f:
            f.write(data)
        subprocess.run(['ssh-keygen', '-q', '-Y', 'sign', '-f', KEY[who], '-n', ns, path],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return read(path + '.sig')


SIG_BEGIN = b'-----BEGIN SSH SIGNATURE-----'
SIG_END = b'-----END SSH SIGNATURE-----'


def unarmor(sig):
    lines = sig.strip().split(b'\n')
    assert lines[0] == SIG_BEGIN and lines[-1] == SIG_END
    return base64.b64decode(b''.join(lines[1:-1]))


def armor(blob):
    b = base64.b64encode(blob)
    return SIG_BEGIN + b'\n' + b'\n'.join(b[i:i + 70] for i in range(0, len(b), 70)) + b'\n' + \
        SIG_END + b'\n'


def sshstr(b):
    return struct.pack('>I', len(b)) + b


def take(blob, pos):
    n = struct.unpack('>I', blob[pos:pos + 4])[0]
    return blob[pos + 4:pos + 4 + n], pos + 4 + n


def sig_fields(sig):
    """The SSHSIG blob of an armored signature, as a dict of its fields."""
    blob = unarmor(sig)
    assert blob[:6] == b'SSHSIG'
    f = {'magic': blob[:6], 'version': struct.unpack('>I', blob[6:10])[0]}
    pos = 10
    for k in ('pk', 'ns', 'reserved', 'hash', 'sig'):
        f[k], pos = take(blob, pos)
    f['trailer'] = blob[pos:]
    return f


def sig_build(f):
    return armor(f['magic'] + struct.pack('>I', f['version']) + b''.join(
        sshstr(f[k]) for k in ('pk', 'ns', 'reserved', 'hash', 'sig')) + f['trailer'])


def sig_with(armored, **changes):
    f = sig_fields(armored)
    f.update(changes)
    return sig_build(f)


def flip(data, pos, bit=0):
    b = bytearray(data)
    b[pos] ^= 1 << bit
    return bytes(b)


# ---- writing cases ---------------------------------------------------------------------

count = {'n': 0}


def write_case(root, number, slug, about, files, exit_code, verdict, message, extra):
    d = os.path.join(root, '%03d-%s' % (number, slug) if number else slug)
    os.makedirs(d)
    for name, data in files.items():
        if data is None:
            continue
        if name.endswith('.gz'):
            data = gzip.compress(data, 9, mtime=0)
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)
    lines = ['about ' + about, 'exit %d' % exit_code, 'verdict ' + verdict, 'message ' + message]
    lines += list(extra)
    with open(os.path.join(d, 'expect'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def case(slug, about, files, exit_code, verdict, message, *extra):
    count['n'] += 1
    write_case(CASES, count['n'], slug, about, files, exit_code, verdict, message, extra)


def control(slug, about, files, message, *extra):
    write_case(CONTROLS, 0, slug, about, files, 0, 'applied', message, extra)


def files_for(body, sig, name=None):
    name = name or cs_name(SOUTH, 2)
    return {name: body, name + '.sig': sig}


def refused(slug, about, body, message, code=1, who='south', name=None, extra=(), verdict='refused'):
    """A changeset with a valid signature by `who`, refused (or held) for `message`."""
    f = files_for(body, sign(body, who), name)
    if len(body) > 20000:   # stored gzipped; the test unpacks it
        name = name or cs_name(SOUTH, 2)
        f[name + '.gz'] = f.pop(name)
    case(slug, about, f, code, verdict, message, *extra)


def signed_mut(fn, base=None):
    o = copy.deepcopy(base if base is not None else T2)
    fn(o)
    return canon(o)


def rec(o, i=0):
    return o['records'][i]


def field(o, name, value, i=0, at=None, base=None):
    """Sets one field of record i, with a version inside the range."""
    at = at or o['hlc']['max']
    rec(o, i)['f'][name] = [value, at, base or '0000000000000000']


def replace_once(data, old, new):
    assert data.count(old) >= 1, (old, data[:200])
    return data.replace(old, new, 1)


# =========================================================================================
# A. The bytes and their signature (checked before anything is parsed): exit 4
# =========================================================================================
S2NAME = cs_name(SOUTH, 2)
fields = sig_fields(S2SIG)

case('sig-missing', 'south 2 without its .sig file', {S2NAME: S2}, 4, 'refused',
     r'no signature \(.*\.sig is missing\)')
case('sig-empty', 'an empty .sig file', files_for(S2, b''), 4, 'refused',
     'bad signature: the signature file does not start with -----BEGIN SSH SIGNATURE-----')
case('sig-truncated-half', 'the .sig file cut in half', files_for(S2, S2SIG[:len(S2SIG) // 2]), 4,
     'refused', 'bad signature: the signature file has no -----END SSH SIGNATURE----- line')
_lines = S2SIG.split(b'\n')
case('sig-truncated-line', 'one base64 line of the .sig removed',
     files_for(S2, b'\n'.join(_lines[:2] + _lines[3:])), 4, 'refused', 'bad signature: the signature is not valid base64')
case('sig-truncated-blob', 'the signature blob cut short by 10 bytes, re-armored',
     files_for(S2, armor(unarmor(S2SIG)[:-10])), 4, 'refused', 'bad signature: the signature is malformed')
case('sig-bitflip-signature', 'one bit of the Ed25519 signature flipped',
     files_for(S2, sig_with(S2SIG, sig=flip(fields['sig'], len(fields['sig']) - 1))), 4, 'refused',
     'bad signature: it does not match the data')
case('sig-bitflip-pubkey', 'one bit of the embedded public key flipped',
     files_for(S2, sig_with(S2SIG, pk=flip(fields['pk'], len(fields['pk']) - 5))), 4, 'refused',
     'bad signature: it does not match the data')
case('sig-bitflip-armor', 'one bit flipped in the base64 text of the .sig (a letter becomes another)',
     files_for(S2, flip(S2SIG, len(SIG_BEGIN) + 120, 0)), 4, 'refused', 'bad signature')
case('sig-of-other-bytes', "south 2 carrying south 3's signature", files_for(S2, S3SIG), 4, 'refused',
     'bad signature: it does not match the data')
case('sig-of-previous', "south 2 carrying south 1's signature", files_for(S2, S1SIG), 4, 'refused',
     'bad signature: it does not match the data')
case('sig-namespace-git', 'signed by south with namespace git', files_for(S2, sign(S2, 'south', 'git')),
     4, 'refused', "bad signature: made for namespace 'git', not 'ruta-changeset'")
case('sig-namespace-trust', 'signed by south with namespace ruta-trust',
     files_for(S2, sign(S2, 'south', NS_TRUST)), 4, 'refused', "made for namespace 'ruta-trust'")
case('sig-namespace-prefix', 'namespace ruta-changese (a prefix of the right one)',
     files_for(S2, sign(S2, 'south', 'ruta-changese')), 4, 'refused', "made for namespace 'ruta-changese'")
case('sig-namespace-longer', 'namespace ruta-changeset2',
     files_for(S2, sign(S2, 'south', 'ruta-changeset2')), 4, 'refused', "made for namespace 'ruta-changeset2'")
case('sig-too-large', 'a valid signature padded with newlines to 4097 bytes',
     files_for(S2, S2SIG + b'\n' * (4097 - len(S2SIG))), 4, 'refused', 'signature file is too large')
case('sig-huge', 'a .sig file of 100 kB (stored gzipped)', {S2NAME: S2, S2NAME + '.sig.gz': S2SIG + b'\n' * 100000},
     4, 'refused', 'refused .*(signature file is too large|no signature)')
case('sig-text-after-end', 'text after the END line', files_for(S2, S2SIG + b'ssh-ed25519 AAAA\n'), 4,
     'refused', 'bad signature: text follows the end of the signature')
case('sig-pgp-armor', 'a PGP-armored block instead of an SSH signature',
     files_for(S2, b'-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n-----END PGP SIGNATURE-----\n'), 4,
     'refused', 'does not start with -----BEGIN SSH SIGNATURE-----')
case('sig-no-magic', 'the blob starts SSHSIH', files_for(S2, sig_with(S2SIG, magic=b'SSHSIH')), 4,
     'refused', 'bad signature: no SSHSIG magic')
case('sig-version-2', 'SSHSIG version 2', files_for(S2, sig_with(S2SIG, version=2)), 4, 'refused',
     'bad signature: unknown SSHSIG version')
case('sig-trailing-bytes', 'bytes after the last field of the blob',
     files_for(S2, sig_with(S2SIG, trailer=b'\0\0\0\0')), 4, 'refused', 'bad signature: the signature is malformed')
case('sig-key-rsa', 'the signing key claims to be ssh-rsa',
     files_for(S2, sig_with(S2SIG, pk=sshstr(b'ssh-rsa') + sshstr(take(fields['pk'], 15)[0]))), 4, 'refused',
     'bad signature: the signing key is not an ed25519 key')
case('sig-key-short', 'a 31-byte Ed25519 key',
     files_for(S2, sig_with(S2SIG, pk=sshstr(b'ssh-ed25519') + sshstr(take(fields['pk'], 15)[0][:31]))), 4,
     'refused', 'bad signature: the signing key is not an ed25519 key')
case('sig-type-rsa', 'the signature claims to be rsa-sha2-512',
     files_for(S2, sig_with(S2SIG, sig=sshstr(b'rsa-sha2-512') + sshstr(take(fields['sig'], 15)[0]))), 4,
     'refused', 'bad signature: the signature is not an ed25519 signature')
case('sig-short', 'a 63-byte Ed25519 signature',
     files_for(S2, sig_with(S2SIG, sig=sshstr(b'ssh-ed25519') + sshstr(take(fields['sig'], 15)[0][:63]))), 4,
     'refused', 'bad signature: the signature is not an ed25519 signature')
case('sig-hash-md5', 'hash algorithm md5', files_for(S2, sig_with(S2SIG, hash=b'md5')), 4, 'refused',
     'bad signature: unknown hash algorithm')
case('sig-hash-sha256-claimed', 'the blob says sha256 but the signature was made over sha512',
     files_for(S2, sig_with(S2SIG, hash=b'sha256')), 4, 'refused', 'bad signature: it does not match the data')
case('sig-reserved', 'the reserved field is not empty', files_for(S2, sig_with(S2SIG, reserved=b'x')), 4,
     'refused', 'bad signature: reserved field is not empty')
case('sig-unknown-key', 'south 2 re-signed by west, a key no trust file endorses',
     files_for(S2, sign(S2, 'west')), 4, 'refused',
     'signed by key %s, which no trust file this replica has endorses' % ere(FP['west']))
case('sig-rogue-key', "south 2 signed by another head office's replica key",
     files_for(S2, sign(S2, 'rogue')), 4, 'refused', 'which no trust file this replica has endorses')
case('sig-root-key', "south 2 signed by head office's root key (it endorses; it does not sign changesets)",
     files_for(S2, sign(S2, 'root')), 4, 'refused', 'which no trust file this replica has endorses')

case('body-changed-byte', "one byte of south 2 changed ('Toledo' -> 'Toledp'), the signature kept",
     files_for(replace_once(S2, b'Toledo', b'Toledp'), S2SIG), 4, 'refused', 'bad signature: it does not match the data')
case('body-bitflip', 'one bit flipped in the middle of south 2', files_for(flip(S2, len(S2) // 2, 1), S2SIG),
     4, 'refused', 'does not match the data')
case('body-seq-bumped', "south 2's seq changed to 3, the signature kept",
     files_for(replace_once(S2, b'"seq":2}', b'"seq":3}'), S2SIG), 4, 'refused', 'does not match the data')
case('body-changed-byte-file', "a changed byte, applied as one file (not a directory)",
     files_for(replace_once(S2, b'Ruiz', b'Ruis'), S2SIG), 4, 'refused', 'bad signature: it does not match the data',
     'input file ' + S2NAME)
case('sig-missing-file', 'south 2 without its .sig, applied as one file', {S2NAME: S2}, 4, 'refused',
     r'no signature \(.*\.sig is missing\)', 'input file ' + S2NAME)
case('body-truncated', 'south 2 cut in half', files_for(S2[:len(S2) // 2], S2SIG), 4, 'refused',
     'does not match the data')
case('body-truncated-newline', 'south 2 without its final newline', files_for(S2[:-1], S2SIG), 4,
     'refused', 'does not match the data')
case('body-appended', 'south 2 with a second newline', files_for(S2 + b'\n', S2SIG), 4, 'refused',
     'does not match the data')
case('body-empty', 'an empty file with a real signature', files_for(b'', S2SIG), 4, 'refused',
     'does not match the data')
case('body-crlf', 'south 2 with a CRLF line end', files_for(S2[:-1] + b'\r\n', S2SIG), 4, 'refused',
     'does not match the data')

# =========================================================================================
# B. Who may say what: the signer against the payload and the trust file in force (exit 4)
# =========================================================================================
refused('auth-replica-mismatch', 'payload says east, signed by south',
        signed_mut(lambda o: o.update(replica=EAST, key=FP['south'])),
        'changeset claims to be from replica %s but is signed by the key of replica %s' % (EAST, SOUTH), 4)
refused('auth-claims-head-office', 'a team changeset claiming to be head office, signed by south',
        signed_mut(lambda o: o.update(replica=HQ)),
        'claims to be from replica %s but is signed by the key of replica %s' % (HQ, SOUTH), 4)
refused('auth-claims-new-replica', 'a made-up replica id of team south, signed by south',
        signed_mut(lambda o: o.update(replica='south-zzzzzzzzzz')),
        'claims to be from replica south-zzzzzzzzzz but is signed by the key of replica %s' % SOUTH, 4)
refused('auth-other-team-claims-north', "a changeset claiming to be north's, signed with south's key, sent to hq",
        signed_mut(lambda o: o.update(replica=NORTH, key=FP['north'], seq=2)),
        'claims to be from replica %s but is signed by the key of replica %s' % (NORTH, SOUTH), 4,
        name=cs_name(NORTH, 2), extra=['receiver hq'])
refused('auth-other-team-claims-receiver', "north receives a changeset claiming to be its own, signed by south",
        signed_mut(lambda o: o.update(replica=NORTH, key=FP['north'], seq=2)),
        'claims to be from replica %s but is signed by the key of replica %s' % (NORTH, SOUTH), 4,
        name=cs_name(NORTH, 2))
refused('auth-key-field-mismatch', "signed by south but its key field names north's key",
        signed_mut(lambda o: o.update(key=FP['north'])),
        'changeset names key %s but is signed by %s' % (ere(FP['north']), ere(FP['south'])), 4)
refused('auth-key-field-garbage', 'signed by south, key field SHA256:AAAA',
        signed_mut(lambda o: o.update(key='SHA256:AAAA')), 'changeset names key SHA256:AAAA but is signed by', 4)
case('auth-revoked', 'east 2: east was revoked after its changeset 1 (trust file v6)',
     files_for(E2, E2SIG, cs_name(EAST, 2)), 4, 'refused',
     'replica %s was revoked after its changeset 1; changeset 2 is refused' % EAST)


def backdate(o):
    ms = 1735689600000   # 2025-01-01
    o['hlc'] = {'min': hlc_at(ms), 'max': hlc_at(ms, 50)}
    for r in o['records']:
        for k, v in r['f'].items():
            r['f'][k] = [v[0], hlc_at(ms, 10), '0000000000000000']


TE2 = json.loads(E2)
refused('auth-revoked-backdated', 'east 2 re-made with its clock set back a year, signed by east',
        signed_mut(backdate, TE2), 'replica %s was revoked after its changeset 1' % EAST, 4, 'east',
        cs_name(EAST, 2))
refused('auth-revoked-gap', 'east 7 (revoked, and a gap)', signed_mut(lambda o: o.update(seq=7), TE2),
        'revoked after its changeset 1; changeset 7 is refused', 4, 'east', cs_name(EAST, 7))
case('auth-revoked-receiver-hq', 'east 2 at head office, which revoked it', files_for(E2, E2SIG, cs_name(EAST, 2)),
     4, 'refused', 'was revoked after its changeset 1', 'receiver hq')


def nomad_cs(lo_ms, hi_ms):
    return canon({'deps': {}, 'format': 'ruta-changeset/1',
                  'hlc': {'min': hlc_at(lo_ms), 'max': hlc_at(hi_ms)}, 'key': FP['nomad'],
                  'prev': '0' * 64, 'records': [{'f': {
                      'created_at': ['2020-06-01T00:00:00Z', hlc_at(lo_ms), '0000000000000000'],
                      'name': ['Nomad Trading', hlc_at(hi_ms), '0000000000000000']},
                      'id': '01E9NOMAD0000000000000000A', 'op': 'i', 't': 'account'}],
                  'replica': NOMAD, 'seq': 1})


MS_2019, MS_2020, MS_2022 = 1559347200000, 1590969600000, 1654041600000
MS_2021_06 = 1622505600000
refused('auth-window-before', 'nomad (endorsed for 2020 only) sends changes made in 2019',
        nomad_cs(MS_2019, MS_2019 + 1000), "replica %s's key is valid only from 2020-01-01T00:00:00Z" % NOMAD,
        4, 'nomad', cs_name(NOMAD, 1))
refused('auth-window-after', 'nomad sends changes made in 2022, after its key expired',
        nomad_cs(MS_2022, MS_2022 + 1000), "replica %s's key expired at 2021-01-01T00:00:00Z" % NOMAD, 4,
        'nomad', cs_name(NOMAD, 1))
refused('auth-window-straddles', 'nomad sends changes from mid-2020 to mid-2021',
        nomad_cs(MS_2020, MS_2021_06), "key expired at 2021-01-01T00:00:00Z", 4, 'nomad', cs_name(NOMAD, 1))


def stage_change(o):
    o['records'].append({'t': 'stage', 'id': 'won', 'op': 'u',
                         'f': {'probability': [90, o['hlc']['max'], '0000000000000000']}})


def lost_reason_add(o):
    o['records'].append({'t': 'lost_reason', 'id': 'bribe', 'op': 'i',
                         'f': {'label': ['Bribe', o['hlc']['max'], '0000000000000000'],
                               'created_at': ['2026-01-01T00:00:00Z', o['hlc']['max'],
                                              '0000000000000000']}})


refused('auth-team-changes-stage', "team south changes the stage table (only head office may)",
        signed_mut(stage_change), 'replica %s \\(team south\\) changes stage records; only head office may' % SOUTH, 4)
refused('auth-team-changes-stage-at-hq', 'the same, received by head office', signed_mut(stage_change),
        'changes stage records; only head office may', 4, extra=['receiver hq'])
refused('auth-team-adds-lost-reason', 'team south adds a lost reason', signed_mut(lost_reason_add),
        'changes lost reason records; only head office may', 4)
case('auth-unknown-replica', 'west 1: a replica head office never endorsed',
     files_for(W1, W1SIG, cs_name(WEST, 1)), 4, 'refused',
     'signed by key %s, which no trust file this replica has endorses' % ere(FP['west']))

# =========================================================================================
# C. Replays, forks, gaps and the chain
# =========================================================================================
case('replay-exact', 'south 1 again, byte for byte (north applied it)', files_for(S1, S1SIG, cs_name(SOUTH, 1)),
     0, 'duplicate', '1 already here')
case('replay-garbage-sig', 'south 1 again with a garbage signature: the bytes are known, nothing to do',
     files_for(S1, b'garbage\n', cs_name(SOUTH, 1)), 0, 'duplicate', '1 already here')
case('replay-no-sig', 'south 1 again without its signature', {cs_name(SOUTH, 1): S1}, 0, 'duplicate',
     '1 already here')
case('replay-renamed', 'south 1 again under the name of changeset 9', files_for(S1, S1SIG, cs_name(SOUTH, 9)),
     0, 'duplicate', '1 already here')
case('replay-own', "north's own changeset 1 sent back to it", files_for(N1, N1SIG, cs_name(NORTH, 1)), 0,
     'duplicate', '1 already here')
case('replay-at-hq', 'south 1 again, at head office', files_for(S1, S1SIG, cs_name(SOUTH, 1)), 0,
     'duplicate', '1 already here', 'receiver hq')
TS1 = json.loads(S1)
refused('fork-seq1', 'a second, different south 1 (validly signed by south)',
        signed_mut(lambda o: field(o, 'region', 'Cuenca', at=o['records'][0]['f']['region'][1]), TS1),
        "fork: replica %s's changeset 1 is not the one this replica applied" % SOUTH, 4, name=cs_name(SOUTH, 1))
refused('fork-seq1-whitespace', 'south 1 with one space added (same JSON, other bytes), re-signed',
        b'{ ' + S1[1:], "fork: replica %s's changeset 1 is not the one" % SOUTH, 4, name=cs_name(SOUTH, 1))
refused('fork-revoked-seq1', 'a second east 1 (east is revoked after 1: this one is in its window)',
        signed_mut(lambda o: field(o, 'region', 'Murcia', at=o['hlc']['max']), json.loads(E1)),
        "fork: replica %s's changeset 1 is not the one" % EAST, 4, 'east', cs_name(EAST, 1))
refused('fork-head-office', "a second head office changeset 1, signed by head office's replica key",
        signed_mut(lambda o: field(o, 'region', 'Sevilla', at=o['hlc']['max']), json.loads(H1)),
        "fork: replica %s's changeset 1 is not the one" % HQ, 4, 'hq', cs_name(HQ, 1))
refused('fork-own', "a second north 1 signed with north's key, sent to north",
        signed_mut(lambda o: field(o, 'region', 'Burgos', at=o['hlc']['max']), json.loads(N1)),
        "fork: replica %s's changeset 1 is not the one" % NORTH, 4, 'north', cs_name(NORTH, 1))
refused('own-never-made', "north 2, signed with north's key, which north never made",
        signed_mut(lambda o: o.update(seq=2, prev=sha(N1)), json.loads(N1)),
        'changeset 2 claims to be this replica.s own, but this replica never made it', 4, 'north',
        cs_name(NORTH, 2))
case('gap-seq3', 'south 3 when north has south 1 (2 is missing)', files_for(S3, S3SIG, cs_name(SOUTH, 3)), 0,
     'waiting', 'waiting for changeset 2 of replica %s \\(a gap: this is 3\\)' % SOUTH)
case('gap-seq4', 'south 4 when north has south 1', files_for(S4, S4SIG, cs_name(SOUTH, 4)), 0, 'waiting',
     'a gap: this is 4')
_f = files_for(S3, S3SIG, cs_name(SOUTH, 3))
_f.update(files_for(S4, S4SIG, cs_name(SOUTH, 4)))
case('gap-two', 'south 3 and 4 together, 2 still missing', _f, 0, 'waiting', '2 waiting', 'waiting 2')
refused('gap-far', 'south 2^53-1 (a very far gap)', signed_mut(lambda o: o.update(seq=LIMIT_53)),
        'waiting for changeset 2 of replica %s' % SOUTH, 0, name=cs_name(SOUTH, LIMIT_53),
        verdict='waiting')
refused('chain-prev-random', 'south 2 whose prev is not the hash of south 1',
        signed_mut(lambda o: o.update(prev=sha(b'not south 1'))),
        'chain broken: changeset 2 of replica %s does not follow changeset 1' % SOUTH, 4)
refused('chain-prev-genesis', 'south 2 whose prev is 64 zeros', signed_mut(lambda o: o.update(prev='0' * 64)),
        'chain broken: changeset 2', 4)
refused('chain-prev-of-3', 'south 2 whose prev is the hash of south 3', signed_mut(lambda o: o.update(prev=sha(S3))),
        'chain broken', 4)
refused('chain-prev-of-other-replica', "south 2 whose prev is east 1's hash",
        signed_mut(lambda o: o.update(prev=sha(E1))), 'chain broken', 4)
refused('deps-fork-witnessed', 'south 2 saying it saw an east 1 other than the one north has',
        signed_mut(lambda o: o['deps'].update({EAST: {'seq': 1, 'hash': sha(b'another east 1')}})),
        'fork witnessed: replica %s saw changeset 1 of %s with another hash' % (SOUTH, EAST), 4)
refused('deps-fork-witnessed-hq', "south 2 saying it saw another head office changeset 1",
        signed_mut(lambda o: o['deps'].update({HQ: {'seq': 1, 'hash': sha(b'x')}})),
        'fork witnessed: replica %s saw changeset 1 of %s' % (SOUTH, HQ), 4)
refused('deps-fork-witnessed-own', "south 2 saying it saw a north 1 other than north's own",
        signed_mut(lambda o: o['deps'].update({NORTH: {'seq': 1, 'hash': sha(b'y')}})),
        'fork witnessed: replica %s saw changeset 1 of %s' % (SOUTH, NORTH), 4)
refused('deps-missing', 'south 2 depending on head office changeset 2, which north lacks',
        signed_mut(lambda o: o['deps'].update({HQ: {'seq': 2, 'hash': sha(b'hq 2')}})),
        'waiting for changeset 2 of replica %s, which it depends on' % HQ, 0, verdict='waiting')
refused('deps-unknown-replica', 'south 2 depending on a replica north never heard of',
        signed_mut(lambda o: o['deps'].update({'ghost-0000000000': {'seq': 1, 'hash': sha(b'g')}})),
        'waiting for changeset 1 of replica ghost-0000000000, which it depends on', 0,
        verdict='waiting')
refused('deps-future-own', "south 2 depending on north's changeset 5 (north is at 1)",
        signed_mut(lambda o: o['deps'].update({NORTH: {'seq': 5, 'hash': sha(b'n5')}})),
        'waiting for changeset 5 of replica %s' % NORTH, 0, verdict='waiting')

# =========================================================================================
# D. The header, field by field (valid signature by south, so the parser is reached): exit 1
# =========================================================================================
for k in ('deps', 'format', 'hlc', 'key', 'prev', 'records', 'replica', 'seq'):
    refused('header-missing-' + k, 'no "%s" key' % k, signed_mut(lambda o, k=k: o.pop(k)),
            "changeset: missing key '%s'" % k)
refused('header-unknown-key', 'an extra top-level key "comment"', signed_mut(lambda o: o.update(comment='hi')),
        "changeset: unknown key 'comment'")
refused('header-unknown-key-case', 'a top-level key "Seq" beside "seq"', signed_mut(lambda o: o.update(Seq=2)),
        "changeset: unknown key 'Seq'")
refused('header-array', 'the document is an array', b'[' + S2[:-1] + b']\n', 'changeset: expected an object')
refused('header-string', 'the document is a string', b'"ruta-changeset/1"\n', 'changeset is not valid JSON')
refused('header-null', 'the document is null', b'null\n', 'changeset is not valid JSON')
refused('format-2', 'format ruta-changeset/2', signed_mut(lambda o: o.update(format='ruta-changeset/2')),
        "unknown changeset format 'ruta-changeset/2' \\(this ruta reads ruta-changeset/1\\)")
refused('format-number', 'format 1', signed_mut(lambda o: o.update(format=1)), "unknown changeset format '\\?'")
refused('format-empty', 'format ""', signed_mut(lambda o: o.update(format='')), "unknown changeset format ''")
for slug, value in (('empty', ''), ('space', 'south 0000'), ('slash', 'south/../../etc'),
                    ('long', 'south-' + 'a' * 59), ('number', 7), ('null', None), ('unicode', 'süd-0000000000')):
    refused('replica-' + slug, 'replica %r' % (value,), signed_mut(lambda o, v=value: o.update(replica=v)),
            'changeset: bad replica id')
for slug, value in (('md5', 'MD5:' + 'a' * 20), ('long', 'SHA256:' + 'A' * 54), ('number', 1), ('empty', '')):
    refused('key-' + slug, 'key %r' % (value,), signed_mut(lambda o, v=value: o.update(key=v)),
            'changeset: bad key fingerprint')
for slug, value in (('upper', sha(S1).upper()), ('short', sha(S1)[:63]), ('long', sha(S1) + '0'),
                    ('nonhex', 'g' * 64), ('number', 0), ('null', None)):
    refused('prev-' + slug, 'prev %r' % (value,), signed_mut(lambda o, v=value: o.update(prev=v)),
            'changeset: prev must be 64 lower-case hex digits')
for slug, value in (('zero', 0), ('negative', -1), ('string', '2'), ('null', None), ('true', True),
                    ('2p53', 2 ** 53), ('array', [2])):
    refused('seq-' + slug, 'seq %r' % (value,), signed_mut(lambda o, v=value: o.update(seq=v)),
            'changeset: seq must be an integer from 1 to 2\\^53')
refused('seq-float', 'seq 2.0', replace_once(S2, b'"seq":2}', b'"seq":2.0}'),
        'changeset: seq must be an integer from 1 to 2\\^53')
refused('seq-exponent', 'seq 2e0', replace_once(S2, b'"seq":2}', b'"seq":2e0}'), 'seq must be an integer')
refused('seq-minus-zero', 'seq -0', replace_once(S2, b'"seq":2}', b'"seq":-0}'), 'seq must be an integer')
refused('seq-2p63', 'seq 2^63 (beyond a 64-bit integer)',
        replace_once(S2, b'"seq":2}', b'"seq":9223372036854775808}'), 'changeset is not valid JSON: too big integer')
refused('seq-huge-negative', 'seq -2^64', replace_once(S2, b'"seq":2}', b'"seq":-18446744073709551616}'),
        'not valid JSON: too big negative integer')
refused('seq1-prev-not-genesis', 'a south changeset 1 whose prev is not 64 zeros',
        signed_mut(lambda o: o.update(prev=sha(b'x')), TS1), 'changeset 1 must have prev = 64 zeros',
        name=cs_name(SOUTH, 1))
refused('hlc-string', 'hlc is a string', signed_mut(lambda o: o.update(hlc=o['hlc']['max'])),
        'hlc: expected an object')
refused('hlc-missing-min', 'hlc without min', signed_mut(lambda o: o['hlc'].pop('min')), "hlc: missing key 'min'")
refused('hlc-missing-max', 'hlc without max', signed_mut(lambda o: o['hlc'].pop('max')), "hlc: missing key 'max'")
refused('hlc-unknown-key', 'hlc with "mid"', signed_mut(lambda o: o['hlc'].update(mid=o['hlc']['min'])),
        "hlc: unknown key 'mid'")
for slug, k, value in (('upper', 'min', hlc(HMIN).upper()), ('short', 'min', hlc(HMIN)[1:]),
                       ('long', 'max', hlc(HMAX) + '0'), ('number', 'min', HMIN), ('prefix', 'max', '0x' + hlc(HMAX)[2:]),
                       ('top-bit', 'max', 'ffffffffffffffff'), ('space', 'min', ' ' + hlc(HMIN)[1:])):
    refused('hlc-%s-%s' % (k, slug), 'hlc %s %r' % (k, value),
            signed_mut(lambda o, k=k, v=value: o['hlc'].update({k: v})),
            'hlc %s: expected an hlc \\(16 lower-case hex digits\\)' % k)
refused('hlc-min-after-max', 'hlc min after max',
        signed_mut(lambda o: o.update(hlc={'min': hlc(HMAX + 1), 'max': hlc(HMAX)})),
        'changeset: hlc min is after max')
for slug, fn, msg in (
        ('array', lambda o: o.update(deps=[]), 'deps: expected an object of at most 10000 replicas'),
        ('null', lambda o: o.update(deps=None), 'deps: expected an object'),
        ('bad-id', lambda o: o['deps'].update({'no such': {'seq': 1, 'hash': sha(b'')}}), "deps: bad replica id 'no such'"),
        ('empty-id', lambda o: o['deps'].update({'': {'seq': 1, 'hash': sha(b'')}}), "deps: bad replica id ''"),
        ('entry-number', lambda o: o['deps'].update({EAST: 1}), 'deps entry: expected an object'),
        ('entry-no-hash', lambda o: o['deps'].update({EAST: {'seq': 1}}), "deps entry: missing key 'hash'"),
        ('entry-no-seq', lambda o: o['deps'].update({EAST: {'hash': sha(E1)}}), "deps entry: missing key 'seq'"),
        ('entry-extra', lambda o: o['deps'].update({EAST: {'seq': 1, 'hash': sha(E1), 'at': 'x'}}),
         "deps entry: unknown key 'at'"),
        ('seq-zero', lambda o: o['deps'].update({EAST: {'seq': 0, 'hash': sha(E1)}}),
         'deps: replica %s needs a seq >= 1 and a 64-digit hash' % EAST),
        ('seq-string', lambda o: o['deps'].update({EAST: {'seq': '1', 'hash': sha(E1)}}), 'needs a seq >= 1'),
        ('seq-2p53', lambda o: o['deps'].update({EAST: {'seq': 2 ** 53, 'hash': sha(E1)}}), 'needs a seq >= 1'),
        ('hash-short', lambda o: o['deps'].update({EAST: {'seq': 1, 'hash': sha(E1)[:40]}}), '64-digit hash'),
        ('hash-upper', lambda o: o['deps'].update({EAST: {'seq': 1, 'hash': sha(E1).upper()}}), '64-digit hash'),
        ('hash-null', lambda o: o['deps'].update({EAST: {'seq': 1, 'hash': None}}), '64-digit hash')):
    refused('deps-' + slug, 'deps: ' + slug, signed_mut(fn), msg)
_many = canon(dict(T2, deps={'r%05d' % i: {'hash': '0' * 64, 'seq': 1} for i in range(10001)}))
case('deps-too-many', 'deps naming 10001 replicas (stored gzipped)',
     {S2NAME + '.gz': _many, S2NAME + '.sig': sign(_many)}, 1, 'refused',
     'deps: expected an object of at most 10000 replicas')

# =========================================================================================
# E. Records (exit 1)
# =========================================================================================
for slug, value in (('empty', []), ('object', {}), ('null', None), ('string', 'x')):
    refused('records-' + slug, 'records %r' % (value,), signed_mut(lambda o, v=value: o.update(records=v)),
            'records: expected 1 to 1000000 records')
_big = replace_once(S2, b'"records":[', b'"records":[' + b'0,' * 1000001)
case('records-too-many', '1000001 records (stored gzipped)',
     {S2NAME + '.gz': _big, S2NAME + '.sig': sign(_big)}, 1, 'refused', 'records: expected 1 to 1000000 records')
refused('record-number', 'a record that is a number', signed_mut(lambda o: o['records'].insert(0, 1)),
        'record 0: expected an object')
refused('record-array', 'a record that is an array', signed_mut(lambda o: o['records'].append([])),
        'record 3: expected an object')
for k in ('f', 'id', 'op', 't'):
    refused('record-missing-' + k, 'record 0 without "%s"' % k, signed_mut(lambda o, k=k: rec(o).pop(k)),
            "record 0: missing key '%s'" % k)
refused('record-unknown-key', 'record 0 with "by"', signed_mut(lambda o: rec(o).update(by='me')),
        "record 0: unknown key 'by'")
for slug, value in (('widget', 'widget'), ('sync-table', 'ruta_key'), ('sqlite-master', 'sqlite_master'),
                    ('injection', 'account; DROP TABLE account'), ('label', 'opp'), ('upper', 'Account'),
                    ('empty', '')):
    refused('table-' + slug, 'table %r' % value, signed_mut(lambda o, v=value: rec(o).update(t=v)),
            "record 0: unknown table '%s'" % value.replace('(', '.').replace(')', '.'))
refused('table-number', 'table 5', signed_mut(lambda o: rec(o).update(t=5)), "record 0: unknown table '\\?'")
for slug, value in (('empty', ''), ('space', 'a b'), ('path', '../../x'), ('quote', "x' OR '1'='1"),
                    ('long', 'A' * 65), ('number', 12), ('null', None)):
    refused('record-id-' + slug, 'record id %r' % (value,), signed_mut(lambda o, v=value: rec(o).update(id=v)),
            'record 0: bad record id')
for slug, value in (('x', 'x'), ('upper', 'U'), ('word', 'update'), ('number', 1), ('null', None)):
    refused('op-' + slug, 'op %r' % (value,), signed_mut(lambda o, v=value: rec(o).update(op=v)),
            'record 0 \\(account %s\\): op must be i, u or d' % ACME)
for slug, value in (('empty', {}), ('array', []), ('string', 'region=Toledo')):
    refused('fields-' + slug, 'f %r' % (value,), signed_mut(lambda o, v=value: rec(o).update(f=v)),
            'record 0 \\(account %s\\): expected a non-empty object of fields' % ACME)
for slug, name in (('unknown', 'salary'), ('id', 'id'), ('version', 'region__v'), ('other-table', 'last_name'),
                   ('upper', 'Region'), ('injection', 'region = 1, name')):
    refused('field-' + slug, 'field %r on an account' % name,
            signed_mut(lambda o, n=name: rec(o)['f'].update({n: ['x', o['hlc']['max'], '0000000000000000']})),
            "record 0 \\(account %s\\) field .*: account has no field '" % ACME)
for slug, value, in (('string', 'Toledo'), ('short', ['Toledo', hlc(HMAX)]),
                     ('long', ['Toledo', hlc(HMAX), '0' * 16, '0' * 16]), ('object', {'v': 'Toledo'}),
                     ('null', None), ('empty', [])):
    refused('field-shape-' + slug, 'field region as %r' % (value,),
            signed_mut(lambda o, v=value: rec(o)['f'].update(region=v)),
            'field region: expected \\[value, hlc, base\\]')
_base0 = T2['records'][0]['f']['region'][2]
for slug, idx, value in (('hlc-upper', 1, hlc(HMAX).upper()), ('hlc-short', 1, hlc(HMAX)[:15]),
                         ('hlc-number', 1, HMAX), ('hlc-null', 1, None), ('base-empty', 2, ''),
                         ('base-number', 2, 0), ('base-top-bit', 2, '8000000000000000')):
    refused('field-' + slug, 'field region with %s %r' % (('hlc', 'base')[idx - 1], value),
            signed_mut(lambda o, i=idx, v=value: rec(o)['f']['region'].__setitem__(i, v)),
            'field region: expected an hlc \\(16 lower-case hex digits\\)')
refused('field-hlc-above-range', "a field version after the changeset's hlc max",
        signed_mut(lambda o: rec(o)['f']['region'].__setitem__(1, hlc(HMAX + 1))),
        "field region: hlc outside the changeset's hlc range")
refused('field-hlc-below-range', "a field version before the changeset's hlc min",
        signed_mut(lambda o: rec(o)['f']['region'].__setitem__(1, hlc(HMIN - 1))),
        "field region: hlc outside the changeset's hlc range")
refused('field-base-equal', 'base equal to the version',
        signed_mut(lambda o: rec(o)['f']['region'].__setitem__(2, rec(o)['f']['region'][1])),
        'field region: base is not older than the change')
refused('field-base-newer', 'base newer than the version',
        signed_mut(lambda o: rec(o)['f']['region'].__setitem__(2, hlc(HMAX + 5))),
        'field region: base is not older than the change')
HLC_SANE = 2 ** 62 - 1   # ruta never writes a version above this (journal.c)


def far_version(v):
    def fn(o):
        o['hlc']['max'] = hlc(v)
        rec(o)['f']['region'][1] = hlc(v)
    return fn


refused('field-hlc-beyond-sane', 'a field version of 2^62, above any version ruta writes (the receiver could never '
        'stamp or export an edit of that field again)', signed_mut(far_version(HLC_SANE + 1)), 'hlc')
refused('field-hlc-near-2p63', 'a field version of 2^63-16 (year 6429)', signed_mut(far_version(2 ** 63 - 16)), 'hlc')


def no_created_at(op):
    def fn(o):
        o['records'].append({'t': 'account', 'id': '01M8NOCREATEDAT00000000000', 'op': op,
                             'f': {'name': ['No Created At', o['hlc']['max'], '0' * 16]}})
    return fn


refused('record-insert-without-created-at', 'a new account without created_at: each receiver would fill in its own '
        'clock, and replicas that applied the same changeset would differ', signed_mut(no_created_at('i')), 'created_at')
refused('record-update-unknown-without-created-at', "an update of an account the receiver never had, without "
        "created_at (the same divergence)", signed_mut(no_created_at('u')), 'created_at')
refused('field-created-at-null', 'created_at set to null',
        signed_mut(lambda o: rec(o, 1)['f']['created_at'].__setitem__(0, None)),
        'record 1 \\(contact %s\\) field created_at: created_at cannot be null' % CONTACT)

# =========================================================================================
# F. Values (exit 1)
# =========================================================================================
EMP = '"employees":[40,"%s","%s"]' % (hlc(HMAX), _base0)


def emp(text):
    """south 2 with an employees field whose value is the raw JSON `text`."""
    body = replace_once(S2, b'"f":{"region"', ('"f":{' + EMP.replace('40', text, 1) + ',"region"').encode())
    return body


assert json.loads(emp('40'))
for slug, text, msg in (
        ('float', '40.5', 'a number with a fraction or exponent \\(floats are not allowed\\)'),
        ('float-point-zero', '40.0', 'floats are not allowed'),
        ('exponent', '4e1', 'floats are not allowed'),
        ('exponent-upper', '4E+1', 'floats are not allowed'),
        ('minus-zero-float', '-0.0', 'floats are not allowed'),
        ('tiny', '1e-400', 'floats are not allowed'),
        ('true', 'true', 'a value must be null, an integer or a string'),
        ('false', 'false', 'a value must be null, an integer or a string'),
        ('array', '[40]', 'a value must be null, an integer or a string'),
        ('object', '{"n":40}', 'a value must be null, an integer or a string'),
        ('2p53', '9007199254740992', 'an integer beyond 2\\^53'),
        ('minus-2p53', '-9007199254740992', 'an integer beyond 2\\^53'),
        ('2p63-minus-1', '9223372036854775807', 'an integer beyond 2\\^53'),
        ('minus-2p63', '-9223372036854775808', 'an integer beyond 2\\^53'),
        ('2p63', '9223372036854775808', 'not valid JSON: too big integer'),
        ('minus-2p63-minus-1', '-9223372036854775809', 'not valid JSON: too big negative integer'),
        ('1e400', '1' + '0' * 400, 'not valid JSON: too big integer'),
        ('text', '"40"', 'field employees: expected a number, not text'),
        ('leading-zero', '040', 'changeset is not valid JSON'),
        ('plus', '+40', 'changeset is not valid JSON'),
        ('hex', '0x28', 'changeset is not valid JSON'),
        ('nan', 'NaN', 'changeset is not valid JSON: invalid token'),
        ('infinity', 'Infinity', 'changeset is not valid JSON: invalid token')):
    refused('value-' + slug, 'employees = %s' % text[:40], emp(text), msg)
refused('value-number-for-text', 'region = 5 (a text field)',
        signed_mut(lambda o: rec(o)['f']['region'].__setitem__(0, 5)), 'field region: expected text, not a number')
refused('value-text-for-bool', 'do_not_call = "no" (a bool field)',
        signed_mut(lambda o: rec(o, 1)['f']['do_not_call'].__setitem__(0, 'no')),
        'field do_not_call: expected a number, not text')
refused('value-text-8001', 'region of 8001 bytes', signed_mut(lambda o: rec(o)['f']['region'].__setitem__(0, 'x' * 8001)),
        'field region: text longer than 8000 bytes')
refused('value-text-8001-utf8', 'region of 2667 euro signs (8001 bytes)',
        signed_mut(lambda o: rec(o)['f']['region'].__setitem__(0, '\u20ac' * 2667)), 'text longer than 8000 bytes')
refused('value-text-64k', 'region of 65536 bytes',
        signed_mut(lambda o: rec(o)['f']['region'].__setitem__(0, 'y' * 65536)), 'text longer than 8000 bytes')

# =========================================================================================
# G. JSON syntax and encoding (exit 1)
# =========================================================================================
JNV = 'changeset is not valid JSON: '
for slug, body, msg in (
        ('dup-top-seq', replace_once(S2, b'{"deps"', b'{"seq":3,"deps"'), 'duplicate object key'),
        ('dup-top-replica', replace_once(S2, b'{"deps"', ('{"replica":"%s","deps"' % NORTH).encode()),
         'duplicate object key'),
        ('dup-top-records', replace_once(S2, b'"replica"', b'"records":[],"replica"'), 'duplicate object key'),
        ('dup-hlc', replace_once(S2, b'"hlc":{', ('"hlc":{"min":"%s",' % hlc(HMIN)).encode()), 'duplicate object key'),
        ('dup-record-t', replace_once(S2, b'"t":"account"', b'"t":"account","t":"stage"'), 'duplicate object key'),
        ('dup-record-id', replace_once(S2, b'"op":"u"', ('"id":"%s","op":"u"' % CONTACT).encode()),
         'duplicate object key'),
        ('dup-field', replace_once(S2, b'"f":{"region"', ('"f":{"region":["Lugo","%s","%s"],"region"' %
                                                           (hlc(HMAX), _base0)).encode()), 'duplicate object key'),
        ('dup-deps', replace_once(S2, b'"deps":{}', ('"deps":{"%s":{"hash":"%s","seq":1},"%s":{"hash":"%s","seq":1}}'
                                                     % (EAST, sha(E1), EAST, sha(E1))).encode()),
         'duplicate object key'),
        ('dup-deps-entry', replace_once(S2, b'"deps":{}', ('"deps":{"%s":{"hash":"%s","seq":1,"seq":2}}'
                                                           % (EAST, sha(E1))).encode()), 'duplicate object key'),
        ('utf8-continuation', replace_once(S2, b'Toledo', b'Tol\x80do'), 'unable to decode byte 0x80'),
        ('utf8-overlong', replace_once(S2, b'Toledo', b'Tol\xc0\xafdo'), 'unable to decode byte 0xc0'),
        ('utf8-surrogate', replace_once(S2, b'Toledo', b'Tol\xed\xa0\x80do'), 'unable to decode byte 0xed'),
        ('utf8-truncated', replace_once(S2, b'Toledo"', b'Toledo\xe2\x82"'), 'unable to decode byte'),
        ('utf8-ff', replace_once(S2, b'Toledo', b'Tol\xffdo'), 'unable to decode byte 0xff'),
        ('utf8-beyond-unicode', replace_once(S2, b'Toledo', b'Tol\xf4\x90\x80\x80do'), 'unable to decode byte 0xf4'),
        ('utf8-in-key', replace_once(S2, b'"region"', b'"regi\xf3n"'), 'unable to decode byte 0xf3'),
        ('latin1-document', replace_once(S2, b'Ruiz', b'Ru\xedz'), 'unable to decode byte 0xed'),
        ('escaped-nul-value', replace_once(S2, b'Toledo', b'Tol\\u0000edo'), '\\\\u0000 is not allowed'),
        ('escaped-nul-key', replace_once(S2, b'"region"', b'"region\\u0000x"'), 'NUL byte in object key not supported'),
        ('lone-surrogate', replace_once(S2, b'Toledo', b'Tol\\ud800edo'), "invalid Unicode '\\\\uD800'"),
        ('lone-low-surrogate', replace_once(S2, b'Toledo', b'Tol\\udc00edo'), "invalid Unicode '\\\\uDC00'"),
        ('bad-escape', replace_once(S2, b'Toledo', b'Tol\\xedo'), 'invalid escape'),
        ('raw-control-char', replace_once(S2, b'Toledo', b'Tol\x01edo'), 'control character 0x1'),
        ('raw-newline-in-string', replace_once(S2, b'Toledo', b'Tol\nedo'), 'unexpected newline'),
        ('bom', b'\xef\xbb\xbf' + S2, "'\\[' or '\\{' expected near"),
        ('truncated', S2[:len(S2) // 2] + b'\n', ''),
        ('unclosed', S2[:-2] + b'\n', "'}' expected near end of file"),
        ('trailing-comma', replace_once(S2, b'"seq":2}', b'"seq":2,}'), "string or '}' expected near '}'"),
        ('single-quotes', replace_once(S2, b'"Toledo"', b"'Toledo'"), 'invalid token'),
        ('comment', replace_once(S2, b'{"deps"', b'{/* hi */"deps"'), "string or '}' expected near '/'"),
        ('unquoted-key', replace_once(S2, b'"seq":2}', b'seq:2}'), "string or '}' expected near 'seq'"),
        ('only-newline', b'\n', "'\\[' or '\\{' expected near end of file"),
        ('deep-array', replace_once(S2, b'"Toledo"', b'[' * 10000 + b'"Toledo"' + b']' * 10000),
         'maximum parsing depth reached'),
        ('deep-object', replace_once(S2, b'"Toledo"', b'{"a":' * 10000 + b'1' + b'}' * 10000),
         'maximum parsing depth reached'),
        ('deep-array-100k', replace_once(S2, b'"Toledo"', b'[' * 100000), 'maximum parsing depth reached'),
):
    refused('json-' + slug, slug.replace('-', ' '), body, JNV + '.*(' + msg + ')' if '|' in msg else JNV + '.*' + msg)
refused('json-raw-nul', 'a raw NUL byte inside a string', replace_once(S2, b'Toledo', b'Tol\x00edo'),
        'changeset contains a NUL byte')
refused('json-raw-nul-end', 'a raw NUL byte just before the final newline', S2[:-1] + b'\x00\n',
        'changeset contains a NUL byte')
refused('json-no-newline', 'no final newline', S2[:-1], 'changeset does not end with a newline \\(truncated\\?\\)')
refused('json-truncated-no-newline', 'cut in half, no newline', S2[:len(S2) // 2], 'does not end with a newline')
refused('json-data-after', 'a second object after the changeset', S2 + b'{}\n', 'changeset has data after its JSON object')
refused('json-space-after', 'a space before the final newline', S2[:-1] + b' \n', 'changeset has data after its JSON object')
refused('json-two-newlines', 'two final newlines', S2 + b'\n', 'changeset has data after its JSON object')
refused('json-two-changesets', 'south 2 followed by south 3 in one file', S2 + S3,
        'changeset has data after its JSON object')
refused('json-escape-in-unknown-key', 'an unknown key holding terminal escape sequences',
        signed_mut(lambda o: o.update({'\x1b[2J\x1b[31mowned': 1})), "changeset: unknown key '")
refused('json-escape-in-table', 'a table name holding terminal escape sequences',
        signed_mut(lambda o: rec(o).update(t='\x1b]0;pwned\x07account')), 'record 0: unknown table')

# =========================================================================================
# H. Well-formed but refused by the database's rules while applying (exit 1)
# =========================================================================================
NEW_ACC = '01M8ZZZZZZZZZZZZZZZZZZZZZZ'


def new_account(**fields):
    def fn(o):
        h = o['hlc']['max']
        f = {'created_at': ['2026-01-01T00:00:00Z', h, '0' * 16], 'name': ['Corpus SA', h, '0' * 16]}
        for k, v in fields.items():
            f[k] = [v, h, '0' * 16]
        o['records'].append({'t': 'account', 'id': NEW_ACC, 'op': 'i', 'f': f})
    return fn


SCHEMA = 'applying refused by the schema: CHECK constraint failed'
for slug, kw in (('lifecycle', {'lifecycle': 'bogus'}), ('employees-negative', {'employees': -5}),
                 ('country', {'country': 'Spain'}), ('country-lower', {'country': 'es'}),
                 ('created-at', {'created_at': 'yesterday'}), ('deleted-at', {'deleted_at': 'soon'}),
                 ('phone', {'phone': '612 345 678'}), ('email', {'email': 'not-an-email'}),
                 ('sales-channel', {'sales_channel': 'carrier pigeon'})):
    refused('schema-' + slug, 'a new account with %s' % kw, signed_mut(new_account(**kw)), SCHEMA)


def new_opp(**fields):
    def fn(o):
        h = o['hlc']['max']
        f = {'created_at': ['2026-01-01T00:00:00Z', h, '0' * 16], 'name': ['Deal', h, '0' * 16],
             'account_id': [ACME, h, '0' * 16]}
        for k, v in fields.items():
            f[k] = [v, h, '0' * 16]
        o['records'].append({'t': 'opportunity', 'id': '01M8YYYYYYYYYYYYYYYYYYYYYY', 'op': 'i', 'f': f})
    return fn


for slug, kw in (('probability', {'probability': 101}), ('currency', {'currency': 'eur'}),
                 ('amount-negative', {'amount_minor': -1, 'currency': 'EUR'}),
                 ('expected-close', {'expected_close': '31/12/2026'}),
                 ('probability-manual', {'probability_manual': 2})):
    refused('schema-opp-' + slug, 'a new opportunity with %s' % kw, signed_mut(new_opp(**kw)), SCHEMA)
refused('schema-update-lifecycle', "south's account updated to lifecycle 'bogus' (a newer version)",
        signed_mut(lambda o: field(o, 'lifecycle', 'bogus', base=T2['records'][0]['f']['region'][2])), SCHEMA)
refused('schema-bool-update', 'contact do_not_call = 7',
        signed_mut(lambda o: rec(o, 1)['f']['do_not_call'].__setitem__(0, 7)), SCHEMA)
refused('schema-last-record', 'two good records, then a bad third (nothing of it may stay)',
        signed_mut(lambda o: rec(o, 2)['f']['kind'].__setitem__(0, 'pager')), SCHEMA)

# =========================================================================================
# I. Sizes generated at test time (too big to commit)
# =========================================================================================
SIZE = 'changeset is (larger than 67108864 bytes|[0-9]+ bytes, more than the 67108864 allowed)'
case('size-64mib-plus-1', 'a changeset file of 64 MiB + 1 byte', {S2NAME + '.sig': S2SIG}, 1, 'refused',
     SIZE, 'generate %s 67108865' % S2NAME)
case('size-65mib', 'a changeset file of 65 MiB', {S2NAME + '.sig': S2SIG}, 1, 'refused',
     SIZE, 'generate %s 68157440' % S2NAME)
case('size-65mib-unsigned', 'a changeset file of 65 MiB without a signature', {}, 1, 'refused',
     SIZE, 'generate %s 68157440' % S2NAME)

# =========================================================================================
# J. Trust files (all exit 4)
# =========================================================================================


def tname(v):
    return 'ruta-trust-%08d.txt' % v


def trust_case(slug, about, text, sig, message, version=7, *extra):
    f = {tname(version): text}
    if sig is not None:
        f[tname(version) + '.sig'] = sig
    case('trust-' + slug, about, f, 4, 'refused', message, *extra)


def v7(text=None):
    return (text or T6).replace(b'# version 6\n', b'# version 7\n')


def root(text, ns=NS_TRUST):
    return sign(text, 'root', ns)


T7 = v7()
case('trust-rolled-back-v5', 'trust file version 5 (north has 6; in 5 east is not revoked): genuine but superseded',
     {tname(5): T5, tname(5) + '.sig': T5SIG}, 0, 'skipped',
     'skipped ruta-trust-00000005.txt: trust file version 5 is older than version 6 in force: not installed')
case('trust-rolled-back-v3', 'trust file version 3, validly signed by the root key: superseded',
     {tname(3): T3, tname(3) + '.sig': T3SIG}, 0, 'skipped', 'trust file version 3 is older than version 6 in force')
case('trust-rolled-back-renamed', 'trust file version 5 under the name ruta-trust-00000099.txt',
     {tname(99): T5, tname(99) + '.sig': T5SIG}, 0, 'skipped', 'trust file version 5 is older than version 6 in force')
trust_case('rolled-back-altered', 'version 5 with one byte changed (its signature kept)',
           T5.replace(b'# version 5', b'# version 8'), T5SIG, 'trust file: bad signature: it does not match the data', 8)
_unrevoked = T6.replace(next(l for l in T6.split(b'\n') if l.startswith(b'# revoked')) + b'\n', b'') + \
    (EAST + ' namespaces="ruta-changeset,git" ' + ' '.join(read(os.path.join(WORK, 'east.pub')).decode().split()[:2])
     + '\n').encode()
trust_case('same-version-other-text', 'a version 6 that un-revokes east, signed by the root key', _unrevoked,
           root(_unrevoked), 'trust file version 6 differs from the version 6 this replica has', 6)
trust_case('unsigned', 'a version 7 without a .sig', T7, None, 'trust file without a signature')
trust_case('signed-by-hq-replica-key', "version 7 signed by head office's replica key, not its root key", T7,
           sign(T7, 'hq', NS_TRUST), "trust file: signed by a key that is not head office's root key")
trust_case('signed-by-rogue-root', "version 7 signed by another head office's root key", T7,
           sign(T7, 'rogue-root', NS_TRUST), "signed by a key that is not head office's root key")
trust_case('signed-by-team', "version 7 signed by north's own key", T7, sign(T7, 'north', NS_TRUST),
           "signed by a key that is not head office's root key")
trust_case('namespace-changeset', 'version 7 signed by the root key for namespace ruta-changeset', T7,
           root(T7, NS), "trust file: bad signature: made for namespace 'ruta-changeset', not 'ruta-trust'")
trust_case('namespace-git', 'version 7 signed by the root key for namespace git', T7, root(T7, 'git'),
           "made for namespace 'git', not 'ruta-trust'")
trust_case('changed-byte', 'version 6 with one byte changed, its signature kept',
           T6.replace(b'after-seq 1', b'after-seq 9'), T6SIG, 'trust file: bad signature: it does not match the data', 6)
trust_case('truncated', 'version 6 cut in half, its signature kept', T6[:len(T6) // 2], T6SIG,
           'trust file: bad signature: it does not match the data', 6)
trust_case('sig-truncated', 'version 6 with its signature cut in half', T6, T6SIG[:len(T6SIG) // 2],
           'trust file: bad signature: the signature file has no', 6)
trust_case('sig-bitflip', 'version 6 with one bit of its signature flipped', T6,
           sig_with(T6SIG, sig=flip(sig_fields(T6SIG)['sig'], 70)), 'trust file: bad signature: it does not match', 6)
trust_case('sig-empty', 'version 7 with an empty .sig', T7, b'', 'trust file: bad signature', 7)
trust_case('sig-of-v6', "version 7 carrying version 6's signature", T7, T6SIG, 'does not match the data')
case('trust-renamed-duplicate', 'version 6 under the name ruta-trust-00000009.txt: the text says 6, already here',
     {tname(9): T6, tname(9) + '.sig': T6SIG}, 0, 'duplicate', 'applied 0 changesets')


def bad_trust(slug, about, text, message):
    trust_case(slug, about, text, root(text), message)


_lines6 = T6.split(b'\n')
_north_line = next(l for l in _lines6 if l.startswith(NORTH.encode() + b' '))
_nomad_line = next(l for l in _lines6 if l.startswith(NOMAD.encode() + b' '))
_south_line = next(l for l in _lines6 if l.startswith(SOUTH.encode() + b' '))
bad_trust('no-header', 'version 7 without the "# ruta trust file" line',
          T7.replace(b'# ruta trust file\n', b''), 'not a ruta trust file')
bad_trust('other-header', 'version 7 starting "# ruta trust file v2"',
          T7.replace(b'# ruta trust file\n', b'# ruta trust file v2\n'), 'not a ruta trust file')
bad_trust('no-version', 'no version line', T7.replace(b'# version 7\n', b''), 'the trust file has no version line')
bad_trust('version-zero', 'version 0', T7.replace(b'# version 7\n', b'# version 0\n'),
          'trust file line 2: unknown comment line')
bad_trust('version-negative', 'version -7', T7.replace(b'# version 7\n', b'# version -7\n'),
          'trust file line 2: unknown comment line')
bad_trust('version-garbage', 'version 7x', T7.replace(b'# version 7\n', b'# version 7x\n'),
          'trust file line 2: unknown comment line')
bad_trust('no-final-newline', 'the last line without its newline', T7[:-1],
          'the last line has no newline \\(truncated\\?\\)')
bad_trust('unknown-comment', 'an unknown comment line', T7 + b'# hello\n', 'unknown comment line')
bad_trust('listed-twice', "north's line twice", T7 + _north_line + b'\n', 'a replica is listed twice')
bad_trust('bad-key', "south's key data truncated",
          T7.replace(_south_line, _south_line[:-10]), 'not an ssh-ed25519 key')
bad_trust('rsa-key', "south listed with an ssh-rsa key",
          T7.replace(_south_line, _south_line.replace(b'ssh-ed25519', b'ssh-rsa')), 'not an ssh-ed25519 key')
bad_trust('bad-validity', "nomad's valid-after is not YYYYMMDDHHMMSSZ",
          T7.replace(b'valid-after="20200101000000Z"', b'valid-after="2020-01-01"'),
          'a validity time is not YYYYMMDDHHMMSSZ')
bad_trust('unknown-option', "north's line with option verify-required",
          T7.replace(_north_line, _north_line.replace(b'git"', b'git",verify-required')), 'unknown key option')
bad_trust('malformed-options', "north's options followed by junk",
          T7.replace(_north_line, _north_line.replace(b'git"', b'git"x')), 'malformed key options')
bad_trust('namespaces-git-only', 'north endorsed for namespace git only',
          T7.replace(_north_line, _north_line.replace(b'"ruta-changeset,git"', b'"git"')),
          'expected a replica id and namespaces')
bad_trust('principal-upper', 'a principal in upper case',
          T7.replace(_north_line, _north_line.replace(b'north-', b'NORTH-', 1)), 'expected a replica id and namespaces')
bad_trust('line-without-key', 'a signer line without a key', T7 + NORTH.encode() + b'\n',
          "expected 'principal options ssh-ed25519 KEY'")
bad_trust('invalid-utf8', 'invalid UTF-8 in a comment', T7 + b'# team ghost-aaaaaaaaaa s\xffd\n',
          'the trust file is not text or too large')
bad_trust('revoked-without-key', 'a revocation with a broken key', T7 + b'# revoked ghost-aaaaaaaaaa after-seq 3 ssh-ed25519 AAAA\n',
          'a revocation without a seq and a valid key')
bad_trust('signer-without-team', 'a signer line with no "# team" line for it',
          T7 + b'ghost-aaaaaaaaaa namespaces="ruta-changeset,git" ' + b' '.join(
              read(os.path.join(WORK, 'west.pub')).split()[:2]) + b'\n',
          'trust file: replica ghost-aaaaaaaaaa lacks a key or a team')
bad_trust('team-without-key', 'a "# team" line for a replica with no key', T7 + b'# team ghost-aaaaaaaaaa ghost\n',
          'trust file: replica ghost-aaaaaaaaaa lacks a key or a team')
bad_trust('nul-byte', 'a NUL byte in the middle (the rest of the file would be lost)',
          T7.replace(b'# team ', b'# team \x00', 1), 'the trust file is not text or too large')
bad_trust('crlf', 'CRLF line ends', T7.replace(b'\n', b'\r\n'), 'not a ruta trust file')
_bigtrust = T7 + b'# team ghost-aaaaaaaaaa ghost\n' * 40000
case('trust-too-large', 'a root-signed version 7 of 1.2 MB (stored gzipped)',
     {tname(7) + '.gz': _bigtrust, tname(7) + '.sig': root(_bigtrust)}, 4, 'refused',
     'the trust file is not text or too large')
case('trust-duplicate', 'version 6 again, byte for byte', {tname(6): T6, tname(6) + '.sig': T6SIG}, 0,
     'duplicate', 'applied 0 changesets')
# trust + changeset combinations
_f = {tname(99): T7.replace(b'# version 7\n', b'# version 99\n') + ('# team %s west\n' % WEST).encode() +
      (WEST + ' namespaces="ruta-changeset,git" ').encode() + b' '.join(read(os.path.join(WORK, 'west.pub')).split()[:2]) + b'\n'}
_f[tname(99) + '.sig'] = sign(_f[tname(99)], 'rogue-root', NS_TRUST)
_f.update(files_for(W1, W1SIG, cs_name(WEST, 1)))
case('trust-forged-endorses-attacker', "a forged version 99 (another head office's root) endorsing west, with west 1",
     _f, 4, 'refused', "refused %s: trust file: signed by a key that is not head office's root key" % tname(99),
     'message refused %s: signed by key %s, which no trust file' % (cs_name(WEST, 1), ere(FP['west'])), 'quarantined 2')
_f = {tname(5): T5, tname(5) + '.sig': T5SIG}
_f.update(files_for(E2, E2SIG, cs_name(EAST, 2)))
case('trust-rollback-unrevokes', 'the old version 5 (east not revoked yet) sent with east 2: 5 skipped, east 2 refused',
     _f, 4, 'refused', 'skipped ruta-trust-00000005.txt: trust file version 5 is older',
     'message refused %s: replica %s was revoked after its changeset 1' % (cs_name(EAST, 2), EAST), 'quarantined 1')
_f = {tname(7): _unrevoked.replace(b'# version 6\n', b'# version 7\n')}
_f[tname(7) + '.sig'] = sign(_f[tname(7)], 'hq', NS_TRUST)
_f.update(files_for(E2, E2SIG, cs_name(EAST, 2)))
case('trust-unrevoke-by-replica-key', "a version 7 un-revoking east signed by hq's replica key, with east 2", _f, 4,
     'refused', "refused %s: trust file: signed by a key that is not head office's root key" % tname(7),
     'message refused %s: replica %s was revoked after its changeset 1' % (cs_name(EAST, 2), EAST), 'quarantined 2')

# mixed: one refused, one waiting
_f = files_for(replace_once(S2, b'Toledo', b'Toledp'), S2SIG)
_f.update(files_for(S3, S3SIG, cs_name(SOUTH, 3)))
case('mixed-altered-2-and-3', 'an altered south 2 with a genuine south 3: 2 refused, 3 waits', _f, 4, 'refused',
     'refused %s: bad signature: it does not match the data' % S2NAME,
     'message waiting %s: waiting for changeset 2 of replica %s' % (cs_name(SOUTH, 3), SOUTH), 'waiting 1')

# =========================================================================================
# K. Bundles on stdin
# =========================================================================================


def bundle(*entries, magic=b'ruta-bundle 1\n'):
    out = magic
    for name, data in entries:
        out += ('%s %d\n' % (name, len(data))).encode() + data + b'\n'
    return out


def bundle_case(slug, about, data, exit_code, verdict, message, *extra):
    case('bundle-' + slug, about, {'input.bundle': data}, exit_code, verdict, message, 'input bundle input.bundle',
         *extra)


GOOD = ((S2NAME, S2), (S2NAME + '.sig', S2SIG))
bundle_case('not-a-bundle', 'south 2 itself on stdin', S2, 1, 'rejected',
            "not a ruta bundle \\(it must start with 'ruta-bundle 1'\\)")
bundle_case('empty', 'nothing on stdin', b'', 1, 'rejected', 'not a ruta bundle')
bundle_case('version-2', 'ruta-bundle 2', bundle(*GOOD, magic=b'ruta-bundle 2\n'), 1, 'rejected', 'not a ruta bundle')
bundle_case('no-length', 'an entry header without a length', b'ruta-bundle 1\n' + S2NAME.encode() + b'\n' + S2, 1,
            'rejected', 'bundle: bad entry')
bundle_case('length-too-long', 'an entry length past the end', b'ruta-bundle 1\n%s %d\n' % (S2NAME.encode(), len(S2) + 100)
            + S2 + b'\n', 1, 'rejected', 'bundle: bad entry')
bundle_case('length-negative', 'an entry length of -1', b'ruta-bundle 1\n%s -1\n' % S2NAME.encode() + S2, 1,
            'rejected', 'bundle: bad entry')
bundle_case('length-huge', 'an entry length of 2^64-1', b'ruta-bundle 1\n%s 18446744073709551615\n' % S2NAME.encode()
            + S2, 1, 'rejected', 'bundle: bad entry')
bundle_case('length-short', 'an entry length one byte short', b'ruta-bundle 1\n%s %d\n' % (S2NAME.encode(), len(S2) - 1)
            + S2 + b'\n', 1, 'rejected', 'bundle: bad entry')
bundle_case('truncated', 'a bundle cut in the middle of its entry', bundle(*GOOD)[:300], 1, 'rejected',
            'bundle: bad entry')
bundle_case('long-header', 'an entry header of 300 bytes', b'ruta-bundle 1\n' + b'a' * 300 + b' 1\nx\n', 1,
            'rejected', 'bundle: bad entry header')
bundle_case('path-name', 'an entry named ../../etc/passwd.json', bundle(('../../etc/passwd.json', S2)), 1,
            'rejected', 'bundle: bad entry')
bundle_case('hidden-name', 'an entry named .json', bundle(('.json', S2)), 1, 'rejected', 'bundle: bad entry')
bundle_case('unexpected-entry', 'an entry named notes.txt', bundle(('notes.txt', b'hello')), 1, 'rejected',
            "bundle: unexpected entry 'notes.txt'")
bundle_case('sig-first', 'the signature before its file', bundle(GOOD[1], GOOD[0]), 1, 'rejected',
            "bundle: signature '%s.sig' does not follow its file" % S2NAME)
bundle_case('sig-twice', 'the signature twice', bundle(GOOD[0], GOOD[1], GOOD[1]), 1, 'rejected',
            'does not follow its file')
bundle_case('altered', 'south 2 with a changed byte, in a bundle',
            bundle((S2NAME, replace_once(S2, b'Toledo', b'Toledp')), GOOD[1]), 4, 'refused', 'does not match the data')
bundle_case('no-sig', 'south 2 without its signature, in a bundle', bundle(GOOD[0]), 4, 'refused', 'no signature')
bundle_case('replay', 'south 1 again, in a bundle', bundle((cs_name(SOUTH, 1), S1), (cs_name(SOUTH, 1) + '.sig', S1SIG)),
            0, 'duplicate', '1 already here')
bundle_case('gap', 'south 3 in a bundle', bundle((cs_name(SOUTH, 3), S3), (cs_name(SOUTH, 3) + '.sig', S3SIG)), 0,
            'waiting', 'a gap: this is 3')
bundle_case('rolled-back-trust', 'trust version 5 in a bundle', bundle((tname(5), T5), (tname(5) + '.sig', T5SIG)),
            0, 'skipped', 'trust file version 5 is older than version 6 in force: not installed')

# =========================================================================================
# Controls: the bases of the cases above, which must apply (so that each case is refused
# for its one defect, not for something it shares with its base)
# =========================================================================================
control('south-2', 'the genuine south 2', files_for(S2, S2SIG), 'applied 1 changeset')
_c = signed_mut(lambda o: field(o, 'employees', 41, base=_base0))
# Its employees field names another base than the version the receiver holds:
# a concurrent edit, so it applies and leaves a conflict open (exit 3).
write_case(CONTROLS, 0, 'south-2-resigned', 'south 2 with one more field, re-signed with ssh-keygen',
           files_for(_c, sign(_c)), 3, 'applied', 'applied 1 changeset', ('message 1 conflict open',))
_c = signed_mut(lambda o: (new_account()(o), new_opp()(o), o['deps'].update(
    {EAST: {'seq': 1, 'hash': sha(E1)}, HQ: {'seq': 1, 'hash': sha(H1)}, NORTH: {'seq': 1, 'hash': sha(N1)}})))
control('south-2-new-records', 'south 2 with a new account and opportunity and full deps, re-signed',
        files_for(_c, sign(_c)), 'applied 1 changeset')
_c = nomad_cs(MS_2020, MS_2020 + 1000)
control('nomad-in-window', 'nomad changes made in 2020, inside its window', files_for(_c, sign(_c, 'nomad'), cs_name(NOMAD, 1)),
        'applied 1 changeset')
control('south-2-then-3', 'south 2 and south 3 together', dict(files_for(S2, S2SIG), **files_for(S3, S3SIG, cs_name(SOUTH, 3))),
        'applied 2 changesets')
control('trust-v7', 'version 7 of the trust file, signed by the root key', {tname(7): T7, tname(7) + '.sig': root(T7)},
        'applied 0 changesets')
control('bundle', 'south 2 in a bundle', {'input.bundle': bundle(*GOOD)}, 'applied 1 changeset',
        'input bundle input.bundle')
control('south-2-at-hq', 'south 2 at head office', files_for(S2, S2SIG), 'applied 1 changeset', 'receiver hq')


def hq_stage(o):
    o.update(replica=HQ, key=FP['hq'], seq=2, prev=sha(H1), deps={},
             records=[{'t': 'stage', 'id': 'won', 'op': 'u', 'f': {'probability': [95, o['hlc']['max'], '0' * 16]}}])


_c = signed_mut(hq_stage, json.loads(H1))
control('stage-by-hq', 'head office changes a stage (what teams may not do)', files_for(_c, sign(_c, 'hq'), cs_name(HQ, 2)),
        'applied 1 changeset')

print('cases.py: %d cases, %d controls' % (count['n'], len(os.listdir(CONTROLS))))
