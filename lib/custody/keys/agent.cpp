// The agent's socket, its peer check, its requests and answers.
//
// The protocol is one request line and one answer per connection, in text:
//   "identity <sha256 hex of the identity file>\n" ->
//   "ok\n<AGE-SECRET-KEY-1...>\n"
//                                                    or "none\n"
//   "status\n" -> "held <key id> <seconds left>\n"
//   "stop\n"   -> "stopped\n", after which the agent wipes the identity and
//                 exits
#include <custody/keys/agent.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace custody::agent {

namespace {

// A request or answer line is short; the secret line is 74 characters.
constexpr std::size_t k_max_line = 256;
// How long one connection may take to send its request or read its answer: a
// client that stalls must not keep the agent from others, nor from expiring.
constexpr int k_io_timeout_ms = 2000;

Error
socket_error(std::string_view operation, const fs::Path& path, int error)
{
  return fs::errno_error(operation, path, error);
}

Result<sockaddr_un>
address_of(const fs::Path& path)
{
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path.string();
  if (text.size() >= sizeof(address.sun_path)) {
    return make_error(
      Errc::invalid_input,
      fmt::format("the agent's socket path {} is too long for a Unix socket",
                  path),
      "set XDG_RUNTIME_DIR to a shorter directory");
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  return address;
}

// Waits until `fd` is ready for `events`, at most the I/O timeout.
bool
ready(int fd, short events)
{
  pollfd waiting{fd, events, 0};
  for (;;) {
    const int n = ::poll(&waiting, 1, k_io_timeout_ms);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    return n > 0 && (waiting.revents & events) != 0;
  }
}

// Sends all of `data`, each write bounded in time; MSG_NOSIGNAL: a peer gone
// is an error here, not a SIGPIPE.
bool
send_all(int fd, ByteView data)
{
  std::size_t done = 0;
  while (done < data.size()) {
    if (!ready(fd, POLLOUT)) {
      return false;
    }
    const ssize_t n =
      ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads one line (without its LF) into `line`, which may be secure memory;
// false on a timeout, an end before the LF, or a line too long.
bool
read_line(int fd, SecretBytes& line, std::size_t& length)
{
  length = 0;
  while (length < line.size()) {
    if (!ready(fd, POLLIN)) {
      return false;
    }
    std::uint8_t c = 0;
    const ssize_t n = ::recv(fd, &c, 1, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    if (c == '\n') {
      return true;
    }
    line.data()[length++] = c;
  }
  return false;
}

// A connection to the agent at `socket`, or nothing when none answers there.
Result<std::optional<fs::Fd>>
connect_to(const fs::Path& socket)
{
  // No directory, no agent: asking must not create it (every command that
  // needs a passphrase asks).
  struct stat st
  {
  };
  if (::lstat(socket.parent_path().c_str(), &st) != 0 && errno == ENOENT) {
    return std::optional<fs::Fd>{};
  }
  CUSTODY_TRY(prepare_directory(socket.parent_path()));
  CUSTODY_ASSIGN(address, address_of(socket));
  fs::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return tl::unexpected(socket_error("socket", socket, errno));
  }
  if (::connect(
        fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address))
      != 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) {
      return std::optional<fs::Fd>{};
    }
    return tl::unexpected(socket_error("connect to", socket, errno));
  }
  // The agent must be this user too: a socket another user's process bound
  // (the directory check makes that hard) is not trusted with a request.
  CUSTODY_ASSIGN(peer, peer_user(fd.get()));
  if (!peer_allowed(peer, ::geteuid())) {
    return make_error(Errc::unsafe,
                      fmt::format("the agent socket {} is served by user {}, "
                                  "not by you",
                                  socket,
                                  peer));
  }
  return std::optional<fs::Fd>(std::move(fd));
}

// Sends `request` and reads the first answer line into `answer`.
Result<std::optional<std::string>>
ask(const fs::Path& socket, std::string_view request, fs::Fd* keep)
{
  CUSTODY_ASSIGN(connection, connect_to(socket));
  if (!connection) {
    return std::optional<std::string>{};
  }
  if (!send_all(connection->get(), as_bytes(request))) {
    return make_error(
      Errc::io,
      fmt::format("the agent at {} did not take the request", socket));
  }
  SecretBytes line(k_max_line);
  std::size_t length = 0;
  if (!read_line(connection->get(), line, length)) {
    return make_error(Errc::io,
                      fmt::format("the agent at {} did not answer", socket));
  }
  if (keep != nullptr) {
    *keep = fs::Fd(connection->release());
  }
  return std::optional<std::string>(std::string(line.text().substr(0, length)));
}

// Answers one connection. Returns true when it asked the agent to stop.
bool
answer(int fd, const Held& held)
{
  auto peer = peer_user(fd);
  if (!peer || !peer_allowed(*peer, ::geteuid())) {
    return false;
  }
  SecretBytes line(k_max_line);
  std::size_t length = 0;
  if (!read_line(fd, line, length)) {
    return false;
  }
  const std::string_view request = line.text().substr(0, length);
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(
    held.until - std::chrono::system_clock::now());
  if (request == "stop") {
    (void)send_all(fd, as_bytes("stopped\n"));
    return true;
  }
  if (request == "status") {
    (void)send_all(
      fd,
      as_bytes(fmt::format("held {} {}\n",
                           held.member.key_id(),
                           std::max<std::int64_t>(0, left.count()))));
    return false;
  }
  constexpr std::string_view k_identity = "identity ";
  if (request.starts_with(k_identity)
      && request.substr(k_identity.size())
           == to_hex(held.identity_file_sha256)) {
    const SecretBytes secret = held.member.age_identity().encode();
    SecretBytes reply(3 + secret.size() + 1);
    std::memcpy(reply.data(), "ok\n", 3);
    std::memcpy(reply.data() + 3, secret.data(), secret.size());
    reply.data()[reply.size() - 1] = '\n';
    (void)send_all(fd, reply.view());
    return false;
  }
  (void)send_all(fd, as_bytes("none\n"));
  return false;
}

} // namespace

Result<std::chrono::seconds>
parse_ttl(std::string_view text)
{
  std::uint64_t number = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && i < 9; ++i) {
    number = number * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  const std::string_view unit = text.substr(i);
  const std::uint64_t scale = unit.empty() || unit == "s" ? 1
                              : unit == "m"               ? 60
                              : unit == "h"               ? 3600
                                                          : 0;
  const std::chrono::seconds ttl(number * scale);
  if (i == 0 || scale == 0 || ttl.count() < 1 || ttl > k_max_ttl) {
    return make_error(Errc::usage,
                      fmt::format("--ttl {} is not a time from 1 s to {} h",
                                  text,
                                  k_max_ttl.count() / 3600),
                      "give seconds, or minutes or hours: 90, 30m, 8h");
  }
  return ttl;
}

fs::Path
socket_path()
{
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime != nullptr && runtime[0] == '/') {
    return fs::Path(runtime) / "custody" / "agent.sock";
  }
  return fs::Path(fmt::format("/tmp/custody-{}", ::geteuid())) / "agent.sock";
}

Result<void>
prepare_directory(const fs::Path& directory)
{
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return tl::unexpected(socket_error("create", directory, errno));
  }
  struct stat st
  {
  };
  if (::lstat(directory.c_str(), &st) != 0) {
    return tl::unexpected(socket_error("stat", directory, errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return make_error(Errc::unsafe,
                      fmt::format("{} is not a directory", directory),
                      "remove it; the agent makes its own");
  }
  if (st.st_uid != ::geteuid()) {
    return make_error(
      Errc::unsafe,
      fmt::format("{} belongs to user {}, not to you", directory, st.st_uid),
      "someone else made it: remove it, or set XDG_RUNTIME_DIR to a "
      "directory of your own");
  }
  if ((st.st_mode & 077) != 0) {
    return make_error(Errc::unsafe,
                      fmt::format("{} may be entered by others (mode {:o})",
                                  directory,
                                  st.st_mode & 07777),
                      fmt::format("`chmod 700 {}`", directory.string()));
  }
  return {};
}

bool
peer_allowed(uid_t peer, uid_t own)
{
  return peer == own;
}

Result<uid_t>
peer_user(int fd)
{
  ucred credentials{};
  socklen_t size = sizeof(credentials);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) {
    return tl::unexpected(
      socket_error("read the peer of", "the agent socket", errno));
  }
  return credentials.uid;
}

Result<fs::Fd>
listen_at(const fs::Path& path)
{
  CUSTODY_TRY(prepare_directory(path.parent_path()));
  CUSTODY_ASSIGN(running, agent::status(path));
  if (running) {
    return make_error(
      Errc::invalid_input,
      fmt::format("an agent already holds identity {} for {} "
                  "more seconds",
                  running->key_id,
                  running->left.count()),
      fmt::format("stop it first; it listens at {}", path.string()));
  }
  // Nobody answers: a socket file left by an agent that was killed.
  (void)::unlink(path.c_str());
  CUSTODY_ASSIGN(address, address_of(path));
  fs::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return tl::unexpected(socket_error("socket", path, errno));
  }
  // The directory is 0700 already; the socket's own mode is a second fence.
  const mode_t saved = ::umask(0177);
  const int bound = ::bind(
    fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  const int bind_errno = errno;
  ::umask(saved);
  if (bound != 0) {
    return tl::unexpected(socket_error("bind", path, bind_errno));
  }
  if (::listen(fd.get(), 8) != 0) {
    return tl::unexpected(socket_error("listen on", path, errno));
  }
  return fd;
}

Result<Ended>
serve(int listener, const Held& held, const std::atomic<bool>* interrupted)
{
  for (;;) {
    if (interrupted != nullptr && interrupted->load()) {
      return Ended::signalled;
    }
    const auto now = std::chrono::system_clock::now();
    if (now >= held.until) {
      return Ended::expired;
    }
    // Wake at least once a second, so that the expiry and a signal are seen
    // on time whatever the clock does.
    const auto wait = std::min<std::int64_t>(
      1000,
      std::chrono::duration_cast<std::chrono::milliseconds>(held.until - now)
          .count()
        + 1);
    pollfd waiting{listener, POLLIN, 0};
    const int n = ::poll(&waiting, 1, static_cast<int>(wait));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return tl::unexpected(socket_error("wait on", "the agent socket", errno));
    }
    if (n == 0) {
      continue;
    }
    const fs::Fd client(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (client.get() < 0) {
      continue; // a client that gave up before it was accepted
    }
    if (answer(client.get(), held)) {
      return Ended::stopped;
    }
  }
}

Result<std::optional<identity::Member>>
request(const fs::Path& socket, const Digest& identity_file_sha256)
{
  fs::Fd connection;
  CUSTODY_ASSIGN(first,
                 ask(socket,
                     fmt::format("identity {}\n", to_hex(identity_file_sha256)),
                     &connection));
  if (!first || *first != "ok") {
    return std::optional<identity::Member>{};
  }
  SecretBytes line(k_max_line);
  std::size_t length = 0;
  if (!read_line(connection.get(), line, length)) {
    return make_error(Errc::io,
                      fmt::format("the agent at {} did not answer", socket));
  }
  CUSTODY_ASSIGN(identity,
                 age::X25519Identity::parse(line.text().substr(0, length)));
  return std::optional<identity::Member>(identity::Member(std::move(identity)));
}

Result<std::optional<Status>>
status(const fs::Path& socket)
{
  CUSTODY_ASSIGN(line, ask(socket, "status\n", nullptr));
  if (!line) {
    return std::optional<Status>{};
  }
  // "held <key id> <seconds>"
  const auto first = line->find(' ');
  const auto second = line->rfind(' ');
  if (!line->starts_with("held ") || first == second) {
    return make_error(
      Errc::invalid_input,
      fmt::format("the agent at {} gave an answer custody does not know",
                  socket));
  }
  Status out;
  out.key_id = line->substr(first + 1, second - first - 1);
  out.left =
    std::chrono::seconds(std::strtoll(line->c_str() + second + 1, nullptr, 10));
  return std::optional<Status>(out);
}

Result<bool>
stop(const fs::Path& socket)
{
  CUSTODY_ASSIGN(line, ask(socket, "stop\n", nullptr));
  if (!line) {
    return false;
  }
  // The agent removes its socket once the identity is wiped: wait for that,
  // so that the next command does not find it.
  for (int i = 0; i < 100 && std::filesystem::exists(socket); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

} // namespace custody::agent
