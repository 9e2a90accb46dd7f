// What of a record a court bundle carries (docs/formats.md 14.1): the record
// less the fields the recipe leaves out, and the payload documents whose
// commitments it opens, each whole or not at all.
#pragma once

#include <custody/disclosure/record.hpp>
#include <custody/ledger/store.hpp>

#include <optional>
#include <string>
#include <vector>

namespace custody::disclosure {

// The fields a court recipe leaves out: JSON pointers into a record's parts
// ("/person/address"), and whether attachment documents stay sealed.
struct CourtFields
{
  std::vector<std::string> pointers;
  bool attachment_documents = false;
};

// The record as a legal member's `show --json` gives it, every left-out field
// removed from every compartment, and from the attachments' documents when
// those are left out (their number, entry, kind, size and SHA-256 stay).
Released<ShownRecord> for_court(const records::RecordView& view,
                                const CourtFields& fields);

// A record or amendment payload opened for the court: its plaintext, exactly
// the bytes its commitment was made over, or nullopt when its `data` holds a
// left-out field (a commitment opens only to the whole document).
std::optional<Released<std::string>> court_opening(const store::Opened& opened,
                                                   const CourtFields& fields);

// An attachment document opened for the court, or nullopt when the recipe
// leaves attachment documents out.
std::optional<Released<std::string>>
court_attachment_opening(const store::Opened& opened,
                         const CourtFields& fields);

// A redaction's documents hold counts and hashes, never a removed value:
// always opened.
Released<std::string> court_redaction_opening(const store::Opened& opened);

} // namespace custody::disclosure
