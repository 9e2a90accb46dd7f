// Passphrase prompts on /dev/tty with echo off.
#include "terminal.hpp"

#include <custody/keys/passphrase.hpp>

#include <fmt/core.h>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <iostream>

namespace custody::cli {

namespace {

// Reads one line from the terminal with echo off, restoring the terminal even
// on error.
Result<SecretBytes>
read_tty_line(int fd, std::string_view prompt)
{
  // Echo goes off before the prompt is shown, as getpass does: what is typed
  // once the prompt is there is never echoed, nor flushed away.
  termios saved{};
  const bool is_tty = tcgetattr(fd, &saved) == 0;
  if (is_tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  fmt::print(stderr, "{}", prompt);
  (void)std::fflush(stderr);
  SecretBytes buffer(4096);
  std::size_t done = 0;
  bool newline = false;
  while (done < buffer.size() && !newline) {
    std::uint8_t c = 0;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    buffer.data()[done++] = c;
    newline = c == '\n';
  }
  if (is_tty) {
    tcsetattr(fd, TCSAFLUSH, &saved);
  }
  if (!newline) {
    return make_error(Errc::interrupted, "no passphrase entered");
  }
  return passphrase::from_line(ByteView(buffer.data(), done));
}

Result<SecretBytes>
from_file(const std::string& path)
{
  CUSTODY_ASSIGN(read, passphrase::read_file(path));
  if (read.readable_by_others) {
    warn(fmt::format(
      "passphrase file \"{}\" is readable by others; run `chmod 600 {}`",
      path,
      path));
  }
  return std::move(read.passphrase);
}

} // namespace

Result<SecretBytes>
get_passphrase(const std::string& passphrase_file,
               std::string_view prompt,
               Confirm confirm)
{
  if (!passphrase_file.empty()) {
    return from_file(passphrase_file);
  }
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return make_error(
      Errc::usage,
      "a passphrase is needed but there is no terminal to ask on",
      "pass --passphrase-file FILE or set CUSTODY_PASSPHRASE_FILE");
  }
  auto first = read_tty_line(fd, fmt::format("{}: ", prompt));
  if (first && confirm == Confirm::yes) {
    auto second = read_tty_line(fd, "Repeat it: ");
    if (!second) {
      ::close(fd);
      return tl::unexpected(second.error());
    }
    if (!equal_constant_time(first->view(), second->view())) {
      ::close(fd);
      return make_error(Errc::invalid_input, "the passphrases do not match");
    }
  }
  ::close(fd);
  return first;
}

Result<SecretBytes>
get_passphrase_from(const std::string& passphrase_file,
                    std::string_view what,
                    std::string_view option,
                    Confirm confirm)
{
  if (!passphrase_file.empty()) {
    return from_file(passphrase_file);
  }
  return get_passphrase(
    {}, fmt::format("Passphrase for {} (or use {})", what, option), confirm);
}

std::optional<std::string>
ask_line(const std::string& question)
{
  std::cerr << question << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    return std::nullopt;
  }
  if (!answer.empty() && answer.back() == '\r') {
    answer.pop_back();
  }
  return answer;
}

bool
is_yes(const std::optional<std::string>& answer)
{
  return answer && !answer->empty()
         && ((*answer)[0] == 'y' || (*answer)[0] == 'Y');
}

} // namespace custody::cli
