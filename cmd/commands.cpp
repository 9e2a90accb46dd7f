// Wires each subcommand's register function into the root app.
#include "commands.hpp"

namespace custody::cli {

void register_agent(CLI::App& app, GlobalOptions& global, Action& action);
void register_approve(CLI::App& app, GlobalOptions& global, Action& action);
void register_attach(CLI::App& app, GlobalOptions& global, Action& action);
void register_edit(CLI::App& app, GlobalOptions& global, Action& action);
void register_extract(CLI::App& app, GlobalOptions& global, Action& action);
void register_export(CLI::App& app, GlobalOptions& global, Action& action);
void register_checkpoint(CLI::App& app, GlobalOptions& global, Action& action);
void register_init(CLI::App& app, GlobalOptions& global, Action& action);
void register_key(CLI::App& app, GlobalOptions& global, Action& action);
void register_list(CLI::App& app, GlobalOptions& global, Action& action);
void register_log(CLI::App& app, GlobalOptions& global, Action& action);
void register_policy(CLI::App& app, GlobalOptions& global, Action& action);
void register_prove(CLI::App& app, GlobalOptions& global, Action& action);
void register_record(CLI::App& app, GlobalOptions& global, Action& action);
void register_redact(CLI::App& app, GlobalOptions& global, Action& action);
void register_show(CLI::App& app, GlobalOptions& global, Action& action);
void register_stats(CLI::App& app, GlobalOptions& global, Action& action);
void register_terms(CLI::App& app, GlobalOptions& global, Action& action);
void register_verify(CLI::App& app, GlobalOptions& global, Action& action);

void
register_commands(CLI::App& app, GlobalOptions& global, Action& action)
{
  register_agent(app, global, action);
  register_approve(app, global, action);
  register_attach(app, global, action);
  register_edit(app, global, action);
  register_extract(app, global, action);
  register_export(app, global, action);
  register_checkpoint(app, global, action);
  register_init(app, global, action);
  register_key(app, global, action);
  register_list(app, global, action);
  register_log(app, global, action);
  register_policy(app, global, action);
  register_prove(app, global, action);
  register_record(app, global, action);
  register_redact(app, global, action);
  register_show(app, global, action);
  register_stats(app, global, action);
  register_terms(app, global, action);
  register_verify(app, global, action);
}

} // namespace custody::cli
