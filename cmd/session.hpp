// Unlocking the acting member's identity and opening the vault with it.
#pragma once

#include "common.hpp"

#include <custody/keys/identity.hpp>
#include <custody/vault/vault.hpp>

#include <memory>
#include <optional>

namespace custody::cli {

// Whether an identity may come from a running `custody agent`.
enum class Agent { ask, skip };

// Reads and unlocks an identity file: from `custody agent` when one holds it
// and no passphrase file is given, else asking for its passphrase when it is
// encrypted (three tries on a terminal, one from a file).
[[nodiscard]] Result<identity::Member>
unlock_identity(const std::filesystem::path& file,
                const std::string& passphrase_file,
                Agent agent = Agent::ask);

// The acting member (from --identity), or nothing when no identity was given.
[[nodiscard]] Result<std::optional<identity::Member>>
optional_member(const GlobalOptions& global);

vault::OpenOptions open_options(const GlobalOptions& global,
                                vault::Access access);

void print_notes(const vault::Notes& notes);

// The acting member (--identity, unlocked) and the vault (--vault) opened with
// them, the notes of opening printed. The member lives on the heap because the
// vault refers to it.
struct Session
{
  std::unique_ptr<identity::Member> member;
  vault::Vault vault;
};
[[nodiscard]] Result<Session> open_session(const GlobalOptions& global,
                                           vault::Access access);

// How a command that changed the vault ends (docs/decisions.md "Checkpoints"):
// a signed checkpoint when the member holds the vault signing key, unless
// --no-checkpoint. The command's entries are durable already, so a checkpoint
// that cannot be made is a warning, never a failure of the command.
void end_with_checkpoint(const GlobalOptions& global, vault::Vault& vault);

// Registers --no-checkpoint on a subcommand that writes.
void add_no_checkpoint_flag(CLI::App& sub, GlobalOptions& global);

// "not independently timestamped" unless a matching RFC 3161 token is stored.
std::string timestamp_status(bool timestamped);

} // namespace custody::cli
