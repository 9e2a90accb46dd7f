// What the commands that read records share: a shard opened with the refusal
// worded for the command, shards saved with their notes printed, and a record
// view printed as lines.
#pragma once

#include "common.hpp"

#include <custody/records/index.hpp>
#include <custody/records/readers.hpp>

#include <array>
#include <optional>

namespace custody::cli {

// The shard of one compartment, its notes printed. A member whose keys do not
// open it gets Errc::auth: `refusal` with "{}" for the member's role, and
// `hint`.
[[nodiscard]] Result<index::Shard> open_shard(vault::Vault& vault,
                                              vault::Compartment compartment,
                                              index::Need need,
                                              std::string_view refusal,
                                              std::string_view hint);

// Every shard the member's keys open (records::open_readable), its notes
// printed.
[[nodiscard]] Result<records::Shards> open_readable(vault::Vault& vault);

// Saves what opening the shards brought forward (index::Shard::save), its
// notes printed. Called once the command has done what it was asked: one
// refused for bad input writes nothing, the index included.
void save_shard(index::Shard& shard);
void save_shards(records::Shards& shards);

// Flattens a view to "incident.district: harbour" lines, in key order.
void print_view(const json::Json& view, const std::string& prefix);

} // namespace custody::cli
