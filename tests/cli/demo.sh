# The README's demo runs as written (with the test build's binary) and ends with a verified vault.
. "$(dirname "$0")/lib.sh"

CUSTODY_BIN=$(readlink -f "$CUSTODY_BIN") bash "$CUSTODY_SOURCE/scripts/demo" "$T/demo" >"$T/out" 2>"$T/err" \
  || { cat "$T/out" "$T/err" >&2; fail "scripts/demo"; }
expect_contains "$T/out" "created vault"
expect_contains "$T/out" "as intake"
examples=$(ls "$CUSTODY_SOURCE"/examples/incidents/*.yaml | wc -l)
expect_contains "$T/out" "recorded $examples records"
expect_contains "$T/out" "(refused, as designed)"
expect_contains "$T/out" "identity: sealed"
expect_contains "$T/out" "index facts: ok ($examples records)"
expect_contains "$T/out" "attached arrest.mp4"
expect_contains "$T/out" "3 attachments"
expect_contains "$T/out" "media.capture.gps.latitude"
want=$(sha256sum "$CUSTODY_SOURCE/examples/media/arrest.mp4" | cut -c1-64)
[ "$(grep -cE "^$want  .*arrest\.mp4$" "$T/out")" -eq 2 ] \
  || fail "the demo's extracted video must have the original's sha256sum"
expect_contains "$T/out" "redacted text of entry"
expect_contains "$T/out" "(not released until a member reviews it, as designed)"
[ "$(grep -c "^ok: $((examples + 17)) entries" "$T/out")" -eq 2 ] || { cat "$T/out"; fail "the demo must verify as two members"; }
# the last line of the ledger hashes to HEAD
head_hash=$(cut -d' ' -f2 "$T/demo/vault/ledger/HEAD")
grep -q "^$head_hash  -$" "$T/out" || fail "the demo's sha256sum check must match HEAD"
[ ! -e "$T/demo/members/"*.pass ] 2>/dev/null || fail "passphrases must not be left beside the identities"
echo ok
