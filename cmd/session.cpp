// Identity unlocking shared by the subcommands.
#include "session.hpp"

#include "terminal.hpp"

#include <custody/sys/fs.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

namespace custody::cli {

Result<identity::Member>
unlock_identity(const std::filesystem::path& file,
                const std::string& passphrase_file)
{
  auto bytes = fs::read_file(file, 64 * 1024, fs::Origin::user);
  if (!bytes) {
    return tl::unexpected(with_context(bytes.error(), "identity"));
  }
  if (!identity::is_encrypted(*bytes)) {
    return identity::unlock(*bytes, {});
  }
  CUSTODY_ASSIGN(passphrase,
                 get_passphrase(passphrase_file,
                                fmt::format("Passphrase for {}", file.string()),
                                Confirm::no));
  auto member = identity::unlock(*bytes, passphrase.view());
  if (!member && member.error().code == Errc::auth) {
    return make_error(Errc::auth,
                      fmt::format("wrong passphrase for identity {}", file),
                      "check --passphrase-file, or type it again");
  }
  if (!member) {
    return tl::unexpected(
      with_context(member.error(), fmt::format("identity {}", file.string())));
  }
  return member;
}

Result<std::optional<identity::Member>>
optional_member(const GlobalOptions& global)
{
  if (global.identity.empty()) {
    return std::optional<identity::Member>{};
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
    if (made.error().code == Errc::auth) {
      note("no checkpoint: your identity does not hold the vault signing key; "
           "the next checkpoint a legal member signs covers these entries");
    } else {
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
