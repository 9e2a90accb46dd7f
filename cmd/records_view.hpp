// Shared by show, list, prove, attach and extract: opening the index shards a
// member's keys allow.
#pragma once

#include "common.hpp"

#include <custody/records/index.hpp>
#include <custody/records/records.hpp>

#include <array>
#include <optional>

namespace custody::cli {

// The record shards the member can open, in records::k_parts order; nullopt
// where the keys do not open that compartment. Fails with Errc::auth when they
// open none.
using Shards = std::array<std::optional<index::Shard>, records::k_part_count>;
[[nodiscard]] Result<Shards> open_shards(vault::Vault& vault,
                                         vault::Notes& notes);

// The shard of one compartment, its notes printed. A member whose keys do not
// open it gets Errc::auth: `refusal` with "{}" for the member's role, and
// `hint`.
[[nodiscard]] Result<index::Shard> open_shard(vault::Vault& vault,
                                              vault::Compartment compartment,
                                              index::Need need,
                                              std::string_view refusal,
                                              std::string_view hint);

// Saves what opening the shards brought forward (index::Shard::save), its
// notes printed. Called once the command has done what it was asked: one
// refused for bad input writes nothing, the index included.
void save_shard(index::Shard& shard);
void save_shards(Shards& shards);

// Flattens a view to "incident.district: harbour" lines, in key order.
// The first shard the member opens (every record writes all four payloads, so
// any of them knows every record id), or nullptr.
const index::Shard* any_shard(const Shards& shards);

void print_view(const json::Json& view, const std::string& prefix);

} // namespace custody::cli
