# A command refused for bad input writes nothing (docs/formats.md 10.1, 10.2; security review R12):
# not even the index shards a reader brings forward. Every file of the vault is compared, by
# SHA-256, before and after each refusal, while the member's shards are behind the ledger.
. "$(dirname "$0")/lib.sh"

make_vault
expect_status 0 as_creator record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
id=$(cut -d" " -f1 "$T/out")
head -c 1000 /dev/urandom >"$T/clip.bin"
expect_status 0 as_creator attach "$id" "$T/clip.bin" --no-checkpoint
expect_status 0 as_creator show "$id" --form
cp "$T/out" "$T/form.json"
# a writer leaves the member's state cache at the tip, and her shards one record behind
expect_status 0 as_creator record --form "$CUSTODY_SOURCE/examples/incidents/02-unlawful-arrest-condoms.yaml" --no-checkpoint
unknown=0123456789abcdef0123456789abcdef
touch "$T/exists"

refused() { # STATUS TEXT COMMAND...: refused with STATUS saying TEXT, and the vault unchanged
  local status=$1 text=$2
  shift 2
  local before
  before=$(snapshot "$T/vault")
  expect_status "$status" "$@"
  expect_contains "$T/err" "$text"
  [ "$(snapshot "$T/vault")" = "$before" ] || fail "refused, but the vault changed: $*"
}
refused 3 "already exists; nothing was written" as_creator extract "$id" 1 -o "$T/exists"
refused 3 "has no attachment 2" as_creator extract "$id" 2 -o "$T/new.bin"
[ ! -e "$T/new.bin" ] || fail "a refused extract wrote its output"
refused 3 "no record" as_creator show "$unknown"
refused 3 "no record" as_creator show "$unknown" --form
refused 3 "no record" as_creator prove "$unknown"
refused 3 "no record" as_creator attach "$unknown" "$T/clip.bin"
refused 3 "no record" as_creator record --amend "$unknown" --form "$T/form.json"

# the control: the same reader, not refused, saves what it brought forward
before=$(snapshot "$T/vault")
expect_status 0 as_creator show "$id"
[ "$(snapshot "$T/vault")" != "$before" ] || fail "show saved no index shard: the comparison proves nothing"
echo "ok: refused commands wrote nothing"
