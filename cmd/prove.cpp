// custody prove: a record's ledger entries with their Merkle inclusion proofs
// against a signed checkpoint, as JSON a third party checks without the vault
// (docs/verifying.md).
#include "commands.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/verify/proof.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

namespace custody::cli {

namespace {

struct ProveOptions
{
  std::string id;
  std::optional<std::uint64_t> size;
};

std::string
b64(const Digest& digest)
{
  return to_base64(digest, Padding::yes);
}

Result<Outcome>
run_prove(const GlobalOptions& global, const ProveOptions& options)
{
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
  CUSTODY_ASSIGN(shards, open_readable(session.vault));
  const index::Shard* any = records::any_shard(shards);
  CUSTODY_ASSIGN(found, any->find(options.id));
  CUSTODY_ASSIGN(history, any->history(found.id));
  CUSTODY_ASSIGN(
    proof,
    verify::prove_record(session.vault, found.id, history, options.size));
  const auto& stored = proof.checkpoint;

  nlohmann::json entries = nlohmann::json::array();
  for (const auto& entry : proof.entries) {
    nlohmann::json hashes = nlohmann::json::array();
    for (const auto& hash : entry.path) {
      hashes.push_back(b64(hash));
    }
    entries.push_back({{"seq", entry.seq},
                       {"leaf_index", entry.seq},
                       {"type", entry.type},
                       {"line", entry.line},
                       {"leaf_hash", b64(entry.leaf)},
                       {"inclusion_proof", hashes}});
  }
  nlohmann::json out_notes = nlohmann::json::array();
  out_notes.push_back(
    "inclusion is provable, completeness is not: a later amendment of this "
    "record would not show here");
  const auto& not_covered = proof.not_covered;
  if (!not_covered.empty()) {
    out_notes.push_back(fmt::format("{} later entr{} of the record {} not "
                                    "covered by this checkpoint",
                                    not_covered.size(),
                                    not_covered.size() == 1 ? "y" : "ies",
                                    not_covered.size() == 1 ? "is" : "are"));
  }
  nlohmann::json checkpoint_out = {{"size", stored.checkpoint.size},
                                   {"root", b64(stored.checkpoint.root)},
                                   {"text", stored.text},
                                   {"signature", stored.signature},
                                   {"timestamped", stored.timestamped}};
  if (proof.timestamp_token) {
    checkpoint_out["timestamp_token"] =
      to_base64(*proof.timestamp_token, Padding::yes);
  } else {
    out_notes.push_back("the checkpoint is not independently timestamped");
  }
  CUSTODY_ASSIGN(key, session.vault.signing_public());
  const nlohmann::json out = {{"type", "proof"},
                              {"vault", session.vault.state().vault_id},
                              {"origin", stored.checkpoint.origin},
                              {"record", found.id},
                              {"public_key", key.to_base64()},
                              {"checkpoint", checkpoint_out},
                              {"entries", entries},
                              {"not_covered", not_covered},
                              {"notes", out_notes}};
  save_shards(shards);
  // One value a line, so a clerk's recipe can read it with sed
  // (docs/verifying.md).
  fmt::print("{}\n", out.dump(2));
  return Outcome::ok;
}

} // namespace

void
register_prove(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<ProveOptions>();
  auto* sub = app.add_subcommand(
    "prove",
    "Print a record's entries with Merkle inclusion proofs against a signed "
    "checkpoint (JSON)");
  add_record_argument(*sub, "ID", options->id);
  sub->add_option("--checkpoint",
                  options->size,
                  "Prove against the checkpoint of this tree size (default "
                  "the latest)");
  sub->add_flag("--json", global.json, "Print JSON (always)");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_prove(global, *options); };
  });
}

} // namespace custody::cli
