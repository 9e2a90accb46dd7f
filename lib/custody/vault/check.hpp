// What verification needs from the vault's internals, in two steps that keep
// writers waiting only briefly: a snapshot taken under a short shared lock,
// then the ledger replayed up to it with no lock held (objects never change
// once named, and the ledger only grows). And the repair, which writes, apart
// from both (docs/formats.md section 11; lib/custody/verify runs them).
#pragma once

#include <custody/vault/vault.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace custody::vault {

struct CheckOptions
{
  std::chrono::milliseconds wait{5000};
  std::optional<fs::Path> known_vaults;
  bool accept_rollback = false;
};

// What the vault held when the check began.
struct Snapshot
{
  ledger::Tip tip;
  checkpoint::Listing checkpoints;
  // object files (objects/xx/...), relative to the vault, crash leftovers
  // excepted
  std::vector<fs::Path> object_files;
  // files under keys/, relative to the vault
  std::vector<std::string> key_files;
};

struct LedgerCheck
{
  Snapshot snapshot;
  // Opened by the member at the snapshot, its lock given up (release_lock):
  // the index and deep checks read through it. nullopt without an identity.
  std::optional<Vault> vault;
  // The state the full replay of the snapshot's entries built.
  AdminState state;
  // Every object the snapshot's entries name.
  std::set<Digest> objects;
  // Seals, signatures, roles, vault.yaml, custody.pub: only with an identity.
  bool admin_checked = false;
  // The record list the full replay read from every seal (docs/formats.md
  // 6.4): only with an identity.
  std::optional<RecordSet> records;
};

// The snapshot (under the lock: the strays walk, the member's open with its
// checks of HEAD, the pins, the tip she saw and vault.yaml, and the listings of
// checkpoints, objects and key files), then with no lock the replay of its
// entries (invariants 1-5, 7, 10-13, and 23 as far as the seals show it), the
// member's state cache and record list against it, recorded torn tails (21)
// and listed key files (14). Errc::corrupt names the
// first finding; unlisted key files are notes.
[[nodiscard]] Result<LedgerCheck> check_ledger(const fs::Path& directory,
                                               const identity::Member* member,
                                               const CheckOptions& options,
                                               Notes& notes);

// verify --repair, under the exclusive lock: removes crash leftovers, moves a
// torn tail aside and records it in a signed entry (or records bytes an
// interrupted repair moved), writes a vault.yaml that disagrees with the
// ledger again (keeping the old one), and moves key files no signed entry lists
// to unlisted/. What it did, or nullopt when there was nothing to mend. Only a
// legal member writes the ledger (Errc::auth otherwise).
[[nodiscard]] Result<std::optional<std::string>>
repair(const fs::Path& directory,
       const identity::Member& member,
       const CheckOptions& options,
       Notes& notes);

} // namespace custody::vault
