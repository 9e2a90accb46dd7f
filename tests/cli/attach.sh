# custody attach, extract, show and verify --deep: exact bytes in and out, checked with sha256sum;
# bad files, a file that changes while read, a full disk and Ctrl-C leave the vault exactly as it
# was; roles; and no plaintext of a file ever reaches the disk outside its object.
. "$(dirname "$0")/lib.sh"

make_vault
for who in data intake; do admit "$who" "$who"; done
expect_status 0 as_member intake record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
id=$(cut -d" " -f1 "$T/out")

# a file whose every 64 KiB chunk carries a canary, a little over 3 MiB so that it spans blocks
canary="CANARY-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
/usr/bin/python3 - "$T/clip.mp4" "$canary" <<'PY'
import os, sys
with open(sys.argv[1], "wb") as f:
    for _ in range(50):
        f.write(sys.argv[2].encode() + os.urandom(65536 - len(sys.argv[2])))
    f.write(b"tail" * 1001)
PY
want=$(sha256sum "$T/clip.mp4" | cut -d' ' -f1)

# the intake member attaches (she cannot read the index: the id is checked against the record list
# the seals carry), and cannot read it back
expect_status 0 as_member intake attach "$id" "$T/clip.mp4" --note "from the phone" --captured-at 2025-03-14 --json
jq -e --arg h "$want" '.attachments[0].sha256 == $h and .attachments[0].kind == "video"' "$T/out" >/dev/null \
  || fail "attach --json must give the file's SHA-256 and kind"
object=$(jq -r '.attachments[0].object' "$T/out")
# an id with a wrong digit names no record, for intake too (checked against the seals' record list)
expect_status 3 as_member intake attach "${id:0:31}$([ "${id:31}" = 0 ] && echo 1 || echo 0)" "$T/clip.mp4"
expect_contains "$T/err" "did you mean $id"

# the object is named by its own hash and its size is the Padmé size plus age's overhead
path="$T/vault/objects/${object:0:2}/${object:2}"
[ "$(sha256sum "$path" | cut -d' ' -f1)" = "$object" ] || fail "the object must be named by its SHA-256"
size=$(stat -c %s "$T/clip.mp4")
padded=$(/usr/bin/python3 -c "
L=$size; E=L.bit_length()-1; S=E.bit_length(); m=(1<<(E-S))-1; print((L+m)&~m)")
stored=$(stat -c %s "$path")
[ "$stored" -gt "$padded" ] && [ "$stored" -lt $((padded + padded / 1000 + 512)) ] \
  || fail "object of $stored bytes for $size padded to $padded"

# show lists it (legal), extract gives the exact bytes, checked with sha256sum
expect_status 0 as_creator show "$id" --json
jq -e --arg h "$want" '.attachments[0].number == 1 and .attachments[0].sha256 == $h
  and .attachments[0].note == "from the phone" and .attachments[0].captured_at == "2025-03-14"' "$T/out" >/dev/null \
  || fail "show must list the attachment"
expect_status 0 as_creator show "$id"
expect_contains "$T/out" "attachment 1: clip.mp4"
expect_status 0 as_creator extract "$id" 1 -o "$T/out.mp4"
[ "$(sha256sum "$T/out.mp4" | cut -d' ' -f1)" = "$want" ] || fail "extract must give the exact bytes"
expect_status 3 as_creator extract "$id" 1 -o "$T/out.mp4"
expect_contains "$T/err" "already exists"
expect_status 3 as_creator extract "$id" 2 -o "$T/other.mp4"
[ ! -e "$T/other.mp4" ] || fail "a failed extract must leave no file"
# a data member sees no attachment and cannot extract one
expect_status 0 as_member data show "$id" --json
jq -e '.attachments == []' "$T/out" >/dev/null || fail "a data member must not see attachments"
expect_status 5 as_member data extract "$id" 1 -o "$T/data.mp4"
[ ! -e "$T/data.mp4" ] || fail "a refused extract must leave no file"

expect_status 0 as_creator verify --deep --json
jq -e '.deep.attachments == 1 and .deep.attachment_bytes == '"$size" "$T/out" >/dev/null \
  || fail "verify --deep must check the attachment"
expect_status 0 as_member data verify --deep --json
jq -e '.deep.attachments == 0 and .deep.sealed > 0' "$T/out" >/dev/null \
  || fail "verify --deep counts what a member's keys do not open"

# no plaintext of the file anywhere in the vault (index included), nor in any file of the temp
# directory made while it was attached (the test's own copies in $T aside)
if grep -rqa "$canary" "$T/vault"; then
  fail "the file's plaintext reached the vault"
fi
if find "${TMPDIR:-/tmp}" -xdev -type f -newer "$T/clip.mp4" -not -path "$T/*" 2>/dev/null \
  | xargs -r grep -la "$canary" 2>/dev/null | grep -q .; then
  find "${TMPDIR:-/tmp}" -xdev -type f -newer "$T/clip.mp4" -not -path "$T/*" 2>/dev/null | xargs -r grep -la "$canary" >&2
  fail "the file's plaintext reached the temp directory"
fi

# the example media: their capture facts (read by the keyless child) are kept, encrypted, and
# agree with exiftool's
expect_status 0 as_creator attach "${id:0:8}" "$CUSTODY_SOURCE/examples/media/arrest.mp4" \
  "$CUSTODY_SOURCE/examples/media/injury.jpg" "$CUSTODY_SOURCE/examples/media/threat.ogg"
expect_status 0 as_creator show "$id" --json
jq -e '.attachments[1].kind == "video" and .attachments[1].media.mime == "video/mp4"
  and (.attachments[1].media.capture.gps.latitude | tonumber | . < -20.12 and . > -20.13)
  and .attachments[2].kind == "photo" and .attachments[2].media.capture.make == "Fictional Devices"
  and .attachments[3].kind == "audio" and (.attachments[3].media.streams[0].codec == "opus")' "$T/out" >/dev/null \
  || { jq '.attachments' "$T/out"; fail "the media facts of the examples"; }
if command -v exiftool >/dev/null; then
  model=$(exiftool -s3 -Model "$CUSTODY_SOURCE/examples/media/injury.jpg")
  jq -e --arg m "$model" '.attachments[2].media.capture.model == $m' "$T/out" >/dev/null \
    || fail "the camera model must be exiftool's"
fi
expect_status 0 as_creator extract "$id" 2 -o "$T/arrest.mp4"
cmp -s "$T/arrest.mp4" "$CUSTODY_SOURCE/examples/media/arrest.mp4" || fail "the video must come back exactly"

# bad files: nothing is written, the vault is byte for byte as it was
snapshot "$T/vault" >"$T/before"
mkfifo "$T/fifo"
for bad in "$T/missing.mp4" "$T" "$T/fifo"; do
  expect_status 3 as_creator attach "$id" "$bad"
  expect_contains "$T/err" "$(basename "$bad")"
done
expect_status 2 as_creator attach "$id" "$T/clip.mp4" --kind hologram
expect_status 2 as_creator attach "$id" "$T/clip.mp4" --captured-at yesterday
snapshot "$T/vault" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "a refused attach must leave the vault unchanged"

# a file that grows while it is read is refused
head -c $((64 * 1024 * 1024)) /dev/zero >"$T/growing.bin"
( sleep 0.2; for _ in $(seq 50); do printf 'more' >>"$T/growing.bin"; sleep 0.02; done ) &
grower=$!
status=0
as_creator attach "$id" "$T/growing.bin" >"$T/out" 2>"$T/err" || status=$?
wait "$grower"
if [ "$status" -eq 0 ]; then
  echo "note: the file was read before it changed; not a failure of custody" >&2
else
  [ "$status" -eq 3 ] || fail "a changing file: expected exit 3, got $status"
  expect_contains "$T/err" "changed while it was read"
fi
expect_status 0 as_creator verify

# a disk that fills up at a chosen byte of the object: exit 6, no entry, no object
snapshot "$T/vault" >"$T/before"
entries=$(cat "$T/vault"/ledger/*.jsonl | wc -l)
status=0
CUSTODY_FAULT_ENOSPC_AT_BYTE=1000000 as_creator attach "$id" "$T/clip.mp4" >"$T/out" 2>"$T/err" || status=$?
[ "$status" -eq 6 ] || { cat "$T/err"; fail "ENOSPC: expected exit 6, got $status"; }
[ "$(cat "$T/vault"/ledger/*.jsonl | wc -l)" -eq "$entries" ] || fail "ENOSPC must write no entry"
snapshot "$T/vault" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "ENOSPC must leave the vault unchanged"

# Ctrl-C while a large file is read: exit 130, nothing written
head -c $((512 * 1024 * 1024)) /dev/zero >"$T/big.bin"
snapshot "$T/vault" >"$T/before"
as_creator attach "$id" "$T/big.bin" >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.3
kill -INT "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
if [ "$status" -ne 0 ]; then
  [ "$status" -eq 130 ] || { cat "$T/err"; fail "Ctrl-C: expected exit 130, got $status"; }
  snapshot "$T/vault" >"$T/after"
  cmp -s "$T/before" "$T/after" || fail "Ctrl-C must leave the vault unchanged"
fi
rm -f "$T/big.bin" "$T/growing.bin"

# a damaged object: verify names it; extract refuses and leaves no file
printf 'x' | dd of="$path" bs=1 seek=200 conv=notrunc status=none
expect_status 1 as_creator verify
expect_contains "$T/err" "${object:2}"
# --deep reads each object once: the damage is found while decrypting, and by a member who cannot
# decrypt it, by its hash alone
expect_status 1 as_creator verify --deep
expect_contains "$T/err" "${object:2}"
expect_status 1 as_member data verify --deep
expect_contains "$T/err" "${object:2}"
expect_status 1 as_creator extract "$id" 1 -o "$T/damaged.mp4"
[ ! -e "$T/damaged.mp4" ] || fail "a damaged object must not be extracted"
echo ok
