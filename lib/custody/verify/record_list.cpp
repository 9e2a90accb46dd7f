// Invariant 23 (record_list.hpp).
#include <custody/ledger/store.hpp>
#include <custody/verify/record_list.hpp>

#include <fmt/core.h>

#include <map>

namespace custody::verify {

Result<RecordListCheck>
check_attachments(vault::Vault& vault, const vault::RecordSet& records)
{
  RecordListCheck check;
  check.listed = records.size();
  CUSTODY_TRY(vault.scan([&](const ledger::Entry& entry,
                             const Digest&) -> Result<void> {
    if (entry.kind != ledger::Kind::put || entry.payloads.size() != 2) {
      return {};
    }
    const ledger::PayloadRef& document = entry.payloads[0];
    auto key = vault.key(vault::Compartment::identity, document.epoch);
    if (!key) {
      if (key.error().code != Errc::auth) {
        return tl::unexpected(key.error());
      }
      ++check.sealed;
      return {};
    }
    CUSTODY_ASSIGN_CTX(opened,
                       store::open_document(vault.directory(), document, **key),
                       fmt::format("entry {}", entry.seq));
    const std::string named = opened.document.value("record", "");
    auto id = vault::record_key(named);
    const vault::SealedRecord* record = id ? records.find(*id) : nullptr;
    // invariant 23: no attachment belongs to no record.
    if (record == nullptr || record->seq >= entry.seq) {
      return broken(
        23,
        fmt::format("entry {} attaches a file to record {}, which no "
                    "sealed entry before it created (an orphaned "
                    "attachment)",
                    entry.seq,
                    named),
        "the file is kept; a legal member can extract it from the entry "
        "and attach it to the record it belongs to");
    }
    ++check.attachments;
    return {};
  }));
  return check;
}

Result<void>
check_listed(const std::vector<std::pair<std::string, std::uint64_t>>& created,
             const vault::RecordSet& records)
{
  std::map<std::string, std::uint64_t> listed;
  for (const auto& record : records.all()) {
    listed.emplace(vault::key_hex(record.id), record.seq);
  }
  for (const auto& [id, seq] : created) {
    const auto found = listed.find(id);
    if (found == listed.end()) {
      return broken(23,
                    fmt::format("entry {} creates record {}, which its seal "
                                "does not name",
                                seq,
                                id),
                    "the seal was written by an earlier version of custody, "
                    "or the entry was written around custody's checks");
    }
    if (found->second != seq) {
      return broken(23,
                    fmt::format("record {} is created by entry {}, but the "
                                "seals name it on entry {}",
                                id,
                                seq,
                                found->second));
    }
    listed.erase(found);
  }
  if (!listed.empty()) {
    return broken(23,
                  fmt::format("the seal of entry {} names record {}, which no "
                              "entry creates",
                              listed.begin()->second,
                              listed.begin()->first),
                  "the entry was written around custody's checks");
  }
  return {};
}

} // namespace custody::verify
