// Inclusion proofs for a record (proof.hpp).
#include <custody/ledger/merkle.hpp>
#include <custody/sys/fs.hpp>
#include <custody/verify/proof.hpp>

#include <fmt/core.h>

#include <map>

namespace custody::verify {

Result<RecordProof>
prove_record(const vault::Vault& vault,
             const std::string& record_id,
             const std::vector<index::EntryRow>& history,
             std::optional<std::uint64_t> size)
{
  const auto& dir = vault.directory();
  CUSTODY_ASSIGN(key, vault.signing_public());
  if (!size) {
    CUSTODY_ASSIGN(latest, checkpoint::latest(dir));
    if (!latest) {
      return make_error(Errc::not_found,
                        "this vault has no checkpoint to prove against",
                        "a legal member signs one");
    }
    size = *latest;
  }
  RecordProof proof;
  proof.record_id = record_id;
  CUSTODY_ASSIGN(stored,
                 checkpoint::read(dir, *size, key, vault.state().vault_id));
  proof.checkpoint = std::move(stored);
  const auto& signed_root = proof.checkpoint.checkpoint.root;

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
  if (*size > tree.size()) {
    return fail(Errc::corrupt,
                "checkpoints/{} was signed over {} entries, but the ledger "
                "has {}; verify the vault",
                *size,
                *size,
                tree.size());
  }
  CUSTODY_ASSIGN(root, tree.root(*size));
  if (root != signed_root) {
    return fail(Errc::corrupt,
                "checkpoints/{} does not match the ledger; verify the vault",
                *size);
  }
  for (const auto& row : history) {
    if (row.seq >= *size) {
      proof.not_covered.push_back(row.seq);
      continue;
    }
    EntryProof entry;
    entry.seq = row.seq;
    entry.type = row.type;
    entry.line = lines.at(row.seq);
    CUSTODY_ASSIGN(leaf, tree.leaf(row.seq));
    CUSTODY_ASSIGN(path, tree.inclusion_proof(row.seq, *size));
    // A proof handed out must check, whatever the reason it might not.
    CUSTODY_TRY(
      merkle::verify_inclusion(row.seq, *size, leaf, path, signed_root));
    entry.leaf = leaf;
    entry.path = std::move(path);
    proof.entries.push_back(std::move(entry));
  }
  if (proof.entries.empty()) {
    return make_error(
      Errc::invalid_input,
      fmt::format("no entry of record {} is covered by checkpoints/{} (its "
                  "first entry is {})",
                  record_id,
                  *size,
                  history.front().seq),
      "a legal member signs a checkpoint that covers it");
  }
  if (proof.checkpoint.timestamped) {
    CUSTODY_ASSIGN(token,
                   fs::read_file(checkpoint::sibling(dir, *size, "tsr"),
                                 1 << 20,
                                 fs::Origin::vault));
    proof.timestamp_token = std::move(token);
  }
  return proof;
}

json::Json
proof_document(const RecordProof& proof,
               const std::string& vault_id,
               const std::string& public_key)
{
  auto b64 = [](const Digest& digest) {
    return to_base64(digest, Padding::yes);
  };
  json::Json entries = json::Json::array();
  for (const auto& entry : proof.entries) {
    json::Json hashes = json::Json::array();
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
  json::Json notes = json::Json::array();
  notes.push_back(
    "inclusion is provable, completeness is not: a later amendment of this "
    "record would not show here");
  const auto& not_covered = proof.not_covered;
  if (!not_covered.empty()) {
    notes.push_back(fmt::format("{} later entr{} of the record {} not "
                                "covered by this checkpoint",
                                not_covered.size(),
                                not_covered.size() == 1 ? "y" : "ies",
                                not_covered.size() == 1 ? "is" : "are"));
  }
  const auto& stored = proof.checkpoint;
  json::Json checkpoint_out = {{"size", stored.checkpoint.size},
                               {"root", b64(stored.checkpoint.root)},
                               {"text", stored.text},
                               {"signature", stored.signature},
                               {"timestamped", stored.timestamped}};
  if (proof.timestamp_token) {
    checkpoint_out["timestamp_token"] =
      to_base64(*proof.timestamp_token, Padding::yes);
  } else {
    notes.push_back("the checkpoint is not independently timestamped");
  }
  return {{"type", "proof"},
          {"vault", vault_id},
          {"origin", stored.checkpoint.origin},
          {"record", proof.record_id},
          {"public_key", public_key},
          {"checkpoint", checkpoint_out},
          {"entries", entries},
          {"not_covered", not_covered},
          {"notes", notes}};
}

} // namespace custody::verify
