#!/usr/bin/env bash
# Benchmark: checkpoints and proofs at N ledger entries (issue 5: a checkpoint after a 10,000-record
# batch under 50 ms, an inclusion proof at 1,000,000 entries under 10 ms, verify's chain, tree and
# checkpoints at 1,000,000 entries under 10 s).
# The ledger is synthetic, written by `custody_bench proofs` through the library (chained `put`
# entries with four payloads each, the size of real ones, no objects): a million real records would
# take 5 minutes and 5 GB of objects that these measurements do not read.
# Then the same on a real vault through the CLI: one batch of 10,000 forms recorded without a
# checkpoint, then `custody checkpoint` and `custody verify` timed.
# Usage: bench/proofs.sh [N=1000000] [FORMS=10000]   (builds the bench preset first)
. "$(dirname "$0")/lib.sh"
n=${1:-1000000}
forms=${2:-10000}
cmake --preset bench >/dev/null && cmake --build --preset bench -j2 >/dev/null
bench_setup $((n / 1000 + forms / 10 + 300))

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "== library, synthetic ledger of $n entries: build/bench/bench/custody_bench proofs DIR $n"
build/bench/bench/custody_bench proofs "$work/synthetic" "$n"
echo "ledger size: $(du -sh "$work/synthetic/ledger" | cut -f1)"
rm -rf "$work/synthetic"

echo "== CLI, a real vault with $forms records"
/usr/bin/python3 bench/make_forms.py "$forms" "$work/forms.jsonl"
as_me record --no-checkpoint --form "$work/forms.jsonl" >/dev/null 2>&1
me=("$custody" --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass")
timed() { # LABEL COMMAND... (an executable: /usr/bin/time cannot run a shell function)
  /usr/bin/time -f "%e" -o "$work/time" "${@:2}" >/dev/null 2>&1
  echo "$1: $(cat "$work/time") s wall"
}
timed "custody checkpoint (unlock at work factor 10, open, full scan: no frontier yet)" "${me[@]}" checkpoint
as_me record --no-checkpoint --form "$work/forms.jsonl" >/dev/null 2>&1
timed "custody checkpoint after another batch of $forms (from the frontier)" "${me[@]}" checkpoint
timed "custody verify (everything, objects re-hashed)" "${me[@]}" verify
timed "custody key show (unlock alone, the floor of every command)" "$custody" key show "$work/me.age" --passphrase-file "$work/pass"
timed "custody log (open and scan alone, no identity)" "$custody" --vault "$work/vault" log
echo "entries: $("$custody" --vault "$work/vault" log | wc -l), checkpoints: $(ls "$work/vault/checkpoints" | grep -cE "^[0-9]+$")"
