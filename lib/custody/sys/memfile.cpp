// Files in memory only (memfile.hpp).
#include <custody/sys/memfile.hpp>

#include <fmt/core.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

namespace custody::memfile {

namespace {

// The /dev/shm file to unlink if a signal ends the process, for the handler
// (async-signal-safe: a fixed buffer, unlink(2), raise(3)).
std::array<char, 128> g_unlink_on_signal{};
constexpr std::array k_signals{SIGINT, SIGTERM, SIGHUP, SIGQUIT};
std::array<struct sigaction, k_signals.size()> g_previous{};

extern "C" void
unlink_and_die(int signal)
{
  if (g_unlink_on_signal[0] != '\0') {
    ::unlink(g_unlink_on_signal.data());
  }
  (void)::signal(signal, SIG_DFL);
  (void)::raise(signal);
}

void
watch_signals(const std::string& path)
{
  std::memcpy(g_unlink_on_signal.data(), path.c_str(), path.size() + 1);
  struct sigaction action
  {
  };
  action.sa_handler = unlink_and_die;
  sigfillset(&action.sa_mask);
  for (std::size_t i = 0; i < k_signals.size(); ++i) {
    ::sigaction(k_signals[i], &action, &g_previous[i]);
  }
}

void
unwatch_signals()
{
  for (std::size_t i = 0; i < k_signals.size(); ++i) {
    ::sigaction(k_signals[i], &g_previous[i], nullptr);
  }
  g_unlink_on_signal[0] = '\0';
}

bool
memfd_refused()
{
#ifdef CUSTODY_TESTING
  // Test builds can take the /dev/shm path on a kernel that has memfds.
  const char* value = std::getenv("CUSTODY_TEST_NO_MEMFD");
  return value != nullptr && value[0] == '1';
#else
  return false;
#endif
}

// Above the descriptors a child is given (0-3), so that handing it over as 3
// is always a dup2(2) that clears close-on-exec.
constexpr int k_lowest_fd = 10;

Result<int>
raised(int fd)
{
  const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, k_lowest_fd);
  const int error = errno;
  ::close(fd);
  if (high < 0) {
    return fail(Errc::io, "memory file: {}", std::strerror(error));
  }
  return high;
}

} // namespace

MemoryFile::MemoryFile(int fd, std::string path, bool anonymous)
  : m_fd(fd),
    m_path(std::move(path)),
    m_anonymous(anonymous)
{
}

MemoryFile::MemoryFile(MemoryFile&& other) noexcept
  : m_fd(other.m_fd),
    m_path(std::move(other.m_path)),
    m_anonymous(other.m_anonymous)
{
  other.m_fd = -1;
  other.m_path.clear();
}

MemoryFile::~MemoryFile()
{
  if (!m_anonymous && !m_path.empty()) {
    ::unlink(m_path.c_str());
    unwatch_signals();
  }
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

Result<MemoryFile>
MemoryFile::create(std::string_view name)
{
  const std::string label(name);
  if (!memfd_refused()) {
    const int fd = ::memfd_create(label.c_str(), MFD_CLOEXEC);
    if (fd >= 0) {
      CUSTODY_ASSIGN(high, raised(fd));
      return MemoryFile(high, "/proc/self/fd/3", true);
    }
  }
  std::array<unsigned char, 12> random{};
  if (::getrandom(random.data(), random.size(), 0)
      != static_cast<ssize_t>(random.size())) {
    return fail(Errc::io, "memory file: getrandom: {}", std::strerror(errno));
  }
  std::string path = "/dev/shm/" + label + "-";
  for (unsigned char byte : random) {
    path += fmt::format("{:02x}", byte);
  }
  if (path.size() >= g_unlink_on_signal.size()) {
    return make_error(Errc::internal, "memory file: the name is too long");
  }
  // The handlers are in place before the file exists: a signal between the
  // two unlinks a name that is not there yet, which is harmless.
  watch_signals(path);
  const int fd = ::open(path.c_str(),
                        O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        S_IRUSR | S_IWUSR);
  if (fd < 0) {
    const int error = errno;
    unwatch_signals();
    return fail(Errc::io,
                "cannot make a file in memory: memfd_create was refused and "
                "/dev/shm: {}",
                std::strerror(error));
  }
  return MemoryFile(fd, std::move(path), false);
}

const std::string&
MemoryFile::path() const
{
  return m_path;
}

int
MemoryFile::child_descriptor() const
{
  return m_anonymous ? m_fd : -1;
}

bool
MemoryFile::anonymous() const
{
  return m_anonymous;
}

Result<void>
MemoryFile::replace(std::string_view text) const
{
  if (::ftruncate(m_fd, 0) != 0) {
    return fail(Errc::io, "memory file: {}", std::strerror(errno));
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::pwrite(
      m_fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(Errc::io, "memory file: {}", std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<std::string>
MemoryFile::read(std::size_t max) const
{
  int fd = m_fd;
  int opened = -1;
  if (!m_anonymous) {
    // An editor may have renamed a new file over the one made here.
    opened = ::open(m_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (opened < 0) {
      return fail(Errc::io, "memory file: {}", std::strerror(errno));
    }
    fd = opened;
  }
  std::string text;
  std::array<char, 65536> buffer{};
  Result<std::string> out = std::string();
  for (;;) {
    const ssize_t n = ::pread(
      fd, buffer.data(), buffer.size(), static_cast<off_t>(text.size()));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      out = fail(Errc::io, "memory file: {}", std::strerror(errno));
      break;
    }
    if (n == 0) {
      *out = std::move(text);
      break;
    }
    text.append(buffer.data(), static_cast<std::size_t>(n));
    if (text.size() > max) {
      out = fail(
        Errc::invalid_input, "the edited file is larger than {} bytes", max);
      break;
    }
  }
  if (opened >= 0) {
    ::close(opened);
  }
  return out;
}

} // namespace custody::memfile
