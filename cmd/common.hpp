// What every subcommand shares: global options, the Outcome it returns, error
// printing.
#pragma once

#include <custody/base/error.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace custody::cli {

// Declared once on the root app; CLI11 lets them appear before or after the
// subcommand.
struct GlobalOptions
{
  std::string vault;            // --vault or CUSTODY_VAULT
  std::string identity;         // --identity or CUSTODY_IDENTITY
  std::string passphrase_file;  // --passphrase-file or CUSTODY_PASSPHRASE_FILE
  double wait_seconds = 5.0;    // --wait
  bool json = false;            // --json, where the command prints data
  bool no_checkpoint = false;   // --no-checkpoint, on commands that write
  bool accept_rollback = false; // --accept-rollback: a restored backup
  bool quiet = false;           // -q/--quiet: no notes (warnings do print)
  // The command that parsed, as typed ("list", "key add"): open_session checks
  // what it needs of the member's role before asking for a passphrase.
  std::string command;
};

enum class Outcome { ok, problems_found };

using Action = std::function<Result<Outcome>()>;

// The vault directory, or exit 2: the current directory is never used
// implicitly.
Result<std::filesystem::path> require_vault(const GlobalOptions& global);
Result<std::filesystem::path> require_identity(const GlobalOptions& global);

// custody-media, the keyless child that reads and redacts untrusted media
// (cmd/media/main.cpp), found where it is installed relative to this binary
// (CUSTODY_MEDIA_HELPER: ../libexec/custody/custody-media, the same in the
// build tree). Never searched for on PATH or named by the environment: the
// child is given decrypted photos. Errc::internal when it is not there.
Result<std::filesystem::path> media_helper();

// The required positional argument `name` that names a record (an id or a
// unique prefix of one), with the same help in every command.
CLI::Option*
add_record_argument(CLI::App& sub, const std::string& name, std::string& id);

// The --wait option as a duration.
std::chrono::milliseconds wait_of(const GlobalOptions& global);

// Checks a scrypt work factor for a new identity (10-22, exit 2 outside) and
// warns below 15.
[[nodiscard]] Result<void> check_work_factor(int work_factor);

// `text` with terminal control characters (C0 but tab, DEL, and bytes that are
// not UTF-8) written as \xNN and C1 controls as \u00NN, so that a file name,
// path or text a hostile sender chose cannot clear a screen or rewrite what a
// member reads (R14). Every message, note, listed name and free text printed
// for a person goes through it; JSON output is escaped by JSON itself.
std::string printable(std::string_view text);

// Prints "custody: warning: ..." to standard error.
void warn(const std::string& message);
// Prints "custody: ..." to standard error, unless -q/--quiet.
void note(const std::string& message);
// -q/--quiet: notes and progress are not printed; warnings and errors are.
void set_quiet(bool quiet);
bool quiet();

} // namespace custody::cli
