// A record's form written as YAML for a person to correct in an editor
// (custody edit), and read back by the form loader (form.hpp) like any YAML
// form.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/schema/schema.hpp>

#include <string>
#include <string_view>

namespace custody::form {

// `form` (valid against `schemas`) as YAML: the fields in the order the form
// schema lists them (docs/records.md section 1), text of several lines as
// literal block scalars (`|`, with the chomping and indentation indicators
// that give back every line break and leading space), lists in flow style,
// other text plain where YAML reads it back as the same text, else
// double-quoted; `comment`'s lines first, each as a "# " comment. Reading the
// result back with load_forms_text(..., Format::yaml, schemas) gives `form`
// again: the writer checks so, and where a value would not come back the same
// it writes every text double-quoted instead.
std::string to_yaml(const json::Json& form,
                    const schema::SchemaSet& schemas,
                    std::string_view comment);

} // namespace custody::form
