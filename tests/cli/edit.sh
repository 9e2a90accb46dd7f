# custody edit and `record --amend ID` without --form (issue 15): the form opens in $EDITOR from a
# file in memory (a memfd, or a /dev/shm file unlinked on every exit path), the changes are shown and
# confirmed, the reason is kept encrypted in the amendment, and nothing edited reaches the disk.
. "$(dirname "$0")/lib.sh"
unset VISUAL

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
admit data data
as_creator record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml" >"$T/id" 2>/dev/null \
  || fail "record"
id=$(cut -d" " -f1 "$T/id")
district() { as_creator show "$id" --json 2>/dev/null | jq -r .compartments.facts.incident.district; }

# The editor: a script that edits the file in place with sed, as $MODE says, and notes the name it
# was given. The canary it writes is put together at run time, so this file does not hold it.
cat >"$T/editor.sh" <<'SH'
#!/bin/sh
printf '%s\n' "$1" >"$EDIT_LOG"
edit() { out=$(sed "$1" "$2") && printf '%s\n' "$out" >"$2"; }
c1=Canary; c2=Edit
case "$MODE" in
  district) edit "s/district: harbour/district: dockside/; s/^  person_ref: .*/  person_ref: $c1-$c2-P7/" "$1" ;;
  same) ;;
  empty) : >"$1" ;;
  bad) edit 's/district: .*/district: atlantis/' "$1" ;;
  yaml) printf 'incident: [unclosed\n' >"$1" ;;
  fail) exit 4 ;;
  term) kill -TERM "$PPID"; sleep 5 ;;
  race) "$RACE_BIN" --vault "$VAULT" --identity "$WHO" --passphrase-file "$PASS" record --amend "$ID" \
          --form "$RACE_FORM" >/dev/null 2>&1 || exit 9
        edit 's/district: .*/district: kilima/' "$1" ;;
esac
SH
chmod +x "$T/editor.sh"
export EDITOR="$T/editor.sh" EDIT_LOG="$T/editor.log"
edit_as_creator() { MODE=$1; shift; MODE=$MODE as_creator edit "$id" "$@"; }

# Without a terminal: --reason and --yes are needed, checked before anything is opened
before=$(snapshot "$T/vault")
MODE=district expect_status 2 as_creator edit "$id" --yes
expect_contains "$T/err" "--reason"
MODE=district expect_status 2 as_creator edit "$id" --reason "x"
expect_contains "$T/err" "--yes"
MODE=district expect_status 2 as_creator record --amend "$id"
expect_contains "$T/err" "--form"
[ ! -e "$T/editor.log" ] || fail "no editor is started when the command cannot finish"

# refused edits leave the vault as it was
MODE=same expect_status 0 as_creator edit "$id" --reason r --yes
expect_contains "$T/err" "nothing was changed"
MODE=empty expect_status 130 as_creator edit "$id" --reason r --yes
expect_contains "$T/err" "left empty"
MODE=fail expect_status 130 as_creator edit "$id" --reason r --yes
expect_contains "$T/err" "status 4"
MODE=bad expect_status 3 as_creator edit "$id" --reason r --yes
expect_contains "$T/err" "/incident/district"
MODE=yaml expect_status 3 as_creator edit "$id" --reason r --yes
expect_contains "$T/err" "(edited form)"
expect_status 3 as_creator edit "$id" --reason "$(printf 'a\001b')" --yes
MODE=district expect_status 5 as_member data edit "$id" --reason r --yes
[ "$(snapshot "$T/vault" | grep -v ' ./index/')" = "$(echo "$before" | grep -v ' ./index/')" ] \
  || fail "a refused edit must leave the vault unchanged"

# the edit itself: a memfd given to the editor as /proc/self/fd/3, the change written with its reason
MODE=district expect_status 0 as_creator edit "$id" --reason "Canary-Reason-E: misheard district" --yes
[ "$(cat "$T/editor.log")" = /proc/self/fd/3 ] || fail "the editor is given the memfd, not a file"
[ "$(district)" = dockside ] || fail "the edit must be written"
expect_status 0 as_creator show "$id" --history
expect_contains "$T/out" "reason: Canary-Reason-E: misheard district"
expect_contains "$T/out" "facts /incident/district: harbour -> dockside"
expect_contains "$T/out" "facts /person/person_ref: P-0231 -> Canary-Edit-P7"
! grep -rqF "Canary-Edit" "$T/vault" "$T"/*.log 2>/dev/null || fail "an edited value landed on disk unencrypted"
! grep -rqF "Canary-Reason-E" "$T/vault" || fail "the reason landed on disk unencrypted"

# --json
MODE=bad expect_status 3 as_creator edit "$id" --reason r --yes --json
tail -1 "$T/err" | jq -e '.type == "error" and .code == 3' >/dev/null || fail "edit --json error"
as_creator show "$id" --form >"$T/form.json" 2>/dev/null
sed -i 's/"dockside"/"harbour"/' "$T/form.json"
as_creator record --amend "$id" --form "$T/form.json" >/dev/null 2>&1 || fail "amend back"
MODE=district expect_status 0 as_creator edit "$id" --reason "json" --yes --json
jq -e --arg id "$id" '.type == "amended" and .id == $id and .reason == "json"
  and ([.changes[] | select(.field == "/incident/district" and .before == "harbour" and .after == "dockside")] | length) == 1' \
  "$T/out" >/dev/null || { cat "$T/out"; fail "edit --json"; }
/usr/bin/python3 - "$CUSTODY_SOURCE/schemas/output/amended.json" "$T/out" <<'PY' || fail "edit --json does not match schemas/output/amended.json"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema).validate(json.loads(open(sys.argv[2]).read()))
PY

# another correction written while the editor was open: refused, not silently undone
jq '.incident.district = "station"' "$T/form.json" >"$T/race.json"
VAULT="$T/vault" WHO="$T/creator.age" PASS="$T/creator.pass" ID="$id" RACE_FORM="$T/race.json" RACE_BIN="$CUSTODY_BIN" \
  MODE=race expect_status 3 as_creator edit "$id" --reason r --yes
expect_contains "$T/err" "after you began"
[ "$(district)" = station ] || fail "the correction made meanwhile stands"

# the /dev/shm fallback: a random name, unlinked when the command ends, and when it is killed
for mode in district fail term; do
  got=0
  CUSTODY_TEST_NO_MEMFD=1 MODE=$mode as_creator edit "$id" --reason "shm" --yes >"$T/out" 2>"$T/err" || got=$?
  case "$mode" in
    district) [ "$got" -eq 0 ] || { cat "$T/err"; fail "edit through /dev/shm"; } ;;
    fail) [ "$got" -eq 130 ] || fail "a failed editor is exit 130" ;;
    term) [ "$got" -eq 143 ] || fail "SIGTERM ends the command as SIGTERM does (got $got)" ;;
  esac
  shm=$(cat "$T/editor.log")
  case "$shm" in /dev/shm/custody-edit-????????????????????????) ;; *) fail "not a random /dev/shm name: $shm" ;; esac
  [ ! -e "$shm" ] || fail "$shm was left behind ($mode)"
done

# on a terminal (record --amend ID without --form): the changes are shown, the reason asked for and
# the correction confirmed; declining writes nothing
as_creator show "$id" --form >"$T/form.json" 2>/dev/null
sed -i 's/"station"\|"dockside"/"harbour"/' "$T/form.json"
as_creator record --amend "$id" --form "$T/form.json" >/dev/null 2>&1 || true
on_pty() { # ANSWERS
  printf "$1" | MODE=district script -qec "'$CUSTODY_BIN' --vault '$T/vault' --identity '$T/creator.age' --passphrase-file '$T/creator.pass' record --amend $id" \
    /dev/null >"$T/pty" 2>&1 || true
}
before=$(snapshot "$T/vault")
on_pty 'Canary-Reason-P\nn\n'
expect_contains "$T/pty" "before: harbour"
expect_contains "$T/pty" "after:  dockside"
expect_contains "$T/pty" "Why is the record corrected?"
expect_contains "$T/pty" "declined"
[ "$(district)" = harbour ] || fail "a declined correction is not written"
on_pty 'Canary-Reason-P: she corrected it\ny\n'
[ "$(district)" = dockside ] || { cat "$T/pty"; fail "a confirmed correction is written"; }
expect_status 0 as_creator show "$id" --history
expect_contains "$T/out" "reason: Canary-Reason-P: she corrected it"

# vim, as custody starts it: no swap, backup, undo or viminfo file anywhere it could write one
if command -v vim >/dev/null; then
  mkdir -p "$T/home" "$T/cwd"
  printf ':%%s/district: dockside/district: kilima/\n:wq\n' >"$T/keys.vim"
  (cd "$T/cwd" && HOME="$T/home" TERM=xterm EDITOR="vim -s $T/keys.vim" script -qec \
    "'$CUSTODY_BIN' --vault '$T/vault' --identity '$T/creator.age' --passphrase-file '$T/creator.pass' edit $id --reason vim --yes" \
    /dev/null </dev/null >"$T/vim.out" 2>&1) || { cat "$T/vim.out"; fail "edit with vim"; }
  [ "$(district)" = kilima ] || { cat "$T/vim.out"; fail "vim's edit must be written"; }
  [ -z "$(find "$T/home" "$T/cwd" -type f)" ] || { find "$T/home" "$T/cwd" -type f; fail "vim wrote files"; }
fi

expect_status 0 as_creator verify --index
echo ok
