// What an open and verify check beside the replay: ledger/HEAD, custody.pub
// and the member's pin, vault.yaml, stray files, torn tails moved aside, and
// the tip she last saw (docs/formats.md 2.5, 2.6 and section 11).

#include <custody/crypto/crypto.hpp>
#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

namespace custody::vault::detail {

Result<void>
require_vault_directory(const fs::Path& vault)
{
  if (!std::filesystem::is_directory(vault / "ledger")) {
    return make_error(
      Errc::not_found,
      fmt::format("{} is not a custody vault (no ledger directory)", vault),
      Remedy::check_vault);
  }
  return {};
}

Result<void>
check_signing_key(const fs::Path& vault,
                  const AdminState& state,
                  const std::optional<fs::Path>& known_vaults,
                  Notes& notes)
{
  auto pub_text = fs::read_file(vault / "custody.pub", k_max_small_file);
  if (!pub_text) {
    return fail(Errc::corrupt, "custody.pub: {}", pub_text.error().message);
  }
  auto public_key = minisign::PublicKey::from_file_text(as_text(*pub_text));
  if (!public_key || public_key->to_base64() != state.signing_public) {
    return make_error(
      Errc::corrupt,
      "custody.pub is not the vault signing key the signed ledger names",
      "restore custody.pub from a backup; the signed init entry is "
      "authoritative");
  }
  // The init statement commits to the whole file, its comment line too (R8).
  if (sha256_hex(*pub_text) != state.custody_pub_sha256) {
    return make_error(
      Errc::corrupt,
      "custody.pub was changed: its key is the signed one, but the file is "
      "not the one the signed init entry committed to (its comment line?)",
      "restore custody.pub from a backup; the signed init entry is "
      "authoritative");
  }
  if (!known_vaults) {
    return {};
  }
  auto pins = fs::read_file(*known_vaults, k_max_small_file, fs::Origin::user);
  if (pins) {
    const std::string_view text = as_text(*pins);
    std::size_t start = 0;
    while (start < text.size()) {
      auto end = text.find('\n', start);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      const std::string_view line = text.substr(start, end - start);
      start = end + 1;
      if (line.starts_with(state.vault_id + " ")) {
        if (line.substr(state.vault_id.size() + 1) != state.signing_public) {
          return make_error(
            Errc::corrupt,
            fmt::format(
              "vault {} is signed by {}, but you pinned it with another "
              "key in {}",
              state.vault_id,
              state.signing_public,
              *known_vaults),
            "this is not the vault you joined, or its trust root was replaced");
        }
        return {};
      }
    }
  } else if (pins.error().code != Errc::not_found) {
    return tl::unexpected(pins.error());
  }
  CUSTODY_TRY(pin(*known_vaults, state.vault_id, state.signing_public));
  notes.push_back(
    fmt::format("pinned vault {} with signing key {}: compare it with the key "
                "lodged when the vault was created",
                state.vault_id,
                state.signing_public));
  return {};
}

Result<void>
check_vault_yaml(const fs::Path& vault,
                 const AdminState& state,
                 const std::map<std::uint64_t, std::string>& committed,
                 Access access,
                 bool repair,
                 Notes& notes)
{
  const std::string expected = state.vault_yaml();
  auto actual = fs::read_file(vault / "vault.yaml", k_max_small_file);
  if (actual && as_text(*actual) == expected) {
    return {};
  }
  bool stale = false;
  if (actual) {
    for (const auto& [seq, text] : committed) {
      stale = stale || (seq < state.admin_seq && as_text(*actual) == text);
    }
  }
  if (!stale && !(actual || actual.error().code == Errc::not_found)) {
    return tl::unexpected(actual.error());
  }
  if (!stale && actual && repair) {
    // Someone changed it: keep what they wrote, as evidence, and write the
    // signed state again.
    std::string stamp = ledger::now_rfc3339();
    std::erase(stamp, ':');
    const std::string aside = fmt::format("vault.yaml.rejected-{}", stamp);
    CUSTODY_TRY(fs::write_file_atomic(vault / aside, *actual));
    CUSTODY_TRY(write_vault_yaml(vault, state));
    notes.push_back(fmt::format("vault.yaml disagreed with the signed ledger: "
                                "kept as {} and written again",
                                aside));
    return {};
  }
  if (!stale && actual) {
    return make_error(Errc::corrupt,
                      "vault.yaml disagrees with the signed ledger",
                      Remedy::repair_vault_yaml);
  }
  if (access == Access::write) {
    CUSTODY_TRY(write_vault_yaml(vault, state));
    notes.push_back("vault.yaml was stale or missing (an interrupted command) "
                    "and was rebuilt");
  } else {
    notes.push_back("vault.yaml is stale or missing (an interrupted command); "
                    "the next writing "
                    "command rebuilds it");
  }
  return {};
}

Result<void>
check_strays(const fs::Path& vault,
             Objects objects,
             Leftovers leftovers,
             Notes& notes)
{
  fs::Strays found = fs::find_strays(vault, fs::Recurse::no);
  for (const char* sub :
       {"ledger", "checkpoints", "index", "drafts", "keys", "objects"}) {
    if (objects == Objects::skip && std::string_view(sub) == "objects") {
      continue;
    }
    auto more = fs::find_strays(vault / sub, fs::Recurse::yes);
    found.irregular.insert(
      found.irregular.end(), more.irregular.begin(), more.irregular.end());
    found.leftovers.insert(
      found.leftovers.end(), more.leftovers.begin(), more.leftovers.end());
  }
  if (!found.irregular.empty()) {
    const auto& first = found.irregular.front();
    const std::size_t more = found.irregular.size() - 1;
    return make_error(
      Errc::corrupt,
      fmt::format("{} is {}, not a regular file; a vault holds only regular "
                  "files and directories{}",
                  first.path.lexically_relative(vault).string(),
                  first.kind,
                  more == 0 ? std::string()
                            : fmt::format(" ({} more such)", more)),
      Remedy::remove_and_verify);
  }
  std::size_t removed = 0;
  for (const auto& path : found.leftovers) {
    const std::string name = path.lexically_relative(vault).string();
    std::error_code ec;
    if (leftovers == Leftovers::remove) {
      removed += std::filesystem::remove(path, ec) ? 1 : 0;
    } else if (name.starts_with("objects/")) {
      notes.push_back(fmt::format("{} was left by an interrupted command; "
                                  "`custody verify --repair` removes it",
                                  name));
    } else {
      notes.push_back(fmt::format("{} was left by an interrupted command; "
                                  "the next writer or `custody verify "
                                  "--repair` removes it",
                                  name));
    }
  }
  if (removed > 0) {
    notes.push_back(fmt::format(
      "removed {} temporary file{} an interrupted command left (.tmp-*)",
      removed,
      removed == 1 ? "" : "s"));
  }
  return {};
}

std::set<std::string>
recorded_torn(const AdminState& state)
{
  std::set<std::string> names;
  for (const auto& [path, torn] : state.torn_files) {
    names.insert(fs::Path(path).filename().string());
  }
  return names;
}

std::vector<std::string>
unrecorded_torn(const fs::Path& vault, const AdminState& state)
{
  static const std::regex k_torn_name(R"([0-9]{6}\.torn(\.[0-9]+)?)");
  const auto recorded = recorded_torn(state);
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& item :
       std::filesystem::directory_iterator(vault / "ledger", ec)) {
    const std::string name = item.path().filename().string();
    if (std::regex_match(name, k_torn_name) && !recorded.contains(name)) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

std::string
seen_tip_key(const std::string& vault_id, const std::string& key_id)
{
  return vault_id + " " + key_id + " ";
}

Result<std::optional<SeenTip>>
read_seen_tip(const fs::Path& file,
              const std::string& vault_id,
              const std::string& key_id)
{
  auto text = fs::read_file(file, k_max_small_file, fs::Origin::user);
  if (!text) {
    if (text.error().code == Errc::not_found) {
      return std::optional<SeenTip>();
    }
    return tl::unexpected(text.error());
  }
  const std::string key = seen_tip_key(vault_id, key_id);
  std::istringstream lines{std::string(as_text(*text))};
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with(key)) {
      continue;
    }
    std::istringstream fields(line.substr(key.size()));
    SeenTip seen;
    std::string hash;
    if (!(fields >> seen.count >> hash >> seen.last.segment >> seen.last.offset
          >> seen.time)
        || seen.count == 0) {
      return fail(Errc::corrupt,
                  "{}: the line for vault {} is malformed",
                  file,
                  vault_id);
    }
    CUSTODY_ASSIGN_CTX(digest, digest_from_hex(hash), fs::Path(file).string());
    seen.hash = digest;
    return std::optional<SeenTip>(seen);
  }
  return std::optional<SeenTip>();
}

} // namespace

Result<void>
remember_tip(const fs::Path& file,
             const std::string& vault_id,
             const std::string& key_id,
             const SeenTip& seen)
{
  CUSTODY_ASSIGN(lock,
                 fs::Lock::acquire(fs::Path(file.string() + ".lock"),
                                   fs::LockMode::exclusive,
                                   std::chrono::milliseconds(5000)));
  std::string kept;
  if (auto text = fs::read_file(file, k_max_small_file, fs::Origin::user);
      text) {
    std::istringstream lines{std::string(as_text(*text))};
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && !line.starts_with(seen_tip_key(vault_id, key_id))) {
        kept += line + "\n";
      }
    }
  } else if (text.error().code != Errc::not_found) {
    return tl::unexpected(text.error());
  }
  kept += fmt::format("{}{} {} {} {} {}\n",
                      seen_tip_key(vault_id, key_id),
                      seen.count,
                      to_hex(seen.hash),
                      seen.last.segment,
                      seen.last.offset,
                      seen.time);
  return fs::write_file_atomic(file, as_bytes(kept));
}

Result<void>
check_seen_tip(const fs::Path& vault,
               const std::string& vault_id,
               const std::string& key_id,
               const ledger::Tip& tip,
               const std::optional<fs::Path>& known_vaults,
               bool accept_rollback,
               Notes& notes)
{
  if (!known_vaults || tip.count == 0) {
    return {};
  }
  const fs::Path file = known_tips_for(*known_vaults);
  CUSTODY_ASSIGN(seen, read_seen_tip(file, vault_id, key_id));
  CUSTODY_ASSIGN(last, ledger::read_entry_at(vault, tip.last_entry));
  const std::string now_time = last ? last->entry.time : std::string("?");
  bool kept = true;
  if (seen) {
    if (seen->count > tip.count) {
      kept = false;
    } else {
      CUSTODY_ASSIGN(there, ledger::read_entry_at(vault, seen->last));
      kept = there && there->entry.seq == seen->count - 1
             && there->hash == seen->hash;
    }
  }
  if (!kept && !accept_rollback) {
    return make_error(
      Errc::corrupt,
      fmt::format("possible rollback: you last saw vault {} with {} entries "
                  "(the last written {}); it now has {} entries (the last "
                  "written {}){}",
                  vault_id,
                  seen->count,
                  seen->time,
                  tip.count,
                  now_time,
                  seen->count > tip.count
                    ? ""
                    : ", and entry " + std::to_string(seen->count - 1)
                        + " is not the one you saw"),
      Remedy::accept_rollback,
      fmt::format("{}", fs::Path(file.string() + ".log")));
  }
  if (!kept) {
    CUSTODY_TRY(fs::append_durably(
      fs::Path(file.string() + ".log"),
      as_bytes(fmt::format(
        "{} vault {} member {}: accepted a ledger of {} entries (last {}) in "
        "place of the {} entries last seen (last {})\n",
        ledger::now_rfc3339(),
        vault_id,
        key_id,
        tip.count,
        to_hex(tip.last_hash),
        seen->count,
        to_hex(seen->hash)))));
    notes.push_back(
      fmt::format("accepted a ledger of {} entries where you last saw {}; "
                  "logged in {}",
                  tip.count,
                  seen->count,
                  fs::Path(file.string() + ".log")));
  }
  if (!tip.torn && (!kept || !seen || tip.count > seen->count)) {
    CUSTODY_TRY(remember_tip(
      file,
      vault_id,
      key_id,
      SeenTip{tip.count, tip.last_hash, tip.last_entry, now_time}));
  }
  return {};
}

Result<void>
check_head(const fs::Path& vault,
           const ledger::Tip& tip,
           Access access,
           Notes& notes)
{
  CUSTODY_ASSIGN(head, ledger::read_head(vault));
  if (!head) {
    return make_error(Errc::corrupt, "ledger/HEAD is missing");
  }
  if (head->seq == tip.count - 1 && head->hash == tip.last_hash) {
    return {};
  }
  if (head->seq >= tip.count - 1) {
    return make_error(
      Errc::corrupt,
      fmt::format(
        "ledger/HEAD names entry {} with hash {}, but the last entry is "
        "{} with hash {}",
        head->seq,
        to_hex(head->hash),
        tip.count - 1,
        to_hex(tip.last_hash)),
      "the last ledger line or HEAD was altered");
  }
  // A lagging HEAD must still match the entry it names.
  Digest named{};
  std::uint64_t seen = 0;
  CUSTODY_TRY(
    ledger::scan(vault, [&](const ledger::Line& line) -> Result<void> {
      if (seen++ == head->seq) {
        named = ledger::entry_hash(line.text);
      }
      return {};
    }).map([](auto&&) {}));
  if (named != head->hash) {
    return fail(
      Errc::corrupt,
      "ledger/HEAD names entry {} with a hash that entry does not have",
      head->seq);
  }
  if (access == Access::write) {
    CUSTODY_TRY(fs::write_file_atomic(
      vault / "ledger" / "HEAD",
      as_bytes(ledger::encode_head({tip.count - 1, tip.last_hash}))));
    notes.push_back(fmt::format(
      "ledger/HEAD lagged at entry {} (an interrupted command) and was "
      "brought forward to entry {}",
      head->seq,
      tip.count - 1));
  } else {
    notes.push_back(
      fmt::format("ledger/HEAD lags at entry {}; the ledger has {} entries (an "
                  "interrupted command; the next writer brings it forward)",
                  head->seq,
                  tip.count));
  }
  return {};
}

} // namespace custody::vault::detail

namespace custody::vault {

fs::Path
known_vaults_for(const fs::Path& identity_file)
{
  const fs::Path parent = identity_file.parent_path();
  return (parent.empty() ? fs::Path(".") : parent) / "known_vaults";
}

Result<void>
pin(const fs::Path& known_vaults,
    const std::string& vault_id,
    const std::string& signing_public)
{
  return fs::append_durably(
    known_vaults, as_bytes(fmt::format("{} {}\n", vault_id, signing_public)));
}

fs::Path
known_tips_for(const fs::Path& known_vaults)
{
  return known_vaults.parent_path() / "known_tips";
}

} // namespace custody::vault
