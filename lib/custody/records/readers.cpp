// The shards a member reads, and record ids (readers.hpp).
#include <custody/records/readers.hpp>
#include <custody/records/receipt.hpp>

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

namespace {

// The records of the list within any of `ranges`, each once.
std::vector<const vault::SealedRecord*>
matching(const vault::RecordSet& records, const std::vector<IdRange>& ranges)
{
  std::vector<const vault::SealedRecord*> found;
  for (const auto& range : ranges) {
    auto low = vault::record_key(range.low);
    auto high = vault::record_key(range.high);
    if (!low || !high) {
      continue;
    }
    for (const auto& record : records.between(*low, *high)) {
      if (std::find(found.begin(), found.end(), &record) == found.end()) {
        found.push_back(&record);
      }
    }
  }
  return found;
}

std::string
described(const vault::SealedRecord& record)
{
  const std::string id = vault::key_hex(record.id);
  return fmt::format("{} ({})", id, receipt_of(id));
}

// "did you mean ...?" for the records one mistake away from `typed`.
std::string
suggestion(const vault::RecordSet& records, std::string_view typed)
{
  const auto near = matching(records, near_references(typed));
  if (near.empty()) {
    return "check it against the paper form or the id printed when the "
           "record was made";
  }
  std::string listed;
  for (std::size_t i = 0; i < near.size() && i < 3; ++i) {
    listed += (i == 0 ? "" : " or ") + described(*near[i]);
  }
  return fmt::format("did you mean {}?", listed);
}

} // namespace

Result<std::string>
resolve_id(vault::Vault& vault, std::string_view typed, vault::Notes& notes)
{
  auto readings = parse_reference(typed);
  if (!readings && !near_references(typed).empty()) {
    // A receipt whose check symbol fails: the list says what it may have been.
    CUSTODY_ASSIGN(records, vault.records(notes));
    return make_error(Errc::invalid_input,
                      readings.error().message,
                      suggestion(*records, typed));
  }
  if (!readings) {
    return tl::unexpected(readings.error());
  }
  CUSTODY_ASSIGN(records, vault.records(notes));
  const auto found = matching(*records, *readings);
  if (found.empty()) {
    // Nothing may be written for a record that does not exist, whoever
    // asks: an attachment to no record would be evidence no one can find.
    return make_error(Errc::not_found,
                      fmt::format("no record {} (the vault's record list has "
                                  "no such id or receipt)",
                                  typed),
                      suggestion(*records, typed));
  }
  if (found.size() > 1) {
    std::string listed;
    for (const auto* record : found) {
      listed += (listed.empty() ? "" : ", ") + described(*record);
    }
    return make_error(
      Errc::invalid_input,
      fmt::format("{} names {} records: {}", typed, found.size(), listed),
      "give the whole id of the one you mean");
  }
  return vault::key_hex(found.front()->id);
}

std::optional<Places>
places_of(const vault::Vault& vault)
{
  if (vault.state().places.is_null()) {
    return std::nullopt;
  }
  auto places = Places::from_json(vault.state().places);
  return places ? std::optional<Places>(std::move(*places)) : std::nullopt;
}

} // namespace custody::records
