// The index shards a member's keys open, and record ids resolved through
// them: what every command that reads records starts with.
#pragma once

#include <custody/records/index.hpp>
#include <custody/records/records.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace custody::records {

// The record shards the member can open, in k_parts order; nullopt where her
// keys do not open that compartment.
using Shards = std::array<std::optional<index::Shard>, k_part_count>;

// Opens every shard the member's keys allow (index::Shard::open, which may
// bring a shard forward: save_shards once the command has done its work).
// Errc::auth when they open none, as for an intake member.
[[nodiscard]] Result<Shards> open_readable(vault::Vault& vault,
                                           vault::Notes& notes);

// The first shard the member opens (every record writes all four payloads, so
// any of them knows every record id), or nullptr.
const index::Shard* any_shard(const Shards& shards);

// True when the member opens every record compartment (the legal role).
bool opens_all(const Shards& shards);

// Saves what opening brought forward; a failure to save is a note.
void save_shards(Shards& shards, vault::Notes& notes);

// The id of the record `typed` names (its id, a unique prefix, or its
// receipt: parse_reference), through the vault's record list
// (Vault::records), the same for every role: an intake member, who opens no
// record, checks an id as a legal member does. Errc::not_found (exit 3) for
// a record the list does not hold, with the records one mistake away as
// "did you mean"; Errc::invalid_input when it names several. The caller
// saves the list (Vault::save_records, or its append) once it has done its
// work.
[[nodiscard]] Result<std::string>
resolve_id(vault::Vault& vault, std::string_view typed, vault::Notes& notes);

// The vault's places list (from its signed policy state), or none when the
// vault has none or it does not read.
std::optional<Places> places_of(const vault::Vault& vault);

} // namespace custody::records
