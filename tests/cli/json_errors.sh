# With --json, a failure to run is one JSON object on standard error (schemas/output/error.json)
# with the exit status as its code, including CLI11's own parse errors; a verify that runs and finds
# problems prints its report on standard output (schemas/output/report.json) and exits 1. Without
# --json the same failures keep their text lines.
. "$(dirname "$0")/lib.sh"

validate() { # SCHEMA FILE: FILE holds exactly one JSON document, valid against the schema
  /usr/bin/python3 - "$CUSTODY_SOURCE/schemas/output/$1.json" "$2" <<'PY' || { cat "$2" >&2; fail "$2 is not one object matching schemas/output/$1.json"; }
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
lines = [l for l in open(sys.argv[2]) if l.strip()]
assert len(lines) == 1, f"{len(lines)} lines, not one"
jsonschema.Draft202012Validator(schema).validate(json.loads(lines[0]))
PY
}

# expect_json_error STATUS COMMAND...: exits STATUS, nothing on stdout, one error object on stderr
expect_json_error() {
  local want=$1
  expect_status "$@"
  [ ! -s "$T/out" ] || { cat "$T/out" >&2; fail "an error printed something on standard output: ${*:2}"; }
  validate error "$T/err"
  jq -e --argjson code "$want" '.type == "error" and .code == $code' "$T/err" >/dev/null \
    || fail "the error object's code is not $want: ${*:2}"
}

# usage: no vault given (the library's hint is worded by cmd/)
expect_json_error 2 custody verify --json
jq -e '.hint | test("--vault DIR")' "$T/err" >/dev/null || fail "the hint names --vault"
# CLI11's own parse errors, --json before or after the bad option
expect_json_error 2 custody verify --json --no-such-option
expect_json_error 2 custody --no-such-option log --json
expect_json_error 2 custody list --json --period
# without --json they stay text
expect_status 2 custody verify --no-such-option
expect_contains "$T/err" "--no-such-option"
expect_status 2 custody verify
expect_contains "$T/err" "custody: error: no vault given"

# not a vault: exit 3, and a Remedy worded as before
expect_json_error 3 custody --vault "$T/nowhere" verify --json
jq -e '.hint == "check --vault, or create a vault with `custody init`"' "$T/err" >/dev/null \
  || fail "the remedy check_vault is worded by cmd/"
expect_status 3 custody --vault "$T/nowhere" log
expect_contains "$T/err" "custody: hint: check --vault, or create a vault with \`custody init\`"

make_vault
# wrong passphrase: exit 5
printf 'not the passphrase\n' >"$T/wrong.pass"
chmod 600 "$T/wrong.pass"
expect_json_error 5 custody --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/wrong.pass" list --json
# an unknown record: exit 3
expect_json_error 3 as_creator show 0000000000 --json
# a record id that is not one: the remedy use_record_id
expect_json_error 3 as_creator show zz --json
jq -e '.hint | test("the id or the receipt `custody record` printed")' "$T/err" >/dev/null || fail "use_record_id is worded"

as_creator record --form "$CUSTODY_SOURCE/examples/incidents" >/dev/null 2>&1 || fail "record"
cp -a "$T/vault" "$T/pristine"
restore() { rm -rf "$T/vault"; cp -a "$T/pristine" "$T/vault"; }

# verify finds an altered object: a report on stdout, invariant 8, exit 1, no text on stderr
printf 'x' >>"$(find "$T/vault/objects" -type f | head -1)"
expect_status 1 as_creator verify --json
validate report "$T/out"
jq -e '.type == "report" and .ok == false and .problems[0].invariant == 8' "$T/out" >/dev/null \
  || { cat "$T/out" >&2; fail "the report names invariant 8"; }
expect_not_contains "$T/err" "FAILED"
# the same without --json: the text lines, as before
expect_status 1 as_creator verify
# The first object find lists is any of them: a seal's object is caught while the ledger is read
# ("FAILED: ledger/... entry N (seal): object ..."), another's when the objects are ("FAILED:
# object ..."). Either names the object's failure.
expect_contains "$T/err" "custody: verify: FAILED: "
expect_contains "$T/err" "does not match its name"
[ ! -s "$T/out" ] || fail "a failed verify printed on standard output"

# a broken chain: entry 1's prev no longer matches entry 0 (invariant 5)
restore
segment="$T/vault/ledger/000000.jsonl"
flip_first() { # FIELD LINE: changes the first hex digit of FIELD in line LINE of the segment
  perl -i -pe 's/"'"$1"'":"(.)/"'"$1"'":"@{[$1 eq "a" ? "b" : "a"]}/ if $. == '"$2" "$segment"
}
flip_first prev 2
expect_status 1 as_creator verify --json
validate report "$T/out"
jq -e '.problems[0].invariant == 5' "$T/out" >/dev/null || { cat "$T/out" >&2; fail "a broken chain is invariant 5"; }
# entry 0's commitment no longer opens (invariant 13), found as entry 0 is replayed
restore
flip_first commit 1
expect_status 1 as_creator verify --json
validate report "$T/out"
jq -e '.problems[0].invariant == 13' "$T/out" >/dev/null || { cat "$T/out" >&2; fail "a commitment is invariant 13"; }

# a torn tail: the report carries the repair hint; --repair without an identity stays exit 2
restore
printf '{"seq":' >>"$segment"
expect_status 1 custody --vault "$T/vault" verify --json
validate report "$T/out"
jq -e '.problems[0].invariant == 2 and (.problems[0].hint | test("custody verify --repair"))' "$T/out" \
  >/dev/null || { cat "$T/out" >&2; fail "a torn tail is invariant 2 with the repair hint"; }
expect_json_error 2 custody --vault "$T/vault" verify --repair --json
jq -e '.message == "--repair needs a legal member'"'"'s identity" and .hint == "pass --identity"' "$T/err" \
  >/dev/null || fail "--repair without an identity is worded by cmd/"
expect_status 2 custody --vault "$T/vault" verify --repair
expect_contains "$T/err" "custody: error: --repair needs a legal member's identity"
expect_contains "$T/err" "custody: hint: pass --identity"
echo ok
