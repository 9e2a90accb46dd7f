// custody list: the records, filtered by period, type, perpetrator, population
// and district.
#include "commands.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/records/period.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace custody::cli {

namespace {

struct ListOptions
{
  std::string period;
  index::Filter filter;
};

Result<Outcome>
run_list(const GlobalOptions& global, ListOptions options)
{
  if (!options.period.empty()) {
    auto period = records::parse_period(options.period);
    if (!period) {
      return make_error(Errc::usage,
                        "--period must be YYYY, YYYY-Qn or YYYY-MM",
                        "for example --period 2025-Q1");
    }
    options.filter.from_month = period->from_month;
    options.filter.to_month = period->to_month;
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
