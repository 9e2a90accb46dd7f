// Wires each subcommand's register function into the root app.
#include "commands.hpp"

namespace custody::cli {

void
register_commands(CLI::App& app, GlobalOptions& global, Action& action)
{
  (void)app;
  (void)global;
  (void)action;
}

} // namespace custody::cli
