// Byte buffers and their text encodings (hex, base64), shared by every format
// module.
#pragma once

#include <custody/base/error.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace custody {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Digest = std::array<std::uint8_t, 32>;

inline ByteView
as_bytes(std::string_view text)
{
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

inline std::string_view
as_text(ByteView bytes)
{
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Lowercase hex.
std::string to_hex(ByteView bytes);
// Accepts lowercase hex only, so that a value has exactly one spelling.
Result<Bytes> from_hex(std::string_view text);
Result<Digest> digest_from_hex(std::string_view text);

// Standard alphabet. `Padding::no` is age's header encoding; decoding then also
// rejects non-canonical trailing bits, as the age spec requires.
enum class Padding { yes, no };
std::string to_base64(ByteView bytes, Padding padding);
Result<Bytes> from_base64(std::string_view text, Padding padding);

} // namespace custody
