// The custody binary: parses the command line, dispatches, and alone turns
// errors into exit codes.
#include "commands.hpp"
#include "common.hpp"
#include "output.hpp"
#include "usage.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/sys/hardening.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <exception>
#include <new>
#include <string_view>

namespace custody::cli {

static const char* k_exit_status_help = R"(Exit status:
  0    success
  1    a check found problems (verify, a tampered vault or bundle)
  2    usage error
  3    bad input (a malformed or invalid file, an unknown id)
  4    the vault is busy or locked
  5    wrong key or passphrase, or your keys do not open what is needed
  6    I/O or system error (disk full, permission)
  70   internal error
  130  interrupted)";

// Whether --json is among the arguments (before a "--"), for a command line
// CLI11 refused before it set the flag: the error then comes as JSON too.
static bool
mentions_json(int argc, char** argv)
{
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument(argv[i]);
    if (argument == "--") {
      return false;
    }
    if (argument == "--json") {
      return true;
    }
  }
  return false;
}

// `json` tells main whether an exception that escapes is printed as JSON.
static int
run(int argc, char** argv, bool& json)
{
  CLI::App app{"custody: an encrypted, hash-chained evidence vault", "custody"};
  app.footer(k_exit_status_help);
  app.set_version_flag("--version", std::string("custody ") + CUSTODY_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions global;
  app.add_option("--vault", global.vault, "Vault directory")
    ->envname("CUSTODY_VAULT");
  app.add_option("--identity", global.identity, "Your member identity file")
    ->envname("CUSTODY_IDENTITY");
  app
    .add_option("--passphrase-file",
                global.passphrase_file,
                "Read the identity's passphrase from this file (first line)")
    ->envname("CUSTODY_PASSPHRASE_FILE");
  app
    .add_option(
      "--wait", global.wait_seconds, "Seconds to wait for another writer")
    ->capture_default_str();
  app.add_flag(
    "--accept-rollback",
    global.accept_rollback,
    "Accept a ledger shorter than, or diverging from, the one you "
    "last saw (a backup restored on purpose; logged in known_tips.log "
    "beside your identity)");
  app.add_flag("-q,--quiet",
               global.quiet,
               "Print no notes and no progress (warnings and errors still)");

  Action action;
  register_commands(app, global, action);
  show_global_options(app);

  json = mentions_json(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help and version itself and reports them as "errors" with
    // status 0.
    if (e.get_exit_code() == 0) {
      return app.exit(e);
    }
    // A misspelt name is the likeliest mistake, and CLI11 reports it only as
    // an argument it did not expect.
    print_error(
      unknown_name(app, argc, argv)
        .value_or(
          Error{Errc::usage, e.what(), "run with --help for more information"}),
      json);
    return 2;
  }
  json = global.json;
  set_quiet(global.quiet);
  global.command = parsed_command(app);
  if (!action) {
    print_error(Error{Errc::usage, "no command given", "run `custody --help`"},
                json);
    return 2;
  }
  auto result = action();
  if (!result) {
    print_error(result.error(), json);
    return exit_status(result.error().code);
  }
  return *result == Outcome::ok ? 0 : 1;
}

} // namespace custody::cli

int
main(int argc, char** argv)
{
  custody::harden_process();
  custody::raise_descriptor_limit();
  custody::keep_freed_memory();
  if (auto init = custody::crypto_init(); !init) {
    fmt::print(stderr, "custody: error: {}\n", init.error().message);
    return 70;
  }
  bool json = false;
  try {
    return custody::cli::run(argc, argv, json);
  } catch (const std::bad_alloc&) {
    custody::cli::print_error({custody::Errc::internal, "out of memory", {}},
                              json);
    return 70;
  } catch (const std::exception& e) {
    // A std::filesystem error names paths: escaped like every message (R14).
    custody::cli::print_error({custody::Errc::internal,
                               fmt::format("internal error: {}", e.what()),
                               {}},
                              json);
    return 70;
  }
}
