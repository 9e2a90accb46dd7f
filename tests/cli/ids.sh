# Ids that cannot orphan evidence (issue 15): an attachment to a record that does not exist is
# refused for every role, with "did you mean"; receipts name records wherever a RECORD is taken;
# a form recorded twice is refused unless --allow-duplicate; `record FORM --attach FILE...` records
# and attaches in one write; and verify reports an attachment of no record, and (--index) a record
# its seal does not name (invariant 23).
. "$(dirname "$0")/lib.sh"

make_vault
admit intake intake
ex=$CUSTODY_SOURCE/examples/incidents
head -c 3000 /dev/urandom >"$T/photo.bin"
ledger_lines() { cat "$T/vault/ledger/"*.jsonl | wc -l; }
receipt_pattern='^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{3}$'

# `record FORM` takes the form as an argument and prints the id and its receipt
expect_status 0 as_member intake record "$ex/01-police-extortion-harbour.yaml"
read -r id receipt <"$T/out"
[[ $id =~ ^[0-9a-f]{32}$ ]] || fail "record must print the id first: $(cat "$T/out")"
[[ $receipt =~ $receipt_pattern ]] || fail "record must print the receipt beside the id: $(cat "$T/out")"
# the receipt is what docs/formats.md 6.2.2's recipe computes from the id
want=$(/usr/bin/python3 -c 'import sys
A="0123456789ABCDEFGHJKMNPQRSTVWXYZ"; v=int(sys.argv[1][:13],16)>>2; d=[(v>>(45-5*i))&31 for i in range(10)]
c=0
for s in d+[0]: c=((c<<1)^(0x25 if c&16 else 0))^s
r="".join(A[s] for s in d)+A[c]; print(r[:4]+"-"+r[4:8]+"-"+r[8:])' "$id")
[ "$receipt" = "$want" ] || fail "receipt $receipt, the recipe gives $want"
expect_status 0 as_member intake record --json "$ex/02-unlawful-arrest-condoms.yaml"
jq -e '.records[0].receipt | test("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}$")' "$T/out" >/dev/null \
  || fail "record --json must give each record's receipt"
expect_status 2 as_member intake record "$ex/03-rape-by-client-dockside.yaml" --form "$ex/03-rape-by-client-dockside.yaml"
expect_contains "$T/err" "given twice"

# an id with one wrong digit names no record: refused for intake and legal alike (exit 3), with the
# record one digit away as "did you mean", and nothing written
digit=${id:20:1}
other=$([ "$digit" = 0 ] && echo 1 || echo 0)
wrong=${id:0:20}$other${id:21}
snapshot "$T/vault" >"$T/before"
expect_status 3 as_member intake attach "$wrong" "$T/photo.bin"
expect_contains "$T/err" "no record $wrong"
expect_contains "$T/err" "did you mean $id ($receipt)"
expect_status 3 as_creator attach "$wrong" "$T/photo.bin"
expect_contains "$T/err" "did you mean $id"
# a receipt with one wrong symbol fails its check symbol, and the near receipt is suggested
first=${receipt:0:1}
swapped=$([ "$first" = 7 ] && echo 8 || echo 7)${receipt:1}
expect_status 3 as_member intake attach "$swapped" "$T/photo.bin"
expect_contains "$T/err" "check symbol"
expect_contains "$T/err" "did you mean $id ($receipt)"
snapshot "$T/vault" >"$T/after"
diff "$T/before" "$T/after" >/dev/null || fail "a refused attach must leave the vault as it was"

# intake attaches by receipt, in any case, with or without hyphens, and by a prefix of the id
expect_status 0 as_member intake attach "$receipt" "$T/photo.bin" --json
jq -e --arg id "$id" --arg r "$receipt" '.record == $id and .receipt == $r' "$T/out" >/dev/null \
  || fail "attach by receipt must name the record and its receipt"
lower=$(echo "$receipt" | tr -d - | tr 'A-Z' 'a-z')
expect_status 0 as_member intake attach "$lower" "$T/photo.bin"
expect_contains "$T/out" "to $id (receipt $receipt)"
expect_status 0 as_member intake attach "${id:0:10}" "$T/photo.bin"

# legal names the record by its receipt wherever a RECORD is taken
expect_status 0 as_creator show "$receipt" --json
jq -e --arg id "$id" '.id == $id and (.attachments | length) == 3' "$T/out" >/dev/null \
  || fail "show RECEIPT must show the record and its attachments"
expect_status 0 as_creator checkpoint
expect_status 0 as_creator prove "$receipt"
jq -e --arg id "$id" '.record == $id' "$T/out" >/dev/null || fail "prove RECEIPT"
expect_status 0 as_creator extract "$receipt" 1 -o "$T/back.bin"
cmp -s "$T/photo.bin" "$T/back.bin" || fail "extract RECEIPT must give the attached bytes"

# the same form again (here as the JSON `show --form` gives back: the same form in another
# spelling) is a likely duplicate: refused, naming the file and the earlier record's receipt
expect_status 0 as_creator show "$receipt" --form
cp "$T/out" "$T/again.json"
snapshot "$T/vault" >"$T/before"
expect_status 3 as_member intake record "$T/again.json"
expect_contains "$T/err" "1 likely duplicate; nothing was recorded"
# The list of duplicates is printed a line each, not as an escaped \x0a.
expect_not_contains "$T/err" '\x0a'
grep -q '^  .*the same form as record' "$T/err" || fail "each duplicate is listed on a line of its own"
expect_contains "$T/err" "again.json:1: the same form as record $receipt ($id)"
expect_contains "$T/err" "--allow-duplicate"
# in one batch too: two copies of one form
mkdir "$T/batch"
cp "$ex/03-rape-by-client-dockside.yaml" "$T/batch/a.yaml"
cp "$ex/03-rape-by-client-dockside.yaml" "$T/batch/b.yaml"
cp "$ex/04-coerced-sex-police-post.yaml" "$T/batch/c.yaml"
expect_status 3 as_member intake record --form "$T/batch"
expect_contains "$T/err" "b.yaml:1: the same form as $T/batch/a.yaml:1, earlier in this batch"
snapshot "$T/vault" >"$T/after"
diff "$T/before" "$T/after" >/dev/null || fail "a refused duplicate must leave the vault as it was"
# and across batches
rm "$T/batch/b.yaml"
expect_status 0 as_member intake record --form "$T/batch"
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "the batch must be recorded"
expect_status 3 as_member intake record --form "$ex/04-coerced-sex-police-post.yaml"
expect_contains "$T/err" "the same form as record"
# --allow-duplicate records it, and says so
expect_status 0 as_member intake record "$T/again.json" --allow-duplicate
expect_contains "$T/err" "recorded as asked"

# record --attach: the record and its files in one write (one put each and one seal)
before=$(ledger_lines)
expect_status 0 as_member intake record "$ex/05-online-photos-extortion.yaml" --attach "$T/photo.bin" \
  "$CUSTODY_SOURCE/examples/media/injury.jpg"
read -r with_files with_receipt <"$T/out"
[[ $with_receipt =~ $receipt_pattern ]] || fail "record --attach must print the id and receipt"
[ "$(ledger_lines)" -eq $((before + 4)) ] || fail "record --attach must append a record, two attachments and one seal"
expect_status 0 as_creator show "$with_receipt" --json
jq -e --arg id "$with_files" '.id == $id and (.attachments | length) == 2' "$T/out" >/dev/null \
  || fail "the new record must have its two files"
expect_status 0 as_member intake record --json --form "$ex/06-pep-refused-hospital.yaml" --attach "$T/photo.bin"
jq -e '.records[0].attachments | length == 1' "$T/out" >/dev/null || fail "record --attach --json lists the files"
expect_status 2 as_member intake record --form "$T/batch" --attach "$T/photo.bin"
expect_contains "$T/err" "one new record"
expect_status 3 as_member intake record "$ex/07-partner-violence-home.yaml" --attach "$T/missing.bin"
# killed at each durable step: the record is there with its file, or nothing of it is
n=1
while :; do
  before=$(ledger_lines)
  status=0
  CUSTODY_FAULT_AT=$n as_member intake record "$ex/08-landlord-eviction.yaml" --attach "$T/photo.bin" \
    >"$T/out" 2>"$T/err" || status=$?
  after=$(ledger_lines)
  if [ "$status" -eq 0 ]; then
    [ "$after" -eq $((before + 3)) ] || fail "record --attach completed with $((after - before)) entries"
    break
  fi
  [ "$status" -eq 137 ] || { cat "$T/err"; fail "step $n: expected a kill (137), got $status"; }
  if [ "$after" -ne "$before" ]; then
    # killed after the one append: all of it is there
    [ "$after" -eq $((before + 3)) ] || fail "step $n: $((after - before)) entries of 3 survived a kill"
    forget_seen_tips
    break
  fi
  forget_seen_tips
  expect_status 0 as_creator verify
  n=$((n + 1))
  [ "$n" -lt 100 ] || fail "record --attach never completed"
done
expect_status 0 as_creator verify --json
jq -e '.records.listed >= 8 and .records.attachments_checked >= 7' "$T/out" >/dev/null \
  || { cat "$T/out"; fail "verify must count the records the seals list and the attachments it checked"; }
expect_status 0 as_member intake verify --json
jq -e '.records.attachments_checked == 0 and .records.attachments_sealed >= 7' "$T/out" >/dev/null \
  || fail "an intake member's verify cannot open attachments, and says so"

# a record whose seal does not name it (a seal of an earlier version): attach refuses it, and
# verify --index reports it (invariant 23)
expect_status 0 "$CUSTODY_TOOLS/custody_forgetool" unlisted "$T/vault" "$T/intake.age" "$T/intake.pass"
unlisted=$(cat "$T/out")
expect_status 3 as_member intake attach "$unlisted" "$T/photo.bin"
expect_status 0 as_creator verify
expect_status 1 as_creator verify --index --json
jq -e --arg id "$unlisted" '.problems[0].invariant == 23 and (.problems[0].message | contains($id))' "$T/out" \
  >/dev/null || { cat "$T/out"; fail "verify --index must report the record no seal names"; }

# an attachment of no record (what attach did before it checked ids): verify reports it
expect_status 0 "$CUSTODY_TOOLS/custody_forgetool" orphan "$T/vault" "$T/intake.age" "$T/intake.pass" "$wrong" "$T/photo.bin"
expect_status 1 as_creator verify --json
jq -e --arg id "$wrong" '.problems[0].invariant == 23 and (.problems[0].message | contains("orphaned"))
  and (.problems[0].message | contains($id))' "$T/out" >/dev/null \
  || { cat "$T/out"; fail "verify must report the orphaned attachment under invariant 23"; }
echo ok
