#!/usr/bin/env bash
# Benchmark: `custody record` of one batch of N realistic forms (JSON Lines made from the examples),
# beside the public-key floor measured in the same run with `openssl speed` (two X25519 operations
# per age stanza, four stanzas per record, on every core).
# Usage: bench/record_batch.sh [N=10000]   (builds the bench preset first)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
work=$(mktemp -d "${TMPDIR:-/tmp}/custody-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
free_mb=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
need_mb=$((n / 20 + 200))
if [ "$free_mb" -lt "$need_mb" ]; then
  echo "skip: $free_mb MB free in $work, the benchmark needs about $need_mb MB"
  exit 0
fi
cmake --preset bench >/dev/null && cmake --build --preset bench >/dev/null
custody=build/bench/cmd/custody

head -c 24 /dev/urandom | base64 >"$work/pass"; chmod 600 "$work/pass"
head -c 24 /dev/urandom | base64 >"$work/pass2"; chmod 600 "$work/pass2"
$custody key new --out "$work/me.age" --passphrase-file "$work/pass" --work-factor 10 >/dev/null 2>&1
$custody key new --out "$work/rec.age" --passphrase-file "$work/pass2" --work-factor 10 >/dev/null 2>&1
$custody init --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass" \
  --recovery "$work/rec.age.card" --places examples/places.yaml >/dev/null
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
