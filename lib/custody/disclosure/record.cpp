// Records released to their reader (record.hpp).
#include <custody/disclosure/disclosure_internal.hpp>
#include <custody/disclosure/record.hpp>

namespace custody::disclosure {

Released<ShownRecord>
for_member(const records::RecordView& view)
{
  ShownRecord shown;
  shown.id = view.id;
  shown.history = view.history;
  shown.at = view.at;
  const bool opens_identity =
    view.parts[records::part_index(vault::Compartment::identity)].has_value();
  for (auto& entry : shown.history) {
    entry.undo.reset();
    if (!opens_identity) {
      entry.reason.clear();
    }
  }
  for (const auto& entry : view.changes) {
    json::Json changes = json::Json::array();
    for (std::size_t p = 0; p < records::k_part_count; ++p) {
      if (!entry.parts[p] || !view.parts[p]) {
        continue;
      }
      for (const auto& change : *entry.parts[p]) {
        json::Json item = {
          {"compartment", vault::compartment_name(records::k_parts[p])},
          {"field", change.pointer}};
        if (change.before) {
          item["before"] = *change.before;
        }
        if (change.after) {
          item["after"] = *change.after;
        }
        changes.push_back(std::move(item));
      }
    }
    shown.changes.push_back(std::move(changes));
  }
  for (std::size_t p = 0; p < records::k_part_count; ++p) {
    const std::string name(vault::compartment_name(records::k_parts[p]));
    if (view.parts[p]) {
      shown.compartments[name] = *view.parts[p];
    } else {
      shown.sealed.push_back(name);
    }
  }
  if (view.attachments) {
    std::vector<ShownAttachment> attachments;
    for (std::size_t i = 0; i < view.attachments->size(); ++i) {
      const auto& row = (*view.attachments)[i];
      json::Json document = row.attachment;
      document.erase("media_salt");
      attachments.push_back({i + 1, row.seq, std::move(document)});
    }
    shown.attachments = std::move(attachments);
  }
  return Releaser::release(std::move(shown));
}

Released<std::vector<index::ListRow>>
for_lister(std::vector<index::ListRow> rows)
{
  return Releaser::release(std::move(rows));
}

Released<json::Json>
as_form(json::Json form)
{
  return Releaser::release(std::move(form));
}

json::Json
record_json(const ShownRecord& shown, bool with_changes)
{
  json::Json entries = json::Json::array();
  for (std::size_t i = 0; i < shown.history.size(); ++i) {
    const auto& entry = shown.history[i];
    json::Json item = {{"seq", entry.seq},
                       {"time", entry.time},
                       {"type", entry.type},
                       {"hash", entry.hash}};
    if (!entry.member.empty()) {
      item["member"] = entry.member;
    }
    if (!entry.reason.empty()) {
      item["reason"] = entry.reason;
    }
    if (with_changes && i < shown.changes.size()) {
      item["changes"] = shown.changes[i];
    }
    entries.push_back(std::move(item));
  }
  json::Json attachments = json::Json::array();
  for (const auto& attachment :
       shown.attachments.value_or(std::vector<ShownAttachment>{})) {
    json::Json item = attachment.document;
    item["number"] = attachment.number;
    item["seq"] = attachment.seq;
    attachments.push_back(std::move(item));
  }
  json::Json out{{"type", "record"},
                 {"id", shown.id},
                 {"entries", entries},
                 {"compartments", shown.compartments},
                 {"attachments", attachments},
                 {"sealed", shown.sealed}};
  if (shown.at) {
    out["at"] = *shown.at;
  }
  return out;
}

} // namespace custody::disclosure
