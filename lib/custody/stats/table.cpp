// Counting (table.hpp).
#include <custody/stats/table.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace custody::stats {

namespace {

bool
has_consent(const index::FactsRow& row)
{
  return std::find(row.consent.begin(),
                   row.consent.end(),
                   k_statistics_consent)
         != row.consent.end();
}

enum class Placed { in, out, year_only };

// Where a record dated to `month` (YYYY-MM, or YYYY alone) falls against the
// period: a year-only date within the period's years is in it only when whole
// years are counted, and left out (and counted as such) otherwise.
Placed
place(const std::string& month,
      const std::optional<records::Period>& period,
      bool by_month)
{
  if (month.size() == 7) {
    return !period
               || (month >= period->from_month && month <= period->to_month)
             ? Placed::in
             : Placed::out;
  }
  if (period
      && (month < period->from_month.substr(0, 4)
          || month > period->to_month.substr(0, 4))) {
    return Placed::out;
  }
  const bool whole_years = !period
                           || (period->from_month.ends_with("-01")
                               && period->to_month.ends_with("-12"));
  return whole_years && !by_month ? Placed::in : Placed::year_only;
}

struct VectorHash
{
  std::size_t
  operator()(const std::vector<std::uint32_t>& key) const noexcept
  {
    std::size_t hash = 1469598103934665603ULL;
    for (auto value : key) {
      hash = (hash ^ value) * 1099511628211ULL;
    }
    return hash;
  }
};

} // namespace

Counted
select(const std::vector<index::FactsRow>& all,
       const Selection& selection,
       const Coding& coding,
       bool by_month)
{
  Counted counted;
  // Left-out counts are of the period alone, never of a filtered table: a
  // count of 1 left out would itself be a small cell.
  for (const auto& row : all) {
    const Placed placed = place(row.month, selection.period, by_month);
    if (placed == Placed::out) {
      continue;
    }
    if (!has_consent(row)) {
      ++counted.without_consent;
      continue;
    }
    if (placed == Placed::year_only) {
      ++counted.year_only;
      continue;
    }
    const bool matches_filters =
      std::all_of(selection.filters.begin(),
                  selection.filters.end(),
                  [&](const auto& filter) {
                    return matches(row, filter.first, filter.second, coding);
                  });
    if (matches_filters) {
      counted.rows.push_back(&row);
    }
  }
  return counted;
}

Tabulation
tabulate(const Counted& counted,
         const std::vector<TableSpec>& specs,
         const Coding& coding)
{
  std::vector<Dimension> dimensions;
  for (const auto& spec : specs) {
    for (auto dimension : {std::optional(spec.rows), spec.columns}) {
      if (dimension
          && std::find(dimensions.begin(), dimensions.end(), *dimension)
               == dimensions.end()) {
        dimensions.push_back(*dimension);
      }
    }
  }
  const std::size_t dimension_count = dimensions.size();
  auto slot = [&](Dimension dimension) {
    return static_cast<std::size_t>(
      std::find(dimensions.begin(), dimensions.end(), dimension)
      - dimensions.begin());
  };

  // Values and persons interned as numbers; a combination is, for each
  // dimension, the set of value numbers, each set ended by a marker.
  std::vector<std::map<std::string, std::uint32_t>> value_ids(dimension_count);
  std::vector<std::vector<std::string>> value_names(dimension_count);
  std::unordered_map<std::string, std::uint32_t> person_ids;
  std::unordered_map<std::vector<std::uint32_t>, std::uint32_t, VectorHash>
    combination_ids;
  std::vector<std::vector<std::uint32_t>> combination_keys;
  std::vector<std::vector<std::uint32_t>> combination_persons;
  Tabulation result;
  constexpr std::uint32_t k_end_of_set = 0xffffffffU;
  std::vector<std::uint32_t> key;
  std::vector<std::int64_t> delays;
  std::set<std::uint32_t> persons_with_delay;
  for (const auto* row : counted.rows) {
    key.clear();
    bool placed = true;
    for (std::size_t d = 0; d < dimension_count; ++d) {
      const auto values = values_of(*row, dimensions[d], coding);
      if (values.empty()) {
        placed = false;
        break;
      }
      for (const auto& value : values) {
        auto [it, added] = value_ids[d].try_emplace(
          value, static_cast<std::uint32_t>(value_names[d].size()));
        if (added) {
          value_names[d].push_back(value);
        }
        key.push_back(it->second);
      }
      key.push_back(k_end_of_set);
    }
    if (!placed) {
      continue; // select() leaves such records out; a caller's mismatch
    }
    // A record without a person reference stands for a person of its own.
    const std::string person =
      row->person_ref.empty() ? "\x01" + std::to_string(row->created_seq)
                              : row->person_ref;
    const auto person_id =
      person_ids
        .try_emplace(person, static_cast<std::uint32_t>(person_ids.size()))
        .first->second;
    auto [it, added] = combination_ids.try_emplace(
      key, static_cast<std::uint32_t>(combination_keys.size()));
    if (added) {
      combination_keys.push_back(key);
      combination_persons.emplace_back();
      result.combination_records.push_back(0);
    }
    ++result.combination_records[it->second];
    combination_persons[it->second].push_back(person_id);
    ++result.records;
    if (row->delay_hours) {
      delays.push_back(*row->delay_hours);
      persons_with_delay.insert(person_id);
    }
  }
  result.persons = person_ids.size();

  // Each dimension's values in table order, and each value number's position.
  std::vector<std::vector<std::uint32_t>> position(dimension_count);
  std::vector<std::vector<std::string>> ordered(dimension_count);
  for (std::size_t d = 0; d < dimension_count; ++d) {
    ordered[d] = in_table_order(dimensions[d], value_names[d], coding);
    position[d].resize(value_names[d].size());
    for (std::size_t i = 0; i < ordered[d].size(); ++i) {
      position[d][value_ids[d].at(ordered[d][i])] =
        static_cast<std::uint32_t>(i);
    }
  }

  // Where each dimension's value set starts in a key.
  auto sets_of = [&](const std::vector<std::uint32_t>& combination) {
    std::vector<std::vector<std::uint32_t>> sets(dimension_count);
    std::size_t d = 0;
    for (auto value : combination) {
      if (value == k_end_of_set) {
        ++d;
      } else {
        sets[d].push_back(value);
      }
    }
    return sets;
  };

  for (const auto& spec : specs) {
    Table table;
    table.spec = spec;
    const std::size_t r_slot = slot(spec.rows);
    table.rows = ordered[r_slot];
    table.rows.emplace_back(k_total);
    if (spec.columns) {
      table.columns = ordered[slot(*spec.columns)];
    }
    table.columns.emplace_back(k_total);
    table.cells.resize(table.rows.size() * table.columns.size());
    const std::size_t total_row = table.rows.size() - 1;
    const std::size_t total_column = table.columns.size() - 1;
    for (std::uint32_t c = 0; c < combination_keys.size(); ++c) {
      const auto sets = sets_of(combination_keys[c]);
      std::vector<std::size_t> row_positions;
      for (auto value : sets[r_slot]) {
        row_positions.push_back(position[r_slot][value]);
      }
      row_positions.push_back(total_row);
      std::vector<std::size_t> column_positions;
      if (spec.columns) {
        const std::size_t c_slot = slot(*spec.columns);
        for (auto value : sets[c_slot]) {
          column_positions.push_back(position[c_slot][value]);
        }
      }
      column_positions.push_back(total_column);
      for (auto row : row_positions) {
        for (auto column : column_positions) {
          Cell& cell = table.at(row, column);
          cell.records += result.combination_records[c];
          cell.combinations.push_back(c);
        }
      }
    }
    for (auto& cell : table.cells) {
      std::vector<std::uint32_t> persons;
      for (auto c : cell.combinations) {
        persons.insert(persons.end(),
                       combination_persons[c].begin(),
                       combination_persons[c].end());
      }
      std::sort(persons.begin(), persons.end());
      cell.persons = static_cast<std::uint64_t>(
        std::unique(persons.begin(), persons.end()) - persons.begin());
    }
    result.tables.push_back(std::move(table));
  }

  Measure median{"median_hours_to_first_contact",
                 "Median hours from incident to first contact",
                 delays.size(),
                 persons_with_delay.size(),
                 0};
  if (!delays.empty()) {
    std::sort(delays.begin(), delays.end());
    const std::size_t middle = delays.size() / 2;
    median.value = delays.size() % 2 == 1
                     ? static_cast<double>(delays[middle])
                     : (static_cast<double>(delays[middle - 1])
                        + static_cast<double>(delays[middle]))
                         / 2.0;
  }
  result.measures.push_back(std::move(median));
  return result;
}

} // namespace custody::stats
