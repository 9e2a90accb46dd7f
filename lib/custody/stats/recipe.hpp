// Stats recipes: a release written down once and run every quarter by a script
// (docs/stats.md section 5). Every key is what the command-line option of the
// same name does; an option given on the command line wins.
#pragma once

#include <custody/base/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace custody::stats {

struct RecipeTable
{
  std::string rows;
  std::optional<std::string> columns;
};

struct Recipe
{
  std::optional<std::string> label;
  std::optional<std::string> period;
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> by;
  std::optional<int> level;
  std::optional<std::uint64_t> threshold;
  std::optional<std::string> method; // suppression or cellkey
  std::vector<std::string> filters;  // DIMENSION=CODE
  std::vector<RecipeTable> tables;   // empty: the standard release
};

// Parses a recipe (YAML, `kind: stats`). Errc::invalid_input naming the line
// of the first problem: not YAML, not a mapping, an unknown key (with the
// keys there are), a value of the wrong type. Dimensions, codes and periods
// are checked later, as the options are.
[[nodiscard]] Result<Recipe> parse_recipe(std::string_view yaml_text);

} // namespace custody::stats
