# init leaves nothing half made: killed at every durable step of the fault seam (CUSTODY_FAULT_AT=N);
# init_full_disk.sh runs this with a full disk (CUSTODY_FAULT_MODE=enospc) from each step on,
# sourcing this file with mode=enospc. Afterwards there is
# either a whole vault whose recovery identity opens it, or no vault; then the same init, run
# again, succeeds and leaves no DIR.init-* behind. A full disk, which custody sees, leaves nothing at
# all when the vault was not made: no DIR.init-*, no recovery identity. (Issue 12, "init must leave
# nothing half made".)
mode=${mode:-kill}
. "$(dirname "$0")/lib.sh"

make_identity creator
make_passphrase "$T/recovery.pass"
run_init() { # [MORE OPTIONS]
  custody init --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" \
    --recovery-out "$T/recovery.age" --recovery-passphrase-file "$T/recovery.pass" --work-factor 10 "$@"
}
reset() { rm -rf "$T/vault" "$T"/vault.init-* "$T/recovery.age" "$T/recovery.age.card" "$T/known_vaults" "$T/known_tips"*; }
residue() { ls -d "$T"/vault.init-* 2>/dev/null || true; }
# the vault is whole: both legal members open and verify it
whole() { # CONTEXT
  [ -s "$T/recovery.age" ] && [ -s "$T/recovery.age.card" ] || fail "$1: a vault without its recovery identity"
  expect_status 0 as_creator verify
  expect_status 0 custody --vault "$T/vault" --identity "$T/recovery.age" --passphrase-file "$T/recovery.pass" verify
  [ -z "$(residue)" ] || fail "$1: $(residue) left beside a vault"
}

# How many durable steps a whole init takes, counted by the seam. It varies by two from run to run:
# init's three objects land in fan-out directories named by their (random) ciphertexts' hashes,
# and when two share one, that directory is made once, one mkdir and one fsync fewer.
reset
CUSTODY_FAULT_COUNT="$T/count" run_init >/dev/null 2>&1 || fail "init without a fault failed"
steps=$(cat "$T/count")
[ "$steps" -gt 0 ] || fail "init never completed"
# Every step when CUSTODY_SWEEP=all (scripts/crash-loop runs them all too); in the suite every
# fifth, the first and the last, so the suite stays in minutes under ASan.
stride=5
[ "${CUSTODY_SWEEP:-}" != all ] || stride=1
echo "init has $steps durable steps; $mode at every ${stride}th"

for n in $( (seq 1 "$stride" "$steps"; echo "$steps") | sort -nu); do
  reset
  status=0
  rm -f "$T/count"
  CUSTODY_FAULT_AT=$n CUSTODY_FAULT_MODE=$mode CUSTODY_FAULT_COUNT="$T/count" run_init >"$T/out" 2>"$T/err" || status=$?
  # a run that completes had fewer steps than the kill's (a shared fan-out directory, above)
  if [ "$status" -eq 0 ] && [ "$(cat "$T/count")" -lt "$n" ]; then
    whole "$mode at step $n, which this run of $(cat "$T/count") steps never reached"
    continue
  fi
  case $mode in
  kill) [ "$status" -eq 137 ] || { cat "$T/err"; fail "step $n: expected a kill (137), got $status"; } ;;
  *)
    # 6; or 0 when only something after the first checkpoint failed (a note), the vault made
    [ "$status" -eq 6 ] || [ "$status" -eq 0 ] || { cat "$T/err"; fail "$mode at step $n: expected exit 6, got $status"; }
    [ "$status" -eq 0 ] || expect_contains "$T/err" "No space left on device"
    ;;
  esac
  if [ -d "$T/vault/ledger" ]; then
    whole "$mode at step $n"
  else
    [ ! -e "$T/vault" ] || fail "$mode at step $n: a half-made vault"
    if [ "$mode" != kill ]; then
      # a failure custody sees leaves nothing at all
      [ ! -e "$T/recovery.age" ] && [ ! -e "$T/recovery.age.card" ] && [ -z "$(residue)" ] \
        || { ls -la "$T"; fail "$mode at step $n: init left something behind"; }
    fi
    # the same command again: it takes up a recovery identity a killed one wrote, and removes the
    # directory it was building in (without its first checkpoint, which is not what is tested here)
    expect_status 0 run_init --no-checkpoint
    whole "$mode at step $n, then init again"
  fi
done
[ "$mode" = kill ] || { echo "ok: init failing with $mode at each of its $steps steps left a whole vault or nothing"; exit 0; }

# A recovery identity an interrupted init left is taken up only with the passphrase it was made
# with, and only for the vault that init was making; any other file is never overwritten.
kill_before_rename() { # the last step before the vault is renamed into place
  local n
  for n in $(seq "$steps" -1 1); do
    reset
    CUSTODY_FAULT_AT=$n run_init >/dev/null 2>&1 || true
    if [ ! -e "$T/vault" ] && [ -s "$T/recovery.age.card" ]; then return 0; fi
  done
  fail "no step leaves a recovery identity without a vault"
}
kill_before_rename
cp "$T/recovery.age" "$T/left.age"
make_passphrase "$T/other.pass"
expect_status 3 custody init --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" \
  --recovery-out "$T/recovery.age" --recovery-passphrase-file "$T/other.pass" --work-factor 10
expect_contains "$T/err" "recovery.age\" already exists"
cmp -s "$T/recovery.age" "$T/left.age" || fail "an identity was overwritten"
expect_status 3 custody init --vault "$T/elsewhere" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" \
  --recovery-out "$T/recovery.age" --recovery-passphrase-file "$T/recovery.pass" --work-factor 10
expect_contains "$T/err" "recovery.age\" already exists"
[ ! -e "$T/elsewhere" ] || fail "a refused init made a vault"
expect_status 0 run_init
expect_contains "$T/err" "taking up the recovery identity an interrupted init left"
cmp -s "$T/recovery.age" "$T/left.age" || fail "the recovery identity was not the one left"
whole "taken up"

# A directory another init is still building in is left alone.
reset
mkdir -m 700 "$T/vault.init-Busy01"
: >"$T/vault.init-Busy01/lock"
flock "$T/vault.init-Busy01/lock" sleep 30 &
holder=$!
sleep 0.5
expect_status 0 run_init
[ -d "$T/vault.init-Busy01" ] || fail "init removed a directory another init holds"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
echo "ok: init killed or out of space at each of its $steps steps left a whole vault or nothing"
