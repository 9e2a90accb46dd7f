// A court bundle's custody log as PREMIS 3.0 XML (metadata/premis.xml):
// objects by SHA-256, one event per ledger entry, agents as member key
// fingerprints and roles, never names. Written with libxml2's xmlTextWriter,
// which escapes markup; text that XML 1.0 cannot carry is refused, and
// original names are escaped as original-names.txt writes them
// (bundle::escape_name). docs/formats.md section 14 lists the
// identifier types.
#pragma once

#include <custody/base/bytes.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace custody::bundle {

constexpr std::string_view k_premis_object_id_type = "sha256";
constexpr std::string_view k_premis_event_id_type =
  "custody ledger entry sha256";
constexpr std::string_view k_premis_member_id_type =
  "custody member key fingerprint";
constexpr std::string_view k_premis_software_id_type = "software";

struct PremisObject
{
  std::string sha256; // lower hex: the identifier and the fixity
  std::uint64_t size = 0;
  std::string format = "application/octet-stream"; // a media type
  std::string bag_path; // "data/original/<sha256>.mp4": a second identifier
  std::string original_name; // raw; written escaped; may be empty
};

struct PremisLink
{
  std::string identifier; // a fingerprint (agents) or a sha256 (objects)
  std::string role;       // PREMIS's linking role: "implementer", "source" ...
};

struct PremisEvent
{
  std::string entry_hash; // the ledger entry's hash, lower hex
  std::string type;       // capture, ingestion, message digest calculation ...
  std::string date_time;  // RFC 3339
  std::string detail;     // may be empty
  std::string outcome = "success";
  std::vector<std::string> outcome_notes; // e.g. where its inclusion proof is
  std::vector<PremisLink> agents;         // by fingerprint
  std::vector<PremisLink> objects;        // by sha256
};

// A member's key, by fingerprint and role: PREMIS has no name for it.
struct PremisMember
{
  std::string fingerprint;
  std::string role; // legal, intake, data, advocacy
};

struct PremisLog
{
  std::vector<PremisObject> objects; // at least one (the schema wants one)
  std::vector<PremisEvent> events;
  std::vector<PremisMember> members;
  std::string software_version; // custody's, for the software agent
};

// The software agent's identifier value ("custody <version>").
std::string premis_software_identifier(const PremisLog& log);

// The document, UTF-8, or Errc::invalid_input naming the field that cannot be
// written (no objects; text not UTF-8 or holding a control XML 1.0 forbids; an
// event linking an agent or object the log does not list).
[[nodiscard]] Result<std::string> write_premis(const PremisLog& log);

} // namespace custody::bundle
