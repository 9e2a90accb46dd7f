// Export recipes (`custody export --recipe`, YAML: court, police, bulletin,
// dataset): any bytes are refused naming a line, or give a recipe whose parts
// hold what each parser promises (an organisation; leave_out fields as JSON
// pointers; a bulletin's period in order, k and the delay at their floors; a
// dataset's k, l and risk at their floors, violence type never a class field,
// and the same recipe from the same bytes twice).
#include "fuzz.hpp"

#include <custody/export/bulletin.hpp>
#include <custody/export/court.hpp>
#include <custody/export/dataset.hpp>
#include <custody/export/police.hpp>

#include <cstdlib>
#include <string_view>

namespace {

template<typename T>
bool
refused_by_line(const custody::Result<T>& parsed)
{
  return !parsed && parsed.error().message.find("line ") != std::string::npos;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto kind = custody::bundle::recipe_kind(text);
  if (!kind && !refused_by_line(kind)) {
    std::abort();
  }
  auto court = custody::bundle::parse_court_recipe(text);
  if (court) {
    if (!kind || *kind != "court" || court->organisation.empty()) {
      std::abort();
    }
    for (const auto& pointer : custody::bundle::court_fields(*court).pointers) {
      if (pointer.size() < 2 || pointer[0] != '/') {
        std::abort();
      }
    }
  } else if (!refused_by_line(court)) {
    std::abort();
  }
  auto police = custody::bundle::parse_police_recipe(text);
  if (police ? police->organisation.empty() : !refused_by_line(police)) {
    std::abort();
  }
  auto bulletin = custody::bundle::parse_bulletin_recipe(text);
  if (bulletin) {
    if (bulletin->to < bulletin->from || bulletin->delay_hours < 24
        || (bulletin->k && *bulletin->k < 2)) {
      std::abort();
    }
  } else if (!refused_by_line(bulletin)) {
    std::abort();
  }
  auto dataset = custody::bundle::parse_dataset_recipe(text);
  if (dataset) {
    if (!kind || *kind != "dataset" || dataset->organisation.empty()
        || dataset->spec.fields.empty() || dataset->rules.k < 5
        || dataset->rules.l < 2 || !(dataset->rules.max_risk > 0)
        || dataset->rules.max_risk > 0.03
        || dataset->spec.period.to_month < dataset->spec.period.from_month) {
      std::abort();
    }
    for (const auto& field : dataset->spec.fields) {
      if (field.dimension == custody::stats::Dimension::violence_type
          && !field.sensitive) {
        std::abort();
      }
    }
    auto again = custody::bundle::parse_dataset_recipe(text);
    if (!again || again->spec.fields.size() != dataset->spec.fields.size()
        || custody::stats::spec_json(again->spec)
             != custody::stats::spec_json(dataset->spec)) {
      std::abort();
    }
  } else if (!refused_by_line(dataset)) {
    std::abort();
  }
  return 0;
}
