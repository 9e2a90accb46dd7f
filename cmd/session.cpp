// Identity unlocking shared by the subcommands.
#include "session.hpp"

#include "terminal.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/keys/agent.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <algorithm>
#include <optional>
#include <string_view>

namespace custody::cli {

namespace {

// Three tries on a terminal, as sudo and gpg give; a passphrase file is read
// once, since reading it again gives the same answer.
constexpr int k_terminal_tries = 3;

// What a command needs of the member's role, where her role alone can rule it
// out. Checked against vault.yaml before the passphrase is asked
// (vault::cached_role); the command's own checks on the signed state follow
// once the vault is open.
struct RoleNeed
{
  std::string_view command;
  bool (*allows)(vault::Role role);
  std::string_view refusal; // "{}" for the role
  std::string_view hint;
};

bool
holds(vault::Role role, vault::Compartment compartment)
{
  const auto held = vault::compartments_of(role);
  return std::find(held.begin(), held.end(), compartment) != held.end();
}

constexpr RoleNeed k_role_needs[] = {
  {"list",
   [](vault::Role role) { return holds(role, vault::Compartment::facts); },
   "your role ({}) cannot read records: `custody list` reads the facts "
   "compartment",
   "legal, data and advocacy members hold it; intake members record but "
   "cannot read back"},
  {"stats",
   [](vault::Role role) { return holds(role, vault::Compartment::facts); },
   "your role ({}) cannot read records: `custody stats` reads the facts "
   "compartment",
   "legal, data and advocacy members hold it"},
  {"show",
   [](vault::Role role) { return role != vault::Role::intake; },
   "your role ({}) cannot read records",
   "intake members record but cannot read back"},
  {"extract",
   [](vault::Role role) {
     // advocacy: the redacted derivatives released to it (extract --redacted)
     return holds(role, vault::Compartment::identity)
            || holds(role, vault::Compartment::aggressor);
   },
   "your role ({}) cannot open original media",
   "originals live in the identity compartment, which only legal members "
   "hold"},
  {"redact",
   [](vault::Role role) { return holds(role, vault::Compartment::identity); },
   "your role ({}) cannot redact: redaction reads the identity and "
   "narrative compartments",
   "a legal member redacts; advocacy members read what was released with "
   "`custody show --redacted` and `extract --redacted`"},
  {"export",
   [](vault::Role role) { return role != vault::Role::intake; },
   "your role ({}) cannot export: intake members record but do not read",
   "a legal member writes court bundles and police referrals; a legal or "
   "advocacy member bulletins"},
  {"terms",
   [](vault::Role role) { return holds(role, vault::Compartment::identity); },
   "your role ({}) cannot read the term list, which is kept in the identity "
   "compartment",
   "a legal member sets and reads it"},
  {"key add",
   [](vault::Role role) { return role == vault::Role::legal; },
   "your role ({}) cannot admit members",
   "a legal member, who holds the vault signing key, runs `custody key "
   "add`"},
};

// The member's card, written beside her identity by `key new`: public, so it
// tells her key id before the identity is unlocked.
std::optional<std::string>
key_id_beside(const std::filesystem::path& identity_file)
{
  auto bytes = fs::read_file(
    identity_file.string() + ".card", 64 * 1024, fs::Origin::user);
  if (!bytes) {
    return std::nullopt;
  }
  auto card = identity::parse_card(as_text(*bytes));
  if (!card) {
    return std::nullopt;
  }
  return card->key_id();
}

// What can be checked before a passphrase is asked: that --vault is a vault,
// and whether the member's role (as vault.yaml lists her card's key id) can
// do what the command asks at all.
Result<void>
check_before_passphrase(const GlobalOptions& global,
                        const std::filesystem::path& directory)
{
  CUSTODY_TRY(vault::check_vault_path(directory));
  if (global.identity.empty()) {
    return {};
  }
  for (const auto& need : k_role_needs) {
    if (need.command != global.command) {
      continue;
    }
    const auto key_id = key_id_beside(global.identity);
    if (!key_id) {
      return {};
    }
    const auto role = vault::cached_role(directory, *key_id);
    if (!role || need.allows(*role)) {
      return {};
    }
    return make_error(
      Errc::auth,
      fmt::format(fmt::runtime(need.refusal), vault::role_name(*role)),
      fmt::format("{} (vault.yaml lists your key {} as {}; `custody "
                  "verify` checks that file against the signed ledger)",
                  need.hint,
                  *key_id,
                  vault::role_name(*role)));
  }
  return {};
}

} // namespace

Result<identity::Member>
unlock_identity(const std::filesystem::path& file,
                const std::string& passphrase_file,
                Agent agent)
{
  auto bytes = fs::read_file(file, 64 * 1024, fs::Origin::user);
  if (!bytes) {
    return tl::unexpected(with_context(bytes.error(), "identity"));
  }
  if (!identity::is_encrypted(*bytes)) {
    auto member = identity::unlock(*bytes, {});
    if (!member) {
      return tl::unexpected(with_context(
        member.error(), fmt::format("identity {}", file.string())));
    }
    return member;
  }
  // A passphrase file given says how to unlock: the agent is not asked.
  if (agent == Agent::ask && passphrase_file.empty()) {
    auto held = agent::request(agent::socket_path(), sha256(*bytes));
    if (held && *held) {
      note(
        fmt::format("identity {} unlocked by `custody agent`", file.string()));
      return std::move(**held);
    }
    if (!held) {
      warn(
        fmt::format("custody agent was not asked: {}", held.error().message));
    }
  }
  const int tries = passphrase_file.empty() ? k_terminal_tries : 1;
  for (int tried = 1;; ++tried) {
    CUSTODY_ASSIGN(
      passphrase,
      get_passphrase(passphrase_file,
                     fmt::format("Passphrase for {}", file.string()),
                     Confirm::no));
    auto member = identity::unlock(*bytes, passphrase.view());
    if (member) {
      return member;
    }
    if (member.error().code != Errc::auth) {
      return tl::unexpected(with_context(
        member.error(), fmt::format("identity {}", file.string())));
    }
    if (tried >= tries) {
      return make_error(
        Errc::auth,
        tries == 1 ? fmt::format("wrong passphrase for identity {}", file)
                   : fmt::format(
                     "wrong passphrase for identity {}, {} times", file, tries),
        passphrase_file.empty() ? "run the command again to try again"
                                : "check --passphrase-file");
    }
    warn(fmt::format("wrong passphrase for {}; try again ({} {} left)",
                     file.string(),
                     tries - tried,
                     tries - tried == 1 ? "try" : "tries"));
  }
}

Result<std::optional<identity::Member>>
optional_member(const GlobalOptions& global)
{
  if (global.identity.empty()) {
    return std::optional<identity::Member>{};
  }
  if (!global.vault.empty()) {
    CUSTODY_TRY(check_before_passphrase(global, global.vault));
  }
  CUSTODY_ASSIGN(member,
                 unlock_identity(global.identity, global.passphrase_file));
  return std::optional<identity::Member>(std::move(member));
}

vault::OpenOptions
open_options(const GlobalOptions& global, vault::Access access)
{
  vault::OpenOptions options;
  options.access = access;
  options.wait = wait_of(global);
  if (!global.identity.empty()) {
    options.known_vaults = vault::known_vaults_for(global.identity);
  }
  options.accept_rollback = global.accept_rollback;
  return options;
}

Result<Session>
open_session(const GlobalOptions& global, vault::Access access)
{
  CUSTODY_ASSIGN(directory, require_vault(global));
  CUSTODY_ASSIGN(identity_file, require_identity(global));
  CUSTODY_TRY(check_before_passphrase(global, directory));
  CUSTODY_ASSIGN(unlocked,
                 unlock_identity(identity_file, global.passphrase_file));
  auto member = std::make_unique<identity::Member>(std::move(unlocked));
  vault::Notes notes;
  auto opened =
    vault::Vault::open(directory, *member, open_options(global, access), notes);
  print_notes(notes);
  if (!opened) {
    return tl::unexpected(opened.error());
  }
  return Session{std::move(member), std::move(*opened)};
}

std::string
timestamp_status(bool timestamped)
{
  return timestamped ? "RFC 3161 timestamp stored"
                     : "not independently timestamped";
}

void
end_with_checkpoint(const GlobalOptions& global, vault::Vault& vault)
{
  if (global.no_checkpoint) {
    return;
  }
  auto made = vault.make_checkpoint();
  if (!made) {
    // A member who does not hold the signing key (intake, data, advocacy) is
    // told nothing: she can do nothing about it, and the next checkpoint a
    // legal member signs covers her entries (docs/decisions.md).
    if (made.error().code != Errc::auth) {
      warn(fmt::format("the entries are written, but no checkpoint was "
                       "signed: {}",
                       made.error().message));
    }
    return;
  }
  note(fmt::format("checkpoint of {} entries signed: checkpoints/{} ({})",
                   made->checkpoint.size,
                   made->checkpoint.size,
                   timestamp_status(made->timestamped)));
}

void
add_no_checkpoint_flag(CLI::App& sub, GlobalOptions& global)
{
  sub.add_flag("--no-checkpoint",
               global.no_checkpoint,
               "Do not sign a checkpoint at the end");
}

void
print_notes(const vault::Notes& notes)
{
  for (const auto& item : notes) {
    note(to_string(item));
  }
}

} // namespace custody::cli
