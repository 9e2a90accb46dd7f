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

struct Error
{
  Errc code;
  std::string message;
  std::string hint;
  // For a finding (Errc::corrupt): the invariant of docs/formats.md section 11
  // it breaks, where the check knows it (verify's report gives it).
  std::optional<int> invariant = std::nullopt;
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

// Prefixes the message with where the error happened: "record 17: hash
// mismatch".
inline Error
with_context(Error error, std::string_view context)
{
  error.message = fmt::format("{}: {}", context, error.message);
  return error;
}

} // namespace custody

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
