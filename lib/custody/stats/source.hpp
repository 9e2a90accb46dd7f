// What a release was computed from, so that anyone holding the vault can
// reproduce it: the ledger's size and Merkle root, and the latest signed
// checkpoint, whether it covers that size and whether it is timestamped.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/error.hpp>
#include <custody/vault/vault.hpp>

#include <cstdint>
#include <optional>

namespace custody::stats {

struct Source
{
  std::uint64_t tree_size = 0;
  Digest root{};
  std::optional<std::uint64_t> checkpoint; // the latest signed checkpoint
  bool covered = false;                    // it is of tree_size exactly
  bool timestamped = false; // and an RFC 3161 token answers its request
};

// The root comes from the latest checkpoint when it covers the tip (no scan),
// otherwise from one scan of the ledger up to the tip the vault was opened at.
[[nodiscard]] Result<Source> source_of(const vault::Vault& vault);

} // namespace custody::stats
