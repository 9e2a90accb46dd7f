#!/usr/bin/env bash
# Benchmark: `custody export` of a court bundle as a .tar (20 records, one attachment each, SIZE MiB
# of attachments in all, default 4096), beside `tar -cf` of the same plaintext files in the same
# run: the issue's target is a wall time within 1.5 x tar's, in constant memory (peak memory for
# SIZE and for a tenth of it). custody's bag is durable when export returns (fsync before its
# rename) and tar's is only in the page cache, so tar followed by `sync FILE` (the same bytes made
# durable) is printed too, and the ratio against each.
# Usage: bench/export_court.sh [SIZE_MIB=4096] [RUNS=3]   (needs about 5 x SIZE of free disk)
. "$(dirname "$0")/lib.sh"
size_mib=${1:-4096}
runs=${2:-3}
bench_setup $((size_mib * 5 + 500))
records=20
per=$((size_mib / records))
mkdir "$work/plain" "$work/forms"
ids=()
for i in $(seq 1 $records); do
  sed -e "s/P-0231/P-9$(printf %03d "$i")/" \
    examples/incidents/01-police-extortion-harbour.yaml >"$work/forms/$i.yaml"
  id=$(as_me record --no-checkpoint --form "$work/forms/$i.yaml" 2>/dev/null | cut -d' ' -f1)
  head -c $((per * 1024 * 1024)) /dev/urandom >"$work/plain/clip-$i.mp4"
  as_me attach --no-checkpoint "$id" "$work/plain/clip-$i.mp4" >/dev/null 2>&1
  ids+=("$id")
done
as_me checkpoint >/dev/null 2>&1
cat "$work"/plain/* >/dev/null # the plaintext in the page cache for tar
cat "$work"/vault/objects/*/* >/dev/null # and the objects for custody

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "bundle: $records records, one attachment of $per MiB each ($((per * records)) MiB)"
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
seconds() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1; cut -d' ' -f1 "$work/time"; }
peak_mib() { echo $(($(cut -d' ' -f2 "$work/time") / 1024)); }
# /usr/bin/time runs a program, not a shell function: the command as words.
export_args=(--vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass"
  export --no-checkpoint --recipe examples/recipes/court.yaml --force)
tar_s=(); sync_s=(); export_s=()
for run in $(seq 1 "$runs"); do
  tar_s+=("$(seconds tar -cf "$work/plain.tar" -C "$work" plain)")
  rm -f "$work/plain.tar"
  sync_s+=("$(seconds sh -c 'tar -cf "$1" -C "$2" plain && sync "$1"' sh "$work/plain.tar" "$work")")
  rm -f "$work/plain.tar"
  export_s+=("$(seconds $custody "${export_args[@]}" -o "$work/bundle.tar" "${ids[@]}")")
  peak=$(peak_mib)
  rm -f "$work/bundle.tar"
done
small=$(seconds $custody "${export_args[@]}" -o "$work/small.tar" "${ids[@]:0:2}")
small_peak=$(peak_mib)
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
tar_m=$(median "${tar_s[@]}")
sync_m=$(median "${sync_s[@]}")
export_m=$(median "${export_s[@]}")
echo "tar -cf (plaintext files):   ${tar_s[*]} s (median $tar_m)"
echo "tar -cf, then sync FILE:     ${sync_s[*]} s (median $sync_m)"
echo "custody export (.tar):       ${export_s[*]} s (median $export_m), $peak MiB peak"
echo "custody export, 2 records:   $small s, $small_peak MiB peak (a tenth of the bytes)"
echo "export / tar (median):       $(awk -v a="$export_m" -v b="$tar_m" 'BEGIN { printf "%.2f", a / b }')   (target <= 1.5)"
echo "export / (tar + sync):       $(awk -v a="$export_m" -v b="$sync_m" 'BEGIN { printf "%.2f", a / b }')"
# The same ratios run by run (tar, tar + sync and export run in turn), so that a machine whose speed
# drifts during the benchmark moves both sides of each ratio.
paired() { # NUMERATORS... -- DENOMINATORS...
  local -a a=() b=(); while [ "$1" != -- ]; do a+=("$1"); shift; done; shift; b=("$@")
  local ratios=() i
  for i in "${!a[@]}"; do ratios+=("$(awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN { printf "%.2f", x / y }')"); done
  echo "${ratios[*]} (median $(median "${ratios[@]}"))"
}
echo "export / tar, run by run:    $(paired "${export_s[@]}" -- "${tar_s[@]}")"
echo "export / (tar + sync), runs: $(paired "${export_s[@]}" -- "${sync_s[@]}")"
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
