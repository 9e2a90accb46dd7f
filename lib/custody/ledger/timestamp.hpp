// RFC 3161 time-stamp requests and responses for checkpoints, through
// OpenSSL's TS API (docs/formats.md section 12.3). The token's signature and
// the TSA's certificate chain are checked only against a CA the caller names
// (`verify --tsa-ca`): custody does not decide which TSAs a court trusts.
#pragma once

#include <custody/base/bytes.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace custody::timestamp {

// A DER TimeStampReq: SHA-256 imprint of `data`, a random 64-bit nonce,
// certReq TRUE, no policy.
[[nodiscard]] Result<Bytes> make_request(ByteView data);

struct Token
{
  std::string gen_time;            // RFC 3339, as the TSA wrote it (UTC)
  std::string serial;              // hex
  std::string policy;              // OID
  bool signature_verified = false; // against the CA given
};

// Checks that `response` (DER TimeStampResp) answers `request` (DER
// TimeStampReq) about `data`: status granted, the token's imprint equals the
// request's and SHA-256(data), the nonce equals the request's. With `ca` (the
// text of a PEM file of trusted CA certificates), also the token's signature
// and the TSA's certificate chain up to one of them (R9); without, the
// signature is not checked and the token says so. Errc::invalid_input for
// undecodable DER, a mismatch or a signature that does not verify, with a
// message saying which.
[[nodiscard]] Result<Token>
check_response(ByteView request,
               ByteView response,
               ByteView data,
               const std::optional<std::string>& ca = std::nullopt);

// Checks a DER TimeStampResp about `data` without its request (a court
// bundle carries the response alone, as `openssl ts -verify -data` takes
// it): status granted, version 1, a SHA-256 imprint equal to SHA-256(data);
// with `ca`, the token's signature and the TSA's chain as check_response()
// does. No nonce can be checked. Errc::invalid_input naming what failed.
[[nodiscard]] Result<Token>
check_token(ByteView response,
            ByteView data,
            const std::optional<std::string>& ca = std::nullopt);

// Whether `pem` holds at least one PEM certificate, as check_response takes
// its `ca` (Errc::invalid_input otherwise).
[[nodiscard]] Result<void> check_ca(std::string_view pem);

// Whether a DER TimeStampReq asks about SHA-256(data).
[[nodiscard]] Result<void> check_request(ByteView request, ByteView data);

// Posts `request` to the TSA at `url` with curl(1), run through spawn::run (no
// shell; its environment only the locale and the parent's proxy settings) and
// returns the reply, at most 1 MiB. Errc::io naming curl's complaint when the
// TSA cannot be reached or answers with an HTTP error, or curl cannot be run.
[[nodiscard]] Result<Bytes> ask(const std::string& url, ByteView request);

} // namespace custody::timestamp
