#include <custody/base/time.hpp>
#include <custody/base/utf8.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/export/bag.hpp>
#include <custody/sys/fs.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio> // renameat2
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace custody::bundle {

namespace {

namespace stdfs = std::filesystem;

// The size of the one buffer a writer streams every file through.
constexpr std::size_t k_chunk = std::size_t{1} << 20;
// An archive's bytes wait for its writing thread in at most this many buffers
// of k_chunk: enough to ride out a slow write, constant whatever the size.
constexpr std::size_t k_write_buffers = 4;
// The writing thread asks the kernel to start writing back every
// k_writeback_every bytes, and waits for what it started k_writeback_lag
// bytes earlier: the disk works while the export still decrypts and hashes,
// the final fsync finds little left, and the dirty pages stay few.
constexpr std::uint64_t k_writeback_every = 8ULL << 20;
constexpr std::uint64_t k_writeback_lag = 32ULL << 20;

constexpr std::string_view k_hex = "0123456789ABCDEF";

char
ascii_lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string
lower(std::string_view text)
{
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

bool
is_path_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// One line of printable UTF-8: no C0 controls, no DEL.
bool
is_printable_line(std::string_view text)
{
  if (utf8::first_invalid(text)) {
    return false;
  }
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

// The length of the well-formed UTF-8 sequence at the start of `text`, 0 when
// it is not one.
std::size_t
utf8_sequence(std::string_view text)
{
  const auto lead = static_cast<unsigned char>(text[0]);
  std::size_t length = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
  } else {
    return 0;
  }
  if (text.size() < length
      || utf8::first_invalid(text.substr(0, length)).has_value()) {
    return 0;
  }
  return length;
}

Error
failed_before()
{
  return Error{Errc::internal,
               "the bag writer failed earlier and was abandoned",
               "start the bag again"};
}

// Where the files of a bag go: a directory or an archive, under a temporary
// name until commit().
class Sink
{
public:
  Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  virtual ~Sink() = default;
  virtual Result<void> begin(const std::string& path, std::uint64_t size) = 0;
  virtual Result<void> write(ByteView data) = 0;
  virtual Result<void> end() = 0;
  // Completes the bag and makes it durable, still under its temporary name.
  virtual Result<void> close() = 0;
  virtual const stdfs::path& temp() const = 0;
  virtual std::optional<std::string> archive_sha256() = 0;
};

// Creates each parent directory inside the temporary bag directory.
class DirectorySink final : public Sink
{
public:
  explicit DirectorySink(stdfs::path temp)
    : m_temp(std::move(temp))
  {
  }

  Result<void>
  begin(const std::string& path, std::uint64_t /*size*/) override
  {
    CUSTODY_TRY(fs::fault_point("bag file", m_temp / path));
    const stdfs::path target = m_temp / path;
    CUSTODY_TRY(make_parents(path));
    const int fd = ::open(target.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          0600);
    if (fd < 0) {
      return tl::unexpected(errno_error("create", target, errno));
    }
    m_fd = fs::Fd(fd);
    m_path = target;
    return {};
  }

  Result<void>
  write(ByteView data) override
  {
    return fs::write_all(m_fd.get(), data, m_path);
  }

  Result<void>
  end() override
  {
    m_fd.reset();
    return {};
  }

  Result<void>
  close() override
  {
    // One syncfs(2) makes every file of the bag durable.
    return fs::sync_filesystem(m_temp);
  }

  const stdfs::path&
  temp() const override
  {
    return m_temp;
  }

  std::optional<std::string>
  archive_sha256() override
  {
    return std::nullopt;
  }

private:
  static Error
  errno_error(std::string_view operation, const stdfs::path& path, int number)
  {
    return fs::errno_error(operation, path, number);
  }

  Result<void>
  make_parents(const std::string& path)
  {
    for (std::size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      const std::string directory = path.substr(0, slash);
      if (m_made.contains(directory)) {
        continue;
      }
      const stdfs::path target = m_temp / directory;
      if (::mkdir(target.c_str(), 0700) != 0 && errno != EEXIST) {
        return tl::unexpected(errno_error("create directory", target, errno));
      }
      m_made.insert(directory);
    }
    return {};
  }

  stdfs::path m_temp;
  std::set<std::string> m_made;
  fs::Fd m_fd;
  stdfs::path m_path;
};

// A buffer of k_chunk bytes aligned for O_DIRECT, and how many it holds.
class Buffer
{
public:
  static constexpr std::size_t k_alignment = 4096;

  Buffer()
    : m_data(
      static_cast<std::uint8_t*>(std::aligned_alloc(k_alignment, k_chunk)))
  {
    if (m_data == nullptr) {
      throw std::bad_alloc();
    }
  }
  ByteView
  bytes() const
  {
    return {m_data.get(), m_length};
  }
  std::size_t
  room() const
  {
    return k_chunk - m_length;
  }
  // Copies as much of `data` as fits; returns how much.
  std::size_t
  fill(ByteView data)
  {
    const std::size_t n = std::min(data.size(), room());
    std::copy_n(data.data(), n, m_data.get() + m_length);
    m_length += n;
    return n;
  }
  void
  clear()
  {
    m_length = 0;
  }

private:
  struct Free
  {
    void
    operator()(std::uint8_t* data) const
    {
      std::free(data); // NOLINT(cppcoreguidelines-no-malloc): aligned_alloc's
    }
  };
  std::unique_ptr<std::uint8_t, Free> m_data;
  std::size_t m_length = 0;
};

// The bytes of one file, hashed and written by a thread of their own while the
// caller goes on producing more (decrypting, hashing and framing the next
// piece): the archive's SHA-256 and the write are off the producing thread.
// Every write goes through fs::write_all. The first error either side meets
// stops both; the destructor stops and joins the thread, so nothing of it
// outlives the file.
class WriteBehind
{
public:
  WriteBehind(int fd, stdfs::path path)
    : m_fd(fd),
      m_path(std::move(path)),
      // Direct I/O: the bytes go from these buffers to the disk without a
      // copy into the page cache, which on a virtual machine costs as much
      // as a SHA-256 pass, and a bundle written once evicts nothing. Where
      // the filesystem refuses it, buffered writes with early writeback.
      m_direct(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_DIRECT) == 0),
      m_free(k_write_buffers)
  {
    m_thread = std::thread([this] { run(); });
  }
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;
  ~WriteBehind()
  {
    {
      const std::lock_guard lock(m_mutex);
      m_stopped = true;
    }
    m_changed.notify_all();
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }

  // Copies `data` into the buffer being filled, handing each full one over.
  // Fails with the writing thread's error once it has met one.
  Result<void>
  put(ByteView data)
  {
    while (!data.empty()) {
      data = data.subspan(m_current.fill(data));
      if (m_current.room() == 0) {
        CUSTODY_TRY(hand_over());
      }
    }
    return {};
  }

  // Writes what is left, waits for the thread to end, and returns the SHA-256
  // of every byte written. The file is not yet synced.
  Result<Digest>
  finish()
  {
    if (!m_current.bytes().empty()) {
      CUSTODY_TRY(hand_over());
    }
    {
      const std::lock_guard lock(m_mutex);
      m_closing = true;
    }
    m_changed.notify_all();
    m_thread.join();
    if (m_error) {
      return tl::unexpected(*m_error);
    }
    return m_hash.finish();
  }

private:
  Result<void>
  hand_over()
  {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_error || !m_free.empty(); });
    if (m_error) {
      return tl::unexpected(*m_error);
    }
    m_full.push_back(std::exchange(m_current, std::move(m_free.front())));
    m_free.pop_front();
    lock.unlock();
    m_changed.notify_all();
    return {};
  }

  void
  run()
  {
    for (;;) {
      std::optional<Buffer> buffer;
      {
        std::unique_lock lock(m_mutex);
        m_changed.wait(
          lock, [&] { return m_stopped || m_closing || !m_full.empty(); });
        if (m_stopped || m_full.empty()) {
          return;
        }
        buffer.emplace(std::move(m_full.front()));
        m_full.pop_front();
      }
      auto done = write(buffer->bytes());
      {
        const std::lock_guard lock(m_mutex);
        if (!done) {
          m_error = std::move(done.error());
        }
        buffer->clear();
        m_free.push_back(std::move(*buffer));
      }
      m_changed.notify_all();
      if (!done) {
        return;
      }
    }
  }

  Result<void>
  write(ByteView data)
  {
    if (m_direct && data.size() % Buffer::k_alignment != 0) {
      // The unaligned tail (only the last buffer is short): the one write
      // that goes through the page cache.
      const std::size_t aligned =
        data.size() / Buffer::k_alignment * Buffer::k_alignment;
      CUSTODY_TRY(fs::write_all(m_fd, data.subspan(0, aligned), m_path));
      m_hash.update(data.subspan(0, aligned));
      m_written += aligned;
      data = data.subspan(aligned);
      ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) & ~O_DIRECT);
      m_direct = false;
    }
    CUSTODY_TRY(fs::write_all(m_fd, data, m_path));
    m_hash.update(data);
    m_written += data.size();
    if (!m_direct) {
      return write_back();
    }
    return {};
  }

  // Buffered: sync_file_range(2) starts the data's writeback as it goes and
  // waits for what it started k_writeback_lag earlier, so the disk works
  // while the export still decrypts and hashes and the dirty pages stay few.
  // It touches neither metadata nor the disk's cache: the fsync at the end
  // still makes the file durable, and finds little left to do.
  Result<void>
  write_back()
  {
    if (m_written - m_started_to < k_writeback_every) {
      return {};
    }
    if (::sync_file_range(m_fd,
                          static_cast<off_t>(m_started_to),
                          static_cast<off_t>(m_written - m_started_to),
                          SYNC_FILE_RANGE_WRITE)
        != 0) {
      return {}; // unsupported here: the fsync does all of it
    }
    m_started_to = m_written;
    if (m_written - m_waited_to >= k_writeback_lag + k_writeback_every) {
      const std::uint64_t to = m_written - k_writeback_lag;
      if (::sync_file_range(m_fd,
                            static_cast<off_t>(m_waited_to),
                            static_cast<off_t>(to - m_waited_to),
                            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE
                              | SYNC_FILE_RANGE_WAIT_AFTER)
          != 0) {
        return tl::unexpected(fs::errno_error("write", m_path, errno));
      }
      m_waited_to = to;
    }
    return {};
  }

  int m_fd;
  stdfs::path m_path;
  // The thread's, like what follows, until finish() has joined it.
  bool m_direct;
  Sha256 m_hash;
  std::uint64_t m_written = 0;
  std::uint64_t m_started_to = 0; // writeback asked for up to here
  std::uint64_t m_waited_to = 0;  // and done up to here
  // Shared, under m_mutex.
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<Buffer> m_full;
  std::deque<Buffer> m_free;
  bool m_closing = false;
  bool m_stopped = false;
  std::optional<Error> m_error;
  Buffer m_current; // the producer's
  std::thread m_thread;
};

// A .zip or .tar through libarchive, written to a temporary file through a
// callback; a WriteBehind hashes and writes it.
class ArchiveSink final : public Sink
{
public:
  static Result<std::unique_ptr<ArchiveSink>>
  open(stdfs::path temp,
       fs::Fd fd,
       Container container,
       std::string top,
       const std::optional<age::X25519Recipient>& encrypt_to)
  {
    auto sink = std::unique_ptr<ArchiveSink>(
      new ArchiveSink(std::move(temp), std::move(fd), std::move(top)));
    if (encrypt_to) {
      const age::X25519Recipient recipients[] = {*encrypt_to};
      auto encryptor = age::Encryptor::create(recipients, age::Armor::no);
      if (!encryptor) {
        return tl::unexpected(std::move(encryptor.error()));
      }
      sink->m_encryptor.emplace(std::move(*encryptor));
      CUSTODY_TRY(sink->put(sink->m_encryptor->header()));
    }
    sink->m_archive = archive_write_new();
    if (sink->m_archive == nullptr) {
      return make_error(Errc::internal, "libarchive: out of memory");
    }
    int status = ARCHIVE_OK;
    if (container == Container::zip) {
      status = archive_write_set_format_zip(sink->m_archive);
      // Media is already compressed: stored entries keep the export as fast
      // as a copy, and every unzip reads them.
      if (status == ARCHIVE_OK) {
        status = archive_write_zip_set_compression_store(sink->m_archive);
      }
    } else {
      status = archive_write_set_format_pax_restricted(sink->m_archive);
    }
    if (status == ARCHIVE_OK) {
      status = archive_write_open2(sink->m_archive,
                                   sink.get(),
                                   nullptr,
                                   &ArchiveSink::write_callback,
                                   nullptr,
                                   nullptr);
    }
    if (status != ARCHIVE_OK) {
      return tl::unexpected(sink->archive_error("start"));
    }
    return sink;
  }

  ArchiveSink(const ArchiveSink&) = delete;
  ArchiveSink& operator=(const ArchiveSink&) = delete;
  ~ArchiveSink() override
  {
    if (m_archive != nullptr) {
      archive_write_free(m_archive);
    }
  }

  Result<void>
  begin(const std::string& path, std::uint64_t size) override
  {
    CUSTODY_TRY(fs::fault_point("bag entry", m_temp));
    archive_entry* entry = archive_entry_new();
    if (entry == nullptr) {
      return make_error(Errc::internal, "libarchive: out of memory");
    }
    const std::string name = m_top + "/" + path;
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(size));
    archive_entry_set_mtime(entry, m_now, 0);
    const int status = archive_write_header(m_archive, entry);
    archive_entry_free(entry);
    if (status != ARCHIVE_OK) {
      return tl::unexpected(archive_error(path));
    }
    m_entry = path;
    return {};
  }

  Result<void>
  write(ByteView data) override
  {
    while (!data.empty()) {
      const la_ssize_t written =
        archive_write_data(m_archive, data.data(), data.size());
      if (written <= 0) {
        return tl::unexpected(archive_error(m_entry));
      }
      data = data.subspan(static_cast<std::size_t>(written));
    }
    return {};
  }

  Result<void>
  end() override
  {
    if (archive_write_finish_entry(m_archive) != ARCHIVE_OK) {
      return tl::unexpected(archive_error(m_entry));
    }
    return {};
  }

  Result<void>
  close() override
  {
    const int status = archive_write_close(m_archive);
    if (status != ARCHIVE_OK) {
      return tl::unexpected(archive_error("the end of the archive"));
    }
    archive_write_free(m_archive);
    m_archive = nullptr;
    if (m_encryptor) {
      // The last chunk, held back until now so that it is marked last.
      Bytes out;
      CUSTODY_TRY(m_encryptor->encrypt_chunk(m_pending, age::Last::yes, out));
      m_pending.clear();
      CUSTODY_TRY(put(out));
    }
    CUSTODY_ASSIGN(digest, m_writer->finish());
    m_digest = digest;
    if (::fsync(m_fd.get()) != 0) {
      return tl::unexpected(fs::errno_error("fsync", m_temp, errno));
    }
    m_fd.reset();
    return {};
  }

  const stdfs::path&
  temp() const override
  {
    return m_temp;
  }

  std::optional<std::string>
  archive_sha256() override
  {
    return to_hex(m_digest);
  }

private:
  ArchiveSink(stdfs::path temp, fs::Fd fd, std::string top)
    : m_temp(std::move(temp)),
      m_fd(std::move(fd)),
      m_top(std::move(top)),
      m_now(
        std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())),
      m_writer(std::make_unique<WriteBehind>(m_fd.get(), m_temp))
  {
  }

  // Bytes of the file as they are on disk, to the writing thread.
  Result<void>
  put(ByteView data)
  {
    return m_writer->put(data);
  }

  // The archive's bytes: to the file, or through age in 64 KiB chunks, the
  // last one kept back until close() knows it is the last.
  Result<void>
  take(ByteView data)
  {
    if (!m_encryptor) {
      return put(data);
    }
    m_pending.insert(m_pending.end(), data.begin(), data.end());
    std::size_t done = 0;
    Bytes out;
    while (m_pending.size() - done > age::k_chunk_size) {
      out.clear();
      CUSTODY_TRY(m_encryptor->encrypt_chunk(
        ByteView(m_pending.data() + done, age::k_chunk_size),
        age::Last::no,
        out));
      CUSTODY_TRY(put(out));
      done += age::k_chunk_size;
    }
    m_pending.erase(m_pending.begin(),
                    m_pending.begin() + static_cast<std::ptrdiff_t>(done));
    return {};
  }

  static la_ssize_t
  write_callback(archive* /*archive*/,
                 void* client,
                 const void* buffer,
                 std::size_t length)
  {
    auto* sink = static_cast<ArchiveSink*>(client);
    const ByteView data(static_cast<const std::uint8_t*>(buffer), length);
    auto written = sink->take(data);
    if (!written) {
      sink->m_error = std::move(written.error());
      return -1;
    }
    return static_cast<la_ssize_t>(length);
  }

  // The error the write callback kept (the disk's), else libarchive's.
  Error
  archive_error(std::string_view what)
  {
    if (m_error) {
      return *std::exchange(m_error, std::nullopt);
    }
    const char* text = archive_error_string(m_archive);
    return Error{Errc::io,
                 fmt::format("{}: writing {}: {}",
                             m_temp.string(),
                             what,
                             text != nullptr ? text : "libarchive failed"),
                 "check the space and permissions where the bag is written"};
  }

  stdfs::path m_temp;
  fs::Fd m_fd;
  std::string m_top;
  std::time_t m_now;
  archive* m_archive = nullptr;
  std::optional<Error> m_error;
  std::string m_entry;
  std::optional<age::Encryptor> m_encryptor;
  Bytes m_pending;
  Digest m_digest{};
  // Declared after m_fd: its thread is joined before the file is closed.
  std::unique_ptr<WriteBehind> m_writer;
};

bool
is_reserved_tag(std::string_view path)
{
  const std::string name = lower(path);
  return name == "bagit.txt" || name == "bag-info.txt" || name == "fetch.txt"
         || name == k_original_names_file || name.starts_with("manifest-")
         || name.starts_with("tagmanifest-");
}

bool
is_reserved_label(std::string_view label)
{
  const std::string name = lower(label);
  return name == "payload-oxum" || name == "bagging-date"
         || name == "source-organization" || name == "bagit-profile-identifier";
}

Result<void>
check_info(const BagInfo& info)
{
  if (info.source_organization.empty()
      || !is_printable_line(info.source_organization)) {
    return make_error(Errc::invalid_input,
                      "bag-info.txt: Source-Organization must be one line of "
                      "printable UTF-8",
                      "give the organisation's name without line breaks");
  }
  if (info.bagging_date.size() != 10
      || !time::is_date_or_rfc3339(info.bagging_date)) {
    return make_error(Errc::invalid_input,
                      fmt::format("bag-info.txt: Bagging-Date \"{}\" is not a "
                                  "date (YYYY-MM-DD)",
                                  info.bagging_date));
  }
  if (info.profile_identifier.empty()
      || !is_printable_line(info.profile_identifier)
      || info.profile_identifier.find(' ') != std::string::npos) {
    return make_error(Errc::invalid_input,
                      "bag-info.txt: BagIt-Profile-Identifier must be a URI");
  }
  for (const auto& [label, value] : info.extra) {
    const bool label_ok = !label.empty() && is_printable_line(label)
                          && label.find(':') == std::string::npos
                          && label.front() != ' ' && label.back() != ' ';
    if (!label_ok) {
      return make_error(Errc::invalid_input,
                        fmt::format("bag-info.txt: the label \"{}\" is not one "
                                    "(no colon, no control, no space at its "
                                    "ends)",
                                    escape_name(label)));
    }
    if (is_reserved_label(label)) {
      return make_error(Errc::invalid_input,
                        fmt::format("bag-info.txt: {} is written by the bag "
                                    "writer, not given",
                                    label));
    }
    if (!is_printable_line(value)) {
      return make_error(Errc::invalid_input,
                        fmt::format("bag-info.txt: the value of {} must be one "
                                    "line of printable UTF-8",
                                    label));
    }
  }
  return {};
}

// A path inside the bag made of [A-Za-z0-9._-] components, none "." or "..".
bool
is_safe_path(std::string_view path)
{
  if (path.empty() || path.front() == '/' || path.back() == '/') {
    return false;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      slash = path.size();
    }
    const std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == "." || part == ".."
        || !std::all_of(part.begin(), part.end(), is_path_char)) {
      return false;
    }
    start = slash + 1;
  }
  return true;
}

// renameat2(2) of the finished bag to its name: never over something unless
// `replace`, then by an atomic exchange, the old one removed after.
Result<void>
rename_into_place(const stdfs::path& temp,
                  const stdfs::path& out,
                  Replace replace)
{
  CUSTODY_TRY(fs::fault_point("bag rename", out));
  if (::renameat2(
        AT_FDCWD, temp.c_str(), AT_FDCWD, out.c_str(), RENAME_NOREPLACE)
      == 0) {
    return {};
  }
  if (errno != EEXIST || replace == Replace::no) {
    if (errno == EEXIST) {
      return make_error(Errc::invalid_input,
                        fmt::format("{}: exists already", out.string()),
                        "choose another name, or remove it first");
    }
    return tl::unexpected(fs::errno_error("rename", out, errno));
  }
  if (::renameat2(
        AT_FDCWD, temp.c_str(), AT_FDCWD, out.c_str(), RENAME_EXCHANGE)
      != 0) {
    return tl::unexpected(fs::errno_error("replace", out, errno));
  }
  std::error_code ignored;
  stdfs::remove_all(temp, ignored);
  return {};
}

std::string
manifest(std::vector<std::pair<std::string, std::string>> entries)
{
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (const auto& [path, hex] : entries) {
    out += hex;
    out += "  ";
    out += path;
    out += '\n';
  }
  return out;
}

} // namespace

std::string
escape_name(std::string_view name)
{
  std::string out;
  out.reserve(name.size());
  std::size_t at = 0;
  while (at < name.size()) {
    const auto byte = static_cast<unsigned char>(name[at]);
    if (byte >= 0x80) {
      const std::size_t length = utf8_sequence(name.substr(at));
      if (length > 0) {
        out += name.substr(at, length);
        at += length;
        continue;
      }
    } else if (byte >= 0x20 && byte != 0x7f && byte != '%') {
      out += static_cast<char>(byte);
      ++at;
      continue;
    }
    out += '%';
    out += k_hex[byte >> 4];
    out += k_hex[byte & 0x0f];
    ++at;
  }
  return out;
}

std::string
payload_extension(std::string_view original_name)
{
  const std::size_t dot = original_name.rfind('.');
  if (dot == std::string_view::npos) {
    return {};
  }
  const std::string extension = lower(original_name.substr(dot + 1));
  const bool ok =
    !extension.empty() && extension.size() <= 8
    && std::all_of(extension.begin(), extension.end(), [](char c) {
         return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
       });
  return ok ? extension : std::string{};
}

Container
container_for(const std::filesystem::path& out)
{
  std::filesystem::path name = out.filename();
  if (lower(name.extension().string()) == ".age") {
    name = name.stem();
  }
  const std::string extension = lower(name.extension().string());
  if (extension == ".zip") {
    return Container::zip;
  }
  if (extension == ".tar") {
    return Container::tar;
  }
  return Container::directory;
}

Reader
bytes_reader(ByteView bytes)
{
  return [bytes, at = std::size_t{0}](
           std::span<std::uint8_t> out) mutable -> Result<std::size_t> {
    const std::size_t n = std::min(out.size(), bytes.size() - at);
    std::copy_n(
      bytes.begin() + static_cast<std::ptrdiff_t>(at), n, out.begin());
    at += n;
    return n;
  };
}

struct BagWriter::State
{
  stdfs::path out;
  BagInfo info;
  Replace replace = Replace::no;
  std::unique_ptr<Sink> sink;
  bool failed = false;
  bool finished = false;
  Bytes buffer;
  std::set<std::string> files_lower;
  std::set<std::string> directories_lower;
  // path -> hex, for the payload and the tag manifests
  std::vector<std::pair<std::string, std::string>> payload;
  std::vector<std::pair<std::string, std::string>> tags;
  std::map<std::string, std::string> originals;        // sha256 hex -> path
  std::set<std::pair<std::string, std::string>> names; // (sha256, escaped)
  std::uint64_t payload_octets = 0;

  ~State()
  {
    if (!finished && sink) {
      std::error_code ignored;
      const stdfs::path temp = sink->temp();
      sink.reset();
      stdfs::remove_all(temp, ignored);
    }
  }

  // Claims `path` for one file, refusing one already taken, even in another
  // ASCII case, or one that is a file's directory or under a file.
  Result<void>
  claim(const std::string& path)
  {
    const std::string key = lower(path);
    if (files_lower.contains(key) || directories_lower.contains(key)) {
      return make_error(
        Errc::invalid_input,
        fmt::format("{}: the bag has this path already (ASCII case ignored)",
                    path));
    }
    std::vector<std::string> parents;
    for (std::size_t slash = key.find('/'); slash != std::string::npos;
         slash = key.find('/', slash + 1)) {
      parents.push_back(key.substr(0, slash));
      if (files_lower.contains(parents.back())) {
        return make_error(Errc::invalid_input,
                          fmt::format("{}: {} is a file in the bag already",
                                      path,
                                      parents.back()));
      }
    }
    files_lower.insert(key);
    directories_lower.insert(parents.begin(), parents.end());
    return {};
  }

  // Streams the `size` bytes `produce` gives into the bag at `path`, hashing
  // them.
  // The bytes' SHA-256, or `checked` when the producer checks them itself.
  Result<Digest>
  stream(const std::string& path,
         std::uint64_t size,
         const Producer& produce,
         const Digest* checked = nullptr) const
  {
    CUSTODY_TRY(sink->begin(path, size));
    Sha256 hash;
    std::uint64_t written = 0;
    auto produced = produce([&](ByteView piece) -> Result<void> {
      if (piece.size() > size - written) {
        return make_error(Errc::corrupt,
                          fmt::format("{}: the source is longer than the {} "
                                      "bytes declared",
                                      path,
                                      size));
      }
      if (checked == nullptr) {
        hash.update(piece);
      }
      CUSTODY_TRY(sink->write(piece));
      written += piece.size();
      return {};
    });
    if (!produced) {
      return tl::unexpected(with_context(std::move(produced.error()), path));
    }
    if (written != size) {
      return make_error(Errc::corrupt,
                        fmt::format("{}: the source ended after {} of the "
                                    "{} bytes declared",
                                    path,
                                    written,
                                    size));
    }
    CUSTODY_TRY(sink->end());
    return checked != nullptr ? *checked : hash.finish();
  }

  // A Reader as a Producer: pieces of at most k_chunk through `buffer`, and a
  // probe for bytes beyond `size`.
  Producer
  pull(std::uint64_t size, const Reader& read)
  {
    return [this, size, &read](const Write& write) -> Result<void> {
      std::uint64_t remaining = size;
      while (remaining > 0) {
        const auto want =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining, k_chunk));
        CUSTODY_ASSIGN(got, read(std::span<std::uint8_t>(buffer.data(), want)));
        if (got == 0) {
          return make_error(Errc::corrupt,
                            fmt::format("the source ended after {} of the "
                                        "{} bytes declared",
                                        size - remaining,
                                        size));
        }
        if (got > want) {
          return make_error(Errc::internal, "a reader gave more than asked");
        }
        CUSTODY_TRY(write(ByteView(buffer.data(), got)));
        remaining -= got;
      }
      std::uint8_t probe = 0;
      CUSTODY_ASSIGN(more, read(std::span<std::uint8_t>(&probe, 1)));
      if (more != 0) {
        return make_error(
          Errc::corrupt,
          fmt::format("the source is longer than the {} bytes declared", size));
      }
      return {};
    };
  }

  Result<void>
  write_whole(const std::string& path, ByteView bytes) const
  {
    CUSTODY_TRY(sink->begin(path, bytes.size()));
    CUSTODY_TRY(sink->write(bytes));
    return sink->end();
  }

  Result<void>
  add_tag(const std::string& path, std::string_view text)
  {
    CUSTODY_TRY(claim(path));
    CUSTODY_TRY(write_whole(path, as_bytes(text)));
    tags.emplace_back(path, sha256_hex(as_bytes(text)));
    return {};
  }

  Result<BagSummary>
  finish(const BeforePublish& before_publish)
  {
    std::string names_text;
    for (const auto& [hex, name] : names) {
      names_text += hex;
      names_text += "  ";
      names_text += name;
      names_text += '\n';
    }
    CUSTODY_TRY(add_tag(std::string(k_original_names_file), names_text));
    CUSTODY_TRY(add_tag("manifest-sha256.txt", manifest(payload)));
    std::string bag_info =
      fmt::format("Source-Organization: {}\nBagging-Date: {}\n"
                  "Payload-Oxum: {}.{}\nBagIt-Profile-Identifier: {}\n",
                  info.source_organization,
                  info.bagging_date,
                  payload_octets,
                  payload.size(),
                  info.profile_identifier);
    for (const auto& [label, value] : info.extra) {
      bag_info += fmt::format("{}: {}\n", label, value);
    }
    CUSTODY_TRY(add_tag("bag-info.txt", bag_info));
    CUSTODY_TRY(add_tag(
      "bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"));
    const std::string tagmanifest = manifest(tags);
    CUSTODY_TRY(claim("tagmanifest-sha256.txt"));
    CUSTODY_TRY(write_whole("tagmanifest-sha256.txt", as_bytes(tagmanifest)));
    CUSTODY_TRY(sink->close());
    BagSummary summary;
    summary.archive_sha256 = sink->archive_sha256();
    summary.path = sink->temp();
    summary.payload_octets = payload_octets;
    summary.payload_files = payload.size();
    summary.tagmanifest_sha256 = sha256_hex(as_bytes(tagmanifest));
    if (before_publish) {
      CUSTODY_TRY(before_publish(summary));
    }
    CUSTODY_TRY(rename_into_place(sink->temp(), out, replace));
    CUSTODY_TRY(fs::fsync_directory(out.has_parent_path() ? out.parent_path()
                                                          : stdfs::path(".")));
    finished = true;
    summary.path = out;
    return summary;
  }
};

BagWriter::BagWriter(std::unique_ptr<State> state)
  : m_state(std::move(state))
{
}
BagWriter::BagWriter(BagWriter&&) noexcept = default;
BagWriter& BagWriter::operator=(BagWriter&&) noexcept = default;
BagWriter::~BagWriter() = default;

Result<void>
check_output_name(const std::filesystem::path& out, bool encrypted)
{
  const bool age_name = lower(out.extension().string()) == ".age";
  if (encrypted != age_name
      || (age_name && container_for(out) == Container::directory)) {
    return make_error(Errc::usage,
                      fmt::format("{}: a bag encrypted to a recipient is a "
                                  ".tar.age or .zip.age, and only such a "
                                  "name is encrypted",
                                  out.string()));
  }
  return {};
}

namespace {

// The bag's one top-level directory in an archive: the name without its
// extensions (.tar, .zip, .age).
std::string
bag_top(const std::filesystem::path& out)
{
  std::filesystem::path name = out.filename();
  if (lower(name.extension().string()) == ".age") {
    name = name.stem();
  }
  return name.stem().string();
}

} // namespace

Result<BagWriter>
BagWriter::create(const std::filesystem::path& out,
                  BagInfo info,
                  Replace replace,
                  const std::optional<age::X25519Recipient>& encrypt_to)
{
  CUSTODY_TRY(check_output_name(out, encrypt_to.has_value()));
  CUSTODY_TRY(check_info(info));
  if (out.filename().empty() || out.filename() == "."
      || out.filename() == "..") {
    return make_error(Errc::invalid_input,
                      fmt::format("{}: not a name for a bag", out.string()));
  }
  std::error_code error;
  if (stdfs::symlink_status(out, error).type() != stdfs::file_type::not_found
      && replace == Replace::no) {
    return make_error(Errc::invalid_input,
                      fmt::format("{}: exists already", out.string()),
                      "choose another name, or remove it first");
  }
  const stdfs::path parent =
    out.has_parent_path() ? out.parent_path() : stdfs::path(".");
  std::string pattern =
    (parent
     / (std::string(fs::k_temp_prefix) + out.filename().string() + "-XXXXXX"))
      .string();
  auto state = std::make_unique<State>();
  state->out = out;
  state->info = std::move(info);
  state->replace = replace;
  state->buffer.resize(k_chunk);
  const Container container = container_for(out);
  if (container == Container::directory) {
    if (::mkdtemp(pattern.data()) == nullptr) {
      return tl::unexpected(fs::errno_error("create", pattern, errno));
    }
    state->sink = std::make_unique<DirectorySink>(pattern);
  } else {
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) {
      return tl::unexpected(fs::errno_error("create", pattern, errno));
    }
    fs::Fd owned(fd);
    auto sink = ArchiveSink::open(
      pattern, std::move(owned), container, bag_top(out), encrypt_to);
    if (!sink) {
      ::unlink(pattern.c_str());
      return tl::unexpected(std::move(sink.error()));
    }
    state->sink = std::move(*sink);
  }
  return BagWriter(std::move(state));
}

Result<std::string>
BagWriter::add_original(const Digest& sha256,
                        std::string_view original_name,
                        std::uint64_t size,
                        const Reader& read)
{
  return add_original(sha256, original_name, size, m_state->pull(size, read));
}

Result<std::string>
BagWriter::add_original(const Digest& sha256,
                        std::string_view original_name,
                        std::uint64_t size,
                        const Producer& produce,
                        Hashed hashed)
{
  State& state = *m_state;
  if (state.failed || state.finished) {
    return tl::unexpected(failed_before());
  }
  const std::string hex = to_hex(sha256);
  state.names.emplace(hex, escape_name(original_name));
  if (auto known = state.originals.find(hex); known != state.originals.end()) {
    return known->second;
  }
  const std::string extension = payload_extension(original_name);
  std::string path = "data/original/" + hex;
  if (!extension.empty()) {
    path += "." + extension;
  }
  auto written = [&]() -> Result<void> {
    CUSTODY_TRY(state.claim(path));
    CUSTODY_ASSIGN(
      digest,
      state.stream(path,
                   size,
                   produce,
                   hashed == Hashed::by_producer ? &sha256 : nullptr));
    if (digest != sha256) {
      return make_error(Errc::corrupt,
                        fmt::format("{}: the bytes read hash to {}, not to the "
                                    "SHA-256 declared",
                                    path,
                                    to_hex(digest)),
                        "the stored original differs from what was recorded");
    }
    return {};
  }();
  if (!written) {
    state.failed = true;
    return tl::unexpected(std::move(written.error()));
  }
  state.originals.emplace(hex, path);
  state.payload.emplace_back(path, hex);
  state.payload_octets += size;
  return path;
}

Result<std::string>
BagWriter::add_payload(std::string_view path,
                       std::uint64_t size,
                       const Reader& read)
{
  return add_payload(path, size, m_state->pull(size, read));
}

Result<std::string>
BagWriter::add_payload(std::string_view path,
                       std::uint64_t size,
                       const Producer& produce)
{
  State& state = *m_state;
  if (state.failed || state.finished) {
    return tl::unexpected(failed_before());
  }
  if (!is_safe_path(path) || !path.starts_with("data/")
      || lower(path).starts_with("data/original/")) {
    return make_error(Errc::invalid_input,
                      fmt::format("\"{}\": not a payload path (data/..., "
                                  "[A-Za-z0-9._-] components, not under "
                                  "data/original/)",
                                  escape_name(path)));
  }
  const std::string name(path);
  CUSTODY_TRY(state.claim(name));
  auto digest = state.stream(name, size, produce);
  if (!digest) {
    state.failed = true;
    return tl::unexpected(std::move(digest.error()));
  }
  std::string hex = to_hex(*digest);
  state.payload.emplace_back(name, hex);
  state.payload_octets += size;
  return hex;
}

Result<std::string>
BagWriter::add_payload(std::string_view path, ByteView bytes)
{
  return add_payload(path, bytes.size(), bytes_reader(bytes));
}

Result<void>
BagWriter::add_tag_file(std::string_view path, ByteView bytes)
{
  State& state = *m_state;
  if (state.failed || state.finished) {
    return tl::unexpected(failed_before());
  }
  if (!is_safe_path(path) || lower(path).starts_with("data/")
      || lower(path) == "data" || is_reserved_tag(path)) {
    return make_error(Errc::invalid_input,
                      fmt::format("\"{}\": not a tag file path (outside data/, "
                                  "[A-Za-z0-9._-] components, none of the "
                                  "writer's own)",
                                  escape_name(path)));
  }
  auto added = state.add_tag(std::string(path), as_text(bytes));
  if (!added) {
    // A refused path writes nothing; a failed write leaves a broken entry.
    if (added.error().code != Errc::invalid_input) {
      state.failed = true;
    }
    return added;
  }
  return {};
}

Result<BagSummary>
BagWriter::finish(const BeforePublish& before_publish)
{
  State& state = *m_state;
  if (state.failed || state.finished) {
    return tl::unexpected(failed_before());
  }
  auto summary = state.finish(before_publish);
  if (!summary) {
    state.failed = true;
  }
  return summary;
}

} // namespace custody::bundle
