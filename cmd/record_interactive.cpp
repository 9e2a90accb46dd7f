// Interactive `custody record`: asks for the form question by question with
// line editing (libedit), checks every answer as it is typed
// (records/answers.hpp), offers the vocabularies in lists that fit an 80x24
// terminal, shows a summary before the final question, and keeps what was
// typed in an encrypted draft when the member stops (records/drafts.hpp).
#include "record_interactive.hpp"

#include "line_editor.hpp"

#include <custody/base/utf8.hpp>
#include <custody/records/answers.hpp>
#include <custody/records/drafts.hpp>
#include <custody/records/form.hpp>

#include <fmt/core.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>
#include <optional>
#include <sstream>

namespace custody::cli {

namespace {

using answers::Kind;
using answers::Need;
using answers::Question;
using Clock = std::chrono::system_clock;

// What fits on the screen the issue names: 80 columns, 24 lines. A list shows
// at most this many entries, leaving lines for the question, the choices made
// so far, a hint and the prompt.
constexpr std::size_t k_columns = 80;
constexpr std::size_t k_page = 16;

// `text` cut to `width` code points, with an ellipsis when cut.
std::string
fit(std::string_view text, std::size_t width)
{
  if (utf8::count_code_points(text) <= width) {
    return std::string(text);
  }
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      if (points + 1 == width) {
        return std::string(text.substr(0, i)) + "…";
      }
      ++points;
    }
  }
  return std::string(text);
}

// `text` wrapped at word boundaries to lines of at most `width`, each
// starting with `indent`.
std::string
wrap(std::string_view text, std::size_t width, std::string_view indent = "")
{
  std::string out;
  std::istringstream paragraphs{std::string(text)};
  std::string paragraph;
  while (std::getline(paragraphs, paragraph)) {
    std::istringstream words(paragraph);
    std::string word;
    std::string line(indent);
    std::size_t length = indent.size();
    while (words >> word) {
      const std::size_t size = utf8::count_code_points(word);
      if (length > indent.size() && length + 1 + size > width) {
        out += line + "\n";
        line = std::string(indent);
        length = indent.size();
      }
      if (length > indent.size()) {
        line += ' ';
        ++length;
      }
      line += word;
      length += size;
    }
    out += line + "\n";
  }
  return out;
}

// Never throws: a terminal that hung up must not stop the answers from
// being kept.
void
say(std::string_view text)
{
  (void)std::fwrite(text.data(), 1, text.size(), stderr);
}

// After the terminal hung up, whatever is still said goes nowhere rather
// than failing (fmt throws on a failed write).
void
silence_standard_error()
{
  const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null >= 0) {
    (void)std::fflush(stderr);
    (void)::dup2(null, STDERR_FILENO);
    ::close(null);
    std::clearerr(stderr);
  }
}

// A refusal: what is wrong and the example, wrapped.
void
refuse(const Error& error)
{
  std::string text = error.message;
  if (!error.hint.empty()) {
    text += ": " + error.hint;
  }
  say(wrap(printable(text), k_columns - 2, "  "));
}

std::string
local_time_text(Clock::time_point time)
{
  const std::time_t seconds = Clock::to_time_t(time);
  std::tm local{};
  localtime_r(&seconds, &local);
  std::array<char, 32> buffer{};
  const std::size_t n =
    std::strftime(buffer.data(), buffer.size(), "%Y-%m-%d %H:%M", &local);
  return std::string(buffer.data(), n);
}

std::chrono::minutes
local_offset()
{
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return std::chrono::duration_cast<std::chrono::minutes>(
    std::chrono::seconds(local.tm_gmtoff));
}

bool
is_empty_answer(const json::Json& value)
{
  return value.is_null()
         || (value.is_string() && value.get_ref<const std::string&>().empty())
         || (value.is_array() && value.empty());
}

// One question's outcome.
struct Step
{
  enum class Kind { answered, back, stop };
  Kind kind = Kind::answered;
  json::Json value; // null for a skipped question
  Stop why = Stop::none;

  static Step
  answered(json::Json answer)
  {
    return Step{Kind::answered, std::move(answer), Stop::none};
  }
  // Back to the previous question, keeping what was given of this one.
  static Step
  back(json::Json given = nullptr)
  {
    return Step{Kind::back, std::move(given), Stop::none};
  }
  static Step
  stop(Stop reason)
  {
    return Step{Kind::stop, {}, reason};
  }
};

} // namespace

struct Intake::State
{
  State(Session& session_in,
        const schema::SchemaSet& schemas_in,
        const records::Places* places_in,
        IntakeOptions options_in)
    : schemas(schemas_in),
      places(places_in),
      options(std::move(options_in)),
      owner(drafts::owner_of(session_in.vault))
  {
    lifetime = drafts::parse_lifetime(options.draft_lifetime)
                 .value_or(drafts::k_default_lifetime);
    context.places = places;
    context.today = std::chrono::floor<std::chrono::days>(Clock::now()); // UTC
    context.local_offset = local_offset();
    draft.id = drafts::new_id();
  }

  const schema::SchemaSet& schemas;
  const records::Places* places;
  IntakeOptions options;
  drafts::Owner owner;
  std::chrono::seconds lifetime{};
  answers::Context context;
  drafts::Draft draft; // its answers are the answers so far
  bool draft_on_disk = false;
  std::size_t index = 0; // the question being asked
  // What was given of the question being asked when a stop came (the lines
  // of a text, the choices of a list), kept with the draft.
  std::optional<std::pair<std::string, json::Json>> partial;
  std::map<std::string, answers::Vocabulary, std::less<>> vocabularies;
  LineEditor editor;

  const json::Json*
  answer_of(std::string_view pointer) const
  {
    const auto it = draft.answers.find(std::string(pointer));
    return it == draft.answers.end() ? nullptr : &*it;
  }

  Result<const answers::Vocabulary*>
  vocabulary(const Question& question)
  {
    const std::string_view name =
      question.kind == Kind::district ? "districts" : question.vocabulary;
    if (auto it = vocabularies.find(name); it != vocabularies.end()) {
      return &it->second;
    }
    if (question.kind == Kind::district) {
      return &vocabularies
                .emplace(std::string(name),
                         answers::Vocabulary::of_places(*places))
                .first->second;
    }
    CUSTODY_ASSIGN(loaded, answers::Vocabulary::load(name));
    return &vocabularies.emplace(std::string(name), std::move(loaded))
              .first->second;
  }

  std::string
  label_of(const Question& question, const std::string& code)
  {
    auto words = vocabulary(question);
    if (!words) {
      return code;
    }
    if (const auto index_of = (*words)->find(code)) {
      return (*words)->term(*index_of).label;
    }
    return code;
  }

  // ---------------------------------------------------------------------
  // Asking.

  std::string
  heading(const Question& question) const
  {
    const bool optional =
      question.need == Need::optional && question.kind != Kind::yes_no;
    const bool many = question.kind == Kind::choose_many;
    return fmt::format("[{}/{}] {}{}",
                       index + 1,
                       answers::questions().size(),
                       question.prompt,
                       optional && many ? " (optional; one or more)"
                       : optional       ? " (optional)"
                       : many           ? " (one or more)"
                                        : "");
  }

  static void
  show_help(const Question& question)
  {
    std::string text = answers::help(question);
    text += "< goes back to the previous question; Ctrl-C stops, offering "
            "to keep a draft.";
    if (question.need == Need::optional && question.kind != Kind::yes_no) {
      text += " An empty answer skips this question.";
    }
    say(wrap(text, k_columns - 2, "  "));
  }

  // Picks one of the readings of an ambiguous answer; nullopt to ask the
  // question again.
  std::optional<json::Json>
  choose_reading(const answers::Read& read, Stop& stop)
  {
    say("  That could be:\n");
    for (std::size_t i = 0; i < read.readings.size(); ++i) {
      say(
        fmt::format("    {}) {}\n", i + 1, printable(read.readings[i].words)));
    }
    while (true) {
      auto line = editor.read(fmt::format(
        "  Which one? [1-{}, or type it again] ", read.readings.size()));
      if (!line) {
        stop = editor.stop();
        return std::nullopt;
      }
      const std::string answer(line->begin(), line->end());
      if (answer.empty() || answer == "<") {
        return std::nullopt;
      }
      std::size_t number = 0;
      std::vector<std::size_t> numbers;
      if (parse_numbers(answer, numbers) && numbers.size() == 1) {
        number = numbers.front();
      }
      if (number >= 1 && number <= read.readings.size()) {
        return read.readings[number - 1].value;
      }
      say(fmt::format("  Type a number from 1 to {}.\n", read.readings.size()));
    }
  }

  // A question answered by typing.
  Step
  ask_typed(const Question& question)
  {
    const json::Json* before = answer_of(question.pointer);
    const bool has_before = before != nullptr && !before->is_null();
    std::string current;
    if (has_before) {
      current = before->is_boolean() ? (before->get<bool>() ? "y" : "n")
                : before->is_array() ? summary_list(*before)
                                     : before->get<std::string>();
    }
    std::string prompt = heading(question);
    if (has_before) {
      prompt += fmt::format(" [{}]", fit(printable(current), 24));
    }
    // A long question goes on its own line, so that the answer has room
    // on 80 columns; it is shown again each time it is asked again.
    std::string own_line;
    if (utf8::count_code_points(prompt) > 56) {
      own_line = prompt + "\n";
      prompt = "> ";
    } else {
      prompt += ": ";
    }
    while (true) {
      say(own_line);
      auto line = editor.read(prompt);
      if (!line) {
        return Step::stop(editor.stop());
      }
      const std::string text(line->begin(), line->end());
      std::string_view trimmed = text;
      trimmed.remove_prefix(
        std::min(trimmed.size(), trimmed.find_first_not_of(" \t")));
      while (!trimmed.empty()
             && (trimmed.back() == ' ' || trimmed.back() == '\t')) {
        trimmed.remove_suffix(1);
      }
      if (trimmed == "<") {
        return Step::back();
      }
      if (trimmed == "?") {
        show_help(question);
        continue;
      }
      if (trimmed.empty()) {
        if (has_before) {
          return Step::answered(*before);
        }
        if (question.kind == Kind::yes_no) {
          return Step::answered(false);
        }
        if (question.need == Need::optional) {
          return Step::answered(nullptr);
        }
        say("  This question needs an answer (? explains it).\n");
        continue;
      }
      if (trimmed == "-" && question.need == Need::optional) {
        return Step::answered(nullptr);
      }
      const auto read = answers::read(question, text, context);
      if (!read) {
        refuse(read.error());
        continue;
      }
      json::Json value = read->readings.front().value;
      if (read->ambiguous()) {
        Stop stop = Stop::none;
        auto chosen = choose_reading(*read, stop);
        if (stop != Stop::none) {
          return Step::stop(stop);
        }
        if (!chosen) {
          continue;
        }
        value = std::move(*chosen);
      } else if (value.is_string() && value.get<std::string>() != trimmed
                 && question.kind != Kind::reference
                 && question.kind != Kind::short_text) {
        say(fmt::format("  = {}\n", printable(read->readings.front().words)));
      }
      if (auto checked = answers::check_value(schemas, question.pointer, value);
          !checked) {
        refuse(checked.error());
        continue;
      }
      return Step::answered(std::move(value));
    }
  }

  // Free text over several lines, ended by a line holding only ".".
  Step
  ask_text(const Question& question)
  {
    const json::Json* before = answer_of(question.pointer);
    const bool has_before = before != nullptr && before->is_string()
                            && !before->get<std::string>().empty();
    say(heading(question) + "\n");
    std::string text;
    if (has_before) {
      text = before->get<std::string>();
      std::istringstream lines(text);
      std::size_t count = 0;
      for (std::string each; std::getline(lines, each); ++count) {
        if (count < 4) {
          say("  | " + fit(printable(each), k_columns - 6) + "\n");
        }
      }
      if (count > 4) {
        say(fmt::format("  | … ({} lines in all)\n", count));
      }
      say("  Enter keeps this text, + adds lines after it, - clears it, or "
          "type it anew.\n");
    }
    say("  End with a line holding only \".\"; < goes back, ? explains.\n");
    bool first = true;
    bool adding = false;
    std::string typed;
    while (true) {
      auto line = editor.read(first ? "> " : "| ");
      if (!line) {
        // What was typed of the text so far goes into the draft with the rest.
        std::string kept = adding ? text : std::string();
        if (!typed.empty()) {
          kept += (kept.empty() ? "" : "\n") + typed;
        }
        if (!kept.empty()) {
          partial = std::pair{std::string(question.pointer), json::Json(kept)};
        }
        return Step::stop(editor.stop());
      }
      const std::string& entered = *line;
      if (first) {
        first = false;
        if (entered == "<") {
          return Step::back();
        }
        if (entered == "?") {
          show_help(question);
          first = true;
          continue;
        }
        if (has_before && entered.empty()) {
          return Step::answered(text);
        }
        if (has_before && entered == "-") {
          return Step::answered(question.need == Need::optional
                                  ? json::Json(nullptr)
                                  : json::Json(""));
        }
        if (has_before && entered == "+") {
          adding = true;
          continue;
        }
      }
      if (entered == ".") {
        std::string result = adding ? text : std::string();
        if (!typed.empty()) {
          result += (result.empty() ? "" : "\n") + typed;
        }
        const auto read = answers::read(question, result, context);
        if (!read) {
          refuse(read.error());
          typed.clear();
          first = true;
          continue;
        }
        if (result.empty() && question.need == Need::optional) {
          return Step::answered(nullptr);
        }
        return Step::answered(read->readings.front().value);
      }
      typed += (typed.empty() ? "" : "\n") + entered;
    }
  }

  // A vocabulary (or the places list's districts), offered as a list: its
  // groups first when it is long, the terms of a group when one is picked, and
  // the terms matching what is typed.
  Step
  ask_choice(const Question& question)
  {
    const auto loaded = vocabulary(question);
    if (!loaded) {
      refuse(loaded.error());
      return Step::stop(Stop::end_of_input);
    }
    const answers::Vocabulary* words = *loaded;
    const bool many = question.kind == Kind::choose_many;
    std::vector<std::string> chosen;
    if (const json::Json* before = answer_of(question.pointer);
        before != nullptr) {
      if (before->is_array()) {
        for (const auto& code : *before) {
          chosen.push_back(code.get<std::string>());
        }
      } else if (before->is_string()) {
        chosen.push_back(before->get<std::string>());
      }
    }
    const auto top = words->top(k_page);
    std::vector<answers::Vocabulary::Entry> listing = top;
    std::string scope; // what the listing shows, when not the top
    say(heading(question) + "\n");
    bool show = true;
    while (true) {
      if (show) {
        show_listing(*words, listing, scope);
        show = false;
      }
      if (!chosen.empty()) {
        std::string names;
        for (const auto& code : chosen) {
          names += (names.empty() ? "" : "; ") + label_of(question, code);
        }
        say(fit("  Chosen: " + printable(names), k_columns) + "\n");
      }
      std::string prompt;
      if (!scope.empty()) {
        prompt = many ? "Numbers (Enter: back to the whole list): "
                      : "Number (Enter: back to the whole list): ";
      } else if (many) {
        prompt = chosen.empty() ? "Numbers, or part of a label: "
                                : "More, or Enter when done: ";
      } else {
        prompt = chosen.empty() ? "Number, or part of a label: "
                                : "Number, or Enter to keep it: ";
      }
      auto line = editor.read(prompt);
      if (!line) {
        if (!chosen.empty()) {
          partial =
            std::pair{std::string(question.pointer),
                      many ? json::Json(chosen) : json::Json(chosen.front())};
        }
        return Step::stop(editor.stop());
      }
      std::string answer = *line;
      answer.erase(0, answer.find_first_not_of(" \t"));
      answer.erase(answer.find_last_not_of(" \t") + 1);
      if (answer == "<") {
        if (chosen.empty()) {
          return Step::back();
        }
        return Step::back(many ? json::Json(chosen)
                               : json::Json(chosen.front()));
      }
      if (answer == "?") {
        show_help(question);
        if (question.kind == Kind::district) {
          say(wrap(words->description(), k_columns - 2, "  "));
        }
        say("  ?N explains entry N of the list; - starts the choice again.\n");
        continue;
      }
      if (answer.size() > 1 && answer[0] == '?') {
        explain(*words, listing, answer.substr(1));
        continue;
      }
      if (answer == "-") {
        chosen.clear();
        continue;
      }
      if (answer.empty()) {
        if (!scope.empty()) {
          listing = top;
          scope.clear();
          show = true;
          continue;
        }
        if (auto checked = answers::check_choices(question, chosen); !checked) {
          refuse(checked.error());
          continue;
        }
        if (chosen.empty()) {
          return Step::answered(nullptr);
        }
        return Step::answered(many ? json::Json(chosen)
                                   : json::Json(chosen.front()));
      }
      std::vector<std::size_t> numbers;
      if (parse_numbers(answer, numbers)) {
        std::vector<std::size_t> terms;
        std::optional<std::string> group;
        bool bad = false;
        for (const std::size_t number : numbers) {
          if (number < 1 || number > listing.size()) {
            say(fmt::format("  Type numbers from 1 to {}.\n", listing.size()));
            bad = true;
            break;
          }
          const auto& entry = listing[number - 1];
          if (entry.term) {
            terms.push_back(*entry.term);
          } else {
            group = entry.group;
          }
        }
        if (bad) {
          continue;
        }
        if (group) {
          if (numbers.size() > 1) {
            say("  Open one group at a time: type its number alone.\n");
            continue;
          }
          listing = words->group(*group);
          scope = words->group_label(*group);
          show = true;
          continue;
        }
        if (!many && terms.size() > 1) {
          say("  Choose one.\n");
          continue;
        }
        if (!many) {
          return Step::answered(words->term(terms.front()).code);
        }
        for (const std::size_t term : terms) {
          const auto& code = words->term(term).code;
          if (std::find(chosen.begin(), chosen.end(), code) == chosen.end()) {
            chosen.push_back(code);
          }
        }
        if (auto checked = answers::check_choices(question, chosen); !checked) {
          refuse(checked.error());
          chosen.resize(chosen.size() - terms.size());
          continue;
        }
        if (!scope.empty()) {
          listing = top;
          scope.clear();
          show = true;
        }
        continue;
      }
      const auto found = words->search(answer);
      if (found.empty()) {
        say("  Nothing in the list matches that; ? explains, or type a "
            "number.\n");
        continue;
      }
      if (found.size() == 1) {
        const auto& term = words->term(*found.front().term);
        say(fmt::format("  = {}\n", printable(term.label)));
        if (!many) {
          return Step::answered(term.code);
        }
        if (std::find(chosen.begin(), chosen.end(), term.code)
            == chosen.end()) {
          chosen.push_back(term.code);
          if (auto checked = answers::check_choices(question, chosen);
              !checked) {
            refuse(checked.error());
            chosen.pop_back();
          }
        }
        continue;
      }
      listing = found;
      scope = "matching what you typed";
      show = true;
    }
  }

  static bool
  parse_numbers(const std::string& answer, std::vector<std::size_t>& numbers)
  {
    std::istringstream words(answer);
    std::string word;
    while (words >> word) {
      if (word.size() > 4 || !std::all_of(word.begin(), word.end(), [](char c) {
            return c >= '0' && c <= '9';
          })) {
        return false;
      }
      numbers.push_back(std::stoul(word));
    }
    return !numbers.empty();
  }

  static void
  show_listing(const answers::Vocabulary& words,
               const std::vector<answers::Vocabulary::Entry>& listing,
               const std::string& scope)
  {
    if (!scope.empty()) {
      say(fit(fmt::format("  {}:", printable(scope)), k_columns) + "\n");
    }
    const std::size_t shown = std::min(listing.size(), k_page);
    for (std::size_t i = 0; i < shown; ++i) {
      const auto& entry = listing[i];
      std::string line = fmt::format("  {:>2}) {}", i + 1, entry.label);
      if (!entry.term) {
        std::string members;
        for (const auto& member : words.group(entry.group)) {
          members += (members.empty() ? "" : ", ") + member.label;
        }
        line += fmt::format(" >  {}", members);
      }
      say(fit(printable(line), k_columns) + "\n");
    }
    if (listing.size() > shown) {
      say(fmt::format("  … and {} more: type more of a label to narrow the "
                      "list\n",
                      listing.size() - shown));
    }
  }

  static void
  explain(const answers::Vocabulary& words,
          const std::vector<answers::Vocabulary::Entry>& listing,
          const std::string& which)
  {
    std::vector<std::size_t> numbers;
    if (!parse_numbers(which, numbers) || numbers.size() != 1
        || numbers.front() < 1 || numbers.front() > listing.size()) {
      say("  ?N explains entry N of the list.\n");
      return;
    }
    const auto& entry = listing[numbers.front() - 1];
    if (!entry.term) {
      say(fmt::format("  {}: a group of {}; type {} to see them.\n",
                      printable(entry.label),
                      entry.count,
                      numbers.front()));
      return;
    }
    const auto& term = words.term(*entry.term);
    say(wrap(fmt::format("{} ({}): {}",
                         term.label,
                         term.code,
                         term.definition.empty() ? "no definition given"
                                                 : term.definition),
             k_columns - 2,
             "  "));
  }

  Step
  ask(const Question& question)
  {
    switch (question.kind) {
    case Kind::choose_one:
    case Kind::choose_many:
      return ask_choice(question);
    case Kind::district:
      return places != nullptr ? ask_choice(question) : ask_typed(question);
    case Kind::free_text:
      return ask_text(question);
    default:
      return ask_typed(question);
    }
  }

  // ---------------------------------------------------------------------
  // The summary and the final question.

  static std::string
  summary_list(const json::Json& items)
  {
    std::string out;
    for (const auto& item : items) {
      out += (out.empty() ? "" : "; ") + item.get<std::string>();
    }
    return out;
  }

  // The answer at `pointer` in words: labels for codes, lists joined.
  std::string
  shown(std::string_view pointer)
  {
    const json::Json* value = answer_of(pointer);
    if (value == nullptr || is_empty_answer(*value)) {
      return {};
    }
    const Question* question = answers::find_question(pointer);
    if (question != nullptr
        && (question->kind == Kind::choose_one
            || question->kind == Kind::choose_many
            || (question->kind == Kind::district && places != nullptr))) {
      std::string out;
      const json::Json codes =
        value->is_array() ? *value : json::Json::array({*value});
      for (const auto& code : codes) {
        out += (out.empty() ? "" : "; ")
               + label_of(*question, code.get<std::string>());
      }
      return out;
    }
    if (value->is_array()) {
      return summary_list(*value);
    }
    if (value->is_boolean()) {
      return value->get<bool>() ? "yes" : "no";
    }
    std::string text = value->get<std::string>();
    const auto lines =
      static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n') + 1);
    if (lines > 1) {
      text =
        text.substr(0, text.find('\n')) + fmt::format(" … ({} lines)", lines);
    }
    return text;
  }

  void
  show_summary()
  {
    struct Line
    {
      const char* title;
      std::vector<std::pair<const char*, const char*>> parts; // label, pointer
    };
    const Line lines[] = {
      {"Date", {{"", "/incident/date"}, {"at ", "/incident/time"}}},
      {"Place",
       {{"", "/incident/location"},
        {"district ", "/incident/district"},
        {"setting ", "/incident/setting"}}},
      {"Violence", {{"", "/incident/violence_types"}}},
      {"By", {{"", "/incident/perpetrators"}}},
      {"Person",
       {{"", "/person/person_ref"},
        {"", "/person/population"},
        {"event ", "/incident/event_ref"}}},
      {"Names", {{"", "/person/names"}, {"aliases ", "/person/aliases"}}},
      {"Contacts",
       {{"phones ", "/person/phones"},
        {"e-mails ", "/person/emails"},
        {"ID ", "/person/id_numbers"},
        {"address ", "/person/address"}}},
      {"Account", {{"", "/narrative/language"}, {"", "/narrative/text"}}},
      {"Aggressor",
       {{"", "/aggressor/description"},
        {"plate ", "/aggressor/vehicle/plate"},
        {"", "/aggressor/vehicle/make"},
        {"", "/aggressor/vehicle/colour"},
        {"phones ", "/aggressor/phones"},
        {"handles ", "/aggressor/handles"},
        {"how ", "/aggressor/modus_operandi"}}},
      {"Response",
       {{"first contact ", "/response/first_contact_at"},
        {"actions ", "/response/actions"},
        {"referrals ", "/response/referrals"},
        {"outcome ", "/response/outcome"}}},
      {"Notes", {{"", "/response/notes"}}},
      {"Consent", {{"", "/consent/scopes"}}},
    };
    say("\nSummary (nothing is recorded until you answer yes):\n");
    for (const auto& line : lines) {
      std::string text;
      for (const auto& [label, pointer] : line.parts) {
        const std::string part = shown(pointer);
        if (part.empty()) {
          continue;
        }
        text += (text.empty() ? "" : ", ") + std::string(label) + part;
      }
      if (std::string_view(line.title) == "Date"
          && shown("/incident/date_approximate") == "yes") {
        text += " (approximate)";
      }
      if (text.empty()) {
        continue;
      }
      say(
        fit(printable(fmt::format("  {:<10} {}", line.title, text)), k_columns)
        + "\n");
    }
  }

  // The form, checked as recording will check it; on a problem, the index of
  // the question to ask again.
  Result<std::string>
  checked_form(std::size_t& fault)
  {
    const json::Json form = answers::form_of(draft.answers);
    const std::string text = form.dump();
    auto checked =
      form::load_forms_text(text, "(terminal)", form::Format::json, schemas)
        .and_then([&](std::vector<form::Form> forms) {
          return records::prepare(forms, schemas, places).map([](const auto&) {
          });
        });
    if (!checked) {
      fault = answers::questions().size() - 1;
      for (std::size_t i = 0; i < answers::questions().size(); ++i) {
        if (checked.error().message.find(
              std::string(answers::questions()[i].pointer))
            != std::string::npos) {
          fault = i;
          break;
        }
      }
      return tl::unexpected(checked.error());
    }
    return text;
  }

  enum class Final { record, change, stop, abandon };

  // The final question: only an explicit yes records; no abandons after a
  // second question; an empty answer asks again.
  Final
  confirm(Stop& why)
  {
    while (true) {
      auto line = editor.read(
        "Record this incident now? [yes/no; < to change an answer] ");
      if (!line) {
        why = editor.stop();
        return Final::stop;
      }
      const std::string answer = lower(*line);
      if (answer == "y" || answer == "yes") {
        return Final::record;
      }
      if (answer == "<") {
        return Final::change;
      }
      if (answer == "?") {
        say(wrap("Yes writes the record to the vault. No discards these "
                 "answers (you are asked once more). < goes back to the last "
                 "question; Ctrl-C stops and offers to keep a draft.",
                 k_columns - 2,
                 "  "));
        continue;
      }
      if (answer == "n" || answer == "no") {
        auto sure = editor.read(
          "Discard all these answers? Nothing is recorded and no draft is "
          "kept. [yes/no] ");
        if (!sure) {
          why = editor.stop();
          return Final::stop;
        }
        const std::string discard = lower(*sure);
        if (discard == "y" || discard == "yes") {
          return Final::abandon;
        }
        say("  Kept; nothing was discarded.\n");
        continue;
      }
      say("  Answer yes to record it, or no to discard it; Enter alone "
          "does neither.\n");
    }
  }

  static std::string
  lower(std::string text)
  {
    text.erase(0, text.find_first_not_of(" \t"));
    text.erase(text.find_last_not_of(" \t") + 1);
    for (char& c : text) {
      if (c >= 'A' && c <= 'Z') {
        c = static_cast<char>(c - 'A' + 'a');
      }
    }
    return text;
  }

  // ---------------------------------------------------------------------
  // Drafts.

  bool
  anything_typed() const
  {
    for (const auto& [pointer, value] : draft.answers.items()) {
      if (!is_empty_answer(value)) {
        return true;
      }
    }
    return partial.has_value();
  }

  Result<fs::Path>
  keep_draft()
  {
    if (partial) {
      draft.answers[partial->first] = partial->second;
      partial.reset();
    }
    const auto now = std::chrono::floor<std::chrono::seconds>(Clock::now());
    draft.saved = now;
    draft.expires = now + lifetime;
    draft.at = index < answers::questions().size()
                 ? std::string(answers::questions()[index].pointer)
                 : std::string();
    CUSTODY_ASSIGN(path, drafts::save(owner, draft));
    draft_on_disk = true;
    return path;
  }

  Error
  kept_error(const fs::Path& path, std::string_view what) const
  {
    return Error{
      Errc::interrupted,
      fmt::format("{}; your answers are kept in an encrypted draft until {} "
                  "({})",
                  what,
                  local_time_text(draft.expires),
                  path.lexically_relative(owner.vault).string()),
      "`custody record --resume` reopens it; it opens only with your "
      "identity and passphrase"};
  }

  void
  delete_draft()
  {
    if (!draft_on_disk) {
      return;
    }
    if (auto removed = drafts::remove(owner, draft.id); !removed) {
      warn(fmt::format("the draft {} could not be deleted: {}",
                       drafts::path_of(owner, draft.id)
                         .lexically_relative(owner.vault)
                         .string(),
                       removed.error().message));
    } else {
      draft_on_disk = false;
    }
  }

  // The member stopped (Ctrl-C, Ctrl-D) or the terminal went away: keep a
  // draft if she says so (without asking when there is no one to ask).
  Error
  stopped(Stop why)
  {
    LineEditor::clear_signal();
    if (why == Stop::hangup) {
      silence_standard_error();
    }
    if (!anything_typed()) {
      delete_draft();
      return Error{Errc::interrupted,
                   "stopped before anything was typed; nothing was recorded",
                   {}};
    }
    bool keep = true;
    if (why == Stop::interrupt || why == Stop::end_of_input) {
      say("\n");
      while (true) {
        auto line = editor.read(fmt::format(
          "Keep a draft of your answers, encrypted to your key, for {}? "
          "[y/n] ",
          lifetime_text()));
        if (!line) {
          // A second Ctrl-C, or no more input: keep rather than lose.
          LineEditor::clear_signal();
          say("  Kept.\n");
          break;
        }
        const std::string answer = lower(*line);
        if (answer == "y" || answer == "yes") {
          break;
        }
        if (answer == "n" || answer == "no") {
          keep = false;
          break;
        }
        say("  Answer y to keep a draft, or n to discard what you typed.\n");
      }
    } else if (why == Stop::terminate) {
      say("\ncustody was told to stop: keeping your answers in a draft\n");
    }
    if (!keep) {
      delete_draft();
      return Error{Errc::interrupted,
                   "stopped; nothing was recorded and no draft was kept",
                   {}};
    }
    auto path = keep_draft();
    if (!path) {
      return Error{Errc::interrupted,
                   fmt::format("stopped; nothing was recorded, and the draft "
                               "could not be written: {}",
                               path.error().message),
                   path.error().hint};
    }
    return kept_error(*path, "stopped; nothing was recorded");
  }

  std::string
  lifetime_text() const
  {
    const auto seconds = lifetime.count();
    if (seconds % 86400 == 0 && seconds > 2 * 86400) {
      return fmt::format(
        "{} day{}", seconds / 86400, seconds == 86400 ? "" : "s");
    }
    if (seconds % 3600 == 0) {
      return fmt::format(
        "{} hour{}", seconds / 3600, seconds == 3600 ? "" : "s");
    }
    if (seconds % 60 == 0) {
      return fmt::format("{} minute{}", seconds / 60, seconds == 60 ? "" : "s");
    }
    return fmt::format("{} second{}", seconds, seconds == 1 ? "" : "s");
  }

  // --resume: which draft to continue; its answers become these.
  Result<void>
  resume(std::vector<drafts::Draft> found)
  {
    if (found.empty()) {
      return make_error(Errc::not_found,
                        "you have no draft to resume in this vault",
                        "`custody record` alone asks for a new form");
    }
    std::size_t pick = 0;
    if (found.size() > 1) {
      say("Your drafts, the most recent first:\n");
      const std::size_t shown = std::min(found.size(), k_page);
      for (std::size_t i = 0; i < shown; ++i) {
        say(
          fit(fmt::format("  {:>2}) {}", i + 1, describe(found[i])), k_columns)
          + "\n");
      }
      while (true) {
        auto line = editor.read(fmt::format("Which draft? [1-{}] ", shown));
        if (!line) {
          return make_error(Errc::interrupted,
                            "stopped; your drafts are as they were");
        }
        std::vector<std::size_t> numbers;
        if (parse_numbers(*line, numbers) && numbers.size() == 1
            && numbers.front() >= 1 && numbers.front() <= shown) {
          pick = numbers.front() - 1;
          break;
        }
        say(fmt::format("  Type a number from 1 to {}.\n", shown));
      }
    }
    draft = std::move(found[pick]);
    draft_on_disk = true;
    say(fmt::format("Resuming your draft: {}\n", describe(draft)));
    index = first_unanswered();
    return {};
  }

  static std::string
  describe(const drafts::Draft& which)
  {
    std::size_t answered = 0;
    for (const auto& question : answers::questions()) {
      answered += which.answers.contains(std::string(question.pointer)) ? 1 : 0;
    }
    std::string about;
    for (const char* pointer : {"/person/person_ref", "/incident/date"}) {
      const auto it = which.answers.find(pointer);
      if (it != which.answers.end() && it->is_string()) {
        about += (about.empty() ? "" : ", ") + it->get<std::string>();
      }
    }
    return printable(
      fmt::format("saved {}, {} of {} answered, kept until {}{}",
                  local_time_text(which.saved),
                  answered,
                  answers::questions().size(),
                  local_time_text(which.expires),
                  about.empty() ? "" : fmt::format(" ({})", about)));
  }

  // Where a draft continues: the question it stopped at, else the first
  // question not answered.
  std::size_t
  first_unanswered() const
  {
    const auto all = answers::questions();
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (all[i].pointer == draft.at) {
        return i;
      }
    }
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (!draft.answers.contains(std::string(all[i].pointer))) {
        return i;
      }
    }
    return all.size();
  }

  // ---------------------------------------------------------------------

  Result<std::string>
  run()
  {
    const auto now = std::chrono::floor<std::chrono::seconds>(Clock::now());
    CUSTODY_ASSIGN(found, drafts::open(owner, now));
    for (const auto& item : found.notes) {
      if (item.level == Note::Level::warning) {
        warn(item.text);
      } else {
        note(item.text);
      }
    }
    if (options.resume) {
      CUSTODY_TRY(resume(std::move(found.drafts)));
    } else {
      say("custody record: answer each question; ? explains one, < goes "
          "back.\nNothing is written until the last question, and nothing "
          "you type reaches the\ndisk unencrypted. Ctrl-C stops and offers "
          "to keep an encrypted draft.\n");
      if (!found.drafts.empty()) {
        note(fmt::format("you have {} unfinished draft{}; `custody record "
                         "--resume` reopens {}",
                         found.drafts.size(),
                         found.drafts.size() == 1 ? "" : "s",
                         found.drafts.size() == 1 ? "it" : "them"));
      }
    }
    const auto all = answers::questions();
    while (true) {
      while (index < all.size()) {
        const Question& question = all[index];
        Step step = ask(question);
        if (step.kind == Step::Kind::stop) {
          return tl::unexpected(stopped(step.why));
        }
        if (step.kind == Step::Kind::back) {
          if (!step.value.is_null()) {
            draft.answers[std::string(question.pointer)] =
              std::move(step.value);
          }
          if (index == 0) {
            say("  This is the first question.\n");
          } else {
            --index;
          }
          continue;
        }
        draft.answers[std::string(question.pointer)] = std::move(step.value);
        ++index;
      }
      show_summary();
      std::size_t fault = 0;
      auto text = checked_form(fault);
      if (!text) {
        // Each answer passed its own check; what only the whole form can
        // show (a rule across fields) sends her back to the question.
        refuse(text.error());
        index = fault;
        continue;
      }
      Stop why = Stop::none;
      switch (confirm(why)) {
      case Final::record:
        return std::move(*text);
      case Final::change:
        index = all.size() - 1;
        continue;
      case Final::stop:
        index = all.size();
        return tl::unexpected(stopped(why));
      case Final::abandon:
        delete_draft();
        return make_error(Errc::interrupted,
                          "the form was abandoned; nothing was recorded");
      }
    }
  }
};

bool
interactive_terminal()
{
  return ::isatty(STDIN_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
}

void
add_intake_options(CLI::App& sub, IntakeOptions& options)
{
  sub.add_flag("--resume",
               options.resume,
               "On a terminal: continue a draft of the form kept when you "
               "stopped (Ctrl-C)");
  sub.add_option("--draft-ttl",
                 options.draft_lifetime,
                 "How long a draft is kept, such as 24h, 90m or 2d (at most "
                 "7d; default 24h)");
}

Result<void>
check_intake_options(const IntakeOptions& options, bool form_given)
{
  if (auto lifetime = drafts::parse_lifetime(options.draft_lifetime);
      !lifetime) {
    return make_error(Errc::usage,
                      "--draft-ttl: " + lifetime.error().message,
                      lifetime.error().hint);
  }
  if (options.resume && form_given) {
    return make_error(Errc::usage,
                      "--resume continues a form typed on the terminal; it "
                      "takes no --form or --amend");
  }
  return {};
}

void
forget_expired_drafts(const vault::Vault& vault)
{
  const auto now = std::chrono::floor<std::chrono::seconds>(Clock::now());
  auto found = drafts::open(drafts::owner_of(vault), now);
  if (!found) {
    warn(fmt::format("drafts were not checked for expiry: {}",
                     found.error().message));
    return;
  }
  for (const auto& item : found->notes) {
    if (item.level == Note::Level::warning) {
      warn(item.text);
    } else {
      note(item.text);
    }
  }
}

Intake::Intake(Session& session,
               const schema::SchemaSet& schemas,
               const records::Places* places,
               const IntakeOptions& options)
  : m_state(std::make_unique<State>(session, schemas, places, options))
{
}

Intake::~Intake() = default;

Result<std::string>
Intake::ask()
{
  return m_state->run();
}

Result<Outcome>
Intake::finish(Result<Outcome> recorded)
{
  if (recorded) {
    m_state->delete_draft();
    return recorded;
  }
  // The answers were right but the record could not be written (a full disk,
  // a vault that failed a check): they must not be lost with it.
  auto path = m_state->keep_draft();
  if (!path) {
    warn(fmt::format("your answers could not be kept in a draft either: {}",
                     path.error().message));
    return recorded;
  }
  // A warning, not a note: -q must not hide where her answers went.
  warn(fmt::format("nothing was recorded; your answers are kept in an "
                   "encrypted draft until {} ({}); `custody record --resume` "
                   "reopens it",
                   local_time_text(m_state->draft.expires),
                   path->lexically_relative(m_state->owner.vault).string()));
  return recorded;
}

} // namespace custody::cli
