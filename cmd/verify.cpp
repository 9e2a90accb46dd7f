// custody verify: check the vault's invariants (docs/formats.md section 11).
#include "commands.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "session.hpp"

#include <custody/ledger/timestamp.hpp>
#include <custody/media/attach.hpp>
#include <custody/records/index.hpp>
#include <custody/vault/vault.hpp>
#include <custody/verify/deep.hpp>

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
};

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
print_checkpoints(const vault::VerifyReport& report)
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

// A check that ran and failed: its report, exit 1.
Outcome
report_problem(const GlobalOptions& global, const Error& problem)
{
  print_problems({problem}, global.json);
  return Outcome::problems_found;
}

struct ShardCheck
{
  std::string compartment;
  std::uint64_t records = 0;
};

// invariant 15: each shard the member opens (loaded and brought up to date)
// equals the shard rebuilt from the whole ledger.
Result<std::vector<ShardCheck>>
check_index(const GlobalOptions& global,
            const std::filesystem::path& directory,
            const identity::Member& member,
            vault::Notes& notes)
{
  CUSTODY_ASSIGN(
    opened,
    vault::Vault::open(
      directory, member, open_options(global, vault::Access::read), notes));
  // Her own saved shards first: one that fails its MAC was written by someone
  // else (only she can write them), or damaged, whatever the ledger holds.
  std::vector<index::Shard> shards;
  for (auto compartment : records::k_parts) {
    auto shard = index::Shard::open(opened, compartment, notes);
    if (!shard && shard.error().code == Errc::auth) {
      continue;
    }
    if (!shard) {
      return tl::unexpected(shard.error());
    }
    // Saved as every reader saves it: a forged part is replaced by the rebuilt
    // one, as the hint below says.
    shard->save(notes);
    if (!shard->stats().rejected.empty()) {
      return broken(
        15,
        fmt::format("your index shard {}", shard->stats().rejected.front()),
        "the file was replaced or damaged; it has been rebuilt from the "
        "ledger, so find out who can write your index directory");
    }
    shards.push_back(std::move(*shard));
  }
  std::vector<ShardCheck> checks;
  for (auto& shard : shards) {
    const std::string name(vault::compartment_name(shard.compartment()));
    const std::string files = (opened.cache_directory() / (name + ".age"))
                                .lexically_relative(directory)
                                .string();
    CUSTODY_ASSIGN(rebuilt, index::Shard::rebuild(opened, shard.compartment()));
    if (!rebuilt.stats().refused.empty()) {
      return broken(19,
                    rebuilt.stats().refused.front(),
                    "only a legal member may amend a record (invariant 19); "
                    "the entry was written around custody's checks");
    }
    CUSTODY_ASSIGN(kept, shard.digest());
    CUSTODY_ASSIGN(fresh, rebuilt.digest());
    if (kept != fresh) {
      return broken(
        15,
        fmt::format(
          "index shard {} differs from the shard rebuilt from the ledger",
          files),
        fmt::format("remove {}; the next reader rebuilds it", files));
    }
    checks.push_back({name, shard.record_count()});
  }
  return checks;
}

Result<Outcome>
run_verify(const GlobalOptions& global, const VerifyOptions& options)
{
  CUSTODY_ASSIGN(directory, require_vault(global));
  CUSTODY_ASSIGN(member, optional_member(global));
  if ((options.index || options.deep) && !member) {
    return make_error(Errc::usage,
                      "--index and --deep need a member's identity to open "
                      "what they check",
                      "pass --identity");
  }
  vault::VerifyOptions verify_options;
  verify_options.repair = options.repair;
  verify_options.wait = wait_of(global);
  verify_options.progress = terminal_progress("hashing objects");
  verify_options.hash_objects = !options.deep;
  if (!global.identity.empty()) {
    verify_options.known_vaults = vault::known_vaults_for(global.identity);
  }
  verify_options.accept_rollback = global.accept_rollback;
  if (!options.tsa_ca.empty()) {
    // Read once, here: a missing or unreadable file, or one without a
    // certificate, is bad input (3), not a finding about the vault; and a
    // pipe (`--tsa-ca <(...)`) can be read only once.
    const std::string context = fmt::format("--tsa-ca \"{}\"", options.tsa_ca);
    CUSTODY_ASSIGN_CTX(
      pem, fs::read_file(options.tsa_ca, 1 << 20, fs::Origin::user), context);
    std::string text(as_text(pem));
    CUSTODY_TRY_CTX(timestamp::check_ca(text), context);
    verify_options.tsa_ca = std::move(text);
  }
  if (!options.against.empty()) {
    verify_options.against = options.against;
  }
  auto report =
    vault::verify(directory, member ? &*member : nullptr, verify_options);
  finish_progress();
  if (!report && report.error().remedy == Remedy::pass_identity && !member) {
    // A torn tail to repair and no identity: on the command line, a usage
    // error (exit 2), whatever code the library chose.
    return make_error(Errc::usage,
                      "--repair needs a legal member's identity",
                      Remedy::pass_identity);
  }
  if (!report) {
    if (report.error().code != Errc::corrupt) {
      return tl::unexpected(report.error());
    }
    return report_problem(global, report.error());
  }
  if (report->repaired && member) {
    // The repair appended a signed entry: it ends like any write command.
    vault::Notes notes;
    auto opened = vault::Vault::open(
      directory, *member, open_options(global, vault::Access::write), notes);
    print_notes(notes);
    if (opened) {
      end_with_checkpoint(global, *opened);
    }
  }
  std::vector<ShardCheck> shards;
  if (options.index) {
    auto checked = check_index(global, directory, *member, report->notes);
    if (!checked) {
      if (checked.error().code != Errc::corrupt) {
        return tl::unexpected(checked.error());
      }
      return report_problem(global, checked.error());
    }
    shards = std::move(*checked);
  }
  std::optional<verify::DeepReport> deep;
  if (options.deep) {
    CUSTODY_ASSIGN(opened,
                   vault::Vault::open(directory,
                                      *member,
                                      open_options(global, vault::Access::read),
                                      report->notes));
    auto checked =
      verify::deep(opened, watch_interrupts(), terminal_progress("decrypting"));
    finish_progress();
    if (!checked) {
      if (checked.error().code != Errc::corrupt) {
        return tl::unexpected(checked.error());
      }
      return report_problem(global, checked.error());
    }
    deep = *checked;
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
    out["checkpoints"] = checkpoints_json(report->checkpoints);
    if (report->against) {
      out["against"] = against_json(*report->against);
    }
    if (options.index) {
      nlohmann::json index = nlohmann::json::object();
      for (const auto& shard : shards) {
        index[shard.compartment] = {{"ok", true}, {"records", shard.records}};
      }
      out["index"] = index;
    }
    if (deep) {
      out["deep"] = {{"documents", deep->documents},
                     {"attachments", deep->attachments},
                     {"attachment_bytes", deep->bytes},
                     {"sealed", deep->sealed}};
    }
    fmt::print("{}\n", out.dump());
    return Outcome::ok;
  }
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
  print_checkpoints(*report);
  for (const auto& shard : shards) {
    fmt::print("index {}: ok ({} records)\n", shard.compartment, shard.records);
  }
  if (deep) {
    fmt::print("deep: ok ({} payload documents and {} attachments ({} bytes) "
               "decrypted and checked; {} payloads your keys do not open)\n",
               deep->documents,
               deep->attachments,
               deep->bytes,
               deep->sealed);
  }
  print_notes(report->notes);
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
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_verify(global, *options); };
  });
}

} // namespace custody::cli
