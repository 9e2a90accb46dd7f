// Checking a court bundle end to end (docs/formats.md section 14): a BagIt
// bag as a directory, a .zip or a .tar, read once and streaming (large files
// are hashed piece by piece; only small files are kept in memory; nothing is
// extracted to disk). The manifests, Payload-Oxum and the profile; the vault
// key in custody.pub against the one lodged outside; the signed checkpoint and
// its timestamp; each record's inclusion proofs against the checkpoint; each
// ledger line's commitments against the opened payloads and the originals.
#pragma once

#include <custody/base/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace custody::verify {

// One line of the report: what was checked, whether it held, and what was
// found (for a failure: the file, the line or byte where it can, and what is
// wrong).
struct BundleCheck
{
  std::string what;
  bool ok = false;
  std::string detail;
};

struct BundleReport
{
  std::vector<BundleCheck> checks;
  std::string key;    // the "RW..." line of custody.pub in the bundle
  std::string key_id; // its key id, 16 upper hex as minisign prints it
  std::uint64_t checkpoint_size = 0;
  std::size_t records = 0, entries = 0, originals = 0;
  bool timestamped = false; // a token verified against options.tsa_ca
  // Every check held (and there was at least one).
  bool ok() const;
};

struct BundleOptions
{
  // The vault key as lodged outside the vault ("RW..."), to compare with
  // custody.pub; without it the report says to compare them.
  std::optional<std::string> key;
  // The text of a PEM file of the TSA's CA certificates; without it a token
  // is checked against the checkpoint but its signature is not, and the
  // bundle does not count as timestamped.
  std::optional<std::string> tsa_ca_pem;
};

// Checks the bag at `bundle` (a directory, or a .zip or .tar by its name).
// Errc::not_found when there is nothing at `bundle`; Errc::invalid_input when
// it is not a bag at all (no bagit.txt where a bag has it, an archive
// libarchive cannot read, not one top-level directory); Errc::io when it
// cannot be read. Anything else wrong is a failed check in the report.
[[nodiscard]] Result<BundleReport>
verify_bundle(const std::filesystem::path& bundle,
              const BundleOptions& options);

// --- data/records/<id>/entries.json, parsed (exposed for the fuzz target) ---

struct BundlePayload
{
  enum class Kind { opened, media, sealed };
  std::size_t index = 0;
  std::string compartment; // identity, narrative, facts or aggressor
  std::string commit;      // 64 lower hex
  Kind kind = Kind::sealed;
  std::string opened;       // Kind::opened: the bag path of the plaintext
  std::string media_sha256; // Kind::media: 64 lower hex
  std::string media_salt;   // Kind::media: 64 lower hex
  std::string media_path;   // Kind::media: data/original/... or derivative
  std::string sealed;       // Kind::sealed: why it is not opened
};

struct BundleEntry
{
  std::uint64_t seq = 0;
  std::string type; // record, amend, attachment or redaction
  std::string line; // the ledger line, without its LF
  std::vector<BundlePayload> payloads;
};

struct BundleEntries
{
  std::string record;
  std::vector<BundleEntry> entries;
};

// Parses entries.json strictly: the fields the format names and no others,
// hex in lower case, indices unique within an entry, seqs unique.
// Errc::invalid_input naming what is wrong (JSON errors with their byte
// offset).
[[nodiscard]] Result<BundleEntries> parse_bundle_entries(std::string_view text);

} // namespace custody::verify
