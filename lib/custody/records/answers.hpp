// Answers typed at the interactive intake (`custody record` on a terminal):
// the questions of the incident form in the order they are asked, each answer
// read into the value the form holds or refused with what is wrong and an
// example, and the form built from the answers. Reading is strict where a
// guess could record the wrong thing: an answer with two plausible readings
// (03/11/2026, 10:30) gives both, for the person to choose; it is never
// guessed. Every value read passes the schema's own check of its field
// (check_value), so an answer accepted here is never refused when the form is
// recorded.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/records/records.hpp>
#include <custody/schema/schema.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace custody::answers {

// What a question's answer is.
enum class Kind {
  date,        // the incident date: YYYY, YYYY-MM or YYYY-MM-DD
  yes_no,      // a boolean, "no" when left empty
  time,        // HH:MM, local time
  instant,     // RFC 3339 with an offset from UTC
  district,    // a district code of the places list
  reference,   // an organisation's reference: one line, no outer space
  short_text,  // at most 256 bytes
  short_list,  // items separated by ';', each a short text
  line_text,   // free text typed on one line
  free_text,   // free text over several lines
  language,    // a BCP 47 tag whose language is known
  choose_one,  // one code of a vocabulary
  choose_many, // codes of a vocabulary
};

enum class Need { optional, required };

struct Question
{
  std::string_view pointer; // where the answer goes in the form (RFC 6901)
  Kind kind;
  Need need;
  std::string_view vocabulary; // schemas/vocab/<name>.json, for choose_*
  std::string_view prompt;     // the question, in a few words
};

// Every question of the form, in the order they are asked.
std::span<const Question> questions();
// The question of `pointer`, or nullptr.
const Question* find_question(std::string_view pointer);

// One way to read an answer: the value the form holds, and the same in words
// ("3 November 2026") for the person to recognise.
struct Reading
{
  json::Json value;
  std::string words;
};

// An answer read. Several readings when it is ambiguous: the person chooses,
// custody never does. Never empty.
struct Read
{
  std::vector<Reading> readings;

  bool
  ambiguous() const
  {
    return readings.size() > 1;
  }
};

// What reading an answer may depend on besides its text.
struct Context
{
  // The organisation's districts; without them a district is any code of the
  // form's shape.
  const records::Places* places = nullptr;
  // Dates after this day (plus one, for time zones) are refused as mistakes.
  std::optional<std::chrono::sys_days> today;
  // This computer's offset from UTC, suggested when an instant lacks one.
  std::optional<std::chrono::minutes> local_offset;
};

// Each reader trims the answer, and refuses an empty one with
// Errc::invalid_input (an empty answer to an optional question is the caller's:
// it skips it). Refusals are Errc::invalid_input whose message says what is
// wrong and whose hint gives an example; neither repeats the answer.

// Dates: 2026-11-03, 2026-11, 2026, 3 Nov 2026, 3 November 2026, Nov 3 2026,
// November 2026, 2026/11/03, 13/11/2026; 03/11/2026 reads both ways.
[[nodiscard]] Result<Read> read_date(std::string_view text,
                                     const Context& context = {});
// Times: 23:40, 23.40, 11pm, 11 pm, 11:30 pm, 11.30 p.m., noon, midnight,
// 07:30; a bare hour or an hour from 1 to 11 without a leading zero or am/pm
// (10:30) reads both as morning and evening.
[[nodiscard]] Result<Read> read_time(std::string_view text);
// A date and a time with an offset: 2026-11-03T08:10:00+03:00, 2026-11-03
// 08:10 +03:00, 3 Nov 2026 8:10am +0300, ... UTC, ... Z.
[[nodiscard]] Result<Read> read_instant(std::string_view text,
                                        const Context& context = {});
// A district by its code or name, any case, or by part of its name when only
// one district has it; several districts sharing the part are the readings.
[[nodiscard]] Result<Read> read_district(std::string_view text,
                                         const Context& context = {});
// A language by its tag (sw, en-GB, en_gb) or its English or own name
// (Swahili, Kiswahili), as a BCP 47 tag.
[[nodiscard]] Result<Read> read_language(std::string_view text);
// y, yes, n, no (any case).
[[nodiscard]] Result<Read> read_yes_no(std::string_view text);

// Reads an answer to `question` of one of the typed kinds (not choose_*, whose
// answers are picked from a Vocabulary). short_list splits on ';'; line_text
// and free_text keep the text as typed.
[[nodiscard]] Result<Read>
read(const Question& question, std::string_view text, const Context& context);

// Checks `value` for the field at `pointer` against the form's schema, as
// recording the form will: Errc::invalid_input naming the field and the rule.
[[nodiscard]] Result<void> check_value(const schema::SchemaSet& schemas,
                                       std::string_view pointer,
                                       const json::Json& value);

// Checks the codes chosen for a choose_* question: at least one when it is
// required, and what the schema cannot say (document_only consent alone).
[[nodiscard]] Result<void> check_choices(const Question& question,
                                         const std::vector<std::string>& codes);

// The form built from `answers` ({pointer: value}; null, "" and [] are
// skipped answers, left out unless the field is required), for the usual
// checks of a form.
json::Json form_of(const json::Json& answers);

// What a question is for, from the schema's descriptions (the field's, and its
// vocabulary's), followed by how to answer it, for `?`.
std::string help(const Question& question);

// A vocabulary as a list to choose from: its terms (deprecated ones left out)
// in the file's order, and their groups. A code's group is the code without its
// last segment ("violence.physical" of "violence.physical.beating"); a group
// of one term is no group.
class Vocabulary
{
public:
  struct Term
  {
    std::string code;
    std::string label;
    std::string definition;
    std::string group; // "" for a term of no group
  };
  struct Group
  {
    std::string key;
    std::string label;
  };
  // One line of a list: a group (its key and label) or a term (its index).
  struct Entry
  {
    std::optional<std::size_t> term;
    std::string group;
    std::string label;
    std::size_t count = 1; // terms in the group
  };

  // schemas/vocab/<name>.json as built in.
  [[nodiscard]] static Result<Vocabulary> load(std::string_view name);
  // The districts of a places list, grouped by region.
  static Vocabulary of_places(const records::Places& places);

  const std::vector<Term>&
  terms() const
  {
    return m_terms;
  }
  const std::string&
  description() const
  {
    return m_description;
  }
  // The list to show first: every term when there are at most `page`, else
  // the groups and the terms of no group, in the order their first term
  // comes.
  std::vector<Entry> top(std::size_t page) const;
  // The terms of group `key`.
  std::vector<Entry> group(std::string_view key) const;
  // The terms `text` names: those whose code or label equals it (any case),
  // else those whose label or code contains it (any case).
  std::vector<Entry> search(std::string_view text) const;
  // The index of the term with code `code`.
  std::optional<std::size_t> find(std::string_view code) const;
  const Term&
  term(std::size_t index) const
  {
    return m_terms[index];
  }
  // A group's label, or its key when it has none.
  std::string group_label(std::string_view key) const;

private:
  std::vector<Term> m_terms;
  std::vector<Group> m_groups;
  std::string m_description;
};

// "Denial of care" for "denial_of_care".
std::string humanise(std::string_view segment);

} // namespace custody::answers
