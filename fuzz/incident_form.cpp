// Incident forms (JSON, YAML, JSON Lines) checked against the schema.
#include "fuzz.hpp"

#include <custody/records/form.hpp>
#include <custody/schema/schema.hpp>

#include <cstdlib>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  static const auto schemas =
    custody::schema::SchemaSet::from_embedded("incident.schema.json");
  if (!schemas) {
    std::abort();
  }
  (void)custody::form::check_text(custody::fuzz::text(data, size),
                                  "fuzz",
                                  custody::form::Format::detect,
                                  *schemas);
  return 0;
}
