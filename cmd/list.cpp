// custody list: the records, filtered by period, type, perpetrator, population
// and district.
#include "commands.hpp"
#include "records_view.hpp"
#include "session.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <regex>

namespace custody::cli {

namespace {

struct ListOptions
{
  std::string period;
  index::Filter filter;
};

// "2025" -> 2025-01..2025-12, "2025-Q2" -> 2025-04..2025-06, "2025-03" ->
// 2025-03..2025-03.
Result<void>
apply_period(const std::string& period, index::Filter& filter)
{
  static const std::regex year(R"(\d{4})");
  static const std::regex quarter(R"((\d{4})-Q([1-4]))");
  static const std::regex month(R"(\d{4}-(0[1-9]|1[0-2]))");
  std::smatch match;
  if (std::regex_match(period, year)) {
    filter.from_month = period + "-01";
    filter.to_month = period + "-12";
  } else if (std::regex_match(period, match, quarter)) {
    const int q = std::stoi(match[2]);
    filter.from_month = fmt::format("{}-{:02}", match[1].str(), q * 3 - 2);
    filter.to_month = fmt::format("{}-{:02}", match[1].str(), q * 3);
  } else if (std::regex_match(period, month)) {
    filter.from_month = period;
    filter.to_month = period;
  } else {
    return make_error(Errc::usage,
                      "--period must be YYYY, YYYY-Qn or YYYY-MM",
                      "for example --period 2025-Q1");
  }
  return {};
}

Result<Outcome>
run_list(const GlobalOptions& global, ListOptions options)
{
  if (!options.period.empty()) {
    CUSTODY_TRY(apply_period(options.period, options.filter));
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
  CUSTODY_ASSIGN(
    facts,
    open_shard(session.vault,
               vault::Compartment::facts,
               index::Need::catalogue,
               "your keys do not open the facts compartment (role {})",
               "intake members record but cannot read back"));
  CUSTODY_ASSIGN(rows, facts.list(options.filter));
  save_shard(facts);
  if (global.json) {
    nlohmann::json records = nlohmann::json::array();
    for (const auto& row : rows) {
      records.push_back({{"id", row.id},
                         {"created_seq", row.created_seq},
                         {"updated_seq", row.updated_seq},
                         {"entries", row.entries},
                         {"recorded_at", row.created_time},
                         {"month", row.month},
                         {"district", row.district},
                         {"population", row.population},
                         {"setting", row.setting},
                         {"violence_types", row.violence_types},
                         {"perpetrators", row.perpetrators}});
    }
    fmt::print("{}\n",
               nlohmann::json{{"type", "records"},
                              {"count", rows.size()},
                              {"records", records}}
                 .dump());
    return Outcome::ok;
  }
  for (const auto& row : rows) {
    std::string types;
    for (const auto& code : row.violence_types) {
      types += types.empty() ? code : "," + code;
    }
    fmt::print("{}  {:<7}  {:<12}  {:<11}  {}\n",
               row.id.substr(0, 12),
               row.month,
               row.district,
               row.population,
               types);
  }
  note(fmt::format("{} record{}", rows.size(), rows.size() == 1 ? "" : "s"));
  return Outcome::ok;
}

} // namespace

void
register_list(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<ListOptions>();
  auto* sub =
    app.add_subcommand("list", "List records (facts only), oldest first");
  sub->add_option("--period", options->period, "YYYY, YYYY-Qn or YYYY-MM");
  sub->add_option(
    "--from", options->filter.from_month, "From this month (YYYY-MM)");
  sub->add_option(
    "--to", options->filter.to_month, "Up to this month (YYYY-MM)");
  sub->add_option(
    "--type",
    options->filter.violence_type,
    "A violence type code, or a prefix ending in '.' (violence.sexual.)");
  sub->add_option("--perpetrator",
                  options->filter.perpetrator,
                  "A perpetrator code or prefix");
  sub->add_option("--population",
                  options->filter.population,
                  "female, male, transgender, ...");
  sub->add_option("--district", options->filter.district, "A district code");
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_list(global, *options); };
  });
}

} // namespace custody::cli
