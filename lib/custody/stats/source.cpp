// What a release was computed from (source.hpp).
#include <custody/ledger/checkpoint.hpp>
#include <custody/stats/source.hpp>

namespace custody::stats {

Result<Source>
source_of(const vault::Vault& vault)
{
  Source source;
  source.tree_size = vault.entry_count();
  CUSTODY_ASSIGN(latest, checkpoint::latest(vault.directory()));
  if (latest) {
    CUSTODY_ASSIGN(key, vault.signing_public());
    CUSTODY_ASSIGN(stored,
                   checkpoint::read(
                     vault.directory(), *latest, key, vault.state().vault_id));
    source.checkpoint = stored.checkpoint.size;
    source.timestamped = stored.timestamped;
    if (stored.checkpoint.size == source.tree_size) {
      source.covered = true;
      source.root = stored.checkpoint.root;
      return source;
    }
  }
  // From the latest checkpoint's frontier and the entries after it: a
  // million-entry ledger is not read to count one quarter.
  CUSTODY_ASSIGN(key, vault.signing_public());
  if (auto root = checkpoint::root_at_tip(vault.directory(),
                                          vault.state().vault_id,
                                          key,
                                          source.tree_size,
                                          vault.last_hash())) {
    source.root = *root;
    return source;
  }
  // A writer appended since this reader opened the vault: the tree up to the
  // tip it opened at.
  CUSTODY_ASSIGN(tree,
                 checkpoint::load_tree(
                   vault.directory(),
                   [](std::uint64_t, std::string_view) {},
                   source.tree_size));
  source.root = tree.root();
  return source;
}

} // namespace custody::stats
