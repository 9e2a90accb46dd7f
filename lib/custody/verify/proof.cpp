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

} // namespace custody::verify
