// The shards a member reads, and record ids (readers.hpp).
#include <custody/records/readers.hpp>

#include <fmt/core.h>

#include <algorithm>

namespace custody::records {

Result<Shards>
open_readable(vault::Vault& vault, vault::Notes& notes)
{
  Shards shards;
  bool any = false;
  for (std::size_t p = 0; p < k_part_count; ++p) {
    auto shard = index::Shard::open(vault, k_parts[p], notes);
    if (shard) {
      shards[p].emplace(std::move(*shard));
      any = true;
    } else if (shard.error().code != Errc::auth) {
      return tl::unexpected(shard.error());
    }
  }
  if (!any) {
    return make_error(
      Errc::auth,
      fmt::format("your keys open no record compartment (role {})",
                  vault::role_name(vault.me().role)),
      "intake members record but cannot read back: a lost intake laptop then "
      "exposes nothing");
  }
  return shards;
}

const index::Shard*
any_shard(const Shards& shards)
{
  for (const auto& shard : shards) {
    if (shard) {
      return &*shard;
    }
  }
  return nullptr;
}

bool
opens_all(const Shards& shards)
{
  return std::ranges::all_of(
    shards, [](const auto& shard) { return shard.has_value(); });
}

void
save_shards(Shards& shards, vault::Notes& notes)
{
  for (auto& shard : shards) {
    if (shard) {
      shard->save(notes);
    }
  }
}

Result<std::string>
resolve_id(vault::Vault& vault, std::string_view typed, vault::Notes& notes)
{
  auto shards = open_readable(vault, notes);
  if (shards) {
    CUSTODY_ASSIGN(found, any_shard(*shards)->find(typed));
    save_shards(*shards, notes);
    return found.id;
  }
  if (shards.error().code != Errc::auth) {
    return tl::unexpected(shards.error());
  }
  if (typed.size() != 32
      || typed.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return make_error(Errc::invalid_input,
                      "give the whole record id (32 hex digits)",
                      "your role cannot read the index to look up a prefix; "
                      "use the whole id printed when the record was made");
  }
  return std::string(typed);
}

} // namespace custody::records
