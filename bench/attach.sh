#!/usr/bin/env bash
# Benchmark: `custody attach` and `custody verify --deep` of one file of SIZE MiB (default 2048) in
# the page cache, beside the standard tools doing the same work in the same run:
#   openssl dgst -sha256 FILE           (the hashing floor)
#   dd if=FILE of=COPY bs=1M conv=fsync (the durable-write floor)
#   sha256sum FILE; age -r KEY FILE     (the standard tools in sequence)
# and the peak memory of attach for this size and for a tenth of it (constant memory).
# Usage: bench/attach.sh [SIZE_MIB=2048]   (needs about 4 x SIZE of free disk)
. "$(dirname "$0")/lib.sh"
size_mib=${1:-2048}
bench_setup $((size_mib * 4 + 500))
command -v age >/dev/null || { echo "skip: Debian's age is not installed (scripts/setup)"; exit 0; }
as_me record --form examples/incidents >"$work/ids" 2>/dev/null
id=$(head -1 "$work/ids" | cut -d' ' -f1)
head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$work/file.bin"
small=$((size_mib / 10))
head -c $((small * 1024 * 1024)) /dev/urandom >"$work/small.bin"
cat "$work/file.bin" >/dev/null # into the page cache

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(df -PT "$work" | awk 'NR == 2 { print $2 }') on $(df -P "$work" | awk 'NR == 2 { print $1 }')"
echo "file: $size_mib MiB of random bytes, in the page cache"
seconds() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1; cut -d' ' -f1 "$work/time"; }
peak_mib() { echo $(($(cut -d' ' -f2 "$work/time") / 1024)); }

dgst=$(seconds openssl dgst -sha256 "$work/file.bin")
dd_fsync=$(seconds dd if="$work/file.bin" of="$work/copy.bin" bs=1M conv=fsync)
rm -f "$work/copy.bin"
sha=$(seconds sha256sum "$work/file.bin")
age-keygen -o "$work/age.key" 2>/dev/null
age_r=$(seconds age -r "$(age-keygen -y "$work/age.key")" -o "$work/file.age" "$work/file.bin")
rm -f "$work/file.age"
sync
attach=$(seconds $custody --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass" attach "$id" "$work/file.bin")
attach_peak=$(peak_mib)
attach_small=$(seconds $custody --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass" attach "$id" "$work/small.bin")
small_peak=$(peak_mib)
# attach writes with O_DIRECT, so its objects are not in the page cache; put them there, as the
# plaintext is for openssl dgst, so that both read from memory
cat "$work"/vault/objects/*/* >/dev/null
deep=$(seconds $custody --vault "$work/vault" --identity "$work/me.age" --passphrase-file "$work/pass" verify --deep)
deep_peak=$(peak_mib)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
floor=$(awk -v a="$dgst" -v b="$dd_fsync" 'BEGIN { print (a > b ? a : b) }')
sequence=$(awk -v a="$sha" -v b="$age_r" 'BEGIN { print a + b }')
echo "openssl dgst -sha256:            $dgst s"
echo "dd bs=1M conv=fsync:             $dd_fsync s"
echo "sha256sum then age -r:           $sha s + $age_r s = $sequence s"
echo "custody attach:                  $attach s, $attach_peak MiB peak"
echo "custody attach ($small MiB):     $attach_small s, $small_peak MiB peak"
echo "custody verify --deep:           $deep s, $deep_peak MiB peak (the whole vault: the file, the tenth, the examples)"
echo "attach / max(dgst, dd):          $(ratio "$attach" "$floor")   (target <= 1.3)"
echo "(sha256sum + age) / attach:      $(ratio "$sequence" "$attach")   (target >= 3)"
deep_bytes=$((size_mib + small))
echo "verify --deep / openssl dgst of the same bytes: $(ratio "$deep" "$(awk -v d="$dgst" -v s="$size_mib" -v t="$deep_bytes" 'BEGIN { print d * t / s }')")   (target <= 1.3)"
