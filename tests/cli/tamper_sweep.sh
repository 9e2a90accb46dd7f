# The tamper sweep: one byte flipped at random in each kind of file verify checks is reported by a
# legal member's `verify` (exit 1), every time. TAMPER_FLIPS sets the flips per kind (default 6
# here, so the suite stays short; bench-like runs use more). Prints a table: kind, flips, reported.
. "$(dirname "$0")/lib.sh"
flips=${TAMPER_FLIPS:-6}

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
admit data dee
make_tsa
expect_status 0 as_creator record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
id=$(cut -d" " -f1 "$T/out")
expect_status 0 as_creator attach "$id" "$CUSTODY_SOURCE/examples/media/injury.jpg"
expect_status 0 as_creator checkpoint --tsq "$T/req.tsq"
size=$(ls "$T/vault/checkpoints" | grep -E '^[0-9]+$' | sort -n | tail -1)
tsa_reply "$T/req.tsq" "$T/resp.tsr"
expect_status 0 as_creator checkpoint --tsr "$T/resp.tsr" --checkpoint "$size"
expect_status 0 as_creator list
expect_status 0 as_creator verify
cp -a "$T/vault" "$T/pristine"
restore() { rm -rf "$T/vault"; cp -a "$T/pristine" "$T/vault"; forget_seen_tips; }
legal=$(custody key show "$T/creator.age" --passphrase-file "$T/creator.pass" --json | jq -r .key_id)
object=$(tail -n 3 "$T/vault/ledger/000000.jsonl" | jq -r 'select(.kind == "put") | .payloads[1].obj' | head -1)

# kind, a file (relative to the vault), the first byte that counts (0 for all)
kinds=(
  "ledger segment|ledger/000000.jsonl|0"
  "ledger/HEAD|ledger/HEAD|0"
  "vault.yaml|vault.yaml|0"
  "custody.pub (comment line included)|custody.pub|0"
  "checkpoint body|checkpoints/$size|0"
  "checkpoint .tsq|checkpoints/$size.tsq|0"
  "compartment key file|keys/facts/0/$legal.age|0"
  "signing key file|keys/signing/0/$legal.age|0"
  "media object|objects/${object:0:2}/${object:2}|0"
  "the member's state cache|index/$legal/state.age|0"
)
# A .minisig's first line is minisign's untrusted comment: unsigned by design, so not counted.
sig_start=$(head -n1 "$T/vault/checkpoints/$size.minisig" | wc -c)
kinds+=("checkpoint .minisig (signed lines)|checkpoints/$size.minisig|$sig_start")

total=0
printf '%-40s %6s %9s\n' kind flips reported
for item in "${kinds[@]}"; do
  IFS='|' read -r kind file start <<<"$item"
  [ -f "$T/pristine/$file" ] || fail "$kind: $file is missing from the test vault"
  bytes=$(stat -c %s "$T/pristine/$file")
  reported=0
  for offset in $(shuf -i "$start"-$((bytes - 1)) -n "$flips"); do
    restore
    perl -e 'open(my $f, "+<", $ARGV[0]) or die; seek($f, $ARGV[1], 0); read($f, my $c, 1);
             seek($f, $ARGV[1], 0); print $f chr(ord($c) ^ 1); close($f)' "$T/vault/$file" "$offset"
    status=0
    as_creator verify >"$T/out" 2>"$T/err" </dev/null || status=$?
    if [ "$status" -eq 1 ]; then
      reported=$((reported + 1))
    else
      cat "$T/err" >&2
      fail "$kind: a flipped byte at offset $offset of $file: exit $status, expected 1"
    fi
  done
  total=$((total + reported))
  printf '%-40s %6d %9d\n' "$kind" "$flips" "$reported"
done
echo "ok: $total of $total flips reported"
