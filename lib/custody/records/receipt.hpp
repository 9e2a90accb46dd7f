// Naming a record on the command line: its id, a unique prefix of it, or its
// receipt, the short reference an intake worker writes on the paper form
// (docs/formats.md 6.2.2). One parser for every command that takes a RECORD.
#pragma once

#include <custody/base/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace custody::records {

// The receipt of a record id (32 lowercase hex digits): the id's first 50
// bits in Crockford base32 and a check symbol, grouped 4-4-3
// ("K7M2-QX9P-R4T").
std::string receipt_of(std::string_view id);

// The ids one reading of a typed reference can name: those from `low` to
// `high` (32 lowercase hex digits each, inclusive).
struct IdRange
{
  enum class Reading { id, prefix, receipt };
  Reading reading = Reading::id;
  std::string low;
  std::string high;
};

// Every reading of `typed`: a whole id, a prefix of 8 to 31 hex digits, a
// receipt (either case, with or without hyphens, I and L for 1, O for 0). A
// lowercase text may be both a prefix and a receipt. Errc::invalid_input when
// it is none, saying why: a receipt whose check symbol does not match is
// named as such (a mistyped symbol, or two swapped).
[[nodiscard]] Result<std::vector<IdRange>>
parse_reference(std::string_view typed);

// The ids of the first 50 bits of `id`: every id that has `id`'s receipt.
IdRange receipt_range(std::string_view id);

// For "did you mean": the references one mistake away from `typed` that could
// name a record. For a whole id, the ids one hex digit away or with two
// neighbouring digits swapped; for a receipt's eleven symbols, the receipts
// one symbol away or with two neighbours swapped whose check symbol holds.
// Empty for anything else.
std::vector<IdRange> near_references(std::string_view typed);

} // namespace custody::records
