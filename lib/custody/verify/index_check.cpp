// verify --index (index_check.hpp).
#include <custody/records/index.hpp>
#include <custody/verify/index_check.hpp>
#include <custody/verify/record_list.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

namespace custody::verify {

Result<std::vector<ShardCheck>>
check_index(vault::Vault& vault,
            const vault::RecordSet* records,
            vault::Notes& notes)
{
  std::vector<index::Shard> shards;
  for (auto compartment : records::k_parts) {
    auto shard = index::Shard::open(vault, compartment, notes);
    if (!shard && shard.error().code == Errc::auth) {
      continue;
    }
    if (!shard) {
      return tl::unexpected(shard.error());
    }
    // Saved as every reader saves it: a forged part is replaced by the rebuilt
    // one, as the hint below says.
    shard->save(notes);
    if (!shard->stats().rejected.empty()) {
      return make_error(
        Errc::corrupt,
        fmt::format("your index shard {}", shard->stats().rejected.front()),
        "the file was replaced or damaged; it has been rebuilt from the "
        "ledger, so find out who can write your index directory");
    }
    shards.push_back(std::move(*shard));
  }
  const fs::Path& directory = vault.directory();
  std::vector<ShardCheck> checks;
  for (auto& shard : shards) {
    const std::string name(vault::compartment_name(shard.compartment()));
    const std::string files = (vault.cache_directory() / (name + ".age"))
                                .lexically_relative(directory)
                                .string();
    CUSTODY_ASSIGN(rebuilt, index::Shard::rebuild(vault, shard.compartment()));
    if (!rebuilt.stats().refused.empty()) {
      return make_error(Errc::corrupt,
                        rebuilt.stats().refused.front(),
                        "only a legal member may amend a record (invariant "
                        "19); the entry was written around custody's checks");
    }
    CUSTODY_ASSIGN(kept, shard.digest());
    CUSTODY_ASSIGN(fresh, rebuilt.digest());
    if (kept != fresh) {
      return make_error(
        Errc::corrupt,
        fmt::format(
          "index shard {} differs from the shard rebuilt from the ledger",
          files),
        fmt::format("remove {}; the next reader rebuilds it", files));
    }
    // invariant 23: every shard knows every record (each writes all four
    // payloads), so the first one rebuilt is compared with the seals' list.
    if (records != nullptr && checks.empty()) {
      CUSTODY_ASSIGN(created, rebuilt.created());
      CUSTODY_TRY(check_listed(created, *records));
    }
    checks.push_back({name, shard.record_count()});
  }
  return checks;
}

} // namespace custody::verify
