// Hex and base64 through libsodium's constant-time codecs.
#include <custody/base/bytes.hpp>

#include <sodium.h>

namespace custody {

std::string
to_hex(ByteView bytes)
{
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

Result<Bytes>
from_hex(std::string_view text)
{
  if (text.size() % 2 != 0) {
    return fail(
      Errc::invalid_input, "hex string has odd length {}", text.size());
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return fail(Errc::invalid_input, "not lowercase hex");
    }
  }
  if (text.empty()) {
    // An empty vector's data() may be null, which sodium_hex2bin must not be
    // given.
    return Bytes{};
  }
  Bytes out(text.size() / 2);
  size_t length = 0;
  if (sodium_hex2bin(out.data(),
                     out.size(),
                     text.data(),
                     text.size(),
                     nullptr,
                     &length,
                     nullptr)
        != 0
      || length != out.size()) {
    return fail(Errc::invalid_input, "not lowercase hex");
  }
  return out;
}

Result<Digest>
digest_from_hex(std::string_view text)
{
  if (text.size() != 64) {
    return fail(Errc::invalid_input,
                "expected 64 hex digits, got {} characters",
                text.size());
  }
  CUSTODY_ASSIGN(bytes, from_hex(text));
  Digest digest{};
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

static int
sodium_variant(Padding padding)
{
  return padding == Padding::yes ? sodium_base64_VARIANT_ORIGINAL
                                 : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
}

std::string
to_base64(ByteView bytes, Padding padding)
{
  const int variant = sodium_variant(padding);
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(
    out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1); // the terminating NUL
  return out;
}

Result<Bytes>
from_base64(std::string_view text, Padding padding)
{
  Bytes out(text.size() / 4 * 3 + 3);
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(),
                        out.size(),
                        text.data(),
                        text.size(),
                        nullptr,
                        &length,
                        &end,
                        sodium_variant(padding))
        != 0
      || end != text.data() + text.size()) {
    return fail(Errc::invalid_input, "invalid base64");
  }
  out.resize(length);
  // libsodium accepts non-zero trailing bits; re-encoding shows whether the
  // text was canonical.
  if (to_base64(out, padding) != text) {
    return fail(Errc::invalid_input, "non-canonical base64");
  }
  return out;
}

} // namespace custody
