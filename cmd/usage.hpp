// The command line as a whole: what a misspelt command or option was most
// likely meant to be, the global options shown in every command's --help, and
// the name of the command that parsed.
#pragma once

#include <custody/base/error.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace custody::cli {

// The first command or option on the command line that `root` does not know,
// as a usage error with the nearest known name ("unknown command \"lsit\"; did
// you mean \"list\"?"); nothing when every name is known (the mistake is
// elsewhere: a missing value, a missing argument).
[[nodiscard]] std::optional<Error>
unknown_name(const CLI::App& root, int argc, const char* const* argv);

// Adds the root's options (--vault, --identity, ...) to the help of every
// subcommand, under "Global options", so that `custody list --help` shows
// all a command accepts. Called once every subcommand is registered.
void show_global_options(CLI::App& root);

// The command that parsed, its words joined by a space ("key add"); empty
// when none did.
std::string parsed_command(const CLI::App& root);

} // namespace custody::cli
