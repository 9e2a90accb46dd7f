// Stats recipes (custody stats --recipe): YAML a data officer writes.
#include "fuzz.hpp"

#include <custody/stats/recipe.hpp>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  (void)custody::stats::parse_recipe(custody::fuzz::text(data, size));
  return 0;
}
