// POSIX file operations with fsync discipline, the fault-injection seam and
// flock.
#include <custody/sys/fs.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

namespace custody::fs {

Fd::~Fd()
{
  reset();
}

void
Fd::reset()
{
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
}

Error
errno_error(std::string_view operation, const Path& path, int error_number)
{
  const Errc code = error_number == ENOENT ? Errc::not_found : Errc::io;
  std::string hint;
  if (error_number == ENOSPC) {
    hint = "free some space on that disk and run the command again";
  } else if (error_number == EACCES || error_number == EPERM) {
    hint = "check the permissions of that path";
  }
  return Error{
    code,
    fmt::format("{} {}: {}", operation, path, std::strerror(error_number)),
    std::move(hint)};
}

#ifdef CUSTODY_TESTING
namespace {

// CUSTODY_FAULT_COUNT=FILE: the number of steps a run took, a line appended to
// FILE when it exits, so that scripts/crash-loop learns a command's steps from
// one run instead of searching for them with CUSTODY_FAULT_AT.
std::atomic<long> g_fault_points{0};

void
write_fault_count()
{
  const char* file = std::getenv("CUSTODY_FAULT_COUNT");
  const std::string count = std::to_string(g_fault_points.load()) + "\n";
  const int fd = ::open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) {
    // Best effort: without its line the crash loop finds no steps and says so.
    const ssize_t written = ::write(fd, count.data(), count.size());
    (void)written;
    ::close(fd);
  }
}

void
count_fault_point()
{
  static const bool counting = [] {
    if (std::getenv("CUSTODY_FAULT_COUNT") == nullptr) {
      return false;
    }
    (void)std::atexit(write_fault_count);
    return true;
  }();
  if (counting) {
    ++g_fault_points;
  }
}

} // namespace
#endif

Result<void>
fault_point(std::string_view step, const Path& path)
{
#ifdef CUSTODY_TESTING
  count_fault_point();
  // Atomic: batch writers call this from several threads.
  static std::atomic<long> remaining = [] {
    const char* at = std::getenv("CUSTODY_FAULT_AT");
    return at != nullptr ? std::strtol(at, nullptr, 10) : 0L;
  }();
  // A full disk or a failing one stays so: every step from the Nth on fails.
  static std::atomic<bool> failing{false};
  static const std::string how = [] {
    const char* mode = std::getenv("CUSTODY_FAULT_MODE");
    return std::string(mode != nullptr ? mode : "kill");
  }();
  if (!failing && remaining.load() > 0 && --remaining == 0) {
    if (how == "kill") {
      (void)raise(SIGKILL);
    }
    failing = true;
  }
  if (failing) {
    return tl::unexpected(errno_error(step, path, how == "eio" ? EIO : ENOSPC));
  }
#else
  (void)step;
  (void)path;
#endif
  return {};
}

namespace {

// The directory holding `path`: "." for a bare file name, whose parent_path()
// is empty.
Path
directory_of(const Path& path)
{
  const Path parent = path.parent_path();
  return parent.empty() ? Path(".") : parent;
}

} // namespace

Result<void>
write_all(int fd, ByteView data, const Path& path)
{
#ifdef CUSTODY_TESTING
  // A disk that fills at a chosen byte of any file (tests/cli/attach.sh).
  static const long long full_at = [] {
    const char* at = std::getenv("CUSTODY_FAULT_ENOSPC_AT_BYTE");
    return at != nullptr ? std::strtoll(at, nullptr, 10) : -1LL;
  }();
  if (full_at >= 0) {
    struct stat st
    {
    };
    if (::fstat(fd, &st) == 0
        && st.st_size + static_cast<long long>(data.size()) > full_at) {
      return tl::unexpected(errno_error("write", path, ENOSPC));
    }
  }
#endif
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return tl::unexpected(errno_error("write", path, errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<Path>
write_temp_file(const Path& directory, ByteView data, Sync sync)
{
  std::string pattern =
    (directory / (std::string(k_temp_prefix) + "XXXXXX")).string();
  CUSTODY_TRY(fault_point("create", directory));
  const int raw = ::mkstemp(pattern.data());
  if (raw < 0) {
    return tl::unexpected(
      errno_error("create a temporary file in", directory, errno));
  }
  Fd fd(raw);
  const Path temp(pattern);
  auto result = [&]() -> Result<void> {
    // mkstemp(3) creates the file with mode 0600 (glibc, POSIX.1-2008): private
    // already.
    CUSTODY_TRY(fault_point("write", temp));
    CUSTODY_TRY(write_all(fd.get(), data, temp));
    if (sync == Sync::yes) {
      CUSTODY_TRY(fault_point("fsync", temp));
      if (::fsync(fd.get()) != 0) {
        return tl::unexpected(errno_error("fsync", temp, errno));
      }
    }
    return {};
  }();
  if (!result) {
    ::unlink(temp.c_str());
    return tl::unexpected(result.error());
  }
  return temp;
}

Result<AnonymousFile>
create_anonymous_file(const Path& directory)
{
  CUSTODY_TRY(fault_point("create", directory));
  const int raw =
    ::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (raw < 0) {
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
      return AnonymousFile{-1, true};
    }
    return tl::unexpected(errno_error("create a file in", directory, errno));
  }
  return AnonymousFile{raw, false};
}

Result<AnonymousFile>
write_anonymous_file(const Path& directory, ByteView data)
{
  CUSTODY_ASSIGN(created, create_anonymous_file(directory));
  if (created.unsupported) {
    return created;
  }
  Fd fd(created.fd);
  CUSTODY_TRY(fault_point("write", directory));
  CUSTODY_TRY(write_all(fd.get(), data, directory));
  return AnonymousFile{fd.release(), false};
}

Result<void>
link_anonymous(int fd, const Path& to)
{
  Fd owned(fd);
  CUSTODY_TRY(fault_point("link", to));
  // Linux 6.10 and later let the opener link its own O_TMPFILE by descriptor
  // (AT_EMPTY_PATH); older kernels want CAP_DAC_READ_SEARCH for that and fail
  // with ENOENT, and then the /proc/self/fd path does the same thing with a
  // longer path walk.
  int linked = ::linkat(fd, "", AT_FDCWD, to.c_str(), AT_EMPTY_PATH);
  if (linked != 0 && (errno == ENOENT || errno == EPERM || errno == EINVAL)) {
    const std::string from = "/proc/self/fd/" + std::to_string(fd);
    linked =
      ::linkat(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), AT_SYMLINK_FOLLOW);
  }
  if (linked != 0) {
    if (errno == EEXIST) {
      return {}; // same name, same bytes: content addressing
    }
    return tl::unexpected(errno_error("name", to, errno));
  }
  return {};
}

Result<void>
rename_into_place(const Path& from, const Path& to)
{
  CUSTODY_TRY(fault_point("rename", to));
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return tl::unexpected(errno_error("rename into", to, errno));
  }
  return {};
}

Result<void>
sync_filesystem(const Path& path)
{
  CUSTODY_TRY(fault_point("syncfs", path));
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    return tl::unexpected(errno_error("open directory", path, errno));
  }
  if (::syncfs(fd.get()) != 0) {
    return tl::unexpected(errno_error("syncfs", path, errno));
  }
  return {};
}

Result<void>
fsync_directory(const Path& path)
{
  CUSTODY_TRY(fault_point("fsync directory", path));
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    return tl::unexpected(errno_error("open directory", path, errno));
  }
  if (::fsync(fd.get()) != 0) {
    return tl::unexpected(errno_error("fsync directory", path, errno));
  }
  return {};
}

Result<void>
write_file_atomic(const Path& path, ByteView data)
{
  CUSTODY_ASSIGN(temp, write_temp_file(directory_of(path), data, Sync::yes));
  if (auto step = fault_point("rename", path); !step) {
    ::unlink(temp.c_str());
    return tl::unexpected(step.error());
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return tl::unexpected(errno_error("rename into", path, saved));
  }
  // The rename is durable only once the directory itself is synced.
  return fsync_directory(directory_of(path));
}

Result<void>
create_file_durably(const Path& path, ByteView data)
{
  CUSTODY_ASSIGN(temp, write_temp_file(directory_of(path), data, Sync::yes));
  if (auto step = fault_point("link", path); !step) {
    ::unlink(temp.c_str());
    return tl::unexpected(step.error());
  }
  // link(2) fails with EEXIST instead of replacing, unlike rename(2).
  if (::link(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    if (saved == EEXIST) {
      return fail(Errc::invalid_input, "{} already exists", path);
    }
    return tl::unexpected(errno_error("create", path, saved));
  }
  ::unlink(temp.c_str());
  return fsync_directory(directory_of(path));
}

Result<void>
append_durably(const Path& path, ByteView data)
{
  struct stat st
  {
  };
  const bool existed = ::stat(path.c_str(), &st) == 0;
  CUSTODY_TRY(fault_point("open for append", path));
  Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    return tl::unexpected(errno_error("open", path, errno));
  }
  CUSTODY_TRY(fault_point("append", path));
  CUSTODY_TRY(write_all(fd.get(), data, path));
  CUSTODY_TRY(fault_point("fdatasync", path));
  if (::fdatasync(fd.get()) != 0) {
    return tl::unexpected(errno_error("fdatasync", path, errno));
  }
  if (!existed) {
    return fsync_directory(directory_of(path));
  }
  return {};
}

Result<void>
truncate_durably(const Path& path, std::uint64_t size)
{
  CUSTODY_TRY(fault_point("truncate", path));
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return tl::unexpected(errno_error("open", path, errno));
  }
  if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    return tl::unexpected(errno_error("truncate", path, errno));
  }
  if (::fsync(fd.get()) != 0) {
    return tl::unexpected(errno_error("fsync", path, errno));
  }
  return {};
}

namespace {

// What a file that is not a regular file is, for messages.
std::string_view
kind_of(mode_t mode)
{
  if (S_ISLNK(mode)) {
    return "a symbolic link";
  }
  if (S_ISFIFO(mode)) {
    return "a FIFO";
  }
  if (S_ISSOCK(mode)) {
    return "a socket";
  }
  if (S_ISCHR(mode)) {
    return "a character device";
  }
  if (S_ISBLK(mode)) {
    return "a block device";
  }
  if (S_ISDIR(mode)) {
    return "a directory";
  }
  return "an unknown kind of file";
}

Error
not_in_a_vault(const Path& path, std::string_view kind)
{
  return Error{
    Errc::corrupt,
    fmt::format(
      "{} is {}, not a regular file; a vault holds only regular files",
      path,
      kind),
    "someone with write access put it there: restore the file from a backup"};
}

// The kind of an input from its fstat(2), by the rules of `origin`.
Result<InputKind>
input_kind(const struct stat& st, int fd, const Path& path, Origin origin)
{
  if (S_ISREG(st.st_mode)) {
    return InputKind::regular;
  }
  if (origin == Origin::vault) {
    return tl::unexpected(not_in_a_vault(path, kind_of(st.st_mode)));
  }
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
    return InputKind::pipe;
  }
  if (S_ISCHR(st.st_mode) && ::isatty(fd) == 1) {
    return InputKind::terminal;
  }
  return make_error(Errc::invalid_input,
                    fmt::format("{} is {}, not a regular file (nor a pipe)",
                                path,
                                kind_of(st.st_mode)),
                    "give a regular file, or a pipe that something writes to");
}

} // namespace

Result<Input>
open_input(const Path& path, Origin origin)
{
  // O_NONBLOCK: opening a FIFO that has no writer would block for ever.
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  if (origin == Origin::vault) {
    flags |= O_NOFOLLOW;
  }
  Fd fd(::open(path.c_str(), flags));
  if (fd.get() < 0) {
    const int error = errno;
    if (origin == Origin::vault && error == ELOOP) {
      return tl::unexpected(not_in_a_vault(path, "a symbolic link"));
    }
    // A socket, or a device without a driver, cannot be opened at all: say
    // what it is rather than "No such device or address".
    struct stat st
    {
    };
    if ((error == ENXIO || error == ENODEV) && ::lstat(path.c_str(), &st) == 0
        && !S_ISREG(st.st_mode)) {
      if (origin == Origin::vault) {
        return tl::unexpected(not_in_a_vault(path, kind_of(st.st_mode)));
      }
      return fail(Errc::invalid_input,
                  "{} is {}, not a regular file (nor a pipe)",
                  path,
                  kind_of(st.st_mode));
    }
    return tl::unexpected(errno_error("open", path, error));
  }
  struct stat st
  {
  };
  if (::fstat(fd.get(), &st) != 0) {
    return tl::unexpected(errno_error("stat", path, errno));
  }
  Input input;
  CUSTODY_ASSIGN(kind, input_kind(st, fd.get(), path, origin));
  if (kind == InputKind::terminal) {
    // Only standard input may be a terminal (a person typing a form).
    return fail(Errc::invalid_input,
                "{} is a terminal, not a regular file (nor a pipe)",
                path);
  }
  input.kind = kind;
  if (kind == InputKind::regular) {
    input.size = static_cast<std::uint64_t>(st.st_size);
  }
  input.fd = fd.release();
  return input;
}

Result<Input>
standard_input(const Path& name)
{
  Fd fd(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0));
  if (fd.get() < 0) {
    return tl::unexpected(errno_error("read", name, errno));
  }
  struct stat st
  {
  };
  if (::fstat(fd.get(), &st) != 0) {
    return tl::unexpected(errno_error("stat", name, errno));
  }
  Input input;
  CUSTODY_ASSIGN(kind, input_kind(st, fd.get(), name, Origin::user));
  input.kind = kind;
  if (kind == InputKind::regular) {
    // What is left of it from where the shell positioned it.
    const off_t at = ::lseek(fd.get(), 0, SEEK_CUR);
    input.size = static_cast<std::uint64_t>(
      st.st_size - std::min<off_t>(std::max<off_t>(at, 0), st.st_size));
  }
  input.fd = fd.release();
  return input;
}

Result<std::size_t>
read_input(const Input& input, std::span<std::uint8_t> out, const Path& path)
{
  // Only a pipe's wait has a bound: a regular file never waits, and a person
  // at a terminal ends with Ctrl-D or Ctrl-C.
  const int timeout =
    input.kind == InputKind::pipe ? static_cast<int>(input.wait.count()) : -1;
  for (;;) {
    if (input.kind != InputKind::regular) {
      pollfd wait{input.fd, POLLIN, 0};
      const int ready = ::poll(&wait, 1, timeout);
      if (ready < 0 && errno == EINTR) {
        continue;
      }
      if (ready < 0) {
        return tl::unexpected(errno_error("wait for", path, errno));
      }
      if (ready == 0) {
        const auto waited =
          std::chrono::duration_cast<std::chrono::seconds>(input.wait);
        return make_error(
          Errc::invalid_input,
          fmt::format("waited {} s for data on {} (a pipe with no writer?)",
                      waited.count(),
                      path),
          "give a regular file, or a pipe that something writes to");
      }
    }
    const ssize_t n = ::read(input.fd, out.data(), out.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      continue;
    }
    if (n < 0) {
      return tl::unexpected(errno_error("read", path, errno));
    }
    return static_cast<std::size_t>(n);
  }
}

Result<Bytes>
read_all(const Input& input,
         std::uint64_t max_size,
         const Path& path,
         Origin origin)
{
  auto too_large = [&](std::string_view size) {
    if (origin == Origin::vault) {
      return Error{
        Errc::corrupt,
        fmt::format("{} is too large for a vault file ({}; at most {} bytes)",
                    path,
                    size,
                    max_size),
        "someone with write access replaced or padded it: restore the file "
        "from a backup"};
    }
    return Error{
      Errc::invalid_input,
      fmt::format(
        "{} is too large ({}; at most {} bytes)", path, size, max_size),
      {}};
  };
  const bool regular = input.kind == InputKind::regular;
  if (regular && input.size > max_size) {
    return tl::unexpected(too_large(fmt::format("{} bytes", input.size)));
  }
  // A regular file is read to the size it had when opened, so that one growing
  // under the reader is not read for ever; a pipe or terminal until it ends,
  // one byte past the limit at most, so that an endless one is refused, not
  // buffered.
  Bytes data(regular ? input.size
                     : std::min<std::uint64_t>(max_size + 1, 1 << 16));
  std::size_t done = 0;
  for (;;) {
    if (done == data.size()) {
      if (regular || data.size() > max_size) {
        break;
      }
      data.resize(static_cast<std::size_t>(
        std::min<std::uint64_t>(max_size + 1, data.size() * 2)));
    }
    CUSTODY_ASSIGN(
      n, read_input(input, {data.data() + done, data.size() - done}, path));
    if (n == 0) {
      break;
    }
    done += n;
  }
  if (done > max_size) {
    return tl::unexpected(too_large("more"));
  }
  data.resize(done);
  return data;
}

Result<Bytes>
read_file(const Path& path, std::uint64_t max_size, Origin origin)
{
  CUSTODY_ASSIGN(input, open_input(path, origin));
  const Fd fd(input.fd);
  return read_all(input, max_size, path, origin);
}

Strays
find_strays(const Path& directory, Recurse recurse)
{
  Strays found;
  auto consider = [&](const std::filesystem::directory_entry& item) {
    std::error_code ec;
    const auto status = item.symlink_status(ec);
    if (ec || std::filesystem::is_directory(status)) {
      return;
    }
    struct stat st
    {
    };
    if (!std::filesystem::is_regular_file(status)) {
      const bool known = ::lstat(item.path().c_str(), &st) == 0;
      found.irregular.push_back(
        {item.path(), known ? kind_of(st.st_mode) : "an unknown kind of file"});
    } else if (item.path().filename().string().starts_with(k_temp_prefix)) {
      found.leftovers.push_back(item.path());
    }
  };
  std::error_code ec;
  if (recurse == Recurse::yes) {
    // Links to directories are entries like any other: never followed.
    for (const auto& item :
         std::filesystem::recursive_directory_iterator(directory, ec)) {
      consider(item);
    }
  } else {
    for (const auto& item :
         std::filesystem::directory_iterator(directory, ec)) {
      consider(item);
    }
  }
  std::sort(found.irregular.begin(),
            found.irregular.end(),
            [](const Stray& a, const Stray& b) { return a.path < b.path; });
  std::sort(found.leftovers.begin(), found.leftovers.end());
  return found;
}

Result<void>
make_directories(const Path& path, Sync sync)
{
  if (path.empty()) {
    return {};
  }
  struct stat st
  {
  };
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return fail(
        Errc::invalid_input, "{} exists and is not a directory", path);
    }
    return {};
  }
  const Path parent = path.parent_path();
  if (!parent.empty() && parent != path) {
    CUSTODY_TRY(make_directories(parent, sync));
  }
  CUSTODY_TRY(fault_point("mkdir", path));
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return tl::unexpected(errno_error("create directory", path, errno));
  }
  if (sync == Sync::no) {
    return {};
  }
  return fsync_directory(parent.empty() ? Path(".") : parent);
}

Lock::Lock(int fd)
  : m_fd(fd)
{
}

Lock::Lock(Lock&& other) noexcept
  : m_fd(std::exchange(other.m_fd, -1))
{
}

Lock&
Lock::operator=(Lock&& other) noexcept
{
  if (this != &other) {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

Lock::~Lock()
{
  if (m_fd >= 0) {
    ::close(m_fd); // closing releases the flock
  }
}

Result<Lock>
Lock::acquire(const Path& path, LockMode mode, std::chrono::milliseconds wait)
{
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    return tl::unexpected(errno_error("open lock file", path, errno));
  }
  const int operation =
    (mode == LockMode::exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd.get(), operation) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return tl::unexpected(errno_error("lock", path, errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(
        Errc::locked,
        fmt::format("the vault is busy: another custody process holds {}",
                    path),
        Remedy::wait_longer);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Lock(fd.release());
}

Result<std::size_t>
read_fully(int fd, std::span<std::uint8_t> out, const Path& file)
{
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return tl::unexpected(errno_error("read", file, errno));
    }
    if (n == 0) {
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  return done;
}

} // namespace custody::fs
