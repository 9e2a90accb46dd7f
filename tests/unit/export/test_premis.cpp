// The PREMIS custody log: what it says, how it escapes, what it refuses.
// tests/cli/bag.sh validates it with xmllint against the PREMIS 3.0 schema.
#include <custody/export/premis.hpp>

#include <doctest/doctest.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <string>
#include <vector>

using namespace custody;
using namespace custody::bundle;

namespace {

const std::string k_sha(64, 'a');
const std::string k_entry(64, 'e');
const std::string k_fingerprint =
  "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";

PremisLog
sample()
{
  PremisLog log;
  log.software_version = "0.9";
  log.objects.push_back({k_sha,
                         42,
                         "video/mp4",
                         "data/original/" + k_sha + ".mp4",
                         "clip\r\n%.mp4"});
  log.members.push_back({k_fingerprint, "legal"});
  PremisEvent event;
  event.entry_hash = k_entry;
  event.type = "ingestion";
  event.date_time = "2026-12-05T10:00:00Z";
  event.detail = "a <b> & \"c\"\r\nline two";
  event.outcome_notes = {"inclusion proof: proofs/" + k_entry + ".json"};
  event.agents = {{k_fingerprint, "implementer"},
                  {premis_software_identifier(log), "executing program"}};
  event.objects = {{k_sha, "outcome"}};
  log.events.push_back(event);
  return log;
}

// The text of each node `xpath` selects, after parsing `xml` back.
std::vector<std::string>
select(const std::string& xml, const char* xpath)
{
  std::vector<std::string> out;
  xmlDoc* doc = xmlReadMemory(xml.data(),
                              static_cast<int>(xml.size()),
                              "premis.xml",
                              nullptr,
                              XML_PARSE_NONET);
  REQUIRE(doc != nullptr);
  xmlXPathContext* context = xmlXPathNewContext(doc);
  xmlXPathRegisterNs(
    context,
    reinterpret_cast<const xmlChar*>("p"),
    reinterpret_cast<const xmlChar*>("http://www.loc.gov/premis/v3"));
  xmlXPathObject* result =
    xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath), context);
  REQUIRE(result != nullptr);
  if (result->nodesetval != nullptr) {
    for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
      xmlChar* text = xmlNodeGetContent(result->nodesetval->nodeTab[i]);
      out.emplace_back(reinterpret_cast<const char*>(text));
      xmlFree(text);
    }
  }
  xmlXPathFreeObject(result);
  xmlXPathFreeContext(context);
  xmlFreeDoc(doc);
  return out;
}

using Strings = std::vector<std::string>;

} // namespace

TEST_SUITE("premis")
{
  TEST_CASE("objects, events and agents, parsed back as written")
  {
    auto xml = write_premis(sample());
    REQUIRE(xml);
    CHECK(xml->starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    CHECK(select(*xml, "/p:premis/@version") == Strings{"3.0"});
    CHECK(select(*xml, "//p:object/p:objectIdentifier/p:objectIdentifierValue")
          == Strings{k_sha, "data/original/" + k_sha + ".mp4"});
    CHECK(select(*xml, "//p:object//p:messageDigest") == Strings{k_sha});
    CHECK(select(*xml, "//p:object//p:size") == Strings{"42"});
    CHECK(select(*xml, "//p:object/p:originalName")
          == Strings{"clip%0D%0A%25.mp4"});
    CHECK(select(*xml, "//p:event/p:eventIdentifier/p:eventIdentifierType")
          == Strings{std::string(k_premis_event_id_type)});
    CHECK(select(*xml, "//p:event/p:eventIdentifier/p:eventIdentifierValue")
          == Strings{k_entry});
    CHECK(select(*xml, "//p:eventType") == Strings{"ingestion"});
    // Markup escaped, and CR kept as a character reference, so the detail
    // reads back exactly.
    CHECK(select(*xml, "//p:eventDetail")
          == Strings{"a <b> & \"c\"\r\nline two"});
    CHECK(xml->find("&lt;b&gt; &amp;") != std::string::npos);
    CHECK(select(*xml, "//p:eventOutcome") == Strings{"success"});
    CHECK(select(*xml, "//p:eventOutcomeDetailNote")
          == Strings{"inclusion proof: proofs/" + k_entry + ".json"});
    CHECK(select(*xml, "//p:linkingAgentIdentifierValue")
          == Strings{k_fingerprint, "custody 0.9"});
    CHECK(select(*xml, "//p:linkingAgentRole")
          == Strings{"implementer", "executing program"});
    CHECK(select(*xml, "//p:linkingObjectIdentifierValue") == Strings{k_sha});
    // Members are a fingerprint and a role; the only name is the software's.
    CHECK(select(*xml, "//p:agent/p:agentIdentifier/p:agentIdentifierValue")
          == Strings{k_fingerprint, "custody 0.9"});
    CHECK(select(*xml, "//p:agent/p:agentNote")
          == Strings{"custody role: legal"});
    CHECK(select(*xml, "//p:agentName") == Strings{"custody"});
  }

  TEST_CASE("what XML cannot carry, or the log does not list, is refused")
  {
    auto refused = [](const PremisLog& log, std::string_view mentioning) {
      auto xml = write_premis(log);
      REQUIRE_FALSE(xml);
      CHECK(xml.error().code == Errc::invalid_input);
      CHECK(xml.error().message.find(mentioning) != std::string::npos);
    };
    PremisLog log = sample();
    log.objects.clear();
    refused(log, "no object");

    log = sample();
    log.events[0].detail = "bell \a here";
    refused(log, "detail \"bell %07 here\"");

    log = sample();
    log.events[0].detail = "not \xff UTF-8";
    refused(log, "detail");

    log = sample();
    log.events[0].type = std::string("nul\0byte", 8);
    refused(log, "type");

    log = sample();
    log.events[0].detail = "U+FFFE \xef\xbf\xbe";
    refused(log, "detail");

    log = sample();
    log.events[0].date_time = "yesterday";
    refused(log, "RFC 3339");

    log = sample();
    log.events[0].agents.push_back({"RWSsomeoneelse", "implementer"});
    refused(log, "agent \"RWSsomeoneelse\"");

    log = sample();
    log.events[0].objects.push_back({std::string(64, 'b'), "source"});
    refused(log, "object");

    log = sample();
    log.objects.push_back(log.objects[0]);
    refused(log, "listed twice");

    log = sample();
    log.members[0].role = "legal\nadmin";
    auto xml = write_premis(log); // CR and LF are XML text: kept, escaped
    CHECK(xml);
  }

  TEST_CASE("an original name of any bytes is written escaped")
  {
    PremisLog log = sample();
    log.objects[0].original_name = "\x1b[2J\xff <x>.mp4";
    auto xml = write_premis(log);
    REQUIRE(xml);
    CHECK(select(*xml, "//p:originalName") == Strings{"%1B[2J%FF <x>.mp4"});
  }
}
