// Passphrase files: the rules of docs/decisions.md "Keys" (first line, one CR
// stripped, never empty).
#pragma once

#include <custody/crypto/secret.hpp>
#include <custody/sys/fs.hpp>

namespace custody::passphrase {

struct FromFile
{
  SecretBytes passphrase;
  bool readable_by_others = false; // the caller warns
};

// Reads the bytes up to the first LF (one trailing CR stripped). An empty
// passphrase is refused.
[[nodiscard]] Result<FromFile> read_file(const fs::Path& path);

// Applies the same rules to a line typed at a terminal.
[[nodiscard]] Result<SecretBytes> from_line(ByteView line);

// Below this many characters a new identity's passphrase draws a warning
// (docs/decisions.md "Keys"): scrypt slows a guesser down, it does not make a
// short passphrase long.
constexpr std::size_t k_short_passphrase = 12;

// The passphrase's length in characters (UTF-8 code points; a byte that is
// not UTF-8 counts as one).
std::size_t characters(ByteView passphrase);

} // namespace custody::passphrase
