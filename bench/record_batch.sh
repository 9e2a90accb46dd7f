#!/usr/bin/env bash
# Benchmark: `custody record` of one batch of N realistic forms (JSON Lines made from the examples),
# beside the public-key floor measured in the same run with `openssl speed` (two X25519 operations
# per age stanza, four stanzas per record, on every core).
# Usage: bench/record_batch.sh [N=10000] [--fresh-fs]   (builds the bench preset first)
#
# --fresh-fs (root, a free loop device): record into a new ext4 made for the run, with or without a
# journal as the scratch directory's filesystem has one, instead of the scratch directory itself.
# On ext4 without a journal, creating an inode skips every inode freed in the last one to five
# minutes, so a run just after another run's cleanup (40,000 objects deleted) pays for it in kernel
# time; a vault in use never deletes objects. docs/performance.md shows both.
. "$(dirname "$0")/lib.sh"
n=${1:-10000}
fresh=${2:-}
bench_setup $((n / 20 + 200))
/usr/bin/python3 bench/make_forms.py "$n" "$work/forms.jsonl"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "forms: $n, $(du -h "$work/forms.jsonl" | cut -f1) of JSON Lines"
vault="$work/vault"
if [ "$fresh" = --fresh-fs ]; then
  source=$(findmnt -no SOURCE -T "$work")
  journal=^has_journal
  if dumpe2fs -h "$source" 2>/dev/null | grep -q '^Filesystem features:.*has_journal'; then
    journal=has_journal
  fi
  truncate -s $((n / 4 + 512))M "$work/fs.img"
  mkfs.ext4 -q -F -O "$journal" "$work/fs.img"
  loop=$(losetup -f --show --direct-io=on "$work/fs.img")
  mkdir "$work/fs"
  mount "$loop" "$work/fs"
  trap 'umount "$work/fs"; losetup -d "$loop"; rm -rf "$work"' EXIT
  cp -a "$work/vault" "$work/fs/vault"
  vault="$work/fs/vault"
  echo "filesystem: a new ext4 ($journal) on $loop, direct I/O to $work/fs.img"
else
  echo "filesystem: $(findmnt -no FSTYPE,SOURCE -T "$work") at $work"
fi
/usr/bin/time -f "%e %U %S %M" -o "$work/time" \
  $custody --vault "$vault" --identity "$work/me.age" --passphrase-file "$work/pass" \
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
