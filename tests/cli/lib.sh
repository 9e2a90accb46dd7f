# Sourced by every CLI test: a fresh temporary directory, the binary, and small assertions.
set -euo pipefail

: "${CUSTODY_BIN:?CUSTODY_BIN must point at the custody binary (ctest sets it)}"
: "${CUSTODY_SOURCE:?CUSTODY_SOURCE must point at the source tree}"
CUSTODY_TOOLS=${CUSTODY_TOOLS:-$(dirname "$CUSTODY_BIN")/../tests}
# custody's keyless media child, where custody finds it (cmd/CMakeLists.txt)
CUSTODY_MEDIA_BIN=${CUSTODY_MEDIA_BIN:-$(dirname "$CUSTODY_BIN")/../libexec/custody/custody-media}

T=$(mktemp -d "${TMPDIR:-/tmp}/custody-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset CUSTODY_VAULT CUSTODY_IDENTITY CUSTODY_PASSPHRASE_FILE

custody() { "$CUSTODY_BIN" "$@"; }
custody_media() { "$CUSTODY_MEDIA_BIN" "$@"; }

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
# A crash simulated after the fact (a vault copy put back, a line cut short after the command
# finished) takes back a tip the members already saw, which custody rightly calls a rollback. A real
# crash never acknowledged that tip, so the member never remembered it: forget what was seen.
forget_seen_tips() { rm -f "$T/known_tips"; }
# custody as member NAME (made with make_identity).
as_member() { local name=$1; shift; custody --vault "$T/vault" --identity "$T/$name.age" --passphrase-file "$T/$name.pass" "$@"; }

# on_pty NAME COMMAND...: runs COMMAND on an 80x24 pseudo-terminal, answering as $T/NAME.steps says
# (tests/cli/pty_steps.py: expect, send, interrupt, eof, hangup, fits, run); what it showed goes
# to $T/NAME.out and its exit status to $pty_status.
on_pty() {
  local name=$1
  shift
  pty_status=0
  TERM=dumb python3 "$CUSTODY_SOURCE/tests/cli/pty_steps.py" "$T/$name.out" "$T/$name.steps" -- "$@" \
    || pty_status=$?
  if [ "$pty_status" -eq 124 ]; then
    cat "$T/$name.out" >&2
    fail "$name: the dialogue on the terminal went otherwise"
  fi
}

# Decrypts an identity file with Debian's age, which reads passphrases only from a terminal:
# util-linux `script` gives it one. age_decrypt_identity FILE PASSFILE OUT
age_decrypt_identity() {
  printf '%s\n' "$(head -n1 "$2")" | script -qec "age -d -o '$3' '$1'" /dev/null >/dev/null
}

# A local RFC 3161 TSA in $T/tsa: a throwaway CA (ca.pem) and a TSA certificate with the critical
# timeStamping extended key usage `openssl ts -reply` insists on. No network.
make_tsa() {
  mkdir -p "$T/tsa"
  cat >"$T/tsa/tsa.cnf" <<'CNF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = Test TSA
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = .
serial = $dir/tsaserial
signer_cert = $dir/tsa.crt
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_alg = sha256
CNF
  (
    cd "$T/tsa"
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
      -out ca.pem -days 30 -subj "/CN=Test Root CA" -config tsa.cnf -extensions v3_ca
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa.key \
      -out tsa.csr -subj "/CN=Test TSA" -config tsa.cnf
    openssl x509 -req -in tsa.csr -CA ca.pem -CAkey ca.key -set_serial 0x1001 -out tsa.crt \
      -days 30 -extfile tsa.cnf -extensions v3_tsa
    echo 00 >tsaserial
  ) >"$T/tsa/setup.log" 2>&1 || { cat "$T/tsa/setup.log" >&2; fail "local TSA setup"; }
}

# tsa_reply REQUEST RESPONSE: the local TSA answers a request file.
tsa_reply() {
  (cd "$T/tsa" && openssl ts -reply -config tsa.cnf -queryfile "$1" -out "$2") >"$T/tsa/reply.log" 2>&1 \
    || { cat "$T/tsa/reply.log" >&2; fail "openssl ts -reply"; }
}
