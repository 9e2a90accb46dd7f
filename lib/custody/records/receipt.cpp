// Record ids, prefixes and receipts (receipt.hpp, docs/formats.md 6.2.2).
#include <custody/records/receipt.hpp>

#include <fmt/core.h>

#include <array>
#include <cstdint>
#include <optional>

namespace custody::records {

namespace {

constexpr std::string_view k_alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t k_data_symbols = 10; // 50 bits
constexpr std::size_t k_symbols = k_data_symbols + 1;
constexpr std::string_view k_hex = "0123456789abcdef";

using Symbols = std::array<std::uint8_t, k_symbols>;

// Multiplication by x in GF(32) = GF(2)[x]/(x^5 + x^2 + 1).
std::uint8_t
times_x(std::uint8_t value)
{
  const auto shifted = static_cast<std::uint8_t>(value << 1);
  return (value & 0x10) != 0 ? static_cast<std::uint8_t>(shifted ^ 0x25)
                             : shifted;
}

// Damm's check over the quasigroup a∘b = x·a + b: every single wrong symbol
// and every swap of neighbours changes it.
std::uint8_t
check_symbol(const Symbols& symbols)
{
  std::uint8_t interim = 0;
  for (std::size_t i = 0; i < k_data_symbols; ++i) {
    interim = static_cast<std::uint8_t>(times_x(interim) ^ symbols[i]);
  }
  return times_x(interim);
}

std::optional<std::uint8_t>
symbol_value(char c)
{
  switch (c) {
  case 'o':
  case 'O':
    return 0;
  case 'i':
  case 'I':
  case 'l':
  case 'L':
    return 1;
  default:
    break;
  }
  const char upper =
    c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  const auto at = k_alphabet.find(upper);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  return static_cast<std::uint8_t>(at);
}

// The eleven symbols of a text shaped like a receipt (hyphens anywhere), or
// nullopt.
std::optional<Symbols>
receipt_symbols(std::string_view typed)
{
  Symbols symbols{};
  std::size_t count = 0;
  for (const char c : typed) {
    if (c == '-') {
      continue;
    }
    const auto value = symbol_value(c);
    if (!value || count == k_symbols) {
      return std::nullopt;
    }
    symbols[count++] = *value;
  }
  if (count != k_symbols) {
    return std::nullopt;
  }
  return symbols;
}

std::uint64_t
data_bits(const Symbols& symbols)
{
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < k_data_symbols; ++i) {
    bits = bits << 5 | symbols[i];
  }
  return bits;
}

// The ids whose first 50 bits are `bits`: twelve hex digits, then a
// thirteenth whose two high bits are given.
IdRange
range_of_bits(std::uint64_t bits)
{
  std::string head;
  for (int shift = 46; shift >= 2; shift -= 4) {
    head += k_hex[(bits >> shift) & 0xf];
  }
  const auto low_digit = static_cast<std::size_t>((bits & 3) << 2);
  IdRange range;
  range.reading = IdRange::Reading::receipt;
  range.low = head + k_hex[low_digit] + std::string(19, '0');
  range.high = head + k_hex[low_digit | 3] + std::string(19, 'f');
  return range;
}

bool
is_hex(std::string_view text)
{
  return text.find_first_not_of(k_hex) == std::string_view::npos;
}

IdRange
prefix_range(std::string_view prefix)
{
  IdRange range;
  range.reading =
    prefix.size() == 32 ? IdRange::Reading::id : IdRange::Reading::prefix;
  range.low = std::string(prefix) + std::string(32 - prefix.size(), '0');
  range.high = std::string(prefix) + std::string(32 - prefix.size(), 'f');
  return range;
}

} // namespace

std::string
receipt_of(std::string_view id)
{
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 13 && i < id.size(); ++i) {
    const auto at = k_hex.find(id[i]);
    bits = bits << 4 | (at == std::string_view::npos ? 0 : at);
  }
  bits >>= 2;
  Symbols symbols{};
  for (std::size_t i = 0; i < k_data_symbols; ++i) {
    symbols[i] = static_cast<std::uint8_t>(bits >> (45 - 5 * i) & 31);
  }
  symbols[k_data_symbols] = check_symbol(symbols);
  std::string text;
  for (std::size_t i = 0; i < k_symbols; ++i) {
    if (i == 4 || i == 8) {
      text += '-';
    }
    text += k_alphabet[symbols[i]];
  }
  return text;
}

IdRange
receipt_range(std::string_view id)
{
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 13 && i < id.size(); ++i) {
    const auto at = k_hex.find(id[i]);
    bits = bits << 4 | (at == std::string_view::npos ? 0 : at);
  }
  return range_of_bits(bits >> 2);
}

Result<std::vector<IdRange>>
parse_reference(std::string_view typed)
{
  std::vector<IdRange> readings;
  if (typed.size() >= 8 && typed.size() <= 32 && is_hex(typed)) {
    readings.push_back(prefix_range(typed));
  }
  const auto symbols = receipt_symbols(typed);
  if (symbols) {
    if (check_symbol(*symbols) == (*symbols)[k_data_symbols]) {
      readings.push_back(range_of_bits(data_bits(*symbols)));
    } else if (readings.empty()) {
      return make_error(Errc::invalid_input,
                        fmt::format("{} is not a receipt: its check symbol "
                                    "does not match (a symbol mistyped, or "
                                    "two swapped)",
                                    typed),
                        Remedy::use_record_id);
    }
  }
  if (readings.empty()) {
    return make_error(Errc::invalid_input,
                      "a record is named by its id (32 hex digits), a prefix "
                      "of at least 8 of them, or its receipt (such as "
                      "K7M2-QX9P-R4T)",
                      Remedy::use_record_id);
  }
  return readings;
}

std::vector<IdRange>
near_references(std::string_view typed)
{
  std::vector<IdRange> near;
  if (typed.size() == 32 && is_hex(typed)) {
    std::string candidate(typed);
    for (std::size_t i = 0; i < candidate.size(); ++i) {
      const char kept = candidate[i];
      for (const char digit : k_hex) {
        if (digit != kept) {
          candidate[i] = digit;
          near.push_back(prefix_range(candidate));
        }
      }
      candidate[i] = kept;
      if (i + 1 < candidate.size() && candidate[i] != candidate[i + 1]) {
        std::swap(candidate[i], candidate[i + 1]);
        near.push_back(prefix_range(candidate));
        std::swap(candidate[i], candidate[i + 1]);
      }
    }
    return near;
  }
  const auto symbols = receipt_symbols(typed);
  if (!symbols) {
    return near;
  }
  auto consider = [&](const Symbols& candidate) {
    if (check_symbol(candidate) == candidate[k_data_symbols]) {
      near.push_back(range_of_bits(data_bits(candidate)));
    }
  };
  Symbols candidate = *symbols;
  for (std::size_t i = 0; i < k_symbols; ++i) {
    const std::uint8_t kept = candidate[i];
    for (std::uint8_t value = 0; value < 32; ++value) {
      if (value != kept) {
        candidate[i] = value;
        consider(candidate);
      }
    }
    candidate[i] = kept;
    if (i + 1 < k_symbols && candidate[i] != candidate[i + 1]) {
      std::swap(candidate[i], candidate[i + 1]);
      consider(candidate);
      std::swap(candidate[i], candidate[i + 1]);
    }
  }
  return near;
}

} // namespace custody::records
