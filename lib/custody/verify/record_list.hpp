// Invariant 23: the record list the seals carry (docs/formats.md 6.4) against
// what it lists, and the attachments that name records.
#pragma once

#include <custody/vault/record_set.hpp>
#include <custody/vault/vault.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace custody::verify {

struct RecordListCheck
{
  std::uint64_t listed = 0;      // records the seals name
  std::uint64_t attachments = 0; // attachments opened and checked
  std::uint64_t sealed = 0;      // attachments the member's keys do not open
};

// Every attachment the member's keys open names a record of `records` that an
// entry before it created: an attachment of no record (one wrong digit of an
// id, before attach checked ids) is a finding, Errc::corrupt naming the entry.
[[nodiscard]] Result<RecordListCheck>
check_attachments(vault::Vault& vault, const vault::RecordSet& records);

// With --index: the records the `put` entries create (`created`, each id with
// the seq of the entry that created it, from a shard rebuilt from the ledger)
// are exactly the records the seals name, each on that entry.
[[nodiscard]] Result<void>
check_listed(const std::vector<std::pair<std::string, std::uint64_t>>& created,
             const vault::RecordSet& records);

} // namespace custody::verify
