#include <custody/disclosure/audit.hpp>
#include <custody/disclosure/dataset.hpp>
#include <custody/disclosure/disclosure_internal.hpp>
#include <custody/stats/history.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace custody::disclosure {

namespace {

using stats::MicroSpec;

// A record without a person reference stands for a person of its own, as in
// statistics (stats/table.cpp).
std::string
person_of(const index::FactsRow& row)
{
  return row.person_ref.empty() ? "\x01" + std::to_string(row.created_seq)
                                : row.person_ref;
}

struct Class
{
  std::set<std::string> persons;
  std::vector<std::size_t> rows; // indices into the selection
  // per sensitive field (and violence type), its distinct values
  std::vector<std::set<std::string>> sensitive;
  // persons in each group the class splits into when joined with the
  // earlier datasets
  std::map<std::string, std::set<std::string>> joined;
  bool withheld = false;
};

// The fields whose diversity a class needs: the sensitive ones, and the
// violence type always (at level 1 when the dataset does not publish it).
std::vector<stats::MicroField>
diverse_fields(const MicroSpec& spec)
{
  std::vector<stats::MicroField> out;
  bool violence = false;
  for (const auto& field : spec.fields) {
    if (field.sensitive) {
      out.push_back(field);
      violence = violence || field.dimension == stats::Dimension::violence_type;
    }
  }
  if (!violence) {
    stats::MicroField field;
    field.dimension = stats::Dimension::violence_type;
    field.level = 1;
    field.sensitive = true;
    out.push_back(field);
  }
  return out;
}

std::string
plural(std::size_t n, std::string_view one, std::string_view many)
{
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// An earlier dataset, as its rows read today.
struct EarlierDataset
{
  std::uint64_t seq = 0;
  MicroSpec spec;
  std::set<const index::FactsRow*> published; // in it and not withheld
};

Result<std::vector<EarlierDataset>>
earlier_datasets(const std::vector<index::FactsRow>& all,
                 const std::vector<index::ReleaseRow>& recorded,
                 const records::Places* places)
{
  std::vector<EarlierDataset> out;
  for (const auto& row : recorded) {
    if (!row.release.is_object()
        || row.release.value("kind", "") != "dataset") {
      continue;
    }
    CUSTODY_ASSIGN(release, stats::parse_recorded(row, places));
    EarlierDataset earlier;
    earlier.seq = row.seq;
    earlier.spec = *release.micro;
    std::set<std::string> withheld;
    const auto& job = release.jobs.front();
    for (std::size_t i = 0; i < job.earlier->recorded.size(); ++i) {
      if (job.earlier->recorded[i].suppressed) {
        withheld.insert(job.earlier->rows[i]);
      }
    }
    const auto counted = stats::select_micro(all, earlier.spec, places);
    for (const auto* facts : counted.rows) {
      const auto key =
        stats::key_of(stats::row_of(*facts, earlier.spec, places, false));
      if (!withheld.contains(key)) {
        earlier.published.insert(facts);
      }
    }
    out.push_back(std::move(earlier));
  }
  return out;
}

struct AuditOutcome
{
  std::size_t failing = 0; // protected cells the dataset gives away
  std::size_t tables = 0;  // tables of earlier releases audited with it
  std::uint64_t lps = 0;
};

// The exact audit (audit.hpp) of the dataset's rows and withheld classes with
// every earlier release whose period meets the dataset's: each small cell an
// earlier release suppressed, and each withheld class of fewer than k
// persons, must stay unrecoverable. Cells that earlier releases already give
// away on their own are not the dataset's doing and do not count against it.
Result<AuditOutcome>
audit_with_history(const std::vector<index::FactsRow>& all,
                   const std::vector<const index::FactsRow*>& selected,
                   const MicroSpec& spec,
                   const records::Places* places,
                   const std::map<std::string, Class>& classes,
                   const std::vector<index::ReleaseRow>& recorded,
                   const stats::ChangedSince& changed,
                   std::uint64_t k)
{
  std::vector<stats::TableJob> jobs;
  jobs.push_back(stats::micro_job(spec, selected, places));
  stats::Selection mine;
  mine.period = spec.period;
  for (const auto& row : recorded) {
    CUSTODY_ASSIGN(release, stats::parse_recorded(row, places));
    if (!stats::overlaps(release.selection, mine)) {
      continue;
    }
    CUSTODY_ASSIGN(slack, changed(release.tree_size));
    stats::recount(release, all, slack);
    for (auto& job : release.jobs) {
      jobs.push_back(std::move(job));
    }
  }
  AuditOutcome outcome;
  outcome.tables = jobs.size() - 1;
  const bool withheld =
    std::any_of(classes.begin(), classes.end(), [](const auto& item) {
      return item.second.withheld;
    });
  if (outcome.tables == 0 && !withheld) {
    return outcome; // nothing published before, nothing held back
  }
  const stats::Tabulation tabulation = stats::tabulate_jobs(jobs);

  AuditProblem earlier_only;
  earlier_only.variables =
    static_cast<std::uint32_t>(tabulation.combination_records.size());
  std::vector<std::size_t> earlier_primary; // cell indices, in both problems
  for (std::size_t t = 1; t < tabulation.tables.size(); ++t) {
    const auto& table = tabulation.tables[t];
    for (std::size_t i = 0; i < table.cells.size(); ++i) {
      const auto& figure = table.earlier->figures[i];
      const auto& cell = table.cells[i];
      if (cell.combinations.empty() || (!figure.shown && !figure.suppressed)) {
        continue;
      }
      AuditCell audit_cell;
      audit_cell.variables = cell.combinations;
      if (figure.shown) {
        audit_cell.value = figure.value;
        audit_cell.slack = table.earlier->slack;
      } else {
        audit_cell.suppressed = true;
        audit_cell.primary =
          cell.persons >= 1 && cell.persons < table.earlier->threshold;
        if (audit_cell.primary) {
          earlier_primary.push_back(earlier_only.cells.size());
        }
      }
      earlier_only.cells.push_back(std::move(audit_cell));
    }
  }
  AuditProblem with_dataset = earlier_only;
  // The dataset's rows: every whole row of a published class is shown with
  // its count; a withheld class is a hidden cell, protected when it holds
  // fewer than k persons.
  const auto& table = tabulation.tables.front();
  // A whole row's class: its non-sensitive values.
  std::unordered_map<std::string, std::string> quasi_of;
  for (const auto* row : selected) {
    quasi_of.try_emplace(
      stats::key_of(stats::row_of(*row, spec, places, false)),
      stats::key_of(stats::row_of(*row, spec, places, true)));
  }
  std::map<std::string, std::vector<std::uint32_t>> withheld_variables;
  std::map<std::string, std::size_t> withheld_persons;
  for (std::size_t r = 0; r + 1 < table.rows.size(); ++r) {
    const auto& cell = table.at(r, 0);
    if (cell.combinations.empty()) {
      continue;
    }
    const auto quasi = quasi_of.find(table.rows[r]);
    if (quasi == quasi_of.end()) {
      continue;
    }
    const auto& of = classes.at(quasi->second);
    if (!of.withheld) {
      AuditCell shown;
      shown.variables = cell.combinations;
      shown.value = cell.records;
      with_dataset.cells.push_back(std::move(shown));
    } else {
      auto& variables = withheld_variables[quasi->second];
      variables.insert(
        variables.end(), cell.combinations.begin(), cell.combinations.end());
      withheld_persons[quasi->second] = of.persons.size();
    }
  }
  std::vector<std::size_t> withheld_primary;
  for (auto& [quasi, variables] : withheld_variables) {
    std::sort(variables.begin(), variables.end());
    variables.erase(std::unique(variables.begin(), variables.end()),
                    variables.end());
    AuditCell hidden;
    hidden.variables = std::move(variables);
    hidden.suppressed = true;
    hidden.hidden = true;
    hidden.primary = withheld_persons[quasi] < k;
    if (hidden.primary) {
      withheld_primary.push_back(with_dataset.cells.size());
    }
    with_dataset.cells.push_back(std::move(hidden));
  }

  const auto failing_of = [](const AuditProblem& problem,
                             const AuditResult& result) {
    std::set<std::size_t> failing;
    if (result.infeasible) {
      for (std::size_t i = 0; i < problem.cells.size(); ++i) {
        if (problem.cells[i].primary) {
          failing.insert(i);
        }
      }
      return failing;
    }
    for (const auto& interval : result.intervals) {
      if (!interval.passes) {
        failing.insert(interval.cell);
      }
    }
    return failing;
  };
  std::set<std::size_t> before;
  if (!earlier_primary.empty()) {
    CUSTODY_ASSIGN(alone, audit(earlier_only));
    outcome.lps += alone.lps;
    before = failing_of(earlier_only, alone);
  }
  CUSTODY_ASSIGN(joined, audit(with_dataset));
  outcome.lps += joined.lps;
  for (const auto cell : failing_of(with_dataset, joined)) {
    if (!before.contains(cell)) {
      ++outcome.failing;
    }
  }
  return outcome;
}

} // namespace

Result<DatasetNarratives>
released_narratives(const records::Shards& shards, NarrativeMissing missing)
{
  const auto& aggressor =
    shards[records::part_index(vault::Compartment::aggressor)];
  if (!aggressor) {
    return make_error(Errc::auth,
                      "the recipe's field narrative is released redacted "
                      "text, read with the aggressor compartment, which your "
                      "keys do not open",
                      "legal and advocacy members publish narratives; a "
                      "dataset without the narrative field needs only facts");
  }
  DatasetNarratives out;
  out.missing = missing;
  CUSTODY_ASSIGN(created, aggressor->created());
  for (const auto& [id, created_seq] : created) {
    CUSTODY_ASSIGN(rows, aggressor->redactions(id));
    const index::RedactionRow* latest = nullptr;
    std::uint64_t last_text_seq = 0;
    for (const auto& row : rows) {
      // A photo's derivative names its attachment (6.6.1).
      if (row.document.contains("attachment")) {
        continue;
      }
      last_text_seq = std::max(last_text_seq, row.seq);
      if (row.document.value("released", false)
          && (latest == nullptr || row.seq > latest->seq)) {
        latest = &row;
      }
    }
    if (latest == nullptr) {
      continue;
    }
    if (last_text_seq > latest->seq) {
      // Redacted again since, and not released: whoever did it found the
      // released text wanting, so it stands no longer.
      out.stale.insert(created_seq);
      continue;
    }
    const json::Json text =
      latest->document.value("text", json::Json::object());
    const auto narrative = text.find("narrative");
    if (narrative == text.end() || !narrative->is_string()
        || narrative->get<std::string>().empty()) {
      continue;
    }
    CUSTODY_ASSIGN(record, aggressor->find(id));
    if (record.updated_seq > latest->seq) {
      out.stale.insert(created_seq);
      continue;
    }
    out.released.emplace(created_seq, narrative->get<std::string>());
  }
  return out;
}

Result<Released<Dataset>>
release_dataset(const std::vector<index::FactsRow>& all,
                const MicroSpec& spec,
                const records::Places* places,
                const DatasetRules& rules,
                const std::vector<index::ReleaseRow>& recorded,
                const stats::ChangedSince& changed,
                const DatasetNarratives* narratives)
{
  const auto counted = stats::select_micro(all, spec, places);
  Dataset dataset;
  dataset.spec = spec;
  dataset.rules = rules;
  dataset.check.without_consent = counted.without_consent;
  dataset.check.year_only = counted.year_only;
  if (counted.rows.empty()) {
    return make_error(Errc::invalid_input,
                      fmt::format("no record in {} to {} has publish consent "
                                  "and a date the dataset can place",
                                  spec.period.from_month,
                                  spec.period.to_month));
  }
  // The rows the dataset is made of, checked and audited: every consenting
  // row, or with NarrativeMissing::leave_out those with a released
  // narrative. A row left out is in no cell of the dataset, so the audit
  // places it in combinations of its own: the reader knows how many rows
  // were published, and of the rest only what other releases say.
  std::vector<const index::FactsRow*> chosen;
  if (narratives != nullptr) {
    dataset.narrative = narratives->missing;
    for (const auto* row : counted.rows) {
      if (narratives->released.contains(row->created_seq)) {
        ++dataset.check.narratives;
        chosen.push_back(row);
        continue;
      }
      ++(narratives->stale.contains(row->created_seq)
           ? dataset.check.narrative_stale
           : dataset.check.narrative_none);
      if (narratives->missing == NarrativeMissing::leave_out) {
        ++dataset.check.narrative_left_out;
      } else {
        chosen.push_back(row);
      }
    }
    if (chosen.empty()) {
      return make_error(
        Errc::invalid_input,
        fmt::format("none of the {} consenting records of {} to {} has a "
                    "released redacted narrative made since its latest "
                    "amendment ({} none, {} stale)",
                    counted.rows.size(),
                    spec.period.from_month,
                    spec.period.to_month,
                    dataset.check.narrative_none,
                    dataset.check.narrative_stale));
    }
  } else {
    chosen = counted.rows;
  }
  CUSTODY_ASSIGN(earlier, earlier_datasets(all, recorded, places));
  dataset.check.earlier_datasets = earlier.size();
  const auto diverse = diverse_fields(spec);

  std::map<std::string, Class> classes;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const auto& row = *chosen[i];
    const auto quasi = stats::key_of(stats::row_of(row, spec, places, true));
    auto& of = classes[quasi];
    of.sensitive.resize(diverse.size());
    const auto person = person_of(row);
    of.persons.insert(person);
    of.rows.push_back(i);
    for (std::size_t f = 0; f < diverse.size(); ++f) {
      of.sensitive[f].insert(stats::field_value(row, diverse[f], places));
    }
    // Joined with each earlier dataset on what both publish of the record:
    // a person is then told apart by her class in each.
    std::string joined;
    for (const auto& other : earlier) {
      joined += '\x1e';
      if (other.published.contains(&row)) {
        joined += stats::key_of(stats::row_of(row, other.spec, places, true));
      }
    }
    of.joined[joined].insert(person);
  }

  std::size_t failing = 0;
  std::size_t too_few = 0;     // classes of fewer than k persons
  std::size_t too_uniform = 0; // of fewer than l values of a sensitive field
  std::size_t failing_records = 0;
  for (auto& [quasi, of] : classes) {
    std::uint64_t smallest = of.persons.size();
    for (const auto& [joined, persons] : of.joined) {
      smallest = std::min<std::uint64_t>(smallest, persons.size());
    }
    auto diversity = static_cast<std::size_t>(-1);
    for (const auto& values : of.sensitive) {
      diversity = std::min(diversity, values.size());
    }
    too_few += smallest < rules.k ? 1 : 0;
    too_uniform += diversity < rules.l ? 1 : 0;
    if (smallest < rules.k || diversity < rules.l) {
      of.withheld = true;
      ++failing;
      failing_records += of.rows.size();
    }
  }
  if (failing > 0 && !rules.suppress) {
    std::string why;
    if (too_few > 0) {
      why = fmt::format(
        "{} of {} {} fewer than {} distinct persons{}",
        too_few,
        plural(classes.size(), "class", "classes"),
        too_few == 1 ? "holds" : "hold",
        rules.k,
        earlier.empty()
          ? ""
          : fmt::format(
            " when joined with the {}",
            plural(earlier.size(), "earlier dataset", "earlier datasets")));
    }
    if (too_uniform > 0) {
      why += fmt::format("{}{} of {} {} fewer than {} distinct values of a "
                         "sensitive field",
                         why.empty() ? "" : "; ",
                         too_uniform,
                         plural(classes.size(), "class", "classes"),
                         too_uniform == 1 ? "holds" : "hold",
                         rules.l);
    }
    return make_error(
      Errc::unsafe,
      fmt::format("{} ({}): nothing was written",
                  why,
                  plural(failing_records, "report", "reports")),
      "coarsen the recipe (a coarser precision or level, fewer fields), or "
      "let it withhold those classes (on_failure: suppress)");
  }

  std::set<std::string> persons;
  double risk = 0;
  dataset.check.smallest_class = static_cast<std::uint64_t>(-1);
  dataset.check.least_diverse = static_cast<std::size_t>(-1);
  for (const auto& [quasi, of] : classes) {
    if (of.withheld) {
      dataset.check.withheld_records += of.rows.size();
      ++dataset.check.withheld_classes;
      continue;
    }
    ++dataset.check.classes;
    for (const auto& [joined, group] : of.joined) {
      dataset.check.smallest_class =
        std::min<std::uint64_t>(dataset.check.smallest_class, group.size());
    }
    for (const auto& values : of.sensitive) {
      dataset.check.least_diverse =
        std::min(dataset.check.least_diverse, values.size());
    }
    for (const auto i : of.rows) {
      const auto& row = *chosen[i];
      persons.insert(person_of(row));
      dataset.rows.push_back(stats::row_of(row, spec, places, false));
      if (narratives != nullptr) {
        const auto found = narratives->released.find(row.created_seq);
        dataset.narratives.push_back(found != narratives->released.end()
                                       ? found->second
                                       : std::string(stats::k_not_recorded));
      }
      // Her group when joined with the earlier datasets is what a reader
      // who knows her values narrows her to.
      for (const auto& [joined, group] : of.joined) {
        if (group.contains(person_of(row))) {
          risk += 1.0 / static_cast<double>(group.size());
          break;
        }
      }
    }
  }
  if (dataset.rows.empty()) {
    return make_error(Errc::unsafe,
                      fmt::format("every one of the {} would be withheld: "
                                  "nothing was written",
                                  plural(classes.size(), "class", "classes")),
                      "coarsen the recipe (a coarser precision or level, "
                      "fewer fields)");
  }
  dataset.check.records = dataset.rows.size();
  dataset.check.persons = persons.size();
  dataset.check.risk = risk / static_cast<double>(dataset.rows.size());
  if (dataset.check.risk >= rules.max_risk) {
    return make_error(
      Errc::unsafe,
      fmt::format("the estimated re-identification risk is {:.1f} % ({} rows "
                  "in {}), not under {:.1f} %: nothing was written",
                  dataset.check.risk * 100,
                  dataset.rows.size(),
                  plural(dataset.check.classes, "class", "classes"),
                  rules.max_risk * 100),
      "coarsen the recipe so that classes are larger (a coarser precision "
      "or level, fewer fields)");
  }

  CUSTODY_ASSIGN(
    outcome,
    audit_with_history(
      all, chosen, spec, places, classes, recorded, changed, rules.k));
  dataset.check.earlier_tables = outcome.tables;
  dataset.check.lps = outcome.lps;
  if (outcome.failing > 0) {
    return make_error(
      Errc::unsafe,
      fmt::format("with the releases recorded before it, the dataset would "
                  "give back {} (of an earlier release, or a "
                  "withheld class): nothing was written",
                  plural(outcome.failing, "protected cell", "protected cells")),
      "coarsen the recipe, or narrow its period so that it meets fewer "
      "earlier releases");
  }

  if (narratives != nullptr) {
    // Sorted as whole rows with their narratives, so the same records give
    // the same file whatever order the shard lists them in.
    std::vector<std::pair<std::vector<std::string>, std::string>> paired;
    for (std::size_t i = 0; i < dataset.rows.size(); ++i) {
      paired.emplace_back(std::move(dataset.rows[i]),
                          std::move(dataset.narratives[i]));
    }
    std::sort(paired.begin(), paired.end());
    for (std::size_t i = 0; i < paired.size(); ++i) {
      dataset.rows[i] = std::move(paired[i].first);
      dataset.narratives[i] = std::move(paired[i].second);
    }
  } else {
    std::sort(dataset.rows.begin(), dataset.rows.end());
  }
  std::map<std::vector<std::string>, std::optional<std::uint64_t>> tuples;
  for (const auto& [quasi, of] : classes) {
    for (const auto i : of.rows) {
      auto whole = stats::row_of(*chosen[i], spec, places, false);
      auto [at, added] = tuples.try_emplace(
        std::move(whole),
        of.withheld ? std::nullopt : std::optional<std::uint64_t>(0));
      if (at->second) {
        ++*at->second;
      }
    }
  }
  dataset.tuples.assign(tuples.begin(), tuples.end());
  return Releaser::release(std::move(dataset));
}

json::Json
dataset_release_document(const Released<Dataset>& dataset,
                         std::uint64_t tree_size,
                         const std::string& output_sha256)
{
  json::Json rows = json::Json::array();
  json::Json cells = json::Json::array();
  for (const auto& [values, count] : dataset->tuples) {
    rows.push_back(values);
    cells.push_back(count ? json::Json(*count) : json::Json("x"));
  }
  json::Json document = {
    {"kind", "dataset"},
    {"tree_size", tree_size},
    {"threshold", dataset->rules.k},
    {"l", dataset->rules.l},
    {"spec", stats::spec_json(dataset->spec)},
    {"rows", std::move(rows)},
    {"cells", std::move(cells)},
    {"total", dataset->check.records},
    {"output", {{"format", "csv"}, {"sha256", output_sha256}}}};
  // Never a narrative here: this document is in facts, which data members
  // read. Only how the column treated rows without one, and how many it
  // left out, which later audits take as slack on these rows' counts.
  if (dataset->narrative) {
    document["narratives"] = {
      {"missing",
       *dataset->narrative == NarrativeMissing::leave_out ? "leave_out"
                                                          : "not_recorded"},
      {"left_out", dataset->check.narrative_left_out}};
  }
  return document;
}

} // namespace custody::disclosure
