// A court bundle's printed exhibit list, EXHIBITS.pdf: courts file paper, and
// a clerk compares each file of the bag with its line here by SHA-256. A4
// portrait, laid out by pango (descriptions come in any script) and drawn by
// cairo into a PDF whose dates are the bagging date, so that bagging the same
// vault twice on one machine gives the same file (another cairo, pango or set
// of fonts gives other bytes for the same text). Text is set in DejaVu Sans;
// fontconfig supplies other fonts for scripts it lacks (CJK needs a CJK font
// installed, or prints as boxes). A description is cut after a dozen lines.
// The footer carries the checkpoint and the vault key, with the instruction to
// compare the key with the one lodged outside the vault.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/error.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace custody::render {

struct Exhibit
{
  std::string number;      // "1", "2" ... as the list numbers them
  std::string record;      // record id (32 lower hex) it belongs to
  std::string description; // "video (arrest.mp4)", "record JSON" ...; UTF-8
  std::string bag_path;    // data/original/<sha256>.mp4
  std::string sha256;      // 64 lower hex
  std::uint64_t size = 0;  // bytes
};

struct ExhibitList
{
  std::string organisation;   // Source-Organization
  std::string case_reference; // may be empty
  std::string bagging_date;   // YYYY-MM-DD
  std::string checkpoint;     // "custody/<vault id>, 42 entries, root <base64>"
  std::string key;            // the vault key line "RW..." to compare with the
                              // lodged one
  std::string key_id;         // its key id (16 hex)
  std::vector<Exhibit> exhibits;
};

// The PDF's bytes. Errc::invalid_input, naming the field, for text that is not
// UTF-8, a record id that is not 32 lower hex, a sha256 that is not 64 lower
// hex or a bagging date that is not YYYY-MM-DD; Errc::internal when cairo
// fails.
[[nodiscard]] Result<Bytes> exhibits_pdf(const ExhibitList& list);

} // namespace custody::render
