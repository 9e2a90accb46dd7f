// Checking a court bundle (bundle.hpp, docs/formats.md section 14).
#include <custody/base/canonical_json.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/crypto/minisign.hpp>
#include <custody/ledger/checkpoint.hpp>
#include <custody/ledger/ledger.hpp>
#include <custody/ledger/merkle.hpp>
#include <custody/ledger/store.hpp>
#include <custody/ledger/timestamp.hpp>
#include <custody/verify/bundle.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <utility>

namespace custody::verify {

namespace {

namespace stdfs = std::filesystem;
using Json = nlohmann::json;

// The profile every custody court bundle names (export/bag.hpp's
// k_court_profile_identifier; export/ is above verify/, so it is spelt here).
constexpr std::string_view k_profile =
  "https://custody.invalid/profiles/custody-court-v1.json";
constexpr std::string_view k_bagit_txt =
  "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
// Files smaller than this (tag files, JSON, the checkpoint) are kept in
// memory to be read; larger ones, and every original and derivative, are
// only hashed.
constexpr std::uint64_t k_small = 16ULL << 20;
constexpr std::size_t k_piece = 1 << 20;

constexpr std::string_view k_original_dir = "data/original/";
constexpr std::string_view k_derivative_dir = "data/derivative/";
constexpr std::string_view k_checkpoint_dir = "data/checkpoint/";
constexpr std::string_view k_records_dir = "data/records/";

// The tag files every custody court bundle has (the writer's own and the
// exporter's).
constexpr std::string_view k_required_tags[] = {"bagit.txt",
                                                "bag-info.txt",
                                                "manifest-sha256.txt",
                                                "tagmanifest-sha256.txt",
                                                "original-names.txt",
                                                "custody.pub",
                                                "VERIFY.txt",
                                                "EXHIBITS.pdf",
                                                "metadata/premis.xml"};

bool
starts_with(std::string_view text, std::string_view prefix)
{
  return text.substr(0, prefix.size()) == prefix;
}

bool
is_lower_hex(std::string_view text, std::size_t length)
{
  return text.size() == length
         && std::all_of(text.begin(), text.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            });
}

bool
is_decimal(std::string_view text)
{
  return !text.empty() && text.size() <= 19
         && (text.size() == 1 || text[0] != '0')
         && std::all_of(text.begin(), text.end(), [](char c) {
              return c >= '0' && c <= '9';
            });
}

// A file of the bag: its hash and size, and its bytes when it is small and
// not an original or a derivative.
struct File
{
  Digest sha256{};
  std::uint64_t size = 0;
  std::optional<std::string> text;
};

bool
kept_in_memory(std::string_view path)
{
  return !starts_with(path, k_original_dir)
         && !starts_with(path, k_derivative_dir);
}

// Hashes one file as its pieces arrive, keeping the bytes of a small one.
class Intake
{
public:
  explicit Intake(bool keep)
  {
    if (keep) {
      m_text.emplace();
    }
  }
  void
  add(const char* data, std::size_t size)
  {
    m_hash.update(ByteView(reinterpret_cast<const std::uint8_t*>(data), size));
    m_size += size;
    if (m_text) {
      if (m_size >= k_small) {
        m_text.reset();
      } else {
        m_text->append(data, size);
      }
    }
  }
  File
  finish()
  {
    return File{m_hash.finish(), m_size, std::move(m_text)};
  }

private:
  Sha256 m_hash;
  std::uint64_t m_size = 0;
  std::optional<std::string> m_text;
};

// The bag as read: every regular file by its path inside the bag, and what
// was wrong with its layout.
struct Bag
{
  std::map<std::string, File> files;
  std::vector<std::string> layout_problems;
};

// A path inside the bag is safe: relative, no empty, "." or ".." component.
bool
safe_path(std::string_view path)
{
  if (path.empty() || path.front() == '/' || path.back() == '/') {
    return false;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const auto part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return false;
    }
    start = end + 1;
  }
  return path.find('\\') == std::string_view::npos
         && path.find('\0') == std::string_view::npos;
}

Result<Bag>
read_directory(const stdfs::path& root)
{
  Bag bag;
  std::error_code error;
  auto it = stdfs::recursive_directory_iterator(root, error);
  if (error) {
    return fail(Errc::io, "{}: {}", root.string(), error.message());
  }
  std::vector<char> buffer(k_piece);
  for (; it != stdfs::recursive_directory_iterator(); it.increment(error)) {
    if (error) {
      return fail(Errc::io, "{}: {}", root.string(), error.message());
    }
    const auto& entry = *it;
    const std::string path =
      entry.path().lexically_relative(root).generic_string();
    const auto status = entry.symlink_status(error);
    if (error) {
      return fail(Errc::io, "{}: {}", entry.path().string(), error.message());
    }
    if (stdfs::is_directory(status)) {
      continue;
    }
    if (!stdfs::is_regular_file(status)) {
      bag.layout_problems.push_back(
        fmt::format("{}: not a regular file (a link or a special file)", path));
      continue;
    }
    const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return fail(
        Errc::io, "{}: {}", entry.path().string(), std::strerror(errno));
    }
    Intake intake(kept_in_memory(path));
    for (;;) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        const int saved = errno;
        ::close(fd);
        return fail(
          Errc::io, "{}: {}", entry.path().string(), std::strerror(saved));
      }
      if (n == 0) {
        break;
      }
      intake.add(buffer.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    bag.files.emplace(path, intake.finish());
  }
  if (bag.files.find("bagit.txt") == bag.files.end()) {
    return fail(Errc::invalid_input,
                "{} is not a bag: it has no bagit.txt",
                root.string());
  }
  return bag;
}

struct ArchiveFree
{
  void
  operator()(archive* a) const
  {
    archive_read_free(a);
  }
};

Result<Bag>
read_archive(const stdfs::path& file, bool zip)
{
  std::unique_ptr<archive, ArchiveFree> reader(archive_read_new());
  if (!reader) {
    return fail(Errc::internal, "libarchive: out of memory");
  }
  if (zip) {
    // The central directory, not the local headers alone: what unzip reads.
    archive_read_support_format_zip_seekable(reader.get());
  } else {
    archive_read_support_format_tar(reader.get());
  }
  if (archive_read_open_filename(reader.get(), file.c_str(), k_piece)
      != ARCHIVE_OK) {
    return fail(Errc::invalid_input,
                "{} is not a bag: not a readable {} ({})",
                file.string(),
                zip ? "zip" : "tar",
                archive_error_string(reader.get()) != nullptr
                  ? archive_error_string(reader.get())
                  : "unknown error");
  }
  Bag bag;
  std::optional<std::string> top;
  std::set<std::string> tops;
  std::vector<char> buffer(k_piece);
  bool any = false;
  for (std::size_t number = 1;; ++number) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) {
      break;
    }
    if (status < ARCHIVE_WARN) {
      const char* why = archive_error_string(reader.get());
      if (!any) {
        return fail(Errc::invalid_input,
                    "{} is not a bag: not a readable {} ({})",
                    file.string(),
                    zip ? "zip" : "tar",
                    why != nullptr ? why : "unknown error");
      }
      bag.layout_problems.push_back(
        fmt::format("{}: entry {} cannot be read ({}); the rest is not read",
                    file.filename().string(),
                    number,
                    why != nullptr ? why : "unknown error"));
      break;
    }
    any = true;
    const char* raw = archive_entry_pathname_utf8(entry);
    if (raw == nullptr) {
      raw = archive_entry_pathname(entry);
    }
    std::string name = raw != nullptr ? raw : "";
    const auto type = archive_entry_filetype(entry);
    while (!name.empty() && name.back() == '/') {
      name.pop_back();
    }
    if (!safe_path(name)) {
      bag.layout_problems.push_back(fmt::format(
        "archive entry {} ({}): not a safe relative path", number, name));
      continue;
    }
    const auto slash = name.find('/');
    tops.insert(name.substr(0, slash));
    if (type == AE_IFDIR) {
      continue;
    }
    if (slash == std::string::npos) {
      bag.layout_problems.push_back(
        fmt::format("{}: outside the bag's one top-level directory", name));
      continue;
    }
    const std::string path = name.substr(slash + 1);
    if (type != AE_IFREG || archive_entry_hardlink(entry) != nullptr
        || archive_entry_symlink(entry) != nullptr) {
      bag.layout_problems.push_back(
        fmt::format("{}: not a regular file (a link or a special file)", path));
      continue;
    }
    Intake intake(kept_in_memory(path));
    for (;;) {
      const la_ssize_t n =
        archive_read_data(reader.get(), buffer.data(), buffer.size());
      if (n < 0) {
        const char* why = archive_error_string(reader.get());
        bag.layout_problems.push_back(
          fmt::format("{}: cannot be read from the archive ({})",
                      path,
                      why != nullptr ? why : "unknown error"));
        break;
      }
      if (n == 0) {
        break;
      }
      intake.add(buffer.data(), static_cast<std::size_t>(n));
    }
    if (!bag.files.emplace(path, intake.finish()).second) {
      bag.layout_problems.push_back(
        fmt::format("{}: in the archive more than once", path));
    }
  }
  if (tops.size() > 1) {
    std::string names;
    for (const auto& name : tops) {
      names += (names.empty() ? "" : ", ") + name;
    }
    bag.layout_problems.push_back(
      fmt::format("the archive has {} top-level names ({}), not one directory",
                  tops.size(),
                  names));
  }
  if (bag.files.find("bagit.txt") == bag.files.end()) {
    return fail(Errc::invalid_input,
                "{} is not a bag: no bagit.txt in its top-level directory",
                file.string());
  }
  return bag;
}

// Lines of a tag file, each of which must end in LF. Returns false (and says
// why) when the text does not end in LF.
bool
split_lines(std::string_view text, std::vector<std::string_view>& lines)
{
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      return false;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return true;
}

class Checks
{
public:
  explicit Checks(BundleReport& report)
    : m_report(report)
  {
  }

  void
  fail(const std::string& what, std::string detail)
  {
    ++m_failures[what];
    m_report.checks.push_back({what, false, std::move(detail)});
  }
  template<typename... Args>
  void
  failf(const std::string& what,
        fmt::format_string<Args...> format,
        Args&&... args)
  {
    fail(what, fmt::format(format, std::forward<Args>(args)...));
  }
  // A passing line for `what` unless a failure was reported under it.
  void
  conclude(const std::string& what, std::string detail)
  {
    if (m_failures[what] == 0) {
      m_report.checks.push_back({what, true, std::move(detail)});
    }
  }
  std::size_t
  failures(const std::string& what)
  {
    return m_failures[what];
  }

private:
  BundleReport& m_report;
  std::map<std::string, std::size_t> m_failures;
};

struct ManifestLine
{
  std::string sha256;
  std::string path;
  std::size_t line = 0;
};

// `<64 lower hex>  <path>` lines, sorted by path, each path safe and unique.
std::vector<ManifestLine>
parse_manifest(std::string_view name, std::string_view text, Checks& checks)
{
  const std::string what(name);
  std::vector<std::string_view> lines;
  if (!split_lines(text, lines)) {
    checks.failf(what, "{}: the last line does not end in LF", name);
  }
  std::vector<ManifestLine> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto line = lines[i];
    const auto sha = line.substr(0, 64);
    if (line.size() < 67 || !is_lower_hex(sha, 64)
        || line.substr(64, 2) != "  ") {
      checks.failf(
        what, "{} line {}: not `<sha256 in lower hex>  <path>`", name, i + 1);
      continue;
    }
    std::string path(line.substr(66));
    if (!safe_path(path) || path.find('%') != std::string::npos
        || path.find('\r') != std::string::npos) {
      checks.failf(what,
                   "{} line {}: `{}` is not a plain relative path in the bag "
                   "(absolute, empty, `.` or `..`, or encoded)",
                   name,
                   i + 1,
                   path);
      continue;
    }
    if (!out.empty() && !(out.back().path < path)) {
      checks.failf(what,
                   "{} line {}: `{}` is {} (paths are sorted, each once)",
                   name,
                   i + 1,
                   path,
                   out.back().path == path ? "listed twice" : "out of order");
      continue;
    }
    out.push_back({std::string(sha), std::move(path), i + 1});
  }
  return out;
}

// Checks each listed file against its hash; the files `listed` is filled in.
void
check_manifest_hashes(std::string_view name,
                      const std::vector<ManifestLine>& lines,
                      const Bag& bag,
                      Checks& checks,
                      std::set<std::string>& listed)
{
  const std::string what(name);
  for (const auto& line : lines) {
    listed.insert(line.path);
    auto it = bag.files.find(line.path);
    if (it == bag.files.end()) {
      checks.failf(what,
                   "{} line {}: {} is listed but not in the bag",
                   name,
                   line.line,
                   line.path);
      continue;
    }
    const auto actual = to_hex(it->second.sha256);
    if (actual != line.sha256) {
      checks.failf(what,
                   "{}: its SHA-256 is {}, but {} line {} says {}",
                   line.path,
                   actual,
                   name,
                   line.line,
                   line.sha256);
    }
  }
}

const std::string*
text_of(const Bag& bag,
        const std::string& path,
        Checks& checks,
        const std::string& what)
{
  auto it = bag.files.find(path);
  if (it == bag.files.end()) {
    checks.failf(what, "{}: missing", path);
    return nullptr;
  }
  if (!it->second.text) {
    checks.failf(what,
                 "{}: {} bytes, too large to be what it should be",
                 path,
                 it->second.size);
    return nullptr;
  }
  return &*it->second.text;
}

void
check_bag_info(const Bag& bag, Checks& checks)
{
  const std::string what = "bag-info.txt";
  const auto* text = text_of(bag, what, checks, what);
  if (text == nullptr) {
    return;
  }
  std::vector<std::string_view> lines;
  if (!split_lines(*text, lines)) {
    checks.fail(what, "bag-info.txt: the last line does not end in LF");
  }
  std::vector<std::pair<std::string, std::string>> labels;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto line = lines[i];
    const auto colon = line.find(": ");
    if (colon == std::string_view::npos || colon == 0 || line.front() == ' '
        || line.front() == '\t') {
      checks.failf(
        what, "bag-info.txt line {}: not `Label: value` on one line", i + 1);
      continue;
    }
    labels.emplace_back(std::string(line.substr(0, colon)),
                        std::string(line.substr(colon + 2)));
  }
  constexpr std::string_view first[] = {"Source-Organization",
                                        "Bagging-Date",
                                        "Payload-Oxum",
                                        "BagIt-Profile-Identifier"};
  for (std::size_t i = 0; i < std::size(first); ++i) {
    if (i >= labels.size() || labels[i].first != first[i]) {
      checks.failf(what,
                   "bag-info.txt line {}: expected the label {} there",
                   i + 1,
                   first[i]);
      return;
    }
  }
  std::set<std::string> seen;
  for (const auto& [label, value] : labels) {
    if (!seen.insert(label).second) {
      checks.failf(what, "bag-info.txt: the label {} is given twice", label);
    }
  }
  const auto& date = labels[1].second;
  const bool date_ok = date.size() == 10 && date[4] == '-' && date[7] == '-'
                       && std::all_of(date.begin(), date.end(), [](char c) {
                            return c == '-' || (c >= '0' && c <= '9');
                          });
  if (!date_ok) {
    checks.failf(
      what, "bag-info.txt line 2: Bagging-Date `{}` is not YYYY-MM-DD", date);
  }
  checks.conclude(what,
                  fmt::format("Source-Organization: {}; Bagging-Date: {}",
                              labels[0].second,
                              date));

  // Payload-Oxum: the octets and files under data/, as read.
  std::uint64_t octets = 0;
  std::uint64_t files = 0;
  for (const auto& [path, file] : bag.files) {
    if (starts_with(path, "data/")) {
      octets += file.size;
      ++files;
    }
  }
  const std::string oxum = fmt::format("{}.{}", octets, files);
  if (labels[2].second != oxum) {
    checks.failf("Payload-Oxum",
                 "bag-info.txt line 3: Payload-Oxum is {}, but the payload is "
                 "{} bytes in {} files ({})",
                 labels[2].second,
                 octets,
                 files,
                 oxum);
  }
  checks.conclude("Payload-Oxum",
                  fmt::format("{} bytes in {} files", octets, files));
  if (labels[3].second != k_profile) {
    checks.failf("profile",
                 "bag-info.txt line 4: BagIt-Profile-Identifier is `{}`, not "
                 "{}",
                 labels[3].second,
                 k_profile);
  }
  checks.conclude("profile", std::string(k_profile));
}

void
check_manifests(const Bag& bag, Checks& checks)
{
  // bagit.txt
  if (const auto* text = text_of(bag, "bagit.txt", checks, "bagit.txt")) {
    if (*text != k_bagit_txt) {
      checks.fail("bagit.txt",
                  "bagit.txt is not `BagIt-Version: 1.0` and "
                  "`Tag-File-Character-Encoding: UTF-8` (LF line ends, no "
                  "BOM)");
    }
  }
  checks.conclude("bagit.txt", "BagIt 1.0, UTF-8");

  // The payload manifest: every file under data/ listed, each hashing right.
  const std::string manifest = "manifest-sha256.txt";
  std::set<std::string> listed;
  std::size_t payload_lines = 0;
  if (const auto* text = text_of(bag, manifest, checks, manifest)) {
    const auto lines = parse_manifest(manifest, *text, checks);
    payload_lines = lines.size();
    for (const auto& line : lines) {
      if (!starts_with(line.path, "data/")) {
        checks.failf(manifest,
                     "{} line {}: {} is not under data/",
                     manifest,
                     line.line,
                     line.path);
      }
    }
    check_manifest_hashes(manifest, lines, bag, checks, listed);
  }
  for (const auto& [path, file] : bag.files) {
    if (starts_with(path, "data/") && !listed.contains(path)) {
      checks.failf(
        manifest, "{}: in the payload but not in {}", path, manifest);
    }
  }
  checks.conclude(
    manifest,
    fmt::format("{} payload files, each as its SHA-256 says", payload_lines));

  // The tag manifest: every tag file but itself listed, each hashing right.
  const std::string tagmanifest = "tagmanifest-sha256.txt";
  std::set<std::string> tags;
  std::size_t tag_lines = 0;
  if (const auto* text = text_of(bag, tagmanifest, checks, tagmanifest)) {
    const auto lines = parse_manifest(tagmanifest, *text, checks);
    tag_lines = lines.size();
    for (const auto& line : lines) {
      if (starts_with(line.path, "data/") || line.path == tagmanifest) {
        checks.failf(tagmanifest,
                     "{} line {}: {} is not a tag file it may list",
                     tagmanifest,
                     line.line,
                     line.path);
      }
    }
    check_manifest_hashes(tagmanifest, lines, bag, checks, tags);
  }
  for (const auto& [path, file] : bag.files) {
    if (!starts_with(path, "data/") && path != tagmanifest
        && !tags.contains(path)) {
      checks.failf(tagmanifest, "{}: a tag file not in {}", path, tagmanifest);
    }
  }
  for (const auto required : k_required_tags) {
    const std::string path(required);
    if (!bag.files.contains(path)) {
      checks.failf(
        "tag files", "{}: missing (every court bundle has it)", path);
    } else if (path != tagmanifest && !tags.contains(path)) {
      checks.failf("tag files", "{}: not in {}", path, tagmanifest);
    }
  }
  checks.conclude(
    tagmanifest,
    fmt::format("{} tag files, each as its SHA-256 says", tag_lines));
  checks.conclude("tag files", "all present");
  check_bag_info(bag, checks);
}

// One path component under `dir`: `<64 hex>[.<1-8 of a-z0-9>]`; the hash.
std::optional<std::string>
hash_name(std::string_view name)
{
  if (name.size() < 64 || !is_lower_hex(name.substr(0, 64), 64)) {
    return std::nullopt;
  }
  const auto ext = name.substr(64);
  if (!ext.empty()) {
    if (ext.size() < 2 || ext.size() > 9 || ext[0] != '.'
        || !std::all_of(ext.begin() + 1, ext.end(), [](char c) {
             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
           })) {
      return std::nullopt;
    }
  }
  return std::string(name.substr(0, 64));
}

// data/original/ and data/derivative/: each file's SHA-256 is its name.
// Returns the originals by hash.
std::set<std::string>
check_content_files(const Bag& bag, Checks& checks, BundleReport& report)
{
  std::set<std::string> originals;
  std::size_t derivatives = 0;
  const std::string what = "originals";
  for (const auto& [path, file] : bag.files) {
    const bool original = starts_with(path, k_original_dir);
    if (!original && !starts_with(path, k_derivative_dir)) {
      continue;
    }
    const auto name = std::string_view(path).substr(
      original ? k_original_dir.size() : k_derivative_dir.size());
    const auto hash = hash_name(name);
    if (!hash || name.find('/') != std::string_view::npos) {
      checks.failf(
        what, "{}: not named `<sha256>[.<ext>]` as the format names it", path);
      continue;
    }
    if (to_hex(file.sha256) != *hash) {
      checks.failf(
        what, "{}: its SHA-256 is {}, not its name", path, to_hex(file.sha256));
    }
    if (original) {
      if (!originals.insert(*hash).second) {
        checks.failf(
          what, "{}: a second file of the same content ({})", path, *hash);
      }
    } else {
      ++derivatives;
    }
  }
  report.originals = originals.size();
  checks.conclude(what,
                  fmt::format("{} originals and {} derivatives, each named "
                              "by its SHA-256",
                              originals.size(),
                              derivatives));
  return originals;
}

// original-names.txt: `<sha256>  <escaped name>` lines, sorted; each hash an
// original of the bag, each original named.
void
check_original_names(const Bag& bag,
                     const std::set<std::string>& originals,
                     Checks& checks)
{
  const std::string what = "original-names.txt";
  const auto* text = text_of(bag, what, checks, what);
  if (text == nullptr) {
    return;
  }
  std::vector<std::string_view> lines;
  if (!split_lines(*text, lines)) {
    checks.fail(what, "original-names.txt: the last line does not end in LF");
  }
  std::set<std::string> named;
  std::optional<std::pair<std::string_view, std::string_view>> previous;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto line = lines[i];
    const auto hash = line.substr(0, 64);
    if (line.size() < 67 || !is_lower_hex(hash, 64)
        || line.substr(64, 2) != "  ") {
      checks.failf(
        what, "original-names.txt line {}: not `<sha256>  <name>`", i + 1);
      continue;
    }
    const auto name = line.substr(66);
    bool escaped_ok = true;
    for (std::size_t j = 0; j < name.size(); ++j) {
      const auto c = static_cast<unsigned char>(name[j]);
      if (c == '%') {
        const auto hex = name.substr(j + 1, 2);
        const bool upper_hex =
          hex.size() == 2 && std::all_of(hex.begin(), hex.end(), [](char h) {
            return (h >= '0' && h <= '9') || (h >= 'A' && h <= 'F');
          });
        if (!upper_hex) {
          escaped_ok = false;
          break;
        }
        j += 2;
      } else if (c < 0x20 || c == 0x7f) {
        escaped_ok = false;
        break;
      }
    }
    if (!escaped_ok) {
      checks.failf(what,
                   "original-names.txt line {}: the name is not escaped as "
                   "the format escapes it",
                   i + 1);
    }
    const std::pair<std::string_view, std::string_view> key{hash, name};
    if (previous && !(*previous < key)) {
      checks.failf(
        what, "original-names.txt line {}: out of order or repeated", i + 1);
    }
    previous = key;
    named.insert(std::string(hash));
    if (!originals.contains(std::string(hash))) {
      checks.failf(what,
                   "original-names.txt line {}: no original {} in "
                   "data/original/",
                   i + 1,
                   hash);
    }
  }
  for (const auto& hash : originals) {
    if (!named.contains(hash)) {
      checks.failf(
        what, "data/original/{}: no name in original-names.txt", hash);
    }
  }
  checks.conclude(what,
                  fmt::format("{} names of {} originals, each in the bag",
                              lines.size(),
                              originals.size()));
}

std::optional<minisign::PublicKey>
check_key(const Bag& bag,
          const BundleOptions& options,
          Checks& checks,
          BundleReport& report)
{
  const std::string what = "custody.pub";
  const auto* text = text_of(bag, what, checks, what);
  if (text == nullptr) {
    return std::nullopt;
  }
  auto key = minisign::PublicKey::from_file_text(*text);
  if (!key) {
    checks.failf(what,
                 "custody.pub is not a minisign public key file: {}",
                 key.error().message);
    return std::nullopt;
  }
  report.key = key->to_base64();
  report.key_id = key->key_id();
  checks.conclude(
    what, fmt::format("vault key {} (key id {})", report.key, report.key_id));
  const std::string lodged = "lodged key";
  if (options.key) {
    std::string given = *options.key;
    while (!given.empty()
           && (given.back() == '\n' || given.back() == '\r'
               || given.back() == ' ')) {
      given.pop_back();
    }
    auto parsed = minisign::PublicKey::from_base64(given);
    if (!parsed) {
      checks.failf(lodged,
                   "the lodged key given is not a minisign public key: {}",
                   parsed.error().message);
    } else if (*parsed != *key) {
      checks.failf(lodged,
                   "custody.pub holds {} (key id {}), not the lodged key {} "
                   "(key id {})",
                   report.key,
                   report.key_id,
                   parsed->to_base64(),
                   parsed->key_id());
    }
    checks.conclude(lodged, "custody.pub is the key lodged outside the vault");
  } else {
    checks.conclude(lodged,
                    fmt::format("not compared: compare key {} (key id {}) "
                                "with the one lodged outside the vault",
                                report.key,
                                report.key_id));
  }
  return *key;
}

struct CheckpointFiles
{
  checkpoint::Checkpoint checkpoint;
  std::string text;
  std::string signature;
  std::optional<std::string> token; // the .tsr's bytes
  bool signed_ok = false;
};

std::optional<CheckpointFiles>
check_checkpoint(const Bag& bag,
                 const std::optional<minisign::PublicKey>& key,
                 const BundleOptions& options,
                 Checks& checks,
                 BundleReport& report)
{
  const std::string what = "checkpoint";
  std::vector<std::string> bodies;
  std::vector<std::string> others;
  for (const auto& [path, file] : bag.files) {
    if (!starts_with(path, k_checkpoint_dir)) {
      continue;
    }
    const auto name = path.substr(k_checkpoint_dir.size());
    if (is_decimal(name)) {
      bodies.push_back(name);
    } else {
      others.push_back(name);
    }
  }
  if (bodies.size() != 1) {
    checks.failf(
      what, "data/checkpoint/ holds {} checkpoints, not one", bodies.size());
    return std::nullopt;
  }
  const std::string n = bodies.front();
  for (const auto& other : others) {
    if (other != n + ".minisig" && other != n + ".tsr" && other != n + ".tsq") {
      checks.failf(what,
                   "data/checkpoint/{}: not the checkpoint, its signature or "
                   "its timestamp",
                   other);
    }
  }
  const std::string base = std::string(k_checkpoint_dir) + n;
  CheckpointFiles out;
  const auto* text = text_of(bag, base, checks, what);
  const auto* signature = text_of(bag, base + ".minisig", checks, what);
  if (text == nullptr || signature == nullptr) {
    return std::nullopt;
  }
  out.text = *text;
  out.signature = *signature;
  auto parsed = checkpoint::parse(out.text);
  if (!parsed) {
    checks.failf(what, "{}: {}", base, parsed.error().message);
    return std::nullopt;
  }
  out.checkpoint = *parsed;
  report.checkpoint_size = parsed->size;
  if (std::to_string(parsed->size) != n) {
    checks.failf(what, "{}: its size is {}, not its name", base, parsed->size);
  }
  const std::string signature_what = "checkpoint signature";
  if (!key) {
    checks.failf(signature_what,
                 "{}.minisig: not checked, custody.pub holds no key",
                 base);
  } else {
    auto verified = checkpoint::verify(out.text, out.signature, *key);
    if (!verified) {
      checks.failf(
        signature_what, "{}.minisig: {}", base, verified.error().message);
    } else {
      out.signed_ok = true;
    }
  }
  checks.conclude(
    what,
    fmt::format("{}: {} entries of {}", base, parsed->size, parsed->origin));
  checks.conclude(signature_what,
                  fmt::format("{} signed by the key in custody.pub", base));

  // The timestamp.
  const std::string timestamp_what = "timestamp";
  auto tsr = bag.files.find(base + ".tsr");
  if (tsr == bag.files.end()) {
    if (bag.files.contains(base + ".tsq")) {
      checks.failf(
        timestamp_what, "{}.tsq: a request without a response", base);
    }
    checks.conclude(timestamp_what,
                    fmt::format("{} is not independently timestamped", base));
    return out;
  }
  const auto* token = text_of(bag, base + ".tsr", checks, timestamp_what);
  if (token == nullptr) {
    return out;
  }
  out.token = *token;
  Result<timestamp::Token> checked = tl::unexpected(Error{});
  if (auto tsq = bag.files.find(base + ".tsq"); tsq != bag.files.end()) {
    if (!tsq->second.text) {
      checks.failf(timestamp_what, "{}.tsq: too large", base);
      return out;
    }
    checked = timestamp::check_response(as_bytes(*tsq->second.text),
                                        as_bytes(*token),
                                        as_bytes(out.text),
                                        options.tsa_ca_pem);
  } else {
    checked = timestamp::check_token(
      as_bytes(*token), as_bytes(out.text), options.tsa_ca_pem);
  }
  if (!checked) {
    checks.failf(timestamp_what, "{}.tsr: {}", base, checked.error().message);
    return out;
  }
  report.timestamped = checked->signature_verified;
  checks.conclude(timestamp_what,
                  checked->signature_verified
                    ? fmt::format("{} timestamped at {}, the token's "
                                  "signature verified against the CA given",
                                  base,
                                  checked->gen_time)
                    : fmt::format("{}.tsr answers the checkpoint (time {}), "
                                  "but its signature is not verified: no TSA "
                                  "CA was given",
                                  base,
                                  checked->gen_time));
  return out;
}

// What a record's proof.json proves: each entry's line and type by seq.
struct ProvenEntry
{
  std::string line;
  std::string type;
};

Result<Json>
parse_json(std::string_view text)
{
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    return fail(Errc::invalid_input, "not JSON: {}", e.what());
  }
}

std::string
b64(const Digest& digest)
{
  return to_base64(digest, Padding::yes);
}

// Checks proof.json against the bag's checkpoint and key, and each entry's
// inclusion proof; returns the proven entries by seq.
std::map<std::uint64_t, ProvenEntry>
check_proof(const std::string& id,
            const std::string& path,
            const std::string& text,
            const std::optional<CheckpointFiles>& cp,
            const BundleReport& report,
            Checks& checks)
{
  const std::string what = "proof " + id;
  std::map<std::uint64_t, ProvenEntry> proven;
  auto parsed = parse_json(text);
  if (!parsed) {
    checks.failf(what, "{}: {}", path, parsed.error().message);
    return proven;
  }
  const Json& doc = *parsed;
  try {
    if (!doc.is_object() || doc.at("type") != "proof") {
      checks.failf(what, "{}: not a proof document (type proof)", path);
      return proven;
    }
    if (doc.at("record").get<std::string>() != id) {
      checks.failf(what,
                   "{}: proves record {}, not {}",
                   path,
                   doc.at("record").get<std::string>(),
                   id);
    }
    if (!report.key.empty()
        && doc.at("public_key").get<std::string>() != report.key) {
      checks.failf(what, "{}: public_key is not the key in custody.pub", path);
    }
    const Json& c = doc.at("checkpoint");
    if (!cp) {
      checks.failf(what, "{}: the bag has no checkpoint to compare", path);
      return proven;
    }
    const auto& signed_cp = cp->checkpoint;
    if (c.at("text").get<std::string>() != cp->text) {
      checks.failf(what,
                   "{}: checkpoint.text is not data/checkpoint/{}",
                   path,
                   signed_cp.size);
    }
    if (c.at("signature").get<std::string>() != cp->signature) {
      checks.failf(what,
                   "{}: checkpoint.signature is not data/checkpoint/{}.minisig",
                   path,
                   signed_cp.size);
    }
    if (c.at("size").get<std::uint64_t>() != signed_cp.size
        || c.at("root").get<std::string>() != b64(signed_cp.root)
        || doc.at("origin").get<std::string>() != signed_cp.origin
        || signed_cp.origin
             != checkpoint::origin_of(doc.at("vault").get<std::string>())) {
      checks.failf(what,
                   "{}: its checkpoint's size, root, origin or vault is not "
                   "data/checkpoint/{}'s",
                   path,
                   signed_cp.size);
    }
    const bool has_token = c.contains("timestamp_token");
    if (c.at("timestamped").get<bool>() != has_token) {
      checks.failf(
        what, "{}: checkpoint.timestamped disagrees with its token", path);
    }
    if (has_token
        && (!cp->token
            || c.at("timestamp_token").get<std::string>()
                 != to_base64(as_bytes(*cp->token), Padding::yes))) {
      checks.failf(what,
                   "{}: checkpoint.timestamp_token is not "
                   "data/checkpoint/{}.tsr",
                   path,
                   signed_cp.size);
    }
    // Every entry of the record is under the checkpoint: one it does not
    // cover could not be proven, so the bundle would hold less than it says.
    const Json& not_covered = doc.at("not_covered");
    if (!not_covered.is_array() || !not_covered.empty()) {
      checks.failf(what,
                   "{}: entries {} of the record are not covered by "
                   "checkpoint {}",
                   path,
                   not_covered.dump(),
                   signed_cp.size);
    }
    const Json& entries = doc.at("entries");
    if (!entries.is_array() || entries.empty()) {
      checks.failf(what, "{}: no entries", path);
      return proven;
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const Json& entry = entries[i];
      const auto seq = entry.at("seq").get<std::uint64_t>();
      const auto line = entry.at("line").get<std::string>();
      const auto type = entry.at("type").get<std::string>();
      if (entry.at("leaf_index").get<std::uint64_t>() != seq) {
        checks.failf(
          what, "{} entries[{}]: leaf_index is not its seq {}", path, i, seq);
        continue;
      }
      const Digest leaf = merkle::leaf_hash(as_bytes(line));
      if (entry.at("leaf_hash").get<std::string>() != b64(leaf)) {
        checks.failf(what,
                     "{} entries[{}] (seq {}): leaf_hash is not the hash of "
                     "its line",
                     path,
                     i,
                     seq);
        continue;
      }
      merkle::Proof hashes;
      bool hashes_ok = true;
      for (const auto& hash : entry.at("inclusion_proof")) {
        auto bytes = from_base64(hash.get<std::string>(), Padding::yes);
        if (!bytes || bytes->size() != 32
            || to_base64(*bytes, Padding::yes) != hash.get<std::string>()) {
          hashes_ok = false;
          break;
        }
        Digest digest{};
        std::copy(bytes->begin(), bytes->end(), digest.begin());
        hashes.push_back(digest);
      }
      if (!hashes_ok) {
        checks.failf(what,
                     "{} entries[{}] (seq {}): an inclusion_proof hash is "
                     "not base64 of 32 bytes",
                     path,
                     i,
                     seq);
        continue;
      }
      auto included = merkle::verify_inclusion(
        seq, signed_cp.size, leaf, hashes, signed_cp.root);
      if (!included) {
        checks.failf(what,
                     "{} entries[{}] (seq {}): the inclusion proof does not "
                     "lead to the checkpoint's root: {}",
                     path,
                     i,
                     seq,
                     included.error().message);
        continue;
      }
      if (!proven.emplace(seq, ProvenEntry{line, type}).second) {
        checks.failf(what, "{}: entry {} is given twice", path, seq);
      }
    }
  } catch (const Json::exception& e) {
    checks.failf(what, "{}: not a proof document: {}", path, e.what());
  }
  checks.conclude(what,
                  fmt::format("{} entries included in checkpoint {}",
                              proven.size(),
                              cp ? cp->checkpoint.size : 0));
  return proven;
}

const char*
compartment_check(const std::string& compartment)
{
  static const std::set<std::string> known = {
    "identity", "narrative", "facts", "aggressor"};
  return known.contains(compartment) ? nullptr : "an unknown compartment";
}

void
check_entries(const std::string& id,
              const std::string& path,
              const std::string& text,
              const std::map<std::uint64_t, ProvenEntry>& proven,
              const Bag& bag,
              Checks& checks,
              BundleReport& report)
{
  const std::string what = "entries " + id;
  auto parsed = parse_bundle_entries(text);
  if (!parsed) {
    checks.failf(what, "{}: {}", path, parsed.error().message);
    return;
  }
  if (parsed->record != id) {
    checks.failf(what, "{}: names record {}, not {}", path, parsed->record, id);
  }
  report.entries += parsed->entries.size();
  std::size_t opened = 0;
  std::size_t media = 0;
  std::set<std::uint64_t> listed;
  for (const auto& entry : parsed->entries) {
    const auto where = fmt::format("{} entry {}", path, entry.seq);
    listed.insert(entry.seq);
    auto it = proven.find(entry.seq);
    if (it == proven.end()) {
      checks.failf(what, "{}: not among proof.json's proven entries", where);
    } else if (it->second.line != entry.line) {
      checks.failf(what, "{}: its line is not proof.json's line", where);
    }
    auto decoded = ledger::decode(entry.line);
    if (!decoded) {
      checks.failf(what,
                   "{}: the line is not a ledger entry: {}",
                   where,
                   decoded.error().message);
      continue;
    }
    if (decoded->seq != entry.seq) {
      checks.failf(what,
                   "{}: the line is entry {}, not {}",
                   where,
                   decoded->seq,
                   entry.seq);
    }
    // The type said against the envelope (docs/formats.md section 6): a
    // record or an amendment is a put of four payloads, an attachment a put
    // of two, a redaction a redaction entry.
    const bool is_put = decoded->kind == ledger::Kind::put;
    const auto count = decoded->payloads.size();
    const bool type_fits =
      entry.type == "redaction"
        ? decoded->kind == ledger::Kind::redaction
        : is_put && count == (entry.type == "attachment" ? 2U : 4U);
    if (!type_fits) {
      checks.failf(what,
                   "{}: a {} entry of {} payloads is not of type {}",
                   where,
                   ledger::kind_name(decoded->kind),
                   count,
                   entry.type);
    }
    if (entry.payloads.size() != decoded->payloads.size()) {
      checks.failf(what,
                   "{}: {} payloads listed, the line has {}",
                   where,
                   entry.payloads.size(),
                   decoded->payloads.size());
    }
    for (const auto& payload : entry.payloads) {
      const auto at = fmt::format("{} payload {}", where, payload.index);
      if (payload.index >= decoded->payloads.size()) {
        checks.failf(what, "{}: the line has no such payload", at);
        continue;
      }
      if (to_hex(decoded->payloads[payload.index].commit) != payload.commit) {
        checks.failf(what, "{}: commit is not the line's", at);
        continue;
      }
      if (const char* problem = compartment_check(payload.compartment)) {
        checks.failf(what, "{}: {} ({})", at, problem, payload.compartment);
      }
      if (payload.kind == BundlePayload::Kind::opened) {
        const auto expected = fmt::format(
          "data/records/{}/payloads/{}-{}.json", id, entry.seq, payload.index);
        if (payload.opened != expected) {
          checks.failf(
            what, "{}: opened is {}, not {}", at, payload.opened, expected);
          continue;
        }
        const auto* plain = text_of(bag, expected, checks, what);
        if (plain == nullptr) {
          continue;
        }
        auto document = custody::json::parse_strict(*plain);
        if (!document || !document->is_object() || !document->contains("salt")
            || !(*document)["salt"].is_string()
            || !is_lower_hex((*document)["salt"].get<std::string>(), 64)) {
          checks.failf(what,
                       "{}: not a payload document (a JSON object with a "
                       "salt of 64 hex){}",
                       expected,
                       document ? std::string()
                                : ": " + document.error().message);
          continue;
        }
        if (document->contains("record") && (*document)["record"].is_string()
            && (*document)["record"].get<std::string>() != id) {
          checks.failf(what,
                       "{}: the payload is about record {}",
                       expected,
                       (*document)["record"].get<std::string>());
        }
        const auto commit = store::commitment(
          (*document)["salt"].get<std::string>(), sha256(*plain));
        if (to_hex(commit) != payload.commit) {
          checks.failf(what,
                       "{}: its commitment {} is not the line's {}",
                       expected,
                       to_hex(commit),
                       payload.commit);
          continue;
        }
        ++opened;
      } else if (payload.kind == BundlePayload::Kind::media) {
        const bool original = starts_with(payload.media_path, k_original_dir);
        if (!original && !starts_with(payload.media_path, k_derivative_dir)) {
          checks.failf(what,
                       "{}: media path {} is not under data/original/ or "
                       "data/derivative/",
                       at,
                       payload.media_path);
          continue;
        }
        const auto name =
          std::string_view(payload.media_path)
            .substr(original ? k_original_dir.size() : k_derivative_dir.size());
        const auto hash = hash_name(name);
        if (!hash || *hash != payload.media_sha256) {
          checks.failf(what,
                       "{}: media path {} is not named by its sha256 {}",
                       at,
                       payload.media_path,
                       payload.media_sha256);
          continue;
        }
        auto file = bag.files.find(payload.media_path);
        if (file == bag.files.end()) {
          checks.failf(
            what, "{}: {} is not in the bag", at, payload.media_path);
          continue;
        }
        if (to_hex(file->second.sha256) != payload.media_sha256) {
          checks.failf(what,
                       "{}: its SHA-256 is {}, not {}",
                       payload.media_path,
                       to_hex(file->second.sha256),
                       payload.media_sha256);
          continue;
        }
        const auto commit =
          store::commitment(payload.media_salt, file->second.sha256);
        if (to_hex(commit) != payload.commit) {
          checks.failf(what,
                       "{}: the commitment of {} with its media_salt is not "
                       "the line's",
                       at,
                       payload.media_path);
          continue;
        }
        ++media;
      }
    }
  }
  for (const auto& [seq, entry] : proven) {
    if (!listed.contains(seq)) {
      checks.failf(what, "{}: proof.json's entry {} is not listed", path, seq);
    }
  }
  checks.conclude(what,
                  fmt::format("{} entries as proven; {} payloads opened and "
                              "{} media files matching their commitments",
                              parsed->entries.size(),
                              opened,
                              media));
}

void
check_records(const Bag& bag,
              const std::optional<CheckpointFiles>& cp,
              Checks& checks,
              BundleReport& report)
{
  std::set<std::string> ids;
  for (const auto& [path, file] : bag.files) {
    if (!starts_with(path, k_records_dir)) {
      continue;
    }
    const auto rest = path.substr(k_records_dir.size());
    const auto slash = rest.find('/');
    const auto id = rest.substr(0, slash);
    if (slash == std::string::npos || !is_lower_hex(id, 32)) {
      checks.failf("records",
                   "{}: not in a record's folder (data/records/<32 hex id>/)",
                   path);
      continue;
    }
    ids.insert(id);
  }
  report.records = ids.size();
  checks.conclude("records", fmt::format("{} records", ids.size()));
  for (const auto& id : ids) {
    const std::string dir = std::string(k_records_dir) + id + "/";
    const std::string what = "record " + id;
    if (const auto* record = text_of(bag, dir + "record.json", checks, what)) {
      auto parsed = parse_json(*record);
      if (!parsed || !parsed->is_object()) {
        checks.failf(what,
                     "{}record.json: {}",
                     dir,
                     parsed ? std::string("not a JSON object")
                            : parsed.error().message);
      }
    }
    checks.conclude(what, dir + "record.json is a JSON object");
    std::map<std::uint64_t, ProvenEntry> proven;
    const std::string proof_path = dir + "proof.json";
    if (const auto* proof = text_of(bag, proof_path, checks, "proof " + id)) {
      proven = check_proof(id, proof_path, *proof, cp, report, checks);
    }
    const std::string entries_path = dir + "entries.json";
    if (const auto* entries =
          text_of(bag, entries_path, checks, "entries " + id)) {
      check_entries(id, entries_path, *entries, proven, bag, checks, report);
    }
  }
}

} // namespace

bool
BundleReport::ok() const
{
  return !checks.empty()
         && std::all_of(checks.begin(), checks.end(), [](const auto& check) {
              return check.ok;
            });
}

Result<BundleEntries>
parse_bundle_entries(std::string_view text)
{
  auto parsed = custody::json::parse_strict(text);
  if (!parsed) {
    return tl::unexpected(parsed.error());
  }
  const Json& doc = *parsed;
  const auto only = [](const Json& object,
                       std::initializer_list<std::string_view> keys,
                       std::string_view where) -> Result<void> {
    if (!object.is_object()) {
      return fail(Errc::invalid_input, "{} is not an object", where);
    }
    for (const auto& [key, value] : object.items()) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        return fail(Errc::invalid_input, "{}: unknown field `{}`", where, key);
      }
    }
    return {};
  };
  const auto string_at = [](const Json& object,
                            const char* key,
                            std::string_view where) -> Result<std::string> {
    auto it = object.find(key);
    if (it == object.end() || !it->is_string()) {
      return fail(
        Errc::invalid_input, "{}: `{}` is missing or not a string", where, key);
    }
    return it->get<std::string>();
  };
  const auto index_at = [](const Json& object,
                           const char* key,
                           std::string_view where) -> Result<std::uint64_t> {
    auto it = object.find(key);
    if (it == object.end() || !it->is_number_unsigned()) {
      return fail(Errc::invalid_input,
                  "{}: `{}` is missing or not a whole number",
                  where,
                  key);
    }
    return it->get<std::uint64_t>();
  };
  const auto hex_at = [&](const Json& object,
                          const char* key,
                          std::string_view where) -> Result<std::string> {
    CUSTODY_ASSIGN(value, string_at(object, key, where));
    if (!is_lower_hex(value, 64)) {
      return fail(Errc::invalid_input,
                  "{}: `{}` is not 64 lower-case hex digits",
                  where,
                  key);
    }
    return value;
  };

  CUSTODY_TRY(only(doc, {"type", "record", "entries"}, "the document"));
  CUSTODY_ASSIGN(type, string_at(doc, "type", "the document"));
  if (type != "custody-bundle-entries") {
    return fail(
      Errc::invalid_input, "type is `{}`, not custody-bundle-entries", type);
  }
  BundleEntries out;
  CUSTODY_ASSIGN(record, string_at(doc, "record", "the document"));
  out.record = std::move(record);
  auto entries = doc.find("entries");
  if (entries == doc.end() || !entries->is_array()) {
    return fail(Errc::invalid_input, "`entries` is missing or not an array");
  }
  std::set<std::uint64_t> seqs;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const Json& item = (*entries)[i];
    const auto where = fmt::format("entries[{}]", i);
    CUSTODY_TRY(only(item, {"seq", "type", "line", "payloads"}, where));
    BundleEntry entry;
    CUSTODY_ASSIGN(seq, index_at(item, "seq", where));
    CUSTODY_ASSIGN(entry_type, string_at(item, "type", where));
    CUSTODY_ASSIGN(line, string_at(item, "line", where));
    if (entry_type != "record" && entry_type != "amend"
        && entry_type != "attachment" && entry_type != "redaction") {
      return fail(
        Errc::invalid_input, "{}: unknown type `{}`", where, entry_type);
    }
    if (!seqs.insert(seq).second) {
      return fail(Errc::invalid_input, "{}: entry {} twice", where, seq);
    }
    entry.seq = seq;
    entry.type = std::move(entry_type);
    entry.line = std::move(line);
    auto payloads = item.find("payloads");
    if (payloads == item.end() || !payloads->is_array()) {
      return fail(Errc::invalid_input,
                  "{}: `payloads` is missing or not an array",
                  where);
    }
    std::set<std::uint64_t> indices;
    for (std::size_t j = 0; j < payloads->size(); ++j) {
      const Json& p = (*payloads)[j];
      const auto at = fmt::format("{}.payloads[{}]", where, j);
      BundlePayload payload;
      CUSTODY_ASSIGN(index, index_at(p, "index", at));
      if (index > 1024 || !indices.insert(index).second) {
        return fail(Errc::invalid_input,
                    "{}: index {} is repeated or out of range",
                    at,
                    index);
      }
      payload.index = static_cast<std::size_t>(index);
      CUSTODY_ASSIGN(compartment, string_at(p, "compartment", at));
      payload.compartment = std::move(compartment);
      CUSTODY_ASSIGN(commit, hex_at(p, "commit", at));
      payload.commit = std::move(commit);
      if (p.contains("opened")) {
        CUSTODY_TRY(only(p, {"index", "compartment", "commit", "opened"}, at));
        payload.kind = BundlePayload::Kind::opened;
        CUSTODY_ASSIGN(opened, string_at(p, "opened", at));
        payload.opened = std::move(opened);
      } else if (p.contains("media")) {
        CUSTODY_TRY(only(p, {"index", "compartment", "commit", "media"}, at));
        payload.kind = BundlePayload::Kind::media;
        const Json& m = p["media"];
        const auto mat = at + ".media";
        CUSTODY_TRY(only(m, {"sha256", "media_salt", "path"}, mat));
        CUSTODY_ASSIGN(sha, hex_at(m, "sha256", mat));
        CUSTODY_ASSIGN(salt, hex_at(m, "media_salt", mat));
        CUSTODY_ASSIGN(path, string_at(m, "path", mat));
        payload.media_sha256 = std::move(sha);
        payload.media_salt = std::move(salt);
        payload.media_path = std::move(path);
      } else if (p.contains("sealed")) {
        CUSTODY_TRY(only(p, {"index", "compartment", "commit", "sealed"}, at));
        payload.kind = BundlePayload::Kind::sealed;
        CUSTODY_ASSIGN(why, string_at(p, "sealed", at));
        payload.sealed = std::move(why);
      } else {
        return fail(
          Errc::invalid_input, "{}: neither opened, media nor sealed", at);
      }
      entry.payloads.push_back(std::move(payload));
    }
    out.entries.push_back(std::move(entry));
  }
  return out;
}

Result<BundleReport>
verify_bundle(const std::filesystem::path& bundle, const BundleOptions& options)
{
  std::error_code error;
  const auto status = stdfs::status(bundle, error);
  if (status.type() == stdfs::file_type::not_found) {
    return fail(Errc::not_found, "{}: no such bag", bundle.string());
  }
  if (error) {
    return fail(Errc::io, "{}: {}", bundle.string(), error.message());
  }
  Bag bag;
  if (stdfs::is_directory(status)) {
    CUSTODY_ASSIGN(read, read_directory(bundle));
    bag = std::move(read);
  } else {
    std::string extension = bundle.extension().string();
    std::transform(
      extension.begin(), extension.end(), extension.begin(), [](char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      });
    if (extension != ".zip" && extension != ".tar") {
      return fail(Errc::invalid_input,
                  "{} is not a bag: not a directory, a .zip or a .tar",
                  bundle.string());
    }
    CUSTODY_ASSIGN(read, read_archive(bundle, extension == ".zip"));
    bag = std::move(read);
  }

  BundleReport report;
  Checks checks(report);
  for (const auto& problem : bag.layout_problems) {
    checks.fail("layout", problem);
  }
  checks.conclude(
    "layout", fmt::format("{} regular files, nothing else", bag.files.size()));
  check_manifests(bag, checks);
  const auto originals = check_content_files(bag, checks, report);
  check_original_names(bag, originals, checks);
  const auto key = check_key(bag, options, checks, report);
  const auto cp = check_checkpoint(bag, key, options, checks, report);
  check_records(bag, cp, checks, report);
  return report;
}

} // namespace custody::verify
