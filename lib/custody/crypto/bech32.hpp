// Bech32 (BIP 173) without the 90-character limit: the text form of age keys.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/error.hpp>
#include <custody/crypto/secret.hpp>

#include <string>
#include <string_view>

namespace custody::bech32 {

// The letter case of an encoded string. The checksum is always over the
// lower-case form.
enum class Case { lower, upper };

// Encodes `data` (8-bit bytes, regrouped into 5-bit values with zero padding)
// under the human readable part `hrp` (1+ characters in 0x21..0x7E, not mixed
// case), written in `letter_case`. Fails with Errc::invalid_input on a bad
// `hrp`.
[[nodiscard]] Result<std::string>
encode(std::string_view hrp, ByteView data, Case letter_case);

// As `encode`, for secret `data` (an age identity): the output and every
// intermediate value live in secure memory.
[[nodiscard]] Result<SecretBytes>
encode_secret(std::string_view hrp, ByteView data, Case letter_case);

struct Decoded
{
  // As written in the input, so that callers can insist on a case ("age",
  // "AGE-SECRET-KEY-").
  std::string hrp;
  // Always in secure memory, because decoded strings are often secret keys.
  SecretBytes data;
};

// Decodes `text`: all-upper or all-lower, characters 0x21..0x7E, the last '1'
// separates a non-empty hrp from the data, a valid 6-character checksum, and
// 5-bit groups that convert back to bytes with at most 4 zero padding bits.
// Fails with Errc::invalid_input; the message never quotes `text`, which may be
// a secret key.
[[nodiscard]] Result<Decoded> decode(std::string_view text);

} // namespace custody::bech32
