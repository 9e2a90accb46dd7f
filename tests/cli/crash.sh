# Kill key add at every durable step (the fault-injection seam, CUSTODY_FAULT_AT=N): the vault
# still verifies, no key is lost, and running the command again completes it.
. "$(dirname "$0")/lib.sh"

make_vault
make_identity data
cp -a "$T/vault" "$T/pristine"
completed=no
for n in $(seq 1 80); do
  rm -rf "$T/vault"; cp -a "$T/pristine" "$T/vault"; forget_seen_tips
  status=0
  CUSTODY_FAULT_AT=$n as_creator key add --role data "$T/data.age.card" >"$T/out" 2>"$T/err" || status=$?
  if [ "$status" -eq 0 ]; then
    completed=yes
    echo "key add completed with the fault at step $n: it has $((n - 1)) durable steps"
    break
  fi
  [ "$status" -eq 137 ] || { cat "$T/err"; fail "step $n: expected a kill (137), got $status"; }
  # the interrupted vault verifies (notes allowed) for the creator and the recovery member
  expect_status 0 as_creator verify
  expect_status 0 custody --vault "$T/vault" --identity "$T/recovery.age" --passphrase-file "$T/recovery.pass" verify
  # and the command completes when run again (or says it already had, if the kill came after
  # the ledger append)
  status=0
  as_creator key add --role data "$T/data.age.card" >"$T/out" 2>"$T/err" || status=$?
  if [ "$status" -ne 0 ]; then
    [ "$status" -eq 3 ] && grep -q "already a member" "$T/err" || { cat "$T/err"; fail "step $n: retry exit $status"; }
  fi
  expect_status 0 as_member data verify
  expect_status 0 as_creator verify
done
[ "$completed" = yes ] || fail "key add never completed"

# a disk that fills up mid-command: exit 6, and the vault still verifies
for n in 3 9 15; do
  rm -rf "$T/vault"; cp -a "$T/pristine" "$T/vault"; forget_seen_tips
  status=0
  CUSTODY_FAULT_AT=$n CUSTODY_FAULT_MODE=enospc as_creator key add --role data "$T/data.age.card" >"$T/out" 2>"$T/err" || status=$?
  [ "$status" -eq 6 ] || { cat "$T/err"; fail "ENOSPC at step $n: expected exit 6, got $status"; }
  expect_status 0 as_creator verify
done
echo ok
