# Sourced by every CLI test: a fresh temporary directory, the binary, and small assertions.
set -euo pipefail

: "${CUSTODY_BIN:?CUSTODY_BIN must point at the custody binary (ctest sets it)}"
: "${CUSTODY_SOURCE:?CUSTODY_SOURCE must point at the source tree}"
CUSTODY_TOOLS=${CUSTODY_TOOLS:-$(dirname "$CUSTODY_BIN")/../tests}

T=$(mktemp -d "${TMPDIR:-/tmp}/custody-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset CUSTODY_VAULT CUSTODY_IDENTITY CUSTODY_PASSPHRASE_FILE

custody() { "$CUSTODY_BIN" "$@"; }

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_status N COMMAND...: runs COMMAND, stdout to $T/out, stderr to $T/err; fails unless it exits N.
expect_status() {
  local want=$1
  shift
  local got=0
  "$@" >"$T/out" 2>"$T/err" </dev/null || got=$?
  if [ "$got" -ne "$want" ]; then
    echo "--- stdout" >&2; cat "$T/out" >&2
    echo "--- stderr" >&2; cat "$T/err" >&2
    fail "expected exit $want, got $got: $*"
  fi
}

expect_contains() { # FILE TEXT
  grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 does not contain: $2"; }
}

expect_not_contains() { # FILE TEXT
  if grep -qF -- "$2" "$1"; then cat "$1" >&2; fail "$1 contains: $2"; fi
}

# A passphrase file of mode 0600 holding a random passphrase.
make_passphrase() { # FILE
  head -c 18 /dev/urandom | base64 >"$1"
  chmod 600 "$1"
}

# A cheap identity for tests: make_identity NAME -> $T/NAME.age, $T/NAME.age.card, $T/NAME.pass
make_identity() {
  make_passphrase "$T/$1.pass"
  custody key new --out "$T/$1.age" --passphrase-file "$T/$1.pass" --work-factor 10 >"$T/$1.key-new.log" 2>&1 \
    || { cat "$T/$1.key-new.log" >&2; fail "key new $1"; }
}

# Snapshot of every file in a directory (names, sizes, hashes), to prove a failed command changed nothing.
snapshot() { # DIR
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# A vault in $T/vault created by identity "creator", with an offline recovery identity; any
# arguments are more init options (--places FILE).
make_vault() {
  make_identity creator
  make_passphrase "$T/recovery.pass"
  custody init --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" \
    --recovery-out "$T/recovery.age" --recovery-passphrase-file "$T/recovery.pass" --work-factor 10 \
    "$@" >"$T/init.out" 2>&1 || { cat "$T/init.out" >&2; fail "init"; }
}

# admit ROLE NAME...: a new identity for each NAME, admitted by the creator with ROLE.
admit() {
  local role=$1 name
  shift
  for name in "$@"; do
    make_identity "$name"
    as_creator key add --role "$role" "$T/$name.age.card" >/dev/null 2>&1 || fail "key add $name"
  done
}

# custody as the vault's creator.
as_creator() { custody --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" "$@"; }
# custody as member NAME (made with make_identity).
as_member() { local name=$1; shift; custody --vault "$T/vault" --identity "$T/$name.age" --passphrase-file "$T/$name.pass" "$@"; }

# Decrypts an identity file with Debian's age, which reads passphrases only from a terminal:
# util-linux `script` gives it one. age_decrypt_identity FILE PASSFILE OUT
age_decrypt_identity() {
  printf '%s\n' "$(head -n1 "$2")" | script -qec "age -d -o '$3' '$1'" /dev/null >/dev/null
}
