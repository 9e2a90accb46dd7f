// Records as the rows of a published dataset (docs/formats.md 14.5): each
// field a dimension coarsened as a recipe says (the period to the month,
// quarter or year; hierarchical codes rolled up), the same record giving the
// same row in every release. Which rows may leave is disclosure/'s decision;
// here is only how a record reads as a row, so that a later release (a
// dataset or statistics) can count an earlier dataset again.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/stats/table.hpp>

#include <string>
#include <vector>

namespace custody::stats {

// The consent scope without which a record never reaches a dataset.
inline constexpr std::string_view k_publish_consent = "publish";

// How a multi-valued field is written: a sorted list of codes in one column
// ("a;b"), or one column a code of the field's vocabulary, 1 or 0. Both say
// the same: the check reads the set either way.
enum class Encoding { list, columns };

struct MicroField
{
  Dimension dimension = Dimension::period;
  int level = 0; // hierarchical codes rolled up (Coding::level)
  Grain precision = Grain::quarter;   // the period's only
  Encoding encoding = Encoding::list; // multi-valued fields only
  bool sensitive = false; // not part of the classes; l-diversity's instead
};

struct MicroSpec
{
  std::vector<MicroField> fields; // the columns, in order
  records::Period period;         // incident months
};

// A field's column name: the dimension's name ("violence_type").
std::string field_name(const MicroField& field);

// The field's value on `row` as the dataset publishes it: a code, or
// k_not_recorded, or for a multi-valued field its codes sorted and joined by
// ";". Empty for the period of a record dated to the year alone when the
// precision is finer.
std::string field_value(const index::FactsRow& row,
                        const MicroField& field,
                        const records::Places* places);

// The row values of every field of `spec`, or of its non-sensitive fields
// only (`quasi`): what a reader can match a person on.
std::vector<std::string> row_of(const index::FactsRow& row,
                                const MicroSpec& spec,
                                const records::Places* places,
                                bool quasi);

// One string standing for row_of()'s values (joined by U+001F, which no
// code holds).
std::string key_of(const std::vector<std::string>& values);

// The records a dataset of `spec` holds: consent `publish`, the incident
// month within the period, and for a precision finer than the year a date
// to the month at least (others counted in `year_only`).
Counted select_micro(const std::vector<index::FactsRow>& all,
                     const MicroSpec& spec,
                     const records::Places* places);

// The id of micro_job()'s table: its rows are whole rows, not a dimension's
// values, so no statistics table is the same table as it.
inline constexpr std::string_view k_dataset_table = "dataset-rows";

// The table whose rows are the records' whole rows (row_of(), every field),
// counted by tabulate_jobs() with the statistics tables a release is audited
// with.
TableJob micro_job(const MicroSpec& spec,
                   std::vector<const index::FactsRow*> rows,
                   const records::Places* places);

// Recorded with a dataset release (docs/formats.md 6.5) and read back.
json::Json spec_json(const MicroSpec& spec);
// Errc::invalid_input naming what is wrong.
[[nodiscard]] Result<MicroSpec> spec_from_json(const json::Json& value);

} // namespace custody::stats
