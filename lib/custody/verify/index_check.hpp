// Invariant 15: each index shard the member opens equals the shard rebuilt
// from the whole ledger.
#pragma once

#include <custody/vault/vault.hpp>

#include <string>
#include <vector>

namespace custody::verify {

struct ShardCheck
{
  std::string compartment;
  std::uint64_t records = 0;
};

// Her own saved shards are opened first: one that fails its MAC was written by
// someone else (only she can write them), or damaged, whatever the ledger
// holds; it is replaced by the rebuilt one, as every reader would. Then each
// is compared with a rebuild. Errc::corrupt naming the shard on a difference,
// or an amendment the replay refused (invariant 19).
// With `records` (the record list the seals carry), the records the first
// rebuilt shard holds must be exactly those (invariant 23).
[[nodiscard]] Result<std::vector<ShardCheck>> check_index(
  vault::Vault& vault, const vault::RecordSet* records, vault::Notes& notes);

} // namespace custody::verify
