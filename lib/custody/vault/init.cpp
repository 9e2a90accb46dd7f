// init: a new vault built beside its directory and renamed into place, and
// what an interrupted init left behind (docs/formats.md section 2).

#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>
#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace custody::vault {

using namespace detail;

namespace {

json::Json
default_policy()
{
  json::Json roles = json::Json::object();
  for (Role role : {Role::legal, Role::data, Role::advocacy, Role::intake}) {
    json::Json names = json::Json::array();
    for (Compartment c : compartments_of(role)) {
      names.push_back(std::string(compartment_name(c)));
    }
    roles[std::string(role_name(role))] = names;
  }
  return {{"roles", roles},
          {"record_padding_min", store::k_min_padded_size},
          {"segment_bytes", ledger::k_segment_max_bytes},
          {"small_cell_floor", 5}};
}

// The directories init builds vaults in beside `target` (`target`.init-XXXXXX)
// whose lock nobody holds: a running init holds its own until the vault is in
// place, so these were left by one that was killed, and never become a vault.
std::vector<fs::Path>
stale_init_directories(const fs::Path& target)
{
  const fs::Path parent =
    target.has_parent_path() ? target.parent_path() : fs::Path(".");
  const std::string prefix = target.filename().string() + ".init-";
  std::vector<fs::Path> stale;
  std::error_code ec;
  std::filesystem::directory_iterator entries(parent, ec);
  for (; !ec && entries != std::filesystem::directory_iterator();
       entries.increment(ec)) {
    const fs::Path& path = entries->path();
    const std::string name = path.filename().string();
    std::error_code status_ec;
    if (name.size() != prefix.size() + 6 || !name.starts_with(prefix)
        || !std::filesystem::is_directory(
          std::filesystem::symlink_status(path, status_ec))) {
      continue;
    }
    const fs::Fd lock(
      ::open((path / "lock").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (lock.get() >= 0 && ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
      continue; // a running init's
    }
    stale.push_back(path);
  }
  return stale;
}

// Creates `path` holding `bytes`, durably, unless it holds exactly them
// already (the recovery identity an interrupted init left). `created` says
// whether this call named the file, so that a failed init removes only what
// it wrote.
Result<void>
create_or_keep(const fs::Path& path, ByteView bytes, bool& created)
{
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
    auto held = fs::read_file(path, bytes.size() + 1, fs::Origin::user);
    if (held && held->size() == bytes.size()
        && std::equal(held->begin(), held->end(), bytes.begin())) {
      return {};
    }
    return make_error(Errc::invalid_input,
                      fmt::format("{} already exists", path),
                      Remedy::choose_recovery_out);
  }
  auto made = fs::create_file_durably(path, bytes);
  // Errc::invalid_input: another process created it first; any other failure
  // may come after the link (syncing its directory).
  created = made || made.error().code != Errc::invalid_input;
  return made;
}

} // namespace

std::vector<std::string>
interrupted_init_members(const fs::Path& directory)
{
  std::vector<std::string> members;
  for (const auto& stale : stale_init_directories(directory)) {
    // init wraps the signing key to every member before it writes the
    // recovery identity.
    std::error_code ec;
    std::filesystem::directory_iterator files(stale / "keys" / "signing" / "0",
                                              ec);
    for (; !ec && files != std::filesystem::directory_iterator();
         files.increment(ec)) {
      if (files->path().extension() == ".age") {
        members.push_back(files->path().stem().string());
      }
    }
  }
  return members;
}

Result<InitResult>
init(const InitOptions& options, const identity::Member& creator)
{
  const fs::Path target = options.directory;
  if (std::filesystem::exists(target)
      && (!std::filesystem::is_directory(target)
          || !std::filesystem::is_empty(target))) {
    return make_error(
      Errc::invalid_input,
      fmt::format("{} exists and is not an empty directory", target),
      "choose a new directory for the vault");
  }
  const fs::Path parent =
    target.has_parent_path() ? target.parent_path() : fs::Path(".");
  if (!std::filesystem::is_directory(parent)) {
    return fail(Errc::not_found, "directory {} does not exist", parent);
  }
  // What an interrupted init left is never a vault: removed, so that it
  // neither accumulates nor confuses a later one.
  for (const auto& stale : stale_init_directories(target)) {
    std::error_code ignored;
    std::filesystem::remove_all(stale, ignored);
  }
  std::string pattern =
    (parent / (target.filename().string() + ".init-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return tl::unexpected(
      fs::errno_error("create a directory beside", target, errno));
  }
  const fs::Path dir(pattern);
  // The new vault's lock, held until the vault is in place: how a later init
  // tells this directory from one an interrupted init left. Its name is made
  // durable by the first file written beside it (custody.pub).
  std::optional<fs::Lock> building;
  auto built = [&]() -> Result<InitResult> {
    ::chmod(dir.c_str(), 0700);
    CUSTODY_ASSIGN(lock,
                   fs::Lock::acquire(dir / "lock",
                                     fs::LockMode::exclusive,
                                     std::chrono::milliseconds(0)));
    building.emplace(std::move(lock));
    AdminState state;
    state.vault_id = to_hex(random_bytes(16));
    state.policy = default_policy();

    // The members: the creator and the recovery holder, both legal.
    MemberRecord creator_record = member_from_card(creator.card(), Role::legal);
    MemberRecord recovery_record;
    if (options.recovery_member != nullptr) {
      recovery_record =
        member_from_card(options.recovery_member->card(), Role::legal);
    } else if (options.recovery_card) {
      recovery_record = member_from_card(*options.recovery_card, Role::legal);
    } else {
      return make_error(Errc::usage, "init needs a recovery holder");
    }
    if (recovery_record.key_id == creator_record.key_id) {
      return make_error(
        Errc::usage, "the recovery holder must be another identity than yours");
    }
    state.members[creator_record.key_id] = creator_record;
    state.members[recovery_record.key_id] = recovery_record;

    // The signing key and custody.pub.
    const minisign::SecretKey signing = minisign::SecretKey::generate();
    const minisign::PublicKey signing_public = signing.public_key();
    state.signing_public = signing_public.to_base64();
    const std::string pub_file = signing_public.to_file_text();
    CUSTODY_TRY(fs::write_file_atomic(dir / "custody.pub", as_bytes(pub_file)));

    // Compartment keys of epoch 0, wrapped to both members; the signing key
    // likewise.
    json::Json key_listing = json::Json::array();
    json::Json compartments = json::Json::object();
    Keyring keys(dir, &creator);
    for (Compartment c : k_compartments) {
      age::X25519Identity secret = age::X25519Identity::generate();
      const std::string recipient = secret.recipient().encode();
      state.compartments[c].current = 0;
      state.compartments[c].recipients[0] = recipient;
      compartments[std::string(compartment_name(c))] = {
        {"epoch", 0}, {"recipient", recipient}};
      const SecretBytes text =
        age::format_identity_file(secret, std::chrono::system_clock::now());
      for (const auto& [key_id, member] : state.members) {
        CUSTODY_ASSIGN(
          listing,
          write_key_file(
            dir, compartment_name(c), 0, key_id, member.age, text.view()));
        key_listing.push_back(listing);
      }
      keys.add(c, 0, std::move(secret));
    }
    CUSTODY_ASSIGN(signing_text, signing.to_unencrypted_file_text());
    for (const auto& [key_id, member] : state.members) {
      CUSTODY_ASSIGN(
        listing,
        write_key_file(
          dir, "signing", 0, key_id, member.age, signing_text.view()));
      key_listing.push_back(listing);
    }
    for (const auto& item : key_listing) {
      state.key_files[item["path"].get<std::string>()] =
        item["sha256"].get<std::string>();
    }

    json::Json members = json::Json::array();
    for (const auto& [key_id, member] : state.members) {
      members.push_back(member_json(member));
    }
    json::Json statement = {
      {"action", "init"},
      {"format", 1},
      {"signing_key", {{"epoch", 0}, {"public", state.signing_public}}},
      {"custody_pub_sha256", sha256_hex(as_bytes(pub_file))},
      {"compartments", compartments},
      {"members", members},
      {"policy", state.policy},
      {"policy_sha256", sha256_hex(as_bytes(json::canonical(state.policy)))},
      {"keys", key_listing}};
    if (!options.places.is_null()) {
      statement["places"] = options.places;
      state.places = options.places;
    }
    json::Json names = json::Json::object();
    if (!options.creator_name.empty()) {
      names[creator_record.key_id] = options.creator_name;
    }
    names[recovery_record.key_id] = options.recovery_name;
    json::Json private_fields = {{"names", names}};
    if (!options.organisation.empty()) {
      private_fields["organisation"] = options.organisation;
    }
    CUSTODY_TRY(fs::make_directories(dir / "ledger"));
    CUSTODY_TRY(fs::make_directories(dir / "objects"));
    CUSTODY_TRY(append_admin_entry(
      dir, ledger::Tip{}, state, statement, private_fields, signing, creator));
    return InitResult{state.vault_id,
                      state.signing_public,
                      creator_record.key_id,
                      recovery_record.key_id};
  }();
  std::vector<fs::Path> created;
  auto undo = [&] {
    std::error_code ignored;
    for (const auto& path : created) {
      std::filesystem::remove(path, ignored);
    }
    std::filesystem::remove_all(dir, ignored);
  };
  if (!built) {
    undo();
    return built;
  }
  // The recovery identity reaches the disk before the vault exists, and after
  // the vault is built: a later init recognises one a kill left behind by the
  // signing key wrapped to it in the directory above
  // (interrupted_init_members).
  if (options.recovery_member != nullptr && !options.recovery_out.empty()) {
    const std::string card = options.recovery_member->card().encode();
    const std::pair<fs::Path, ByteView> files[] = {
      {options.recovery_out, options.recovery_file},
      {fs::Path(options.recovery_out.string() + ".card"), as_bytes(card)}};
    for (const auto& [path, bytes] : files) {
      bool made = false;
      auto written = create_or_keep(path, bytes, made);
      if (made) {
        created.push_back(path);
      }
      if (!written) {
        undo();
        return tl::unexpected(written.error());
      }
    }
  }
  // rename(2) replaces an empty directory, so an empty target is taken over
  // atomically.
  if (auto step = fs::fault_point("rename vault into place", target); !step) {
    undo();
    return tl::unexpected(step.error());
  }
  if (::rename(dir.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    undo();
    return tl::unexpected(
      fs::errno_error("rename the new vault into", target, saved));
  }
  // From here the vault exists and needs its recovery identity: a failure to
  // sync is reported, and nothing is removed.
  CUSTODY_TRY(fs::fsync_directory(parent));
  return built;
}

} // namespace custody::vault
