// What every export recipe's parser shares (court, police, bulletin): the YAML
// read once, errors naming the line. Private to export/.
#pragma once

#include <custody/base/error.hpp>

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
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

// A recipe is read by the parser of its kind only when it says that kind: the
// command chooses the parser by `kind:`, so a parser that took a recipe
// without one would accept what the command refuses.
inline Result<YAML::Node>
load_recipe(std::string_view text, std::string_view kind)
{
  CUSTODY_ASSIGN(root, load_yaml(text));
  if (!root["kind"]) {
    return tl::unexpected(
      at(root,
         fmt::format("the recipe has no kind; a {0} recipe says kind: {0}",
                     kind)));
  }
  return root;
}

// A mapping key's text; empty for a key that is no scalar (never a known key).
inline std::string
key_name(const YAML::Node& key)
{
  return key.IsScalar() ? key.as<std::string>() : std::string();
}

inline Result<std::string>
text_of(const YAML::Node& node, std::string_view key)
{
  if (!node.IsScalar() || node.as<std::string>().empty()) {
    return tl::unexpected(at(node, fmt::format("{} must be a text", key)));
  }
  return node.as<std::string>();
}

inline bool
is_month(const std::string& text)
{
  return text.size() == 7 && text[4] == '-'
         && std::all_of(text.begin(),
                        text.begin() + 4,
                        [](char c) { return c >= '0' && c <= '9'; })
         && text.substr(5) >= "01" && text.substr(5) <= "12"
         && std::isdigit(static_cast<unsigned char>(text[5])) != 0
         && std::isdigit(static_cast<unsigned char>(text[6])) != 0;
}

inline Result<std::uint64_t>
whole_number(const YAML::Node& node, std::string_view key)
{
  CUSTODY_ASSIGN(text, text_of(node, key));
  if (text.size() > 6
      || text.find_first_not_of("0123456789") != std::string::npos) {
    return tl::unexpected(
      at(node, fmt::format("{} must be a whole number", key)));
  }
  return std::stoull(text);
}

// The value of a recipe's `kind:`, which must be `kind`.
inline Result<void>
check_kind(const YAML::Node& value, std::string_view kind)
{
  CUSTODY_ASSIGN(text, text_of(value, "kind"));
  if (text != kind) {
    return tl::unexpected(
      at(value,
         fmt::format(
           "kind is \"{}\"; a {} recipe is kind: {}", text, kind, kind)));
  }
  return {};
}

} // namespace custody::bundle::detail
