// Answers typed at the interactive intake (records/answers.hpp): text a
// person types, read for every kind of question. Every reading must be a value
// the form's schema accepts at that question's field (an answer accepted at
// the terminal is never refused when the form is recorded), and reading a
// value back must give that value among its readings.
#include "fuzz.hpp"

#include <custody/records/answers.hpp>
#include <custody/records/drafts.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace custody;

const schema::SchemaSet&
schemas()
{
  static const auto loaded =
    schema::SchemaSet::from_embedded("incident.schema.json");
  if (!loaded) {
    std::abort();
  }
  return *loaded;
}

const records::Places&
places()
{
  static const auto parsed = records::Places::parse(R"(
regions:
  - {code: waterfront, name: Waterfront}
  - {code: old_town, name: Old Town}
districts:
  - {code: harbour, name: Harbour, region: waterfront}
  - {code: lighthouse, name: Lighthouse Point, region: waterfront}
  - {code: central_market, name: Central Market, region: old_town}
  - {code: north_gate, name: North Gate, region: old_town}
)");
  if (!parsed) {
    std::abort();
  }
  return *parsed;
}

void
check(const answers::Question& question,
      std::string_view text,
      const answers::Context& context)
{
  const auto read = answers::read(question, text, context);
  if (!read) {
    if (read.error().code != Errc::invalid_input) {
      std::abort();
    }
    return;
  }
  if (read->readings.empty() || read->readings.size() > 4) {
    std::abort();
  }
  for (const auto& reading : read->readings) {
    if (auto checked =
          answers::check_value(schemas(), question.pointer, reading.value);
        !checked) {
      std::fprintf(stderr, "%s\n", checked.error().message.c_str());
      std::abort();
    }
    if (!reading.value.is_string() || question.kind == answers::Kind::line_text
        || question.kind == answers::Kind::free_text) {
      continue;
    }
    // The value read back is among its own readings.
    const auto again =
      answers::read(question, reading.value.get<std::string>(), context);
    if (!again) {
      std::abort();
    }
    bool found = false;
    for (const auto& other : again->readings) {
      found = found || other.value == reading.value;
    }
    if (!found) {
      std::abort();
    }
  }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const auto text = fuzz::text(data, size);
  answers::Context context;
  context.places = &places();
  context.today = std::chrono::sys_days(std::chrono::year(2026) / 11 / 23);
  context.local_offset = std::chrono::minutes(180);
  for (const auto& question : answers::questions()) {
    if (question.kind == answers::Kind::choose_one
        || question.kind == answers::Kind::choose_many) {
      continue;
    }
    check(question, text, context);
  }
  const auto* district = answers::find_question("/incident/district");
  check(*district, text, answers::Context{});
  static const auto violence = answers::Vocabulary::load("violence_type");
  for (const auto& entry : violence->search(text)) {
    if (!entry.term || *entry.term >= violence->terms().size()) {
      std::abort();
    }
  }
  (void)drafts::parse_lifetime(text);
  return 0;
}
