// verify: the invariants of docs/formats.md section 11 over the whole vault,
// and what --repair mends (a torn tail, vault.yaml, unlisted key files).

#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>
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

Result<VerifyReport>
verify(const fs::Path& directory,
       const identity::Member* member,
       const VerifyOptions& options)
{
  if (!std::filesystem::is_directory(directory / "ledger")) {
    return make_error(
      Errc::not_found,
      fmt::format("{} is not a custody vault (no ledger directory)", directory),
      "check --vault");
  }
  CUSTODY_ASSIGN(lock,
                 fs::Lock::acquire(directory / "lock",
                                   options.repair ? fs::LockMode::exclusive
                                                  : fs::LockMode::shared,
                                   options.wait));
  VerifyReport report;
  CUSTODY_TRY(check_strays(directory,
                           Objects::include,
                           options.repair ? Leftovers::remove : Leftovers::note,
                           report.notes));
  Keyring keys(directory, member);
  CUSTODY_ASSIGN(loaded, load(directory, keys, member != nullptr));
  keys.bind(&loaded.state);
  keys.allow_pending(false);
  report.admin_checked = member != nullptr;
  if (loaded.tip.torn) {
    const auto torn = *loaded.tip.torn;
    const std::string where = ledger::describe({torn.segment, torn.offset});
    if (!options.repair) {
      return make_error(
        Errc::corrupt,
        fmt::format("torn tail: {} bytes at {} are not a complete entry",
                    torn.length,
                    where),
        "a write was interrupted; `custody verify --repair` moves the bytes "
        "aside "
        "and records that in the ledger");
    }
    if (member == nullptr) {
      return make_error(Errc::usage,
                        "--repair needs a legal member's identity",
                        "pass --identity");
    }
    if (!loaded.state.members.contains(member->key_id())
        || loaded.state.members.at(member->key_id()).role != Role::legal) {
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
                                 *member));
    report.repaired =
      fmt::format("moved a torn tail of {} bytes at {} to ledger/{}",
                  cut.length,
                  ledger::describe({cut.segment, cut.offset}),
                  moved.moved_to);
    if (moved_entries > 0) {
      *report.repaired += fmt::format(
        "; it holds {} complete entr{} whose seal the crash tore away: the "
        "command that wrote them never finished, and nothing of it was kept "
        "(run it again)",
        moved_entries,
        moved_entries == 1 ? "y" : "ies");
    } else if (!unsealed.empty()) {
      *report.repaired +=
        fmt::format("; entries {} to {} lost their seal in it and are "
                    "recorded, unsealed, in the repair",
                    unsealed.front()["seq"].get<std::uint64_t>(),
                    unsealed.back()["seq"].get<std::uint64_t>());
    }
    // Check the repaired vault from the start, as any later verify will (the
    // lock is still ours).
    CUSTODY_ASSIGN(reloaded, load(directory, keys, true));
    loaded = std::move(reloaded);
    keys.bind(&loaded.state);
  }
  // R2: bytes a repair moved aside, with the crash before its signed entry.
  if (member != nullptr) {
    for (const auto& name : unrecorded_torn(directory, loaded.state)) {
      // Writers refuse until it is recorded, so it is a finding, as a torn
      // tail is.
      if (!options.repair) {
        return make_error(
          Errc::corrupt,
          fmt::format("ledger/{} holds bytes an interrupted repair moved "
                      "aside, and no signed entry records it yet",
                      name),
          "run `custody verify --repair` to record it");
      }
      if (loaded.state.members.at(member->key_id()).role != Role::legal) {
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
                                   *member));
      report.repaired = fmt::format(
        "{}recorded ledger/{}, {} bytes an interrupted repair had moved aside",
        report.repaired ? *report.repaired + "; " : std::string(),
        name,
        bytes.size());
      CUSTODY_ASSIGN(reloaded, load(directory, keys, true));
      loaded = std::move(reloaded);
      keys.bind(&loaded.state);
    }
    // invariant 21 (R7): every recorded torn tail is kept as recorded.
    for (const auto& [name, torn] : loaded.state.torn_files) {
      auto bytes = fs::read_file(directory / name,
                                 ledger::k_segment_max_bytes + (1 << 20));
      if (!bytes) {
        return make_error(
          Errc::corrupt,
          fmt::format("{}, the torn tail a signed repair moved aside, {}",
                      name,
                      bytes.error().code == Errc::not_found
                        ? std::string("is missing")
                        : bytes.error().message),
          "restore it from a backup: the ledger records its SHA-256");
      }
      if (bytes->size() != torn.length || sha256_hex(*bytes) != torn.sha256) {
        return make_error(
          Errc::corrupt,
          fmt::format("{} is not the torn tail its signed repair recorded "
                      "({} bytes, SHA-256 {})",
                      name,
                      torn.length,
                      torn.sha256),
          "restore it from a backup");
      }
    }
  }
  const Access access = options.repair ? Access::write : Access::read;
  CUSTODY_TRY(check_head(directory, loaded.tip, access, report.notes));
  if (member != nullptr) {
    if (!loaded.state.members.contains(member->key_id())) {
      return make_error(
        Errc::auth,
        fmt::format("your identity ({}) is not a member of this vault",
                    member->key_id()));
    }
    CUSTODY_TRY(check_signing_key(
      directory, loaded.state, options.known_vaults, report.notes));
    CUSTODY_TRY(check_seen_tip(directory,
                               loaded.state.vault_id,
                               member->key_id(),
                               loaded.tip,
                               options.known_vaults,
                               options.accept_rollback,
                               report.notes));
    CUSTODY_TRY(check_vault_yaml(directory,
                                 loaded.state,
                                 loaded.committed_yaml,
                                 access,
                                 options.repair,
                                 report.notes));
    CUSTODY_TRY(
      check_state_cache(directory, *member, keys, loaded, report.notes));
  } else {
    report.notes.push_back(
      "no identity given: seals, admin signatures, roles, vault.yaml and "
      "custody.pub were not checked (pass --identity)");
  }
  // invariant 8: every named object exists and matches its name; others are
  // reported.
  for (const Digest& name : loaded.objects) {
    const fs::Path path = store::object_path(directory, name);
    if (!options.hash_objects) {
      if (!std::filesystem::is_regular_file(path)) {
        return fail(Errc::corrupt,
                    "object {} named by the ledger is missing",
                    to_hex(name));
      }
      continue;
    }
    // Streamed: an attachment can be larger than memory.
    CUSTODY_TRY(store::check_object(directory, name, options.progress));
  }
  report.objects = loaded.objects.size();
  std::error_code ec;
  for (const auto& item : std::filesystem::recursive_directory_iterator(
         directory / "objects", ec)) {
    // Crash leftovers were noted (or removed) by check_strays.
    if (!item.is_regular_file()
        || item.path().filename().string().starts_with(fs::k_temp_prefix)) {
      continue;
    }
    const std::string name = item.path().parent_path().filename().string()
                             + item.path().filename().string();
    auto digest = digest_from_hex(name);
    if (!digest || !loaded.objects.contains(*digest)) {
      report.notes.push_back(
        fmt::format("object {} is not named by any entry (left by an "
                    "interrupted command; kept, not deleted)",
                    item.path().lexically_relative(directory)));
    }
  }
  // invariant 14: listed key files exist with their hash; unlisted ones are
  // reported.
  if (member != nullptr) {
    for (const auto& [path, hash] : loaded.state.key_files) {
      auto bytes = fs::read_file(directory / path, k_max_small_file);
      if (!bytes) {
        return fail(Errc::corrupt, "key file {} is missing", path);
      }
      if (sha256_hex(*bytes) != hash) {
        return fail(Errc::corrupt,
                    "key file {} does not match the hash its admin entry lists",
                    path);
      }
    }
    std::vector<std::string> unlisted;
    for (const auto& item : std::filesystem::recursive_directory_iterator(
           directory / "keys", ec)) {
      const std::string relative =
        item.path().lexically_relative(directory).string();
      if (item.is_regular_file() && !loaded.state.key_files.contains(relative)
          && !item.path().filename().string().starts_with(fs::k_temp_prefix)) {
        unlisted.push_back(relative);
      }
    }
    // Every reader ignores such a file (docs/formats.md 2.4); a repair moves
    // it out of keys/, kept as evidence.
    for (const auto& relative : unlisted) {
      if (!options.repair) {
        report.notes.push_back(fmt::format(
          "key file {} is not listed by any signed admin entry and is ignored "
          "(left by an interrupted command, or written by someone else; "
          "`custody verify --repair` moves it aside)",
          relative));
        continue;
      }
      const fs::Path aside = directory / "unlisted" / relative;
      CUSTODY_TRY(fs::make_directories(aside.parent_path()));
      if (::rename((directory / relative).c_str(), aside.c_str()) != 0) {
        return tl::unexpected(
          fs::errno_error("move aside", directory / relative, errno));
      }
      CUSTODY_TRY(fs::fsync_directory(aside.parent_path()));
      report.notes.push_back(fmt::format(
        "key file {} is not listed by any signed admin entry; moved to "
        "unlisted/{}",
        relative,
        relative));
    }
  }
  // invariants 16-18: checkpoints, against the vault key the signed ledger
  // names (custody.pub as found when there is no identity to read it with).
  std::optional<minisign::PublicKey> vault_key;
  if (member != nullptr) {
    CUSTODY_ASSIGN(
      key, minisign::PublicKey::from_base64(loaded.state.signing_public));
    vault_key = key;
  } else {
    CUSTODY_ASSIGN(pub_text,
                   fs::read_file(directory / "custody.pub", k_max_small_file));
    auto key = minisign::PublicKey::from_file_text(as_text(pub_text));
    if (!key) {
      return fail(Errc::corrupt, "custody.pub: {}", key.error().message);
    }
    vault_key = *key;
  }
  const std::string vault_id = member != nullptr ? loaded.state.vault_id : "";
  CUSTODY_ASSIGN(tree, checkpoint::load_tree(directory));
  CUSTODY_ASSIGN(
    checkpoints,
    checkpoint::check_all(
      directory, tree, *vault_key, vault_id, report.notes, options.tsa_ca));
  report.checkpoints = checkpoints;
  if (options.against) {
    CUSTODY_ASSIGN(against,
                   checkpoint::check_against(
                     directory, *options.against, tree, *vault_key, vault_id));
    report.against = std::move(against);
  }
  report.entries = loaded.tip.count;
  report.members = loaded.state.members.size();
  return report;
}

} // namespace custody::vault
