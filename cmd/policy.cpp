// custody policy: the vault's signed policy, and raising its small-cell floor.
#include "commands.hpp"
#include "session.hpp"

#include <custody/base/canonical_json.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace custody::cli {

namespace {

struct PolicyOptions
{
  std::uint64_t small_cell_floor = 0;
};

Result<Outcome>
run_policy(const GlobalOptions& global, const PolicyOptions& options)
{
  const bool raising = options.small_cell_floor != 0;
  CUSTODY_ASSIGN(
    session,
    open_session(global, raising ? vault::Access::write : vault::Access::read));
  std::optional<std::uint64_t> seq;
  if (raising) {
    CUSTODY_ASSIGN(
      appended, session.vault.raise_small_cell_floor(options.small_cell_floor));
    seq = appended;
  }
  const auto& policy = session.vault.state().policy;
  if (global.json) {
    fmt::print("{}\n",
               nlohmann::json{
                 {"type", "policy"},
                 {"policy", policy},
                 {"small_cell_floor", vault::small_cell_floor(policy)},
                 {"seq", seq ? nlohmann::json(*seq) : nlohmann::json(nullptr)}}
                 .dump());
  } else {
    fmt::print("small_cell_floor: {}\n", vault::small_cell_floor(policy));
    fmt::print("record_padding_min: {}\n",
               policy.value("record_padding_min", 0));
    fmt::print("segment_bytes: {}\n", policy.value("segment_bytes", 0));
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
    note(fmt::format("small-cell floor raised to {} (entry {})",
                     options.small_cell_floor,
                     *seq));
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
    "policy", "Show the vault's signed policy, or raise its small-cell floor");
  sub->add_option("--small-cell-floor",
                  options->small_cell_floor,
                  "Raise the least threshold of every statistics release "
                  "(legal; never lowered)");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_policy(global, *options); };
  });
}

} // namespace custody::cli
