// UTF-8 per RFC 3629, table 3-7 of the Unicode standard.
#include <custody/base/utf8.hpp>

#include <cstdint>
#include <cstring>

namespace custody::utf8 {

namespace {

// Decodes one code point at `offset`; returns its length in bytes, or 0 when
// the bytes there are ill-formed.
std::size_t
decode(std::string_view text, std::size_t offset, char32_t& out)
{
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint8_t>(text[offset + i]);
  };
  const std::size_t left = text.size() - offset;
  const std::uint8_t b0 = byte(0);
  if (b0 < 0x80) {
    out = b0;
    return 1;
  }
  std::size_t length = 0;
  std::uint8_t low = 0x80;
  std::uint8_t high = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) {
      low = 0xA0; // no overlong forms
    } else if (b0 == 0xED) {
      high = 0x9F; // no surrogates
    }
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) {
      low = 0x90;
    } else if (b0 == 0xF4) {
      high = 0x8F; // nothing above U+10FFFF
    }
  } else {
    return 0;
  }
  if (left < length) {
    return 0;
  }
  const std::uint8_t b1 = byte(1);
  if (b1 < low || b1 > high) {
    return 0;
  }
  char32_t value = b0 & (0xFF >> (length + 1));
  value = (value << 6) | (b1 & 0x3F);
  for (std::size_t i = 2; i < length; ++i) {
    const std::uint8_t b = byte(i);
    if (b < 0x80 || b > 0xBF) {
      return 0;
    }
    value = (value << 6) | (b & 0x3F);
  }
  out = value;
  return length;
}

} // namespace

std::optional<std::size_t>
first_invalid(std::string_view text)
{
  std::size_t offset = 0;
  char32_t ignored = 0;
  while (offset < text.size()) {
    // Forms are mostly ASCII: skip eight such bytes at a time (a batch of
    // forms is checked whole before its lines are parsed on every core).
    while (text.size() - offset >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, text.data() + offset, 8);
      if ((word & 0x8080808080808080ULL) != 0) {
        break;
      }
      offset += 8;
    }
    if (offset == text.size()) {
      break;
    }
    const std::size_t length = decode(text, offset, ignored);
    if (length == 0) {
      return offset;
    }
    offset += length;
  }
  return std::nullopt;
}

std::size_t
count_code_points(std::string_view text)
{
  std::size_t count = 0;
  std::size_t offset = 0;
  char32_t ignored = 0;
  while (offset < text.size()) {
    const std::size_t length = decode(text, offset, ignored);
    offset += length == 0 ? 1 : length;
    ++count;
  }
  return count;
}

std::string
escape_markup(std::string_view text)
{
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r')
          || byte == 0x7F) {
        out += "\xEF\xBF\xBD"; // U+FFFD
      } else {
        out += c;
      }
    }
  }
  return out;
}

} // namespace custody::utf8
