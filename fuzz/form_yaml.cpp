// Forms written as YAML for an editor (form::to_yaml): any text in any field
// must come back the same through the form loader.
#include "fuzz.hpp"

#include <custody/base/utf8.hpp>
#include <custody/records/form.hpp>
#include <custody/records/form_yaml.hpp>
#include <custody/schema/schema.hpp>

#include <cstdlib>
#include <string>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using custody::json::Json;
  static const auto schemas =
    custody::schema::SchemaSet::from_embedded("incident.schema.json");
  if (!schemas) {
    std::abort();
  }
  // The input, split at its first NUL, as a narrative and a name: the shapes
  // the writer treats differently (block scalars, flow lists, plain text).
  const std::string input(custody::fuzz::text(data, size));
  if (custody::utf8::first_invalid(input)) {
    return 0; // the loader refuses it before any schema sees it
  }
  const auto split = input.find('\0');
  const std::string text = input.substr(0, split);
  const std::string name =
    split == std::string::npos ? text : input.substr(split + 1);
  Json form = Json::parse(R"({
    "form_version": 1,
    "incident": {"date": "2025-03-14", "date_approximate": false,
                 "district": "harbour", "violence_types": ["violence.economic.extortion"],
                 "perpetrators": ["perpetrator.state.police"]},
    "person": {"person_ref": "P-1", "population": "female"},
    "narrative": {"text": "x", "language": "en"},
    "consent": {"scopes": ["legal_action"]}
  })");
  form["narrative"]["text"] = text;
  form["person"]["names"] = Json::array({name});
  form["incident"]["location"] = name;
  // Only what the form loader would take: a valid form to begin with.
  if (!schemas->validate(form).ok()) {
    return 0;
  }
  const auto yaml = custody::form::to_yaml(form, *schemas, text);
  const auto batch = custody::form::check_text(
    yaml, "fuzz", custody::form::Format::yaml, *schemas);
  if (!batch.ok() || batch.forms.size() != 1
      || batch.forms.front().value != form) {
    std::abort();
  }
  return 0;
}
