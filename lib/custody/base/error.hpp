// Error values the library returns instead of printing or exiting; cmd/main.cpp
// maps them to exit codes.
#pragma once

#include <fmt/core.h>
#include <tl/expected.hpp>

#include <optional>
#include <string>
#include <utility>

namespace custody {

// Each code maps to one documented exit status (docs/decisions.md,
// man/custody.1).
enum class Errc {
  usage,         // 2: the command line is wrong
  invalid_input, // 3: a malformed or invalid file, unknown id, foreign response
  not_found,     // 3: a named thing does not exist
  corrupt, // 1: the vault failed a check (tampering, torn tail, broken chain)
  locked,  // 4: another writer holds the vault
  auth,    // 5: wrong passphrase, or the keys do not open what is needed
  io,      // 6: the system refused (disk full, permission)
  interrupted, // 130
  internal,    // 70: a bug
  unsafe,      // 1: figures that cannot be published without disclosing someone
};

// The code's name as `--json` errors give it (schemas/output/error.json).
constexpr std::string_view
errc_name(Errc code)
{
  switch (code) {
  case Errc::usage:
    return "usage";
  case Errc::invalid_input:
    return "invalid_input";
  case Errc::not_found:
    return "not_found";
  case Errc::corrupt:
    return "corrupt";
  case Errc::locked:
    return "locked";
  case Errc::auth:
    return "auth";
  case Errc::io:
    return "io";
  case Errc::interrupted:
    return "interrupted";
  case Errc::internal:
    return "internal";
  case Errc::unsafe:
    return "unsafe";
  }
  return "internal";
}

// The documented exit status of each code (docs/decisions.md, man/custody.1):
// append only, never renumber. Applied by cmd/main.cpp alone in the binary, and
// by the test tools.
constexpr int
exit_status(Errc code)
{
  switch (code) {
  case Errc::corrupt:
  case Errc::unsafe:
    return 1;
  case Errc::usage:
    return 2;
  case Errc::invalid_input:
  case Errc::not_found:
    return 3;
  case Errc::locked:
    return 4;
  case Errc::auth:
    return 5;
  case Errc::io:
    return 6;
  case Errc::internal:
    return 70;
  case Errc::interrupted:
    return 130;
  }
  return 70;
}

// What a person can do about an error when that means running a custody
// command or passing a flag. The library names the step; cmd/ words it
// (cmd/output.cpp), so that lib/ never spells the command line and one change
// of a flag's name is one change in cmd/. Append only: cmd/ words each value.
enum class Remedy {
  none,
  check_vault,             // pass the right --vault, or create a vault
  create_vault,            // the directory holds no ledger yet
  pass_identity,           // the step needs a member's identity
  wait_longer,             // another writer holds the lock
  accept_rollback,         // a kept checkpoint, or accept a restored backup
  choose_recovery_out,     // the recovery identity file exists
  remove_and_verify,       // remove what was put in the vault, verify again
  run_verify,              // verify finds the first entry that differs
  run_verify_repair,       // a repair moves the file aside
  record_with_repair,      // a repair records what was moved aside
  repair_vault_yaml,       // a repair sets vault.yaml aside and rewrites it
  repair_torn_tail,        // a repair moves an interrupted write aside
  ask_to_be_admitted,      // a legal member admits you
  ask_legal_key_add,       // only a legal member admits members
  ask_legal_checkpoint,    // only a legal member signs checkpoints
  make_checkpoint,         // the checkpoint asked for does not exist
  compare_kept_checkpoint, // a checkpoint kept outside shows the original
  use_record_id,           // the id that recording printed
  use_key_new_card,        // the card a new identity came with
  ask_key_show,            // a fresh copy of the member's card
  set_places,              // the vault has no places list
  ask_legal_policy,        // only a legal member signs the policy
  coarser_release,         // fewer or coarser tables might pass the audit
  allow_duplicate,         // record it anyway, if it is another incident
  same_method,             // a release series keeps its disclosure method
  set_redaction_policy,    // a legal member names the phone regions
  propose_and_approve,     // an export a second member approves first
  timestamp_later,         // a checkpoint can be timestamped afterwards
  list_entries,            // the log lists the entries and their kinds
};

struct Error
{
  Errc code;
  std::string message;
  // Advice in the library's words, never naming a command or a flag (a test,
  // tests/checks/hints.py, holds lib/ to it). With a remedy, only what cmd/
  // cannot know (a file name, what the step will do), which cmd/'s wording of
  // the remedy places.
  std::string hint;
  Remedy remedy = Remedy::none;
  // For Errc::corrupt: the numbered invariant (man/custody-vault.5) whose check
  // failed, 0 when the check has no number or the code does not know it.
  int invariant = 0;
};

// `error`, marked as breaking `invariant`.
inline Error
breaking(int invariant, Error error)
{
  error.invariant = invariant;
  return error;
}

template<typename T> using Result = tl::expected<T, Error>;

inline tl::unexpected<Error>
make_error(Errc code, std::string message, std::string hint = {})
{
  return tl::unexpected<Error>(
    Error{code, std::move(message), std::move(hint)});
}

template<typename... Args>
tl::unexpected<Error>
fail(Errc code, fmt::format_string<Args...> format, Args&&... args)
{
  return make_error(code, fmt::format(format, std::forward<Args>(args)...));
}

inline tl::unexpected<Error>
make_error(Errc code, std::string message, Remedy remedy, std::string hint = {})
{
  return tl::unexpected<Error>(
    Error{code, std::move(message), std::move(hint), remedy});
}

// A failed check of the numbered invariant `invariant` (Errc::corrupt).
inline tl::unexpected<Error>
broken(int invariant, std::string message, std::string hint = {})
{
  return tl::unexpected<Error>(Error{Errc::corrupt,
                                     std::move(message),
                                     std::move(hint),
                                     Remedy::none,
                                     invariant});
}

// Marks a corrupt error with the invariant whose check found it, unless a
// deeper check already named a more precise one; other errors pass unchanged.
inline Error
with_invariant(Error error, int invariant)
{
  if (error.code == Errc::corrupt && error.invariant == 0) {
    error.invariant = invariant;
  }
  return error;
}

template<typename T>
Result<T>
checking(int invariant, Result<T> result)
{
  if (!result) {
    return tl::unexpected<Error>(
      with_invariant(std::move(result.error()), invariant));
  }
  return result;
}

// Prefixes the message with where the error happened: "record 17: hash
// mismatch".
inline Error
with_context(Error error, std::string_view context)
{
  error.message = fmt::format("{}: {}", context, error.message);
  return error;
}

} // namespace custody

// `var` names a variable the macros declare, so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)

// Evaluates a Result-returning expression; on error returns it from the
// enclosing function.
#define CUSTODY_TRY(expr)                                                      \
  do {                                                                         \
    auto custody_try_result_ = (expr);                                         \
    if (!custody_try_result_) {                                                \
      return tl::unexpected<::custody::Error>(                                 \
        std::move(custody_try_result_.error()));                               \
    }                                                                          \
  } while (false)

// As CUSTODY_TRY, with `context` prefixed to the message.
#define CUSTODY_TRY_CTX(expr, context)                                         \
  do {                                                                         \
    auto custody_try_result_ = (expr);                                         \
    if (!custody_try_result_) {                                                \
      return tl::unexpected<::custody::Error>(::custody::with_context(         \
        std::move(custody_try_result_.error()), (context)));                   \
    }                                                                          \
  } while (false)

// Declares `var` from a Result-returning expression, or returns its error.
#define CUSTODY_ASSIGN(var, expr)                                              \
  auto var##_result_ = (expr);                                                 \
  if (!var##_result_) {                                                        \
    return tl::unexpected<::custody::Error>(std::move(var##_result_.error())); \
  }                                                                            \
  auto var = std::move(*var##_result_)

#define CUSTODY_ASSIGN_CTX(var, expr, context)                                 \
  auto var##_result_ = (expr);                                                 \
  if (!var##_result_) {                                                        \
    return tl::unexpected<::custody::Error>(                                   \
      ::custody::with_context(std::move(var##_result_.error()), (context)));   \
  }                                                                            \
  auto var = std::move(*var##_result_)

// NOLINTEND(bugprone-macro-parentheses)
