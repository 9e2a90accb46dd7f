#!/usr/bin/env bash
# Benchmark: each member's own caches (docs/formats.md section 10). A vault of N records (default
# 100,000) with a legal and a data member; then
#  - the data member's first command, which replays the ledger into her own state cache and builds
#    her own facts shard from nothing (what a forged or deleted cache costs her), beside the floor
#    of the same job measured in the same run: one X25519 per facts payload, by `openssl speed`;
#  - her next `list`, from her own caches;
#  - the legal member's `list` and `verify` (member).
# With OLD_CUSTODY (a binary of an earlier commit, built with the bench preset), the legal member's
# `list` and `verify` are timed with it too, on the same vault, in turn with the new binary.
# KEEP=1 keeps the vault in $work and prints its path, for paired timings by hand.
# Usage: bench/members_100k.sh [N=100000] [OLD_CUSTODY]   (about 18 KB of disk per record)
. "$(dirname "$0")/lib.sh"
n=${1:-100000}
old=${2:-}
bench_setup $((n * 18 / 1000 + 500))
if [ "${KEEP:-}" = 1 ]; then trap - EXIT; fi
batch=$((n < 10000 ? n : 10000))
$custody key new --out "$work/data.age" --passphrase-file "$work/pass" --work-factor 10 >/dev/null 2>&1
as_me key add --role data "$work/data.age.card" --no-checkpoint >/dev/null 2>&1
# Arrays, not functions: /usr/bin/time runs programs.
as_data=("$custody" --vault "$work/vault" --identity "$work/data.age" --passphrase-file "$work/pass" list)
legal() { echo "$1" --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass"; }
start=$(date +%s.%N)
for b in $(seq 0 $((n / batch - 1))); do
  /usr/bin/python3 bench/make_forms.py "$batch" "$work/forms.jsonl" $((b * batch))
  as_me record --form "$work/forms.jsonl" >/dev/null 2>&1
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "filled $n records in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s ($(du -sh "$work/vault" | cut -f1))"
timed() { /usr/bin/time -f "%e s wall, %U s user, %M KiB peak" "$@" 2>&1 >/dev/null | tail -1; }

data_id=$($custody key show "$work/data.age" --passphrase-file "$work/pass" --json 2>/dev/null | jq -r .key_id)
rm -rf "$work/vault/index/$data_id"
echo "data member, first command (state and facts shard from nothing): $(timed "${as_data[@]}")"
echo "data member, next list (her own caches):                          $(timed "${as_data[@]}")"
ops=$(openssl speed -seconds 2 ecdhx25519 2>/dev/null | awk '/253 bits ecdh \(X25519\)/ { print $NF }' | tail -1)
if [ -n "$ops" ]; then
  echo "floor: openssl speed ecdhx25519, one core: $ops ops/s -> $(awk -v n="$n" -v ops="$ops" 'BEGIN { printf "%.1f", n / ops }') s for one X25519 per facts payload"
fi
for binary in "$custody" ${old:+"$old"}; do
  # shellcheck disable=SC2046
  $(legal "$binary") list >/dev/null 2>&1 # the member's caches, built once
  # shellcheck disable=SC2046
  echo "$binary: legal list:   $(timed $(legal "$binary") list)"
  # shellcheck disable=SC2046
  echo "$binary: legal verify: $(timed $(legal "$binary") verify)"
done
if [ "${KEEP:-}" = 1 ]; then echo "kept: $work"; fi
