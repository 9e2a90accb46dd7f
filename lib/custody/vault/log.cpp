// read_log: the ledger's entries as `log` lists them, with what the member's
// keys reveal of admin entries and seals.

#include <custody/ledger/store.hpp>
#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

namespace custody::vault {

using namespace detail;

Result<std::vector<LogEntry>>
read_log(const fs::Path& directory,
         const identity::Member* member,
         std::chrono::milliseconds wait,
         Notes& notes)
{
  CUSTODY_TRY(require_vault_directory(directory));
  CUSTODY_ASSIGN(
    lock, fs::Lock::acquire(directory / "lock", fs::LockMode::shared, wait));
  Keyring keys(directory, member);
  // The signed state first, so that only keys it vouches for open the details.
  // A vault that does not replay still shows its entries, without details.
  std::optional<Loaded> loaded;
  if (member != nullptr) {
    auto replayed = load(directory, keys, true);
    keys.bind(nullptr);
    keys.allow_pending(false);
    if (replayed) {
      loaded = std::move(*replayed);
      keys.bind(&loaded->state);
    } else {
      notes.push_back(fmt::format("entry details are not shown: {}",
                                  replayed.error().message));
    }
  }
  std::vector<LogEntry> entries;
  ledger::ChainChecker chain;
  CUSTODY_ASSIGN(
    tip, ledger::scan(directory, [&](const ledger::Line& line) -> Result<void> {
      CUSTODY_ASSIGN(entry, chain.next(line));
      LogEntry item;
      item.entry = std::move(entry);
      item.hash = chain.last_hash();
      item.location = line.location;
      if (member != nullptr
          && (item.entry.kind == ledger::Kind::admin
              || item.entry.kind == ledger::Kind::seal)
          && !item.entry.payloads.empty()) {
        auto key =
          keys.compartment(Compartment::admin, item.entry.payloads[0].epoch);
        if (key) {
          auto opened =
            store::open_document(directory, item.entry.payloads[0], **key);
          if (opened && opened->document.contains("statement")) {
            const auto& statement = opened->document["statement"];
            item.action = statement.value("action", "");
            if (statement.contains("member")) {
              item.member_key_id = statement["member"].value("key_id", "");
              item.member_role = statement["member"].value("role", "");
            }
          } else if (opened && opened->document.contains("seal")) {
            const auto& seal = opened->document["seal"];
            item.sealed_by = seal.value("member", "");
            item.covers = seal.value("covers", json::Json::array()).size();
          }
        }
      }
      entries.push_back(std::move(item));
      return {};
    }));
  if (tip.torn) {
    notes.emplace_back(
      Note::Level::warning,
      fmt::format("ignoring a torn tail of {} bytes at {} (run `custody verify "
                  "--repair`)",
                  tip.torn->length,
                  ledger::describe({tip.torn->segment, tip.torn->offset})));
  }
  return entries;
}

} // namespace custody::vault
