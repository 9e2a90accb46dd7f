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

} // namespace custody::passphrase
