// What a person types for a record (records::parse_reference: an id, a prefix,
// a receipt) and the record list's body (vault::RecordSet::parse). Every
// reading is a range of 32-hex ids low <= high; a receipt read back names
// the ids its receipt_of gives; near references never throw; a list that
// parses is sorted and serialises to the same bytes.
#include "fuzz.hpp"

#include <custody/records/receipt.hpp>
#include <custody/vault/record_set.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace {

bool
is_id(const std::string& text)
{
  return text.size() == 32
         && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const auto text = custody::fuzz::text(data, size);
  const auto readings = custody::records::parse_reference(text);
  if (readings) {
    for (const auto& range : *readings) {
      if (!is_id(range.low) || !is_id(range.high) || range.high < range.low) {
        std::abort();
      }
      if (range.reading == custody::records::IdRange::Reading::receipt) {
        // The receipt of the range's first id reads back as this range.
        const auto again = custody::records::parse_reference(
          custody::records::receipt_of(range.low));
        if (!again || again->back().low != range.low) {
          std::abort();
        }
      }
    }
  }
  for (const auto& range : custody::records::near_references(text)) {
    if (!is_id(range.low) || !is_id(range.high)) {
      std::abort();
    }
  }
  const auto body = custody::fuzz::bytes(data, size);
  if (const auto set = custody::vault::RecordSet::parse(body, size / 40)) {
    const auto again = set->serialize();
    if (again.size() != body.size()
        || !std::equal(again.begin(), again.end(), body.begin())) {
      std::abort();
    }
  }
  return 0;
}
