// BagIt 1.0 bags (RFC 8493) as custody's court bundles write them: payload
// files named by content hash in plain ASCII, the original names in a tag file,
// SHA-256 manifests, written streaming into a directory, a .zip or a .tar
// (libarchive) under a temporary name and renamed into place only once
// complete. docs/formats.md section 14 and the published profile
// docs/profiles/custody-court-v1.json describe what is written.
//
// The folder is export/; its namespace is custody::bundle, `export` being a
// C++ keyword.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/crypto/age/age.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace custody::bundle {

// The profile every custody court bundle names in BagIt-Profile-Identifier.
constexpr std::string_view k_court_profile_identifier =
  "https://custody.invalid/profiles/custody-court-v1.json";

// The tag file that lists each original's name beside its SHA-256.
constexpr std::string_view k_original_names_file = "original-names.txt";

// A name as original-names.txt and PREMIS's originalName write it: `%`, CR and
// LF percent-encoded as RFC 8493 section 2.1.3 encodes them in manifests
// (%25, %0D, %0A), and so is every other byte that would not be printable
// UTF-8 text (C0 controls, DEL, bytes outside well-formed UTF-8), in upper-case
// hex. Every `%XX` decodes to its byte; nothing else is changed (no Unicode
// normalisation, no case folding).
std::string escape_name(std::string_view name);

// The extension a payload file named by hash keeps: the original name's last
// `.`-suffix in ASCII lower case when it is 1 to 8 of [a-z0-9], else none.
// "Clip.MP4" gives "mp4"; "a.tar.gz" "gz"; "..", "x.", "notes", "a.mp4 " and
// "a.m\u00f6v" none.
std::string payload_extension(std::string_view original_name);

enum class Container { directory, zip, tar };
// By the output's name: `.zip` and `.tar` (any case) are archives, and so are
// `.zip.age` and `.tar.age` (encrypted); anything else a directory.
Container container_for(const std::filesystem::path& out);

// Errc::usage unless `out` is named as a bag encrypted (or not) must be: a
// .tar.age or .zip.age exactly when `encrypted`.
[[nodiscard]] Result<void> check_output_name(const std::filesystem::path& out,
                                             bool encrypted);

// bag-info.txt. Values are one line of printable UTF-8 (no controls).
struct BagInfo
{
  std::string source_organization;
  std::string bagging_date; // YYYY-MM-DD
  std::string profile_identifier = std::string(k_court_profile_identifier);
  // More labels in order, after the reserved ones (External-Identifier for a
  // case reference, Bag-Software-Agent ...). Payload-Oxum, Bagging-Date,
  // Source-Organization and BagIt-Profile-Identifier are the writer's.
  std::vector<std::pair<std::string, std::string>> extra;
};

enum class Replace { no, yes };

// Reads the next piece of a payload file into `out`, 0 at its end.
using Reader = std::function<Result<std::size_t>(std::span<std::uint8_t> out)>;
// Gives a payload file's bytes, in pieces of any size, to `write`, which
// fails once more than the declared size is given: the push form, for a
// source that streams by callback (an attachment decrypted from its object).
using Write = std::function<Result<void>(ByteView piece)>;
using Producer = std::function<Result<void>(const Write& write)>;

// Who hashes an original's bytes against its declared SHA-256: the writer as
// they pass, or the producer, which must then fail unless every byte it gave
// hashes to it (attach::read_plaintext does), so they are hashed once.
enum class Hashed { by_writer, by_producer };

// A Reader over bytes in memory (which must outlive it).
Reader bytes_reader(ByteView bytes);

struct BagSummary
{
  std::filesystem::path path;       // where the bag now is
  std::uint64_t payload_octets = 0; // Payload-Oxum's first figure
  std::uint64_t payload_files = 0;  // and its second
  std::string tagmanifest_sha256;   // of tagmanifest-sha256.txt, lower hex
  std::optional<std::string> archive_sha256; // of the .zip or .tar file
};

// One bag being written. Each add_* streams its file into the bag at once
// (constant memory: a 2 GB video is never held whole); finish() writes the tag
// files and renames the bag into place. A writer destroyed before finish(),
// or after any error, removes what it wrote: nothing is left under the final
// name, and a crash leaves only a `.tmp-` name beside it. After an error every
// later call fails with Errc::internal.
class BagWriter
{
public:
  // Starts a bag to end at `out` (a directory, or a .zip or .tar by its
  // name, whose one top-level directory is the name without the extension).
  // An `out` that exists is refused (Errc::invalid_input) unless
  // Replace::yes, when it is swapped out atomically at finish() and removed.
  // With `encrypt_to`, the archive is age-encrypted to that recipient as it
  // is written (`out` a .tar.age or .zip.age: Errc::usage otherwise), so no
  // plaintext of it reaches the disk; BagSummary::archive_sha256 is then the
  // encrypted file's.
  [[nodiscard]] static Result<BagWriter>
  create(const std::filesystem::path& out,
         BagInfo info,
         Replace replace,
         const std::optional<age::X25519Recipient>& encrypt_to = std::nullopt);

  BagWriter(BagWriter&&) noexcept;
  BagWriter& operator=(BagWriter&&) noexcept;
  BagWriter(const BagWriter&) = delete;
  BagWriter& operator=(const BagWriter&) = delete;
  ~BagWriter();

  // An original at data/original/<sha256>[.<ext>], the extension from
  // payload_extension(original_name), its name listed in original-names.txt.
  // `size` bytes are read from `read` and must hash to `sha256` (Errc::corrupt
  // otherwise, naming both). A second original with the same content only adds
  // its name (the first's extension is kept; `read` is not called). Returns
  // the path in the bag.
  [[nodiscard]] Result<std::string> add_original(const Digest& sha256,
                                                 std::string_view original_name,
                                                 std::uint64_t size,
                                                 const Reader& read);
  [[nodiscard]] Result<std::string>
  add_original(const Digest& sha256,
               std::string_view original_name,
               std::uint64_t size,
               const Producer& produce,
               Hashed hashed = Hashed::by_writer);

  // Another payload file at `path` ("data/..." in [A-Za-z0-9._-] components,
  // none "." or "..", unique even ignoring ASCII case, never under
  // data/original/). Returns its SHA-256 in lower hex.
  [[nodiscard]] Result<std::string>
  add_payload(std::string_view path, std::uint64_t size, const Reader& read);
  [[nodiscard]] Result<std::string> add_payload(std::string_view path,
                                                std::uint64_t size,
                                                const Producer& produce);
  [[nodiscard]] Result<std::string> add_payload(std::string_view path,
                                                ByteView bytes);

  // A tag file (metadata/premis.xml, VERIFY.txt ...) outside data/, by the same
  // rules for its path; the writer's own tag files (bagit.txt, bag-info.txt,
  // manifests, fetch.txt, original-names.txt) are refused. Listed in the tag
  // manifest.
  [[nodiscard]] Result<void> add_tag_file(std::string_view path,
                                          ByteView bytes);

  // Writes original-names.txt, manifest-sha256.txt, bag-info.txt, bagit.txt
  // and tagmanifest-sha256.txt, makes everything durable and renames the bag
  // to its name. `before_publish`, when given, is called once the bag is
  // complete and durable under its temporary name (the summary's `path`),
  // before the rename: an export appends its ledger entry there, so that no
  // bag reaches its name unlogged. If it fails the bag is removed.
  using BeforePublish = std::function<Result<void>(const BagSummary&)>;
  [[nodiscard]] Result<BagSummary>
  finish(const BeforePublish& before_publish = {});

  struct State;

private:
  explicit BagWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

} // namespace custody::bundle
