// RFC 3161 time-stamp requests and responses for checkpoints, through
// OpenSSL's TS API (docs/formats.md section 12.3). Checking the TSA's
// certificate chain is left to `openssl ts -verify` with the TSA's CA
// (docs/verifying.md): custody does not decide which TSAs a court trusts.
#pragma once

#include <custody/bytes.hpp>

#include <string>

namespace custody::timestamp {

// A DER TimeStampReq: SHA-256 imprint of `data`, a random 64-bit nonce,
// certReq TRUE, no policy.
[[nodiscard]] Result<Bytes> make_request(ByteView data);

struct Token
{
  std::string gen_time; // RFC 3339, as the TSA wrote it (UTC)
  std::string serial;   // hex
  std::string policy;   // OID
};

// Checks that `response` (DER TimeStampResp) answers `request` (DER
// TimeStampReq) about `data`: status granted, the token's imprint equals the
// request's and SHA-256(data), the nonce equals the request's. Does not check
// the TSA's signature or certificate (see above). Errc::invalid_input for
// undecodable DER or a mismatch, with a message saying which.
[[nodiscard]] Result<Token>
check_response(ByteView request, ByteView response, ByteView data);

// Whether a DER TimeStampReq asks about SHA-256(data).
[[nodiscard]] Result<void> check_request(ByteView request, ByteView data);

} // namespace custody::timestamp
