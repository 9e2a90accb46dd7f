#!/usr/bin/env bash
# Benchmark: `custody stats` on a vault of N synthetic records (default 1,000,000) written through
# the library (custody_bench fill: realistic spreads over the vocabularies and the demo's places,
# persons reporting more than once, nine in ten consenting to statistics), by a data member:
#   - one quarter, type of violence x population, the index built;
#   - the standard release of a quarter with its audit;
#   - the facts index rebuilt from scratch by a data member (her shards deleted), then that quarter;
# each against the same count done by python3 over the same facts in plain JSON Lines, exported once
# from the vault (the floor of counting without decrypting or auditing anything).
# Usage: bench/stats.sh [N=1000000] [RUNS=3]   (about 17 KB of disk per record)
. "$(dirname "$0")/lib.sh"
n=${1:-1000000}
runs=${2:-3}
bench_setup $((n * 17 / 1000 + 800))
head -c 24 /dev/urandom | base64 >"$work/data.pass" && chmod 600 "$work/data.pass"
$custody key new --out "$work/data.age" --passphrase-file "$work/data.pass" --work-factor 10 >/dev/null 2>&1
as_me key add --role data "$work/data.age.card" >/dev/null 2>&1
batch=$((n < 50000 ? n : 50000))
start=$(date +%s.%N)
build/bench/bench/custody_bench fill "$work/vault" "$work/me.age" "$work/pass" "$n" "$batch" | tail -1
echo "filled $n records in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s ($(du -sh "$work/vault" | cut -f1))"
as_me checkpoint >/dev/null 2>&1
as_data() { $custody --vault "$work/vault" --identity "$work/data.age" --passphrase-file "$work/data.pass" "$@"; }
wall() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The plain facts, once, for the reference count.
as_data list --json | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["records"]:
    print(json.dumps({"month": r["month"], "population": r["population"], "types": r["violence_types"]}))' >"$work/facts.jsonl"
cat >"$work/count.py" <<'PY'
import json, sys, collections
cells = collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "2025-07" <= r["month"] <= "2025-09":
        for t in {".".join(t.split(".")[:2]) for t in r["types"]}:
            cells[(t, r["population"])] += 1
print(len(cells))
PY

rebuild() { rm -f "$work"/vault/index/*/facts.age "$work"/vault/index/*/facts.detail.age "$work"/vault/index/*/facts.stats*.age; }
as_data stats --period 2025-Q3 --rows violence_type --cols population --level 1 --json >/dev/null 2>&1 # index built
echo "machine: $(nproc) cores; $n records; median of $runs runs (wall s, peak KiB)"
for what in "quarter, type x population" "standard release of a quarter" "index rebuilt, then the quarter" "python3 over plain facts"; do
  : >"$work/t"
  for _ in $(seq 1 "$runs"); do
    case $what in
    quarter*) wall "$custody" --vault "$work/vault" --identity "$work/data.age" --passphrase-file "$work/data.pass" stats --period 2025-Q3 --rows violence_type --cols population --level 1 --json >>"$work/t" ;;
    standard*) wall "$custody" --vault "$work/vault" --identity "$work/data.age" --passphrase-file "$work/data.pass" stats --period 2025-Q3 --json >>"$work/t" ;;
    index*) rebuild; wall "$custody" --vault "$work/vault" --identity "$work/data.age" --passphrase-file "$work/data.pass" stats --period 2025-Q3 --rows violence_type --cols population --level 1 --json >>"$work/t" ;;
    python3*) wall /usr/bin/python3 "$work/count.py" "$work/facts.jsonl" >>"$work/t" ;;
    esac
  done
  printf '%-34s %8s s %10s KiB\n' "$what" "$(cut -d' ' -f1 "$work/t" | median)" "$(cut -d' ' -f2 "$work/t" | median)"
done
as_data stats --period 2025-Q3 --json 2>/dev/null | jq -c '.audit'
