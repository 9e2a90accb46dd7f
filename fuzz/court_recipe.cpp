// Court recipes (`custody export --recipe`): any bytes are refused naming a
// line, or give a recipe with an organisation whose leave_out fields are form
// fields or attachment_documents, each a JSON pointer disclosure can use.
#include "fuzz.hpp"

#include <custody/export/court.hpp>

#include <cstdlib>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto kind = custody::bundle::recipe_kind(text);
  auto parsed = custody::bundle::parse_court_recipe(text);
  if (!parsed) {
    if (parsed.error().message.find("line ") == std::string::npos) {
      std::abort();
    }
    return 0;
  }
  if (!kind || *kind != "court" || parsed->organisation.empty()) {
    std::abort();
  }
  const auto fields = custody::bundle::court_fields(*parsed);
  for (const auto& pointer : fields.pointers) {
    if (pointer.size() < 2 || pointer[0] != '/') {
      std::abort();
    }
  }
  return 0;
}
