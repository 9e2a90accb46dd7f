// custody policy: the vault's signed policy, raising its small-cell floor and
// the least k of bulletins, and setting what text redaction looks for.
#include "commands.hpp"
#include "session.hpp"

#include <custody/base/canonical_json.hpp>
#include <custody/redact/text.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace custody::cli {

namespace {

struct PolicyOptions
{
  std::uint64_t small_cell_floor = 0;
  std::uint64_t bulletin_min_reports = 0;
  std::vector<std::string> phone_regions;
  std::vector<std::string> id_patterns;
  bool clear_id_patterns = false;
};

Result<Outcome>
run_policy(const GlobalOptions& global, const PolicyOptions& options)
{
  const bool raising = options.small_cell_floor != 0;
  const bool bulletin = options.bulletin_min_reports != 0;
  const bool redaction = !options.phone_regions.empty()
                         || !options.id_patterns.empty()
                         || options.clear_id_patterns;
  if (int(raising) + int(bulletin) + int(redaction) > 1) {
    return make_error(Errc::usage,
                      "give --small-cell-floor, --bulletin-min-reports or the "
                      "redaction settings: one change a command");
  }
  CUSTODY_ASSIGN(session,
                 open_session(global,
                              raising || bulletin || redaction
                                ? vault::Access::write
                                : vault::Access::read));
  std::optional<std::uint64_t> seq;
  if (raising) {
    CUSTODY_ASSIGN(
      appended, session.vault.raise_small_cell_floor(options.small_cell_floor));
    seq = appended;
  }
  if (bulletin) {
    CUSTODY_ASSIGN(
      appended,
      session.vault.raise_bulletin_min_reports(options.bulletin_min_reports));
    seq = appended;
  }
  if (redaction) {
    vault::RedactionPolicy settings =
      vault::redaction_policy(session.vault.state().policy);
    if (!options.phone_regions.empty()) {
      settings.phone_regions = options.phone_regions;
    }
    if (options.clear_id_patterns) {
      settings.id_patterns.clear();
    }
    if (!options.id_patterns.empty()) {
      settings.id_patterns = options.id_patterns;
    }
    // Checked as every redaction will use them: a region libphonenumber does
    // not know ("UK") or a pattern RE2 cannot compile never reaches the policy.
    CUSTODY_TRY(redact::Redactor::create(
      redact::Policy{settings.phone_regions, settings.id_patterns}));
    CUSTODY_ASSIGN(appended, session.vault.set_redaction_policy(settings));
    seq = appended;
  }
  const auto& policy = session.vault.state().policy;
  if (global.json) {
    fmt::print("{}\n",
               nlohmann::json{
                 {"type", "policy"},
                 {"policy", policy},
                 {"small_cell_floor", vault::small_cell_floor(policy)},
                 {"bulletin_min_reports", vault::bulletin_min_reports(policy)},
                 {"seq", seq ? nlohmann::json(*seq) : nlohmann::json(nullptr)}}
                 .dump());
  } else {
    fmt::print("small_cell_floor: {}\n", vault::small_cell_floor(policy));
    fmt::print("bulletin_min_reports: {}\n",
               vault::bulletin_min_reports(policy));
    fmt::print("record_padding_min: {}\n",
               policy.value("record_padding_min", 0));
    fmt::print("segment_bytes: {}\n", policy.value("segment_bytes", 0));
    const auto settings = vault::redaction_policy(policy);
    std::string regions;
    for (const auto& region : settings.phone_regions) {
      regions += (regions.empty() ? "" : ",") + region;
    }
    fmt::print("phone_regions: {}\n", regions.empty() ? "(none)" : regions);
    fmt::print("id_patterns: {}\n", settings.id_patterns.size());
    if (policy.contains("roles") && policy["roles"].is_object()) {
      for (const auto& [role, compartments] : policy["roles"].items()) {
        std::string names;
        for (const auto& name : compartments) {
          names += (names.empty() ? "" : ", ") + name.get<std::string>();
        }
        fmt::print("role {}: {}\n", role, names);
      }
    }
  }
  if (seq) {
    note(raising ? fmt::format("small-cell floor raised to {} (entry {})",
                               options.small_cell_floor,
                               *seq)
         : bulletin
           ? fmt::format("bulletin_min_reports raised to {} (entry {})",
                         options.bulletin_min_reports,
                         *seq)
           : fmt::format("redaction settings changed (entry {})", *seq));
    end_with_checkpoint(global, session.vault);
  }
  return Outcome::ok;
}

} // namespace

void
register_policy(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<PolicyOptions>();
  auto* sub = app.add_subcommand(
    "policy",
    "Show the vault's signed policy, raise its small-cell floor or set what "
    "redaction looks for");
  sub->add_option("--small-cell-floor",
                  options->small_cell_floor,
                  "Raise the least threshold of every statistics release "
                  "(legal; never lowered)");
  sub->add_option("--bulletin-min-reports",
                  options->bulletin_min_reports,
                  "Raise the least k of safety bulletins: the distinct "
                  "persons' reports an item's region and window hold (legal; "
                  "never lowered)");
  sub
    ->add_option("--phone-regions",
                 options->phone_regions,
                 "Set the regions whose phone numbers redaction finds in "
                 "their national format (ISO 3166: KE,GB; legal)")
    ->delimiter(',');
  sub->add_option("--id-pattern",
                  options->id_patterns,
                  "Set the patterns (RE2) of national ID numbers redaction "
                  "removes; repeat for several (legal)");
  sub->add_flag("--clear-id-patterns",
                options->clear_id_patterns,
                "Remove every ID pattern from the policy (legal)");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_policy(global, *options); };
  });
}

} // namespace custody::cli
