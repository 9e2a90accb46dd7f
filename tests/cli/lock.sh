# A second writer waits --wait seconds, then exits 4 with a clear message.
. "$(dirname "$0")/lib.sh"

make_vault
make_identity data
# hold the writers' lock from this shell, as another custody process would
exec 9>>"$T/vault/lock"
flock 9
before=$(snapshot "$T/vault")
start=$(date +%s)
expect_status 4 as_creator --wait 1 key add --role data "$T/data.age.card"
expect_contains "$T/err" "busy"
[ $(($(date +%s) - start)) -lt 15 ] || fail "must give up after --wait"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a busy vault must be left unchanged"
# readers take a shared lock and honour --wait too
expect_status 4 as_creator --wait 1 log
expect_contains "$T/err" "busy"
exec 9>&-
expect_status 0 as_creator key add --role data "$T/data.age.card"
echo ok
