# Our minisign keys and signatures against Debian's minisign 0.11, in both directions.
source "$(dirname "$0")/lib.sh"

MINISIGN=${MINISIGN:-/usr/bin/minisign}
[ -x "$MINISIGN" ] || fail "$MINISIGN is missing (bash scripts/setup installs it)"
signtool() { "$CUSTODY_TOOLS/custody_signtool" "$@"; }

cd "$T"
printf 'evidence file\n' >evidence.txt
head -c 300000 /dev/urandom >large.bin # several Prehash pieces

# --- Our key, our signature: minisign accepts it ----------------------------------------------
expect_status 0 signtool generate ours.pub ours.key
key_id=$(cat "$T/out")
expect_contains ours.pub "untrusted comment: minisign public key $key_id"

expect_status 0 signtool sign ours.key evidence.txt --trusted-comment "case 7	exhibit A"
expect_status 0 "$MINISIGN" -Vm evidence.txt -p ours.pub
expect_contains "$T/out" "Trusted comment: case 7	exhibit A"
# -H accepts prehashed signatures only; -P takes the bare key line.
expect_status 0 "$MINISIGN" -H -Vm evidence.txt -P "$(sed -n 2p ours.pub)"
expect_status 0 signtool verify ours.pub evidence.txt
expect_contains "$T/out" "Trusted comment: case 7	exhibit A"

expect_status 0 signtool sign ours.key large.bin
expect_status 0 "$MINISIGN" -H -Vm large.bin -p ours.pub

# Legacy signatures: minisign takes them, except with -H.
cp evidence.txt legacy.txt
expect_status 0 signtool sign ours.key legacy.txt --legacy
expect_status 0 "$MINISIGN" -Vm legacy.txt -p ours.pub
expect_status 1 "$MINISIGN" -H -Vm legacy.txt -p ours.pub
expect_contains "$T/err" "Legacy (non-prehashed) signature found"
expect_status 3 signtool verify ours.pub legacy.txt --prehashed-only

# --- Our unencrypted secret key file: minisign signs with it, we verify -----------------------
expect_status 0 "$MINISIGN" -S -s ours.key -m evidence.txt -x theirs.minisig -t "signed by minisign"
cp theirs.minisig evidence.txt.minisig
expect_status 0 signtool verify ours.pub evidence.txt
expect_contains "$T/out" "Trusted comment: signed by minisign"
expect_status 0 "$MINISIGN" -S -l -s ours.key -m legacy.txt -t "legacy by minisign"
expect_status 0 signtool verify ours.pub legacy.txt
expect_contains "$T/out" "Trusted comment: legacy by minisign"

# --- minisign's unencrypted key pair: we sign with it, minisign verifies ----------------------
expect_status 0 "$MINISIGN" -G -W -p theirs.pub -s theirs.key
cp evidence.txt other.txt
expect_status 0 signtool sign theirs.key other.txt --trusted-comment "ours with their key"
expect_status 0 "$MINISIGN" -H -Vm other.txt -p theirs.pub
expect_contains "$T/out" "Trusted comment: ours with their key"
expect_status 0 signtool verify theirs.pub other.txt
# ... and a key mismatch names both key ids.
expect_status 1 signtool verify ours.pub other.txt
expect_contains "$T/err" "$key_id"
expect_contains "$T/err" "$(sed -n 1p theirs.pub | awk '{print $NF}')"

# --- minisign's password-protected key (scrypt, 1 GiB): we sign with it -----------------------
printf 'pass phrase\npass phrase\n' | "$MINISIGN" -G -p locked.pub -s locked.key >/dev/null \
  || fail "minisign -G with a password"
cp evidence.txt locked.txt
expect_status 0 signtool sign locked.key locked.txt --password "pass phrase"
expect_status 0 "$MINISIGN" -H -Vm locked.txt -p locked.pub
expect_status 5 signtool sign locked.key locked.txt --password "wrong phrase"
expect_contains "$T/err" "wrong password"

# --- Tampering: both refuse ------------------------------------------------------------------
expect_status 0 signtool sign ours.key evidence.txt --trusted-comment "original"
cp evidence.txt.minisig good.minisig

printf 'evidence file!\n' >evidence.txt
expect_status 1 signtool verify ours.pub evidence.txt
expect_contains "$T/err" "signature verification failed"
expect_status 1 "$MINISIGN" -Vm evidence.txt -p ours.pub
expect_contains "$T/err" "Signature verification failed"
printf 'evidence file\n' >evidence.txt

sed 's/^trusted comment: original$/trusted comment: forged/' good.minisig >evidence.txt.minisig
expect_status 1 signtool verify ours.pub evidence.txt
expect_contains "$T/err" "trusted comment signature verification failed"
expect_status 1 "$MINISIGN" -Vm evidence.txt -p ours.pub
expect_contains "$T/err" "Comment signature verification failed"

# The untrusted comment is signed by nothing: both accept an edited one.
sed '1s/.*/untrusted comment: edited/' good.minisig >evidence.txt.minisig
expect_status 0 signtool verify ours.pub evidence.txt
expect_status 0 "$MINISIGN" -Vm evidence.txt -p ours.pub

# Relabelling the prehashed signature ("ED", base64 "RU") as legacy ("Ed", "RW") breaks it.
sed '2s/^RU/RW/' good.minisig >evidence.txt.minisig
expect_status 1 signtool verify ours.pub evidence.txt
expect_status 1 "$MINISIGN" -Vm evidence.txt -p ours.pub

# A truncated file is malformed input to us, and refused by minisign.
head -n 3 good.minisig >evidence.txt.minisig
expect_status 3 signtool verify ours.pub evidence.txt
expect_contains "$T/err" "3 lines"
if "$MINISIGN" -Vm evidence.txt -p ours.pub >/dev/null 2>&1; then
  fail "minisign accepted a 3-line signature file"
fi

cp good.minisig evidence.txt.minisig
expect_status 0 "$MINISIGN" -Vm evidence.txt -p ours.pub
echo "minisign interop: ok"
