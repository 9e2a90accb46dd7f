// custody verify: check the vault's invariants (docs/formats.md section 10).
#include "commands.hpp"
#include "session.hpp"

#include <custody/vault.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace custody::cli {

namespace {

struct VerifyOptions
{
  bool repair = false;
};

Result<Outcome>
run_verify(const GlobalOptions& global, const VerifyOptions& options)
{
  CUSTODY_ASSIGN(directory, require_vault(global));
  CUSTODY_ASSIGN(member, optional_member(global));
  vault::VerifyOptions verify_options;
  verify_options.repair = options.repair;
  verify_options.wait = wait_of(global);
  if (!global.identity.empty()) {
    verify_options.known_vaults = vault::known_vaults_for(global.identity);
  }
  auto report =
    vault::verify(directory, member ? &*member : nullptr, verify_options);
  if (!report) {
    if (report.error().code != Errc::corrupt) {
      return tl::unexpected(report.error());
    }
    if (global.json) {
      fmt::print("{}\n",
                 nlohmann::json{{"type", "verify"},
                                {"ok", false},
                                {"problem", report.error().message}}
                   .dump());
    }
    fmt::print(stderr, "custody: verify: FAILED: {}\n", report.error().message);
    if (!report.error().hint.empty()) {
      fmt::print(stderr, "custody: hint: {}\n", report.error().hint);
    }
    return Outcome::problems_found;
  }
  if (global.json) {
    nlohmann::json out = {{"type", "verify"},
                          {"ok", true},
                          {"entries", report->entries},
                          {"objects", report->objects},
                          {"admin_checked", report->admin_checked},
                          {"notes", report->notes}};
    // Without an identity the member list is not decoded, so there is no count
    // to give.
    if (report->admin_checked) {
      out["members"] = report->members;
    }
    if (report->repaired) {
      out["repaired"] = *report->repaired;
    }
    fmt::print("{}\n", out.dump());
  } else {
    if (report->repaired) {
      fmt::print("repaired: {}\n", *report->repaired);
    }
    if (report->admin_checked) {
      fmt::print("ok: {} entries, {} objects, {} members\n",
                 report->entries,
                 report->objects,
                 report->members);
    } else {
      fmt::print("ok: {} entries, {} objects (envelope only)\n",
                 report->entries,
                 report->objects);
    }
    print_notes(report->notes);
  }
  return Outcome::ok;
}

} // namespace

void
register_verify(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<VerifyOptions>();
  auto* sub = app.add_subcommand(
    "verify", "Check the chain, HEAD, seals, signatures and objects");
  sub->add_flag("--repair",
                options->repair,
                "Move a torn tail aside and record it in the ledger");
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_verify(global, *options); };
  });
}

} // namespace custody::cli
