#!/usr/bin/env bash
# Benchmark: this build against another (OLD, a custody binary built from an earlier commit with the
# bench preset), in turn, A B A B ..., on the same inputs: recording one batch of 10,000 forms into a
# fresh copy of an empty vault; a legal member's `list`, `verify` and `verify --deep` on a vault of N
# records; and `attach` of a 64 MiB file to one of them (each run adds one: both builds alike).
# Prints each command's median wall time for both and the median of the paired ratios new/old.
# Usage: bench/compare_builds.sh OLD [N=100000] [RUNS=5]   (about 18 KB of disk per record)
. "$(dirname "$0")/lib.sh"
old=${1:?usage: bench/compare_builds.sh OLD_CUSTODY [N] [RUNS]}
n=${2:-100000}
runs=${3:-5}
bench_setup $((n * 18 / 1000 + 800))
/usr/bin/python3 bench/make_forms.py 10000 "$work/forms.jsonl"
cp -a "$work/vault" "$work/empty"
batch=$((n < 10000 ? n : 10000))
# Each batch its own forms (a form recorded twice is refused); the timed batch is forms.jsonl.
for b in $(seq 1 $((n / batch))); do
  /usr/bin/python3 bench/make_forms.py "$batch" "$work/fill.jsonl" $((b * batch))
  as_me record --form "$work/fill.jsonl" --no-checkpoint >/dev/null 2>&1
done
as_me checkpoint >/dev/null 2>&1
head -c $((64 << 20)) /dev/urandom >"$work/clip.mp4"
record=$(as_me list --json | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["records"][0]["id"])')

wall() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
record_into_copy() { # BINARY: the copy has the empty vault's id, so forget the tip seen of it
  rm -rf "$work/copy" "$work/known_tips" && cp -a "$work/empty" "$work/copy"
  wall "$1" --vault "$work/copy" --identity "$work/me.age" --passphrase-file "$work/pass" \
    record --form "$work/forms.jsonl"
}
legal() { wall "$1" --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass" "${@:2}"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for binary in "$custody" "$old"; do legal "$binary" list >/dev/null; done # each build's caches
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $n records; $runs pairs"
printf '%-28s %10s %10s %12s\n' command new old "new/old"
for what in "record 10,000 forms" list verify "verify --deep" "attach 64 MiB"; do
  : >"$work/new" && : >"$work/old" && : >"$work/ratio"
  for _ in $(seq 1 "$runs"); do
    case $what in
    record*) a=$(record_into_copy "$custody"); b=$(record_into_copy "$old") ;;
    attach*)
      rm -f "$work/known_tips"
      a=$(legal "$custody" attach "$record" "$work/clip.mp4" --no-checkpoint)
      b=$(legal "$old" attach "$record" "$work/clip.mp4" --no-checkpoint)
      ;;
    *)
      # the copies recorded into above share the vault's id: forget the tip seen of them
      rm -f "$work/known_tips"
      a=$(legal "$custody" $what)
      b=$(legal "$old" $what)
      ;;
    esac
    echo "$a" >>"$work/new"; echo "$b" >>"$work/old"
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f\n", a / b }' >>"$work/ratio"
  done
  printf '%-28s %9ss %9ss %12s\n' "$what" "$(median <"$work/new")" "$(median <"$work/old")" "$(median <"$work/ratio")"
done
