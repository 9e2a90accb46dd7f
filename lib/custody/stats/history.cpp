// Recorded releases (history.hpp).
#include <custody/stats/history.hpp>

#include <fmt/core.h>

namespace custody::stats {

namespace {

Error
malformed(std::uint64_t seq, std::string_view what)
{
  return Error{
    Errc::corrupt,
    fmt::format("the release recorded in entry {} is malformed: {}", seq, what),
    {}};
}

std::vector<std::string>
strings(const json::Json& list)
{
  std::vector<std::string> out;
  if (list.is_array()) {
    for (const auto& item : list) {
      out.push_back(item.is_string() ? item.get<std::string>() : "");
    }
  }
  return out;
}

// A recorded cell: a count shown, or the token.
Figure
figure_of(const json::Json& cell)
{
  Figure figure;
  if (cell.is_number_unsigned()) {
    figure.shown = true;
    figure.value = cell.get<std::uint64_t>();
  } else {
    figure.suppressed = true;
  }
  return figure;
}

// A dataset release (docs/formats.md 6.5): {"kind": "dataset", "tree_size",
// "threshold", "spec", "rows": [[values]], "cells": [count | "x"], "total"}.
Result<RecordedRelease>
parse_dataset(const index::ReleaseRow& row, const records::Places* places)
{
  const auto& release = row.release;
  if (!release.contains("tree_size")
      || !release["tree_size"].is_number_unsigned() || !release.contains("spec")
      || !release.contains("rows") || !release["rows"].is_array()
      || !release.contains("cells") || !release["cells"].is_array()
      || release["cells"].size() != release["rows"].size()
      || !release.contains("total") || !release["total"].is_number_unsigned()) {
    return tl::unexpected(
      malformed(row.seq, "tree_size, spec, rows, cells or total"));
  }
  auto spec = spec_from_json(release["spec"]);
  if (!spec) {
    return tl::unexpected(malformed(row.seq, spec.error().message));
  }
  RecordedRelease out;
  out.seq = row.seq;
  out.tree_size = release["tree_size"].get<std::uint64_t>();
  out.coding.places = places;
  out.selection.period = spec->period;
  TableJob job = micro_job(*spec, {}, places);
  Earlier earlier;
  earlier.release_seq = row.seq;
  earlier.threshold = release.value("threshold", std::uint64_t{5});
  earlier.columns = {std::string(k_total)};
  if (release.contains("narratives")) {
    const auto& narratives = release["narratives"];
    if (!narratives.is_object() || !narratives.contains("left_out")
        || !narratives["left_out"].is_number_unsigned()) {
      return tl::unexpected(malformed(row.seq, "narratives"));
    }
    earlier.left_out = narratives["left_out"].get<std::uint64_t>();
  }
  for (std::size_t i = 0; i < release["rows"].size(); ++i) {
    const auto& values = release["rows"][i];
    const auto& cell = release["cells"][i];
    if (!values.is_array() || values.size() != spec->fields.size()) {
      return tl::unexpected(malformed(row.seq, "a row"));
    }
    earlier.rows.push_back(key_of(strings(values)));
    earlier.recorded.push_back(figure_of(cell));
  }
  // No figure for the table's total: counted again, it holds the withheld
  // rows too, and what the dataset showed of them is its rows' sum anyway.
  job.earlier = std::move(earlier);
  out.jobs.push_back(std::move(job));
  out.micro = std::move(*spec);
  return out;
}

} // namespace

json::Json
selection_json(const Selection& selection, const Coding& coding)
{
  json::Json filters = json::Json::array();
  for (const auto& [dimension, code] : selection.filters) {
    filters.push_back(
      json::Json::array({std::string(dimension_name(dimension)), code}));
  }
  return {{"period",
           selection.period ? json::Json{{"from", selection.period->from_month},
                                         {"to", selection.period->to_month}}
                            : json::Json(nullptr)},
          {"filters", filters},
          {"by", std::string(grain_name(coding.grain))},
          {"level", coding.level}};
}

Result<RecordedRelease>
parse_recorded(const index::ReleaseRow& row, const records::Places* places)
{
  const auto& release = row.release;
  RecordedRelease out;
  out.seq = row.seq;
  out.coding.places = places;
  if (release.is_object() && release.value("kind", "") == "dataset") {
    return parse_dataset(row, places);
  }
  if (!release.is_object() || release.value("kind", "") != "stats"
      || !release.contains("tree_size")
      || !release["tree_size"].is_number_unsigned()
      || !release.contains("selection") || !release["selection"].is_object()
      || !release.contains("tables") || !release["tables"].is_array()) {
    return tl::unexpected(
      malformed(row.seq, "kind, tree_size, selection or tables"));
  }
  out.tree_size = release["tree_size"].get<std::uint64_t>();
  const auto& selection = release["selection"];
  if (selection.contains("period") && selection["period"].is_object()) {
    out.selection.period =
      records::Period{selection["period"].value("from", ""),
                      selection["period"].value("to", "")};
  }
  if (selection.contains("filters") && selection["filters"].is_array()) {
    for (const auto& filter : selection["filters"]) {
      const auto parts = strings(filter);
      if (parts.size() != 2) {
        return tl::unexpected(malformed(row.seq, "a filter"));
      }
      CUSTODY_ASSIGN(dimension, parse_dimension(parts[0]));
      out.selection.filters.emplace_back(dimension, parts[1]);
    }
  }
  CUSTODY_ASSIGN(grain, parse_grain(selection.value("by", "quarter")));
  out.coding.grain = grain;
  out.coding.level = selection.value("level", 0);
  for (const auto& table : release["tables"]) {
    if (!table.is_object()) {
      return tl::unexpected(malformed(row.seq, "a table"));
    }
    TableJob job;
    job.spec.id = table.value("id", "");
    CUSTODY_ASSIGN(rows, parse_dimension(table.value("rows_dimension", "")));
    job.spec.rows = rows;
    if (table.contains("columns_dimension")
        && table["columns_dimension"].is_string()) {
      CUSTODY_ASSIGN(
        columns,
        parse_dimension(table["columns_dimension"].get<std::string>()));
      job.spec.columns = columns;
    }
    job.coding = out.coding;
    Earlier earlier;
    earlier.release_seq = row.seq;
    earlier.threshold = release.value("threshold", std::uint64_t{5});
    earlier.rows = strings(table.value("rows", json::Json::array()));
    earlier.columns = strings(table.value("columns", json::Json::array()));
    const auto& cells = table.value("cells", json::Json::array());
    if (!cells.is_array() || cells.size() != earlier.rows.size()) {
      return tl::unexpected(malformed(row.seq, "a table's cells"));
    }
    for (const auto& line : cells) {
      if (!line.is_array() || line.size() != earlier.columns.size()) {
        return tl::unexpected(malformed(row.seq, "a table's cells"));
      }
      for (const auto& cell : line) {
        earlier.recorded.push_back(figure_of(cell));
      }
    }
    job.earlier = std::move(earlier);
    out.jobs.push_back(std::move(job));
  }
  return out;
}

bool
overlaps(const Selection& a, const Selection& b)
{
  if (!a.period || !b.period) {
    return true;
  }
  return a.period->from_month <= b.period->to_month
         && b.period->from_month <= a.period->to_month;
}

Result<std::optional<index::MonthSpan>>
months_needed(const Selection& selection,
              const std::vector<index::ReleaseRow>& recorded,
              const records::Places* places)
{
  using Span = std::optional<index::MonthSpan>;
  if (!selection.period) {
    return Span();
  }
  index::MonthSpan span{selection.period->from_month,
                        selection.period->to_month};
  for (const auto& row : recorded) {
    CUSTODY_ASSIGN(earlier, parse_recorded(row, places));
    if (!overlaps(earlier.selection, selection)) {
      continue;
    }
    if (!earlier.selection.period) {
      return Span();
    }
    span.from = std::min(span.from, earlier.selection.period->from_month);
    span.to = std::max(span.to, earlier.selection.period->to_month);
  }
  return Span(span);
}

Result<Readings>
read_for_release(const index::Shard& facts,
                 const Selection& selection,
                 const records::Places* places)
{
  Readings readings;
  CUSTODY_ASSIGN(recorded, facts.releases());
  CUSTODY_ASSIGN(months, months_needed(selection, recorded, places));
  CUSTODY_ASSIGN(rows, facts.facts(months));
  readings.recorded = std::move(recorded);
  readings.rows = std::move(rows);
  return readings;
}

void
recount(RecordedRelease& release,
        const std::vector<index::FactsRow>& all,
        std::uint64_t slack)
{
  if (release.micro) {
    const auto counted =
      select_micro(all, *release.micro, release.coding.places);
    for (auto& job : release.jobs) {
      job.rows = counted.rows;
      job.earlier->slack = slack + job.earlier->left_out;
    }
    return;
  }
  std::vector<TableSpec> specs;
  for (const auto& job : release.jobs) {
    specs.push_back(job.spec);
  }
  const auto counted =
    select(all,
           release.selection,
           release.coding,
           needs_months(release.selection, specs, release.coding.grain));
  for (auto& job : release.jobs) {
    job.rows = counted.rows;
    job.earlier->slack = slack;
  }
}

Result<Tabulation>
tabulate_with_history(const std::vector<index::FactsRow>& all,
                      const Counted& counted,
                      const std::vector<TableSpec>& specs,
                      const Selection& selection,
                      const Coding& coding,
                      const std::vector<index::ReleaseRow>& recorded,
                      const ChangedSince& changed_since)
{
  std::vector<TableJob> jobs;
  jobs.reserve(specs.size());
  for (const auto& spec : specs) {
    jobs.push_back({spec, counted.rows, coding, std::nullopt, {}});
  }
  for (const auto& row : recorded) {
    CUSTODY_ASSIGN(earlier, parse_recorded(row, coding.places));
    if (!overlaps(earlier.selection, selection)) {
      continue;
    }
    CUSTODY_ASSIGN(slack, changed_since(earlier.tree_size));
    recount(earlier, all, slack);
    for (auto& job : earlier.jobs) {
      jobs.push_back(std::move(job));
    }
  }
  Tabulation tabulation = tabulate_jobs(jobs);
  tabulation.measures.push_back(median_delay(counted.rows));
  return tabulation;
}

} // namespace custody::stats
