// verify --index (index_check.hpp).
#include <custody/records/index.hpp>
#include <custody/verify/index_check.hpp>
#include <custody/verify/record_list.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

namespace custody::verify {

namespace {

std::string
facts_line(const index::FactsRow& row)
{
  std::string line = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|",
                                 row.created_seq,
                                 row.month,
                                 row.date_precision,
                                 row.district,
                                 row.population,
                                 row.setting,
                                 row.person_ref,
                                 row.outcome,
                                 row.delay_hours ? *row.delay_hours : -1);
  for (const auto* list : {&row.violence_types,
                           &row.perpetrators,
                           &row.actions,
                           &row.referrals,
                           &row.consent}) {
    for (const auto& code : *list) {
      line += code;
      line += ' ';
    }
    line += '|';
  }
  return line;
}

// The facts shard's statistics part (docs/formats.md 10.1.1): the member's
// saved part must equal one rebuilt from the ledger, and its rows the
// catalogue's, which the detail's views give.
template<typename OpenSaved>
Result<void>
check_statistics(vault::Vault& vault,
                 const index::Shard& catalogue,
                 const OpenSaved& open_saved)
{
  const std::string files = (vault.cache_directory() / "facts.stats.age")
                              .lexically_relative(vault.directory())
                              .string();
  CUSTODY_ASSIGN(
    part, open_saved(vault::Compartment::facts, index::Need::statistics));
  CUSTODY_ASSIGN(rebuilt,
                 index::Shard::rebuild(
                   vault, vault::Compartment::facts, index::Need::statistics));
  CUSTODY_ASSIGN(kept, part.digest());
  CUSTODY_ASSIGN(fresh, rebuilt.digest());
  CUSTODY_ASSIGN(part_rows, part.facts());
  CUSTODY_ASSIGN(catalogue_rows, catalogue.facts());
  bool same = part_rows.size() == catalogue_rows.size();
  for (std::size_t i = 0; same && i < part_rows.size(); ++i) {
    same = facts_line(part_rows[i]) == facts_line(catalogue_rows[i]);
  }
  if (kept != fresh || !same) {
    return make_error(
      Errc::corrupt,
      fmt::format("index part {} differs from the part rebuilt from the "
                  "ledger{}",
                  files,
                  same ? "" : " or from the facts of the record views"),
      fmt::format("remove {}; the next reader rebuilds it", files));
  }
  return {};
}

} // namespace

Result<std::vector<ShardCheck>>
check_index(vault::Vault& vault,
            const vault::RecordSet* records,
            vault::Notes& notes)
{
  // Saved as every reader saves it: a forged part is replaced by the rebuilt
  // one, as the hint below says.
  auto open_saved = [&](vault::Compartment compartment,
                        index::Need need) -> Result<index::Shard> {
    CUSTODY_ASSIGN(shard, index::Shard::open(vault, compartment, notes, need));
    shard.save(notes);
    if (!shard.stats().rejected.empty()) {
      return make_error(
        Errc::corrupt,
        fmt::format("your index shard {}", shard.stats().rejected.front()),
        "the file was replaced or damaged; it has been rebuilt from the "
        "ledger, so find out who can write your index directory");
    }
    return shard;
  };
  std::vector<index::Shard> shards;
  for (auto compartment : records::k_parts) {
    auto shard = open_saved(compartment, index::Need::everything);
    if (!shard && shard.error().code == Errc::auth) {
      continue;
    }
    if (!shard) {
      return tl::unexpected(shard.error());
    }
    if (compartment == vault::Compartment::facts) {
      CUSTODY_TRY(check_statistics(vault, *shard, open_saved));
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
