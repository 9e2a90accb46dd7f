// The dimensions statistics count by, and how a record's facts are read as
// values of each: codes rolled up to a level, districts grouped into regions,
// months into quarters and years (docs/stats.md section 2).
#pragma once

#include <custody/base/error.hpp>
#include <custody/records/index.hpp>
#include <custody/records/records.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace custody::stats {

enum class Dimension {
  violence_type,
  perpetrator,
  population,
  setting,
  district,
  region,
  response_action,
  referral,
  outcome,
  response_time, // within 24 h, later, not known: what the response share
                 // counts
  period,
};

// Its name on the command line and in recipes: "violence_type".
std::string_view dimension_name(Dimension dimension);
// Its heading in a table: "Type of violence".
std::string_view dimension_title(Dimension dimension);
// Whether a record may hold several values, each counted once.
bool multi_valued(Dimension dimension);
// Every dimension, in the order --help lists them.
const std::vector<Dimension>& all_dimensions();
// Errc::invalid_input naming the text, with "did you mean" when one is close.
[[nodiscard]] Result<Dimension> parse_dimension(std::string_view name);

enum class Grain { month, quarter, year };
std::string_view grain_name(Grain grain);
[[nodiscard]] Result<Grain> parse_grain(std::string_view name);

// The value a record without one gets, so that every record lands in a row
// and the rows of a single-valued dimension add up to the total.
inline constexpr std::string_view k_not_recorded = "not_recorded";

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

// Whether `row` holds `code` of `dimension` or a code under it (a group such
// as violence.sexual). The code is checked by check_code() first.
bool matches(const index::FactsRow& row,
             Dimension dimension,
             std::string_view code,
             const Coding& coding);

// Errc::invalid_input unless `code` is a code of the dimension's vocabulary or
// places list, or a group of them (a prefix of whole dotted segments), with
// "did you mean" when one is close.
[[nodiscard]] Result<void>
check_code(Dimension dimension, std::string_view code, const Coding& coding);

// `values` in table order: the vocabulary's order (rolled up to the coding's
// level; the order of response_time's values), then other values by code,
// periods in time order, k_not_recorded last.
std::vector<std::string> in_table_order(Dimension dimension,
                                        std::vector<std::string> values,
                                        const Coding& coding);

// A value as a table shows it: a district's or region's name from the places
// list, "2026-Q3", a code otherwise.
std::string
label_of(Dimension dimension, const std::string& value, const Coding& coding);

} // namespace custody::stats
