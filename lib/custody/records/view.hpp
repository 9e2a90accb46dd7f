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

struct RecordView
{
  std::string id;
  std::vector<index::EntryRow> history;
  // k_parts order; nullopt where the member's keys do not open the compartment
  std::array<std::optional<json::Json>, k_part_count> parts;
  // listed by the identity shard; nullopt when the member does not open it
  std::optional<std::vector<index::AttachmentRow>> attachments;
};

// The record `typed` names (a unique id prefix), through `shards`.
[[nodiscard]] Result<RecordView> view_record(const Shards& shards,
                                             std::string_view typed);

// The record as one form again (derived fields out, compartments merged), to
// correct and give back as an amendment. Errc::auth unless the shards hold
// every record compartment.
[[nodiscard]] Result<json::Json> record_as_form(const Shards& shards,
                                                const std::string& id);

} // namespace custody::records
