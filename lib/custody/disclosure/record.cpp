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

} // namespace custody::disclosure
