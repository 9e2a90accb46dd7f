// Stats recipes (recipe.hpp).
#include <custody/schema/schema.hpp>
#include <custody/stats/recipe.hpp>

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

namespace custody::stats {

namespace {

const std::vector<std::string> k_keys{"kind",
                                      "label",
                                      "period",
                                      "from",
                                      "to",
                                      "by",
                                      "level",
                                      "threshold",
                                      "method",
                                      "filters",
                                      "tables"};

Error
at(const YAML::Node& node, std::string_view what)
{
  return Error{Errc::invalid_input,
               fmt::format("recipe: line {}: {}", node.Mark().line + 1, what),
               {}};
}

Result<std::string>
scalar(const YAML::Node& node, std::string_view key)
{
  if (!node.IsScalar()) {
    return tl::unexpected(at(node, fmt::format("{} must be a text", key)));
  }
  return node.as<std::string>();
}

Result<std::uint64_t>
number(const YAML::Node& node, std::string_view key)
{
  CUSTODY_ASSIGN(text, scalar(node, key));
  if (text.empty() || text.size() > 9
      || text.find_first_not_of("0123456789") != std::string::npos) {
    return tl::unexpected(
      at(node, fmt::format("{} must be a whole number", key)));
  }
  return std::stoull(text);
}

Result<Recipe>
parse_root(const YAML::Node& root)
{
  if (!root.IsMap()) {
    return tl::unexpected(at(root, "a recipe is a mapping of keys to values"));
  }
  Recipe recipe;
  for (const auto& item : root) {
    const auto key = item.first.IsScalar() ? item.first.as<std::string>() : "";
    const YAML::Node& value = item.second;
    if (key == "kind") {
      CUSTODY_ASSIGN(kind, scalar(value, key));
      if (kind != "stats") {
        return tl::unexpected(
          at(value,
             fmt::format("kind is \"{}\"; this is a stats recipe, "
                         "kind: stats",
                         kind)));
      }
    } else if (key == "label") {
      CUSTODY_ASSIGN(text, scalar(value, key));
      recipe.label = text;
    } else if (key == "period") {
      CUSTODY_ASSIGN(text, scalar(value, key));
      recipe.period = text;
    } else if (key == "from") {
      CUSTODY_ASSIGN(text, scalar(value, key));
      recipe.from = text;
    } else if (key == "to") {
      CUSTODY_ASSIGN(text, scalar(value, key));
      recipe.to = text;
    } else if (key == "by") {
      CUSTODY_ASSIGN(text, scalar(value, key));
      recipe.by = text;
    } else if (key == "level") {
      CUSTODY_ASSIGN(level, number(value, key));
      recipe.level = static_cast<int>(level);
    } else if (key == "threshold") {
      CUSTODY_ASSIGN(threshold, number(value, key));
      recipe.threshold = threshold;
    } else if (key == "method") {
      CUSTODY_ASSIGN(text, scalar(value, key));
      if (text != "suppression" && text != "cellkey") {
        return tl::unexpected(at(value, "method is suppression or cellkey"));
      }
      recipe.method = text;
    } else if (key == "filters") {
      if (!value.IsSequence()) {
        return tl::unexpected(
          at(value, "filters is a list of DIMENSION=CODE texts"));
      }
      for (const auto& filter : value) {
        CUSTODY_ASSIGN(text, scalar(filter, "a filter"));
        recipe.filters.push_back(text);
      }
    } else if (key == "tables") {
      if (!value.IsSequence()) {
        return tl::unexpected(
          at(value, "tables is a list of {rows: DIMENSION, cols: DIMENSION}"));
      }
      for (const auto& table : value) {
        if (!table.IsMap()) {
          return tl::unexpected(
            at(table, "a table is {rows: DIMENSION, cols: DIMENSION}"));
        }
        RecipeTable out;
        for (const auto& part : table) {
          const auto name =
            part.first.IsScalar() ? part.first.as<std::string>() : "";
          if (name == "rows") {
            CUSTODY_ASSIGN(rows, scalar(part.second, name));
            out.rows = rows;
          } else if (name == "cols") {
            CUSTODY_ASSIGN(columns, scalar(part.second, name));
            out.columns = columns;
          } else {
            return tl::unexpected(
              at(part.first,
                 fmt::format("a table has rows and cols, not \"{}\"", name)));
          }
        }
        if (out.rows.empty()) {
          return tl::unexpected(at(table, "a table needs rows"));
        }
        recipe.tables.push_back(std::move(out));
      }
    } else {
      std::string message = fmt::format("unknown key \"{}\"", key);
      if (auto guess = schema::closest(key, k_keys)) {
        message += fmt::format("; did you mean {}?", *guess);
      }
      return tl::unexpected(at(item.first, message));
    }
  }
  return recipe;
}

} // namespace

Result<Recipe>
parse_recipe(std::string_view yaml_text)
{
  constexpr std::size_t k_max_recipe = 1 << 20;
  if (yaml_text.size() > k_max_recipe) {
    return make_error(Errc::invalid_input, "recipe: larger than 1 MiB");
  }
  try {
    return parse_root(YAML::Load(std::string(yaml_text)));
  } catch (const YAML::Exception& e) {
    return make_error(
      Errc::invalid_input,
      fmt::format("recipe: line {}: {}", e.mark.line + 1, e.msg));
  }
}

} // namespace custody::stats
