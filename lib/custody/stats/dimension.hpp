// The dimensions statistics count by, and how a record's facts are read as
// values of each: codes rolled up to a level, districts grouped into regions,
// months into quarters and years (docs/stats.md section 2).
#pragma once

#include <custody/base/error.hpp>
#include <custody/records/dimension.hpp>
#include <custody/records/index.hpp>
#include <custody/records/records.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace custody::stats {

// The dimensions and their codes are records/'s (records/dimension.hpp): one
// parser serves list, stats and recipes.
using records::all_dimensions;
using records::Dimension;
using records::dimension_name;
using records::dimension_title;
using records::k_not_recorded;
using records::multi_valued;
using records::parse_dimension;
using records::Selection;

enum class Grain { month, quarter, year };
std::string_view grain_name(Grain grain);
[[nodiscard]] Result<Grain> parse_grain(std::string_view name);

// How values are read off a record.
struct Coding
{
  const records::Places* places = nullptr; // regions and district names
  // 0: codes as recorded; N: the first N+1 dotted segments of hierarchical
  // codes (1: violence.sexual, perpetrator.state).
  int level = 0;
  Grain grain = Grain::quarter;
};

// The values of `dimension` on `row`, sorted and unique: k_not_recorded when
// the record has none; empty only for the period of a record dated to the
// year alone in a monthly or quarterly table (the caller leaves it out and
// counts it).
std::vector<std::string> values_of(const index::FactsRow& row,
                                   Dimension dimension,
                                   const Coding& coding);

// What values_of reads of `row` for `dimension`, as one number: two rows
// with the same key have the same values under any coding, so a caller
// counting many rows computes each key's values once. The key is the
// interned code's or list's identity (index::Code), or the delay in hours,
// and holds for the life of the process.
[[nodiscard]] std::uint64_t value_key(const index::FactsRow& row,
                                      Dimension dimension);

// records::parse_code with the coding's places list, for what only checks.
[[nodiscard]] Result<void>
check_code(Dimension dimension, std::string_view code, const Coding& coding);

// Whether `row` holds `code` of `dimension` or a code under it
// (records::matches with the coding's places list).
bool matches(const index::FactsRow& row,
             Dimension dimension,
             std::string_view code,
             const Coding& coding);

// `values` in table order: the vocabulary's order (rolled up to the coding's
// level; the order of response_time's values), then other values by code,
// periods in time order, k_not_recorded last.
std::vector<std::string> in_table_order(Dimension dimension,
                                        std::vector<std::string> values,
                                        const Coding& coding);

// A value as a table shows it (records::label_of with the coding's places
// list).
std::string
label_of(Dimension dimension, const std::string& value, const Coding& coding);

} // namespace custody::stats
