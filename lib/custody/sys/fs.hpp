// Durable file operations and the vault lock; every write goes through here so
// tests can fault it.
#pragma once

#include <custody/base/bytes.hpp>

#include <chrono>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace custody::fs {

using Path = std::filesystem::path;

// Writes `data` to `path` durably: temp file in the same directory, write,
// fsync, rename, fsync the directory (docs/formats.md section 9). A crash
// leaves either the old file or the new one.
[[nodiscard]] Result<void> write_file_atomic(const Path& path, ByteView data);

// As write_file_atomic, but fails with Errc::invalid_input if `path` exists
// (O_EXCL semantics via link(2), so two writers cannot both win).
[[nodiscard]] Result<void> create_file_durably(const Path& path, ByteView data);

// Appends `data` with one write(2) and makes it durable with fdatasync(2);
// creates the file (and syncs its directory) when absent.
[[nodiscard]] Result<void> append_durably(const Path& path, ByteView data);

// Truncates `path` to `size` bytes durably.
[[nodiscard]] Result<void> truncate_durably(const Path& path,
                                            std::uint64_t size);

enum class Sync { no, yes };

// Writes `data` to a new private temp file (.tmp-XXXXXX) in `directory` and
// returns its path; with Sync::yes it is fsynced. The caller renames or removes
// it.
[[nodiscard]] Result<Path>
write_temp_file(const Path& directory, ByteView data, Sync sync);

// Owns a file descriptor: closed when it goes out of scope.
class Fd
{
public:
  explicit Fd(int fd = -1)
    : m_fd(fd)
  {
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept
    : m_fd(other.release())
  {
  }
  Fd&
  operator=(Fd&& other) noexcept
  {
    if (this != &other) {
      reset();
      m_fd = other.release();
    }
    return *this;
  }
  ~Fd();
  int
  get() const
  {
    return m_fd;
  }
  int
  release()
  {
    const int fd = m_fd;
    m_fd = -1;
    return fd;
  }
  void reset();

private:
  int m_fd;
};

// An unnamed file (O_TMPFILE) in `directory` holding `data`, not yet durable:
// the returned descriptor is the only handle on it until link_anonymous() names
// it. A crash before then leaves nothing behind. Errc::io with `unsupported`
// set when the filesystem has no O_TMPFILE.
struct AnonymousFile
{
  int fd = -1;
  bool unsupported = false;
};
[[nodiscard]] Result<AnonymousFile> write_anonymous_file(const Path& directory,
                                                         ByteView data);

// An empty unnamed file (O_TMPFILE) in `directory`, open for writing, for a
// caller that streams into it; `unsupported` as above.
[[nodiscard]] Result<AnonymousFile>
create_anonymous_file(const Path& directory);

// write(2) of all of `data`, retrying short writes; errors name `path`. In test
// builds, CUSTODY_FAULT_ENOSPC_AT_BYTE=N fails with ENOSPC a write that would
// take a file past N bytes: a disk that fills at a chosen byte.
[[nodiscard]] Result<void> write_all(int fd, ByteView data, const Path& path);

// Gives an O_TMPFILE file its name (linkat by descriptor, or through
// /proc/self/fd where the kernel wants a capability for that) and closes it.
[[nodiscard]] Result<void> link_anonymous(int fd, const Path& to);

// rename(2) of a temp file to its name; durable once the directory of `to` is
// synced.
[[nodiscard]] Result<void> rename_into_place(const Path& from, const Path& to);

// syncfs(2) on the filesystem holding `path`: one call makes every file written
// there durable.
[[nodiscard]] Result<void> sync_filesystem(const Path& path);

// Where a file to read comes from. A vault file must be a regular file of a
// plausible size, reached without a symbolic link: anyone with write access
// could put a link to /dev/zero, a FIFO or a device there to hang every reader,
// or pad a file to exhaust memory, so any other kind, and a file larger than
// its reader's bound, is tampering (Errc::corrupt, naming it). A user's input
// (an identity, a passphrase file, a card, a form, a response, a kept
// checkpoint) may also be a pipe, as `--passphrase-file <(...)` gives: it is
// read as data arrives, waiting at most k_pipe_wait for each piece
// (Errc::invalid_input "waited ... a pipe with no writer?"), never for ever.
// Devices, sockets and directories given as a user's input are refused
// (Errc::invalid_input, "not a regular file"), as is one larger than the bound.
enum class Origin { vault, user };
constexpr std::chrono::seconds k_pipe_wait{10};

// How an Input is read: a regular file up to the size it had when opened, a
// pipe (FIFO or socket) until its end with a bounded wait for each piece, a
// terminal until its end (a person typing: no time bound; Ctrl-D ends it).
enum class InputKind { regular, pipe, terminal };

// A file opened for reading by those rules; never blocks in open(2).
struct Input
{
  int fd = -1; // the caller owns it (wrap it in an Fd)
  InputKind kind = InputKind::regular;
  std::uint64_t size = 0; // a regular file's size when opened
  // How long read_input waits on a pipe for the next piece (tests shorten it).
  std::chrono::milliseconds wait = k_pipe_wait;
};
[[nodiscard]] Result<Input> open_input(const Path& path, Origin origin);
// Standard input (a duplicate of descriptor 0) as a user's input: a regular
// file, a pipe or a terminal; a device is refused. `name` is what messages call
// it ("-").
[[nodiscard]] Result<Input> standard_input(const Path& name);
// read(2) into `out` once; for a pipe, after waiting (poll) at most
// `input.wait` for data. 0 at the end.
[[nodiscard]] Result<std::size_t>
read_input(const Input& input, std::span<std::uint8_t> out, const Path& path);
// Reads up to out.size() bytes from `fd`, stopping only at the end of the file
// (retrying short reads and EINTR); `path` names it in errors.
[[nodiscard]] Result<std::size_t>
read_fully(int fd, std::span<std::uint8_t> out, const Path& file);
// Reads what is left of `input` (a regular file up to its size when opened),
// refusing more than `max_size` bytes: Errc::corrupt for a vault file,
// Errc::invalid_input for a user's input. Does not close it.
[[nodiscard]] Result<Bytes> read_all(const Input& input,
                                     std::uint64_t max_size,
                                     const Path& path,
                                     Origin origin);

// Reads a whole file by the rules of `origin`, refusing one larger than
// `max_size`.
[[nodiscard]] Result<Bytes> read_file(const Path& path,
                                      std::uint64_t max_size,
                                      Origin origin = Origin::vault);

// What is in a vault's directory besides regular files and directories (R5),
// and the temp files fs::write_file_atomic leaves when a crash comes before its
// rename (R13).
struct Stray
{
  Path path;
  std::string_view kind; // "a FIFO", "a symbolic link", ...; "" for a leftover
};
struct Strays
{
  std::vector<Stray> irregular; // links, FIFOs, sockets, devices
  std::vector<Path> leftovers;  // regular files named .tmp-*
};
enum class Recurse { no, yes };
// The strays in `directory` and, with Recurse::yes, below it (links are
// reported, never followed), each list sorted. A directory that is missing or
// cannot be listed has none.
[[nodiscard]] Strays find_strays(const Path& directory, Recurse recurse);
// The prefix of the temp files write_file_atomic and write_temp_file make.
constexpr std::string_view k_temp_prefix = ".tmp-";

// mkdir -p with mode 0700; with Sync::yes (the default), syncing each parent
// whose entries changed. Sync::no leaves that to a later syncfs(2) (a batch of
// objects, whose names wait for one).
[[nodiscard]] Result<void> make_directories(const Path& path,
                                            Sync sync = Sync::yes);

[[nodiscard]] Result<void> fsync_directory(const Path& path);

// An error from `errno` for an operation on `path`: ENOSPC, EIO, EACCES... map
// to Errc::io, ENOENT to Errc::not_found.
Error
errno_error(std::string_view operation, const Path& path, int error_number);

// The fault-injection seam. Each durable step calls fault_point() first. In
// test builds (CUSTODY_TESTING), CUSTODY_FAULT_AT=N makes the N-th step (from
// 1) act as a crash (SIGKILL) or, with CUSTODY_FAULT_MODE=enospc|eio, fail with
// that error; CUSTODY_FAULT_COUNT=FILE appends the number of steps the run took
// to FILE when it exits. Release builds compile it away.
[[nodiscard]] Result<void> fault_point(std::string_view step, const Path& path);

enum class LockMode { shared, exclusive };

// flock(2) on a lock file, released by the destructor.
class Lock
{
public:
  // Waits up to `wait` for the lock, then fails with Errc::locked.
  [[nodiscard]] static Result<Lock>
  acquire(const Path& path, LockMode mode, std::chrono::milliseconds wait);
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  Lock(Lock&& other) noexcept;
  Lock& operator=(Lock&& other) noexcept;
  ~Lock();

private:
  explicit Lock(int fd);
  int m_fd = -1;
};

} // namespace custody::fs
