# custody export --recipe court.yaml (issue 16): a court bundle of two records (one amended, with
# a photo and a recording attached) as a .tar, checked the way a clerk would with standard tools
# only: tar, sha256sum -c in the bag, minisign against the key lodged outside the vault, xmllint
# against the PREMIS 3.0 schema, the bundle's own VERIFY.txt recipe run as written, and the
# independent BagIt validator. The originals come out byte for byte; the address and phones the
# recipe leaves out appear nowhere; one changed byte fails the checks; the export is an entry of
# the ledger. Refusals (an existing output, a bad recipe, an unknown record, another kind, a
# member without the keys, no consenting record) write nothing and append nothing.
. "$(dirname "$0")/lib.sh"

schema="$CUSTODY_SOURCE/tests/data/premis/premis-v3-0.xsd"
validate() { python3 "$CUSTODY_SOURCE/tests/tools/bagit_validate.py" "$1"; }
recipe="$CUSTODY_SOURCE/examples/recipes/court.yaml"
media="$CUSTODY_SOURCE/examples/media"
make_vault
admit advocacy adv
key=$(sed -n 2p "$T/vault/custody.pub")

record() { as_creator record --form "$1" 2>/dev/null | cut -d" " -f1; }
one=$(record "$CUSTODY_SOURCE/examples/incidents/08-landlord-eviction.yaml")
two=$(record "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml")
none=$(record "$CUSTODY_SOURCE/examples/incidents/03-rape-by-client-dockside.yaml")
[ -n "$one" ] && [ -n "$two" ] && [ -n "$none" ] || fail "record"
cp "$media/injury.jpg" "$T/Jeraha la mguu.jpg"
expect_status 0 as_creator attach "$one" "$T/Jeraha la mguu.jpg" "$media/threat.ogg"
# a redacted copy of the photo: a working copy the bundle carries apart from the originals
expect_status 0 as_creator redact "$one" 1 --profile photo --approve --json
derivative=$(jq -r .output_sha256 "$T/out")
sed -e 's/Room 7/Room 8/' "$CUSTODY_SOURCE/examples/incidents/08-landlord-eviction.yaml" >"$T/amended.yaml"
expect_status 0 as_creator record --amend "$one" --form "$T/amended.yaml" --reason "the room number"
# a checkpoint timestamped by a (local) TSA, which the bundle carries with its token
make_tsa
expect_status 0 as_creator checkpoint --tsq "$T/req.tsq"
tsa_reply "$T/req.tsq" "$T/resp.tsr"
expect_status 0 as_creator checkpoint --tsr "$T/resp.tsr"
as_member adv list >/dev/null 2>&1 || fail "list as advocacy"
as_creator show "$one" >/dev/null 2>&1 || fail "show as the creator"

# Refusals write nothing and append nothing.
before=$(snapshot "$T/vault")
printf 'kind: court\norganisation: X\nleave_outs: [person.address]\n' >"$T/bad.yaml"
expect_status 3 as_creator export --recipe "$T/bad.yaml" -o "$T/b.tar" "$one"
expect_contains "$T/err" "line 3"
expect_contains "$T/err" "leave_outs"
printf 'kind: court\norganisation: X\nleave_out: [person.adress]\n' >"$T/bad.yaml"
expect_status 3 as_creator export --recipe "$T/bad.yaml" -o "$T/b.tar" "$one"
expect_contains "$T/err" "person.adress"
printf 'kind: dataset\n' >"$T/dataset.yaml"
expect_status 3 as_creator export --recipe "$T/dataset.yaml" -o "$T/b.tar" "$one"
expect_status 3 as_creator export --recipe "$recipe" -o "$T/b.tar" 0123456789abcdef
expect_status 3 as_creator export --recipe "$recipe" -o "$T/b.tar" "$none"
expect_contains "$T/err" "legal_action"
expect_status 5 as_member adv export --recipe "$recipe" -o "$T/b.tar" "$one"
mkdir "$T/taken"
expect_status 3 as_creator export --recipe "$recipe" -o "$T/taken" "$one"
expect_status 0 as_creator export --recipe "$recipe" --dry-run "$one" "$two" "$none"
expect_contains "$T/out" "$one"
expect_contains "$T/err" "1 record left out"
[ "$(snapshot "$T/vault")" = "$before" ] || { diff <(echo "$before") <(snapshot "$T/vault") >&2; fail "a refused export or a dry run changed the vault"; }
[ ! -e "$T/b.tar" ] || fail "a refused export left an output"
ls -a "$T" | grep -q '^\.tmp-' && fail "a refused export left a temporary bag"

# The bundle, as a .tar, unpacked with GNU tar.
expect_status 0 as_creator export --recipe "$recipe" -o "$T/case.tar" "$one" "$two" "$none"
expect_contains "$T/err" "1 record left out"
expect_contains "$T/out" "$key"
mkdir "$T/x"
tar -xf "$T/case.tar" -C "$T/x" || fail "tar cannot unpack the bundle"
bag="$T/x/case"
[ -f "$bag/bagit.txt" ] || fail "the archive's top directory is not the bag"
(cd "$bag" && sha256sum --quiet -c manifest-sha256.txt && sha256sum --quiet -c tagmanifest-sha256.txt) \
  || fail "sha256sum -c fails on the bundle"
validate "$bag" >"$T/validate.out" 2>&1 || { cat "$T/validate.out" >&2; fail "the BagIt validator refuses the bundle"; }
xmllint --noout --schema "$schema" "$bag/metadata/premis.xml" 2>"$T/xmllint.err" \
  || { cat "$T/xmllint.err" >&2; fail "premis.xml is not valid PREMIS 3.0"; }
grep -q "External-Identifier: HC-CR-2026-0142" "$bag/bag-info.txt" || fail "no case reference in bag-info.txt"
cmp -s "$bag/custody.pub" "$T/vault/custody.pub" || fail "custody.pub is not the vault's"
cp=$(ls "$bag/data/checkpoint" | grep -v '\.')
[ -f "$bag/data/checkpoint/$cp.tsr" ] || fail "the bundle does not carry the checkpoint's token"
minisign -Vm "$bag/data/checkpoint/$cp" -x "$bag/data/checkpoint/$cp.minisig" -P "$key" >/dev/null \
  || fail "minisign does not verify the bundle's checkpoint with the lodged key"

# The originals, byte for byte, under their hashes; their names in original-names.txt.
for file in "$media/injury.jpg" "$media/threat.ogg"; do
  sum=$(sha256sum "$file" | cut -c1-64)
  found=$(ls "$bag/data/original/" | grep "^$sum")
  [ -n "$found" ] || fail "$(basename "$file") is not in the bundle"
  cmp -s "$file" "$bag/data/original/$found" || fail "$(basename "$file") differs in the bundle"
done
grep -q "Jeraha la mguu.jpg" "$bag/original-names.txt" || fail "the original's name is not listed"
# the printed exhibit list names each exhibit by its SHA-256 (two lines of 32) and size
pdftotext -layout "$bag/EXHIBITS.pdf" "$T/exhibits.txt" || fail "pdftotext cannot read EXHIBITS.pdf"
for file in "$media/injury.jpg" "$media/threat.ogg"; do
  sum=$(sha256sum "$file" | cut -c1-64)
  grep -q "${sum:0:32}" "$T/exhibits.txt" && grep -q "${sum:32:32}" "$T/exhibits.txt" \
    || fail "EXHIBITS.pdf does not list $(basename "$file")"
done
grep -q "HC-CR-2026-0142" "$T/exhibits.txt" || fail "EXHIBITS.pdf lacks the case reference"
grep -q "$key" "$T/exhibits.txt" || fail "EXHIBITS.pdf lacks the vault key"
[ ! -e "$bag/data/records/$none" ] || fail "a record without legal_action consent went out"
[ -f "$bag/data/records/$one/record.json" ] || fail "no record.json"
jq -e '.compartments.narrative' "$bag/data/records/$one/record.json" >/dev/null || fail "record.json lacks the narrative"
[ "$(jq '.entries | length' "$bag/data/records/$one/entries.json")" -eq 5 ] \
  || fail "entries.json does not hold the record, its amendment, both attachments and the redaction"
ls "$bag/data/derivative/$derivative".* >/dev/null 2>&1 || fail "the redacted photo is not in data/derivative/"
[ "$(sha256sum "$bag/data/derivative/$derivative".* | cut -c1-64)" = "$derivative" ] || fail "the redacted photo differs"
grep -q "$derivative" "$bag/original-names.txt" && fail "a working copy is listed as an original"
jq -e '[.entries[].payloads[] | select(.compartment == "identity" and .sealed)] | length > 0' \
  "$bag/data/records/$one/entries.json" >/dev/null || fail "the identity documents holding the address are not sealed"

# What the recipe leaves out appears nowhere in the bundle.
for canary in "Room 7, Plot 000" "Room 8, Plot 000" "+000 700 000 231"; do
  grep -rqF "$canary" "$bag" && fail "the bundle holds \"$canary\", which the recipe leaves out"
  tar -xOf "$T/case.tar" | grep -qF "$canary" && fail "the archive holds \"$canary\""
done

# VERIFY.txt, run as written, with the lodged key: every line ok.
run_verify() { # BAG -> $T/verify.out
  awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0; next } on' "$1/VERIFY.txt" >"$T/verify.sh"
  (cd "$1" && KEY=$key CA="$T/tsa/ca.pem" sh "$T/verify.sh") >"$T/verify.out" 2>&1
}
run_verify "$bag"
grep -q "FAILED\|STOP" "$T/verify.out" && { cat "$T/verify.out" >&2; fail "VERIFY.txt fails on the bundle"; }
[ "$(grep -c ': ok$' "$T/verify.out")" -ge 20 ] || { cat "$T/verify.out" >&2; fail "VERIFY.txt checked too little"; }
grep -q "payload 1 (data/original/" "$T/verify.out" || fail "VERIFY.txt did not check an original's commitment"
grep -q "payload 2 (data/derivative/" "$T/verify.out" || fail "VERIFY.txt did not check the working copy's commitment"
grep -q "timestamp: ok" "$T/verify.out" || fail "VERIFY.txt did not check the checkpoint's timestamp"

# custody verify BUNDLE: every check, from the archive itself and from the unpacked directory,
# with the lodged key and the TSA's CA; no vault or identity needed.
expect_status 0 custody verify "$T/case.tar" --key "$key" --tsa-ca "$T/tsa/ca.pem"
expect_contains "$T/out" "0 failed"
expect_contains "$T/out" "timestamp verified"
expect_status 0 custody verify "$bag" --json
jq -e '.ok and (.key_compared | not) and .records == 2 and .originals == 2' "$T/out" >/dev/null \
  || { cat "$T/out" >&2; fail "verify BUNDLE --json"; }
expect_contains "$T/err" "compare it with the one lodged"
expect_status 1 custody verify "$T/case.tar" --key "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"
expect_status 3 custody verify "$T/nothing.tar"

# One changed byte in an original fails sha256sum -c, VERIFY.txt and custody verify.
cp -r "$bag" "$T/flipped"
victim=$(ls "$T/flipped/data/original/" | head -n 1)
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(100); b = f.read(1); f.seek(100); f.write(bytes([b[0] ^ 1]))' \
  "$T/flipped/data/original/$victim"
(cd "$T/flipped" && sha256sum --quiet -c manifest-sha256.txt) >/dev/null 2>&1 && fail "sha256sum -c passes a changed original"
run_verify "$T/flipped"
grep -q "FAILED" "$T/verify.out" || fail "VERIFY.txt passes a changed original"
expect_status 1 custody verify "$T/flipped" --key "$key"
expect_contains "$T/out" "FAILED"

# The export is in the ledger, and the vault still verifies.
as_creator log --json >"$T/log.json" 2>/dev/null || fail "log"
grep -q '"kind":"export"' "$T/log.json" || fail "no export entry in the log"
expect_status 0 as_creator verify --deep --index

# An existing output is refused; --force replaces it. A .zip and a directory validate too.
expect_status 3 as_creator export --recipe "$recipe" -o "$T/case.tar" "$one"
expect_status 0 as_creator export --recipe "$recipe" --force -o "$T/case.tar" "$one"
expect_status 0 as_creator export --recipe "$recipe" -o "$T/case.zip" "$two"
mkdir "$T/z" && (cd "$T/z" && unzip -q "$T/case.zip") || fail "unzip"
validate "$T/z/case" >/dev/null 2>&1 || fail "the .zip bundle does not validate"
# --to: the archive encrypted to the court's age key as it is written; age and tar open it.
age-keygen -o "$T/court.key" 2>/dev/null
court=$(age-keygen -y "$T/court.key")
expect_status 2 as_creator export --recipe "$recipe" --to "$court" -o "$T/plain.tar" "$one"
expect_status 2 as_creator export --recipe "$recipe" -o "$T/sealed.tar.age" "$one"
expect_status 3 as_creator export --recipe "$recipe" --to age1notakey -o "$T/sealed.tar.age" "$one"
expect_status 0 as_creator export --recipe "$recipe" --to "$court" --json -o "$T/sealed.tar.age" "$one"
[ "$(head -c 21 "$T/sealed.tar.age")" = "age-encryption.org/v1" ] || fail "--to did not write an age file"
grep -aq "Payload-Oxum" "$T/sealed.tar.age" && fail "the encrypted bundle holds plaintext"
[ "$(jq -r .archive_sha256 "$T/out")" = "$(sha256sum "$T/sealed.tar.age" | cut -c1-64)" ] \
  || fail "the logged SHA-256 is not the encrypted file's"
mkdir "$T/opened"
age -d -i "$T/court.key" "$T/sealed.tar.age" | tar -x -C "$T/opened" || fail "age -d | tar -x"
validate "$T/opened/sealed" >/dev/null 2>&1 || fail "the decrypted bundle does not validate"
expect_status 0 as_creator export --recipe "$recipe" --json -o "$T/dir" "$one"
jq -e '.entry > 0 and .checkpoint > 0' "$T/out" >/dev/null || fail "--json lacks the entry or the checkpoint"
validate "$T/dir" >/dev/null 2>&1 || fail "the directory bundle does not validate"

# A photo that arrived with a C2PA manifest store (an APP11 segment of JUMBF boxes, made here:
# c2patool is not in Debian): kept byte for byte, and the custody log says it was found and not
# validated; custody adds no claim of its own.
/usr/bin/python3 - "$media/injury.jpg" "$T/signed.jpg" <<'PY'
import struct, sys
tail = bytes.fromhex("00110010800000aa00389b71")
def jumd(kind):
    label = kind.encode() + b"\0"
    body = b"jumd" + kind.encode() + tail + b"\x03" + label
    return struct.pack(">I", 4 + len(body)) + body
def jumb(kind, content=b""):
    body = b"jumb" + jumd(kind) + content
    return struct.pack(">I", 4 + len(body)) + body
store = jumb("c2pa", jumb("c2ma", b"claim and signature would be here"))
payload = b"JP" + struct.pack(">HI", 1, 1) + store
segment = b"\xff\xeb" + struct.pack(">H", 2 + len(payload)) + payload
jpeg = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(jpeg[:2] + segment + jpeg[2:])
PY
signed=$(record "$CUSTODY_SOURCE/examples/incidents/02-unlawful-arrest-condoms.yaml")
expect_status 0 as_creator attach "$signed" "$T/signed.jpg"
expect_status 0 as_creator export --recipe "$recipe" -o "$T/c2pa" "$signed"
hash=$(sha256sum "$T/signed.jpg" | cut -c1-64)
cmp -s "$T/signed.jpg" "$T/c2pa/data/original/$hash.jpg" || fail "the C2PA photo is not byte for byte"
grep -q "carries a C2PA manifest store (1 manifest)" "$T/c2pa/metadata/premis.xml" \
  || fail "the custody log does not say the C2PA manifest was found"
grep -q "did not validate its signatures" "$T/c2pa/metadata/premis.xml" || fail "the custody log overstates"
xmllint --noout --schema "$schema" "$T/c2pa/metadata/premis.xml" 2>/dev/null || fail "premis.xml with a provenance note"
if grep -q "C2PA" "$T/dir/metadata/premis.xml"; then fail "a photo without C2PA was said to carry it"; fi

# A disk that fills while the archive is written (its own thread writes it, direct I/O): the export
# fails with the disk's error, appends nothing, and leaves no bundle, finished or temporary, whether
# the first write fails or one several MiB in, with the original still being decrypted.
head -c $((3 * 1024 * 1024 + 1234)) /dev/urandom >"$T/long.mp4"
sed -e 's/P-0112/P-0113/' "$CUSTODY_SOURCE/examples/incidents/02-unlawful-arrest-condoms.yaml" >"$T/long.yaml"
long=$(record "$T/long.yaml")
expect_status 0 as_creator attach "$long" "$T/long.mp4"
expect_status 0 as_creator checkpoint
mkdir "$T/full"
before=$(snapshot "$T/vault")
for at in 100 2500000; do
  CUSTODY_FAULT_ENOSPC_AT_BYTE=$at expect_status 6 as_creator export --recipe "$recipe" -o "$T/full/b.tar" "$long"
  expect_contains "$T/err" "No space left on device"
  [ -z "$(ls -A "$T/full")" ] || fail "a full disk left $(ls -A "$T/full") behind (at byte $at)"
done
[ "$(snapshot "$T/vault")" = "$before" ] || fail "an export that failed on a full disk changed the vault"
expect_status 0 as_creator export --recipe "$recipe" -o "$T/full/b.tar" "$long"
tar -xf "$T/full/b.tar" -C "$T/full" || fail "tar cannot unpack the bundle with a 3 MiB original"
hash=$(sha256sum "$T/long.mp4" | cut -c1-64)
cmp -s "$T/long.mp4" "$T/full/b/data/original/$hash.mp4" || fail "the 3 MiB original is not byte for byte"
(cd "$T/full/b" && sha256sum --quiet -c manifest-sha256.txt) || fail "sha256sum -c of the bundle with a 3 MiB original"
