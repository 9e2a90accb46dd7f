// Counting (table.hpp).
#include <custody/stats/table.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

namespace custody::stats {

namespace {

bool
has_consent(const index::FactsRow& row, std::string_view consent)
{
  return std::find(row.consent.begin(), row.consent.end(), consent)
         != row.consent.end();
}

using records::Placed;

// Where a record dated to `month` (YYYY-MM, or YYYY alone) falls against the
// period (records::place): a year-only date within the period's years is in
// it only when whole years are counted, and left out (and counted as such)
// otherwise.
Placed
place(const std::string& month,
      const std::optional<records::Period>& period,
      bool by_month)
{
  const Placed placed =
    period ? records::place(month, *period)
           : (month.size() == 7 ? Placed::in : Placed::year_only);
  if (placed == Placed::in && month.size() != 7 && by_month) {
    return Placed::year_only;
  }
  if (!period && placed == Placed::year_only && !by_month) {
    return Placed::in;
  }
  return placed;
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

Measure
median_of(const std::vector<const index::FactsRow*>& rows)
{
  std::vector<std::int64_t> delays;
  std::set<std::string> persons;
  for (const auto* row : rows) {
    if (row->delay_hours) {
      delays.push_back(*row->delay_hours);
      persons.insert(row->person_ref.empty()
                       ? "\x01" + std::to_string(row->created_seq)
                       : row->person_ref);
    }
  }
  Measure median{"median_hours_to_first_contact",
                 "Median hours from incident to first contact",
                 delays.size(),
                 persons.size(),
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
  return median;
}

// The recorded figures of an earlier table at today's positions.
void
align(Earlier& earlier, const Table& table)
{
  std::map<std::pair<std::string, std::string>, std::size_t> recorded;
  for (std::size_t r = 0; r < earlier.rows.size(); ++r) {
    for (std::size_t c = 0; c < earlier.columns.size(); ++c) {
      const std::size_t index = r * earlier.columns.size() + c;
      if (index < earlier.recorded.size()) {
        recorded[{earlier.rows[r], earlier.columns[c]}] = index;
      }
    }
  }
  earlier.figures.assign(table.cells.size(), Figure{});
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const auto found = recorded.find({table.rows[r], table.columns[c]});
      if (found != recorded.end()) {
        earlier.figures[r * table.columns.size() + c] =
          earlier.recorded[found->second];
      }
    }
  }
}

} // namespace

Counted
select(const std::vector<index::FactsRow>& all,
       const Selection& selection,
       const Coding& coding,
       bool by_month,
       std::string_view consent)
{
  Counted counted;
  // Left-out counts are of the period alone, never of a filtered table: a
  // count of 1 left out would itself be a small cell.
  for (const auto& row : all) {
    const Placed placed = place(row.month, selection.period, by_month);
    if (placed == Placed::out) {
      continue;
    }
    if (!has_consent(row, consent)) {
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

bool
needs_months(const Selection& selection,
             const std::vector<TableSpec>& specs,
             Grain grain)
{
  const bool period_tables =
    std::any_of(specs.begin(), specs.end(), [](const TableSpec& spec) {
      return spec.rows == Dimension::period
             || spec.columns == Dimension::period;
    });
  const bool narrower_than_years =
    selection.period
    && !(selection.period->from_month.ends_with("-01")
         && selection.period->to_month.ends_with("-12"));
  return narrower_than_years || (period_tables && grain != Grain::year);
}

Tabulation
tabulate_jobs(const std::vector<TableJob>& jobs)
{
  constexpr std::uint32_t k_end_of_set = 0xffffffffU;
  constexpr std::uint32_t k_job_marker = 0x80000000U;
  // Per job, per axis (0 rows, 1 columns): values interned as numbers.
  struct Axis
  {
    std::map<std::string, std::uint32_t> ids;
    std::vector<std::string> names;
  };
  std::vector<std::array<Axis, 2>> axes(jobs.size());
  auto intern = [&](Axis& named, const std::string& value) {
    auto [id, fresh] = named.ids.try_emplace(
      value, static_cast<std::uint32_t>(named.names.size()));
    if (fresh) {
      named.names.push_back(value);
    }
    return id->second;
  };
  // Each job's axis values by value_key: a million records hold a few
  // thousand distinct keys, and values_of allocates.
  std::vector<
    std::array<std::unordered_map<std::string, std::vector<std::uint32_t>>, 2>>
    memos(jobs.size());
  std::string raw;
  auto ids_of = [&](std::size_t j, int axis, const index::FactsRow& row)
    -> const std::vector<std::uint32_t>& {
    const auto& job = jobs[j];
    const Dimension dimension = axis == 0 ? job.spec.rows : *job.spec.columns;
    value_key(row, dimension, raw);
    auto& memo = memos[j][axis];
    const auto found = memo.find(raw);
    if (found != memo.end()) {
      return found->second;
    }
    std::vector<std::uint32_t> ids;
    for (const auto& value : values_of(row, dimension, job.coding)) {
      ids.push_back(intern(axes[j][axis], value));
    }
    return memo.emplace(raw, std::move(ids)).first->second;
  };
  std::unordered_map<const index::FactsRow*, std::vector<std::uint32_t>>
    signatures;
  std::vector<const index::FactsRow*> order; // first seen, for determinism
  std::vector<std::uint32_t> keyed;
  const std::vector<std::uint32_t> no_columns;
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const auto& job = jobs[j];
    for (const auto* row : job.rows) {
      const std::vector<std::uint32_t>* row_ids = &keyed;
      if (job.keys) {
        keyed.clear();
        for (const auto& value : job.keys(*row)) {
          keyed.push_back(intern(axes[j][0], value));
        }
      } else {
        row_ids = &ids_of(j, 0, *row);
      }
      const std::vector<std::uint32_t>& column_ids =
        job.spec.columns ? ids_of(j, 1, *row) : no_columns;
      if (row_ids->empty() || (job.spec.columns && column_ids.empty())) {
        continue; // select() leaves such records out; a caller's mismatch
      }
      auto [it, added] = signatures.try_emplace(row);
      if (added) {
        order.push_back(row);
      }
      auto& signature = it->second;
      signature.push_back(k_job_marker | static_cast<std::uint32_t>(j));
      signature.insert(signature.end(), row_ids->begin(), row_ids->end());
      signature.push_back(k_end_of_set);
      signature.insert(signature.end(), column_ids.begin(), column_ids.end());
      signature.push_back(k_end_of_set);
    }
  }

  // Persons by their reference, which the rows hold for as long as this
  // runs; a record without one stands for a person of its own.
  std::unordered_map<std::string_view, std::uint32_t> person_ids;
  std::deque<std::string> own_persons; // stable: the map views them
  std::unordered_map<std::vector<std::uint32_t>, std::uint32_t, VectorHash>
    combination_ids;
  std::vector<const std::vector<std::uint32_t>*> combination_keys;
  std::vector<std::vector<std::uint32_t>> combination_persons;
  Tabulation result;
  for (const auto* row : order) {
    std::string_view person = row->person_ref;
    if (person.empty()) {
      own_persons.push_back("\x01" + std::to_string(row->created_seq));
      person = own_persons.back();
    }
    const auto [person_at, fresh_person] = person_ids.try_emplace(
      person, static_cast<std::uint32_t>(person_ids.size()));
    if (fresh_person) {
      result.person_refs.emplace_back(person);
    }
    const auto person_id = person_at->second;
    const auto& signature = signatures.at(row);
    auto [it, added] = combination_ids.try_emplace(
      signature, static_cast<std::uint32_t>(combination_keys.size()));
    if (added) {
      combination_keys.push_back(&it->first);
      combination_persons.emplace_back();
      result.combination_records.push_back(0);
    }
    ++result.combination_records[it->second];
    combination_persons[it->second].push_back(person_id);
    ++result.records;
  }
  result.persons = person_ids.size();

  // Each axis's values in table order, and each value number's position.
  std::vector<std::array<std::vector<std::string>, 2>> ordered(jobs.size());
  std::vector<std::array<std::vector<std::uint32_t>, 2>> position(jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    for (int axis = 0; axis < 2; ++axis) {
      if (axis == 1 && !jobs[j].spec.columns) {
        continue;
      }
      const Dimension dimension =
        axis == 0 ? jobs[j].spec.rows : *jobs[j].spec.columns;
      const auto& named = axes[j][axis];
      if (axis == 0 && jobs[j].keys) {
        ordered[j][axis] = named.names;
        std::sort(ordered[j][axis].begin(), ordered[j][axis].end());
      } else {
        ordered[j][axis] =
          in_table_order(dimension, named.names, jobs[j].coding);
      }
      position[j][axis].resize(named.names.size());
      for (std::size_t i = 0; i < ordered[j][axis].size(); ++i) {
        position[j][axis][named.ids.at(ordered[j][axis][i])] =
          static_cast<std::uint32_t>(i);
      }
    }
  }

  std::vector<std::uint64_t> seen(result.persons, 0);
  std::uint64_t stamp = 0;
  // Where each combination's key goes on: its jobs' parts are in job order,
  // so each table reads its part where the last one's ended.
  std::vector<std::size_t> cursor(combination_keys.size(), 0);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const auto& job = jobs[j];
    Table table;
    table.spec = job.spec;
    table.earlier = job.earlier;
    table.rows = ordered[j][0];
    table.rows.emplace_back(k_total);
    table.columns = ordered[j][1];
    table.columns.emplace_back(k_total);
    table.cells.resize(table.rows.size() * table.columns.size());
    const std::size_t total_row = table.rows.size() - 1;
    const std::size_t total_column = table.columns.size() - 1;
    const std::uint32_t marker = k_job_marker | static_cast<std::uint32_t>(j);
    std::vector<std::size_t> row_positions;
    std::vector<std::size_t> column_positions;
    for (std::uint32_t c = 0; c < combination_keys.size(); ++c) {
      const auto& key = *combination_keys[c];
      if (cursor[c] >= key.size() || key[cursor[c]] != marker) {
        continue; // this table does not count these records
      }
      row_positions.clear();
      column_positions.clear();
      auto token = key.begin() + static_cast<std::ptrdiff_t>(cursor[c]) + 1;
      for (; *token != k_end_of_set; ++token) {
        row_positions.push_back(position[j][0][*token]);
      }
      for (++token; *token != k_end_of_set; ++token) {
        column_positions.push_back(position[j][1][*token]);
      }
      cursor[c] = static_cast<std::size_t>(token - key.begin()) + 1;
      row_positions.push_back(total_row);
      column_positions.push_back(total_column);
      for (auto row : row_positions) {
        for (auto column : column_positions) {
          Cell& cell = table.at(row, column);
          cell.records += result.combination_records[c];
          cell.combinations.push_back(c);
        }
      }
    }
    // Distinct persons a cell: each person marked with the cell's number as
    // met, so that a total over every record is one pass, not a sort.
    for (auto& cell : table.cells) {
      ++stamp;
      std::uint64_t persons = 0;
      for (auto c : cell.combinations) {
        for (const auto person : combination_persons[c]) {
          if (seen[person] != stamp) {
            seen[person] = stamp;
            ++persons;
          }
        }
      }
      cell.persons = persons;
    }
    if (table.earlier) {
      align(*table.earlier, table);
    }
    result.tables.push_back(std::move(table));
  }
  for (auto& persons : combination_persons) {
    std::sort(persons.begin(), persons.end());
  }
  result.combination_persons = std::move(combination_persons);
  return result;
}

Measure
median_delay(const std::vector<const index::FactsRow*>& rows)
{
  return median_of(rows);
}

Tabulation
tabulate(const Counted& counted,
         const std::vector<TableSpec>& specs,
         const Coding& coding)
{
  std::vector<TableJob> jobs;
  jobs.reserve(specs.size());
  for (const auto& spec : specs) {
    jobs.push_back(TableJob{spec, counted.rows, coding, std::nullopt, {}});
  }
  Tabulation result = tabulate_jobs(jobs);
  result.measures.push_back(median_of(counted.rows));
  return result;
}

std::vector<TableSpec>
standard_tables()
{
  return {
    {"violence_by_population",
     "Reports by type of violence and population",
     Dimension::violence_type,
     Dimension::population},
    {"perpetrator_by_period",
     "Reports by perpetrator and period",
     Dimension::perpetrator,
     Dimension::period},
    {"by_district", "Reports by district", Dimension::district, {}},
    {"by_region", "Reports by region", Dimension::region, {}},
    {"first_contact",
     "Reports by time from incident to first contact",
     Dimension::response_time,
     {}},
    {"referrals", "Reports by referral made", Dimension::referral, {}},
    {"outcomes", "Reports by outcome", Dimension::outcome, {}},
  };
}

} // namespace custody::stats
