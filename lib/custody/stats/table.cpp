// Counting (table.hpp).
#include <custody/base/parallel.hpp>
#include <custody/stats/table.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

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

Measure
median_of(const std::vector<const index::FactsRow*>& rows)
{
  std::vector<std::int64_t> delays;
  // a record without a reference stands for a person of its own
  std::unordered_set<std::string_view> persons;
  persons.reserve(rows.size());
  std::size_t own_persons = 0;
  for (const auto* row : rows) {
    if (row->delay_hours) {
      delays.push_back(*row->delay_hours);
      if (row->person_ref.empty()) {
        ++own_persons;
      } else {
        persons.insert(row->person_ref);
      }
    }
  }
  Measure median{"median_hours_to_first_contact",
                 "Median hours from incident to first contact",
                 delays.size(),
                 persons.size() + own_persons,
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
  // Per job, per axis (0 rows, 1 columns): values interned as numbers.
  struct Axis
  {
    std::map<std::string, std::uint32_t> ids;
    std::vector<std::string> names;
    // each distinct list of value numbers once: a part is known by these
    std::set<std::vector<std::uint32_t>> lists;
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
  auto list_of = [&](Axis& named, std::vector<std::uint32_t> ids) {
    return &*named.lists.insert(std::move(ids)).first;
  };
  // What one job counts of a record: its row values and column values. A
  // record's combination is the sequence of its parts, one per job that
  // counts it, in job order; parts are numbered across jobs, and two parts
  // of a job with the same values are one.
  struct Part
  {
    std::uint32_t job = 0;
    const std::vector<std::uint32_t>* rows = nullptr;
    const std::vector<std::uint32_t>* columns = nullptr;
  };
  std::vector<Part> parts;
  std::map<std::tuple<std::size_t, const void*, const void*>, std::uint32_t>
    part_numbers;
  auto part_of = [&](std::size_t j,
                     const std::vector<std::uint32_t>* row_ids,
                     const std::vector<std::uint32_t>* column_ids) {
    const auto [at, fresh] =
      part_numbers.try_emplace(std::make_tuple(j, row_ids, column_ids),
                               static_cast<std::uint32_t>(parts.size()));
    if (fresh) {
      parts.push_back({static_cast<std::uint32_t>(j), row_ids, column_ids});
    }
    return at->second;
  };
  const std::vector<std::uint32_t> no_columns;
  constexpr std::uint32_t k_no_part = 0xffffffffU;
  // Each job's part by the record's value keys (value_key): a million
  // records hold a few thousand distinct pairs, and values_of allocates.
  struct PairHash
  {
    std::size_t
    operator()(
      const std::pair<std::uint64_t, std::uint64_t>& key) const noexcept
    {
      return std::hash<std::uint64_t>{}(key.first * 0x9e3779b97f4a7c15ULL
                                        ^ key.second);
    }
  };
  // Each job's axis values by value_key, for a pair not met before.
  std::vector<std::array<
    std::unordered_map<std::uint64_t, const std::vector<std::uint32_t>*>,
    2>>
    axis_memos(jobs.size());
  auto ids_of = [&](std::size_t j, int axis, const index::FactsRow& row) {
    const auto& job = jobs[j];
    const auto side = static_cast<std::size_t>(axis);
    const Dimension dimension = axis == 0 ? job.spec.rows : *job.spec.columns;
    const auto [at, fresh] =
      axis_memos[j][side].try_emplace(value_key(row, dimension), nullptr);
    if (fresh) {
      std::vector<std::uint32_t> ids;
      for (const auto& value : values_of(row, dimension, job.coding)) {
        ids.push_back(intern(axes[j][side], value));
      }
      at->second = list_of(axes[j][side], std::move(ids));
    }
    return at->second;
  };
  auto part_of_row = [&](std::size_t j, const index::FactsRow& row) {
    const auto& job = jobs[j];
    const std::vector<std::uint32_t>* row_ids = nullptr;
    if (job.keys) {
      std::vector<std::uint32_t> keyed;
      for (const auto& value : job.keys(row)) {
        keyed.push_back(intern(axes[j][0], value));
      }
      row_ids = list_of(axes[j][0], std::move(keyed));
    } else {
      row_ids = ids_of(j, 0, row);
    }
    const std::vector<std::uint32_t>* column_ids =
      job.spec.columns ? ids_of(j, 1, row) : &no_columns;
    if (row_ids->empty() || (job.spec.columns && column_ids->empty())) {
      return k_no_part; // select() leaves such records out; a caller's mismatch
    }
    return part_of(j, row_ids, column_ids);
  };
  std::vector<std::unordered_map<std::pair<std::uint64_t, std::uint64_t>,
                                 std::uint32_t,
                                 PairHash>>
    memos(jobs.size());

  // A job that counts the same records by the same values as an earlier one
  // (an earlier release re-publishing a table of this one) splits no
  // combination further: it is counted once, as that job, and its table
  // copied from that job's.
  std::vector<std::optional<std::size_t>> same_as(jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    for (std::size_t i = 0; i < j && !jobs[j].keys; ++i) {
      const TableJob& a = jobs[i];
      const TableJob& b = jobs[j];
      if (!same_as[i] && !a.keys && a.spec.rows == b.spec.rows
          && a.spec.columns == b.spec.columns
          && a.coding.places == b.coding.places
          && a.coding.level == b.coding.level
          && a.coding.grain == b.coding.grain && a.rows == b.rows) {
        same_as[j] = i;
        break;
      }
    }
  }

  // Records numbered in the order first counted (for determinism), and each
  // job's part of each record it counts.
  std::unordered_map<const index::FactsRow*, std::uint32_t> numbers;
  std::vector<const index::FactsRow*> order;
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> counted(
    jobs.size());
  std::size_t job_rows = 0;
  for (const auto& job : jobs) {
    job_rows += job.rows.size();
  }
  numbers.reserve(job_rows);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const auto& job = jobs[j];
    if (same_as[j]) {
      continue;
    }
    counted[j].reserve(job.rows.size());
    for (const auto* row : job.rows) {
      std::uint32_t part = k_no_part;
      if (job.keys) {
        part = part_of_row(j, *row);
      } else {
        const std::pair<std::uint64_t, std::uint64_t> key{
          value_key(*row, job.spec.rows),
          job.spec.columns ? value_key(*row, *job.spec.columns) : 0};
        const auto [at, fresh] = memos[j].try_emplace(key, k_no_part);
        if (fresh) {
          at->second = part_of_row(j, *row);
        }
        part = at->second;
      }
      if (part == k_no_part) {
        continue;
      }
      const auto [at, added] =
        numbers.try_emplace(row, static_cast<std::uint32_t>(order.size()));
      if (added) {
        order.push_back(row);
      }
      counted[j].emplace_back(at->second, part);
    }
  }
  // Each record's parts in job order, in one array: a record's combination
  // is a view of it.
  std::vector<std::uint32_t> starts(order.size() + 1, 0);
  for (const auto& pairs : counted) {
    for (const auto& [number, part] : pairs) {
      ++starts[number + 1];
    }
  }
  for (std::size_t i = 1; i < starts.size(); ++i) {
    starts[i] += starts[i - 1];
  }
  std::u32string signatures(starts.back(), U'\0');
  {
    std::vector<std::uint32_t> filled(starts.begin(), starts.end() - 1);
    for (const auto& pairs : counted) {
      for (const auto& [number, part] : pairs) {
        signatures[filled[number]++] = static_cast<char32_t>(part);
      }
    }
  }
  counted.clear();
  numbers.clear();

  // Persons by their reference, which the rows hold for as long as this
  // runs; a record without one stands for a person of its own.
  std::unordered_map<std::string_view, std::uint32_t> person_ids;
  std::deque<std::string> own_persons; // stable: the map views them
  person_ids.reserve(order.size());
  std::unordered_map<std::u32string_view, std::uint32_t> combination_ids;
  std::vector<std::u32string_view> combination_keys;
  std::vector<std::vector<std::uint32_t>> combination_persons;
  Tabulation result;
  for (std::size_t number = 0; number < order.size(); ++number) {
    const auto* row = order[number];
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
    const std::u32string_view signature(signatures.data() + starts[number],
                                        starts[number + 1] - starts[number]);
    auto [it, added] = combination_ids.try_emplace(
      signature, static_cast<std::uint32_t>(combination_keys.size()));
    if (added) {
      combination_keys.push_back(signature);
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
    if (same_as[j]) {
      continue; // its table is copied
    }
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

  // Each job's part of each combination that it counts, in combination
  // order: the tables are then filled each on its own.
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> by_job(
    jobs.size());
  for (std::uint32_t c = 0; c < combination_keys.size(); ++c) {
    for (const char32_t part : combination_keys[c]) {
      by_job[parts[part].job].emplace_back(c, static_cast<std::uint32_t>(part));
    }
  }
  std::vector<Table> built(jobs.size());
  on_every_core(jobs.size(), 8, [&](std::size_t j) {
    if (same_as[j]) {
      return; // its table is copied
    }
    const auto& job = jobs[j];
    Table& table = built[j];
    table.spec = job.spec;
    table.earlier = job.earlier;
    table.rows = ordered[j][0];
    table.rows.emplace_back(k_total);
    table.columns = ordered[j][1];
    table.columns.emplace_back(k_total);
    table.cells.resize(table.rows.size() * table.columns.size());
    const std::size_t total_row = table.rows.size() - 1;
    const std::size_t total_column = table.columns.size() - 1;
    std::vector<std::size_t> row_positions;
    std::vector<std::size_t> column_positions;
    for (const auto& [c, part_number] : by_job[j]) {
      const Part& part = parts[part_number];
      row_positions.clear();
      column_positions.clear();
      for (const auto id : *part.rows) {
        row_positions.push_back(position[j][0][id]);
      }
      for (const auto id : *part.columns) {
        column_positions.push_back(position[j][1][id]);
      }
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
    // met, so that a total over every record is one pass, not a sort. Cells
    // are far fewer than 2^32.
    std::vector<std::uint32_t> seen(result.persons, 0);
    std::uint32_t stamp = 0;
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
  });
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (!same_as[j]) {
      result.tables.push_back(std::move(built[j]));
      continue;
    }
    Table table = result.tables[*same_as[j]];
    table.spec = jobs[j].spec;
    table.earlier = jobs[j].earlier;
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
