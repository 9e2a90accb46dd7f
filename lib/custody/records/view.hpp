// A record as a member's keys show it: its entries, the latest view of each
// compartment she opens, and its attachments. What of it may be printed is
// disclosure/'s decision, not this module's.
#pragma once

#include <custody/records/readers.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace custody::records {

// One field that differs between two views or forms: its JSON pointer
// (RFC 6901), and its value before and after, nullopt where it is absent.
struct FieldChange
{
  std::string pointer;
  std::optional<json::Json> before;
  std::optional<json::Json> after;
};

// The leaves of `before` and `after` that differ, in pointer order. Objects
// are walked; an array is one leaf, as a merge patch replaces it whole.
std::vector<FieldChange> field_changes(const json::Json& before,
                                       const json::Json& after);

// What one entry of a record changed, in each compartment the member opens.
struct EntryChanges
{
  // k_parts order; nullopt where her keys do not open the compartment, empty
  // for a compartment the entry left as it was (and for the record entry)
  std::array<std::optional<std::vector<FieldChange>>, k_part_count> parts;
};

struct RecordView
{
  std::string id;
  // its entries (up to `at`, when given), each with its member, and its
  // reason when the member opens identity
  std::vector<index::EntryRow> history;
  // k_parts order; nullopt where the member's keys do not open the compartment
  std::array<std::optional<json::Json>, k_part_count> parts;
  // listed by the identity shard; nullopt when the member does not open it
  std::optional<std::vector<index::AttachmentRow>> attachments;
  // the ledger position the view is as of, when an earlier one was asked for
  std::optional<std::uint64_t> at;
  // with ViewOptions::changes: one per entry of `history`, in its order
  std::vector<EntryChanges> changes;
};

struct ViewOptions
{
  // The record as it was once entry `at` was written (its entries up to
  // that seq); nullopt for the latest view.
  std::optional<std::uint64_t> at;
  // Also what each entry changed (RecordView::changes).
  bool changes = false;
};

// The record `typed` names (a unique id prefix), through `shards`.
// Errc::invalid_input when `options.at` comes before the record was made.
[[nodiscard]] Result<RecordView> view_record(const Shards& shards,
                                             std::string_view typed,
                                             const ViewOptions& options = {});

// The record as one form again (derived fields out, compartments merged), to
// correct and give back as an amendment. Errc::auth unless the shards hold
// every record compartment.
[[nodiscard]] Result<json::Json> record_as_form(const Shards& shards,
                                                const std::string& id);

} // namespace custody::records
