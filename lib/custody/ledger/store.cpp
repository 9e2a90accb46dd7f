// Content-addressed objects and salted, padded payload documents.
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <set>
#include <utility>

namespace custody::store {

fs::Path
object_path(const fs::Path& vault, const Digest& name)
{
  const std::string hex = to_hex(name);
  return vault / "objects" / hex.substr(0, 2) / hex.substr(2);
}

Result<Digest>
write_object(const fs::Path& vault, ByteView bytes)
{
  const Digest name = sha256(bytes);
  const fs::Path path = object_path(vault, name);
  if (std::filesystem::exists(path)) {
    return name;
  }
  CUSTODY_TRY(fs::make_directories(path.parent_path()));
  auto created = fs::create_file_durably(path, bytes);
  if (!created
      && created.error().code
           != Errc::invalid_input) { // invalid_input: it exists
    return tl::unexpected(created.error());
  }
  return name;
}

namespace {

// How many unnamed files a batch keeps open before naming them: each needs a
// descriptor until then, and each group costs one syncfs, so as many as the
// descriptor limit comfortably allows (main raises it:
// raise_descriptor_limit).
std::size_t
group_size()
{
  struct rlimit limit
  {
  };
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return 64;
  }
  const auto usable = static_cast<std::size_t>(limit.rlim_cur) / 4;
  return std::clamp<std::size_t>(usable, 64, 8192);
}

} // namespace

ObjectBatch::ObjectBatch(fs::Path vault)
  : m_vault(std::move(vault)),
    m_group_size(group_size())
{
}

ObjectBatch::~ObjectBatch()
{
  for (const auto& pending : m_pending) {
    if (pending.fd >= 0) {
      ::close(pending.fd); // an unnamed file vanishes with its last descriptor
    } else if (!pending.temp.empty()) {
      ::unlink(pending.temp.c_str());
    }
  }
}

Result<Digest>
ObjectBatch::add(ByteView bytes)
{
  const Digest name = sha256(bytes);
  CUSTODY_TRY(add(name, bytes));
  return name;
}

Result<void>
ObjectBatch::add(const Digest& name, ByteView bytes)
{
  const fs::Path directory = object_path(m_vault, name).parent_path();
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    // Not synced one by one: the syncfs(2) that comes before any object in it
    // is named makes the new directory durable too (256 fsyncs under this
    // lock cost a fresh vault a quarter of a second of one core).
    if (!m_directories.test(name[0])) {
      CUSTODY_TRY(fs::make_directories(directory, fs::Sync::no));
      m_directories.set(name[0]);
    }
  }
  // An unnamed file in the object's own directory: no temp name to create and
  // rename away, and nothing left behind by a crash. Filesystems without
  // O_TMPFILE get a temp file instead.
  Pending pending;
  pending.name = name;
  CUSTODY_ASSIGN(anonymous, fs::write_anonymous_file(directory, bytes));
  if (anonymous.unsupported) {
    CUSTODY_ASSIGN(temp, fs::write_temp_file(directory, bytes, fs::Sync::no));
    pending.temp = std::move(temp);
  } else {
    pending.fd = anonymous.fd;
  }
  std::vector<Pending> group;
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_pending.push_back(std::move(pending));
    if (m_pending.size() >= m_group_size) {
      group.swap(m_pending);
    }
  }
  // Named outside the lock, so the other workers keep encrypting meanwhile.
  if (!group.empty()) {
    CUSTODY_TRY(name_group(group));
  }
  return {};
}

// Makes a group of objects durable (one syncfs), then names them.
Result<void>
ObjectBatch::name_group(std::vector<Pending>& group)
{
  auto named = [&]() -> Result<void> {
    CUSTODY_TRY(fs::sync_filesystem(m_vault / "objects"));
    for (auto& pending : group) {
      const fs::Path path = object_path(m_vault, pending.name);
      if (pending.fd >= 0) {
        CUSTODY_TRY(fs::link_anonymous(std::exchange(pending.fd, -1), path));
      } else if (!pending.temp.empty()) {
        CUSTODY_TRY(fs::rename_into_place(pending.temp, path));
        pending.temp.clear();
      }
    }
    return {};
  }();
  // Whatever was not named goes back, for the destructor to drop.
  const std::lock_guard<std::mutex> lock(m_mutex);
  for (auto& pending : group) {
    if (pending.fd >= 0 || !pending.temp.empty()) {
      m_pending.push_back(std::move(pending));
    }
  }
  m_named = true;
  group.clear();
  return named;
}

Result<void>
ObjectBatch::commit()
{
  std::vector<Pending> group;
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    group.swap(m_pending);
  }
  if (!group.empty()) {
    CUSTODY_TRY(name_group(group));
  }
  // One more syncfs makes the names durable: a few calls where fsyncs per file
  // and per directory would be tens of thousands.
  if (m_named) {
    CUSTODY_TRY(fs::sync_filesystem(m_vault / "objects"));
    m_named = false;
  }
  return {};
}

Result<Bytes>
read_object(const fs::Path& vault, const Digest& name)
{
  const fs::Path path = object_path(vault, name);
  auto bytes = fs::read_file(path, k_max_payload_object);
  if (!bytes) {
    if (bytes.error().code == Errc::not_found) {
      return broken(8, fmt::format("object {} is missing", to_hex(name)));
    }
    return tl::unexpected(bytes.error());
  }
  // invariant 8
  if (sha256(*bytes) != name) {
    return broken(
      8, fmt::format("object {} does not match its name", to_hex(name)));
  }
  return std::move(*bytes);
}

Digest
commitment(std::string_view salt_hex, const Digest& plaintext_sha256)
{
  return sha256(
    fmt::format("custody-commit-v1:{}:{}", salt_hex, to_hex(plaintext_sha256)));
}

Bytes
pad(ByteView plaintext)
{
  const std::size_t size =
    std::max(k_min_padded_size, std::bit_ceil(plaintext.size()));
  Bytes padded(size, 0);
  std::copy(plaintext.begin(), plaintext.end(), padded.begin());
  return padded;
}

Result<Encrypted>
encrypt_document(json::Json document,
                 const age::X25519Recipient& recipient,
                 std::uint32_t epoch)
{
  const std::string salt = new_salt();
  document["salt"] = salt;
  return encrypt_plaintext(json::canonical(document), salt, recipient, epoch);
}

std::string
new_salt()
{
  return to_hex(random_bytes(32));
}

Result<Encrypted>
encrypt_plaintext(std::string plaintext,
                  std::string_view salt,
                  const age::X25519Recipient& recipient,
                  std::uint32_t epoch)
{
  Encrypted out;
  out.sealed.plaintext = std::move(plaintext);
  const Bytes padded = pad(as_bytes(out.sealed.plaintext));
  CUSTODY_ASSIGN(
    file,
    age::encrypt(padded,
                 std::span<const age::X25519Recipient>(&recipient, 1),
                 age::Armor::no));
  out.sealed.ref.obj = sha256(file);
  out.sealed.ref.commit = commitment(salt, sha256(out.sealed.plaintext));
  out.sealed.ref.epoch = epoch;
  out.file = std::move(file);
  return out;
}

Result<Sealed>
seal_document(const fs::Path& vault,
              json::Json document,
              const age::X25519Recipient& recipient,
              std::uint32_t epoch)
{
  CUSTODY_ASSIGN(encrypted,
                 encrypt_document(std::move(document), recipient, epoch));
  CUSTODY_TRY(write_object(vault, encrypted.file));
  return std::move(encrypted.sealed);
}

Result<Opened>
open_document(const fs::Path& vault,
              const ledger::PayloadRef& ref,
              const age::X25519Identity& key)
{
  CUSTODY_ASSIGN(file, read_object(vault, ref.obj));
  auto plain =
    age::decrypt(file, std::span<const age::X25519Identity>(&key, 1));
  if (!plain) {
    return fail(plain.error().code == Errc::auth ? Errc::auth : Errc::corrupt,
                "object {}: {}",
                to_hex(ref.obj),
                plain.error().message);
  }
  std::size_t length = plain->size();
  while (length > 0 && plain->data()[length - 1] == 0) {
    --length;
  }
  Opened opened;
  opened.plaintext.assign(reinterpret_cast<const char*>(plain->data()), length);
  auto document = json::parse_canonical(opened.plaintext);
  if (!document || !document->is_object() || !document->contains("salt")
      || !(*document)["salt"].is_string()) {
    return fail(
      Errc::corrupt, "object {}: not a payload document", to_hex(ref.obj));
  }
  // invariant 13: the commitment in the clear envelope opens to this plaintext
  if (commitment((*document)["salt"].get<std::string>(),
                 sha256(opened.plaintext))
      != ref.commit) {
    return broken(
      13,
      fmt::format("object {}: the commitment does not open", to_hex(ref.obj)));
  }
  opened.document = std::move(*document);
  return opened;
}

Result<int>
open_object(const fs::Path& vault, const Digest& name)
{
  const fs::Path path = object_path(vault, name);
  // A link to /dev/zero or a FIFO in its place would hash for ever.
  auto input = fs::open_input(path, fs::Origin::vault);
  if (!input) {
    if (input.error().code == Errc::not_found) {
      return broken(8, fmt::format("object {} is missing", to_hex(name)));
    }
    return tl::unexpected(input.error());
  }
  ::posix_fadvise(input->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return input->fd;
}

Error
altered_object(const fs::Path& vault, const Digest& name)
{
  return Error{
    Errc::corrupt,
    fmt::format("object {} does not match its name: its bytes were altered",
                object_path(vault, name).lexically_relative(vault)),
    "restore the object from a backup",
    Remedy::none,
    8};
}

// Progress is reported every so often, not for every buffer.
constexpr std::uint64_t k_check_progress_every = 16ULL * 1024 * 1024;

Result<void>
check_object(const fs::Path& vault,
             const Digest& name,
             const std::function<void(std::uint64_t, std::uint64_t)>& progress)
{
  const fs::Path path = object_path(vault, name);
  CUSTODY_ASSIGN(raw, open_object(vault, name));
  fs::Fd fd(raw);
  struct stat st
  {
  };
  if (::fstat(fd.get(), &st) != 0) {
    return tl::unexpected(fs::errno_error("stat", path, errno));
  }
  // Hashed up to the size it had when opened: a file someone keeps growing
  // is not read for ever (R5), and its hash then fails.
  const auto size = static_cast<std::uint64_t>(st.st_size);
  Sha256 hash;
  Bytes buffer(1024 * 1024);
  std::uint64_t done = 0;
  std::uint64_t reported = 0;
  while (done < size) {
    const auto want = static_cast<std::size_t>(
      std::min<std::uint64_t>(buffer.size(), size - done));
    CUSTODY_ASSIGN(
      n, fs::read_fully(fd.get(), std::span(buffer.data(), want), path));
    if (n == 0) {
      break;
    }
    hash.update(ByteView(buffer.data(), n));
    done += n;
    if (progress && done - reported >= k_check_progress_every) {
      progress(done, size);
      reported = done;
    }
  }
  if (hash.finish() != name) {
    return tl::unexpected(altered_object(vault, name));
  }
  return {};
}

std::uint64_t
padme(std::uint64_t length)
{
  if (length < 2) {
    return length;
  }
  const unsigned e = std::bit_width(length) - 1;       // floor(log2 L)
  const unsigned s = std::bit_width(std::uint64_t{e}); // floor(log2 E) + 1
  const unsigned last_bits = e - s;
  const std::uint64_t mask = (std::uint64_t{1} << last_bits) - 1;
  return (length + mask) & ~mask;
}

} // namespace custody::store
