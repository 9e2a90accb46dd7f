// custody prove: a record's ledger entries with their Merkle inclusion proofs
// against a signed checkpoint, as JSON a third party checks without the vault
// (docs/verifying.md).
#include "commands.hpp"
#include "records_view.hpp"
#include "session.hpp"

#include <custody/ledger/checkpoint.hpp>
#include <custody/sys/fs.hpp>
#include <custody/vault/vault.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <map>
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
  vault::Notes notes;
  auto shards = open_shards(session.vault, notes);
  print_notes(notes);
  if (!shards) {
    return tl::unexpected(shards.error());
  }
  const index::Shard* any = any_shard(*shards);
  CUSTODY_ASSIGN(found, any->find(options.id));
  CUSTODY_ASSIGN(history, any->history(found.id));

  const auto& dir = session.vault.directory();
  const std::string& vault_id = session.vault.state().vault_id;
  CUSTODY_ASSIGN(key, session.vault.signing_public());
  std::uint64_t size = 0;
  if (options.size) {
    size = *options.size;
  } else {
    CUSTODY_ASSIGN(listing, checkpoint::list(dir));
    if (listing.sizes.empty()) {
      return make_error(Errc::not_found,
                        "this vault has no checkpoint to prove against",
                        "a legal member's `custody checkpoint` signs one");
    }
    size = listing.sizes.back();
  }
  CUSTODY_ASSIGN(stored, checkpoint::read(dir, size, key, vault_id));

  std::map<std::uint64_t, std::string> lines;
  for (const auto& row : history) {
    lines[row.seq];
  }
  CUSTODY_ASSIGN(
    tree,
    checkpoint::load_tree(dir, [&](std::uint64_t seq, std::string_view text) {
      if (auto it = lines.find(seq); it != lines.end()) {
        it->second = std::string(text);
      }
    }));
  if (size > tree.size()) {
    return fail(Errc::corrupt,
                "checkpoints/{} was signed over {} entries, but the ledger "
                "has {} (run `custody verify`)",
                size,
                size,
                tree.size());
  }
  CUSTODY_ASSIGN(root, tree.root(size));
  if (root != stored.checkpoint.root) {
    return fail(Errc::corrupt,
                "checkpoints/{} does not match the ledger (run `custody "
                "verify`)",
                size);
  }

  nlohmann::json entries = nlohmann::json::array();
  nlohmann::json not_covered = nlohmann::json::array();
  for (const auto& row : history) {
    if (row.seq >= size) {
      not_covered.push_back(row.seq);
      continue;
    }
    CUSTODY_ASSIGN(leaf, tree.leaf(row.seq));
    CUSTODY_ASSIGN(proof, tree.inclusion_proof(row.seq, size));
    // A proof this command hands out must check, whatever the reason it
    // might not.
    CUSTODY_TRY(merkle::verify_inclusion(
      row.seq, size, leaf, proof, stored.checkpoint.root));
    nlohmann::json hashes = nlohmann::json::array();
    for (const auto& hash : proof) {
      hashes.push_back(b64(hash));
    }
    entries.push_back({{"seq", row.seq},
                       {"leaf_index", row.seq},
                       {"type", row.type},
                       {"line", lines.at(row.seq)},
                       {"leaf_hash", b64(leaf)},
                       {"inclusion_proof", hashes}});
  }
  if (entries.empty()) {
    return make_error(
      Errc::invalid_input,
      fmt::format("no entry of record {} is covered by checkpoints/{} (its "
                  "first entry is {})",
                  found.id,
                  size,
                  history.front().seq),
      "a legal member's `custody checkpoint` signs one that covers it");
  }
  nlohmann::json out_notes = nlohmann::json::array();
  out_notes.push_back(
    "inclusion is provable, completeness is not: a later amendment of this "
    "record would not show here");
  if (!not_covered.empty()) {
    out_notes.push_back(fmt::format("{} later entr{} of the record {} not "
                                    "covered by this checkpoint",
                                    not_covered.size(),
                                    not_covered.size() == 1 ? "y" : "ies",
                                    not_covered.size() == 1 ? "is" : "are"));
  }
  nlohmann::json checkpoint_out = {{"size", size},
                                   {"root", b64(stored.checkpoint.root)},
                                   {"text", stored.text},
                                   {"signature", stored.signature},
                                   {"timestamped", stored.timestamped}};
  if (stored.timestamped) {
    CUSTODY_ASSIGN(
      token, fs::read_file(checkpoint::sibling(dir, size, "tsr"), 1 << 20));
    checkpoint_out["timestamp_token"] = to_base64(token, Padding::yes);
  } else {
    out_notes.push_back("the checkpoint is not independently timestamped");
  }
  const nlohmann::json out = {{"type", "proof"},
                              {"vault", vault_id},
                              {"origin", stored.checkpoint.origin},
                              {"record", found.id},
                              {"public_key", key.to_base64()},
                              {"checkpoint", checkpoint_out},
                              {"entries", entries},
                              {"not_covered", not_covered},
                              {"notes", out_notes}};
  save_shards(*shards);
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
