// The registry of subcommands: each cmd/<command>.cpp contributes one
// register_<command>.
#pragma once

#include "common.hpp"

namespace custody::cli {

// Registers every subcommand on `app`; the one that parses sets `action`.
void register_commands(CLI::App& app, GlobalOptions& global, Action& action);

} // namespace custody::cli
