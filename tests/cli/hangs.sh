# R5 and R11: never a hang, and bad inputs exit 3. A FIFO with no writer given as an input waits a
# bounded time and exits 3; a FIFO, a link to /dev/zero or a device in the vault is tampering
# (exit 1, named), not a process that reads for ever. Pipes still work as inputs. Every command runs
# under `timeout 20`: 124 would mean it hung.
. "$(dirname "$0")/lib.sh"

make_vault
make_identity data
expect_status 0 as_creator record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
expect_status 0 as_creator list
cp -a "$T/vault" "$T/pristine"
restore() { rm -rf "$T/vault"; cp -a "$T/pristine" "$T/vault"; forget_seen_tips; }
bounded() { expect_status "$1" timeout 20 "${@:2}"; }
# timeout runs programs, not shell functions
C=$CUSTODY_BIN
as_legal=("$C" --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass")

# --- inputs: a FIFO nobody writes to (in parallel: each waits out the bound) ---
mkfifo "$T/fifo-identity" "$T/fifo-pass" "$T/fifo-card" "$T/fifo-tsr" "$T/fifo-form" "$T/fifo-stdin"
# Standard input from a FIFO that has a writer (this shell) which never writes: `--form -` at the
# end of a pipe whose other end stalls.
exec 8<>"$T/fifo-stdin"
pids=()
run_bg() { # NAME INPUT COMMAND...: exit status into $T/NAME.status, stderr into $T/NAME.err
  local name=$1 input=$2; shift 2
  ( status=0; timeout 20 "$@" >/dev/null 2>"$T/$name.err" <"$input" || status=$?; echo "$status" >"$T/$name.status" ) &
  pids+=($!)
}
run_bg identity /dev/null "$C" --vault "$T/vault" --identity "$T/fifo-identity" --passphrase-file "$T/creator.pass" list
run_bg pass /dev/null "$C" --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/fifo-pass" list
run_bg card /dev/null "${as_legal[@]}" key add --role data "$T/fifo-card"
run_bg tsr /dev/null "${as_legal[@]}" checkpoint --tsr "$T/fifo-tsr"
run_bg form /dev/null "${as_legal[@]}" record --form "$T/fifo-form"
run_bg stdin "$T/fifo-stdin" "${as_legal[@]}" record --form -
wait "${pids[@]}"
exec 8>&-
grep -q 'on "standard input"' "$T/stdin.err" || { cat "$T/stdin.err" >&2; fail "--form -: the wait must name standard input"; }
for name in identity pass card tsr form stdin; do
  [ "$(cat "$T/$name.status")" = 3 ] || { cat "$T/$name.err" >&2; fail "a FIFO with no writer as $name: exit $(cat "$T/$name.status"), expected 3"; }
  grep -q "a pipe with no writer" "$T/$name.err" || { cat "$T/$name.err" >&2; fail "$name: the wait must be explained"; }
done

# ...but pipes with a writer are inputs like any other
bounded 0 "$C" --vault "$T/vault" --identity "$T/creator.age" --passphrase-file <(cat "$T/creator.pass") list
bounded 0 "${as_legal[@]}" key add --role data <(cat "$T/data.age.card") --no-checkpoint
# (expect_status reads /dev/null: these give standard input themselves)
timeout 20 "${as_legal[@]}" record --no-checkpoint --form - >"$T/out" 2>"$T/err" \
  < <(cat "$CUSTODY_SOURCE/examples/incidents/02-unlawful-arrest-condoms.yaml") \
  || { cat "$T/err" >&2; fail "--form - from a pipe"; }
timeout 20 "${as_legal[@]}" record --no-checkpoint --form - >"$T/out" 2>"$T/err" \
  <"$CUSTODY_SOURCE/examples/incidents/03-rape-by-client-dockside.yaml" \
  || { cat "$T/err" >&2; fail "--form - from a file"; }
restore

# a device is not an input (R11)
bounded 3 "${as_legal[@]}" record --form /dev/zero
expect_contains "$T/err" "not a regular file"
bounded 3 "$C" --vault "$T/vault" --identity /dev/zero --passphrase-file "$T/creator.pass" list
expect_contains "$T/err" "not a regular file"
status=0
timeout 20 "${as_legal[@]}" record --form - </dev/zero >"$T/out" 2>"$T/err" || status=$?
[ "$status" = 3 ] || { cat "$T/err" >&2; fail "--form - from /dev/zero: exit $status, expected 3"; }
expect_contains "$T/err" "not a regular file"

# R11: a malformed identity is bad input (3), not "a check found problems" (1)
printf 'age-encryption.org/v1\n' >"$T/bad.key"
bounded 3 "$C" --vault "$T/vault" --identity "$T/bad.key" --passphrase-file "$T/creator.pass" list
head -c 60 "$T/creator.age" >"$T/truncated.age"
bounded 3 "$C" --vault "$T/vault" --identity "$T/truncated.age" --passphrase-file "$T/creator.pass" list
sed 's/^-> scrypt \(.*\) 10$/-> scrypt \1 40/' "$T/creator.age" >"$T/wf40.age"
bounded 3 "$C" --vault "$T/vault" --identity "$T/wf40.age" --passphrase-file "$T/creator.pass" list
printf -- '-----BEGIN AGE ENCRYPTED FILE-----\n!!!!\n-----END AGE ENCRYPTED FILE-----\n' >"$T/armor.age"
bounded 3 "$C" --vault "$T/vault" --identity "$T/armor.age" --passphrase-file "$T/creator.pass" list

# --- the vault: a FIFO, a link or a device where a file should be is tampering ---
for file in ledger/000000.jsonl ledger/HEAD "index/$(ls "$T/vault/index" | head -1)/state.age"; do
  restore
  rm "$T/vault/$file" && mkfifo "$T/vault/$file"
  bounded 1 "${as_legal[@]}" verify
  expect_contains "$T/err" "$(basename "$file")"
  expect_contains "$T/err" "regular file"
  bounded 1 "${as_legal[@]}" list
done
object=$(find "$T/vault/objects" -type f | head -1)
restore
ln -sf /dev/zero "$object"
bounded 1 "$C" --vault "$T/vault" verify
expect_contains "$T/err" "symbolic link"
bounded 1 "${as_legal[@]}" verify
expect_contains "$T/err" "symbolic link"

# ...wherever it is, read or not: verify walks the vault first (keys/ holds only listed files, an
# unnamed object is only noted), and a writer refuses too
restore
mkfifo "$T/vault/keys/stray"
bounded 1 "$C" --vault "$T/vault" verify
expect_contains "$T/err" "keys/stray is a FIFO, not a regular file"
bounded 1 "${as_legal[@]}" record --no-checkpoint --form "$CUSTODY_SOURCE/examples/incidents/02-unlawful-arrest-condoms.yaml"
expect_contains "$T/err" "keys/stray is a FIFO"
restore
ln -s /dev/zero "$(dirname "$object")/$(printf '%062d' 0)"
bounded 1 "${as_legal[@]}" verify
expect_contains "$T/err" "is a symbolic link, not a regular file"

# a vault file larger than its reader's bound is tampering too (exit 1, named), not bad input
restore
head -c 100000 /dev/zero >>"$T/vault/ledger/HEAD"
bounded 1 "${as_legal[@]}" verify
expect_contains "$T/err" 'ledger/HEAD" is too large for a vault file'
bounded 1 "${as_legal[@]}" list

# a kept checkpoint is the member's own file: a link to it is an input like any other
restore
kept=$(ls "$T/vault/checkpoints" | grep -E '^[0-9]+$' | sort -n | tail -1)
mkdir "$T/kept"
cp "$T/vault/checkpoints/$kept" "$T/vault/checkpoints/$kept.minisig" "$T/kept/"
ln -s "$T/kept/$kept" "$T/kept-link"
ln -s "$T/kept/$kept.minisig" "$T/kept-link.minisig"
bounded 0 "${as_legal[@]}" verify --against "$T/kept-link"
echo "ok: no hang; FIFOs wait a bounded time, vault links, FIFOs and oversized files are reported"
