// A file that exists only in memory, for a child process (an editor) to open
// by name: nothing written to it reaches a disk (docs/security.md, "Editing a
// record").
#pragma once

#include <custody/base/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace custody::memfile {

class MemoryFile
{
public:
  // A memfd (memfd_create(2)), which has no name in any file system and is
  // freed with its last descriptor; where the kernel refuses one, a file of
  // a random name in /dev/shm (tmpfs), mode 0600, created exclusively, and
  // unlinked when this object ends and when the process is ended by SIGINT,
  // SIGTERM, SIGHUP or SIGQUIT (the handlers unlink it and end the process as
  // the signal would). Errc::io when neither can be made. One at a time.
  [[nodiscard]] static Result<MemoryFile> create(std::string_view name);

  MemoryFile(MemoryFile&& other) noexcept;
  MemoryFile& operator=(MemoryFile&&) = delete;
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  ~MemoryFile();

  // The name a child opens: /proc/self/fd/3 for a memfd, which the child
  // must get as its descriptor 3 (child_descriptor()); else the /dev/shm
  // path.
  const std::string& path() const;
  // The descriptor to give the child as 3, or -1 when path() names a file of
  // its own.
  int child_descriptor() const;
  // Whether the file is a memfd (false: the /dev/shm fallback).
  bool anonymous() const;

  // Replaces what the file holds with `text`.
  [[nodiscard]] Result<void> replace(std::string_view text) const;
  // What the file holds now, whether the child wrote it in place or replaced
  // the /dev/shm file by renaming another over it. Errc::invalid_input beyond
  // `max` bytes.
  [[nodiscard]] Result<std::string> read(std::size_t max) const;

private:
  MemoryFile(int fd, std::string path, bool anonymous);
  int m_fd = -1;
  std::string m_path;
  bool m_anonymous = true;
};

} // namespace custody::memfile
