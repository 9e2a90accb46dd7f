# Court bundle bags (lib/custody/export/, driven by tests/tools/custody_bagtool until `custody
# export` exists): originals with hostile names (CR, LF, %, NFC and NFD, case-only differences, `..`,
# a terminal escape, a 200-byte UTF-8 name) give bags that `sha256sum -c` in the bag, the tests'
# independent validator (tests/tools/bagit_validate.py, itself held to the LoC conformance suite) and
# `xmllint --schema` (PREMIS 3.0) accept, as a directory and as a .zip and a .tar unpacked by unzip,
# bsdtar and GNU tar. One changed byte fails them; an output that exists is refused; an interrupted
# bag leaves nothing under its name.
. "$(dirname "$0")/lib.sh"

tool="$CUSTODY_TOOLS/custody_bagtool"
schema="$CUSTODY_SOURCE/tests/data/premis/premis-v3-0.xsd"
validate() { python3 "$CUSTODY_SOURCE/tests/tools/bagit_validate.py" "$1"; }

# The originals: name, then content. Two names share one content (one payload file, two names).
long=$(python3 -c 'import sys; sys.stdout.write("ж" * 97 + "ab.mp4")')
[ "$(printf %s "$long" | wc -c)" -eq 200 ] || fail "the long name is not 200 bytes"
names=(
  $'statement\r.txt'
  $'two\nlines.MP4'
  '100%25 %0A real.jpg'
  $'Nu\xcc\x81n\xcc\x83ez.mov'
  $'N\xc3\xba\xc3\xb1ez.mov'
  'Clip.MP4'
  'clip.mp4'
  '../../../etc/passwd'
  '..'
  $'clip\e[2J\a.webm'
  "$long"
  'same content, other name.txt'
)
mkdir "$T/in"
args=()
for i in "${!names[@]}"; do
  if [ "$i" -eq 11 ]; then
    cp "$T/in/0" "$T/in/$i"
  else
    printf 'original %d: %s\n' "$i" "${names[$i]}" >"$T/in/$i"
  fi
  args+=("${names[$i]}" "$T/in/$i")
done
head -c 3000000 /dev/urandom >"$T/in/big"
args+=('video.MOV' "$T/in/big")
: >"$T/in/empty"
args+=('empty' "$T/in/empty")

# What original-names.txt must hold, worked out here independently of the writer: `%`, CR, LF and
# every other control percent-encoded, sorted by hash then name.
python3 - "$T/expected-names" "${args[@]}" <<'PY'
import hashlib, sys
out, rest = sys.argv[1], sys.argv[2:]
def escape(name):
    raw = name.encode('utf-8', 'surrogateescape')
    text = raw.decode('utf-8')  # every name here is valid UTF-8
    return ''.join('%%%02X' % ord(c) if c == '%' or ord(c) < 0x20 or ord(c) == 0x7f else c for c in text)
lines = set()
for name, path in zip(rest[0::2], rest[1::2]):
    digest = hashlib.sha256(open(path, 'rb').read()).hexdigest()
    lines.add((digest, escape(name)))
with open(out, 'w', encoding='utf-8', newline='\n') as f:
    for digest, name in sorted(lines, key=lambda p: (p[0], p[1].encode())):
        f.write(f'{digest}  {name}\n')
PY

check_bag() { # DIR: every check a clerk or an archivist would run on an unpacked bag
  local bag=$1
  (cd "$bag" && sha256sum -c --strict --quiet manifest-sha256.txt) || fail "$bag: sha256sum -c manifest-sha256.txt"
  (cd "$bag" && sha256sum -c --strict --quiet tagmanifest-sha256.txt) || fail "$bag: sha256sum -c tagmanifest-sha256.txt"
  validate "$bag" || fail "$bag: the independent validator refused it"
  xmllint --noout --schema "$schema" "$bag/metadata/premis.xml" 2>"$T/xmllint" ||
    { cat "$T/xmllint" >&2; fail "$bag: premis.xml is not valid PREMIS 3.0"; }
  cmp "$bag/original-names.txt" "$T/expected-names" ||
    { diff "$bag/original-names.txt" "$T/expected-names" >&2 || true; fail "$bag: original-names.txt"; }
  # Every payload path is plain ASCII: a hash and a sanitised extension.
  if (cd "$bag" && find data -type f) | grep -Evq '^data/(original/[0-9a-f]{64}(\.[a-z0-9]{1,8})?|records/r1\.json)$'; then
    (cd "$bag" && find data -type f) >&2
    fail "$bag: a payload path is not a hash"
  fi
  [ "$(find "$bag/data/original" -type f | wc -l)" -eq 13 ] || fail "$bag: 13 distinct originals expected"
  grep -qx 'Payload-Oxum: [0-9]*\.14' "$bag/bag-info.txt" || fail "$bag: Payload-Oxum"
  grep -qx 'BagIt-Profile-Identifier: https://custody.invalid/profiles/custody-court-v1.json' "$bag/bag-info.txt" ||
    fail "$bag: BagIt-Profile-Identifier"
  printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' | cmp - "$bag/bagit.txt" || fail "$bag: bagit.txt"
  conforms "$bag" || fail "$bag: does not conform to docs/profiles/custody-court-v1.json"
  # The originals come out byte-exact, found by the hash a clerk computes of the file in hand.
  local digest
  digest=$(sha256sum <"$T/in/big" | cut -d' ' -f1)
  cmp "$T/in/big" "$bag/data/original/$digest.mov" || fail "$bag: the video differs"
  # PREMIS escapes markup and never writes a raw control.
  expect_contains "$bag/metadata/premis.xml" '&lt;Clip.MP4&gt; &amp; kept'
  if grep -q $'\e' "$bag/metadata/premis.xml" "$bag/original-names.txt"; then fail "$bag: a raw escape character"; fi
}

# The published profile's rules (BagIt Profiles 1.3.0), checked by reading the profile itself.
conforms() { # BAG
  python3 - "$CUSTODY_SOURCE/docs/profiles/custody-court-v1.json" "$1" <<'PY'
import json, os, re, sys
profile, bag = json.load(open(sys.argv[1])), sys.argv[2]
problems = []
version = open(os.path.join(bag, 'bagit.txt')).readline().split(': ')[1].strip()
if version not in profile['Accept-BagIt-Version']:
    problems.append(f'BagIt-Version {version}')
names = os.listdir(bag)
for kind, required, allowed in (('manifest', 'Manifests-Required', 'Manifests-Allowed'),
                                ('tagmanifest', 'Tag-Manifests-Required', 'Tag-Manifests-Allowed')):
    present = {m.group(1) for n in names if (m := re.fullmatch(kind + r'-(\w+)\.txt', n))}
    if not set(profile[required]) <= present or not present <= set(profile[allowed]):
        problems.append(f'{kind}s {sorted(present)}')
for tag in profile['Tag-Files-Required']:
    if not os.path.isfile(os.path.join(bag, tag)):
        problems.append(f'no {tag}')
if not profile['Allow-Fetch.txt'] and 'fetch.txt' in names:
    problems.append('fetch.txt')
info = [line.rstrip('\n').split(': ', 1) for line in open(os.path.join(bag, 'bag-info.txt'), encoding='utf-8')]
for label, rule in profile['Bag-Info'].items():
    values = [v for k, v in info if k.lower() == label.lower()]
    if rule.get('required') and not values:
        problems.append(f'no {label}')
    if rule.get('repeatable') is False and len(values) > 1:
        problems.append(f'{label} repeated')
    if 'values' in rule and any(v not in rule['values'] for v in values):
        problems.append(f'{label} {values}')
print('\n'.join(problems), file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

cd "$T"

# A directory.
expect_status 0 "$tool" case-0042 --premis "${args[@]}"
check_bag case-0042

# A .zip, unpacked by unzip and by bsdtar.
expect_status 0 "$tool" case-0042.zip --premis "${args[@]}"
read -r _ _ _ zip_hash <"$T/out"
[ "$zip_hash" = "$(sha256sum <case-0042.zip | cut -d' ' -f1)" ] || fail "the archive's hash in the summary"
unzip -tq case-0042.zip >/dev/null || fail "unzip -t"
mkdir unzipped bsdzip
(cd unzipped && unzip -q ../case-0042.zip)
check_bag unzipped/case-0042
(cd bsdzip && bsdtar -xf ../case-0042.zip)
check_bag bsdzip/case-0042

# A .tar, unpacked by bsdtar and GNU tar.
expect_status 0 "$tool" case-0042.tar --premis "${args[@]}"
mkdir bsdtar gnutar
(cd bsdtar && bsdtar -xf ../case-0042.tar)
check_bag bsdtar/case-0042
(cd gnutar && tar -xf ../case-0042.tar)
check_bag gnutar/case-0042
[ "$(tar -tf case-0042.tar | cut -d/ -f1 | sort -u)" = case-0042 ] || fail "the tar has more than one top directory"

# One changed byte anywhere fails sha256sum -c and the validator: in a payload file ...
cp -a case-0042 flipped
f=$(find flipped/data/original -name '*.mov' -size +1M)
# (the byte XORed, not overwritten: a random byte is already 0x00 one time in 256)
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(12345); b = f.read(1); f.seek(12345); f.write(bytes([b[0] ^ 1]))' "$f"
if (cd flipped && sha256sum -c --quiet manifest-sha256.txt) 2>/dev/null; then fail "sha256sum -c missed a changed byte"; fi
if validate flipped 2>/dev/null; then fail "the validator missed a changed byte"; fi
# ... and in a tag file.
rm -rf flipped && cp -a case-0042 flipped
sed -i 's/ingestion/capture/' flipped/metadata/premis.xml
if (cd flipped && sha256sum -c --quiet tagmanifest-sha256.txt) 2>/dev/null; then fail "sha256sum -c missed a changed tag file"; fi
if validate flipped 2>/dev/null; then fail "the validator missed a changed tag file"; fi

# An output that exists is refused and left as it was; --replace swaps it whole.
before=$(cd case-0042 && find . -type f -exec sha256sum {} + | sort)
expect_status 3 "$tool" case-0042 --premis 'a.txt' "$T/in/0"
expect_contains "$T/err" 'exists already'
[ "$before" = "$(cd case-0042 && find . -type f -exec sha256sum {} + | sort)" ] || fail "a refused bag changed the old one"
expect_status 3 "$tool" case-0042.tar 'a.txt' "$T/in/0"
expect_status 0 "$tool" case-0042 --replace 'a.txt' "$T/in/0"
[ "$(find case-0042/data/original -type f | wc -l)" -eq 1 ] || fail "--replace kept the old bag's files"
validate case-0042 || fail "the replacing bag"
expect_status 0 "$tool" case-0042.tar --replace 'a.txt' "$T/in/0"
[ "$(tar -tf case-0042.tar | grep -c data/original/)" -eq 1 ] || fail "--replace kept the old archive"

# Interrupted: killed at its 3rd durable step, a bag leaves nothing under its name, only a .tmp-
# name beside it; a failing disk leaves nothing at all.
for out in killed killed.zip killed.tar; do
  CUSTODY_FAULT_AT=3 expect_status 137 "$tool" "$out" --premis "${args[@]}"
  [ ! -e "$out" ] || fail "$out: an interrupted bag is under its final name"
  ls -d .tmp-"$out"-* >/dev/null 2>&1 || fail "$out: no .tmp- leftover from the kill"
  rm -rf .tmp-"$out"-*
  for at in 1 5 16; do
    CUSTODY_FAULT_AT=$at CUSTODY_FAULT_MODE=enospc expect_status 6 "$tool" "$out" --premis "${args[@]}"
    [ ! -e "$out" ] || fail "$out: a failed bag is under its final name"
    if ls -d .tmp-"$out"-* >/dev/null 2>&1; then fail "$out: a failed bag left its temporary"; fi
  done
done
