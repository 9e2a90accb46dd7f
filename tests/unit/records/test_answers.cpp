// Answers typed at the interactive intake: every form accepted, the ambiguous
// ones asked about, the rest refused with an example, and everything accepted
// also accepted by the form's schema.
#include <custody/records/answers.hpp>
#include <custody/records/form.hpp>
#include <custody/records/records.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace custody;
using answers::Context;

namespace {

const schema::SchemaSet&
incident_schemas()
{
  static const auto schemas =
    schema::SchemaSet::from_embedded("incident.schema.json");
  REQUIRE(schemas);
  return *schemas;
}

const records::Places&
example_places()
{
  static const records::Places places = [] {
    std::ifstream in(std::filesystem::path(CUSTODY_EXAMPLES_DIR)
                     / "places.yaml");
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = records::Places::parse(text.str());
    REQUIRE(parsed);
    return *parsed;
  }();
  return places;
}

// The one reading of `read`, after checking it passes the schema at
// `pointer`.
std::string
only(const Result<answers::Read>& read, std::string_view pointer)
{
  REQUIRE_MESSAGE(read, (read ? "" : read.error().message));
  REQUIRE(read->readings.size() == 1);
  const auto& value = read->readings.front().value;
  const auto checked = answers::check_value(incident_schemas(), pointer, value);
  CHECK_MESSAGE(checked, (checked ? "" : checked.error().message));
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::vector<std::string>
all(const Result<answers::Read>& read, std::string_view pointer)
{
  REQUIRE_MESSAGE(read, (read ? "" : read.error().message));
  std::vector<std::string> values;
  for (const auto& reading : read->readings) {
    CHECK(answers::check_value(incident_schemas(), pointer, reading.value));
    values.push_back(reading.value.get<std::string>());
  }
  return values;
}

Context
on(int y, unsigned m, unsigned d)
{
  Context context;
  context.today = std::chrono::sys_days(
    std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d));
  return context;
}

} // namespace

TEST_SUITE_BEGIN("answers");

TEST_CASE("dates as people write them give the form's date")
{
  constexpr std::string_view at = "/incident/date";
  const Context today = on(2026, 11, 23);
  for (const char* text : {"2026-11-03",
                           " 2026-11-03 ",
                           "2026-11-3",
                           "2026/11/03",
                           "3 Nov 2026",
                           "3 nov 2026",
                           "3 November 2026",
                           "3rd November 2026",
                           "3rd of November, 2026",
                           "Nov 3 2026",
                           "Nov 3, 2026",
                           "November 3rd, 2026",
                           "3-Nov-2026",
                           "13/11/2026"}) {
    CAPTURE(std::string(text));
    const auto value = only(answers::read_date(text, today), at);
    if (std::string_view(text) == "13/11/2026") {
      CHECK(value == "2026-11-13");
    } else {
      CHECK(value == "2026-11-03");
    }
  }
  CHECK(only(answers::read_date("2026-11", today), at) == "2026-11");
  CHECK(only(answers::read_date("Nov 2026", today), at) == "2026-11");
  CHECK(only(answers::read_date("november 2026", today), at) == "2026-11");
  CHECK(only(answers::read_date("11/2026", today), at) == "2026-11");
  CHECK(only(answers::read_date("2026", today), at) == "2026");
  CHECK(only(answers::read_date("Sept 2025", today), at) == "2025-09");
  CHECK(only(answers::read_date("29 Feb 2024", today), at) == "2024-02-29");
  const auto words = answers::read_date("3 Nov 2026");
  REQUIRE(words);
  CHECK(words->readings.front().words == "3 November 2026");
}

TEST_CASE("03/11/2026 is asked about with both readings, never guessed")
{
  const auto read = answers::read_date("03/11/2026");
  REQUIRE(read);
  CHECK(read->ambiguous());
  CHECK(all(read, "/incident/date")
        == std::vector<std::string>{"2026-11-03", "2026-03-11"});
  CHECK(read->readings[0].words == "3 November 2026");
  CHECK(read->readings[1].words == "11 March 2026");
  // The same either way round, or only one way a date: no question.
  CHECK(only(answers::read_date("03/03/2026"), "/incident/date")
        == "2026-03-03");
  CHECK(only(answers::read_date("11/13/2026"), "/incident/date")
        == "2026-11-13");
  CHECK(answers::read_date("3.11.2026")->ambiguous());
  CHECK(answers::read_date("3-11-2026")->ambiguous());
}

TEST_CASE("dates that are not dates are refused with an example")
{
  for (const char* text : {"",
                           "   ",
                           "yesterday",
                           "3/11/26",
                           "3 Nov 26",
                           "2026-13-01",
                           "2026-02-30",
                           "29 Feb 2025",
                           "31/04/2026",
                           "1899",
                           "2100-01-01",
                           "3 Nov",
                           "Nov Dec 2026",
                           "20261103",
                           "2026-11-03T08:10"}) {
    CAPTURE(std::string(text));
    const auto read = answers::read_date(text);
    REQUIRE_FALSE(read);
    CHECK(read.error().code == Errc::invalid_input);
    CHECK_FALSE(read.error().hint.empty());
  }
  const auto two_digits = answers::read_date("3/11/26");
  CHECK(two_digits.error().message.find("four digits") != std::string::npos);
  CHECK(two_digits.error().hint.find("2026-11-03 or 3 Nov 2026")
        != std::string::npos);
}

TEST_CASE("a date in the future is refused, with a day of slack")
{
  const Context today = on(2026, 11, 23);
  CHECK(answers::read_date("2026-11-24", today));
  CHECK_FALSE(answers::read_date("2026-11-25", today));
  CHECK_FALSE(answers::read_date("2027", today));
  CHECK(answers::read_date("2026-12", today).error().message.find("future")
        != std::string::npos);
  // Of two readings, the one in the future goes.
  CHECK(only(answers::read_date("03/12/2026", today), "/incident/date")
        == "2026-03-12");
}

TEST_CASE("times as people write them give HH:MM")
{
  constexpr std::string_view at = "/incident/time";
  const std::pair<const char*, const char*> cases[] = {
    {"23:40", "23:40"},    {"23.40", "23:40"},   {"23h40", "23:40"},
    {"11pm", "23:00"},     {"11 pm", "23:00"},   {"11 PM", "23:00"},
    {"11:30 pm", "23:30"}, {"11:30pm", "23:30"}, {"11.30 p.m.", "23:30"},
    {"9am", "09:00"},      {"12am", "00:00"},    {"12:15 am", "00:15"},
    {"12pm", "12:00"},     {"noon", "12:00"},    {"Midnight", "00:00"},
    {"07:30", "07:30"},    {"00:05", "00:05"},   {"0:05", "00:05"},
    {"12:30", "12:30"},    {"19", "19:00"},
  };
  for (const auto& [text, want] : cases) {
    CAPTURE(std::string(text));
    CHECK(only(answers::read_time(text), at) == want);
  }
}

TEST_CASE("an hour that could be either half of the day is asked about")
{
  const auto read = answers::read_time("10:30");
  REQUIRE(read);
  CHECK(all(read, "/incident/time")
        == std::vector<std::string>{"10:30", "22:30"});
  CHECK(read->readings[0].words == "10:30 (morning)");
  CHECK(all(answers::read_time("7"), "/incident/time")
        == std::vector<std::string>{"07:00", "19:00"});
  CHECK(all(answers::read_time("12"), "/incident/time")
        == std::vector<std::string>{"12:00", "00:00"});
}

TEST_CASE("times that are not times are refused with an example")
{
  CHECK_FALSE(answers::read_time(" "));
  for (const char* text : {"24:00",
                           "23:60",
                           "13pm",
                           "0am",
                           "7:5",
                           "2340",
                           "evening",
                           "23:40:10",
                           "11 o'clock"}) {
    CAPTURE(std::string(text));
    const auto read = answers::read_time(text);
    REQUIRE_FALSE(read);
    CHECK(read.error().hint.find("23:40 or 11pm") != std::string::npos);
  }
}

TEST_CASE("instants need a date, a time and an offset from UTC")
{
  constexpr std::string_view at = "/response/first_contact_at";
  const std::pair<const char*, const char*> cases[] = {
    {"2025-03-15T08:10:00+03:00", "2025-03-15T08:10:00+03:00"},
    {"2025-03-15t08:10:00.250+03:00", "2025-03-15T08:10:00.250+03:00"},
    {"2025-03-15T08:10Z", "2025-03-15T08:10:00Z"},
    {"2025-03-15T10:30:00+03:00", "2025-03-15T10:30:00+03:00"},
    {"2025-03-15 08:10 +03:00", "2025-03-15T08:10:00+03:00"},
    {"2025-03-15 08:10+03:00", "2025-03-15T08:10:00+03:00"},
    {"2025-03-15 08:10 +0300", "2025-03-15T08:10:00+03:00"},
    {"2025-03-15 08:10 +3", "2025-03-15T08:10:00+03:00"},
    {"2025-03-15 20:10 -05:30", "2025-03-15T20:10:00-05:30"},
    {"15 Mar 2025 8:10am +03:00", "2025-03-15T08:10:00+03:00"},
    {"15 March 2025, 8:10 am, +03:00", "2025-03-15T08:10:00+03:00"},
    {"Mar 15 2025 8pm GMT+3", "2025-03-15T20:00:00+03:00"},
    {"2025-03-15 08:10 UTC", "2025-03-15T08:10:00Z"},
    {"2025-03-15 08:10 z", "2025-03-15T08:10:00Z"},
    {"2025-03-15 08:10 UTC+03:00", "2025-03-15T08:10:00+03:00"},
  };
  for (const auto& [text, want] : cases) {
    CAPTURE(std::string(text));
    CHECK(only(answers::read_instant(text), at) == want);
  }
  const auto both = answers::read_instant("03/11/2025 08:10 +03:00");
  REQUIRE(both);
  CHECK(all(both, at)
        == std::vector<std::string>{"2025-11-03T08:10:00+03:00",
                                    "2025-03-11T08:10:00+03:00"});
}

TEST_CASE("an instant without an offset is refused, suggesting this computer's")
{
  Context context;
  context.local_offset = std::chrono::minutes(180);
  const auto read = answers::read_instant("2025-03-15 08:10", context);
  REQUIRE_FALSE(read);
  CHECK(read.error().message.find("offset from UTC is missing")
        != std::string::npos);
  CHECK(read.error().hint.find("+03:00") != std::string::npos);
  for (const char* text : {"2025-03-15",
                           "08:10 +03:00",
                           "2025-03 08:10 +03:00",
                           "2025-03-15 08:10 +25:00",
                           "2025-03-15 25:10 +03:00",
                           "2025-03-15T08:10:61+03:00",
                           "soon"}) {
    CAPTURE(std::string(text));
    CHECK_FALSE(answers::read_instant(text));
  }
}

TEST_CASE("a district by its code, its name or part of it, in any case")
{
  Context context;
  context.places = &example_places();
  constexpr std::string_view at = "/incident/district";
  for (const char* text :
       {"harbour", "Harbour", "HARBOUR", " harbour ", "Harb"}) {
    CAPTURE(std::string(text));
    CHECK(only(answers::read_district(text, context), at) == "harbour");
  }
  CHECK(only(answers::read_district("Lighthouse Point", context), at)
        == "lighthouse");
  CHECK(only(answers::read_district("light", context), at) == "lighthouse");
  CHECK(only(answers::read_district("central_market", context), at)
        == "central_market");
  const auto gates = answers::read_district("gate", context);
  REQUIRE(gates);
  CHECK(gates->ambiguous());
  auto codes = all(gates, at);
  std::sort(codes.begin(), codes.end());
  CHECK(codes == std::vector<std::string>{"eastgate", "north_gate"});
  CHECK(gates->readings[0].words.find('(') != std::string::npos);
  CHECK_FALSE(answers::read_district("atlantis", context));
  CHECK_FALSE(answers::read_district("", context));
}

TEST_CASE("without a places list, a district is any code of the form's shape")
{
  CHECK(only(answers::read_district("Old_Town"), "/incident/district")
        == "old_town");
  CHECK_FALSE(answers::read_district("old town"));
  CHECK_FALSE(answers::read_district("9lives"));
}

TEST_CASE("a language by its tag or its name gives a BCP 47 tag")
{
  constexpr std::string_view at = "/narrative/language";
  const std::pair<const char*, const char*> cases[] = {
    {"sw", "sw"},
    {"SW", "sw"},
    {"en-GB", "en-GB"},
    {"en_gb", "en-GB"},
    {"zh-hans-cn", "zh-Hans-CN"},
    {"Swahili", "sw"},
    {"swahili", "sw"},
    {"Kiswahili", "sw"},
    {"English", "en"},
    {"español", "es"},
    {"Russian", "ru"},
    {"русский", "ru"},
    {"fil", "fil"},
  };
  for (const auto& [text, want] : cases) {
    CAPTURE(std::string(text));
    CHECK(only(answers::read_language(text), at) == want);
  }
  const auto words = answers::read_language("sw");
  REQUIRE(words);
  CHECK(words->readings.front().words == "Swahili (sw)");
  for (const char* text : {"", "xx", "Elvish", "e", "en-", "english-ish"}) {
    CAPTURE(std::string(text));
    const auto read = answers::read_language(text);
    REQUIRE_FALSE(read);
    CHECK(read.error().code == Errc::invalid_input);
  }
}

TEST_CASE("yes and no, lists, short texts and free text")
{
  CHECK(answers::read_yes_no("Y")->readings[0].value == true);
  CHECK(answers::read_yes_no("no")->readings[0].value == false);
  CHECK_FALSE(answers::read_yes_no("maybe"));
  const auto* names = answers::find_question("/person/names");
  REQUIRE(names != nullptr);
  const auto list = answers::read(*names, " Ana ; Bea;; ", Context{});
  REQUIRE(list);
  CHECK(list->readings[0].value == json::Json::array({"Ana", "Bea"}));
  CHECK(answers::check_value(
    incident_schemas(), names->pointer, list->readings[0].value));
  CHECK_FALSE(answers::read(*names, std::string(257, 'x'), Context{}));
  CHECK_FALSE(answers::read(*names, " ; ", Context{}));
  const auto* place = answers::find_question("/incident/location");
  REQUIRE(place != nullptr);
  CHECK(answers::read(*place, std::string(256, 'x'), Context{}));
  CHECK_FALSE(answers::read(*place, std::string(257, 'x'), Context{}));
  CHECK_FALSE(answers::read(*place, "\xff", Context{}));
  CHECK_FALSE(answers::read(*names, "Ana; \xff", Context{}));
  const auto* reference = answers::find_question("/person/person_ref");
  REQUIRE(reference != nullptr);
  CHECK(
    only(answers::read(*reference, " P-77\f", Context{}), "/person/person_ref")
    == "P-77");
  CHECK_FALSE(answers::read(*reference, "P-77\nP-78", Context{}));
  const auto* account = answers::find_question("/narrative/text");
  REQUIRE(account != nullptr);
  const auto text = answers::read(*account, "line one\nline two", Context{});
  REQUIRE(text);
  CHECK(text->readings[0].value == "line one\nline two");
  CHECK_FALSE(answers::read(*account, std::string(65537, 'x'), Context{}));
}

TEST_CASE("choices: at least one when required, document_only alone")
{
  const auto* consent = answers::find_question("/consent/scopes");
  REQUIRE(consent != nullptr);
  CHECK_FALSE(answers::check_choices(*consent, {}));
  CHECK(answers::check_choices(*consent, {"document_only"}));
  CHECK(answers::check_choices(*consent, {"legal_action", "publish"}));
  const auto mixed =
    answers::check_choices(*consent, {"legal_action", "document_only"});
  REQUIRE_FALSE(mixed);
  CHECK(mixed.error().message.find("document_only") != std::string::npos);
  CHECK_FALSE(answers::check_choices(*consent, {"publish", "publish"}));
  const auto* actions = answers::find_question("/response/actions");
  REQUIRE(actions != nullptr);
  CHECK(answers::check_choices(*actions, {}));
}

TEST_CASE("every question is a field of the schema, asked once")
{
  std::set<std::string_view> seen;
  for (const auto& question : answers::questions()) {
    CAPTURE(question.pointer);
    CHECK(seen.insert(question.pointer).second);
    schema::Node node = incident_schemas().root();
    std::string_view rest = question.pointer.substr(1);
    while (!rest.empty()) {
      const auto slash = rest.find('/');
      node = node.property(rest.substr(0, slash));
      rest = slash == std::string_view::npos ? std::string_view()
                                             : rest.substr(slash + 1);
    }
    CHECK(node.described());
    if (question.kind == answers::Kind::choose_one
        || question.kind == answers::Kind::choose_many) {
      const auto vocabulary = answers::Vocabulary::load(question.vocabulary);
      REQUIRE(vocabulary);
      // Every code offered is one the schema accepts.
      for (const auto& term : vocabulary->terms()) {
        const json::Json value = question.kind == answers::Kind::choose_one
                                   ? json::Json(term.code)
                                   : json::Json::array({term.code});
        CHECK(
          answers::check_value(incident_schemas(), question.pointer, value));
      }
    }
    const std::string help = answers::help(question);
    CHECK_FALSE(help.empty());
  }
  CHECK(answers::find_question("/incident/nothing") == nullptr);
}

TEST_CASE("help comes from the schema's descriptions")
{
  const auto* date = answers::find_question("/incident/date");
  REQUIRE(date != nullptr);
  CHECK(answers::help(*date).find("as precisely as known")
        != std::string::npos);
  CHECK(answers::help(*date).find("3 Nov 2026") != std::string::npos);
  const auto* violence = answers::find_question("/incident/violence_types");
  REQUIRE(violence != nullptr);
  CHECK(answers::help(*violence).find("What was done to the person")
        != std::string::npos);
  const auto* plate = answers::find_question("/aggressor/vehicle/plate");
  REQUIRE(plate != nullptr);
  CHECK(answers::help(*plate).find("256 bytes") != std::string::npos);
}

TEST_CASE("check_value names a value the schema refuses")
{
  const auto bad = answers::check_value(
    incident_schemas(), "/incident/time", json::Json("25:00"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.starts_with("/incident/time"));
  CHECK(answers::check_value(
    incident_schemas(), "/incident/time", json::Json("23:40")));
}

TEST_CASE("the answers make a form that recording accepts")
{
  json::Json given = {
    {"/incident/date", "2025-03-14"},
    {"/incident/date_approximate", false},
    {"/incident/time", "23:40"},
    {"/incident/location", ""},
    {"/incident/district", "harbour"},
    {"/incident/setting", nullptr},
    {"/incident/violence_types", {"violence.physical.beating"}},
    {"/incident/perpetrators", {"perpetrator.state.police"}},
    {"/person/person_ref", "P-77"},
    {"/person/population", "transgender"},
    {"/person/names", json::Json::array()},
    {"/narrative/text", ""},
    {"/narrative/language", "en"},
    {"/aggressor/vehicle/plate", "XX 000 A"},
    {"/response/first_contact_at", "2025-03-15T08:10:00+03:00"},
    {"/response/actions", json::Json::array()},
    {"/consent/scopes", {"legal_action"}},
  };
  const json::Json form = answers::form_of(given);
  CHECK(form["form_version"] == 1);
  CHECK_FALSE(form["incident"].contains("location"));
  CHECK_FALSE(form["incident"].contains("setting"));
  CHECK_FALSE(form["person"].contains("names"));
  CHECK(form["narrative"]["text"] == "");
  CHECK(form["aggressor"]["vehicle"]["plate"] == "XX 000 A");
  CHECK_FALSE(form["response"].contains("actions"));
  auto forms = form::load_forms_text(
    form.dump(), "(test)", form::Format::json, incident_schemas());
  REQUIRE_MESSAGE(forms, (forms ? "" : forms.error().message));
  auto changes =
    records::prepare(*forms, incident_schemas(), &example_places());
  CHECK_MESSAGE(changes, (changes ? "" : changes.error().message));
}

TEST_CASE("a long vocabulary is offered by groups that fit a screen")
{
  const auto violence = answers::Vocabulary::load("violence_type");
  REQUIRE(violence);
  const auto top = violence->top(16);
  CHECK(top.size() <= 16);
  std::size_t covered = 0;
  for (const auto& entry : top) {
    covered += entry.count;
    if (!entry.term) {
      CHECK(entry.count >= 2);
      CHECK(violence->group(entry.group).size() == entry.count);
      CHECK(violence->group(entry.group).size() <= 16);
    }
  }
  CHECK(covered == violence->terms().size());
  CHECK(top.front().label == "Physical");
  CHECK(top.front().group == "violence.physical");
  // A group of one term is that term.
  const auto perpetrators = answers::Vocabulary::load("perpetrator");
  REQUIRE(perpetrators);
  const auto who = perpetrators->top(16);
  CHECK(who.size() <= 16);
  CHECK(std::any_of(who.begin(), who.end(), [&](const auto& entry) {
    return entry.term
           && perpetrators->term(*entry.term).code
                == "perpetrator.intimate.partner";
  }));
  // A short one is offered whole.
  const auto settings = answers::Vocabulary::load("setting");
  REQUIRE(settings);
  CHECK(settings->top(16).size() == settings->terms().size());
  CHECK_FALSE(answers::Vocabulary::load("nothing"));
}

TEST_CASE("typing part of a label finds terms; an exact label finds one")
{
  const auto violence = answers::Vocabulary::load("violence_type");
  REQUIRE(violence);
  const auto rape = violence->search("rape");
  REQUIRE(rape.size() == 1);
  CHECK(violence->term(*rape.front().term).code == "violence.sexual.rape");
  CHECK(violence->search("RAP").size() >= 3);
  CHECK(violence->search("violence.economic.robbery").size() == 1);
  CHECK(violence->search("zzz").empty());
  CHECK(violence->search("  ").empty());
  CHECK(violence->find("violence.other").has_value());
  CHECK_FALSE(violence->find("violence").has_value());
}

TEST_CASE("districts are grouped by region when they are many")
{
  const auto districts = answers::Vocabulary::of_places(example_places());
  CHECK(districts.top(16).size() == 12);
  const auto regions = districts.top(5);
  CHECK(regions.size() == 4);
  for (const auto& entry : regions) {
    CHECK_FALSE(entry.term);
    CHECK(entry.count == 3);
  }
  CHECK(districts.group_label("waterfront") == "Waterfront");
}

TEST_CASE("a segment of a code in words")
{
  CHECK(answers::humanise("denial_of_care") == "Denial of care");
  CHECK(answers::humanise("") == "");
}
