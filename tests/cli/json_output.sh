# Every --json output validates against its schema in schemas/output/ (checked with Debian's
# python3-jsonschema, an independent validator).
. "$(dirname "$0")/lib.sh"

validate() { # SCHEMA FILE: each line of FILE is one JSON document
  /usr/bin/python3 - "$CUSTODY_SOURCE/schemas/output/$1.json" "$2" <<'PY' || fail "$2 does not match schemas/output/$1.json"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
lines = [l for l in open(sys.argv[2]) if l.strip()]
assert lines, "no output"
for line in lines:
    jsonschema.Draft202012Validator(schema).validate(json.loads(line))
PY
}

make_passphrase "$T/a.pass"
expect_status 0 custody key new --out "$T/a.age" --passphrase-file "$T/a.pass" --work-factor 10 --json
validate identity "$T/out"
expect_status 0 custody key show "$T/a.age" --passphrase-file "$T/a.pass" --json
validate card "$T/out"

make_identity creator
make_passphrase "$T/recovery.pass"
expect_status 0 custody init --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" \
  --recovery-out "$T/recovery.age" --recovery-passphrase-file "$T/recovery.pass" --work-factor 10 --json
validate vault_created "$T/out"
expect_status 0 as_creator key add --role intake "$T/a.age.card" --json
validate member_added "$T/out"
expect_status 0 as_creator log --json
validate entry "$T/out"
expect_status 0 custody --vault "$T/vault" log --json
validate entry "$T/out"
expect_status 0 as_creator verify --json
validate verify "$T/out"
as_creator record --form "$CUSTODY_SOURCE/examples/incidents" --json >"$T/out" 2>"$T/err" || fail "record --json"
validate recorded "$T/out"
id=$(jq -r '.records[0].id' "$T/out")
expect_status 0 as_creator list --json
validate records "$T/out"
expect_status 0 as_creator stats --rows population --json
validate stats "$T/out"
expect_status 0 as_creator policy --json
validate policy "$T/out"
expect_status 0 as_creator show "$id" --json
validate record "$T/out"
expect_status 0 as_creator show "$id" --form
jq '.incident.district = "dockside"' "$T/out" >"$T/fix.json"
as_creator record --amend "$id" --form "$T/fix.json" --reason "a correction" --json >"$T/out" 2>"$T/err" \
  || fail "record --amend --json"
validate recorded "$T/out"
expect_status 0 as_creator show "$id" "$id" --history --json
validate record "$T/out"
expect_status 0 as_creator show "$id" --at "$(jq '.entries[0].seq' "$T/out" | head -1)" --json
validate record "$T/out"
head -c 100000 /dev/urandom >"$T/photo.jpg"
expect_status 0 as_creator attach "$id" "$T/photo.jpg" --json
validate attached "$T/out"
expect_status 0 as_creator show "$id" --json
validate record "$T/out"
expect_status 0 as_creator extract "$id" 1 -o "$T/photo.out" --json
validate extracted "$T/out"
expect_status 0 as_creator verify --deep --json
validate verify "$T/out"
expect_status 0 as_creator checkpoint --json
validate checkpoint "$T/out"
expect_status 0 as_creator checkpoint --tsq "$T/cp.tsq" --json
validate checkpoint "$T/out"
expect_status 0 as_creator prove "$id"
jq -c . "$T/out" >"$T/proof.json"
validate proof "$T/proof.json"
expect_status 0 as_creator verify --json --against "$T/vault/checkpoints/2"
validate verify "$T/out"
printf 'x' >>"$(find "$T/vault/objects" -type f | head -1)"
expect_status 1 as_creator verify --json
validate report "$T/out"
jq -e '.ok == false and (.problems[0].message | test("object")) and .problems[0].invariant == 8' "$T/out" \
  >/dev/null || fail "verify --json must name the problem and its invariant"
echo ok
