// The snapshot and the ledger check verify runs (check.hpp).
#include <custody/crypto/crypto.hpp>
#include <custody/vault/check.hpp>
#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

namespace custody::vault {

using namespace detail;

namespace {

Result<Snapshot>
take_listings(const fs::Path& directory, const ledger::Tip& tip)
{
  Snapshot snapshot;
  snapshot.tip = tip;
  CUSTODY_ASSIGN(listing, checkpoint::list(directory));
  snapshot.checkpoints = std::move(listing);
  std::error_code ec;
  for (const auto& item : std::filesystem::recursive_directory_iterator(
         directory / "objects", ec)) {
    // Crash leftovers were noted by check_strays.
    if (item.is_regular_file()
        && !item.path().filename().string().starts_with(fs::k_temp_prefix)) {
      snapshot.object_files.push_back(
        item.path().lexically_relative(directory));
    }
  }
  for (const auto& item :
       std::filesystem::recursive_directory_iterator(directory / "keys", ec)) {
    if (item.is_regular_file()
        && !item.path().filename().string().starts_with(fs::k_temp_prefix)) {
      snapshot.key_files.push_back(
        item.path().lexically_relative(directory).string());
    }
  }
  return snapshot;
}

} // namespace

Result<LedgerCheck>
check_ledger(const fs::Path& directory,
             const identity::Member* member,
             const CheckOptions& options,
             Notes& notes)
{
  CUSTODY_TRY(require_vault_directory(directory));
  LedgerCheck out;
  {
    // The snapshot. Writers wait for this lock at most their --wait (5 s):
    // nothing here decrypts more than what the member's state cache lacks.
    CUSTODY_ASSIGN(lock,
                   fs::Lock::acquire(
                     directory / "lock", fs::LockMode::shared, options.wait));
    if (auto strays =
          check_strays(directory, Objects::include, Leftovers::note, notes);
        !strays) {
      return tl::unexpected(breaking(22, strays.error()));
    }
    ledger::Tip tip;
    if (member != nullptr) {
      // Her state cache as found, before anything reads it: only she writes
      // it, so a forged or damaged one is a finding (the open would replay
      // around it).
      CUSTODY_TRY(check_state_cache_file(directory, *member));
      OpenOptions open;
      open.access = Access::read;
      open.wait = options.wait;
      open.known_vaults = options.known_vaults;
      open.accept_rollback = options.accept_rollback;
      open.save_caches = false;
      CUSTODY_ASSIGN(opened, Vault::open(directory, *member, open, notes));
      tip = opened.tip();
      out.vault.emplace(std::move(opened));
    } else {
      CUSTODY_ASSIGN(scanned, ledger::scan(directory, [](const ledger::Line&) {
                       return Result<void>{};
                     }));
      tip = scanned;
      if (!tip.torn) {
        if (auto head = check_head(directory, tip, Access::read, notes);
            !head) {
          return tl::unexpected(breaking(6, head.error()));
        }
      }
    }
    CUSTODY_ASSIGN(snapshot, take_listings(directory, tip));
    out.snapshot = std::move(snapshot);
    if (out.vault) {
      CUSTODY_TRY(out.vault->release_lock());
    }
  }
  const ledger::Tip& tip = out.snapshot.tip;
  if (tip.torn) {
    const auto& torn = *tip.torn;
    return tl::unexpected(breaking(
      2,
      Error{Errc::corrupt,
            fmt::format("torn tail: {} bytes at {} are not a complete entry",
                        torn.length,
                        ledger::describe({torn.segment, torn.offset})),
            {},
            Remedy::repair_torn_tail}));
  }
  Keyring keys(directory, member);
  CUSTODY_ASSIGN(loaded, load(directory, keys, member != nullptr, tip.count));
  keys.bind(&loaded.state);
  keys.allow_pending(false);
  if (loaded.tip.count != tip.count || loaded.tip.last_hash != tip.last_hash) {
    return fail(Errc::corrupt,
                "the ledger's first {} entries changed while they were "
                "checked (entry {} no longer has the hash it had)",
                tip.count,
                tip.count == 0 ? 0 : tip.count - 1);
  }
  out.admin_checked = member != nullptr;
  if (member != nullptr) {
    // R2: bytes a repair moved aside, with the crash before its signed entry.
    // Writers refuse until it is recorded, so it is a finding, as a torn
    // tail is.
    if (const auto unrecorded = unrecorded_torn(directory, loaded.state);
        !unrecorded.empty()) {
      return tl::unexpected(breaking(
        21,
        Error{Errc::corrupt,
              fmt::format("ledger/{} holds bytes an interrupted repair moved "
                          "aside, and no signed entry records it yet",
                          unrecorded.front()),
              {},
              Remedy::record_with_repair}));
    }
    // invariant 21 (R7): every recorded torn tail is kept as recorded.
    for (const auto& [name, torn] : loaded.state.torn_files) {
      auto bytes = fs::read_file(directory / name,
                                 ledger::k_segment_max_bytes + (1 << 20));
      if (!bytes) {
        return tl::unexpected(breaking(
          21,
          Error{Errc::corrupt,
                fmt::format("{}, the torn tail a signed repair moved aside, {}",
                            name,
                            bytes.error().code == Errc::not_found
                              ? std::string("is missing")
                              : bytes.error().message),
                "restore it from a backup: the ledger records its SHA-256"}));
      }
      if (bytes->size() != torn.length || sha256_hex(*bytes) != torn.sha256) {
        return tl::unexpected(
          breaking(21,
                   Error{Errc::corrupt,
                         fmt::format(
                           "{} is not the torn tail its signed repair recorded "
                           "({} bytes, SHA-256 {})",
                           name,
                           torn.length,
                           torn.sha256),
                         "restore it from a backup"}));
      }
    }
    CUSTODY_TRY(check_state_cache(directory, *member, keys, loaded, notes));
    // invariant 23: no record named twice; her own copy of the list agrees.
    if (loaded.records_error) {
      return tl::unexpected(*loaded.records_error);
    }
    if (loaded.records) {
      CUSTODY_TRY(check_record_cache(directory,
                                     *member,
                                     loaded.state.vault_id,
                                     *loaded.records,
                                     tip,
                                     notes));
      out.records = std::move(loaded.records);
    }
    // invariant 14: listed key files exist with their hash; unlisted ones are
    // reported.
    for (const auto& [path, hash] : loaded.state.key_files) {
      auto bytes = fs::read_file(directory / path, k_max_small_file);
      if (!bytes) {
        return tl::unexpected(breaking(
          14,
          Error{
            Errc::corrupt, fmt::format("key file {} is missing", path), {}}));
      }
      if (sha256_hex(*bytes) != hash) {
        return tl::unexpected(breaking(
          14,
          Error{Errc::corrupt,
                fmt::format(
                  "key file {} does not match the hash its admin entry lists",
                  path),
                {}}));
      }
    }
    // Every reader ignores such a file (docs/formats.md 2.4); a repair moves
    // it out of keys/, kept as evidence.
    for (const auto& relative : out.snapshot.key_files) {
      if (!loaded.state.key_files.contains(relative)) {
        notes.push_back(fmt::format(
          "key file {} is not listed by any signed admin entry and is ignored "
          "(left by an interrupted command, or written by someone else; "
          "`custody verify --repair` moves it aside)",
          relative));
      }
    }
  } else {
    notes.push_back(
      "no identity given: seals, admin signatures, roles, vault.yaml and "
      "custody.pub were not checked (pass --identity)");
  }
  out.state = std::move(loaded.state);
  out.objects = std::move(loaded.objects);
  return out;
}

} // namespace custody::vault
