// Form files: limits, UTF-8, JSON with positions, YAML converted by the
// schema's types, JSON Lines and directories, then schema validation.
#include <custody/base/parallel.hpp>
#include <custody/base/utf8.hpp>
#include <custody/records/form.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>
#include <fmt/std.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace custody::form {

using json::Json;

namespace {

struct Position
{
  std::size_t line = 0;
  std::size_t column = 0;
};

// One form as parsed, before validation.
struct Parsed
{
  Json value;
  bool usable = false; // whether `value` is worth validating
  // Where each value of the form starts, by pointer. JSON forms fill it only
  // when they have a problem to place (locate_json).
  std::unordered_map<std::string, Position> positions;
  // A JSON form's text and first line, until it is validated: enough to
  // locate its values if it has problems.
  std::string_view json_text;
  std::size_t json_first_line = 1;
  std::vector<Problem> problems; // the first Limits::max_problems
  std::size_t problem_count = 0;
  // Pointers whose values were reported already: validation skips them.
  std::vector<std::string> reported;
};

class ProblemList
{
public:
  ProblemList(Parsed& parsed, std::string file, std::size_t limit)
    : m_parsed(parsed),
      m_file(std::move(file)),
      m_limit(limit)
  {
  }

  void
  add(Position position, std::string pointer, std::string message)
  {
    ++m_parsed.problem_count;
    if (m_parsed.problems.size() < m_limit) {
      m_parsed.problems.push_back(Problem{m_file,
                                          position.line,
                                          position.column,
                                          std::move(pointer),
                                          std::move(message)});
    }
  }

private:
  Parsed& m_parsed;
  std::string m_file;
  std::size_t m_limit;
};

std::string
size_text(std::uint64_t bytes)
{
  if (bytes % (1U << 20U) == 0) {
    return fmt::format("{} MiB", bytes >> 20U);
  }
  if (bytes % (1U << 10U) == 0) {
    return fmt::format("{} KiB", bytes >> 10U);
  }
  return fmt::format("{} bytes", bytes);
}

Position
position_of_offset(std::string_view text, std::size_t offset)
{
  Position position{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}

// ---------------------------------------------------------------------------
// JSON: parse_strict() gives the value; this scanner gives where each value
// starts and says where the text is wrong, without quoting it.

class JsonScanner
{
public:
  // With `positions`, records where each value starts and names the value
  // in a failure; without, only checks (a form without problems needs
  // neither, and building every value's pointer is most of the scan).
  JsonScanner(std::string_view text,
              std::size_t first_line,
              std::size_t max_depth,
              std::unordered_map<std::string, Position>* positions)
    : m_text(text),
      m_line(first_line),
      m_max_depth(max_depth),
      m_positions(positions)
  {
  }

  struct Failure
  {
    Position position;
    std::string pointer;
    std::string message;
  };

  // Checks the text and, when `out` is given, builds its value: the same tree
  // json::parse_strict() would, for every text this scanner accepts (a unit
  // test compares them), without a second pass over the text.
  std::optional<Failure>
  scan(Json* out = nullptr)
  {
    if (m_text.substr(0, 3) == "\xEF\xBB\xBF") {
      m_pos = 3; // a byte order mark
      m_line_start = 3;
    }
    skip_space();
    if (value("", 0, out)) {
      skip_space();
      if (m_pos != m_text.size()) {
        error("", "invalid JSON: more text after the value");
      }
    }
    return m_failure;
  }

private:
  Position
  here() const
  {
    return Position{m_line, m_pos - m_line_start + 1};
  }

  bool
  error(const std::string& pointer, std::string message)
  {
    if (!m_failure) {
      m_failure = Failure{here(), pointer, std::move(message)};
    }
    return false;
  }

  bool
  at_end() const
  {
    return m_pos >= m_text.size();
  }

  char
  peek() const
  {
    return at_end() ? '\0' : m_text[m_pos];
  }

  void
  skip_space()
  {
    while (!at_end()) {
      const char c = m_text[m_pos];
      if (c == '\n') {
        ++m_pos;
        ++m_line;
        m_line_start = m_pos;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++m_pos;
      } else {
        break;
      }
    }
  }

  // Scans one value; builds it into `out` when given.
  bool
  value(const std::string& pointer, std::size_t depth, Json* out)
  {
    if (m_positions != nullptr) {
      (*m_positions)[pointer] = here();
    }
    switch (peek()) {
    case '{':
      return object(pointer, depth + 1, out);
    case '[':
      return array(pointer, depth + 1, out);
    case '"': {
      if (out == nullptr) {
        return string(pointer, nullptr);
      }
      std::string text;
      if (!string(pointer, &text)) {
        return false;
      }
      *out = std::move(text);
      return true;
    }
    case 't':
      return literal(pointer, "true", out, Json(true));
    case 'f':
      return literal(pointer, "false", out, Json(false));
    case 'n':
      return literal(pointer, "null", out, Json(nullptr));
    default:
      return number(pointer, out);
    }
  }

  bool
  object(const std::string& pointer, std::size_t depth, Json* out)
  {
    if (depth > m_max_depth) {
      return error(
        pointer,
        fmt::format("is nested more than {} levels deep", m_max_depth));
    }
    ++m_pos;
    skip_space();
    if (out != nullptr) {
      *out = Json::object();
    }
    // Where each name was first seen, for the message about a repeated one;
    // when building, the object itself says whether a name is repeated (and
    // the failure is then located by a second scan that keeps this map).
    std::unordered_map<std::string, std::size_t> seen;
    if (peek() == '}') {
      ++m_pos;
      return true;
    }
    while (true) {
      if (peek() != '"') {
        return error(pointer, "invalid JSON: expected a field name in quotes");
      }
      const Position key_position = here();
      std::string name;
      if (!string(pointer, &name)) {
        return false;
      }
      const std::string child = m_positions != nullptr
                                  ? schema::append_pointer(pointer, name)
                                  : std::string();
      Json* slot = nullptr;
      if (out != nullptr) {
        const auto [it, inserted] = out->emplace(std::move(name), Json());
        if (!inserted) {
          m_failure = Failure{key_position, child, "appears twice"};
          return false;
        }
        slot = &it.value();
      } else if (const auto it = seen.find(name); it != seen.end()) {
        m_failure =
          Failure{key_position,
                  child,
                  fmt::format("appears twice (first at line {})", it->second)};
        return false;
      } else {
        seen.emplace(std::move(name), key_position.line);
      }
      skip_space();
      if (peek() != ':') {
        return error(pointer, "invalid JSON: expected ':' after a field name");
      }
      ++m_pos;
      skip_space();
      if (!value(child, depth, slot)) {
        return false;
      }
      skip_space();
      if (peek() == ',') {
        ++m_pos;
        skip_space();
        continue;
      }
      if (peek() == '}') {
        ++m_pos;
        return true;
      }
      return error(pointer, "invalid JSON: expected ',' or '}'");
    }
  }

  bool
  array(const std::string& pointer, std::size_t depth, Json* out)
  {
    if (depth > m_max_depth) {
      return error(
        pointer,
        fmt::format("is nested more than {} levels deep", m_max_depth));
    }
    ++m_pos;
    skip_space();
    if (out != nullptr) {
      *out = Json::array();
    }
    if (peek() == ']') {
      ++m_pos;
      return true;
    }
    for (std::size_t index = 0;; ++index) {
      Json* slot = nullptr;
      if (out != nullptr) {
        out->push_back(Json());
        slot = &out->back();
      }
      if (!value(m_positions != nullptr
                   ? schema::append_pointer(pointer, std::to_string(index))
                   : std::string(),
                 depth,
                 slot)) {
        return false;
      }
      skip_space();
      if (peek() == ',') {
        ++m_pos;
        skip_space();
        continue;
      }
      if (peek() == ']') {
        ++m_pos;
        return true;
      }
      return error(pointer, "invalid JSON: expected ',' or ']'");
    }
  }

  static int
  hex_digit(char c)
  {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  std::optional<char32_t>
  hex4()
  {
    if (m_text.size() - m_pos < 4) {
      return std::nullopt;
    }
    char32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const int digit = hex_digit(m_text[m_pos + i]);
      if (digit < 0) {
        return std::nullopt;
      }
      value = value * 16 + static_cast<char32_t>(digit);
    }
    m_pos += 4;
    return value;
  }

  static void
  append_utf8(std::string& out, char32_t c)
  {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }

  // Scans a string; decodes it into `out` when given (field names).
  bool
  string(const std::string& pointer, std::string* out)
  {
    ++m_pos; // the opening quote
    while (true) {
      if (at_end()) {
        return error(pointer, "invalid JSON: a string does not end");
      }
      const char c = m_text[m_pos];
      if (c == '"') {
        ++m_pos;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return error(pointer,
                     "invalid JSON: a control character (a line break or "
                     "tab, say) inside a string must be escaped");
      }
      if (c != '\\') {
        if (out != nullptr) {
          out->push_back(c);
        }
        ++m_pos;
        continue;
      }
      ++m_pos;
      const char escape = peek();
      ++m_pos;
      char plain = 0;
      switch (escape) {
      case '"':
      case '\\':
      case '/':
        plain = escape;
        break;
      case 'b':
        plain = '\b';
        break;
      case 'f':
        plain = '\f';
        break;
      case 'n':
        plain = '\n';
        break;
      case 'r':
        plain = '\r';
        break;
      case 't':
        plain = '\t';
        break;
      case 'u': {
        auto code = hex4();
        if (!code) {
          return error(pointer, "invalid JSON: \\u needs four hex digits");
        }
        if (*code >= 0xD800 && *code <= 0xDBFF) {
          // A high surrogate needs its low half.
          std::optional<char32_t> low;
          if (m_text.substr(m_pos, 2) == "\\u") {
            m_pos += 2;
            low = hex4();
          }
          if (!low || *low < 0xDC00 || *low > 0xDFFF) {
            return error(pointer, "invalid JSON: an unpaired \\u surrogate");
          }
          code = 0x10000 + ((*code - 0xD800) << 10) + (*low - 0xDC00);
        } else if (*code >= 0xDC00 && *code <= 0xDFFF) {
          return error(pointer, "invalid JSON: an unpaired \\u surrogate");
        }
        if (out != nullptr) {
          append_utf8(*out, *code);
        }
        continue;
      }
      default:
        return error(pointer, "invalid JSON: an unknown escape in a string");
      }
      if (out != nullptr) {
        out->push_back(plain);
      }
    }
  }

  bool
  literal(const std::string& pointer,
          std::string_view word,
          Json* out,
          Json value)
  {
    if (m_text.substr(m_pos, word.size()) != word) {
      return error(pointer, "invalid JSON: expected a value");
    }
    m_pos += word.size();
    if (out != nullptr) {
      *out = std::move(value);
    }
    return true;
  }

  static bool
  is_digit(char c)
  {
    return c >= '0' && c <= '9';
  }

  bool
  number(const std::string& pointer, Json* out)
  {
    const std::size_t start = m_pos;
    if (peek() == '-') {
      ++m_pos;
    }
    if (peek() == '0') {
      ++m_pos;
    } else if (is_digit(peek())) {
      while (is_digit(peek())) {
        ++m_pos;
      }
    } else {
      m_pos = start;
      return error(pointer, "invalid JSON: expected a value");
    }
    if (peek() == '.' || peek() == 'e' || peek() == 'E') {
      m_pos = start;
      return error(pointer, "numbers must be whole: no fraction or exponent");
    }
    if (is_digit(peek())) {
      m_pos = start;
      return error(pointer, "invalid JSON: a number with a leading zero");
    }
    const char* first = m_text.data() + start;
    const char* last = m_text.data() + m_pos;
    // As nlohmann-json reads them: negative numbers signed, others unsigned.
    std::errc result{};
    if (*first == '-') {
      std::int64_t number = 0;
      result = std::from_chars(first, last, number).ec;
      if (out != nullptr) {
        *out = number;
      }
    } else {
      std::uint64_t number = 0;
      result = std::from_chars(first, last, number).ec;
      if (out != nullptr) {
        *out = number;
      }
    }
    if (result != std::errc{}) {
      m_pos = start;
      return error(pointer, "is a number too large for custody");
    }
    return true;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
  std::size_t m_line = 1;
  std::size_t m_line_start = 0;
  std::size_t m_max_depth;
  std::unordered_map<std::string, Position>* m_positions;
  std::optional<Failure> m_failure;
};

void
parse_json(std::string_view text,
           std::size_t first_line,
           Parsed& parsed,
           ProblemList& problems,
           const Limits& limits)
{
  JsonScanner build(text, first_line, limits.max_depth, nullptr);
  Json value;
  if (auto built = build.scan(&value)) {
    // Again, recording positions, to name the value that is wrong and say
    // where a repeated name was first seen.
    JsonScanner locate(text, first_line, limits.max_depth, &parsed.positions);
    auto failure = locate.scan();
    if (!failure) { // cannot be: the same text fails the same way
      failure = std::move(built);
    }
    problems.add(failure->position,
                 std::move(failure->pointer),
                 std::move(failure->message));
    return;
  }
  parsed.value = std::move(value);
  parsed.usable = true;
  parsed.json_text = text;
  parsed.json_first_line = first_line;
}

// Records where each value of a JSON form starts, for placing its problems.
void
locate_json(Parsed& parsed, const Limits& limits)
{
  if (parsed.json_text.empty() || !parsed.positions.empty()) {
    return;
  }
  JsonScanner locate(parsed.json_text,
                     parsed.json_first_line,
                     limits.max_depth,
                     &parsed.positions);
  (void)locate.scan(); // it passed once; now it records
}

// ---------------------------------------------------------------------------
// YAML: yaml-cpp's events build a tree that keeps every node's mark, tag and
// whether a scalar was quoted; the conversion then follows the schema.

struct YamlNode
{
  enum class Kind { null, scalar, sequence, map, alias };
  Kind kind = Kind::null;
  YAML::Mark mark;
  std::string tag; // "?" plain, "!" quoted or a block scalar, else a tag
  std::string value;
  YAML::anchor_t alias = 0;
  std::vector<std::size_t> children; // a map's keys and values alternate
};

struct YamlTree
{
  std::vector<YamlNode> nodes;
  std::vector<std::size_t> documents; // each document's root
  std::unordered_map<YAML::anchor_t, std::size_t> anchors;
};

class YamlBuilder final : public YAML::EventHandler
{
public:
  explicit YamlBuilder(YamlTree& tree)
    : m_tree(tree)
  {
  }

  void
  OnDocumentStart(const YAML::Mark& /*mark*/) override
  {
  }
  void
  OnDocumentEnd() override
  {
  }
  void
  OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override
  {
    add(YamlNode{YamlNode::Kind::null, mark, "?", {}, 0, {}}, anchor);
  }
  void
  OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override
  {
    add(YamlNode{YamlNode::Kind::alias, mark, "?", {}, anchor, {}}, 0);
  }
  void
  OnScalar(const YAML::Mark& mark,
           const std::string& tag,
           YAML::anchor_t anchor,
           const std::string& value) override
  {
    add(YamlNode{YamlNode::Kind::scalar, mark, tag, value, 0, {}}, anchor);
  }
  void
  OnSequenceStart(const YAML::Mark& mark,
                  const std::string& tag,
                  YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override
  {
    m_open.push_back(
      add(YamlNode{YamlNode::Kind::sequence, mark, tag, {}, 0, {}}, anchor));
  }
  void
  OnSequenceEnd() override
  {
    m_open.pop_back();
  }
  void
  OnMapStart(const YAML::Mark& mark,
             const std::string& tag,
             YAML::anchor_t anchor,
             YAML::EmitterStyle::value /*style*/) override
  {
    m_open.push_back(
      add(YamlNode{YamlNode::Kind::map, mark, tag, {}, 0, {}}, anchor));
  }
  void
  OnMapEnd() override
  {
    m_open.pop_back();
  }

private:
  std::size_t
  add(YamlNode node, YAML::anchor_t anchor)
  {
    // A form holds a few hundred values; a file of empty values must not
    // grow the tree without bound (found by fuzz/incident_form: 2 GB).
    constexpr std::size_t k_max_nodes = 100000;
    if (m_tree.nodes.size() >= k_max_nodes) {
      throw YAML::Exception(YAML::Mark::null_mark(),
                            fmt::format("more than {} values", k_max_nodes));
    }
    const std::size_t index = m_tree.nodes.size();
    m_tree.nodes.push_back(std::move(node));
    if (anchor != 0) {
      m_tree.anchors[anchor] = index;
    }
    if (m_open.empty()) {
      m_tree.documents.push_back(index);
    } else {
      m_tree.nodes[m_open.back()].children.push_back(index);
    }
    return index;
  }

  YamlTree& m_tree;
  std::vector<std::size_t> m_open;
};

Position
position_of_mark(const YAML::Mark& mark)
{
  if (mark.is_null() || mark.line < 0 || mark.column < 0) {
    return Position{};
  }
  return Position{static_cast<std::size_t>(mark.line) + 1,
                  static_cast<std::size_t>(mark.column) + 1};
}

std::optional<std::int64_t>
parse_integer(std::string_view text)
{
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    digits.remove_prefix(1);
  }
  if (digits.empty() || (digits.size() > 1 && digits[0] == '0')
      || !std::all_of(digits.begin(), digits.end(), [](char c) {
           return c >= '0' && c <= '9';
         })) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const std::string_view signed_text =
    !text.empty() && text[0] == '+' ? text.substr(1) : text;
  const auto [end, error] = std::from_chars(
    signed_text.data(), signed_text.data() + signed_text.size(), value);
  if (error != std::errc{} || end != signed_text.data() + signed_text.size()) {
    return std::nullopt;
  }
  return value;
}

// Why plain `text` is not a whole number, in words that do not quote it.
std::string
integer_problem(std::string_view text)
{
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    digits.remove_prefix(1);
  }
  const bool all_digits =
    !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
  if (all_digits && digits.size() > 1 && digits[0] == '0') {
    return "must be a whole number written without leading zeros";
  }
  if (all_digits) {
    return "is a number too large for custody";
  }
  return "must be a whole number";
}

bool
is_yaml11_boolean(std::string_view text)
{
  static constexpr std::array<std::string_view, 8> k_words = {
    "y", "n", "yes", "no", "on", "off", "true", "false"};
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return std::find(k_words.begin(), k_words.end(), lower) != k_words.end();
}

class YamlConverter
{
public:
  YamlConverter(const YamlTree& tree,
                Parsed& parsed,
                ProblemList& problems,
                const Limits& limits)
    : m_tree(tree),
      m_parsed(parsed),
      m_problems(problems),
      m_limits(limits),
      m_open(tree.nodes.size(), false)
  {
  }

  Json
  convert(std::size_t index,
          const schema::Node& node,
          const std::string& pointer,
          const YAML::Mark& where,
          std::size_t depth)
  {
    if (m_exhausted) {
      return nullptr;
    }
    if (++m_converted > k_max_values) {
      m_exhausted = true;
      report(where,
             pointer,
             fmt::format("the form holds more than {} values (counting each "
                         "use of a YAML alias)",
                         k_max_values));
      return nullptr;
    }
    if (depth > m_limits.max_depth) {
      report(
        where,
        pointer,
        fmt::format("is nested more than {} levels deep", m_limits.max_depth));
      return nullptr;
    }
    m_parsed.positions[pointer] = position_of_mark(where);
    const YamlNode& yaml = m_tree.nodes[index];
    if (yaml.kind == YamlNode::Kind::alias) {
      const auto target = m_tree.anchors.find(yaml.alias);
      if (target == m_tree.anchors.end() || m_open[target->second]) {
        report(where, pointer, "is a YAML alias to a value that contains it");
        return nullptr;
      }
      return convert(target->second, node, pointer, where, depth);
    }
    if (yaml.tag != "?" && yaml.tag != "!") {
      report(where,
             pointer,
             "has a YAML tag, which custody does not allow (quote a value "
             "to make it text)");
    }
    m_open[index] = true;
    Json out;
    switch (yaml.kind) {
    case YamlNode::Kind::map:
      out = map(yaml, node, pointer, depth);
      break;
    case YamlNode::Kind::sequence:
      out = Json::array();
      for (std::size_t i = 0; i < yaml.children.size(); ++i) {
        const std::size_t child = yaml.children[i];
        out.push_back(
          convert(child,
                  node.items(),
                  schema::append_pointer(pointer, std::to_string(i)),
                  m_tree.nodes[child].mark,
                  depth + 1));
      }
      break;
    case YamlNode::Kind::null:
      out = null(node, pointer, where);
      break;
    default:
      out = scalar(yaml, node, pointer, where);
      break;
    }
    m_open[index] = false;
    return out;
  }

private:
  static constexpr std::size_t k_max_values = 100000;

  void
  report(const YAML::Mark& mark,
         const std::string& pointer,
         std::string message)
  {
    m_problems.add(position_of_mark(mark), pointer, std::move(message));
    m_parsed.reported.push_back(pointer);
  }

  const YamlNode&
  resolve(std::size_t index) const
  {
    const YamlNode& yaml = m_tree.nodes[index];
    if (yaml.kind == YamlNode::Kind::alias) {
      const auto target = m_tree.anchors.find(yaml.alias);
      if (target != m_tree.anchors.end()) {
        return m_tree.nodes[target->second];
      }
    }
    return yaml;
  }

  Json
  map(const YamlNode& yaml,
      const schema::Node& node,
      const std::string& pointer,
      std::size_t depth)
  {
    Json out = Json::object();
    std::unordered_map<std::string, int> seen; // name -> line
    for (std::size_t i = 0; i + 1 < yaml.children.size(); i += 2) {
      const YamlNode& key = resolve(yaml.children[i]);
      const YamlNode& value = m_tree.nodes[yaml.children[i + 1]];
      // Problems with a name leave the rest of the object to validation.
      const auto name_problem = [&](std::string message) {
        m_problems.add(position_of_mark(key.mark), pointer, std::move(message));
      };
      if (key.kind == YamlNode::Kind::null) {
        name_problem("has a field without a name");
        continue;
      }
      if (key.kind != YamlNode::Kind::scalar) {
        name_problem("has a field name that is not text");
        continue;
      }
      if (key.tag == "?" && key.value == "<<") {
        name_problem("uses a YAML merge key (<<), which custody does not "
                     "support: write the fields out");
        continue;
      }
      const std::string child = schema::append_pointer(pointer, key.value);
      if (key.tag != "?" && key.tag != "!") {
        report(key.mark,
               child,
               "has a YAML tag on its name, which custody does not allow");
        continue;
      }
      if (const auto it = seen.find(key.value); it != seen.end()) {
        // Not reported as already checked: the first one stands.
        m_problems.add(
          position_of_mark(key.mark),
          child,
          fmt::format("appears twice (first at line {})", it->second + 1));
        continue;
      }
      seen.emplace(key.value, key.mark.line);
      // A scalar's own mark is precise; an empty value's mark is where the
      // next token starts, and a block's is its first line: use the name's.
      const bool scalar = value.kind == YamlNode::Kind::scalar;
      out[key.value] = convert(yaml.children[i + 1],
                               node.property(key.value),
                               child,
                               scalar ? value.mark : key.mark,
                               depth + 1);
    }
    return out;
  }

  Json
  null(const schema::Node& node,
       const std::string& pointer,
       const YAML::Mark& where)
  {
    const schema::TypeSet types = node.types();
    if (types == 0 || (types & schema::type_null) != 0) {
      return nullptr;
    }
    report(where,
           pointer,
           "has no value: give one or leave the field out (to write ~ or "
           "null as text, quote it)");
    return nullptr;
  }

  Json
  scalar(const YamlNode& yaml,
         const schema::Node& node,
         const std::string& pointer,
         const YAML::Mark& where)
  {
    schema::TypeSet types = node.types();
    if (types == 0) {
      types = schema::k_any_type; // validation says what is wrong
    }
    const std::string& text = yaml.value;
    const bool wants_string = (types & schema::type_string) != 0;
    const bool wants_integer = (types & schema::type_integer) != 0;
    const bool wants_boolean = (types & schema::type_boolean) != 0;
    if (yaml.tag != "?") {
      // Quoted, a block scalar, or tagged: text as written.
      if (!wants_string && (wants_integer || wants_boolean)) {
        report(where,
               pointer,
               fmt::format(
                 "must be {}, written without quotes",
                 schema::describe_types(
                   types & (schema::type_integer | schema::type_boolean))));
      }
      return text;
    }
    if (wants_boolean && (text == "true" || text == "false")) {
      return text == "true";
    }
    if (wants_integer) {
      if (const auto value = parse_integer(text)) {
        return *value;
      }
    }
    if (wants_string) {
      return text;
    }
    if (wants_boolean && is_yaml11_boolean(text)) {
      report(where,
             pointer,
             "must be true or false (YAML 1.1 words such as yes, no, on and "
             "off are not booleans here)");
    } else if (wants_integer) {
      report(where, pointer, integer_problem(text));
    } else if (wants_boolean) {
      report(where, pointer, "must be true or false");
    }
    // Otherwise the schema wants null, a list or an object: validation says
    // so.
    return text;
  }

  const YamlTree& m_tree;
  Parsed& m_parsed;
  ProblemList& m_problems;
  const Limits& m_limits;
  std::vector<bool> m_open; // nodes being converted, to catch alias loops
  std::size_t m_converted = 0;
  bool m_exhausted = false;
};

void
parse_yaml(std::string_view text,
           const schema::SchemaSet& schemas,
           Parsed& parsed,
           ProblemList& problems,
           const Limits& limits)
{
  YamlTree tree;
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    YamlBuilder builder(tree);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp words this one "bad file".
    problems.add(
      position_of_mark(e.mark),
      "",
      fmt::format("is nested more than {} levels deep", limits.max_depth));
    return;
  } catch (const YAML::Exception& e) {
    problems.add(
      position_of_mark(e.mark), "", fmt::format("invalid YAML: {}", e.msg));
    return;
  }
  if (tree.documents.empty()) {
    problems.add(Position{}, "", "holds no form");
    return;
  }
  if (tree.documents.size() > 1) {
    problems.add(position_of_mark(tree.nodes[tree.documents[1]].mark),
                 "",
                 "holds more than one YAML document: give one form per file, "
                 "or use a .jsonl file or a directory");
    return;
  }
  const YamlNode& root = tree.nodes[tree.documents[0]];
  YamlConverter converter(tree, parsed, problems, limits);
  parsed.value =
    converter.convert(tree.documents[0], schemas.root(), "", root.mark, 0);
  parsed.usable = true;
}

// ---------------------------------------------------------------------------
// Batches.

Format
detect(std::string_view text)
{
  std::size_t start = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  start = text.find_first_not_of(" \t\r\n", start);
  if (start == std::string_view::npos
      || (text[start] != '{' && text[start] != '[')) {
    return Format::yaml;
  }
  // JSON Lines: several lines, each one object.
  std::size_t objects = 0;
  std::size_t offset = 0;
  while (offset < text.size()) {
    auto end = text.find('\n', offset);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view line = text.substr(offset, end - offset);
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      const auto last = line.find_last_not_of(" \t\r");
      if (line[first] != '{' || line[last] != '}') {
        return Format::json;
      }
      ++objects;
    }
    offset = end + 1;
  }
  return objects > 1 ? Format::jsonl : Format::json;
}

std::string
too_large(std::uint64_t size, std::uint64_t limit, Format format)
{
  return fmt::format("is {} bytes; a {} may be at most {} ({} bytes)",
                     size,
                     format == Format::jsonl ? "JSON Lines batch" : "form",
                     size_text(limit),
                     limit);
}

class BatchBuilder
{
public:
  BatchBuilder(Batch& batch,
               const schema::SchemaSet& schemas,
               const Limits& limits)
    : m_batch(batch),
      m_schemas(schemas),
      m_limits(limits)
  {
  }

  void
  file_problem(const std::string& file, Position position, std::string message)
  {
    Parsed parsed;
    ProblemList problems(parsed, file, m_limits.max_problems);
    problems.add(position, "", std::move(message));
    finish(std::move(parsed), Origin{file, 1});
  }

  void
  text(std::string_view text, const std::string& file, Format format)
  {
    if (format == Format::detect) {
      format = detect(text);
    }
    const std::uint64_t limit = format == Format::jsonl
                                  ? m_limits.max_batch_bytes
                                  : m_limits.max_form_bytes;
    if (text.size() > limit) {
      file_problem(file, Position{}, too_large(text.size(), limit, format));
      return;
    }
    if (const auto bad = utf8::first_invalid(text)) {
      file_problem(
        file,
        position_of_offset(text, *bad),
        fmt::format("is not valid UTF-8 (the first bad byte is at offset {})",
                    *bad));
      return;
    }
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
      file_problem(file,
                   position_of_offset(text, nul),
                   fmt::format("holds a NUL byte (at offset {})", nul));
      return;
    }
    if (format == Format::jsonl) {
      lines(text, file);
      return;
    }
    Parsed parsed;
    ProblemList problems(parsed, file, m_limits.max_problems);
    if (format == Format::json) {
      parse_json(text, 1, parsed, problems, m_limits);
    } else {
      parse_yaml(text, m_schemas, parsed, problems, m_limits);
    }
    finish(std::move(parsed), Origin{file, 1});
  }

private:
  void
  lines(std::string_view text, const std::string& file)
  {
    struct Line
    {
      std::string_view text;
      std::size_t number = 0;
      Parsed parsed;
    };
    std::vector<Line> lines;
    std::size_t offset = 0;
    std::size_t number = 0;
    while (offset < text.size()) {
      ++number;
      auto end = text.find('\n', offset);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      std::string_view line = text.substr(offset, end - offset);
      offset = end + 1;
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
      }
      if (line.find_first_not_of(" \t") == std::string_view::npos) {
        continue; // blank lines separate nothing
      }
      lines.push_back(Line{line, number, {}});
    }
    // Parsing and validating a line touches nothing shared but the immutable
    // schema set, so a batch of thousands of forms uses every core; the results
    // are merged in line order.
    on_every_core(lines.size(), 8, [&](std::size_t i) {
      Line& line = lines[i];
      if (line.text.size() <= m_limits.max_form_bytes) {
        ProblemList problems(line.parsed, file, m_limits.max_problems);
        parse_json(line.text, line.number, line.parsed, problems, m_limits);
        validate(line.parsed, file);
      }
    });
    for (auto& line : lines) {
      if (line.text.size() > m_limits.max_form_bytes) {
        file_problem(
          file,
          Position{line.number, 0},
          too_large(line.text.size(), m_limits.max_form_bytes, Format::json));
        continue;
      }
      merge(std::move(line.parsed), Origin{file, line.number});
    }
  }

  static Position
  position_for(const Parsed& parsed, std::string pointer)
  {
    // A missing field has no place of its own: use its object's.
    while (true) {
      if (const auto it = parsed.positions.find(pointer);
          it != parsed.positions.end()) {
        return it->second;
      }
      if (pointer.empty()) {
        return Position{};
      }
      pointer.erase(pointer.rfind('/'));
    }
  }

  // Checks a parsed form against the schema, adding the problems to it.
  void
  validate(Parsed& parsed, const std::string& file) const
  {
    if (!parsed.usable) {
      return;
    }
    schema::Options options;
    options.max_problems = m_limits.max_problems;
    options.max_string_bytes = m_limits.max_string_bytes;
    options.ignore_under = parsed.reported;
    const auto report = m_schemas.validate(parsed.value, options);
    if (!report.problems.empty()) {
      locate_json(parsed, m_limits);
    }
    parsed.json_text = {}; // its text is the caller's, and not kept
    ProblemList problems(parsed, file, m_limits.max_problems);
    for (const auto& problem : report.problems) {
      problems.add(position_for(parsed, problem.pointer),
                   problem.pointer,
                   problem.message);
    }
    // Count those the report did not list.
    parsed.problem_count += report.total - report.problems.size();
    parsed.usable = false; // validated: not again
  }

  void
  finish(Parsed parsed, Origin origin)
  {
    validate(parsed, origin.file);
    merge(std::move(parsed), std::move(origin));
  }

  // Adds a checked form to the batch, or its problems.
  void
  merge(Parsed parsed, Origin origin)
  {
    if (parsed.problem_count == 0) {
      m_batch.forms.push_back(Form{std::move(parsed.value), std::move(origin)});
      return;
    }
    std::stable_sort(parsed.problems.begin(),
                     parsed.problems.end(),
                     [](const Problem& a, const Problem& b) {
                       return std::pair(a.line, a.column)
                              < std::pair(b.line, b.column);
                     });
    for (auto& problem : parsed.problems) {
      if (m_batch.problems.size() < m_limits.max_problems) {
        m_batch.problems.push_back(std::move(problem));
      }
    }
    m_batch.problem_count += parsed.problem_count;
  }

  Batch& m_batch;
  const schema::SchemaSet& m_schemas;
  const Limits& m_limits;
};

bool
is_form_file(const std::filesystem::path& path)
{
  const std::string name = path.filename().string();
  if (name.empty() || name[0] == '.') {
    return false;
  }
  const std::string extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml" || extension == ".json";
}

Result<void>
check_file(const std::filesystem::path& path,
           BatchBuilder& builder,
           const Limits& limits)
{
  const Format format = format_of(path);
  const std::uint64_t limit =
    format == Format::jsonl ? limits.max_batch_bytes : limits.max_form_bytes;
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error) {
    return tl::unexpected(fs::errno_error("stat", path, error.value()));
  }
  // A pipe or a device goes straight to fs::read_file, which reads a pipe with
  // a bounded wait and refuses the rest (R11).
  const auto size = std::filesystem::is_regular_file(status)
                      ? std::filesystem::file_size(path, error)
                      : 0;
  if (size > limit) {
    builder.file_problem(
      path.string(), Position{}, too_large(size, limit, format));
    return {};
  }
  CUSTODY_ASSIGN(bytes, fs::read_file(path, limit, fs::Origin::user));
  builder.text(as_text(bytes), path.string(), format);
  return {};
}

} // namespace

std::string
to_string(const Problem& problem)
{
  std::string out = problem.file;
  if (problem.line != 0) {
    out += fmt::format(":{}", problem.line);
    if (problem.column != 0) {
      out += fmt::format(":{}", problem.column);
    }
  }
  out += ": ";
  if (!problem.pointer.empty()) {
    out += problem.pointer;
    out += ": ";
  }
  out += problem.message;
  return out;
}

Format
format_of(const std::filesystem::path& path)
{
  const std::string extension = path.extension().string();
  if (extension == ".json") {
    return Format::json;
  }
  if (extension == ".yaml" || extension == ".yml") {
    return Format::yaml;
  }
  if (extension == ".jsonl") {
    return Format::jsonl;
  }
  return Format::detect;
}

Result<Batch>
check_path(const std::filesystem::path& path,
           const schema::SchemaSet& schemas,
           const Limits& limits)
{
  Batch batch;
  BatchBuilder builder(batch, schemas, limits);
  std::error_code error;
  const bool directory = std::filesystem::is_directory(path, error);
  if (error && error != std::errc::no_such_file_or_directory) {
    return tl::unexpected(fs::errno_error("stat", path, error.value()));
  }
  if (!directory) {
    CUSTODY_TRY(check_file(path, builder, limits));
  } else {
    std::vector<std::filesystem::path> files;
    std::filesystem::directory_iterator it(path, error);
    for (; !error && it != std::filesystem::directory_iterator();
         it.increment(error)) {
      if (is_form_file(it->path()) && it->is_regular_file(error)) {
        files.push_back(it->path());
      }
    }
    if (error) {
      return tl::unexpected(fs::errno_error("read", path, error.value()));
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      builder.file_problem(
        path.string(), Position{}, "holds no *.yaml, *.yml or *.json file");
    }
    for (const auto& file : files) {
      CUSTODY_TRY(check_file(file, builder, limits));
    }
  }
  if (!batch.ok()) {
    batch.forms.clear();
  }
  return batch;
}

Batch
check_text(std::string_view text,
           std::string_view name,
           Format format,
           const schema::SchemaSet& schemas,
           const Limits& limits)
{
  Batch batch;
  BatchBuilder builder(batch, schemas, limits);
  builder.text(text, std::string(name), format);
  if (!batch.ok()) {
    batch.forms.clear();
  }
  return batch;
}

Error
batch_error(const Batch& batch)
{
  std::string message;
  for (const auto& problem : batch.problems) {
    if (!message.empty()) {
      message += '\n';
    }
    message += to_string(problem);
  }
  if (batch.problem_count > batch.problems.size()) {
    message += fmt::format("\n… and {} more ({} problems in all)",
                           batch.problem_count - batch.problems.size(),
                           batch.problem_count);
  }
  return Error{Errc::invalid_input,
               std::move(message),
               "no form was loaded: a batch is all or nothing"};
}

Result<std::vector<Form>>
load_forms(const std::filesystem::path& path,
           const schema::SchemaSet& schemas,
           const Limits& limits)
{
  CUSTODY_ASSIGN(batch, check_path(path, schemas, limits));
  if (!batch.ok()) {
    return tl::unexpected(batch_error(batch));
  }
  return std::move(batch.forms);
}

Result<std::vector<Form>>
load_forms_text(std::string_view text,
                std::string_view name,
                Format format,
                const schema::SchemaSet& schemas,
                const Limits& limits)
{
  Batch batch = check_text(text, name, format, schemas, limits);
  if (!batch.ok()) {
    return tl::unexpected(batch_error(batch));
  }
  return std::move(batch.forms);
}

} // namespace custody::form
