// Forms as YAML for an editor (form_yaml.hpp).
//
// Written here rather than with yaml-cpp's emitter: yaml-cpp 0.7's literal
// blocks carry no chomping or indentation indicator, so text without a final
// line break, or with a first line that starts with a space, came back
// changed (docs/decisions.md "Forms in an editor"). Reading stays yaml-cpp's,
// through the form loader, and every document written is read back with it
// before it is handed out.
#include <custody/records/form.hpp>
#include <custody/records/form_yaml.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <vector>

namespace custody::form {

namespace {

enum class Quoting { natural, always };

// The order of every object's keys in the form schema, by the object's JSON
// pointer ("" for the form, "/incident", ...), read from the schema's text
// (the parsed schema keeps keys sorted).
using KeyOrder = std::map<std::string, std::vector<std::string>>;

void
collect_order(const nlohmann::ordered_json& node,
              const std::string& pointer,
              KeyOrder& order)
{
  if (!node.is_object()) {
    return;
  }
  const auto properties = node.find("properties");
  if (properties == node.end() || !properties->is_object()) {
    return;
  }
  auto& keys = order[pointer];
  for (const auto& [key, child] : properties->items()) {
    keys.push_back(key);
    std::string child_pointer = pointer;
    child_pointer.append("/").append(key);
    collect_order(child, child_pointer, order);
  }
}

KeyOrder
key_order(const schema::SchemaSet& schemas)
{
  KeyOrder order;
  const auto& files = schema::embedded_files();
  const auto found = files.find(schemas.root_path());
  if (found == files.end()) {
    return order;
  }
  const auto parsed =
    nlohmann::ordered_json::parse(found->second, nullptr, false);
  collect_order(parsed, "", order);
  return order;
}

std::vector<std::string>
ordered_keys(const json::Json& object,
             const std::string& pointer,
             const KeyOrder& order)
{
  std::vector<std::string> keys;
  if (const auto known = order.find(pointer); known != order.end()) {
    for (const auto& key : known->second) {
      if (object.contains(key)) {
        keys.push_back(key);
      }
    }
  }
  for (const auto& [key, value] : object.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      keys.push_back(key);
    }
  }
  return keys;
}

bool
lower_equals(std::string_view text, std::string_view word)
{
  return text.size() == word.size()
         && std::equal(
           text.begin(), text.end(), word.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

// Characters YAML reads as line breaks or refuses in a document: C0 and C1
// controls, NEL, the line and paragraph separators and the byte order mark.
bool
has_special_characters(std::string_view text, bool allow_line_breaks)
{
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n' && allow_line_breaks) {
      continue;
    }
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
      return true;
    }
    const std::string_view rest = text.substr(i);
    if ((byte == 0xc2 && rest.size() > 1
         && static_cast<unsigned char>(rest[1]) < 0xa0)
        || rest.starts_with("\xe2\x80\xa8") || rest.starts_with("\xe2\x80\xa9")
        || rest.starts_with("\xef\xbb\xbf")) {
      return true;
    }
  }
  return false;
}

// `text` with every character has_special_characters() looks for made a '?'.
std::string
comment_safe(const std::string& text)
{
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::string_view rest = std::string_view(text).substr(i);
    std::size_t length = 0;
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
      length = 1;
    } else if (byte == 0xc2 && rest.size() > 1
               && static_cast<unsigned char>(rest[1]) < 0xa0) {
      length = 2;
    } else if (rest.starts_with("\xe2\x80\xa8")
               || rest.starts_with("\xe2\x80\xa9")
               || rest.starts_with("\xef\xbb\xbf")) {
      length = 3;
    }
    if (length == 0) {
      out += text[i];
      continue;
    }
    out += '?';
    i += length - 1;
  }
  return out;
}

// Whether `text` may be written as a plain scalar and read back as itself. The
// loader takes a scalar as text where the schema wants text, so `no` or `08:30`
// would come back unchanged; they are quoted anyway, as the examples quote
// dates, so that a person reading the file is not left to wonder.
bool
plain(std::string_view text, bool in_flow)
{
  if (text.empty() || text.front() == ' ' || text.back() == ' '
      || text.back() == '\t' || text.back() == ':'
      || has_special_characters(text, false)) {
    return false;
  }
  const auto first = static_cast<unsigned char>(text.front());
  if (std::isdigit(first) != 0
      || std::string_view("-?:,[]{}#&*!|>'\"%@`+.~\t").find(text.front())
           != std::string_view::npos) {
    return false;
  }
  if (text.find(": ") != std::string_view::npos
      || text.find(" #") != std::string_view::npos
      || text.find(":\t") != std::string_view::npos
      || text.find("\t#") != std::string_view::npos) {
    return false;
  }
  if (in_flow && text.find_first_of(",[]{}") != std::string_view::npos) {
    return false;
  }
  static constexpr std::array<std::string_view, 9> k_words{
    "true", "false", "yes", "no", "on", "off", "y", "n", "null"};
  return std::ranges::none_of(k_words, [text](std::string_view word) {
    return lower_equals(text, word);
  });
}

std::string
quoted(const std::string& text)
{
  // A JSON string is a YAML double-quoted scalar: the same escapes.
  return json::Json(text).dump(
    -1, ' ', false, json::Json::error_handler_t::replace);
}

std::string
scalar(const json::Json& value, bool in_flow, Quoting quoting)
{
  if (!value.is_string()) {
    return value.dump();
  }
  const auto& text = value.get_ref<const std::string&>();
  return quoting == Quoting::natural && plain(text, in_flow) ? text
                                                             : quoted(text);
}

// `text` (with a line break) as a literal block scalar under a key indented
// by `indent`, or nothing when it cannot be one.
std::optional<std::string>
literal_block(const std::string& text, std::size_t indent)
{
  if (has_special_characters(text, true)) {
    return std::nullopt;
  }
  std::size_t trailing = 0;
  while (trailing < text.size() && text[text.size() - 1 - trailing] == '\n') {
    ++trailing;
  }
  const std::string body = text.substr(0, text.size() - trailing);
  std::vector<std::string_view> lines;
  for (std::size_t start = 0;;) {
    const auto end = body.find('\n', start);
    lines.push_back(std::string_view(body).substr(start, end - start));
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  // The indentation is read off the first line that is not blank, unless
  // given: give it when a line's own leading spaces could be taken for it.
  const auto first_content =
    std::find_if(lines.begin(), lines.end(), [](std::string_view line) {
      return line.find_first_not_of(' ') != std::string_view::npos;
    });
  const bool needs_indicator =
    first_content == lines.end() || first_content->front() == ' '
    || std::any_of(lines.begin(), first_content, [](std::string_view line) {
         return !line.empty();
       });
  const std::size_t block_indent = indent + 2;
  std::string out = "|";
  if (needs_indicator) {
    out += "2";
  }
  out += trailing == 0 ? "-" : (trailing == 1 ? "" : "+");
  out += "\n";
  for (const auto& line : lines) {
    if (!line.empty()) {
      out += std::string(block_indent, ' ');
      out += line;
    }
    out += "\n";
  }
  for (std::size_t i = 1; i < trailing; ++i) {
    out += "\n";
  }
  // The block is checked as yaml-cpp reads it: any doubt, and it is quoted.
  try {
    const auto node = YAML::Load(std::string(indent, ' ') + "k: " + out
                                 + std::string(indent, ' ') + "z: 1\n");
    if (!node["k"].IsScalar() || node["k"].Scalar() != text) {
      return std::nullopt;
    }
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
  return out;
}

void
write_object(std::string& out,
             const json::Json& object,
             const std::string& pointer,
             std::size_t indent,
             const KeyOrder& order,
             Quoting quoting)
{
  const std::string pad(indent, ' ');
  for (const auto& key : ordered_keys(object, pointer, order)) {
    const json::Json& value = object.at(key);
    const std::string name = scalar(json::Json(key), false, quoting);
    if (value.is_object()) {
      if (value.empty()) {
        out += pad + name + ": {}\n";
        continue;
      }
      out += pad + name + ":\n";
      std::string child_pointer = pointer;
      child_pointer.append("/").append(key);
      write_object(out, value, child_pointer, indent + 2, order, quoting);
      continue;
    }
    if (value.is_array()) {
      std::string items;
      for (const auto& item : value) {
        items += items.empty() ? "" : ", ";
        items += item.is_object() || item.is_array()
                   ? item.dump()
                   : scalar(item, true, quoting);
      }
      out.append(pad).append(name).append(": [").append(items).append("]\n");
      continue;
    }
    if (quoting == Quoting::natural && value.is_string()
        && value.get_ref<const std::string&>().find('\n')
             != std::string::npos) {
      if (auto block =
            literal_block(value.get_ref<const std::string&>(), indent)) {
        out += pad + name + ": " + *block;
        continue;
      }
    }
    out += pad + name + ": " + scalar(value, false, quoting) + "\n";
  }
}

std::string
render(const json::Json& form,
       std::string_view comment,
       const KeyOrder& order,
       Quoting quoting)
{
  std::string out;
  for (std::size_t start = 0; start <= comment.size() && !comment.empty();) {
    const auto end = comment.find('\n', start);
    // A control character could end the comment early (a carriage return
    // is a line break to YAML) and turn the rest of the line into data.
    const std::string line =
      comment_safe(std::string(comment.substr(start, end - start)));
    out += line.empty() ? "#\n" : "# " + line + "\n";
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  write_object(out, form, "", 0, order, quoting);
  return out;
}

bool
reads_back(const std::string& text,
           const json::Json& form,
           const schema::SchemaSet& schemas)
{
  const auto batch = check_text(text, "(form)", Format::yaml, schemas);
  return batch.ok() && batch.forms.size() == 1
         && batch.forms.front().value == form;
}

} // namespace

std::string
to_yaml(const json::Json& form,
        const schema::SchemaSet& schemas,
        std::string_view comment)
{
  const auto order = key_order(schemas);
  std::string text = render(form, comment, order, Quoting::natural);
  if (reads_back(text, form, schemas)) {
    return text;
  }
  return render(form, comment, order, Quoting::always);
}

} // namespace custody::form
