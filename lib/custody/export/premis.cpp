#include <custody/base/time.hpp>
#include <custody/base/utf8.hpp>
#include <custody/export/bag.hpp>
#include <custody/export/premis.hpp>

#include <libxml/xmlwriter.h>

#include <memory>
#include <set>

namespace custody::bundle {

namespace {

constexpr const char* k_premis_namespace = "http://www.loc.gov/premis/v3";
constexpr const char* k_xsi_namespace =
  "http://www.w3.org/2001/XMLSchema-instance";

// Text XML 1.0 can carry (its Char production): well-formed UTF-8 with no C0
// control but TAB, LF and CR, and neither U+FFFE nor U+FFFF.
bool
is_xml_text(std::string_view text)
{
  if (utf8::first_invalid(text)) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') {
      return false;
    }
    if (byte == 0xef && i + 2 < text.size()
        && static_cast<unsigned char>(text[i + 1]) == 0xbf
        && (static_cast<unsigned char>(text[i + 2]) & 0xfe) == 0xbe) {
      return false;
    }
  }
  return true;
}

const xmlChar*
x(const char* text)
{
  return reinterpret_cast<const xmlChar*>(text);
}

struct WriterDeleter
{
  void
  operator()(xmlTextWriter* writer) const
  {
    xmlFreeTextWriter(writer);
  }
};
struct BufferDeleter
{
  void
  operator()(xmlBuffer* buffer) const
  {
    xmlBufferFree(buffer);
  }
};

// The elements of one document; the first failure is kept and every later
// call does nothing, so the caller checks once at the end.
class Xml
{
public:
  explicit Xml(xmlTextWriter* writer)
    : m_writer(writer)
  {
  }

  void
  start(const char* name)
  {
    if (m_ok) {
      m_ok = xmlTextWriterStartElement(m_writer, x(name)) >= 0;
    }
  }

  void
  end()
  {
    if (m_ok) {
      m_ok = xmlTextWriterEndElement(m_writer) >= 0;
    }
  }

  void
  attribute(const char* name, const std::string& value)
  {
    if (m_ok) {
      m_ok =
        xmlTextWriterWriteAttribute(m_writer, x(name), x(value.c_str())) >= 0;
    }
  }

  // <name>text</name>, the text escaped by libxml2.
  void
  element(const char* name, const std::string& text)
  {
    start(name);
    if (m_ok) {
      m_ok = xmlTextWriterWriteString(m_writer, x(text.c_str())) >= 0;
    }
    end();
  }

  void
  identifier(const char* wrapper,
             const char* type_name,
             std::string_view type,
             const char* value_name,
             const std::string& value)
  {
    start(wrapper);
    element(type_name, std::string(type));
    element(value_name, value);
    end();
  }

  bool
  ok() const
  {
    return m_ok;
  }

private:
  xmlTextWriter* m_writer;
  bool m_ok = true;
};

Result<void>
check_text(std::string_view field, const std::string& text)
{
  if (!is_xml_text(text) || text.find('\0') != std::string::npos) {
    return make_error(Errc::invalid_input,
                      fmt::format("premis.xml: {} \"{}\" is not text XML can "
                                  "carry (UTF-8 without controls)",
                                  field,
                                  escape_name(text)));
  }
  return {};
}

Result<void>
check_log(const PremisLog& log)
{
  if (log.objects.empty()) {
    return make_error(Errc::invalid_input,
                      "premis.xml: no object (PREMIS needs at least one)");
  }
  std::set<std::string> objects;
  std::set<std::string> agents{premis_software_identifier(log)};
  CUSTODY_TRY(check_text("the software version", log.software_version));
  for (const PremisObject& object : log.objects) {
    CUSTODY_TRY(check_text("an object's sha256", object.sha256));
    CUSTODY_TRY(check_text("an object's bag path", object.bag_path));
    CUSTODY_TRY(check_text("an object's format", object.format));
    if (object.sha256.size() != 64 || object.format.empty()) {
      return make_error(Errc::invalid_input,
                        fmt::format("premis.xml: object \"{}\" needs a SHA-256 "
                                    "in hex and a format",
                                    escape_name(object.sha256)));
    }
    if (!objects.insert(object.sha256).second) {
      return make_error(
        Errc::invalid_input,
        fmt::format("premis.xml: object {} is listed twice", object.sha256));
    }
  }
  for (const PremisMember& member : log.members) {
    CUSTODY_TRY(check_text("a member's fingerprint", member.fingerprint));
    CUSTODY_TRY(check_text("a member's role", member.role));
    agents.insert(member.fingerprint);
  }
  for (const PremisEvent& event : log.events) {
    CUSTODY_TRY(check_text("an event's entry hash", event.entry_hash));
    const std::string where = fmt::format("event {}", event.entry_hash);
    CUSTODY_TRY_CTX(check_text("type", event.type), where);
    CUSTODY_TRY_CTX(check_text("date-time", event.date_time), where);
    CUSTODY_TRY_CTX(check_text("detail", event.detail), where);
    CUSTODY_TRY_CTX(check_text("outcome", event.outcome), where);
    for (const std::string& note : event.outcome_notes) {
      CUSTODY_TRY_CTX(check_text("outcome note", note), where);
    }
    if (event.entry_hash.empty() || event.type.empty()
        || !time::is_date_or_rfc3339(event.date_time)) {
      return make_error(Errc::invalid_input,
                        fmt::format("premis.xml: {} needs its entry hash, a "
                                    "type and an RFC 3339 date-time",
                                    where));
    }
    for (const PremisLink& link : event.agents) {
      CUSTODY_TRY_CTX(check_text("agent role", link.role), where);
      if (!agents.contains(link.identifier)) {
        return make_error(Errc::invalid_input,
                          fmt::format("premis.xml: {} names agent \"{}\", "
                                      "which the log does not list",
                                      where,
                                      escape_name(link.identifier)));
      }
    }
    for (const PremisLink& link : event.objects) {
      CUSTODY_TRY_CTX(check_text("object role", link.role), where);
      if (!objects.contains(link.identifier)) {
        return make_error(Errc::invalid_input,
                          fmt::format("premis.xml: {} names object \"{}\", "
                                      "which the log does not list",
                                      where,
                                      escape_name(link.identifier)));
      }
    }
  }
  return {};
}

void
write_object(Xml& xml, const PremisObject& object)
{
  xml.start("object");
  xml.attribute("xsi:type", "file");
  xml.identifier("objectIdentifier",
                 "objectIdentifierType",
                 k_premis_object_id_type,
                 "objectIdentifierValue",
                 object.sha256);
  if (!object.bag_path.empty()) {
    xml.identifier("objectIdentifier",
                   "objectIdentifierType",
                   "bag path",
                   "objectIdentifierValue",
                   object.bag_path);
  }
  xml.start("objectCharacteristics");
  xml.element("compositionLevel", "0");
  xml.start("fixity");
  xml.element("messageDigestAlgorithm", "SHA-256");
  xml.element("messageDigest", object.sha256);
  xml.element("messageDigestOriginator", "custody");
  xml.end();
  xml.element("size", std::to_string(object.size));
  xml.start("format");
  xml.start("formatDesignation");
  xml.element("formatName", object.format);
  xml.end();
  xml.end();
  xml.end();
  if (!object.original_name.empty()) {
    xml.element("originalName", escape_name(object.original_name));
  }
  xml.end();
}

void
write_event(Xml& xml, const PremisEvent& event, const PremisLog& log)
{
  xml.start("event");
  xml.identifier("eventIdentifier",
                 "eventIdentifierType",
                 k_premis_event_id_type,
                 "eventIdentifierValue",
                 event.entry_hash);
  xml.element("eventType", event.type);
  xml.element("eventDateTime", event.date_time);
  if (!event.detail.empty()) {
    xml.start("eventDetailInformation");
    xml.element("eventDetail", event.detail);
    xml.end();
  }
  xml.start("eventOutcomeInformation");
  xml.element("eventOutcome", event.outcome);
  for (const std::string& note : event.outcome_notes) {
    xml.start("eventOutcomeDetail");
    xml.element("eventOutcomeDetailNote", note);
    xml.end();
  }
  xml.end();
  const std::string software = premis_software_identifier(log);
  for (const PremisLink& link : event.agents) {
    xml.start("linkingAgentIdentifier");
    xml.element("linkingAgentIdentifierType",
                std::string(link.identifier == software
                              ? k_premis_software_id_type
                              : k_premis_member_id_type));
    xml.element("linkingAgentIdentifierValue", link.identifier);
    if (!link.role.empty()) {
      xml.element("linkingAgentRole", link.role);
    }
    xml.end();
  }
  for (const PremisLink& link : event.objects) {
    xml.start("linkingObjectIdentifier");
    xml.element("linkingObjectIdentifierType",
                std::string(k_premis_object_id_type));
    xml.element("linkingObjectIdentifierValue", link.identifier);
    if (!link.role.empty()) {
      xml.element("linkingObjectRole", link.role);
    }
    xml.end();
  }
  xml.end();
}

} // namespace

std::string
premis_software_identifier(const PremisLog& log)
{
  return log.software_version.empty()
           ? std::string("custody")
           : fmt::format("custody {}", log.software_version);
}

Result<std::string>
write_premis(const PremisLog& log)
{
  CUSTODY_TRY(check_log(log));
  std::unique_ptr<xmlBuffer, BufferDeleter> buffer(xmlBufferCreate());
  if (!buffer) {
    return make_error(Errc::internal, "libxml2: out of memory");
  }
  std::unique_ptr<xmlTextWriter, WriterDeleter> writer(
    xmlNewTextWriterMemory(buffer.get(), 0));
  if (!writer) {
    return make_error(Errc::internal, "libxml2: out of memory");
  }
  xmlTextWriterSetIndent(writer.get(), 1);
  xmlTextWriterSetIndentString(writer.get(), x("  "));
  Xml xml(writer.get());
  bool ok =
    xmlTextWriterStartDocument(writer.get(), "1.0", "UTF-8", nullptr) >= 0;
  xml.start("premis");
  xml.attribute("xmlns", k_premis_namespace);
  xml.attribute("xmlns:xsi", k_xsi_namespace);
  xml.attribute("version", "3.0");
  for (const PremisObject& object : log.objects) {
    write_object(xml, object);
  }
  for (const PremisEvent& event : log.events) {
    write_event(xml, event, log);
  }
  for (const PremisMember& member : log.members) {
    xml.start("agent");
    xml.identifier("agentIdentifier",
                   "agentIdentifierType",
                   k_premis_member_id_type,
                   "agentIdentifierValue",
                   member.fingerprint);
    xml.element("agentType", "person");
    xml.element("agentNote", fmt::format("custody role: {}", member.role));
    xml.end();
  }
  xml.start("agent");
  xml.identifier("agentIdentifier",
                 "agentIdentifierType",
                 k_premis_software_id_type,
                 "agentIdentifierValue",
                 premis_software_identifier(log));
  xml.element("agentName", "custody");
  xml.element("agentType", "software");
  if (!log.software_version.empty()) {
    xml.element("agentVersion", log.software_version);
  }
  xml.end();
  xml.end();
  ok = ok && xml.ok() && xmlTextWriterEndDocument(writer.get()) >= 0;
  writer.reset(); // flushes into the buffer
  if (!ok) {
    return make_error(Errc::internal, "libxml2 failed to write premis.xml");
  }
  return std::string(
    reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
    static_cast<std::size_t>(xmlBufferLength(buffer.get())));
}

} // namespace custody::bundle
