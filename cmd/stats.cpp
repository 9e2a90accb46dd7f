// custody stats: the figures a data member publishes, suppressed and audited
// by disclosure/ before anything is printed or written (docs/stats.md).
#include "commands.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/disclosure/cell_key.hpp>
#include <custody/disclosure/stats_notes.hpp>
#include <custody/disclosure/stats_release.hpp>
#include <custody/records/dimension.hpp>
#include <custody/records/period.hpp>
#include <custody/render/release.hpp>
#include <custody/stats/history.hpp>
#include <custody/stats/recipe.hpp>
#include <custody/stats/source.hpp>
#include <custody/stats/table.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <memory>

namespace custody::cli {

namespace {

// One token for every suppressed cell, in every format (docs/stats.md 4.3).
constexpr std::string_view k_token = "x";

struct StatsOptions
{
  std::string period;
  std::string from;
  std::string to;
  std::string by = "quarter";
  bool by_given = false;
  std::string rows;
  std::string columns;
  int level = -1; // unset: 1 for the standard release, 0 for one table
  std::vector<std::string> filters;
  std::uint64_t threshold = 0;
  std::string method; // unset: a recipe's, else suppression
  std::string label;
  std::string output;
  std::string xlsx;
  std::string chart;
  std::string chart_table;
  std::string recipe;
  std::vector<stats::RecipeTable> tables; // from a recipe
  bool csv = false;
  bool force = false;
};

struct Plan
{
  stats::Selection selection;
  stats::Coding coding;
  std::vector<stats::TableSpec> tables;
  bool by_month = false;
};

Result<std::optional<records::Period>>
period_of(const StatsOptions& options)
{
  // A release names both ends of its period (docs/formats.md 6.5).
  if (options.period.empty() && options.from.empty() != options.to.empty()) {
    return make_error(Errc::usage,
                      "--from and --to go together",
                      "for example --from 2026-Q1 --to 2026-Q3");
  }
  CUSTODY_ASSIGN(
    period,
    records::period_of_options(options.period, options.from, options.to));
  if (period) {
    CUSTODY_TRY(records::check_begun(*period));
  }
  return period;
}

// The standard release of a crisis-response programme (docs/stats.md 1).

Result<Plan>
plan_of(const StatsOptions& options, const records::Places* places)
{
  Plan plan;
  plan.coding.places = places;
  // The standard release reports groups (violence.sexual): full codes split
  // a quarter's reports into cells too small to publish.
  plan.coding.level =
    options.level >= 0
      ? options.level
      : (options.rows.empty() && options.tables.empty() ? 1 : 0);
  if (options.level < -1 || options.level > 3) {
    return make_error(
      Errc::usage, "--level is 0 to 3", "for example --level 1");
  }
  CUSTODY_ASSIGN_CTX(grain, stats::parse_grain(options.by), "--by");
  plan.coding.grain = grain;
  CUSTODY_ASSIGN(period, period_of(options));
  plan.selection.period = period;
  for (const auto& filter : options.filters) {
    CUSTODY_ASSIGN_CTX(
      parsed, records::parse_filter(filter, places), "--filter");
    plan.selection.filters.push_back(std::move(parsed));
  }
  if (options.rows.empty() && !options.columns.empty()) {
    return make_error(Errc::usage,
                      "--cols needs --rows",
                      "for example --rows violence_type --cols population");
  }
  std::vector<stats::RecipeTable> asked = options.tables;
  if (!options.rows.empty()) {
    asked = {{options.rows,
              options.columns.empty() ? std::nullopt
                                      : std::optional(options.columns)}};
  }
  if (asked.empty()) {
    plan.tables = stats::standard_tables();
  }
  for (const auto& table : asked) {
    CUSTODY_ASSIGN_CTX(rows, stats::parse_dimension(table.rows), "rows");
    stats::TableSpec spec{
      std::string(stats::dimension_name(rows)),
      fmt::format("Reports by {}", stats::dimension_title(rows)),
      rows,
      {}};
    if (table.columns) {
      CUSTODY_ASSIGN_CTX(
        columns, stats::parse_dimension(*table.columns), "cols");
      if (columns == rows) {
        return make_error(
          Errc::usage, "rows and cols name the same dimension", "");
      }
      spec.columns = columns;
      spec.id += fmt::format("_by_{}", stats::dimension_name(columns));
      spec.title += fmt::format(" and {}", stats::dimension_title(columns));
    }
    for (auto dimension : {std::optional(spec.rows), spec.columns}) {
      if (places == nullptr
          && (dimension == stats::Dimension::district
              || dimension == stats::Dimension::region)) {
        return make_error(
          Errc::invalid_input,
          fmt::format("this vault has no places list, so no {} table",
                      stats::dimension_name(*dimension)),
          Remedy::set_places);
      }
    }
    plan.tables.push_back(std::move(spec));
  }
  if (plan.coding.places == nullptr) {
    std::erase_if(plan.tables, [](const stats::TableSpec& spec) {
      return spec.rows == stats::Dimension::district
             || spec.rows == stats::Dimension::region;
    });
  }
  plan.by_month = stats::needs_months(plan.selection, plan.tables, grain);
  return plan;
}

struct Context
{
  disclosure::StatsNotes notes;
  stats::Source source;
  stats::Counted left_out;
  const Plan* plan = nullptr;
};

std::string
cell_text(const std::optional<std::uint64_t>& cell)
{
  return cell ? std::to_string(*cell) : std::string(k_token);
}

std::string
row_label(const disclosure::PublishedTable& table,
          std::size_t row,
          const stats::Coding& coding)
{
  const auto& value = table.rows[row];
  return value == stats::k_total
           ? "Total (distinct reports)"
           : stats::label_of(table.spec.rows, value, coding);
}

std::string
column_label(const disclosure::PublishedTable& table,
             std::size_t column,
             const stats::Coding& coding)
{
  const auto& value = table.columns[column];
  if (value == stats::k_total) {
    return "Total";
  }
  return stats::label_of(*table.spec.columns, value, coding);
}

std::string
source_text(const stats::Source& source)
{
  std::string text = fmt::format("ledger of {} entries, Merkle root {}",
                                 source.tree_size,
                                 to_base64(source.root, Padding::yes));
  if (source.covered) {
    text += fmt::format("; covered by signed checkpoint {}, {}",
                        *source.checkpoint,
                        timestamp_status(source.timestamped));
  } else if (source.checkpoint) {
    text += fmt::format("; the latest signed checkpoint ({}) does not cover it",
                        *source.checkpoint);
  } else {
    text += "; no signed checkpoint covers it";
  }
  return text;
}

std::string
render_text(const disclosure::StatsRelease& release, const Context& context)
{
  const auto& coding = context.plan->coding;
  std::string out;
  for (const auto& table : release.tables) {
    out += fmt::format("{}\n", table.spec.title);
    std::vector<std::vector<std::string>> grid;
    std::vector<std::string> header{
      std::string(stats::dimension_title(table.spec.rows))};
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      header.push_back(table.spec.columns ? column_label(table, c, coding)
                                          : "Reports");
    }
    grid.push_back(header);
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      std::vector<std::string> line{row_label(table, r, coding)};
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        line.push_back(cell_text(table.cells[r * table.columns.size() + c]));
      }
      grid.push_back(std::move(line));
    }
    std::vector<std::size_t> widths(header.size(), 0);
    for (const auto& line : grid) {
      for (std::size_t i = 0; i < line.size(); ++i) {
        widths[i] = std::max(widths[i], line[i].size());
      }
    }
    for (const auto& line : grid) {
      std::string text = fmt::format("  {:<{}}", line[0], widths[0]);
      for (std::size_t i = 1; i < line.size(); ++i) {
        text += fmt::format("  {:>{}}", line[i], widths[i]);
      }
      out += printable(text) + "\n";
    }
    out += "\n";
  }
  for (const auto& measure : release.measures) {
    out += fmt::format("{}: {}\n",
                       measure.title,
                       measure.value ? fmt::format("{:g}", *measure.value)
                                     : std::string(k_token));
  }
  out +=
    fmt::format("\n{} = suppressed to protect the people counted.\n", k_token);
  out += context.notes.statement + "\n" + context.notes.counting + "\n"
         + context.notes.method + "\n";
  out += fmt::format("Left out: {} reports without consent to anonymised "
                     "statistics; {} dated to the year alone.\n",
                     context.left_out.without_consent,
                     context.left_out.year_only);
  out += fmt::format("Computed from: {}.\n", source_text(context.source));
  return out;
}

std::string
csv_field(const std::string& text)
{
  if (text.find_first_of(",\"\n\r") == std::string::npos) {
    return text;
  }
  std::string out = "\"";
  for (char c : text) {
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return out + "\"";
}

// Long form, one line a cell, so every table of a release fits one file.
std::string
render_csv(const disclosure::StatsRelease& release, const Context& context)
{
  std::string out = "table,row_dimension,row,column_dimension,column,reports\n";
  for (const auto& table : release.tables) {
    const std::string columns_name =
      table.spec.columns
        ? std::string(stats::dimension_name(*table.spec.columns))
        : "";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        out +=
          fmt::format("{},{},{},{},{},{}\n",
                      csv_field(table.spec.id),
                      stats::dimension_name(table.spec.rows),
                      csv_field(table.rows[r]),
                      columns_name,
                      csv_field(table.columns[c]),
                      cell_text(table.cells[r * table.columns.size() + c]));
      }
    }
  }
  for (const auto& measure : release.measures) {
    out += fmt::format("{},,,,,{}\n",
                       csv_field(measure.id),
                       measure.value ? fmt::format("{:g}", *measure.value)
                                     : std::string(k_token));
  }
  (void)context;
  return out;
}

nlohmann::json
render_json(const disclosure::StatsRelease& release, const Context& context)
{
  const auto& coding = context.plan->coding;
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& table : release.tables) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      rows.push_back(
        {{"code", table.rows[r]}, {"label", row_label(table, r, coding)}});
    }
    nlohmann::json columns = nlohmann::json::array();
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      columns.push_back(
        {{"code", table.columns[c]},
         {"label",
          table.spec.columns ? column_label(table, c, coding) : "Reports"}});
    }
    nlohmann::json cells = nlohmann::json::array();
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      nlohmann::json line = nlohmann::json::array();
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const auto& cell = table.cells[r * table.columns.size() + c];
        line.push_back(cell ? nlohmann::json(*cell) : nlohmann::json(k_token));
      }
      cells.push_back(std::move(line));
    }
    tables.push_back(
      {{"id", table.spec.id},
       {"title", table.spec.title},
       {"rows_dimension", stats::dimension_name(table.spec.rows)},
       {"columns_dimension",
        table.spec.columns
          ? nlohmann::json(stats::dimension_name(*table.spec.columns))
          : nlohmann::json(nullptr)},
       {"rows", rows},
       {"columns", columns},
       {"cells", cells}});
  }
  nlohmann::json measures = nlohmann::json::array();
  for (const auto& measure : release.measures) {
    measures.push_back({{"id", measure.id},
                        {"title", measure.title},
                        {"value",
                         measure.value ? nlohmann::json(*measure.value)
                                       : nlohmann::json(k_token)}});
  }
  const auto& source = context.source;
  const auto& period = context.plan->selection.period;
  return {
    {"type", "stats"},
    {"statement", context.notes.statement},
    {"counting", context.notes.counting},
    {"method", context.notes.method},
    {"token", k_token},
    {"threshold", release.threshold},
    {"period",
     period
       ? nlohmann::json{{"from", period->from_month}, {"to", period->to_month}}
       : nlohmann::json(nullptr)},
    {"by", stats::grain_name(context.plan->coding.grain)},
    {"level", context.plan->coding.level},
    {"left_out",
     {{"without_consent", context.left_out.without_consent},
      {"year_only", context.left_out.year_only}}},
    {"source",
     {{"tree_size", source.tree_size},
      {"root", to_base64(source.root, Padding::yes)},
      {"checkpoint",
       source.checkpoint ? nlohmann::json(*source.checkpoint)
                         : nlohmann::json(nullptr)},
      {"covered", source.covered},
      {"timestamped", source.timestamped}}},
    {"disclosure_method", release.method},
    {"p_table",
     release.p_table.is_null()
       ? nlohmann::json(nullptr)
       : nlohmann::json{{"max_perturbation",
                         release.p_table["max_perturbation"]},
                        {"variance", release.p_table["variance"]},
                        {"small_counts", release.p_table["small_counts"]}}},
    {"audit",
     release.method == "cellkey"
       ? nlohmann::json(nullptr)
       : nlohmann::json{{"cells", release.audit.cells},
                        {"suppressed", release.audit.suppressed},
                        {"combinations", release.audit.combinations},
                        {"rounds", release.audit.rounds},
                        {"linear_programs", release.audit.lps},
                        {"exact", release.audit.exact},
                        {"passed", true}}},
    {"tables", tables},
    {"measures", measures}};
}

render::Labels
labels_of(const stats::Coding& coding)
{
  render::Labels labels;
  labels.row = [coding](const disclosure::PublishedTable& table,
                        std::size_t row) {
    return row_label(table, row, coding);
  };
  labels.column = [coding](const disclosure::PublishedTable& table,
                           std::size_t column) {
    return table.spec.columns ? column_label(table, column, coding)
                              : std::string("Reports");
  };
  labels.row_heading = [](const disclosure::PublishedTable& table) {
    return std::string(stats::dimension_title(table.spec.rows));
  };
  labels.column_heading = [](const disclosure::PublishedTable& table) {
    return table.spec.columns
             ? std::string(stats::dimension_title(*table.spec.columns))
             : std::string();
  };
  labels.value_heading = [](const disclosure::PublishedTable&) {
    return std::string("Reports");
  };
  return labels;
}

// The recipe's keys, under what the command line gave.
Result<StatsOptions>
with_recipe(StatsOptions options)
{
  if (options.recipe.empty()) {
    return options;
  }
  CUSTODY_ASSIGN_CTX(
    text,
    fs::read_file(options.recipe, std::uint64_t{1} << 20, fs::Origin::user),
    options.recipe);
  CUSTODY_ASSIGN_CTX(
    recipe,
    stats::parse_recipe(std::string_view(
      reinterpret_cast<const char*>(text.data()), text.size())),
    options.recipe);
  auto fill = [](std::string& option, const std::optional<std::string>& value) {
    if (option.empty() && value) {
      option = *value;
    }
  };
  fill(options.label, recipe.label);
  if (options.period.empty() && options.from.empty() && options.to.empty()) {
    fill(options.period, recipe.period);
    fill(options.from, recipe.from);
    fill(options.to, recipe.to);
  }
  if (!options.by_given && recipe.by) {
    options.by = *recipe.by;
  }
  if (options.level < 0 && recipe.level) {
    options.level = *recipe.level;
  }
  if (options.threshold == 0 && recipe.threshold) {
    options.threshold = *recipe.threshold;
  }
  if (options.method.empty() && recipe.method) {
    options.method = *recipe.method;
  }
  if (options.filters.empty()) {
    options.filters = recipe.filters;
  }
  if (options.rows.empty()) {
    options.tables = recipe.tables;
  }
  return options;
}

Result<disclosure::Released<disclosure::StatsRelease>>
release_by_suppression(index::Shard& facts,
                       const std::vector<index::FactsRow>& rows,
                       const stats::Counted& counted,
                       const std::vector<index::ReleaseRow>& recorded,
                       const Plan& plan,
                       const disclosure::StatsRules& rules)
{
  CUSTODY_ASSIGN(tabulation,
                 stats::tabulate_with_history(
                   rows,
                   counted,
                   plan.tables,
                   plan.selection,
                   plan.coding,
                   recorded,
                   [&](std::uint64_t tree_size) {
                     return facts.records_changed_since(tree_size);
                   }));
  return disclosure::release_stats(tabulation, rules);
}

Result<disclosure::Released<disclosure::StatsRelease>>
release_by_cell_key(vault::Vault& vault,
                    const stats::Counted& counted,
                    const Plan& plan,
                    const disclosure::StatsRules& rules)
{
  CUSTODY_ASSIGN(params, disclosure::ptable_parameters(vault.state().policy));
  CUSTODY_ASSIGN(ptable, disclosure::PTable::build(params));
  CUSTODY_ASSIGN(secret,
                 vault.derived_secret(vault::Compartment::facts,
                                      disclosure::k_cell_key_label));
  const stats::Tabulation tabulation =
    stats::tabulate(counted, plan.tables, plan.coding);
  return disclosure::release_cell_key(
    tabulation, ptable, secret.view(), rules.threshold);
}

Result<Outcome>
run_stats(const GlobalOptions& global, const StatsOptions& given)
{
  CUSTODY_ASSIGN(options, with_recipe(given));
  if (options.csv && global.json) {
    return make_error(Errc::usage, "--csv and --json exclude each other", "");
  }
  if (!options.method.empty() && options.method != "suppression"
      && options.method != "cellkey") {
    return make_error(
      Errc::usage,
      fmt::format("--method {} is not a method", printable(options.method)),
      "use --method suppression (the default) or cellkey");
  }
  // Refused before the vault is opened: a refused command writes nothing.
  if (!options.output.empty() && !options.force) {
    std::error_code ec;
    if (std::filesystem::exists(
          std::filesystem::symlink_status(options.output, ec))) {
      return make_error(Errc::invalid_input,
                        fmt::format("{} already exists; nothing was written",
                                    printable(options.output)),
                        "choose another file, or give --force to replace it");
    }
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  const auto places = [&]() -> std::optional<records::Places> {
    if (session.vault.state().places.is_null()) {
      return std::nullopt;
    }
    auto parsed = records::Places::from_json(session.vault.state().places);
    return parsed ? std::optional(std::move(*parsed)) : std::nullopt;
  }();
  CUSTODY_ASSIGN(plan, plan_of(options, places ? &*places : nullptr));

  const std::uint64_t floor =
    vault::small_cell_floor(session.vault.state().policy);
  if (options.threshold != 0 && options.threshold < floor) {
    return make_error(
      Errc::invalid_input,
      fmt::format("--threshold {} is below the vault's small-cell floor of {}",
                  options.threshold,
                  floor),
      "a release may raise the threshold, never lower it");
  }
  disclosure::StatsRules rules;
  rules.threshold = std::max(floor, options.threshold);

  CUSTODY_ASSIGN(
    facts,
    open_shard(session.vault,
               vault::Compartment::facts,
               index::Need::statistics,
               "your keys do not open the facts compartment (role {})",
               "statistics are for data and legal members"));
  CUSTODY_ASSIGN(readings,
                 stats::read_for_release(
                   facts, plan.selection, places ? &*places : nullptr));
  const auto& recorded = readings.recorded;
  const auto& rows = readings.rows;
  CUSTODY_ASSIGN(source, stats::source_of(session.vault));
  const auto counted =
    stats::select(rows, plan.selection, plan.coding, plan.by_month);

  const bool cell_key = options.method == "cellkey";
  CUSTODY_TRY(disclosure::check_one_method(
    recorded, plan.selection, cell_key ? "cellkey" : "suppression"));
  CUSTODY_ASSIGN(
    release,
    cell_key
      ? release_by_cell_key(session.vault, counted, plan, rules)
      : release_by_suppression(facts, rows, counted, recorded, plan, rules));

  Context context;
  context.plan = &plan;
  context.source = source;
  context.left_out = counted;
  context.notes = disclosure::stats_notes(*release, options.label);

  std::string text;
  std::string_view format = "text";
  if (global.json) {
    text = render_json(*release, context).dump() + "\n";
    format = "json";
  } else if (options.csv) {
    text = render_csv(*release, context);
    format = "csv";
  } else {
    text = render_text(*release, context);
  }

  // Recorded before anything leaves (docs/stats.md 4.7): a file, or standard
  // output that is not a terminal (it may be a file by another name). A
  // preview on the terminal is not: the member who sees it reads the facts
  // anyway, and recording every look would let exploration block the
  // release it prepares.
  const bool preview = options.output.empty() && options.xlsx.empty()
                       && options.chart.empty() && isatty(STDOUT_FILENO) != 0;
  const auto document = disclosure::release_document(
    release,
    stats::selection_json(plan.selection, plan.coding),
    source.tree_size,
    format,
    options.output.empty() ? std::nullopt
                           : std::optional(sha256_hex(as_bytes(text))));
  const bool recorded_already =
    std::any_of(recorded.begin(), recorded.end(), [&](const auto& row) {
      return disclosure::same_release(row.release, document);
    });
  if (!recorded_already && !preview) {
    CUSTODY_TRY(disclosure::record_release(session.vault, document));
  }
  if (release->audit.already_disclosed > 0) {
    warn(fmt::format("{} small cell{} of earlier releases can be worked out "
                     "from earlier releases alone; this release adds nothing "
                     "to that, and cannot take it back",
                     release->audit.already_disclosed,
                     release->audit.already_disclosed == 1 ? "" : "s"));
  }
  save_shard(facts);

  const render::Labels labels = labels_of(plan.coding);
  const render::About about{{{"Statement", context.notes.statement},
                             {"Counting", context.notes.counting},
                             {"Method", context.notes.method},
                             {"Left out",
                              fmt::format("{} reports without consent to "
                                          "anonymised statistics; {} dated to "
                                          "the year alone",
                                          counted.without_consent,
                                          counted.year_only)},
                             {"Computed from", source_text(source)}}};
  if (!options.xlsx.empty()) {
    CUSTODY_TRY(render::write_xlsx(release, labels, about, options.xlsx));
    note(fmt::format("wrote {}", printable(options.xlsx)));
  }
  if (!options.chart.empty()) {
    const std::string table = options.chart_table.empty()
                                ? release->tables.front().spec.id
                                : options.chart_table;
    CUSTODY_TRY(render::write_chart(release, table, labels, options.chart));
    note(fmt::format("wrote {}", printable(options.chart)));
  }
  if (options.output.empty()) {
    if (options.xlsx.empty() && options.chart.empty()) {
      fmt::print("{}", text);
    }
  } else if (options.force) {
    CUSTODY_TRY(fs::write_file_atomic(options.output, as_bytes(text)));
    note(fmt::format("wrote {}", printable(options.output)));
  } else {
    CUSTODY_TRY(fs::create_file_durably(options.output, as_bytes(text)));
    note(fmt::format("wrote {}", printable(options.output)));
  }
  if (preview) {
    note("a preview: not recorded, so not yet publishable; write it with -o, "
         "--xlsx or --chart to record and publish it");
  } else if (!recorded_already) {
    end_with_checkpoint(global, session.vault);
  }
  return Outcome::ok;
}

} // namespace

void
register_stats(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<StatsOptions>();
  auto* sub = app.add_subcommand("stats",
                                 "Publishable statistics from the facts "
                                 "compartment, suppressed and audited");
  sub->add_option("--period", options->period, "YYYY, YYYY-Qn or YYYY-MM");
  sub->add_option(
    "--from", options->from, "From this period (YYYY, YYYY-Qn or YYYY-MM)");
  sub->add_option("--to", options->to, "Up to this period, included");
  sub->add_option("--recipe",
                  options->recipe,
                  "A release written down (YAML); options given here win");
  auto* by =
    sub->add_option("--by",
                    options->by,
                    "month, quarter (default) or year: the period columns");
  sub->add_option("--rows",
                  options->rows,
                  "A dimension: one table instead of the standard release");
  sub->add_option("--cols", options->columns, "A second dimension, across");
  sub->add_option(
    "--level",
    options->level,
    "Roll codes up to this level: 0 as recorded, 1 groups (violence.sexual); "
    "default 1 for the standard release, 0 for --rows");
  sub->add_option("--filter",
                  options->filters,
                  "DIMENSION=CODE (a code or a group); repeatable");
  sub->add_option("--threshold",
                  options->threshold,
                  "Raise the small-cell threshold for this release");
  sub->add_option("--method",
                  options->method,
                  "suppression (default: suppress and audit) or cellkey "
                  "(perturb every count)");
  sub->add_option("--label",
                  options->label,
                  "The organisation's name for the statement on every output");
  sub->add_option(
    "-o,--output", options->output, "Write to this file (must not exist)");
  sub->add_option("--xlsx",
                  options->xlsx,
                  "Also write a spreadsheet: a sheet a table, charts, and "
                  "\"About these figures\"");
  sub->add_option("--chart",
                  options->chart,
                  "Also draw a table as a bar chart (FILE.png or FILE.svg)");
  sub->add_option("--chart-table",
                  options->chart_table,
                  "The table to draw (its id; default the first)");
  sub->add_flag("--csv", options->csv, "CSV, one line a cell");
  sub->add_flag("--force", options->force, "Replace the output file");
  sub->add_flag("--json", global.json, "Print JSON");
  sub->footer("Dimensions: violence_type, perpetrator, population, setting, "
              "district, region,\n"
              "response_action, referral, outcome, response_time, period.");
  sub->callback([&global, &action, options, by] {
    options->by_given = by->count() > 0;
    action = [&global, options] { return run_stats(global, *options); };
  });
}

} // namespace custody::cli
