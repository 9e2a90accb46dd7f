# RFC 3161 timestamps of checkpoints against a local TSA (openssl ts -reply, a throwaway CA): the
# request, the checked and stored response, openssl ts -verify on the stored token, and responses
# for another request or another checkpoint refused with status 3 and nothing stored.
. "$(dirname "$0")/lib.sh"

make_vault
make_tsa
as_creator record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml" >/dev/null 2>&1 \
  || fail "record"
[ -f "$T/vault/checkpoints/4" ] || fail "no checkpoint after record"

# the request: SHA-256 of the checkpoint file, a nonce, certReq
expect_status 0 as_creator checkpoint --tsq "$T/req.tsq"
cmp "$T/req.tsq" "$T/vault/checkpoints/4.tsq" || fail "the request is not kept beside its checkpoint"
openssl ts -query -in "$T/req.tsq" -text >"$T/req.txt" 2>/dev/null || fail "openssl cannot read the request"
expect_contains "$T/req.txt" "Hash Algorithm: sha256"
expect_contains "$T/req.txt" "Certificate required: yes"
expect_contains "$T/req.txt" "Nonce: 0x"
imprint=$(sed -n '/Message data:/,/Policy OID/p' "$T/req.txt" | sed -n 's/^ *[0-9a-f]\{4\} - \(.*\)   .*/\1/p' | tr -d ' -' | tr -d '\n')
[ "$imprint" = "$(sha256sum <"$T/vault/checkpoints/4" | cut -d' ' -f1)" ] \
  || fail "imprint $imprint is not the SHA-256 of checkpoints/4"
# asking again repeats the request
expect_status 0 as_creator checkpoint --tsq "$T/again.tsq" --checkpoint 4
cmp "$T/req.tsq" "$T/again.tsq" || fail "a second request differs"

# a response to another request (same checkpoint data, another nonce) is refused
openssl ts -query -data "$T/vault/checkpoints/4" -sha256 -cert -out "$T/foreign.tsq" 2>/dev/null
tsa_reply "$T/foreign.tsq" "$T/foreign.tsr"
before=$(snapshot "$T/vault")
expect_status 3 as_creator checkpoint --tsr "$T/foreign.tsr"
expect_contains "$T/err" "nonce"
# a response about other data
printf 'other\n' >"$T/other.txt"
openssl ts -query -data "$T/other.txt" -sha256 -cert -out "$T/other.tsq" 2>/dev/null
tsa_reply "$T/other.tsq" "$T/other.tsr"
expect_status 3 as_creator checkpoint --tsr "$T/other.tsr" --checkpoint 4
expect_contains "$T/err" "imprint"
# not DER at all
printf 'not a response' >"$T/junk.tsr"
expect_status 3 as_creator checkpoint --tsr "$T/junk.tsr" --checkpoint 4
expect_contains "$T/err" "TimeStampResp"
# a checkpoint without a request
expect_status 3 as_creator checkpoint --tsr "$T/foreign.tsr" --checkpoint 2
expect_contains "$T/err" "no stored request"
[ "$before" = "$(snapshot "$T/vault")" ] || fail "a refused response changed the vault"
expect_status 2 as_creator checkpoint --tsq "$T/x" --tsr "$T/y"

# the real answer is stored, and openssl ts -verify accepts the stored token with the CA
tsa_reply "$T/req.tsq" "$T/resp.tsr"
expect_status 0 as_creator checkpoint --tsr "$T/resp.tsr" --json
jq -e '.size == 4 and .timestamped and (.gen_time | test("Z$"))' "$T/out" >/dev/null || { cat "$T/out"; fail "--tsr --json"; }
cmp "$T/resp.tsr" "$T/vault/checkpoints/4.tsr" || fail "the response is not stored"
(cd "$T/vault" && openssl ts -verify -in checkpoints/4.tsr -data checkpoints/4 -CAfile "$T/tsa/ca.pem") \
  >"$T/verify.txt" 2>&1 || { cat "$T/verify.txt"; fail "openssl ts -verify"; }
expect_contains "$T/verify.txt" "Verification: OK"
(cd "$T/vault" && openssl ts -verify -in checkpoints/4.tsr -queryfile checkpoints/4.tsq -CAfile "$T/tsa/ca.pem") \
  >/dev/null 2>&1 || fail "openssl ts -verify -queryfile"
# a token is kept: another one is refused, the same one again is fine
expect_status 3 as_creator checkpoint --tsq "$T/third.tsq"
expect_contains "$T/err" "timestamped already"
expect_status 0 as_creator checkpoint --tsr "$T/resp.tsr" --checkpoint 4

# R9: without a CA the token's signature is not checked, and it is not counted as a timestamp
expect_status 0 as_creator verify
expect_contains "$T/out" "the latest of 4 entries (RFC 3161 token stored, not verified (pass --tsa-ca)); 0 of them timestamped; 1 token not verified"
expect_status 0 as_creator verify --json
jq -e '.checkpoints.timestamped == 0 and .checkpoints.tokens_unverified == 1' "$T/out" >/dev/null || fail "verify --json without --tsa-ca"
# with the TSA's CA it is checked and counted
expect_status 0 as_creator verify --tsa-ca "$T/tsa/ca.pem"
expect_contains "$T/out" "the latest of 4 entries (RFC 3161 timestamp stored); 1 of them timestamped"
# the CA may come through a pipe: it is read once
expect_status 0 as_creator verify --tsa-ca <(cat "$T/tsa/ca.pem")
expect_contains "$T/out" "1 of them timestamped"
expect_status 0 as_creator verify --tsa-ca "$T/tsa/ca.pem" --json
jq -e '.checkpoints.timestamped == 1 and .checkpoints.tokens_unverified == 0 and .checkpoints.latest.timestamped' \
  "$T/out" >/dev/null || fail "verify --tsa-ca --json"
# A flipped byte in the token's signature, in its signed attributes or in the TSA's certificate fails
# with the CA, as it does for `openssl ts -verify`; without the CA it is still not counted. Offsets
# from the DER: the SignerInfo's signature is the last OCTET STRING, the messageDigest attribute the
# one before, the TSA certificate's own signature the first BIT STRING of a certificate.
der_field() { # TYPE DEPTH N: "offset header-length length" of the Nth primitive TYPE at DEPTH
  openssl asn1parse -inform DER -in "$T/resp.tsr" \
    | sed -n "s/^ *\([0-9]*\):d=$2 *hl=\([0-9]*\) *l= *\([0-9]*\) prim: *$1.*/\1 \2 \3/p" | sed -n "$3p"
}
flip() { # OFFSET: the stored token with the byte at OFFSET flipped
  cp "$T/resp.tsr" "$T/vault/checkpoints/4.tsr"
  perl -e 'open(my $f, "+<", $ARGV[0]) or die; seek($f, $ARGV[1], 0); read($f, my $c, 1);
           seek($f, $ARGV[1], 0); print $f chr(ord($c) ^ 1); close($f)' "$T/vault/checkpoints/4.tsr" "$1"
}
signature=$(der_field 'OCTET STRING' 6 '$')
digest=$(der_field 'OCTET STRING' 9 '$')
certificate=$(der_field 'BIT STRING' 6 1)
for field in "signature:$signature" "signed attribute:$digest" "certificate:$certificate"; do
  read -r offset header length <<<"${field#*:}"
  [ -n "$length" ] || fail "no ${field%%:*} found in the token"
  flip $((offset + header + length / 2))
  if (cd "$T/vault" && openssl ts -verify -in checkpoints/4.tsr -queryfile checkpoints/4.tsq -CAfile "$T/tsa/ca.pem") >/dev/null 2>&1; then
    fail "openssl ts -verify accepts a token with a flipped byte in its ${field%%:*}"
  fi
  expect_status 1 as_creator verify --tsa-ca "$T/tsa/ca.pem"
  expect_contains "$T/err" "checkpoints/4.tsr"
  expect_contains "$T/err" "signature or the TSA's certificate does not verify"
  expect_status 0 as_creator verify
  expect_contains "$T/out" "0 of them timestamped; 1 token not verified (pass --tsa-ca)"
done
cp "$T/resp.tsr" "$T/vault/checkpoints/4.tsr"
# a CA that did not issue the TSA's certificate
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other-ca.key" \
  -subj "/CN=Other CA" -days 30 -out "$T/other-ca.pem" 2>/dev/null
expect_status 1 as_creator verify --tsa-ca "$T/other-ca.pem"
expect_contains "$T/err" "checkpoints/4.tsr"
# a CA file that is not one is bad input
printf 'not a certificate\n' >"$T/junk.pem"
expect_status 3 as_creator verify --tsa-ca "$T/junk.pem"
expect_status 3 as_creator verify --tsa-ca "$T/missing.pem"
# a token swapped for one about other data is a verify failure naming it
cp "$T/other.tsr" "$T/vault/checkpoints/4.tsr"
expect_status 1 as_creator verify
expect_contains "$T/err" "checkpoints/4.tsr"
cp "$T/resp.tsr" "$T/vault/checkpoints/4.tsr"

# --tsa: ask a TSA over HTTP with curl. The TSA is local (loopback): Python's http.server answering
# with openssl ts -reply.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY
cat >"$T/tsa/server.py" <<'PY'
import http.server, subprocess
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open("q.tsq", "wb").write(body)
        subprocess.run(["openssl", "ts", "-reply", "-config", "tsa.cnf", "-queryfile", "q.tsq",
                        "-out", "r.tsr"], check=True, capture_output=True)
        data = open("r.tsr", "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
open("port.tmp", "w").write(str(server.server_address[1]))
__import__("os").rename("port.tmp", "port")
server.serve_forever()
PY
(cd "$T/tsa" && exec /usr/bin/python3 server.py) &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -f "$T/tsa/port" ] && break; sleep 0.1; done
[ -f "$T/tsa/port" ] || fail "the local TSA did not start"
as_creator record --form "$CUSTODY_SOURCE/examples/incidents/02-unlawful-arrest-condoms.yaml" >/dev/null 2>&1 \
  || fail "record"
[ -f "$T/vault/checkpoints/6" ] || fail "no checkpoint 6"
# unreachable: status 6, the request kept, no token
before=$(snapshot "$T/vault")
expect_status 6 as_creator checkpoint --tsa "http://127.0.0.1:1/"
expect_contains "$T/err" "did not answer"
[ ! -e "$T/vault/checkpoints/6.tsr" ] || fail "a token was stored without an answer"
expect_status 0 as_creator checkpoint --tsa "http://127.0.0.1:$(cat "$T/tsa/port")/"
expect_contains "$T/out" "stored the RFC 3161 token for checkpoints/6"
(cd "$T/vault" && openssl ts -verify -in checkpoints/6.tsr -queryfile checkpoints/6.tsq -CAfile "$T/tsa/ca.pem") \
  >/dev/null 2>&1 || fail "openssl ts -verify of the token --tsa stored"
expect_status 2 as_creator checkpoint --tsa "http://127.0.0.1:1/" --tsr "$T/resp.tsr"

# prove carries the token
id=$(as_creator list --json 2>/dev/null | jq -r '.records[0].id')
expect_status 0 as_creator prove "$id"
jq -e '.checkpoint.timestamped and (.checkpoint.timestamp_token | length) > 100' "$T/out" >/dev/null \
  || fail "prove does not carry the token"
echo ok
