// The coded fields of a record's facts as dimensions a reader selects by: their
// names, the codes each may hold (vocabularies, the places list), groups of
// hierarchical codes, their labels, and whether a record matches one. The one
// parser of `list`'s and `stats`' filters and of recipes (docs/records.md
// section 3, docs/stats.md section 2).
#pragma once

#include <custody/base/error.hpp>
#include <custody/records/index.hpp>
#include <custody/records/period.hpp>
#include <custody/records/records.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace custody::records {

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

// The value a record without one gets, so that every record lands in a row
// and the rows of a single-valued dimension add up to the total.
inline constexpr std::string_view k_not_recorded = "not_recorded";

// The values of `dimension` on `row` as recorded (full codes; the month for
// the period), sorted and unique: k_not_recorded when the record has none.
// `places` gives districts their region.
std::vector<std::string> recorded_values(const index::FactsRow& row,
                                         Dimension dimension,
                                         const Places* places);

// Every code a dimension can take: its vocabulary, or the places list's
// districts or regions, or the response times; sorted unless the vocabulary
// gives an order.
std::vector<std::string> known_codes(Dimension dimension, const Places* places);

// The code `text` names, checked: a code of the dimension's vocabulary or
// places list, or a group of them (a prefix of whole dotted segments:
// violence.sexual, also written violence.sexual.), or k_not_recorded; a
// period (YYYY, YYYY-Qn, YYYY-MM) for Dimension::period. Errc::invalid_input
// otherwise, with "did you mean" when one is close.
[[nodiscard]] Result<std::string>
parse_code(Dimension dimension, std::string_view text, const Places* places);

// Whether `row` holds `code` of `dimension` or a code under it (a group such
// as violence.sexual); for the period, whether its month falls in it (a record
// dated to the year alone never does). The code comes from parse_code().
bool matches(const index::FactsRow& row,
             Dimension dimension,
             std::string_view code,
             const Places* places);

// A value as a person reads it: the vocabulary's label, a district's or
// region's name from the places list, "2026-Q3", a group's last segment
// ("Sexual"), the code otherwise.
std::string
label_of(Dimension dimension, const std::string& value, const Places* places);

// A selection of records: a period of incident months and filters that must
// all match.
struct Selection
{
  std::optional<Period> period;
  std::vector<std::pair<Dimension, std::string>> filters;
};

// "DIMENSION=CODE" (a --filter option, a recipe's filter) parsed and its code
// checked (parse_code()). Errc::usage when there is no '='; Errc::invalid_input
// for an unknown dimension or code.
[[nodiscard]] Result<std::pair<Dimension, std::string>>
parse_filter(std::string_view text, const Places* places);

// Whether `row` falls in the selection's period (its month within it) and
// matches every filter.
bool selected(const index::FactsRow& row,
              const Selection& selection,
              const Places* places);

// The records of `facts` (the facts shard) in `selection`, oldest first.
[[nodiscard]] Result<std::vector<index::ListRow>> list_records(
  const index::Shard& facts, const Selection& selection, const Places* places);

} // namespace custody::records
