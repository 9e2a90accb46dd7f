// A record released to the member who asked for it (custody show): what her
// keys open, less what no output may carry.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/disclosure/released.hpp>
#include <custody/records/view.hpp>

#include <string>
#include <vector>

namespace custody::disclosure {

struct ShownAttachment
{
  // 1-based, in the order they were added
  std::size_t number = 0;
  std::uint64_t seq = 0;
  // the attachment document: name, kind, size, sha256, captured_at, note,
  // media facts
  json::Json document;
};

struct ShownRecord
{
  std::string id;
  // each entry with its member, and its reason only when the member opens
  // identity; the index's undo patches are not part of it
  std::vector<index::EntryRow> history;
  // the ledger position the record is shown as of, when not the latest
  std::optional<std::uint64_t> at;
  // asked for (show --history): one per entry of `history`, an array of
  // {"compartment", "field", "before"?, "after"?}, for the compartments the
  // member opens only
  std::vector<json::Json> changes;
  // compartment name -> latest view, for each compartment the member opens
  json::Json compartments = json::Json::object();
  // the names of those she does not open
  std::vector<std::string> sealed;
  // nullopt when her keys do not open the attachments (identity)
  std::optional<std::vector<ShownAttachment>> attachments;
};

// The record as its reader may see it: the compartments her keys opened (and
// what each entry changed in them), the reasons of amendments when she opens
// identity, and the attachments' documents without their media salt, which
// only the vault needs (docs/formats.md section 6.2.1: with the salt the
// commitment would confirm a guessed file).
Released<ShownRecord> for_member(const records::RecordView& view);

// The record as `show --json` prints it and a court bundle carries it
// (record.json): {"type": "record", "id", "entries", "compartments",
// "attachments", "sealed", "at"?}, each entry with its `changes` when
// `with_changes` and they were asked for.
json::Json record_json(const ShownRecord& shown, bool with_changes);

// Records as `list` gives them: the facts catalogue's columns (codes, the
// month, person_ref, consent scopes), every one of them in the facts
// compartment, which the lister's keys open or the shard would not have.
Released<std::vector<index::ListRow>>
for_lister(std::vector<index::ListRow> rows);

// The record as one form, for a member who opens every compartment to correct
// and give back: all of it is hers already.
Released<json::Json> as_form(json::Json form);

} // namespace custody::disclosure
