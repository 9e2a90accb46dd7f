# The command line as a person meets it: a misspelt command or option is named with the nearest
# one, in the house error format (and as JSON with --json); every command's --help shows the global
# options; -q keeps notes quiet but not errors; log -n N; and members who cannot sign a checkpoint
# are told nothing about it.
. "$(dirname "$0")/lib.sh"

# --- did you mean ---
expect_status 2 custody lsit
[ "$(head -n1 "$T/err")" = 'custody: error: unknown command "lsit"; did you mean "list"?' ] \
  || { cat "$T/err"; fail "a misspelt command must be named with the nearest one"; }
expect_contains "$T/err" "custody: hint: \`custody --help\` lists the commands"
expect_status 2 custody shwo 3f2a9c1e
expect_contains "$T/err" 'did you mean "show"?'
expect_status 2 custody key nwe --out "$T/x.age"
expect_contains "$T/err" 'unknown command "key nwe"; did you mean "key new"?'
expect_status 2 custody list --jsno
expect_contains "$T/err" 'custody: error: unknown option "--jsno"; did you mean "--json"?'
expect_contains "$T/err" "\`custody list --help\` lists the options"
# a global option misspelt after the command, and one nothing is near
expect_status 2 custody log --vualt "$T/vault"
expect_contains "$T/err" 'did you mean "--vault"?'
expect_status 2 custody xyzzy
expect_contains "$T/err" 'unknown command "xyzzy"'
expect_not_contains "$T/err" "did you mean"
# a command's option before the command
expect_status 2 custody --json log
expect_contains "$T/err" 'is an option of a command, not a global one'
# --json: the same as one JSON object
expect_status 2 custody lsit --json
jq -e '.type == "error" and .code == 2 and .message == "unknown command \"lsit\"; did you mean \"list\"?"' \
  "$T/err" >/dev/null || { cat "$T/err"; fail "--json must give the suggestion as a JSON error"; }
# CLI11's own errors come in the house format too
expect_status 2 custody log --vault
expect_contains "$T/err" "custody: error: --vault"
expect_contains "$T/err" "custody: hint:"

# --- every command's --help shows the global options ---
expect_status 0 custody --help
commands=$(awk '/^Subcommands:/ { inside = 1; next } inside && /^[^ ]/ { inside = 0 }
                inside && /^  [a-z]/ { print $1 }' "$T/out")
[ -n "$commands" ] || fail "custody --help lists no command"
for command in $commands; do
  expect_status 0 custody "$command" --help
  expect_contains "$T/out" "Global options"
  for option in --vault --identity --passphrase-file --wait -q,--quiet; do
    sed -n '/^Global options/,$p' "$T/out" | grep -qE -- "^ +$option( |$)" \
      || { cat "$T/out"; fail "custody $command --help does not show the global option $option"; }
  done
done
expect_status 0 custody key add --help
expect_contains "$T/out" "Global options"

# --- -q/--quiet: no notes; errors still ---
make_vault
make_identity field
expect_status 0 as_creator key add --role intake "$T/field.age.card"
expect_contains "$T/err" "checkpoint of"
make_identity data
expect_status 0 as_creator -q key add --role data "$T/data.age.card"
[ ! -s "$T/err" ] || { cat "$T/err"; fail "-q must keep notes off standard error"; }
expect_contains "$T/out" "admitted"
expect_status 0 as_creator --quiet verify
[ ! -s "$T/err" ] || { cat "$T/err"; fail "--quiet verify printed on standard error"; }
expect_status 3 as_creator -q show 00000000
expect_contains "$T/err" "custody: error:"

# --- members who cannot sign a checkpoint are told nothing about it ---
expect_status 0 as_member field record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
expect_not_contains "$T/err" "checkpoint"
expect_not_contains "$T/err" "signing key"
expect_status 0 as_member data record --form "$CUSTODY_SOURCE/examples/incidents/02-unlawful-arrest-condoms.yaml"
expect_not_contains "$T/err" "checkpoint"

# --- log -n N: the last N entries ---
expect_status 0 as_creator log
all=$(wc -l <"$T/out")
[ "$all" -gt 3 ] || fail "the log is too short to test -n"
tail -n 2 "$T/out" >"$T/last2"
expect_status 0 as_creator log -n 2
diff "$T/out" "$T/last2" >/dev/null || { cat "$T/out"; fail "log -n 2 must print the last 2 entries"; }
expect_status 0 custody --vault "$T/vault" log --last 1 --json
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "log --last 1 --json must print one line"
jq -e --argjson seq "$((all - 1))" '.seq == $seq' "$T/out" >/dev/null || fail "the last entry is seq $((all - 1))"
expect_status 0 custody --vault "$T/vault" log -n 1000
[ "$(wc -l <"$T/out")" -eq "$all" ] || fail "log -n with more than there are prints them all"
expect_status 2 custody --vault "$T/vault" log -n -3
echo ok
