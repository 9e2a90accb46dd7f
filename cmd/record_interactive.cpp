// Interactive `custody record`: asks for a form field by field on the terminal,
// offering each vocabulary's codes and labels, then hands the form to the same
// checks as --form.
#include "record_interactive.hpp"

#include <custody/base/canonical_json.hpp>
#include <custody/schema/schema.hpp>

#include <fmt/core.h>

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>

namespace custody::cli {

namespace {

struct Choice
{
  std::string code;
  std::string label;
};

// The codes of schemas/vocab/<name>.json with their labels, in the file's
// order.
Result<std::vector<Choice>>
vocabulary(std::string_view name)
{
  const auto& files = schema::embedded_files();
  const auto it = files.find(fmt::format("vocab/{}.json", name));
  if (it == files.end()) {
    return fail(Errc::internal, "vocabulary {} is not built in", name);
  }
  CUSTODY_ASSIGN(document, json::parse_strict(it->second));
  std::vector<Choice> choices;
  for (const auto& code : document.value("enum", json::Json::array())) {
    const std::string text = code.get<std::string>();
    const auto term = document["x-terms"].value(text, json::Json::object());
    if (term.value("deprecated", false)) {
      continue;
    }
    choices.push_back({text, term.value("label", text)});
  }
  return choices;
}

class Prompter
{
public:
  // Reads one line; nullopt at end of input (Ctrl-D), which aborts the whole
  // form.
  static std::optional<std::string>
  line(const std::string& question)
  {
    std::cerr << question << ": " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) {
      return std::nullopt;
    }
    if (!answer.empty() && answer.back() == '\r') {
      answer.pop_back();
    }
    return answer;
  }

  // Lines up to one holding only ".", for free text.
  static std::optional<std::string>
  text(const std::string& question)
  {
    std::cerr << question
              << " (end with a line holding only \".\"; just \".\" to skip):\n"
              << std::flush;
    std::string all;
    std::string answer;
    while (std::getline(std::cin, answer)) {
      if (answer == ".") {
        return all;
      }
      all += (all.empty() ? "" : "\n") + answer;
    }
    return std::nullopt;
  }

  // Numbers of `choices`, separated by spaces; empty for none.
  static std::optional<std::vector<std::string>>
  pick(const std::string& question,
       const std::vector<Choice>& choices,
       bool many)
  {
    for (std::size_t i = 0; i < choices.size(); ++i) {
      std::cerr << fmt::format(
        "  {:>2}) {}  ({})\n", i + 1, choices[i].label, choices[i].code);
    }
    while (true) {
      auto answer = line(
        question + (many ? " (numbers separated by spaces)" : " (a number)"));
      if (!answer) {
        return std::nullopt;
      }
      std::istringstream words(*answer);
      std::vector<std::string> picked;
      std::string word;
      bool ok = true;
      while (words >> word) {
        std::size_t index = 0;
        try {
          index = std::stoul(word);
        } catch (const std::exception&) {
          ok = false;
          break;
        }
        if (index < 1 || index > choices.size()) {
          ok = false;
          break;
        }
        picked.push_back(choices[index - 1].code);
      }
      if (ok && (many || picked.size() <= 1)) {
        return picked;
      }
      std::cerr << fmt::format("please answer with {} between 1 and {}\n",
                               many ? "numbers" : "one number",
                               choices.size());
    }
  }
};

// "a; b" -> ["a", "b"], without empty items.
json::Json
list_of(const std::string& answer)
{
  json::Json items = json::Json::array();
  std::size_t start = 0;
  while (start <= answer.size()) {
    auto end = answer.find(';', start);
    if (end == std::string::npos) {
      end = answer.size();
    }
    std::string item = answer.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) {
      items.push_back(item);
    }
    start = end + 1;
  }
  return items;
}

void
set_if(json::Json& object, const char* key, const std::string& value)
{
  if (!value.empty()) {
    object[key] = value;
  }
}

void
set_list_if(json::Json& object, const char* key, const json::Json& items)
{
  if (!items.empty()) {
    object[key] = items;
  }
}

} // namespace

bool
interactive_terminal()
{
  return ::isatty(STDIN_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
}

Result<std::string>
ask_for_form(const std::vector<std::string>& districts)
{
  CUSTODY_ASSIGN(settings, vocabulary("setting"));
  CUSTODY_ASSIGN(violence, vocabulary("violence_type"));
  CUSTODY_ASSIGN(perpetrators, vocabulary("perpetrator"));
  CUSTODY_ASSIGN(populations, vocabulary("population"));
  CUSTODY_ASSIGN(actions, vocabulary("response_action"));
  CUSTODY_ASSIGN(referrals, vocabulary("referral"));
  CUSTODY_ASSIGN(outcomes, vocabulary("outcome"));
  CUSTODY_ASSIGN(scopes, vocabulary("consent_scope"));
  Prompter ask;
  const auto aborted = [] {
    return make_error(Errc::interrupted,
                      "the form was abandoned; nothing was recorded");
  };
  std::cerr << "custody record: answer each question; leave an optional one "
               "empty to skip it.\n"
               "Nothing is written until the last question, and nothing you "
               "type is saved "
               "unencrypted.\n";
// `var` is declared by the macro: it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CUSTODY_ASK(var, expr)                                                 \
  auto var = (expr);                                                           \
  if (!var) {                                                                  \
    return aborted();                                                          \
  }
  // NOLINTEND(bugprone-macro-parentheses)

  json::Json incident = json::Json::object();
  CUSTODY_ASK(date, ask.line("Incident date (YYYY, YYYY-MM or YYYY-MM-DD)"));
  incident["date"] = *date;
  CUSTODY_ASK(approximate, ask.line("Is that date approximate? [y/N]"));
  incident["date_approximate"] =
    !approximate->empty()
    && ((*approximate)[0] == 'y' || (*approximate)[0] == 'Y');
  CUSTODY_ASK(time, ask.line("Time of day (HH:MM, optional)"));
  set_if(incident, "time", *time);
  CUSTODY_ASK(
    location,
    ask.line("Exact place (optional; kept in the identity compartment)"));
  set_if(incident, "location", *location);
  std::string district_question = "District";
  if (!districts.empty()) {
    district_question += " (";
    for (std::size_t i = 0; i < districts.size(); ++i) {
      district_question += (i == 0 ? "" : ", ") + districts[i];
    }
    district_question += ")";
  }
  CUSTODY_ASK(district, ask.line(district_question));
  incident["district"] = *district;
  CUSTODY_ASK(setting, ask.pick("Setting (optional)", settings, false));
  if (!setting->empty()) {
    incident["setting"] = setting->front();
  }
  CUSTODY_ASK(
    types,
    ask.pick("Types of violence or violation (at least one)", violence, true));
  incident["violence_types"] = *types;
  CUSTODY_ASK(who, ask.pick("Perpetrators (at least one)", perpetrators, true));
  incident["perpetrators"] = *who;
  CUSTODY_ASK(
    event,
    ask.line("Event reference, to group the records of one event (optional)"));
  set_if(incident, "event_ref", *event);

  json::Json person = json::Json::object();
  CUSTODY_ASK(person_ref,
              ask.line("Person reference (your organisation's, never a name)"));
  person["person_ref"] = *person_ref;
  CUSTODY_ASK(population, ask.pick("Population", populations, false));
  if (!population->empty()) {
    person["population"] = population->front();
  }
  for (const auto& [key, question] :
       {std::pair{"names", "Names (separate several with ';', optional)"},
        std::pair{"aliases", "Aliases (optional)"},
        std::pair{"phones", "Phone numbers (optional)"},
        std::pair{"emails", "E-mail addresses (optional)"},
        std::pair{"id_numbers", "ID numbers (optional)"}}) {
    CUSTODY_ASK(answer, ask.line(question));
    set_list_if(person, key, list_of(*answer));
  }
  CUSTODY_ASK(address, ask.line("Address (optional)"));
  set_if(person, "address", *address);

  json::Json narrative = json::Json::object();
  CUSTODY_ASK(account, ask.text("The account, in the person's words"));
  narrative["text"] = *account;
  CUSTODY_ASK(language,
              ask.line("Language of the account (en, sw, es, ru, hi, ...)"));
  narrative["language"] = *language;

  json::Json aggressor = json::Json::object();
  CUSTODY_ASK(description, ask.line("Aggressor: description (optional)"));
  set_if(aggressor, "description", *description);
  json::Json vehicle = json::Json::object();
  for (const auto& [key, question] :
       {std::pair{"plate", "Vehicle plate (optional)"},
        std::pair{"make", "Vehicle make (optional)"},
        std::pair{"colour", "Vehicle colour (optional)"}}) {
    CUSTODY_ASK(answer, ask.line(question));
    set_if(vehicle, key, *answer);
  }
  if (!vehicle.empty()) {
    aggressor["vehicle"] = vehicle;
  }
  CUSTODY_ASK(aggressor_phones, ask.line("Aggressor phone numbers (optional)"));
  set_list_if(aggressor, "phones", list_of(*aggressor_phones));
  CUSTODY_ASK(handles, ask.line("Aggressor online handles (optional)"));
  set_list_if(aggressor, "handles", list_of(*handles));
  CUSTODY_ASK(method, ask.line("How the aggressor operates (optional)"));
  set_if(aggressor, "modus_operandi", *method);

  json::Json response = json::Json::object();
  CUSTODY_ASK(contact,
              ask.line("First contact with the team (e.g. "
                       "2025-03-15T08:10:00+03:00, optional)"));
  set_if(response, "first_contact_at", *contact);
  CUSTODY_ASK(done, ask.pick("Actions taken (optional)", actions, true));
  set_list_if(response, "actions", *done);
  CUSTODY_ASK(referred, ask.pick("Referrals (optional)", referrals, true));
  set_list_if(response, "referrals", *referred);
  CUSTODY_ASK(outcome, ask.pick("Outcome (optional)", outcomes, false));
  if (!outcome->empty()) {
    response["outcome"] = outcome->front();
  }
  CUSTODY_ASK(notes, ask.text("The team's notes"));
  set_if(response, "notes", *notes);

  CUSTODY_ASK(consent, ask.pick("Consent given (at least one)", scopes, true));
  json::Json form = {{"form_version", 1},
                     {"incident", incident},
                     {"person", person},
                     {"narrative", narrative},
                     {"consent", {{"scopes", *consent}}}};
  if (!aggressor.empty()) {
    form["aggressor"] = aggressor;
  }
  if (!response.empty()) {
    form["response"] = response;
  }
  CUSTODY_ASK(confirm, ask.line("Record this incident now? [y/N]"));
  if (confirm->empty() || ((*confirm)[0] != 'y' && (*confirm)[0] != 'Y')) {
    return aborted();
  }
#undef CUSTODY_ASK
  return form.dump();
}

} // namespace custody::cli
