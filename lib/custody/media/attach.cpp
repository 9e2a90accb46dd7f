// Streaming media into objects and back out (docs/formats.md section 6.2.1).
#include <custody/base/utf8.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>
#include <custody/media/attach.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace custody::attach {

using vault::Compartment;

namespace {

// Large enough that a block's hashing and encryption dwarf the hand-over
// between threads, small enough that a few in flight stay far below the 64 MiB
// the issue allows.
constexpr std::size_t k_block_size = 2 * 1024 * 1024;
constexpr std::size_t k_blocks_in_flight = 4;
// Start writing back every so often, so that the final fsync does not wait for
// the whole file (the way `dd conv=fsync` lets the kernel flush as it goes).
constexpr std::uint64_t k_writeback_every = 64ULL * 1024 * 1024;
constexpr std::uint64_t k_progress_every = 16ULL * 1024 * 1024;

bool
cancelled(const std::atomic<bool>* cancel)
{
  return cancel != nullptr && cancel->load();
}

Error
interrupted()
{
  return Error{Errc::interrupted, "interrupted; nothing was written", {}};
}

// Opens `file` for reading without blocking on a FIFO, and checks it is a
// regular file.
Result<int>
open_source(const fs::Path& file, struct stat& st)
{
  const int fd =
    ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return make_error(Errc::not_found,
                        fmt::format("{}: no such file", file),
                        "check the path");
    }
    return make_error(
      Errc::invalid_input,
      fmt::format("{}: cannot be read: {}", file, std::strerror(error)),
      "check its permissions");
  }
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return tl::unexpected(fs::errno_error("stat", file, error));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    const char* what = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "a device";
    return make_error(
      Errc::invalid_input,
      fmt::format("{} is {}, not a file", file, what),
      "attach regular files; a directory's files can be given one by one");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

bool
same_file_state(const struct stat& a, const struct stat& b)
{
  return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec
         && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ino == b.st_ino;
}

Error
changed(const fs::Path& file)
{
  return Error{Errc::invalid_input,
               fmt::format("{} changed while it was read (its size or "
                           "modification time differs); nothing was attached",
                           file),
               "attach it again once whatever writes it has finished"};
}

// Page-aligned memory: what O_DIRECT writes need.
class AlignedBuffer
{
public:
  explicit AlignedBuffer(std::size_t capacity)
    : m_data(static_cast<std::uint8_t*>(
      std::aligned_alloc(k_alignment, round_up(capacity))))
  {
    if (m_data == nullptr) {
      throw std::bad_alloc();
    }
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer()
  {
    std::free(m_data);
  }
  std::uint8_t*
  data()
  {
    return m_data;
  }

  static constexpr std::size_t k_alignment = 4096;

private:
  static std::size_t
  round_up(std::size_t n)
  {
    return (n + k_alignment - 1) / k_alignment * k_alignment;
  }
  std::uint8_t* m_data;
};

struct Block
{
  explicit Block(std::size_t capacity)
    : data(capacity)
  {
  }
  AlignedBuffer data;
  std::size_t length = 0; // bytes of data
  std::size_t write = 0;  // of those, how many to write now (ciphertext)
  bool last = false;
};

// A bounded hand-over between two threads. Blocks are recycled through a
// second queue going back, so nothing is allocated per block.
class Queue
{
public:
  void
  put(std::unique_ptr<Block> block)
  {
    std::lock_guard lock(m_mutex);
    m_items.push_back(std::move(block));
    m_changed.notify_all();
  }
  // nullptr once stopped.
  std::unique_ptr<Block>
  take()
  {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_stopped || !m_items.empty(); });
    if (m_stopped) {
      return nullptr;
    }
    auto block = std::move(m_items.front());
    m_items.pop_front();
    return block;
  }
  void
  stop()
  {
    std::lock_guard lock(m_mutex);
    m_stopped = true;
    m_changed.notify_all();
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<std::unique_ptr<Block>> m_items;
  bool m_stopped = false;
};

// The first error any thread of a pipeline met; the others stop.
class FirstError
{
public:
  void
  set(Error error)
  {
    std::lock_guard lock(m_mutex);
    if (!m_error) {
      m_error = std::move(error);
    }
  }
  std::optional<Error>
  get()
  {
    std::lock_guard lock(m_mutex);
    return m_error;
  }

private:
  std::mutex m_mutex;
  std::optional<Error> m_error;
};

} // namespace

Staged::Staged(Staged&& other) noexcept
  : size(other.size),
    padded_size(other.padded_size),
    plaintext_sha256(other.plaintext_sha256),
    object(other.object),
    object_size(other.object_size),
    fd(std::exchange(other.fd, -1)),
    temp(std::exchange(other.temp, std::nullopt))
{
}

Staged&
Staged::operator=(Staged&& other) noexcept
{
  if (this != &other) {
    this->~Staged();
    new (this) Staged(std::move(other));
  }
  return *this;
}

Staged::~Staged()
{
  if (fd >= 0) {
    ::close(fd);
  }
  if (temp) {
    ::unlink(temp->c_str());
  }
}

Result<void>
check_source(const fs::Path& file)
{
  // The name is kept, as JSON, in the record: a name in another encoding
  // (Latin-1 from an old camera) cannot be, and must not crash the writer.
  if (utf8::first_invalid(file.filename().string())) {
    return make_error(
      Errc::invalid_input,
      fmt::format("{}: its name is not UTF-8, and custody records it", file),
      "rename the file (for example with convmv) and attach it again");
  }
  struct stat st
  {
  };
  CUSTODY_ASSIGN(fd, open_source(file, st));
  ::close(fd);
  return {};
}

Result<Staged>
stage(const fs::Path& vault,
      const fs::Path& file,
      const age::X25519Recipient& recipient,
      const std::atomic<bool>* cancel,
      const Progress& progress)
{
  struct stat before
  {
  };
  CUSTODY_ASSIGN(source_fd, open_source(file, before));
  fs::Fd source(source_fd);
  ::posix_fadvise(source.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

  Staged staged;
  staged.size = static_cast<std::uint64_t>(before.st_size);
  staged.padded_size = store::padme(staged.size);
  const fs::Path objects = vault / "objects";
  CUSTODY_TRY(fs::make_directories(objects));
  CUSTODY_ASSIGN(anonymous, fs::create_anonymous_file(objects));
  fs::Path out_path = objects;
  if (anonymous.unsupported) {
    CUSTODY_ASSIGN(temp, fs::write_temp_file(objects, {}, fs::Sync::no));
    staged.temp = temp;
    staged.fd = ::open(temp.c_str(), O_WRONLY | O_CLOEXEC);
    if (staged.fd < 0) {
      return tl::unexpected(fs::errno_error("open", temp, errno));
    }
    out_path = temp;
  } else {
    staged.fd = anonymous.fd;
  }
  // Direct I/O: the object goes from our buffers to the disk without a copy
  // into the page cache, which on a virtual machine costs more than the
  // hashing and encryption together, and an evidence file read once should
  // not evict everything else. Where the filesystem refuses it, buffered
  // writes with early write-back do.
  const bool direct =
    ::fcntl(staged.fd, F_SETFL, ::fcntl(staged.fd, F_GETFL) | O_DIRECT) == 0;

  CUSTODY_ASSIGN(
    encryptor,
    age::Encryptor::create(std::span<const age::X25519Recipient>(&recipient, 1),
                           age::Armor::no));
  CUSTODY_TRY(fs::fault_point("write", out_path));

  // Three threads, two queues each way: the reader reads and hashes the
  // plaintext (with Padmé's zeros after it), this thread encrypts and hashes
  // the ciphertext, the writer writes it. On two cores the writer mostly waits
  // for the disk.
  constexpr std::size_t k_cipher_capacity =
    k_block_size + (k_block_size / age::k_chunk_size + 1) * age::k_tag_size
    + 2 * AlignedBuffer::k_alignment + 1024;
  Queue plain_free;
  Queue plain_full;
  Queue cipher_free;
  Queue cipher_full;
  for (std::size_t i = 0; i < k_blocks_in_flight; ++i) {
    plain_free.put(std::make_unique<Block>(k_block_size));
    cipher_free.put(std::make_unique<Block>(k_cipher_capacity));
  }
  FirstError failure;
  auto stop_all = [&] {
    plain_free.stop();
    plain_full.stop();
    cipher_free.stop();
    cipher_full.stop();
  };
  Sha256 plaintext_hash;
  std::thread reader([&] {
    std::uint64_t produced = 0;
    for (;;) {
      auto block = plain_free.take();
      if (block == nullptr) {
        return;
      }
      const std::uint64_t want =
        std::min<std::uint64_t>(k_block_size, staged.padded_size - produced);
      const std::uint64_t from_file =
        produced < staged.size
          ? std::min<std::uint64_t>(want, staged.size - produced)
          : 0;
      auto got = fs::read_fully(
        source.get(), std::span(block->data.data(), from_file), file);
      if (!got || *got != from_file) {
        failure.set(got ? changed(file) : got.error());
        stop_all();
        return;
      }
      plaintext_hash.update(ByteView(block->data.data(), from_file));
      std::memset(block->data.data() + from_file, 0, want - from_file);
      produced += want;
      block->length = want;
      block->last = produced == staged.padded_size;
      if (block->last) {
        // Nothing may follow the size the file had when we started.
        std::uint8_t extra = 0;
        auto more = fs::read_fully(source.get(), std::span(&extra, 1), file);
        if (!more || *more != 0) {
          failure.set(more ? changed(file) : more.error());
          stop_all();
          return;
        }
      }
      const bool last = block->last;
      plain_full.put(std::move(block));
      if (last) {
        return;
      }
    }
  });
  Sha256 object_hash;
  std::uint64_t written = 0;
  std::thread writer([&] {
    std::uint64_t synced_to = 0;
    for (;;) {
      auto block = cipher_full.take();
      if (block == nullptr) {
        return;
      }
      const ByteView all(block->data.data(), block->length);
      auto wrote =
        fs::write_all(staged.fd, all.subspan(0, block->write), out_path);
      if (wrote && block->last && block->write < block->length) {
        // The unaligned tail: the one write that goes through the page cache.
        if (direct) {
          ::fcntl(staged.fd, F_SETFL, ::fcntl(staged.fd, F_GETFL) & ~O_DIRECT);
        }
        wrote = fs::write_all(staged.fd, all.subspan(block->write), out_path);
        block->write = block->length;
      }
      if (!wrote) {
        failure.set(wrote.error());
        stop_all();
        return;
      }
      written += block->write;
      if (!direct && written - synced_to >= k_writeback_every) {
        ::sync_file_range(staged.fd,
                          static_cast<off_t>(synced_to),
                          static_cast<off_t>(written - synced_to),
                          SYNC_FILE_RANGE_WRITE);
        synced_to = written;
      }
      const bool last = block->last;
      cipher_free.put(std::move(block));
      if (last) {
        return;
      }
    }
  });
  // However this function leaves, no thread outlives what it uses.
  struct Joiner
  {
    std::function<void()> stop;
    std::thread& reader;
    std::thread& writer;
    ~Joiner()
    {
      stop();
      join();
    }
    void
    join()
    {
      if (reader.joinable()) {
        reader.join();
      }
      if (writer.joinable()) {
        writer.join();
      }
    }
  } joiner{stop_all, reader, writer};

  // This thread: encrypt into page-aligned output, carrying the few bytes
  // past the last whole page over to the next block.
  Bytes carry(encryptor.header());
  object_hash.update(encryptor.header());
  std::uint64_t done = 0;
  std::uint64_t reported = 0;
  for (;;) {
    if (cancelled(cancel)) {
      failure.set(interrupted());
      stop_all();
      break;
    }
    auto plain = plain_full.take();
    if (plain == nullptr) {
      break;
    }
    auto cipher = cipher_free.take();
    if (cipher == nullptr) {
      break;
    }
    std::memcpy(cipher->data.data(), carry.data(), carry.size());
    const std::size_t carried = carry.size();
    std::size_t length = carried;
    std::size_t offset = 0;
    Result<void> sealed;
    do {
      const std::size_t n =
        std::min<std::size_t>(age::k_chunk_size, plain->length - offset);
      const bool final_chunk = plain->last && offset + n == plain->length;
      sealed = encryptor.encrypt_into(
        ByteView(plain->data.data() + offset, n),
        final_chunk ? age::Last::yes : age::Last::no,
        std::span(cipher->data.data() + length, n + age::k_tag_size));
      length += n + age::k_tag_size;
      offset += n;
    } while (sealed && offset < plain->length);
    if (!sealed) {
      failure.set(sealed.error());
      stop_all();
      break;
    }
    const bool last = plain->last;
    done += plain->length;
    plain_free.put(std::move(plain));
    cipher->length = length;
    cipher->last = last;
    cipher->write =
      last ? length
           : length / AlignedBuffer::k_alignment * AlignedBuffer::k_alignment;
    if (last && direct) {
      cipher->write =
        length / AlignedBuffer::k_alignment * AlignedBuffer::k_alignment;
    }
    // Hashed here, not by the writer: with direct I/O the writer waits for
    // the disk on every block, and hashing there would add to that wait.
    object_hash.update(
      ByteView(cipher->data.data() + carried, length - carried));
    carry.assign(cipher->data.data() + cipher->write,
                 cipher->data.data() + (last ? cipher->write : length));
    if (last) {
      carry.clear();
    }
    cipher_full.put(std::move(cipher));
    if (progress && (done - reported >= k_progress_every || last)) {
      progress(done, staged.padded_size);
      reported = done;
    }
    if (last) {
      break;
    }
  }
  // On success both threads finish on their own with the last block; on a
  // failure stop_all() has released them.
  joiner.join();
  if (auto error = failure.get()) {
    return tl::unexpected(*error);
  }
  struct stat after
  {
  };
  if (::fstat(source.get(), &after) != 0 || !same_file_state(before, after)) {
    return tl::unexpected(changed(file));
  }
  struct stat again
  {
  };
  if (::stat(file.c_str(), &again) != 0 || !same_file_state(before, again)) {
    return tl::unexpected(changed(file));
  }
  CUSTODY_TRY(fs::fault_point("fsync", out_path));
  if (::fdatasync(staged.fd) != 0) {
    return tl::unexpected(fs::errno_error("fsync", out_path, errno));
  }
  staged.plaintext_sha256 = plaintext_hash.finish();
  staged.object = object_hash.finish();
  staged.object_size = written;
  return staged;
}

Result<void>
commit(const fs::Path& vault, Staged& staged)
{
  const fs::Path path = store::object_path(vault, staged.object);
  const fs::Path directory = path.parent_path();
  CUSTODY_TRY(fs::make_directories(directory));
  if (staged.temp) {
    CUSTODY_TRY(fs::rename_into_place(*staged.temp, path));
    staged.temp.reset();
    ::close(std::exchange(staged.fd, -1));
  } else {
    CUSTODY_TRY(fs::link_anonymous(std::exchange(staged.fd, -1), path));
  }
  return fs::fsync_directory(directory);
}

namespace {

// The Decryptor's input, fed block by block by a reading thread that hashes
// the ciphertext as it goes: the object is read once for both checks.
class QueueSource final : public age::Source
{
public:
  QueueSource(Queue& full, Queue& empty)
    : m_full(full),
      m_empty(empty)
  {
  }
  Result<std::size_t>
  read(std::span<std::uint8_t> out) override
  {
    while (m_block == nullptr || m_offset == m_block->length) {
      if (m_block != nullptr) {
        const bool last = m_block->last;
        m_empty.put(std::move(m_block));
        if (last) {
          return std::size_t{0};
        }
      }
      m_block = m_full.take();
      m_offset = 0;
      if (m_block == nullptr) {
        return make_error(Errc::interrupted, "the object reader stopped");
      }
    }
    const std::size_t n = std::min(out.size(), m_block->length - m_offset);
    std::memcpy(out.data(), m_block->data.data() + m_offset, n);
    m_offset += n;
    return n;
  }

private:
  Queue& m_full;
  Queue& m_empty;
  std::unique_ptr<Block> m_block;
  std::size_t m_offset = 0;
};

// An error opening or decrypting object `name`: a wrong key stays
// Errc::auth and a failed read Errc::io; anything else is damage.
Error
undecryptable(const Digest& name, const Error& error)
{
  const Errc code = error.code == Errc::auth || error.code == Errc::io
                      ? error.code
                      : Errc::corrupt;
  return Error{
    code, fmt::format("object {}: {}", to_hex(name), error.message), {}};
}

} // namespace

Result<Extracted>
read_plaintext(const fs::Path& vault,
               const Digest& name,
               const age::X25519Identity& key,
               std::uint64_t size,
               const Digest& sha256,
               const std::function<Result<void>(ByteView)>& sink,
               const std::atomic<bool>* cancel,
               const Progress& progress,
               CheckObjectName check_name)
{
  const fs::Path path = store::object_path(vault, name);
  CUSTODY_ASSIGN(raw, store::open_object(vault, name));
  fs::Fd fd(raw);

  // Two threads. With the name checked, this one reads the object and hashes
  // its bytes (invariant 8), the caller's decrypts and hashes the plaintext;
  // without, this one reads and decrypts, and the caller's thread is left to
  // hash the plaintext and feed the sink (a court bundle's archive writer).
  Queue full;
  Queue empty;
  for (std::size_t i = 0; i < k_blocks_in_flight; ++i) {
    empty.put(std::make_unique<Block>(k_block_size));
  }
  FirstError failure;
  Sha256 object_hash;
  auto read_and_hash = [&] {
    for (;;) {
      auto block = empty.take();
      if (block == nullptr) {
        return;
      }
      auto got = fs::read_fully(
        fd.get(), std::span(block->data.data(), k_block_size), path);
      if (!got) {
        failure.set(got.error());
        full.stop();
        return;
      }
      object_hash.update(ByteView(block->data.data(), *got));
      block->length = *got;
      block->last = *got < k_block_size;
      const bool last = block->last;
      full.put(std::move(block));
      if (last) {
        return;
      }
    }
  };
  // Whole chunks into each block; each is authenticated before it is put.
  auto read_and_decrypt = [&] {
    age::FdSource source(fd.get());
    auto decryptor =
      age::Decryptor::open(source,
                           std::span<const age::X25519Identity>(&key, 1),
                           age::Input::binary);
    if (!decryptor) {
      failure.set(undecryptable(name, decryptor.error()));
      full.stop();
      return;
    }
    for (;;) {
      auto block = empty.take();
      if (block == nullptr) {
        return;
      }
      block->length = 0;
      block->last = false;
      while (block->length + age::k_chunk_size <= k_block_size) {
        auto n = decryptor->read_chunk(
          std::span(block->data.data() + block->length, age::k_chunk_size));
        if (!n) {
          failure.set(undecryptable(name, n.error()));
          full.stop();
          return;
        }
        if (*n == 0) {
          block->last = true;
          break;
        }
        block->length += *n;
      }
      const bool last = block->last;
      full.put(std::move(block));
      if (last) {
        return;
      }
    }
  };
  std::thread reader(check_name == CheckObjectName::yes
                       ? std::function<void()>(read_and_hash)
                       : std::function<void()>(read_and_decrypt));
  struct Joiner
  {
    Queue& full;
    Queue& empty;
    std::thread& reader;
    ~Joiner()
    {
      full.stop();
      empty.stop();
      if (reader.joinable()) {
        reader.join();
      }
    }
  } joiner{full, empty, reader};

  Sha256 hash;
  std::uint64_t offset = 0;
  std::uint64_t reported = 0;
  bool padding_clean = true;
  // One authenticated piece of the padded plaintext.
  auto take = [&](ByteView plain) -> Result<void> {
    const std::uint64_t keep =
      offset >= size ? 0 : std::min<std::uint64_t>(plain.size(), size - offset);
    if (keep > 0) {
      const ByteView piece = plain.subspan(0, keep);
      hash.update(piece);
      if (sink) {
        CUSTODY_TRY(sink(piece));
      }
    }
    for (std::size_t i = keep; i < plain.size(); ++i) {
      padding_clean = padding_clean && plain[i] == 0;
    }
    offset += plain.size();
    if (progress && offset - reported >= k_progress_every) {
      progress(std::min(offset, size), size);
      reported = offset;
    }
    return {};
  };
  // The reading thread's error, when it stopped first.
  auto reader_error = [&](Error otherwise) -> Error {
    if (auto error = failure.get()) {
      return *error;
    }
    return otherwise;
  };

  if (check_name == CheckObjectName::yes) {
    QueueSource source(full, empty);
    auto decryptor =
      age::Decryptor::open(source,
                           std::span<const age::X25519Identity>(&key, 1),
                           age::Input::binary);
    if (!decryptor) {
      return tl::unexpected(
        reader_error(undecryptable(name, decryptor.error())));
    }
    Bytes chunk(age::k_chunk_size);
    for (;;) {
      if (cancelled(cancel)) {
        return tl::unexpected(interrupted());
      }
      auto n = decryptor->read_chunk(chunk);
      if (!n) {
        return tl::unexpected(reader_error(undecryptable(name, n.error())));
      }
      if (*n == 0) {
        break;
      }
      CUSTODY_TRY(take(ByteView(chunk.data(), *n)));
    }
  } else {
    for (;;) {
      if (cancelled(cancel)) {
        return tl::unexpected(interrupted());
      }
      auto block = full.take();
      if (block == nullptr) {
        return tl::unexpected(
          reader_error(Error{Errc::internal, "the object reader stopped", {}}));
      }
      CUSTODY_TRY(take(ByteView(block->data.data(), block->length)));
      const bool last = block->last;
      empty.put(std::move(block));
      if (last) {
        break;
      }
    }
  }
  if (reader.joinable()) {
    reader.join();
  }
  if (auto error = failure.get()) {
    return tl::unexpected(*error);
  }
  // invariant 8, from the same read
  if (check_name == CheckObjectName::yes && object_hash.finish() != name) {
    return tl::unexpected(store::altered_object(vault, name));
  }
  if (offset < size || offset != store::padme(size) || !padding_clean) {
    return fail(Errc::corrupt,
                "object {} holds {} bytes, not the {} its attachment records "
                "padded to {}",
                to_hex(name),
                offset,
                size,
                store::padme(size));
  }
  Extracted extracted{size, hash.finish()};
  if (extracted.sha256 != sha256) {
    return make_error(
      Errc::corrupt,
      fmt::format("object {}: the plaintext's SHA-256 is {}, not the {} "
                  "recorded when it was attached",
                  to_hex(name),
                  to_hex(extracted.sha256),
                  to_hex(sha256)),
      "the object decrypts but is not what was attached: restore it from a "
      "backup");
  }
  if (progress) {
    progress(size, size);
  }
  return extracted;
}

Result<Extracted>
extract(const fs::Path& vault,
        const Digest& name,
        const age::X25519Identity& key,
        std::uint64_t size,
        const Digest& sha256,
        const fs::Path& to,
        const std::atomic<bool>* cancel,
        const Progress& progress)
{
  if (std::filesystem::exists(std::filesystem::symlink_status(to))) {
    return make_error(Errc::invalid_input,
                      fmt::format("{} already exists; nothing was written", to),
                      "name a new file with -o");
  }
  const fs::Path directory =
    to.has_parent_path() ? to.parent_path() : fs::Path(".");
  if (!std::filesystem::is_directory(directory)) {
    return make_error(Errc::not_found,
                      fmt::format("{}: no such directory", directory),
                      "create it first, or name a file in an existing one");
  }
  CUSTODY_ASSIGN(anonymous, fs::create_anonymous_file(directory));
  // Without O_TMPFILE the plaintext would need a name before it is checked:
  // refuse rather than leave a half-written file behind.
  if (anonymous.unsupported) {
    return make_error(
      Errc::io,
      fmt::format("{} is on a filesystem without O_TMPFILE", directory),
      "extract to a directory on ext4, xfs, btrfs or tmpfs");
  }
  fs::Fd out(anonymous.fd);
  CUSTODY_ASSIGN(extracted,
                 read_plaintext(
                   vault,
                   name,
                   key,
                   size,
                   sha256,
                   [&](ByteView piece) -> Result<void> {
                     return fs::write_all(out.get(), piece, to);
                   },
                   cancel,
                   progress));
  CUSTODY_TRY(fs::fault_point("fsync", to));
  if (::fdatasync(out.get()) != 0) {
    return tl::unexpected(fs::errno_error("fsync", to, errno));
  }
  const std::string from = "/proc/self/fd/" + std::to_string(out.get());
  if (::linkat(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), AT_SYMLINK_FOLLOW)
      != 0) {
    if (errno == EEXIST) {
      return make_error(
        Errc::invalid_input,
        fmt::format("{} appeared while extracting; nothing was written", to),
        "name a new file with -o");
    }
    return tl::unexpected(fs::errno_error("name", to, errno));
  }
  CUSTODY_TRY(fs::fsync_directory(directory));
  return extracted;
}

Result<Prepared>
prepare(vault::Vault& vault,
        const std::string& record_id,
        std::vector<std::pair<Staged, Description>>& files)
{
  using vault::Compartment;
  CUSTODY_ASSIGN(recipient, vault.recipient(Compartment::identity));
  const std::uint32_t epoch = vault.current_epoch(Compartment::identity);
  Prepared prepared;
  prepared.documents = std::make_unique<store::ObjectBatch>(vault.directory());
  for (const auto& [staged, description] : files) {
    for (const std::string* text : {&description.name,
                                    &description.kind,
                                    &description.note,
                                    &description.captured_at}) {
      if (utf8::first_invalid(*text)) {
        return make_error(Errc::invalid_input,
                          "an attachment's name, kind, note or capture time "
                          "is not UTF-8; nothing was written",
                          "give each as UTF-8 text");
      }
    }
  }
  for (auto& [staged, description] : files) {
    const std::string media_salt = store::new_salt();
    json::Json attachment = {{"name", description.name},
                             {"kind", description.kind},
                             {"size", staged.size},
                             {"padded_size", staged.padded_size},
                             {"sha256", to_hex(staged.plaintext_sha256)},
                             {"object", to_hex(staged.object)},
                             {"media_salt", media_salt},
                             {"media", description.media}};
    if (!description.note.empty()) {
      attachment["note"] = description.note;
    }
    if (!description.captured_at.empty()) {
      attachment["captured_at"] = description.captured_at;
    }
    CUSTODY_ASSIGN(document,
                   store::encrypt_document({{"type", "attachment"},
                                            {"record", record_id},
                                            {"attachment", attachment}},
                                           recipient,
                                           epoch));
    CUSTODY_TRY(
      prepared.documents->add(document.sealed.ref.obj, document.file));
    const ledger::PayloadRef media{
      staged.object,
      store::commitment(media_salt, staged.plaintext_sha256),
      epoch};
    prepared.entries.push_back({{document.sealed.ref, media}, std::nullopt});
    prepared.written.push_back({0,
                                {},
                                description.name,
                                staged.size,
                                staged.plaintext_sha256,
                                staged.object});
  }
  return prepared;
}

Result<void>
make_durable(vault::Vault& vault,
             Prepared& prepared,
             std::vector<std::pair<Staged, Description>>& files)
{
  // Media first, then the documents naming them, then (the caller) the
  // entries: a crash leaves at most objects no entry names, which verify
  // reports.
  for (auto& [staged, description] : files) {
    CUSTODY_TRY(commit(vault.directory(), staged));
  }
  return prepared.documents->commit();
}

Result<std::vector<Written>>
write(vault::Vault& vault,
      const std::string& record_id,
      std::vector<std::pair<Staged, Description>>& files,
      vault::Notes& notes)
{
  // invariant 23: an attachment names a record the seals list as created,
  // whoever attaches; the record list is the one every role holds.
  CUSTODY_ASSIGN(records, vault.records(notes));
  CUSTODY_ASSIGN(key, vault::record_key(record_id));
  if (records->find(key) == nullptr) {
    return make_error(Errc::not_found,
                      fmt::format("no record {} in the vault's record list; "
                                  "nothing was attached",
                                  record_id),
                      Remedy::use_record_id);
  }
  CUSTODY_ASSIGN(prepared, prepare(vault, record_id, files));
  CUSTODY_TRY(make_durable(vault, prepared, files));
  CUSTODY_ASSIGN(appended,
                 vault.append(ledger::Kind::put, std::move(prepared.entries)));
  for (std::size_t i = 0; i < prepared.written.size(); ++i) {
    prepared.written[i].seq = appended[i].seq;
    prepared.written[i].hash = appended[i].hash;
  }
  return std::move(prepared.written);
}

Result<Recorded>
parse_recorded(const json::Json& attachment)
{
  Recorded recorded;
  if (!attachment.is_object() || !attachment.contains("size")
      || !attachment["size"].is_number_unsigned()) {
    return fail(Errc::corrupt, "an attachment document without a size");
  }
  recorded.size = attachment["size"].get<std::uint64_t>();
  auto sha = digest_from_hex(attachment.value("sha256", ""));
  auto object = digest_from_hex(attachment.value("object", ""));
  if (!sha || !object) {
    return fail(Errc::corrupt, "an attachment document without its hashes");
  }
  recorded.sha256 = *sha;
  recorded.object = *object;
  recorded.media_salt = attachment.value("media_salt", "");
  return recorded;
}

} // namespace custody::attach
