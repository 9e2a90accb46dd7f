// The member's state cache, index/<key id>/state.age: the replayed admin
// state at a sealed position, so that opening a vault replays only what was
// appended since (docs/formats.md 10.2).

#include <custody/ledger/cache_file.hpp>
#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>

namespace custody::vault::detail {

namespace {

constexpr std::uint64_t k_max_state_file = 64 * 1024 * 1024;

// The state cache, index/<key id>/state.age (docs/formats.md 10.2): the
// replayed admin state at a sealed ledger position, so that opening a vault
// replays only what was appended since. Encrypted to the member herself and
// MAC'd with a key derived from her own identity: a file anyone else wrote
// fails the MAC and is replaced by a replay. `verify` never uses it.
constexpr cache_file::Kind k_state_file{"custody-state-v2\n",
                                        "custody/v1/member-state-mac"};

fs::Path
state_cache_path(const fs::Path& vault, const std::string& key_id)
{
  return member_cache_directory(vault, key_id) / "state.age";
}

json::Json
state_to_json(const AdminState& state,
              const std::map<std::uint64_t, std::string>& committed_yaml)
{
  json::Json compartments = json::Json::object();
  for (const auto& [c, keys] : state.compartments) {
    json::Json recipients = json::Json::object();
    for (const auto& [epoch, recipient] : keys.recipients) {
      recipients[std::to_string(epoch)] = recipient;
    }
    compartments[std::string(compartment_name(c))] = {
      {"current", keys.current}, {"recipients", recipients}};
  }
  json::Json members = json::Json::array();
  for (const auto& [key_id, member] : state.members) {
    json::Json item = member_json(member);
    item["admitted_seq"] = member.admitted_seq;
    members.push_back(item);
  }
  json::Json torn_json = json::Json::object();
  for (const auto& [name, torn] : state.torn_files) {
    torn_json[name] = {{"length", torn.length}, {"sha256", torn.sha256}};
  }
  json::Json yaml = json::Json::object();
  for (const auto& [seq, text] : committed_yaml) {
    yaml[std::to_string(seq)] = text;
  }
  return {{"vault", state.vault_id},
          {"admin_seq", state.admin_seq},
          {"signing_public", state.signing_public},
          {"custody_pub_sha256", state.custody_pub_sha256},
          {"signing_epoch", state.signing_epoch},
          {"compartments", compartments},
          {"members", members},
          {"policy", state.policy},
          {"places", state.places},
          {"key_files", state.key_files},
          {"torn_files", torn_json},
          {"terms_seq", state.terms_seq},
          {"committed_yaml", yaml}};
}

std::uint64_t
parse_count(const std::string& text)
{
  std::size_t used = 0;
  const auto value = std::stoull(text, &used);
  if (used != text.size()) {
    throw std::invalid_argument("not a number");
  }
  return value;
}

// The cache was written by a member (its MAC says so), but a reader still
// refuses anything malformed rather than trusting it.
Result<std::pair<AdminState, std::map<std::uint64_t, std::string>>>
state_from_json(const json::Json& body)
{
  try {
    AdminState state;
    state.vault_id = body.at("vault").get<std::string>();
    state.admin_seq = body.at("admin_seq").get<std::uint64_t>();
    state.signing_public = body.at("signing_public").get<std::string>();
    state.custody_pub_sha256 = body.at("custody_pub_sha256").get<std::string>();
    state.signing_epoch = body.at("signing_epoch").get<std::uint32_t>();
    for (Compartment c : k_compartments) {
      const json::Json& keys =
        body.at("compartments").at(std::string(compartment_name(c)));
      CompartmentKeys& out = state.compartments[c];
      out.current = keys.at("current").get<std::uint32_t>();
      for (const auto& [epoch, recipient] : keys.at("recipients").items()) {
        out.recipients[static_cast<std::uint32_t>(parse_count(epoch))] =
          recipient.get<std::string>();
      }
      if (!out.recipients.contains(out.current)) {
        return fail(Errc::corrupt, "no recipient for the current epoch");
      }
    }
    for (const auto& item : body.at("members")) {
      CUSTODY_ASSIGN(
        member,
        parse_member(item, item.at("admitted_seq").get<std::uint64_t>()));
      state.members[member.key_id] = member;
    }
    state.policy = body.at("policy");
    state.places = body.at("places");
    state.key_files =
      body.at("key_files").get<std::map<std::string, std::string>>();
    for (const auto& [name, torn] : body.at("torn_files").items()) {
      state.torn_files[name] = {torn.at("length").get<std::uint64_t>(),
                                torn.at("sha256").get<std::string>()};
    }
    state.terms_seq = body.value("terms_seq", std::uint64_t{0});
    std::map<std::uint64_t, std::string> committed;
    for (const auto& [seq, text] : body.at("committed_yaml").items()) {
      committed[parse_count(seq)] = text.get<std::string>();
    }
    return std::make_pair(std::move(state), std::move(committed));
  } catch (const std::exception&) {
    return fail(Errc::corrupt, "malformed state");
  }
}

struct CachedState
{
  ledger::Resume resume;
  AdminState state;
  std::map<std::uint64_t, std::string> committed_yaml;
};

// Reads a valid state cache; nullopt (with a note saying why, unless it is
// simply absent) when there is none worth trusting.
Result<std::optional<CachedState>>
read_state_cache(const fs::Path& vault,
                 const identity::Member& member,
                 Notes& notes)
{
  const fs::Path path = state_cache_path(vault, member.key_id());
  auto file = fs::read_file(path, k_max_state_file);
  if (!file) {
    if (file.error().code == Errc::not_found) {
      return std::optional<CachedState>();
    }
    return tl::unexpected(file.error());
  }
  auto reject =
    [&](std::string_view why) -> Result<std::optional<CachedState>> {
    notes.push_back(fmt::format("{} {}; the ledger was replayed from the start",
                                path.lexically_relative(vault).string(),
                                why));
    return std::optional<CachedState>();
  };
  auto opened = cache_file::open(k_state_file, *file, member.age_identity());
  if (!opened) {
    return reject(opened.error().message);
  }
  auto body = json::parse_canonical(as_text(opened->body));
  if (!body) {
    return reject("is malformed");
  }
  auto restored = state_from_json(*body);
  const auto position = cache_file::position_of(opened->header);
  if (!restored || !position || position->count == 0
      || restored->first.vault_id
           != cache_file::string_field(opened->header, "vault")) {
    return reject("is malformed");
  }
  CachedState cached;
  cached.resume = *position;
  cached.state = std::move(restored->first);
  cached.committed_yaml = std::move(restored->second);
  return std::optional<CachedState>(std::move(cached));
}

} // namespace

Result<void>
write_state_cache(const fs::Path& vault,
                  const identity::Member& member,
                  const Loaded& loaded)
{
  const std::string body =
    json::canonical(state_to_json(loaded.state, loaded.committed_yaml));
  json::Json header =
    cache_file::position_json(ledger::resume_point(loaded.tip));
  header["vault"] = loaded.state.vault_id;
  header["member"] = member.key_id();
  CUSTODY_ASSIGN(
    file,
    cache_file::seal(
      k_state_file, header, as_bytes(body), member.age_identity()));
  const fs::Path path = state_cache_path(vault, member.key_id());
  CUSTODY_TRY(fs::make_directories(path.parent_path()));
  return fs::write_file_atomic(path, file);
}

Result<Loaded>
load_with_cache(const fs::Path& vault,
                Keyring& keys,
                const identity::Member& member,
                Access access,
                bool save,
                Notes& notes)
{
  CUSTODY_ASSIGN(cached, read_state_cache(vault, member, notes));
  std::optional<Loaded> loaded;
  std::uint64_t replayed = 0;
  if (cached) {
    ledger::ChainChecker chain(cached->resume.count, cached->resume.last_hash);
    Replay replay(
      vault, keys, std::move(cached->state), std::move(cached->committed_yaml));
    CUSTODY_ASSIGN(
      tip,
      ledger::scan_after(
        vault, cached->resume, [&](const ledger::Line& line) -> Result<void> {
          CUSTODY_ASSIGN(entry, chain.next(line));
          ++replayed;
          return replay.entry(entry, chain.last_hash(), line.location);
        }));
    if (tip) {
      CUSTODY_ASSIGN(done, finish_load(vault, *tip, replay));
      loaded = std::move(done);
    } else {
      notes.push_back(
        fmt::format("{} names a position that is not an entry of this "
                    "ledger; the ledger was replayed from the start",
                    state_cache_path(vault, member.key_id())
                      .lexically_relative(vault)
                      .string()));
    }
  }
  if (!loaded) {
    CUSTODY_ASSIGN(full, load(vault, keys, true));
    loaded = std::move(full);
    replayed = loaded->tip.count;
  }
  // A writer saves the cache once its work is durable
  // (Vault::save_state_cache), so that a command refused for bad input leaves
  // the vault exactly as it was.
  if (save && access == Access::read && replayed > 0 && !loaded->tip.torn) {
    if (auto saved = write_state_cache(vault, member, *loaded); !saved) {
      notes.push_back(fmt::format("could not save your state cache: {}",
                                  saved.error().message));
    }
  }
  return std::move(*loaded);
}

Result<void>
check_state_cache_file(const fs::Path& vault, const identity::Member& member)
{
  Notes read_notes;
  CUSTODY_TRY(read_state_cache(vault, member, read_notes));
  if (!read_notes.empty()) {
    return make_error(
      Errc::corrupt,
      fmt::format("your state cache {}", read_notes.front().text),
      "only you can write it: find out who can write the vault's index "
      "directory; the next command writes it again");
  }
  return {};
}

Result<void>
check_state_cache(const fs::Path& vault,
                  const identity::Member& member,
                  Keyring& keys,
                  const Loaded& loaded,
                  Notes& notes)
{
  const std::string name =
    state_cache_path(vault, member.key_id()).lexically_relative(vault).string();
  Notes read_notes;
  CUSTODY_ASSIGN(cached, read_state_cache(vault, member, read_notes));
  if (!read_notes.empty()) {
    return make_error(
      Errc::corrupt,
      fmt::format("your state cache {}", read_notes.front().text),
      "only you can write it: find out who can write the vault's index "
      "directory; the next command writes it again");
  }
  if (!cached) {
    return {};
  }
  if (cached->resume.count > loaded.tip.count) {
    // Saved by a command of hers that ran after this check's snapshot.
    notes.push_back(fmt::format(
      "{} is newer than the ledger this check read; not compared", name));
    return {};
  }
  ledger::ChainChecker chain(cached->resume.count, cached->resume.last_hash);
  Replay replay(
    vault, keys, std::move(cached->state), std::move(cached->committed_yaml));
  auto tip = ledger::scan_after(
    vault,
    cached->resume,
    [&](const ledger::Line& line) -> Result<void> {
      CUSTODY_ASSIGN(entry, chain.next(line));
      return replay.entry(entry, chain.last_hash(), line.location);
    },
    loaded.tip.count);
  keys.bind(&loaded.state);
  if (!tip) {
    return tl::unexpected(tip.error());
  }
  if (!*tip) {
    notes.push_back(fmt::format("{} names a position that is not an entry of "
                                "this ledger (a restored backup?); the next "
                                "command replaces it",
                                name));
    return {};
  }
  if (json::canonical(state_to_json(replay.state(), replay.committed_yaml()))
      != json::canonical(state_to_json(loaded.state, loaded.committed_yaml))) {
    return make_error(
      Errc::corrupt,
      fmt::format("your state cache {} disagrees with the signed ledger", name),
      "only you can write it: find out who can write the vault's index "
      "directory; delete the file and the next command writes it again");
  }
  return {};
}

} // namespace custody::vault::detail

namespace custody::vault {

fs::Path
member_cache_directory(const fs::Path& vault, const std::string& key_id)
{
  return vault / "index" / key_id;
}

} // namespace custody::vault
