// Everything that talks to the user's terminal: passphrase prompts without
// echo.
#pragma once

#include "common.hpp"

#include <custody/crypto/secret.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace custody::cli {

enum class Confirm { no, yes };

// The passphrase from `--passphrase-file` (warning when others can read it),
// else from the terminal without echo. With neither, Errc::usage with a hint:
// never a hang on a closed stdin.
[[nodiscard]] Result<SecretBytes> get_passphrase(
  const std::string& passphrase_file, std::string_view prompt, Confirm confirm);

// A passphrase from an explicit file only (for secondary identities such as the
// recovery one).
[[nodiscard]] Result<SecretBytes>
get_passphrase_from(const std::string& passphrase_file,
                    std::string_view what,
                    std::string_view option,
                    Confirm confirm);

// One line typed at the terminal after `question` (on standard error), its
// CR dropped; nullopt at the end of input.
std::optional<std::string> ask_line(const std::string& question);

// Whether an answer to a [y/N] question is yes.
bool is_yes(const std::optional<std::string>& answer);

} // namespace custody::cli
