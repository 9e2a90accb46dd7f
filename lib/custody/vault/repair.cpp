// verify --repair: what it mends, under the exclusive lock (check.hpp).
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>
#include <custody/vault/check.hpp>
#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

namespace custody::vault {

using namespace detail;

namespace {

// The signed record of bytes a repair moved aside (docs/formats.md 4.4).
Result<ledger::Tip>
append_torn_tail(const fs::Path& vault,
                 const ledger::Tip& tip,
                 const AdminState& state,
                 const ledger::Location& from,
                 std::uint64_t length,
                 const std::string& sha256,
                 const std::string& moved_to,
                 const json::Json& unsealed,
                 const minisign::SecretKey& signing,
                 const identity::Member& member)
{
  const json::Json statement = {{"action", "torn_tail"},
                                {"segment", ledger::segment_name(from.segment)},
                                {"offset", from.offset},
                                {"length", length},
                                {"sha256", sha256},
                                {"moved_to", "ledger/" + moved_to},
                                {"unsealed", unsealed},
                                {"keys", json::Json::array()}};
  return append_admin_entry(
    vault, tip, state, statement, json::Json::object(), signing, member);
}

} // namespace

Result<std::optional<std::string>>
repair(const fs::Path& directory,
       const identity::Member& member,
       const CheckOptions& options,
       Notes& notes)
{
  CUSTODY_TRY(require_vault_directory(directory));
  CUSTODY_ASSIGN(lock,
                 fs::Lock::acquire(
                   directory / "lock", fs::LockMode::exclusive, options.wait));
  CUSTODY_TRY(
    check_strays(directory, Objects::include, Leftovers::remove, notes));
  Keyring keys(directory, &member);
  CUSTODY_ASSIGN(loaded, load(directory, keys, true));
  keys.bind(&loaded.state);
  keys.allow_pending(false);
  if (!loaded.state.members.contains(member.key_id())) {
    return make_error(
      Errc::auth,
      fmt::format("your identity ({}) is not a member of this vault",
                  member.key_id()));
  }
  const bool legal =
    loaded.state.members.at(member.key_id()).role == Role::legal;
  std::optional<std::string> repaired;
  auto add = [&](const std::string& what) {
    repaired = repaired ? *repaired + "; " + what : what;
  };
  if (loaded.tip.torn) {
    const auto torn = *loaded.tip.torn;
    const std::string where = ledger::describe({torn.segment, torn.offset});
    (void)where;
    if (!legal) {
      return make_error(Errc::auth,
                        "only a legal member can repair the ledger");
    }
    CUSTODY_ASSIGN(signing, keys.signing(loaded.state.signing_epoch));
    // R6: the complete entries whose seal the crash tore away go with it, so
    // the command that wrote them is all or nothing (formats.md 4.4). Only a
    // batch that crossed into a new segment keeps them, listed unsealed.
    ledger::TornTail cut = torn;
    json::Json unsealed = loaded.unsealed;
    std::size_t moved_entries = 0;
    if (loaded.first_unsealed
        && loaded.first_unsealed->segment == torn.segment) {
      cut.offset = loaded.first_unsealed->offset;
      cut.length = torn.offset + torn.length - cut.offset;
      moved_entries = unsealed.size();
      unsealed = json::Json::array();
    }
    CUSTODY_ASSIGN(
      moved,
      ledger::move_torn_tail(directory, cut, recorded_torn(loaded.state)));
    if (moved_entries > 0) {
      // An admin entry among them must not count: replay what is left.
      CUSTODY_ASSIGN(left, load(directory, keys, true));
      loaded = std::move(left);
      keys.bind(&loaded.state);
    }
    ledger::Tip tip = loaded.tip;
    tip.torn.reset();
    CUSTODY_TRY(append_torn_tail(directory,
                                 tip,
                                 loaded.state,
                                 {cut.segment, cut.offset},
                                 cut.length,
                                 to_hex(moved.sha256),
                                 moved.moved_to,
                                 unsealed,
                                 *signing,
                                 member));
    std::string what =
      fmt::format("moved a torn tail of {} bytes at {} to ledger/{}",
                  cut.length,
                  ledger::describe({cut.segment, cut.offset}),
                  moved.moved_to);
    if (moved_entries > 0) {
      what += fmt::format(
        "; it holds {} complete entr{} whose seal the crash tore away: the "
        "command that wrote them never finished, and nothing of it was kept "
        "(run it again)",
        moved_entries,
        moved_entries == 1 ? "y" : "ies");
    } else if (!unsealed.empty()) {
      what += fmt::format("; entries {} to {} lost their seal in it and are "
                          "recorded, unsealed, in the repair",
                          unsealed.front()["seq"].get<std::uint64_t>(),
                          unsealed.back()["seq"].get<std::uint64_t>());
    }
    add(what);
    // Go on from the repaired vault as any later verify will (the lock is
    // still ours).
    CUSTODY_ASSIGN(reloaded, load(directory, keys, true));
    loaded = std::move(reloaded);
    keys.bind(&loaded.state);
  }
  // R2: bytes a repair moved aside, with the crash before its signed entry.
  {
    for (const auto& name : unrecorded_torn(directory, loaded.state)) {
      if (!legal) {
        return make_error(Errc::auth,
                          "only a legal member can repair the ledger");
      }
      CUSTODY_ASSIGN(signing, keys.signing(loaded.state.signing_epoch));
      CUSTODY_ASSIGN(bytes,
                     fs::read_file(directory / "ledger" / name,
                                   ledger::k_segment_max_bytes + (1 << 20)));
      const std::size_t segment = std::stoul(name.substr(0, 6));
      std::error_code ec;
      const auto end = std::filesystem::file_size(
        directory / "ledger" / ledger::segment_name(segment), ec);
      CUSTODY_TRY(append_torn_tail(directory,
                                   loaded.tip,
                                   loaded.state,
                                   {segment, ec ? 0 : end},
                                   bytes.size(),
                                   sha256_hex(bytes),
                                   name,
                                   json::Json::array(),
                                   *signing,
                                   member));
      add(fmt::format(
        "recorded ledger/{}, {} bytes an interrupted repair had moved aside",
        name,
        bytes.size()));
      CUSTODY_ASSIGN(reloaded, load(directory, keys, true));
      loaded = std::move(reloaded);
      keys.bind(&loaded.state);
    }
  }
  CUSTODY_TRY(check_head(directory, loaded.tip, Access::write, notes));
  CUSTODY_TRY(check_vault_yaml(directory,
                               loaded.state,
                               loaded.committed_yaml,
                               Access::write,
                               true,
                               notes));
  // Key files no signed entry lists: every reader ignores them (docs/formats.md
  // 2.4); moved out of keys/, kept as evidence.
  std::vector<std::string> unlisted;
  std::error_code ec;
  for (const auto& item :
       std::filesystem::recursive_directory_iterator(directory / "keys", ec)) {
    const std::string relative =
      item.path().lexically_relative(directory).string();
    if (item.is_regular_file() && !loaded.state.key_files.contains(relative)
        && !item.path().filename().string().starts_with(fs::k_temp_prefix)) {
      unlisted.push_back(relative);
    }
  }
  for (const auto& relative : unlisted) {
    const fs::Path aside = directory / "unlisted" / relative;
    CUSTODY_TRY(fs::make_directories(aside.parent_path()));
    if (::rename((directory / relative).c_str(), aside.c_str()) != 0) {
      return tl::unexpected(
        fs::errno_error("move aside", directory / relative, errno));
    }
    CUSTODY_TRY(fs::fsync_directory(aside.parent_path()));
    notes.push_back(fmt::format(
      "key file {} is not listed by any signed admin entry; moved to "
      "unlisted/{}",
      relative,
      relative));
  }
  return repaired;
}

} // namespace custody::vault
