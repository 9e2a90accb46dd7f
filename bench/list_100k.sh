#!/usr/bin/env bash
# Benchmark: `custody list` and a filtered list over a vault of N records (default 100,000, written
# in batches of 10,000), index already built, with a --work-factor 10 identity so that the
# passphrase's key derivation does not count; and the unlock time at the default work factor.
# Usage: bench/list_100k.sh [N=100000]   (needs about 17 KB of disk per record)
. "$(dirname "$0")/lib.sh"
n=${1:-100000}
bench_setup $((n * 18 / 1000 + 500))
batch=$((n < 10000 ? n : 10000))
start=$(date +%s.%N)
for b in $(seq 0 $((n / batch - 1))); do
  /usr/bin/python3 bench/make_forms.py "$batch" "$work/forms.jsonl" $((b * batch))
  as_me record --form "$work/forms.jsonl" >/dev/null 2>&1
done
echo "filled $n records in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s ($(du -sh "$work/vault" | cut -f1))"
as_me list >/dev/null 2>&1 # builds the index
timed() { /usr/bin/time -f "%e s, %M KiB peak" "$@" 2>&1 >/dev/null | tail -1; }
echo "list:                 $(timed "$custody" --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass" list)"
echo "list (filtered):      $(timed "$custody" --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass" list --type violence.sexual. --period 2025-Q1)"
echo "wc -l of the ledger:  $(timed sh -c "cat '$work'/vault/ledger/*.jsonl | wc -l")"
# the unlock at the default work factor (18), on its own
$custody key new --out "$work/slow.age" --passphrase-file "$work/pass" >/dev/null 2>&1
echo "unlock, work factor 18: $(timed "$custody" key show "$work/slow.age" --passphrase-file "$work/pass")"
