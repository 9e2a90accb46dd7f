# No identifying plaintext on disk: unique canaries planted in every identity and narrative field
# must appear in no write system call of any command (strace records every byte written, to any
# file descriptor, by every thread), in no file of the vault, and in no file of the temp directory.
# The only place they may appear is the standard output of a legal member's `show`.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/setup installs it)"
export TMPDIR="$T/tmp"
mkdir -p "$TMPDIR"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
for who in data intake; do admit "$who" "$who"; done

canaries=(Canary-Name-7Qx Canary-Alias-4Rz Canary-Phone-8Kd Canary-Mail-2Wt Canary-Addr-6Hb
  Canary-IdNum-3Lp Canary-Place-9Fm Canary-Event-5Jc Canary-Story-1Vn Canary-Notes-0Gy
  Canary-Media-5Pq)
cat >"$T/canary.yaml" <<YAML
form_version: 1
incident:
  date: "2025-03-14"
  date_approximate: false
  time: "23:40"
  location: "${canaries[6]}"
  district: harbour
  setting: setting.street
  violence_types: [violence.economic.extortion]
  perpetrators: [perpetrator.state.police]
  event_ref: "${canaries[7]}"
person:
  person_ref: "P-9001"
  population: female
  names: ["${canaries[0]}"]
  aliases: ["${canaries[1]}"]
  phones: ["${canaries[2]}"]
  emails: ["${canaries[3]}"]
  address: "${canaries[4]}"
  id_numbers: ["${canaries[5]}"]
narrative:
  text: "${canaries[8]}: what happened, in her words."
  language: en
response:
  first_contact_at: "2025-03-15T08:10:00+03:00"
  actions: []
  notes: "${canaries[9]}"
consent:
  scopes: [legal_action]
YAML

n=0
# traced ALLOWED_FD -- COMMAND...: runs COMMAND under strace; every byte written to any fd but
# ALLOWED_FD (none: -) is checked for canaries.
traced() {
  local allowed=$1
  shift 2
  n=$((n + 1))
  # LeakSanitizer cannot work under ptrace; the other tests check for leaks.
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -xx -e trace=write,pwrite64,writev,pwritev,pwritev2 -e write=all \
    -o "$T/strace.$n" "$@" >"$T/out.$n" 2>"$T/err.$n" </dev/null || true
  /usr/bin/python3 - "$T/strace.$n" "$allowed" "${canaries[@]}" <<'PY' || fail "a canary was written by: $*"
import re, sys
path, allowed, canaries = sys.argv[1], sys.argv[2], [c.encode() for c in sys.argv[3:]]
call = re.compile(r'^\d+\s+(write|pwrite64|writev|pwritev|pwritev2)\((\d+),')
dump = re.compile(r'^\s*\|\s*[0-9a-f]{5}\s+((?:[0-9a-f]{2} ?)+)')
calls, fd, data = [], None, bytearray()
for line in open(path, errors='replace'):
    m = call.match(line)
    if m:
        if fd is not None:
            calls.append((fd, bytes(data)))
        fd, data = m.group(2), bytearray()
        continue
    d = dump.match(line)
    if d and fd is not None:
        data += bytes.fromhex(d.group(1).replace(' ', ''))
if fd is not None:
    calls.append((fd, bytes(data)))
written = sum(len(d) for _, d in calls)
bad = [(f, c) for f, d in calls for c in canaries if c in d and f != allowed]
for f, c in bad:
    print(f"canary {c.decode()} written to fd {f}", file=sys.stderr)
sys.exit(1 if bad or written == 0 else 0)
PY
}

traced - -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/intake.age" --passphrase-file "$T/intake.pass" record --form "$T/canary.yaml"
id=$(cut -d" " -f1 "$T/out.$n")
[ ${#id} -eq 32 ] || { cat "$T/err.$n"; fail "record by intake"; }
traced - -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" list
traced - -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/data.age" --passphrase-file "$T/data.pass" show "$id" --json
grep -q '"facts"' "$T/out.$n" || fail "data show"
traced - -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/data.age" --passphrase-file "$T/data.pass" list --json
traced 1 -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" show "$id"
grep -q "${canaries[0]}" "$T/out.$n" || fail "a legal member's show must show the name"
traced 1 -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" show "$id" --form
sed "s/${canaries[4]}/Canary-Addr-6Hb moved/" "$T/out.$n" >"$T/amended.json"
traced - -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" record --amend "$id" --form "$T/amended.json"
traced - -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" verify --index
grep -q "index identity: ok" "$T/out.$n" || { cat "$T/out.$n" "$T/err.$n"; fail "verify --index"; }
traced - -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" log
# evidence media: a file whose bytes carry a canary in every 64 KiB, attached by the intake member
# (the media-facts child included), then checked with verify --deep; only the object's ciphertext
# may reach the disk
/usr/bin/python3 - "$T/voice.ogg" "${canaries[10]}" <<'PY'
import os, sys
with open(sys.argv[1], "wb") as f:
    for _ in range(40):
        f.write(sys.argv[2].encode() + os.urandom(65536 - len(sys.argv[2])))
PY
traced - -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/intake.age" --passphrase-file "$T/intake.pass" attach "$id" "$T/voice.ogg"
grep -q "attached voice.ogg" "$T/out.$n" || { cat "$T/err.$n"; fail "attach by intake"; }
traced - -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" verify --deep
grep -q "1 attachments" "$T/out.$n" || { cat "$T/out.$n" "$T/err.$n"; fail "verify --deep"; }

# a bad form: the error names the field, never its value
sed 's/setting.street/Canary-Setting-X/' "$T/canary.yaml" >"$T/bad.yaml"
traced - -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/intake.age" --passphrase-file "$T/intake.pass" record --form "$T/bad.yaml"
grep -q "/incident/setting" "$T/err.$n" || fail "the bad form's error must name the field"

# at rest: nothing in the vault (ledger, objects, keys, index) or the temp directory
for canary in "${canaries[@]}"; do
  if grep -rqF -- "$canary" "$T/vault" "$TMPDIR"; then
    fail "canary $canary found on disk: $(grep -rlF -- "$canary" "$T/vault" "$TMPDIR")"
  fi
done
[ -z "$(ls -A "$TMPDIR")" ] || fail "custody left files in TMPDIR: $(ls -A "$TMPDIR")"
ls "$T"/vault/index/*/identity.age >/dev/null 2>&1 || fail "the identity index shard must exist (it holds the canaries, encrypted)"
echo "ok: $n commands traced"
