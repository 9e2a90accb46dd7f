// Bech32 encoding and decoding with every intermediate in secure memory.
#include <custody/crypto/bech32.hpp>

#include <sodium.h>

#include <array>
#include <cstdint>

namespace custody::bech32 {

namespace {

constexpr std::string_view k_charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::size_t k_checksum_length = 6;

std::uint32_t
polymod_step(std::uint32_t checksum, std::uint8_t value)
{
  constexpr std::array<std::uint32_t, 5> generator = {
    0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  const std::uint32_t top = checksum >> 25;
  checksum = ((checksum & 0x1ffffff) << 5) ^ value;
  for (std::size_t i = 0; i < generator.size(); ++i) {
    if (((top >> i) & 1) != 0) {
      checksum ^= generator[i];
    }
  }
  return checksum;
}

char
to_lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

char
to_upper(char c)
{
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// The checksum state after the expanded hrp (BIP 173 "hrp_expand"), over its
// lower-case form.
std::uint32_t
hrp_checksum(std::string_view hrp)
{
  std::uint32_t checksum = 1;
  for (char c : hrp) {
    checksum =
      polymod_step(checksum, static_cast<std::uint8_t>(to_lower(c)) >> 5);
  }
  checksum = polymod_step(checksum, 0);
  for (char c : hrp) {
    checksum =
      polymod_step(checksum, static_cast<std::uint8_t>(to_lower(c)) & 31);
  }
  return checksum;
}

// Printable US-ASCII and one case only: BIP 173 rejects mixed-case strings
// outright.
[[nodiscard]] Result<void>
check_characters(std::string_view text, std::string_view what)
{
  bool lower = false;
  bool upper = false;
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) {
      return fail(Errc::invalid_input,
                  "bech32: {} has a character outside 0x21..0x7E",
                  what);
    }
    lower = lower || (c >= 'a' && c <= 'z');
    upper = upper || (c >= 'A' && c <= 'Z');
  }
  if (lower && upper) {
    return fail(
      Errc::invalid_input, "bech32: {} mixes upper and lower case", what);
  }
  return {};
}

// Writes the encoding of `data` into `out`, which holds exactly
// `encoded_length` characters.
[[nodiscard]] Result<void>
encode_into(std::string_view hrp,
            ByteView data,
            Case letter_case,
            std::span<char> out)
{
  if (hrp.empty()) {
    return fail(Errc::invalid_input, "bech32: empty human-readable part");
  }
  CUSTODY_TRY(check_characters(hrp, "human-readable part"));

  // Regroup 8-bit bytes into 5-bit values, padding the last one with zero bits.
  SecretBytes values((data.size() * 8 + 4) / 5);
  std::uint32_t accumulator = 0;
  int bits = 0;
  std::size_t n = 0;
  for (std::uint8_t byte : data) {
    accumulator = ((accumulator << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.data()[n++] =
        static_cast<std::uint8_t>((accumulator >> bits) & 31);
    }
  }
  if (bits > 0) {
    values.data()[n++] =
      static_cast<std::uint8_t>((accumulator << (5 - bits)) & 31);
  }
  sodium_memzero(&accumulator, sizeof accumulator);

  std::uint32_t checksum = hrp_checksum(hrp);
  for (std::uint8_t value : values.view()) {
    checksum = polymod_step(checksum, value);
  }
  for (std::size_t i = 0; i < k_checksum_length; ++i) {
    checksum = polymod_step(checksum, 0);
  }
  checksum ^= 1;

  const auto cased = [letter_case](char c) {
    return letter_case == Case::upper ? to_upper(c) : to_lower(c);
  };
  std::size_t at = 0;
  for (char c : hrp) {
    out[at++] = cased(c);
  }
  out[at++] = '1';
  for (std::uint8_t value : values.view()) {
    out[at++] = cased(k_charset[value]);
  }
  for (std::size_t i = 0; i < k_checksum_length; ++i) {
    out[at++] =
      cased(k_charset[(checksum >> (5 * (k_checksum_length - 1 - i))) & 31]);
  }
  return {};
}

std::size_t
encoded_length(std::string_view hrp, ByteView data)
{
  return hrp.size() + 1 + (data.size() * 8 + 4) / 5 + k_checksum_length;
}

} // namespace

[[nodiscard]] Result<std::string>
encode(std::string_view hrp, ByteView data, Case letter_case)
{
  std::string out(encoded_length(hrp, data), '\0');
  CUSTODY_TRY(encode_into(hrp, data, letter_case, out));
  return out;
}

[[nodiscard]] Result<SecretBytes>
encode_secret(std::string_view hrp, ByteView data, Case letter_case)
{
  SecretBytes out(encoded_length(hrp, data));
  CUSTODY_TRY(encode_into(
    hrp, data, letter_case, {reinterpret_cast<char*>(out.data()), out.size()}));
  return out;
}

[[nodiscard]] Result<Decoded>
decode(std::string_view text)
{
  CUSTODY_TRY(check_characters(text, "string"));
  const auto separator = text.rfind('1');
  if (separator == std::string_view::npos) {
    return fail(Errc::invalid_input, "bech32: no separator '1'");
  }
  if (separator == 0) {
    return fail(Errc::invalid_input, "bech32: empty human-readable part");
  }
  const std::string_view hrp = text.substr(0, separator);
  const std::string_view data_part = text.substr(separator + 1);
  if (data_part.size() < k_checksum_length) {
    return fail(Errc::invalid_input, "bech32: checksum too short");
  }

  SecretBytes values(data_part.size());
  for (std::size_t i = 0; i < data_part.size(); ++i) {
    const auto found = k_charset.find(to_lower(data_part[i]));
    if (found == std::string_view::npos) {
      return fail(Errc::invalid_input, "bech32: invalid data character");
    }
    values.data()[i] = static_cast<std::uint8_t>(found);
  }
  std::uint32_t checksum = hrp_checksum(hrp);
  for (std::uint8_t value : values.view()) {
    checksum = polymod_step(checksum, value);
  }
  if (checksum != 1) {
    return fail(Errc::invalid_input, "bech32: bad checksum");
  }

  // Regroup 5-bit values into bytes; the leftover must be under 5 bits, all
  // zero.
  const std::size_t value_count = values.size() - k_checksum_length;
  SecretBytes data(value_count * 5 / 8);
  std::uint32_t accumulator = 0;
  int bits = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < value_count; ++i) {
    accumulator = ((accumulator << 5) | values.data()[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      data.data()[n++] =
        static_cast<std::uint8_t>((accumulator >> bits) & 0xff);
    }
  }
  const bool bad_padding =
    bits >= 5 || ((accumulator << (8 - bits)) & 0xff) != 0;
  sodium_memzero(&accumulator, sizeof accumulator);
  if (bad_padding) {
    return fail(Errc::invalid_input, "bech32: invalid padding");
  }
  return Decoded{std::string(hrp), std::move(data)};
}

} // namespace custody::bech32
