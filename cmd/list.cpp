// custody list: the records, selected by period and by codes the way stats
// selects them (records/dimension.hpp).
#include "commands.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/base/utf8.hpp>
#include <custody/disclosure/record.hpp>
#include <custody/records/dimension.hpp>
#include <custody/records/period.hpp>
#include <custody/records/readers.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <memory>

namespace custody::cli {

namespace {

struct ListOptions
{
  std::string period;
  std::string from;
  std::string to;
  std::string violence_type;
  std::string perpetrator;
  std::string population;
  std::string district;
  std::vector<std::string> filters; // DIMENSION=CODE
};

// The filters the options give, each checked by the one parser list, stats
// and recipes share. Districts and regions need the vault's places list, so
// they wait for it (`places` null: checked later).
Result<records::Selection>
selection_of(const ListOptions& options, const records::Places* places)
{
  records::Selection selection;
  CUSTODY_ASSIGN(
    period,
    records::period_of_options(options.period, options.from, options.to));
  selection.period = period;
  const std::array<std::pair<const std::string*, records::Dimension>, 4> named{
    {{&options.violence_type, records::Dimension::violence_type},
     {&options.perpetrator, records::Dimension::perpetrator},
     {&options.population, records::Dimension::population},
     {&options.district, records::Dimension::district}}};
  for (const auto& [text, dimension] : named) {
    if (text->empty()) {
      continue;
    }
    CUSTODY_ASSIGN_CTX(
      code,
      records::parse_code(dimension, *text, places),
      fmt::format("--{}",
                  dimension == records::Dimension::violence_type
                    ? std::string_view("type")
                    : records::dimension_name(dimension)));
    selection.filters.emplace_back(dimension, std::move(code));
  }
  for (const auto& text : options.filters) {
    CUSTODY_ASSIGN_CTX(filter, records::parse_filter(text, places), "--filter");
    selection.filters.push_back(std::move(filter));
  }
  return selection;
}

bool
needs_places(const ListOptions& options)
{
  return !options.district.empty()
         || std::ranges::any_of(options.filters, [](const std::string& text) {
              return text.starts_with("district=")
                     || text.starts_with("region=");
            });
}

void
print_json(const std::vector<index::ListRow>& rows)
{
  nlohmann::json records = nlohmann::json::array();
  for (const auto& row : rows) {
    const auto& facts = row.facts;
    records.push_back({{"id", row.id},
                       {"created_seq", facts.created_seq},
                       {"updated_seq", row.updated_seq},
                       {"entries", row.entries},
                       {"recorded_at", row.created_time},
                       {"month", facts.month},
                       {"district", facts.district},
                       {"population", facts.population},
                       {"setting", facts.setting},
                       {"violence_types", facts.violence_types},
                       {"perpetrators", facts.perpetrators},
                       {"person_ref", facts.person_ref},
                       {"consent_scopes", facts.consent}});
  }
  fmt::print("{}\n",
             nlohmann::json{{"type", "records"},
                            {"count", rows.size()},
                            {"records", records}}
               .dump());
}

// Piped, the lines stay as scripts have read them since the first release:
// id prefix, month, district, population and type codes, no header.
void
print_lines(const std::vector<index::ListRow>& rows)
{
  for (const auto& row : rows) {
    std::string types;
    for (const auto& code : row.facts.violence_types) {
      types += types.empty() ? code : "," + code;
    }
    fmt::print("{}  {:<7}  {:<12}  {:<11}  {}\n",
               row.id.substr(0, 12),
               printable(row.facts.month),
               printable(row.facts.district),
               printable(row.facts.population),
               printable(types));
  }
}

// On a terminal: a header and the words a person reads (labels, district
// names), in columns as wide as their widest cell.
void
print_table(const std::vector<index::ListRow>& rows,
            const records::Places* places)
{
  using records::Dimension;
  std::vector<std::array<std::string, 5>> table;
  table.push_back(
    {"ID", "MONTH", "DISTRICT", "POPULATION", "TYPES OF VIOLENCE"});
  for (const auto& row : rows) {
    const auto& facts = row.facts;
    std::string types;
    for (const auto& code : facts.violence_types) {
      types += (types.empty() ? "" : "; ")
               + records::label_of(Dimension::violence_type, code, places);
    }
    table.push_back(
      {row.id.substr(0, 12),
       printable(facts.month),
       printable(
         facts.district.empty()
           ? std::string()
           : records::label_of(Dimension::district, facts.district, places)),
       printable(facts.population.empty()
                   ? std::string()
                   : records::label_of(
                     Dimension::population, facts.population, places)),
       printable(types)});
  }
  std::array<std::size_t, 4> widths{};
  for (const auto& line : table) {
    for (std::size_t c = 0; c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], utf8::count_code_points(line[c]));
    }
  }
  for (const auto& line : table) {
    std::string text;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      text +=
        line[c]
        + std::string(widths[c] - utf8::count_code_points(line[c]) + 2, ' ');
    }
    fmt::print("{}{}\n", text, line[4]);
  }
}

Result<Outcome>
run_list(const GlobalOptions& global, const ListOptions& options)
{
  // Everything but districts is checked before a passphrase is asked for.
  if (!needs_places(options)) {
    CUSTODY_TRY(selection_of(options, nullptr));
  } else {
    ListOptions without = options;
    without.district.clear();
    std::erase_if(without.filters, [](const std::string& text) {
      return text.starts_with("district=") || text.starts_with("region=");
    });
    CUSTODY_TRY(selection_of(without, nullptr));
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
  const auto places = records::places_of(session.vault);
  const records::Places* places_ptr = places ? &*places : nullptr;
  CUSTODY_ASSIGN(selection, selection_of(options, places_ptr));
  CUSTODY_ASSIGN(
    facts,
    open_shard(session.vault,
               vault::Compartment::facts,
               index::Need::catalogue,
               "your keys do not open the facts compartment (role {})",
               "intake members record but cannot read back"));
  CUSTODY_ASSIGN(rows, records::list_records(facts, selection, places_ptr));
  save_shard(facts);
  const auto listed = disclosure::for_lister(std::move(rows));
  if (global.json) {
    print_json(*listed);
    return Outcome::ok;
  }
  if (::isatty(STDOUT_FILENO) == 1) {
    print_table(*listed, places_ptr);
  } else {
    print_lines(*listed);
  }
  note(
    fmt::format("{} record{}", listed->size(), listed->size() == 1 ? "" : "s"));
  return Outcome::ok;
}

} // namespace

void
register_list(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<ListOptions>();
  auto* sub =
    app.add_subcommand("list", "List records (facts only), oldest first");
  sub->add_option("--period",
                  options->period,
                  "Incidents in this period: YYYY, YYYY-Qn or YYYY-MM");
  sub->add_option(
    "--from", options->from, "Incidents from this period on (YYYY-MM, ...)");
  sub->add_option(
    "--to", options->to, "Incidents up to this period (YYYY-MM, ...)");
  sub->add_option("--type",
                  options->violence_type,
                  "A violence type code, or a group (violence.sexual)");
  sub->add_option("--perpetrator",
                  options->perpetrator,
                  "A perpetrator code or group (perpetrator.state)");
  sub->add_option("--population",
                  options->population,
                  "female, male, transgender, non_binary or not_stated");
  sub->add_option(
    "--district", options->district, "A district code of the places list");
  sub->add_option("--filter",
                  options->filters,
                  "DIMENSION=CODE, as stats takes it (repeatable)");
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_list(global, *options); };
  });
}

} // namespace custody::cli
