// custody verify: check the vault's invariants (docs/formats.md section 11).
#include "commands.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "session.hpp"

#include <custody/ledger/timestamp.hpp>
#include <custody/vault/check.hpp>
#include <custody/verify/bundle.hpp>
#include <custody/verify/verify.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace custody::cli {

namespace {

struct VerifyOptions
{
  bool repair = false;
  bool index = false;
  bool deep = false;
  std::string against;
  std::string tsa_ca;
  std::string key;
  std::string bundle;
};

// A CA file given with --tsa-ca, read once: a missing or unreadable file, or
// one without a certificate, is bad input (3), not a finding; and a pipe
// (`--tsa-ca <(...)`) can be read only once.
Result<std::string>
read_tsa_ca(const std::string& file)
{
  const std::string context = fmt::format("--tsa-ca \"{}\"", file);
  CUSTODY_ASSIGN_CTX(
    pem, fs::read_file(file, 1 << 20, fs::Origin::user), context);
  std::string text(as_text(pem));
  CUSTODY_TRY_CTX(timestamp::check_ca(text), context);
  return text;
}

// custody verify BUNDLE: a court bundle checked end to end, without the
// vault (docs/formats.md 14, verify/bundle.hpp).
Result<Outcome>
run_verify_bundle(const GlobalOptions& global, const VerifyOptions& options)
{
  if (options.index || options.deep || options.repair
      || !options.against.empty()) {
    return make_error(Errc::usage,
                      "--index, --deep, --repair and --against check a "
                      "vault, not a bundle");
  }
  verify::BundleOptions bundle_options;
  if (!options.key.empty()) {
    bundle_options.key = options.key;
  }
  if (!options.tsa_ca.empty()) {
    CUSTODY_ASSIGN(pem, read_tsa_ca(options.tsa_ca));
    bundle_options.tsa_ca_pem = std::move(pem);
  }
  CUSTODY_ASSIGN_CTX(report,
                     verify::verify_bundle(options.bundle, bundle_options),
                     printable(options.bundle));
  if (global.json) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& check : report.checks) {
      checks.push_back(
        {{"what", check.what}, {"ok", check.ok}, {"detail", check.detail}});
    }
    fmt::print("{}\n",
               nlohmann::json{{"type", "bundle"},
                              {"ok", report.ok()},
                              {"key", report.key},
                              {"key_id", report.key_id},
                              {"key_compared", !options.key.empty()},
                              {"checkpoint", report.checkpoint_size},
                              {"timestamped", report.timestamped},
                              {"records", report.records},
                              {"entries", report.entries},
                              {"originals", report.originals},
                              {"checks", checks}}
                 .dump());
  } else {
    std::size_t failed = 0;
    for (const auto& check : report.checks) {
      if (!check.ok) {
        ++failed;
        fmt::print(
          "FAILED  {}: {}\n", printable(check.what), printable(check.detail));
      }
    }
    fmt::print("{}: {} check{}, {} failed; {} record{}, {} entr{}, {} "
               "original{}; checkpoint {} ({})\n",
               printable(options.bundle),
               report.checks.size(),
               report.checks.size() == 1 ? "" : "s",
               failed,
               report.records,
               report.records == 1 ? "" : "s",
               report.entries,
               report.entries == 1 ? "y" : "ies",
               report.originals,
               report.originals == 1 ? "" : "s",
               report.checkpoint_size,
               report.timestamped ? "timestamp verified"
                                  : "timestamp not verified");
  }
  if (options.key.empty()) {
    note(fmt::format("the bundle's key is {} (key id {}): compare it with "
                     "the one lodged outside the vault, or pass --key",
                     report.key,
                     report.key_id));
  }
  return report.ok() ? Outcome::ok : Outcome::problems_found;
}

std::vector<std::string>
base64_list(const merkle::Proof& proof)
{
  std::vector<std::string> out;
  out.reserve(proof.size());
  for (const auto& hash : proof) {
    out.push_back(to_base64(hash, Padding::yes));
  }
  return out;
}

nlohmann::json
checkpoints_json(const checkpoint::Summary& summary)
{
  nlohmann::json out = {{"count", summary.count},
                        {"timestamped", summary.timestamped},
                        {"tokens_unverified", summary.tokens_unverified}};
  if (summary.latest) {
    out["latest"] = {{"size", *summary.latest},
                     {"timestamped", summary.latest_timestamped},
                     {"token_unverified", summary.latest_token_unverified}};
  }
  return out;
}

nlohmann::json
against_json(const checkpoint::Against& against)
{
  return {{"origin", against.kept.origin},
          {"size", against.kept.size},
          {"root", to_base64(against.kept.root, Padding::yes)},
          {"tree_size", against.tree_size},
          {"tree_root", to_base64(against.tree_root, Padding::yes)},
          {"tree_signed", against.tree_signed},
          {"consistency_proof", base64_list(against.consistency)}};
}

void
print_checkpoints(const verify::Report& report)
{
  const auto& summary = report.checkpoints;
  if (!summary.latest) {
    fmt::print("checkpoints: none (`custody checkpoint` signs one)\n");
  } else {
    fmt::print("checkpoints: {} ok, the latest of {} entries ({}); {} of them "
               "timestamped{}\n",
               summary.count,
               *summary.latest,
               summary.latest_token_unverified
                 ? "RFC 3161 token stored, not verified (pass --tsa-ca)"
                 : timestamp_status(summary.latest_timestamped),
               summary.timestamped,
               summary.tokens_unverified == 0
                 ? std::string()
                 : fmt::format("; {} token{} not verified (pass --tsa-ca)",
                               summary.tokens_unverified,
                               summary.tokens_unverified == 1 ? "" : "s"));
  }
  if (report.against) {
    const auto& against = *report.against;
    fmt::print("kept checkpoint of {} entries: ok, this vault extends it "
               "(consistency proof to {} entries{}, {} hashes)\n",
               against.kept.size,
               against.tree_size,
               against.tree_signed ? ", a signed checkpoint" : "",
               against.consistency.size());
    for (const auto& hash : base64_list(against.consistency)) {
      fmt::print("  {}\n", hash);
    }
  }
}

// A check that ran and found a problem, exit 1: with --json the report
// (schemas/output/report.json) on standard output, else the notes so far and
// the problem on standard error.
Outcome
report_problem(const GlobalOptions& global,
               const verify::Problem& found,
               const vault::Notes& notes)
{
  Error problem = found.error;
  problem.invariant = found.invariant.value_or(0);
  if (!global.json) {
    print_notes(notes);
  }
  print_problems({problem}, global.json);
  return Outcome::problems_found;
}

Result<Outcome>
run_verify(const GlobalOptions& global, const VerifyOptions& options)
{
  if (!options.bundle.empty()) {
    return run_verify_bundle(global, options);
  }
  if (!options.key.empty()) {
    return make_error(Errc::usage,
                      "--key is for a bundle: custody verify "
                      "BUNDLE --key RW...");
  }
  CUSTODY_ASSIGN(directory, require_vault(global));
  CUSTODY_ASSIGN(member, optional_member(global));
  if ((options.index || options.deep) && !member) {
    return make_error(Errc::usage,
                      "--index and --deep need a member's identity to open "
                      "what they check",
                      "pass --identity");
  }
  if (options.repair && !member) {
    return make_error(Errc::usage,
                      "--repair needs a legal member's identity",
                      "pass --identity");
  }
  verify::Options verify_options;
  verify_options.vault.wait = wait_of(global);
  if (!global.identity.empty()) {
    verify_options.vault.known_vaults =
      vault::known_vaults_for(global.identity);
  }
  verify_options.vault.accept_rollback = global.accept_rollback;
  verify_options.hash_progress = terminal_progress("hashing objects");
  verify_options.deep_progress = terminal_progress("decrypting");
  verify_options.cancel = watch_interrupts();
  verify_options.index = options.index;
  verify_options.deep = options.deep;
  if (!options.tsa_ca.empty()) {
    CUSTODY_ASSIGN(pem, read_tsa_ca(options.tsa_ca));
    verify_options.tsa_ca = std::move(pem);
  }
  if (!options.against.empty()) {
    verify_options.against = options.against;
  }
  // The repair writes, under the exclusive lock, before the check reads:
  // the two are apart, as restic keeps `check` and `repair`.
  std::optional<std::string> repaired;
  vault::Notes repair_notes;
  if (options.repair) {
    CUSTODY_ASSIGN(
      mended,
      vault::repair(directory, *member, verify_options.vault, repair_notes));
    repaired = std::move(mended);
    if (repaired) {
      // The repair appended a signed entry: it ends like any write command.
      vault::Notes notes;
      auto opened = vault::Vault::open(
        directory, *member, open_options(global, vault::Access::write), notes);
      print_notes(notes);
      if (opened) {
        end_with_checkpoint(global, *opened);
      }
    }
  }
  auto checked =
    verify::check(directory, member ? &*member : nullptr, verify_options);
  finish_progress();
  if (!checked) {
    return tl::unexpected(checked.error());
  }
  auto& report = *checked;
  report.notes.insert(
    report.notes.begin(), repair_notes.begin(), repair_notes.end());
  if (report.problem) {
    return report_problem(global, *report.problem, report.notes);
  }
  if (global.json) {
    nlohmann::json out = {{"type", "verify"},
                          {"ok", true},
                          {"entries", report.entries},
                          {"objects", report.objects},
                          {"admin_checked", report.admin_checked},
                          {"notes", report.notes}};
    // Without an identity the member list is not decoded, so there is no count
    // to give.
    if (report.admin_checked) {
      out["members"] = report.members;
    }
    if (repaired) {
      out["repaired"] = *repaired;
    }
    out["checkpoints"] = checkpoints_json(report.checkpoints);
    if (report.against) {
      out["against"] = against_json(*report.against);
    }
    if (report.records) {
      out["records"] = {{"listed", report.records->listed},
                        {"attachments_checked", report.records->attachments},
                        {"attachments_sealed", report.records->sealed}};
    }
    if (report.shards) {
      nlohmann::json index = nlohmann::json::object();
      for (const auto& shard : *report.shards) {
        index[shard.compartment] = {{"ok", true}, {"records", shard.records}};
      }
      out["index"] = index;
    }
    if (report.deep) {
      out["deep"] = {{"documents", report.deep->documents},
                     {"attachments", report.deep->attachments},
                     {"attachment_bytes", report.deep->bytes},
                     {"sealed", report.deep->sealed}};
    }
    fmt::print("{}\n", out.dump());
    return Outcome::ok;
  }
  if (repaired) {
    fmt::print("repaired: {}\n", *repaired);
  }
  if (report.admin_checked) {
    fmt::print("ok: {} entries, {} objects, {} members\n",
               report.entries,
               report.objects,
               report.members);
  } else {
    fmt::print("ok: {} entries, {} objects (envelope only)\n",
               report.entries,
               report.objects);
  }
  print_checkpoints(report);
  if (report.records) {
    fmt::print(
      "records: {} listed by the seals; {} attachments each name "
      "one{}\n",
      report.records->listed,
      report.records->attachments,
      report.records->sealed == 0
        ? std::string()
        : fmt::format(" ({} your keys do not open)", report.records->sealed));
  }
  for (const auto& shard :
       report.shards.value_or(std::vector<verify::ShardCheck>{})) {
    fmt::print("index {}: ok ({} records)\n", shard.compartment, shard.records);
  }
  if (report.deep) {
    fmt::print("deep: ok ({} payload documents and {} attachments ({} bytes) "
               "decrypted and checked; {} payloads your keys do not open)\n",
               report.deep->documents,
               report.deep->attachments,
               report.deep->bytes,
               report.deep->sealed);
  }
  print_notes(report.notes);
  return Outcome::ok;
}

} // namespace

void
register_verify(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<VerifyOptions>();
  auto* sub = app.add_subcommand(
    "verify",
    "Check the chain, HEAD, seals, signatures, objects and checkpoints");
  sub->add_flag(
    "--index",
    options->index,
    "Rebuild every index shard you can open and compare it with the saved one");
  sub->add_flag("--deep",
                options->deep,
                "Also decrypt every payload and attachment your keys open and "
                "check each against its commitment and recorded SHA-256");
  sub->add_flag("--repair",
                options->repair,
                "Move a torn tail aside and record it in the ledger");
  sub->add_option("--against",
                  options->against,
                  "Check a checkpoint kept outside the vault (its .minisig "
                  "beside it) and prove this vault extends it");
  sub->add_option("--tsa-ca",
                  options->tsa_ca,
                  "Check stored RFC 3161 tokens' signatures and TSA "
                  "certificates against these CA certificates (PEM)");
  sub->add_option("BUNDLE",
                  options->bundle,
                  "Check a court bundle (a directory, .zip or .tar) instead "
                  "of a vault: no vault or identity needed");
  sub
    ->add_option("--key",
                 options->key,
                 "With BUNDLE: the vault key as lodged outside the vault "
                 "(RW...), compared with the bundle's custody.pub")
    ->option_text("RW...");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_verify(global, *options); };
  });
}

} // namespace custody::cli
