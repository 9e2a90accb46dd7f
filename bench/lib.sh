# Sourced by the benchmark scripts: a scratch directory, a disk check, the bench build, and an empty
# vault with cheap identities. bench_setup NEED_MB; then $work, $custody, as_me.
set -euo pipefail
cd "$(dirname "$0")/.."

bench_setup() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/custody-bench.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  local free_mb
  free_mb=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
  if [ "$free_mb" -lt "$1" ]; then
    echo "skip: $free_mb MB free in $work, the benchmark needs about $1 MB"
    exit 0
  fi
  cmake --preset bench >/dev/null && cmake --build --preset bench >/dev/null
  custody=build/bench/cmd/custody
  head -c 24 /dev/urandom | base64 >"$work/pass"
  chmod 600 "$work/pass"
  # Work factor 10: the passphrase's key derivation is not what the benchmarks measure.
  $custody key new --out "$work/me.age" --passphrase-file "$work/pass" --work-factor 10 >/dev/null 2>&1
  $custody key new --out "$work/rec.age" --passphrase-file "$work/pass" --work-factor 10 >/dev/null 2>&1
  $custody init --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass" \
    --recovery "$work/rec.age.card" --places examples/places.yaml >/dev/null
}

as_me() { $custody --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass" "$@"; }
