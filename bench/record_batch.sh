#!/usr/bin/env bash
# Benchmark: `custody record` of one batch of N realistic forms (JSON Lines made from the examples),
# beside the public-key floor measured in the same run with `openssl speed` (two X25519 operations
# per age stanza, four stanzas per record, on every core).
# Usage: bench/record_batch.sh [N=10000]   (builds the bench preset first)
. "$(dirname "$0")/lib.sh"
n=${1:-10000}
bench_setup $((n / 20 + 200))
/usr/bin/python3 bench/make_forms.py "$n" "$work/forms.jsonl"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "forms: $n, $(du -h "$work/forms.jsonl" | cut -f1) of JSON Lines"
/usr/bin/time -f "%e %U %S %M" -o "$work/time" \
  $custody --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass" \
  record --form "$work/forms.jsonl" >"$work/ids" 2>/dev/null
read -r wall user sys rss <"$work/time"
echo "custody record: $wall s wall ($user s user, $sys s sys, $((rss / 1024)) MiB peak) = $(awk -v n="$n" -v w="$wall" 'BEGIN { printf "%.0f", n / w }') records/s"

# The floor: X25519 operations per second on all cores, by OpenSSL's own benchmark.
ops=$(openssl speed -seconds 2 -multi "$(nproc)" ecdhx25519 2>/dev/null | awk '/253 bits ecdh \(X25519\)/ { print $NF }' | tail -1)
if [ -n "$ops" ]; then
  floor=$(awk -v ops="$ops" 'BEGIN { printf "%.0f", ops / 8 }')
  echo "openssl speed ecdhx25519 on $(nproc) cores: $ops ops/s -> at most $floor records/s (8 X25519 per record)"
  echo "custody reaches $(awk -v n="$n" -v w="$wall" -v f="$floor" 'BEGIN { printf "%.0f", 100 * n / w / f }') % of that floor"
fi
