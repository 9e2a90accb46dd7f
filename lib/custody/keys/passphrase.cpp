// Passphrase file parsing; the passphrase never leaves secure memory.
#include <custody/keys/passphrase.hpp>

#include <fmt/std.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace custody::passphrase {

namespace {

constexpr std::size_t k_max_passphrase_file = 64 * 1024;

} // namespace

Result<SecretBytes>
from_line(ByteView line)
{
  std::size_t length = line.size();
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\n') {
      length = i;
      break;
    }
  }
  if (length > 0 && line[length - 1] == '\r') {
    --length;
  }
  if (length == 0) {
    return make_error(Errc::invalid_input, "the passphrase is empty");
  }
  return SecretBytes::copy_of(line.subspan(0, length));
}

std::size_t
characters(ByteView passphrase)
{
  // Every byte but a UTF-8 continuation byte starts a character.
  std::size_t count = 0;
  for (const std::uint8_t byte : passphrase) {
    count += (byte & 0xc0U) == 0x80U ? 0 : 1;
  }
  return count;
}

Result<FromFile>
read_file(const fs::Path& path)
{
  // A pipe (`--passphrase-file <(...)`) is read with a bounded wait.
  auto input = fs::open_input(path, fs::Origin::user);
  if (!input) {
    return tl::unexpected(with_context(input.error(), "passphrase file"));
  }
  const fs::Fd owner(input->fd);
  const int fd = input->fd;
  struct stat st
  {
  };
  if (::fstat(fd, &st) != 0) {
    return tl::unexpected(fs::errno_error("stat passphrase file", path, errno));
  }
  // Read into secure memory directly: the passphrase must not pass through an
  // ordinary buffer.
  SecretBytes buffer(k_max_passphrase_file);
  std::size_t done = 0;
  while (done < buffer.size()) {
    CUSTODY_ASSIGN(n,
                   fs::read_input(*input,
                                  {buffer.data() + done, buffer.size() - done},
                                  path));
    if (n == 0) {
      break;
    }
    done += n;
  }
  auto line = from_line(ByteView(buffer.data(), done));
  if (!line) {
    return fail(Errc::invalid_input,
                "passphrase file {}: {}",
                path,
                line.error().message);
  }
  return FromFile{std::move(*line), (st.st_mode & (S_IRWXG | S_IRWXO)) != 0};
}

} // namespace custody::passphrase
