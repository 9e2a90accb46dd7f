// Court releases (court.hpp).
#include <custody/disclosure/court.hpp>
#include <custody/disclosure/disclosure_internal.hpp>

namespace custody::disclosure {

namespace {

bool
holds(const json::Json& value, const std::string& pointer)
{
  try {
    const json::Json::json_pointer at(pointer);
    return value.contains(at) && !value.at(at).is_null();
  } catch (const json::Json::exception&) {
    return false;
  }
}

void
remove(json::Json& value, const std::string& pointer)
{
  try {
    const json::Json::json_pointer at(pointer);
    if (!value.contains(at)) {
      return;
    }
    json::Json& parent = value.at(at.parent_pointer());
    if (parent.is_object()) {
      parent.erase(at.back());
    }
  } catch (const json::Json::exception&) {
    // a pointer that does not fit this value names nothing in it
  }
}

} // namespace

Released<ShownRecord>
for_court(const records::RecordView& view, const CourtFields& fields)
{
  ShownRecord shown = *for_member(view);
  shown.changes.clear();
  for (auto& part : shown.compartments) {
    for (const auto& pointer : fields.pointers) {
      remove(part, pointer);
    }
  }
  if (fields.attachment_documents && shown.attachments) {
    for (auto& attachment : *shown.attachments) {
      json::Json kept = json::Json::object();
      for (const char* key : {"kind", "size", "sha256"}) {
        if (attachment.document.contains(key)) {
          kept[key] = attachment.document[key];
        }
      }
      attachment.document = std::move(kept);
    }
  }
  return Releaser::release(std::move(shown));
}

std::optional<Released<std::string>>
court_opening(const store::Opened& opened, const CourtFields& fields)
{
  const json::Json data = opened.document.value("data", json::Json::object());
  for (const auto& pointer : fields.pointers) {
    if (holds(data, pointer)) {
      return std::nullopt;
    }
  }
  return Releaser::release(opened.plaintext);
}

std::optional<Released<std::string>>
court_attachment_opening(const store::Opened& opened, const CourtFields& fields)
{
  if (fields.attachment_documents) {
    return std::nullopt;
  }
  return Releaser::release(opened.plaintext);
}

Released<std::string>
court_redaction_opening(const store::Opened& opened)
{
  return Releaser::release(opened.plaintext);
}

} // namespace custody::disclosure
