// The JSON Schema subset: loading a schema set, validating instances against
// it, and splitting a record into compartments.
#include <custody/base/utf8.hpp>
#include <custody/schema/schema.hpp>

#include <fmt/core.h>
#include <fmt/format.h>
#include <fmt/std.h>

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace custody::schema {

using detail::Location;

struct SchemaSet::Impl
{
  // Nodes of these documents are referred to by address: the map is filled
  // once while loading and never changed after.
  std::map<std::string, Json, std::less<>> documents;
  std::string root;
  // Each object schema holding a `$ref` -> the subschema it refers to.
  std::unordered_map<const Json*, Location> refs;
  // Each object schema holding a `pattern` -> the compiled pattern.
  std::unordered_map<const Json*, std::unique_ptr<const re2::RE2>> patterns;
};

namespace {

constexpr std::array<std::string_view, 6> k_type_names = {
  "null", "boolean", "integer", "string", "object", "array"};

const std::set<std::string_view, std::less<>> k_annotations = {
  "$schema",
  "$id",
  "title",
  "description",
  "x-compartment",
  "x-terms",
  "deprecated",
  "$comment",
  "examples",
  "default",
};

const std::set<std::string_view, std::less<>> k_keywords = {
  "type",
  "properties",
  "required",
  "additionalProperties",
  "enum",
  "const",
  "pattern",
  "items",
  "minItems",
  "maxItems",
  "maxLength",
  "$ref",
  "$defs",
  "format",
};

std::optional<TypeSet>
type_from_name(std::string_view name)
{
  for (std::size_t i = 0; i < k_type_names.size(); ++i) {
    if (k_type_names.at(i) == name) {
      return TypeSet{1U << i};
    }
  }
  return std::nullopt;
}

// The `type` keyword as a set; k_any_type when absent. Loading checked it.
TypeSet
declared_types(const Json& schema)
{
  const auto it = schema.find("type");
  if (it == schema.end()) {
    return k_any_type;
  }
  if (it->is_string()) {
    return *type_from_name(it->get_ref<const std::string&>());
  }
  TypeSet types = 0;
  for (const auto& name : *it) {
    types |= *type_from_name(name.get_ref<const std::string&>());
  }
  return types;
}

std::string
join(const std::vector<std::string>& items, std::string_view separator)
{
  return fmt::format("{}", fmt::join(items, separator));
}

// Lists allowed values, the first `shown` of them.
std::string
list_values(const Json& values, std::size_t shown = 10)
{
  std::vector<std::string> items;
  for (const auto& value : values) {
    if (items.size() == shown) {
      items.emplace_back(fmt::format("… ({} in all)", values.size()));
      break;
    }
    items.push_back(value.is_string() ? value.get<std::string>()
                                      : value.dump());
  }
  return join(items, ", ");
}

// The optimal string alignment distance: insertions, deletions,
// substitutions and transpositions of neighbours each cost one, so that
// "lsit" is one step from "list" (a slip of two fingers), not two.
std::size_t
edit_distance(std::string_view a, std::string_view b)
{
  std::vector<std::size_t> before(b.size() + 1);
  std::vector<std::size_t> above(b.size() + 1);
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    above[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({above[j] + 1, row[j - 1] + 1, above[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
    }
    std::swap(before, above);
    std::swap(above, row);
  }
  return above[b.size()];
}

std::string
lowercase(std::string_view text)
{
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

std::string
thousands(std::size_t n)
{
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out.push_back(',');
    }
    out.push_back(digits[i]);
  }
  return out;
}

std::string
plural(std::size_t n, std::string_view one, std::string_view many)
{
  return fmt::format("{} {}", thousands(n), n == 1 ? one : many);
}

// The problem with a `format: date` string, or nothing when it is a valid
// calendar date written YYYY-MM-DD. Never quotes the text.
std::optional<std::string>
date_problem(std::string_view text)
{
  const auto digits = [&](std::size_t from, std::size_t count) {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') {
        return -1;
      }
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  constexpr std::string_view k_shape = "must be a date written YYYY-MM-DD";
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::string(k_shape);
  }
  const int year = digits(0, 4);
  const int month = digits(5, 2);
  const int day = digits(8, 2);
  if (year < 0 || month < 0 || day < 0) {
    return std::string(k_shape);
  }
  if (month < 1 || month > 12) {
    return "is not a valid date: the month must be 01 to 12";
  }
  constexpr std::array<int, 12> k_days = {
    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int last = k_days.at(static_cast<std::size_t>(month - 1))
                   + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > last) {
    return fmt::format(
      "is not a valid date: the day must be 01 to {} for that month", last);
  }
  return std::nullopt;
}

std::string
unescape_token(std::string_view token)
{
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && token[i + 1] == '1') {
      out.push_back('/');
      ++i;
    } else if (token[i] == '~' && i + 1 < token.size() && token[i + 1] == '0') {
      out.push_back('~');
      ++i;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

// The node `pointer` (RFC 6901, "" or "/a/b") names in `document`.
const Json*
resolve_pointer(const Json& document, std::string_view pointer)
{
  const Json* node = &document;
  while (!pointer.empty()) {
    pointer.remove_prefix(1); // the '/'
    const auto end = pointer.find('/');
    const std::string token = unescape_token(pointer.substr(0, end));
    pointer =
      end == std::string_view::npos ? std::string_view() : pointer.substr(end);
    if (node->is_object()) {
      const auto it = node->find(token);
      if (it == node->end()) {
        return nullptr;
      }
      node = &*it;
    } else if (node->is_array()) {
      std::size_t index = 0;
      for (const char c : token) {
        if (c < '0' || c > '9') {
          return nullptr;
        }
        index = index * 10 + static_cast<std::size_t>(c - '0');
      }
      if (token.empty() || index >= node->size()) {
        return nullptr;
      }
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

std::optional<std::string>
normalise_path(const std::filesystem::path& path)
{
  const auto normal = path.lexically_normal();
  if (normal.empty() || normal.is_absolute()
      || *normal.begin() == std::filesystem::path("..")) {
    return std::nullopt;
  }
  return normal.generic_string();
}

bool
is_schema(const Json& value)
{
  return value.is_object() || value.is_boolean();
}

bool
is_count(const Json& value)
{
  return value.is_number_unsigned()
         || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
}

// Compiles a pattern for JSON Schema's search semantics on code points. RE2
// runs in time linear in the string's length whatever the pattern, needs no
// stack per character, and takes the UTF-8 as it is; its syntax is
// ECMAScript's for what schemas use (classes, anchors, repetition,
// alternation), and it refuses back-references and look-around. Differences:
// docs/records.md section 1.
[[nodiscard]] Result<std::unique_ptr<const re2::RE2>>
compile_pattern(const std::string& pattern)
{
  re2::RE2::Options options;
  options.set_encoding(re2::RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  options.set_never_capture(true);
  auto compiled = std::make_unique<const re2::RE2>(pattern, options);
  if (!compiled->ok()) {
    return fail(Errc::invalid_input, "{}", compiled->error());
  }
  return compiled;
}

// Loads files into an Impl, checking each schema as it goes.
class Loader
{
public:
  Loader(SchemaSet::Impl& impl, const SchemaSet::Source& source)
    : m_impl(impl),
      m_source(source)
  {
  }

  Result<void>
  run(std::string_view root)
  {
    const auto normal = normalise_path(std::string(root));
    if (!normal) {
      return fail(Errc::invalid_input,
                  "schema root {:?} must be a relative path inside the set",
                  root);
    }
    m_impl.root = *normal;
    CUSTODY_TRY(load_file(m_impl.root, "the root schema"));
    // Loading a file may add references to more files: the list grows while
    // it is walked, so by index, and each copied before it is used.
    // NOLINTNEXTLINE(modernize-loop-convert)
    for (std::size_t i = 0; i < m_pending.size(); ++i) {
      const Pending pending = m_pending[i];
      CUSTODY_TRY(
        load_file(pending.file, fmt::format("$ref at {}", pending.where)));
    }
    for (const auto& pending : m_pending) {
      CUSTODY_TRY(resolve(pending));
    }
    return check_cycles();
  }

private:
  struct Pending
  {
    const Json* node;
    std::string file;
    std::string fragment;
    std::string where;
  };

  Result<void>
  load_file(const std::string& path, const std::string& referrer)
  {
    if (m_impl.documents.contains(path)) {
      return {};
    }
    auto text = m_source(path);
    if (!text) {
      return make_error(
        text.error().code,
        fmt::format(
          "schema {} (named by {}): {}", path, referrer, text.error().message));
    }
    auto document = json::parse_strict(*text);
    if (!document) {
      return fail(
        Errc::invalid_input, "schema {}: {}", path, document.error().message);
    }
    const auto [it, inserted] =
      m_impl.documents.emplace(path, std::move(*document));
    return walk(it->second, it->first, "");
  }

  static Error
  problem(const std::string& file,
          const std::string& pointer,
          const std::string& message)
  {
    return Error{Errc::invalid_input,
                 fmt::format("schema {}#{}: {}", file, pointer, message),
                 {}};
  }

  Result<void>
  walk_child(const Json& node,
             const std::string& file,
             const std::string& pointer)
  {
    return walk(node, file, pointer);
  }

  Result<void>
  walk_map(const Json& value,
           const std::string& file,
           const std::string& pointer,
           std::string_view keyword)
  {
    if (!value.is_object()) {
      return tl::unexpected(problem(
        file, pointer, fmt::format("{} must map names to schemas", keyword)));
    }
    for (const auto& [name, child] : value.items()) {
      CUSTODY_TRY(walk_child(child, file, append_pointer(pointer, name)));
    }
    return {};
  }

  Result<void>
  walk(const Json& node, const std::string& file, const std::string& pointer)
  {
    if (!is_schema(node)) {
      return tl::unexpected(
        problem(file, pointer, "a schema must be an object or a boolean"));
    }
    m_schemas.insert(&node);
    if (node.is_boolean()) {
      return {};
    }
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    for (auto item = node.begin(); item != node.end(); ++item) {
      const std::string& key = item.key();
      const Json& value = item.value();
      const std::string here = append_pointer(pointer, key);
      const auto bad = [&](std::string_view what) {
        return tl::unexpected(
          problem(file, here, fmt::format("{} {}", key, what)));
      };
      if (k_annotations.contains(key)) {
        if (key == "x-compartment") {
          const bool known = value.is_string()
                             && std::find(k_compartments.begin(),
                                          k_compartments.end(),
                                          value.get_ref<const std::string&>())
                                  != k_compartments.end();
          if (!known) {
            return bad(fmt::format("must be one of: {}",
                                   fmt::join(k_compartments, ", ")));
          }
        }
        continue;
      }
      if (!k_keywords.contains(key)) {
        return tl::unexpected(problem(
          file,
          here,
          fmt::format(
            "unknown keyword {:?}: custody's validator supports only {}",
            key,
            fmt::join(k_keywords, ", "))));
      }
      if (key == "type") {
        if (value.is_string()) {
          if (!type_from_name(value.get_ref<const std::string&>())) {
            return bad(fmt::format("must name one of: {}",
                                   fmt::join(k_type_names, ", ")));
          }
        } else if (value.is_array() && !value.empty()) {
          TypeSet seen = 0;
          for (const auto& name : value) {
            const auto type = name.is_string()
                                ? type_from_name(name.get<std::string>())
                                : std::nullopt;
            if (!type || (seen & *type) != 0) {
              return bad(fmt::format("must list distinct types of: {}",
                                     fmt::join(k_type_names, ", ")));
            }
            seen |= *type;
          }
        } else {
          return bad("must be a type name or a non-empty list of them");
        }
      } else if (key == "properties" || key == "$defs") {
        CUSTODY_TRY(walk_map(value, file, here, key));
      } else if (key == "additionalProperties" || key == "items") {
        CUSTODY_TRY(walk_child(value, file, here));
      } else if (key == "required") {
        std::set<std::string> names;
        if (!value.is_array()) {
          return bad("must be a list of field names");
        }
        for (const auto& name : value) {
          if (!name.is_string()
              || !names.insert(name.get<std::string>()).second) {
            return bad("must be a list of distinct field names");
          }
        }
      } else if (key == "enum") {
        if (!value.is_array() || value.empty()) {
          return bad("must be a non-empty list");
        }
      } else if (key == "minItems" || key == "maxItems" || key == "maxLength") {
        if (!is_count(value)) {
          return bad("must be a non-negative integer");
        }
      } else if (key == "format") {
        if (value != "date") {
          return bad("is not supported: the only format is \"date\"");
        }
      } else if (key == "pattern") {
        if (!value.is_string()) {
          return bad("must be a string");
        }
        auto compiled = compile_pattern(value.get_ref<const std::string&>());
        if (!compiled) {
          return bad(fmt::format("does not compile as a regular expression "
                                 "without back-references or look-around: {}",
                                 compiled.error().message));
        }
        m_impl.patterns.emplace(&node, std::move(*compiled));
      } else if (key == "$ref") {
        CUSTODY_TRY(add_ref(node, value, file, here));
      }
      // `const` takes any value.
    }
    return {};
  }

  Result<void>
  add_ref(const Json& node,
          const Json& value,
          const std::string& file,
          const std::string& pointer)
  {
    if (!value.is_string()) {
      return tl::unexpected(problem(file, pointer, "$ref must be a string"));
    }
    const auto& ref = value.get_ref<const std::string&>();
    const auto hash = ref.find('#');
    const std::string path = ref.substr(0, hash);
    const std::string fragment =
      hash == std::string::npos ? std::string() : ref.substr(hash + 1);
    if (path.find(':') != std::string::npos || (!path.empty() && path[0] == '/')
        || path.find('\\') != std::string::npos) {
      return tl::unexpected(problem(
        file,
        pointer,
        "$ref must be a file relative to this one, a #/pointer, or both"));
    }
    if (!fragment.empty() && fragment[0] != '/') {
      return tl::unexpected(problem(
        file, pointer, "$ref fragments must be JSON pointers (#/$defs/name)"));
    }
    std::string target = file;
    if (!path.empty()) {
      const auto normal =
        normalise_path(std::filesystem::path(file).parent_path() / path);
      if (!normal) {
        return tl::unexpected(
          problem(file, pointer, "$ref leads outside the schema set"));
      }
      target = *normal;
    }
    m_pending.push_back(
      Pending{&node, target, fragment, fmt::format("{}#{}", file, pointer)});
    return {};
  }

  Result<void>
  resolve(const Pending& pending)
  {
    const auto document = m_impl.documents.find(pending.file);
    const Json* target = resolve_pointer(document->second, pending.fragment);
    if (target == nullptr || !m_schemas.contains(target)) {
      return fail(Errc::invalid_input,
                  "schema {}: $ref points at no schema in {}",
                  pending.where,
                  pending.file);
    }
    m_impl.refs.emplace(pending.node, Location{target, &document->first});
    return {};
  }

  // A chain of `$ref`s that comes back to where it started would make
  // validation loop without consuming the instance.
  Result<void>
  check_cycles() const
  {
    for (const auto& pending : m_pending) {
      std::unordered_set<const Json*> seen{pending.node};
      const Json* node = pending.node;
      while (true) {
        const auto it = m_impl.refs.find(node);
        if (it == m_impl.refs.end()) {
          break;
        }
        node = it->second.schema;
        if (!seen.insert(node).second) {
          return fail(
            Errc::invalid_input, "schema {}: a cycle of $refs", pending.where);
        }
      }
    }
    return {};
  }

  SchemaSet::Impl& m_impl;
  const SchemaSet::Source& m_source;
  std::vector<Pending> m_pending;
  std::unordered_set<const Json*> m_schemas;
};

// Appends `location` and the targets of its `$ref`s.
void
expand(const SchemaSet::Impl& impl,
       Location location,
       std::vector<Location>& out)
{
  while (location.schema != nullptr) {
    out.push_back(location);
    const auto it = impl.refs.find(location.schema);
    location = it == impl.refs.end() ? Location{} : it->second;
  }
}

// The subschemas for member `name` of an object at `locations`.
std::vector<Location>
child_property(const SchemaSet::Impl& impl,
               const std::vector<Location>& locations,
               std::string_view name)
{
  std::vector<Location> out;
  for (const auto& location : locations) {
    const Json& schema = *location.schema;
    if (!schema.is_object()) {
      continue;
    }
    if (const auto properties = schema.find("properties");
        properties != schema.end()) {
      if (const auto it = properties->find(name); it != properties->end()) {
        expand(impl, Location{&*it, location.file}, out);
        continue;
      }
    }
    if (const auto it = schema.find("additionalProperties");
        it != schema.end()) {
      expand(impl, Location{&*it, location.file}, out);
    }
  }
  return out;
}

// The subschemas for the items of an array at `locations`.
std::vector<Location>
child_items(const SchemaSet::Impl& impl, const std::vector<Location>& locations)
{
  std::vector<Location> out;
  for (const auto& location : locations) {
    const Json& schema = *location.schema;
    if (schema.is_object()) {
      if (const auto it = schema.find("items"); it != schema.end()) {
        expand(impl, Location{&*it, location.file}, out);
      }
    }
  }
  return out;
}

class Validator
{
public:
  Validator(const SchemaSet::Impl& impl, const Options& options)
    : m_impl(impl),
      m_options(options),
      m_ignored(options.ignore_under.begin(), options.ignore_under.end())
  {
  }

  void
  check(const Json& instance, Location location, const std::string& pointer)
  {
    const Json& schema = *location.schema;
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) {
        add(pointer, "is not allowed here");
      }
      return;
    }
    if (const auto ref = m_impl.refs.find(&schema); ref != m_impl.refs.end()) {
      check(instance, ref->second, pointer);
    }
    const TypeSet actual = type_of(instance);
    const TypeSet allowed = declared_types(schema);
    if ((actual & allowed) == 0) {
      add(pointer,
          fmt::format("must be {}, not {}",
                      describe_types(allowed),
                      actual == 0 ? "a fraction" : describe_types(actual)));
      return;
    }
    if (const auto it = schema.find("const");
        it != schema.end() && instance != *it) {
      add(pointer,
          fmt::format("must be {}",
                      it->is_string() ? it->get<std::string>() : it->dump()));
    }
    if (const auto it = schema.find("enum"); it != schema.end()) {
      check_enum(instance, *it, pointer);
    }
    if (instance.is_string()) {
      check_string(instance.get_ref<const std::string&>(), schema, pointer);
    } else if (instance.is_array()) {
      check_array(instance, schema, location, pointer);
    } else if (instance.is_object()) {
      check_object(instance, schema, location, pointer);
    }
  }

  Report
  take()
  {
    return std::move(m_report);
  }

private:
  // Whether problems at `pointer` are wanted: not at or below an ignored one.
  bool
  wanted(const std::string& pointer) const
  {
    if (m_ignored.empty()) {
      return true;
    }
    std::string_view at = pointer;
    while (true) {
      if (m_ignored.contains(std::string(at))) {
        return false;
      }
      if (at.empty()) {
        return true;
      }
      at = at.substr(0, at.rfind('/'));
    }
  }

  // Counts a problem, and lists it while there is room; `make_message` runs
  // only then, so a form with a million bad values costs no million messages.
  template<typename MakeMessage>
  void
  add_lazy(const std::string& pointer, MakeMessage&& make_message)
  {
    if (!wanted(pointer)) {
      return;
    }
    if (m_report.problems.size() >= m_options.max_problems) {
      ++m_report.total;
      return;
    }
    std::string message = std::forward<MakeMessage>(make_message)();
    // A node and its $ref target may both reject a value for one reason.
    for (const auto& problem : m_report.problems) {
      if (problem.pointer == pointer && problem.message == message) {
        return;
      }
    }
    ++m_report.total;
    m_report.problems.push_back(Problem{pointer, std::move(message)});
  }

  void
  add(const std::string& pointer, std::string message)
  {
    add_lazy(pointer, [&] { return std::move(message); });
  }

  void
  check_enum(const Json& instance,
             const Json& allowed,
             const std::string& pointer)
  {
    if (std::find(allowed.begin(), allowed.end(), instance) != allowed.end()) {
      return;
    }
    const bool all_strings =
      std::all_of(allowed.begin(), allowed.end(), [](const Json& value) {
        return value.is_string();
      });
    if (!all_strings || !instance.is_string()) {
      add_lazy(pointer, [&] {
        return fmt::format("must be one of: {}", list_values(allowed));
      });
      return;
    }
    add_lazy(pointer, [&] {
      std::vector<std::string> codes;
      for (const auto& value : allowed) {
        codes.push_back(value.get<std::string>());
      }
      std::string message = fmt::format("is not one of the allowed codes: {}",
                                        list_values(allowed));
      if (auto guess = closest(instance.get_ref<const std::string&>(), codes)) {
        message += fmt::format("; did you mean {}?", *guess);
      }
      return message;
    });
  }

  void
  check_string(const std::string& text,
               const Json& schema,
               const std::string& pointer)
  {
    if (text.size() > m_options.max_string_bytes) {
      add(pointer,
          fmt::format("is too long: {}, at most {} allowed",
                      plural(text.size(), "byte", "bytes"),
                      plural(m_options.max_string_bytes, "byte", "bytes")));
      // Matching a pattern against an oversized string is wasted time.
      return;
    }
    if (const auto it = schema.find("maxLength"); it != schema.end()) {
      const auto limit = it->get<std::size_t>();
      const std::size_t length = utf8::count_code_points(text);
      if (length > limit) {
        add(pointer,
            fmt::format("is too long: {}, at most {} allowed",
                        plural(length, "character", "characters"),
                        thousands(limit)));
        // Too long says enough; this keeps the pattern's cost within what
        // the schema allows.
        return;
      }
    }
    if (const auto it = m_impl.patterns.find(&schema);
        it != m_impl.patterns.end()) {
      if (!re2::RE2::PartialMatch(text, *it->second)) {
        const auto& pattern =
          schema.at("pattern").get_ref<const std::string&>();
        add(
          pointer,
          fmt::format("does not have the required form (pattern {})", pattern));
      }
    }
    if (schema.contains("format")) {
      if (auto problem = date_problem(text)) {
        add(pointer, std::move(*problem));
      }
    }
  }

  void
  check_array(const Json& instance,
              const Json& schema,
              Location location,
              const std::string& pointer)
  {
    if (const auto it = schema.find("minItems"); it != schema.end()) {
      const auto limit = it->get<std::size_t>();
      if (instance.size() < limit) {
        add(pointer,
            fmt::format("must have at least {}{}",
                        plural(limit, "item", "items"),
                        instance.empty()
                          ? std::string()
                          : fmt::format(" (it has {})", instance.size())));
      }
    }
    if (const auto it = schema.find("maxItems"); it != schema.end()) {
      const auto limit = it->get<std::size_t>();
      if (instance.size() > limit) {
        add(pointer,
            fmt::format("must have at most {} (it has {})",
                        plural(limit, "item", "items"),
                        thousands(instance.size())));
      }
    }
    if (const auto it = schema.find("items"); it != schema.end()) {
      for (std::size_t i = 0; i < instance.size(); ++i) {
        check(instance[i],
              Location{&*it, location.file},
              append_pointer(pointer, std::to_string(i)));
      }
    }
  }

  void
  check_object(const Json& instance,
               const Json& schema,
               Location location,
               const std::string& pointer)
  {
    if (const auto it = schema.find("required"); it != schema.end()) {
      for (const auto& name : *it) {
        const auto& key = name.get_ref<const std::string&>();
        if (!instance.contains(key)) {
          add(append_pointer(pointer, key), "is required");
        }
      }
    }
    const auto properties = schema.find("properties");
    const auto additional = schema.find("additionalProperties");
    for (const auto& [key, value] : instance.items()) {
      const std::string here = append_pointer(pointer, key);
      if (properties != schema.end()) {
        if (const auto it = properties->find(key); it != properties->end()) {
          check(value, Location{&*it, location.file}, here);
          continue;
        }
      }
      if (additional == schema.end()) {
        continue;
      }
      if (*additional == false) {
        // A named copy: clang 14 cannot capture a structured binding.
        const std::string& name = key;
        add_lazy(here,
                 [&] { return unknown_field(name, properties, schema.end()); });
      } else {
        check(value, Location{&*additional, location.file}, here);
      }
    }
  }

  static std::string
  unknown_field(const std::string& key,
                const Json::const_iterator& properties,
                const Json::const_iterator& none)
  {
    std::vector<std::string> names;
    if (properties != none) {
      for (const auto& [name, ignored] : properties->items()) {
        names.push_back(name);
      }
    }
    if (names.empty()) {
      return "is not allowed: this object takes no fields";
    }
    std::string message =
      fmt::format("is not a field here; allowed: {}", join(names, ", "));
    if (auto guess = closest(key, names)) {
      message += fmt::format("; did you mean {}?", *guess);
    }
    return message;
  }

  const SchemaSet::Impl& m_impl;
  const Options& m_options;
  std::unordered_set<std::string> m_ignored;
  Report m_report;
};

std::vector<std::string>
declared_compartments(const std::vector<Location>& locations)
{
  std::set<std::string> names;
  for (const auto& location : locations) {
    if (location.schema->is_object()) {
      if (const auto it = location.schema->find("x-compartment");
          it != location.schema->end()) {
        names.insert(it->get<std::string>());
      }
    }
  }
  return {names.begin(), names.end()};
}

bool
is_interior(const std::vector<Location>& locations)
{
  return std::any_of(
    locations.begin(), locations.end(), [](const Location& location) {
      return location.schema->is_object()
             && location.schema->contains("properties");
    });
}

bool
is_false(const std::vector<Location>& locations)
{
  return std::any_of(
    locations.begin(), locations.end(), [](const Location& location) {
      return *location.schema == false;
    });
}

} // namespace

// The candidate `value` most likely meant: one equal but for case, the one
// whose last dotted segment it is, or the nearest by edit distance when that
// is small for the candidate's length.
std::optional<std::string>
closest(std::string_view value, const std::vector<std::string>& candidates)
{
  constexpr std::size_t k_longest_compared = 256;
  if (value.empty() || value.size() > k_longest_compared) {
    return std::nullopt;
  }
  const std::string lower = lowercase(value);
  std::vector<const std::string*> by_segment;
  for (const auto& candidate : candidates) {
    if (lowercase(candidate) == lower) {
      return candidate;
    }
    const auto dot = candidate.rfind('.');
    if (dot != std::string::npos
        && lowercase(std::string_view(candidate).substr(dot + 1)) == lower) {
      by_segment.push_back(&candidate);
    }
  }
  if (by_segment.size() == 1) {
    return *by_segment.front();
  }
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    const std::size_t limit = std::max<std::size_t>(2, candidate.size() / 8);
    const std::size_t length_gap = candidate.size() > value.size()
                                     ? candidate.size() - value.size()
                                     : value.size() - candidate.size();
    if (length_gap > limit) {
      continue;
    }
    const std::size_t distance = edit_distance(lower, lowercase(candidate));
    if (distance <= limit && (!best || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

TypeSet
type_of(const Json& value)
{
  switch (value.type()) {
  case Json::value_t::null:
    return type_null;
  case Json::value_t::boolean:
    return type_boolean;
  case Json::value_t::number_integer:
  case Json::value_t::number_unsigned:
    return type_integer;
  case Json::value_t::string:
    return type_string;
  case Json::value_t::object:
    return type_object;
  case Json::value_t::array:
    return type_array;
  default:
    return 0;
  }
}

std::string
describe_types(TypeSet types)
{
  static constexpr std::array<std::string_view, 6> k_words = {
    "null",
    "true or false",
    "a whole number",
    "text",
    "a group of fields",
    "a list"};
  // Text first: it is what most fields hold.
  static constexpr std::array<std::size_t, 6> k_order = {3, 2, 1, 4, 5, 0};
  std::vector<std::string_view> words;
  for (const std::size_t bit : k_order) {
    if ((types & (1U << bit)) != 0) {
      words.push_back(k_words.at(bit));
    }
  }
  if (words.empty()) {
    return "nothing";
  }
  std::string out(words[0]);
  for (std::size_t i = 1; i < words.size(); ++i) {
    out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

std::string
append_pointer(std::string_view pointer, std::string_view token)
{
  std::string out(pointer);
  out.push_back('/');
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

SchemaSet::SchemaSet(std::shared_ptr<const Impl> impl)
  : m_impl(std::move(impl))
{
}

Result<SchemaSet>
SchemaSet::load(std::string_view root, const Source& source)
{
  auto impl = std::make_shared<Impl>();
  Loader loader(*impl, source);
  CUSTODY_TRY(loader.run(root));
  return SchemaSet(std::move(impl));
}

Result<SchemaSet>
SchemaSet::from_files(std::string_view root, const Files& files)
{
  return load(root, [&](const std::string& path) -> Result<std::string> {
    const auto it = files.find(path);
    if (it == files.end()) {
      return fail(Errc::not_found, "no such schema file");
    }
    return it->second;
  });
}

Result<SchemaSet>
SchemaSet::from_directory(const std::filesystem::path& directory,
                          std::string_view root)
{
  return load(root, [&](const std::string& path) -> Result<std::string> {
    const auto file = directory / path;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return fail(Errc::not_found, "cannot open {}", file);
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
      return fail(Errc::io, "cannot read {}", file);
    }
    return text.str();
  });
}

Result<SchemaSet>
SchemaSet::from_embedded(std::string_view root)
{
  return load(root, [](const std::string& path) -> Result<std::string> {
    const auto& files = embedded_files();
    const auto it = files.find(path);
    if (it == files.end()) {
      return fail(Errc::not_found, "no such schema built into custody");
    }
    return std::string(it->second);
  });
}

const std::string&
SchemaSet::root_path() const
{
  return m_impl->root;
}

std::vector<std::string>
SchemaSet::loaded_files() const
{
  std::vector<std::string> files;
  for (const auto& [path, ignored] : m_impl->documents) {
    files.push_back(path);
  }
  return files;
}

Node
SchemaSet::root() const
{
  const auto it = m_impl->documents.find(m_impl->root);
  std::vector<Location> locations;
  expand(*m_impl, Location{&it->second, &it->first}, locations);
  return Node(m_impl.get(), std::move(locations));
}

Report
SchemaSet::validate(const Json& instance, const Options& options) const
{
  const auto it = m_impl->documents.find(m_impl->root);
  Validator validator(*m_impl, options);
  validator.check(instance, Location{&it->second, &it->first}, "");
  return validator.take();
}

namespace {

class Splitter
{
public:
  Splitter(const SchemaSet::Impl& impl,
           std::map<std::string, Json, std::less<>>& out)
    : m_impl(impl),
      m_out(out)
  {
  }

  // Moves each leaf of `instance` into its compartment. Called once per form
  // of a batch: the compartment names point into the schema, and the leaf's
  // pointer is only spelled out for a message.
  Result<void>
  walk(Json& instance,
       const std::vector<Location>& locations,
       const std::string* inherited)
  {
    const std::string* declared = nullptr;
    for (const auto& location : locations) {
      if (!location.schema->is_object()) {
        continue;
      }
      const auto it = location.schema->find("x-compartment");
      if (it == location.schema->end() || !it->is_string()) {
        continue;
      }
      const auto& name = it->get_ref<const std::string&>();
      if (declared != nullptr && *declared != name) {
        return fail(Errc::invalid_input,
                    "{}: the schema puts it in several compartments ({})",
                    pointer(),
                    fmt::join(declared_compartments(locations), ", "));
      }
      declared = &name;
    }
    const std::string* resolved = declared != nullptr ? declared : inherited;
    if (is_false(locations)) {
      return fail(
        Errc::invalid_input, "{}: not allowed by the schema", pointer());
    }
    if (instance.is_object() && is_interior(locations)) {
      if (instance.empty() && resolved == nullptr) {
        return {}; // nothing to store, and nowhere it must go
      }
      if (!instance.empty()) {
        m_path.emplace_back();
        for (const auto& [key, value] : instance.items()) {
          m_path.back() = key;
          CUSTODY_TRY(
            walk(value, child_property(m_impl, locations, key), resolved));
        }
        m_path.pop_back();
        return {};
      }
    }
    if (resolved == nullptr) {
      const std::string here = pointer();
      return fail(Errc::invalid_input,
                  "{}: the schema puts it in no compartment",
                  here.empty() ? "the record" : here);
    }
    Json* at = &m_out[*resolved];
    for (const auto& key : m_path) {
      at = &(*at)[key];
    }
    *at = std::move(instance);
    return {};
  }

private:
  // The RFC 6901 pointer of the value being walked.
  std::string
  pointer() const
  {
    std::string out;
    for (const auto& key : m_path) {
      out = append_pointer(out, key);
    }
    return out;
  }

  const SchemaSet::Impl& m_impl;
  std::map<std::string, Json, std::less<>>& m_out;
  std::vector<std::string> m_path;
};

} // namespace

Node::Node(const SchemaSet::Impl* impl, std::vector<Location> locations)
  : m_impl(impl),
    m_locations(std::move(locations))
{
}

TypeSet
Node::types() const
{
  TypeSet types = k_any_type;
  for (const auto& location : m_locations) {
    const Json& schema = *location.schema;
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) {
        return 0;
      }
      continue;
    }
    types &= declared_types(schema);
    if (const auto it = schema.find("const"); it != schema.end()) {
      types &= type_of(*it);
    }
    if (const auto it = schema.find("enum"); it != schema.end()) {
      TypeSet listed = 0;
      for (const auto& value : *it) {
        listed |= type_of(value);
      }
      types &= listed;
    }
  }
  return types;
}

Node
Node::property(std::string_view name) const
{
  return Node(m_impl, child_property(*m_impl, m_locations, name));
}

Node
Node::items() const
{
  return Node(m_impl, child_items(*m_impl, m_locations));
}

bool
Node::described() const
{
  return !m_locations.empty();
}

Result<std::map<std::string, Json, std::less<>>>
SchemaSet::split(Json instance) const
{
  std::map<std::string, Json, std::less<>> out;
  for (const auto name : k_compartments) {
    out.emplace(std::string(name), Json::object());
  }
  const auto it = m_impl->documents.find(m_impl->root);
  std::vector<Location> locations;
  expand(*m_impl, Location{&it->second, &it->first}, locations);
  Splitter splitter(*m_impl, out);
  CUSTODY_TRY(splitter.walk(instance, locations, nullptr));
  return out;
}

namespace {

// Walks the schema tree for check_compartments().
class CompartmentChecker
{
public:
  CompartmentChecker(const SchemaSet::Impl& impl,
                     std::vector<CompartmentIssue>& issues)
    : m_impl(impl),
      m_issues(issues)
  {
  }

  void
  walk(const std::vector<Location>& locations,
       const std::optional<std::string>& inherited,
       const std::string& pointer)
  {
    if (locations.empty() || is_false(locations)) {
      return;
    }
    const auto declared = declared_compartments(locations);
    if (declared.size() > 1) {
      m_issues.push_back(CompartmentIssue{pointer, declared});
    }
    const std::optional<std::string> resolved =
      declared.empty() ? inherited : declared.front();
    if (!is_interior(locations)) {
      leaf(locations, resolved, pointer);
      return;
    }
    // A schema that contains itself through `properties` describes a tree;
    // its leaves were seen on the way down.
    const Json* key = locations.front().schema;
    if (!m_open.insert(key).second) {
      return;
    }
    std::set<std::string> names;
    bool closed = false;
    for (const auto& location : locations) {
      const Json& schema = *location.schema;
      if (!schema.is_object()) {
        continue;
      }
      if (const auto it = schema.find("properties"); it != schema.end()) {
        for (const auto& [name, ignored] : it->items()) {
          names.insert(name);
        }
      }
      if (const auto it = schema.find("additionalProperties");
          it != schema.end() && *it == false) {
        closed = true;
      }
    }
    for (const auto& name : names) {
      walk(child_property(m_impl, locations, name),
           resolved,
           append_pointer(pointer, name));
    }
    if (!closed) {
      // Other fields are allowed; they go where `additionalProperties`
      // resolves, or with the object.
      walk_other(locations, resolved, pointer + "/*");
    }
    m_open.erase(key);
  }

private:
  void
  walk_other(const std::vector<Location>& locations,
             const std::optional<std::string>& resolved,
             const std::string& pointer)
  {
    std::vector<Location> other;
    for (const auto& location : locations) {
      const Json& schema = *location.schema;
      if (schema.is_object()) {
        if (const auto it = schema.find("additionalProperties");
            it != schema.end()) {
          expand(m_impl, Location{&*it, location.file}, other);
        }
      }
    }
    if (other.empty()) {
      leaf(other, resolved, pointer);
    } else {
      walk(other, resolved, pointer);
    }
  }

  void
  leaf(const std::vector<Location>& locations,
       const std::optional<std::string>& resolved,
       const std::string& pointer)
  {
    if (!resolved) {
      m_issues.push_back(CompartmentIssue{pointer, {}});
      return;
    }
    // Everything below a leaf goes with it, so a compartment declared below
    // would be ignored: report it.
    std::set<std::string> below;
    std::unordered_set<const Json*> seen;
    for (const auto& location : locations) {
      collect_below(location, below, seen, true);
    }
    below.erase(*resolved);
    if (!below.empty()) {
      std::vector<std::string> names{*resolved};
      names.insert(names.end(), below.begin(), below.end());
      std::sort(names.begin(), names.end());
      m_issues.push_back(CompartmentIssue{pointer, names});
    }
  }

  void
  collect_below(Location location,
                std::set<std::string>& below,
                std::unordered_set<const Json*>& seen,
                bool top)
  {
    const Json& schema = *location.schema;
    if (!schema.is_object() || !seen.insert(&schema).second) {
      return;
    }
    if (!top) {
      if (const auto it = schema.find("x-compartment"); it != schema.end()) {
        below.insert(it->get<std::string>());
      }
    }
    const auto visit = [&](const Json& child) {
      collect_below(Location{&child, location.file}, below, seen, false);
    };
    if (const auto it = schema.find("items"); it != schema.end()) {
      visit(*it);
    }
    if (const auto it = schema.find("additionalProperties");
        it != schema.end()) {
      visit(*it);
    }
    if (const auto it = schema.find("properties"); it != schema.end()) {
      for (const auto& [name, child] : it->items()) {
        visit(child);
      }
    }
    // A $ref target applies at the same level; expand() listed those for the
    // top, below they are part of the subtree.
    if (!top) {
      if (const auto it = m_impl.refs.find(&schema); it != m_impl.refs.end()) {
        collect_below(it->second, below, seen, false);
      }
    }
  }

  const SchemaSet::Impl& m_impl;
  std::vector<CompartmentIssue>& m_issues;
  std::unordered_set<const Json*> m_open;
};

} // namespace

std::vector<CompartmentIssue>
SchemaSet::check_compartments() const
{
  std::vector<CompartmentIssue> issues;
  const auto it = m_impl->documents.find(m_impl->root);
  std::vector<Location> locations;
  expand(*m_impl, Location{&it->second, &it->first}, locations);
  CompartmentChecker checker(*m_impl, issues);
  checker.walk(locations, std::nullopt, "");
  return issues;
}

} // namespace custody::schema
