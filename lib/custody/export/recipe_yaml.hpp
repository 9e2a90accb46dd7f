// What every export recipe's parser shares (court.cpp, police.cpp): the YAML
// read once, errors naming the line. Private to export/.
#pragma once

#include <custody/base/error.hpp>

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace custody::bundle::detail {

inline Error
at(const YAML::Node& node, std::string_view what)
{
  return Error{Errc::invalid_input,
               fmt::format("recipe: line {}: {}", node.Mark().line + 1, what),
               {}};
}

inline Result<YAML::Node>
load_yaml(std::string_view text)
{
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsMap()) {
      return tl::unexpected(
        at(root, "a recipe is a mapping of keys to values"));
    }
    return root;
  } catch (const YAML::Exception& error) {
    return tl::unexpected(Error{Errc::invalid_input,
                                fmt::format("recipe: line {}: not YAML: {}",
                                            error.mark.line + 1,
                                            error.msg),
                                {}});
  }
}

inline Result<std::string>
text_of(const YAML::Node& node, std::string_view key)
{
  if (!node.IsScalar() || node.as<std::string>().empty()) {
    return tl::unexpected(at(node, fmt::format("{} must be a text", key)));
  }
  return node.as<std::string>();
}

} // namespace custody::bundle::detail
