# R3: each member remembers the last sealed tip she saw of a vault (known_tips, beside her
# identity), and every command refuses a ledger that no longer holds it: the last record cut away
# with its checkpoints, or a history that diverges at that position. A backup restored on purpose
# is accepted only with --accept-rollback, which is logged.
. "$(dirname "$0")/lib.sh"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
examples="$CUSTODY_SOURCE/examples/incidents"
forms=("$examples"/*.yaml)
ledger="$T/vault/ledger/000000.jsonl"

expect_status 0 as_creator record --form "${forms[0]}"
cp -a "$T/vault" "$T/before-last"
before_lines=$(wc -l <"$ledger")
expect_status 0 as_creator record --form "${forms[1]}"
last_id=$(cut -d" " -f1 "$T/out")
[ -s "$T/known_tips" ] || fail "a member remembers the tip she saw in known_tips beside her identity"
grep -q " $(wc -l <"$ledger") " "$T/known_tips" || fail "known_tips names the ledger's size"

# The review's reproduction: the last command's lines deleted, HEAD pointed back, the checkpoints
# past it deleted. Without a remembered tip this verified.
head -n "$before_lines" "$ledger" >"$T/cut" && cat "$T/cut" >"$ledger"
cp "$T/before-last/ledger/HEAD" "$T/vault/ledger/HEAD"
for c in "$T/vault/checkpoints/"*; do
  case $(basename "$c") in
  frontier) ;;
  *) size=$(basename "$c" | cut -d. -f1); [ "$size" -le "$before_lines" ] || rm -f "$c" ;;
  esac
done
for command in verify list "show $last_id" "record --form ${forms[2]}"; do
  # shellcheck disable=SC2086
  expect_status 1 as_creator $command
  expect_contains "$T/err" "possible rollback"
  expect_contains "$T/err" "with $((before_lines + 2)) entries"
  expect_contains "$T/err" "it now has $before_lines entries"
  expect_contains "$T/err" "verify --against"
done
# The refusal wrote nothing: the vault is still the cut one.
[ "$(wc -l <"$ledger")" -eq "$before_lines" ] || fail "a refused record must not append"

# A backup restored on purpose: accepted once, with a note and a log line, then as usual.
expect_status 0 as_creator --accept-rollback verify
expect_contains "$T/err" "accepted a ledger of $before_lines entries"
grep -q "accepted a ledger of $before_lines entries" "$T/known_tips.log" \
  || fail "an accepted rollback is logged in known_tips.log"
expect_status 0 as_creator verify

# Diverging: the same length as what the member saw, but another entry there. Another legal
# member, whose identity lives elsewhere, writes on a copy taken before the creator's last record.
admit legal second
mkdir -p "$T/elsewhere"
mv "$T/second.age" "$T/second.pass" "$T/elsewhere/"
as_second() { custody --vault "$T/vault" --identity "$T/elsewhere/second.age" --passphrase-file "$T/elsewhere/second.pass" "$@"; }
expect_status 0 as_second list
cp -a "$T/vault" "$T/fork-point"
expect_status 0 as_creator record --form "${forms[3]}"
rm -rf "$T/vault" && cp -a "$T/fork-point" "$T/vault"
expect_status 0 as_second record --form "${forms[4]}"
expect_status 1 as_creator list
expect_contains "$T/err" "possible rollback"
expect_contains "$T/err" "is not the one you saw"
# ...which the other member, who saw only her own history, takes as it is.
expect_status 0 as_second verify

# A ledger that only grew is never a rollback.
expect_status 0 as_creator --accept-rollback list
expect_status 0 as_second record --form "${forms[5]}"
expect_status 0 as_creator verify
echo "ok: rollback and divergence refused, an accepted restore logged"
