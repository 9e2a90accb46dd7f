// A JSON Schema validator for the subset docs/decisions.md ("Records and
// forms") documents, and the split of a valid record into its compartments.
//
// The subset: `type` (string, integer, boolean, object, array, null, or a list
// of them), `properties`, `required`, `additionalProperties` (false or a
// schema), `enum`, `const`, `pattern` (searched for unless anchored; the
// ECMAScript syntax schemas use, matched by RE2: docs/records.md section 1),
// `items`, `minItems`, `maxItems`, `maxLength` (code points),
// `format: date`, `$defs` and `$ref` (a file relative to the referring one,
// `#` or `#/json/pointer`, or both). The annotations `$schema`, `$id`, `title`,
// `description`, `x-compartment`, `x-terms`, `deprecated`, `$comment`,
// `examples` and `default` are allowed and not checked against instances; any
// other keyword makes loading fail, so no schema relies on a keyword this
// validator would silently ignore.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>

#include <array>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace custody::schema {

using json::Json;

// The compartments a record is split into (docs/records.md section 2), the
// only values `x-compartment` may take.
inline constexpr std::array<std::string_view, 4> k_compartments = {
  "identity", "narrative", "facts", "aggressor"};

// Custody's own limit on every string, whatever the schema says: a free-text
// field holds at most 64 KiB of UTF-8 (docs/decisions.md).
inline constexpr std::size_t k_max_string_bytes = 65536;

// How many problems a report lists; it counts them all.
inline constexpr std::size_t k_max_problems = 20;

// The JSON types of the subset, as bits of a TypeSet.
enum Type : unsigned {
  type_null = 1U << 0U,
  type_boolean = 1U << 1U,
  type_integer = 1U << 2U,
  type_string = 1U << 3U,
  type_object = 1U << 4U,
  type_array = 1U << 5U,
};
using TypeSet = unsigned;
inline constexpr TypeSet k_any_type = 0x3FU;

// The type of `value` (0 for a floating-point number, which no schema of the
// subset accepts).
TypeSet type_of(const Json& value);

// Plain words for a set of types: "text or null", "a whole number".
std::string describe_types(TypeSet types);

// `pointer` extended by one reference token, escaped per RFC 6901.
std::string append_pointer(std::string_view pointer, std::string_view token);

// One way an instance breaks its schema. `pointer` is the RFC 6901 pointer to
// the offending value ("" for the whole instance; for a missing required field,
// the field that is missing). `message` says what is allowed in plain words and
// never repeats a string value of the instance, which may identify someone.
struct Problem
{
  std::string pointer;
  std::string message;
};

struct Report
{
  std::vector<Problem> problems; // the first Options::max_problems
  std::size_t total = 0;         // all of them

  bool
  ok() const
  {
    return total == 0;
  }
};

struct Options
{
  std::size_t max_problems = k_max_problems;
  std::size_t max_string_bytes = k_max_string_bytes;
  // Problems at or below these pointers are neither listed nor counted: an
  // earlier stage (YAML conversion) has reported those values already.
  std::vector<std::string> ignore_under;
};

// A schema leaf that does not resolve to exactly one compartment: none
// (`compartments` empty) or several (the conflicting ones, sorted).
struct CompartmentIssue
{
  std::string pointer; // instance pointer; "/*" stands for any other field
  std::vector<std::string> compartments;
};

namespace detail {

// One subschema: a node of a loaded document and the file it is in.
struct Location
{
  const Json* schema = nullptr;
  const std::string* file = nullptr;
};

} // namespace detail

class Node;

// A root schema and every file it refers to, checked and with every `$ref`
// resolved. Immutable and cheap to copy.
class SchemaSet
{
public:
  // File paths are relative and '/'-separated ("vocab/setting.json"), as a
  // `$ref` names them relative to the referring file's directory.
  using Files = std::map<std::string, std::string, std::less<>>;
  // Returns a file's text, or an error (Errc::not_found when there is none).
  using Source = std::function<Result<std::string>(const std::string& path)>;

  // Loads `root` and the files it refers to, transitively, from `source`.
  // Fails with Errc::invalid_input naming the file and the JSON pointer of the
  // first problem: not strict JSON, an unknown keyword, a malformed keyword
  // value, a pattern that does not compile, a `$ref` that is not relative, that
  // leaves the set or that points at nothing, a cycle of `$ref`s.
  [[nodiscard]] static Result<SchemaSet> load(std::string_view root,
                                              const Source& source);
  // As load(), from an in-memory map of path -> text.
  [[nodiscard]] static Result<SchemaSet> from_files(std::string_view root,
                                                    const Files& files);
  // As load(), reading files under `directory`.
  [[nodiscard]] static Result<SchemaSet>
  from_directory(const std::filesystem::path& directory, std::string_view root);
  // As load(), from the schemas built into the binary (embedded_files()).
  [[nodiscard]] static Result<SchemaSet> from_embedded(std::string_view root);

  // The normalised path of the root file.
  const std::string& root_path() const;
  // Every file loaded, sorted.
  std::vector<std::string> loaded_files() const;

  // The root schema, for walking the schema alongside an instance (YAML
  // conversion uses it to know which type a scalar must become).
  Node root() const;

  // Checks `instance` against the root schema and returns every problem, in
  // schema order, with the first options.max_problems listed. Besides the
  // schema, every string is held to options.max_string_bytes. A string too
  // long (by either limit) is reported as such and not matched against its
  // `pattern`, which bounds the cost of matching by what the schema allows.
  Report validate(const Json& instance, const Options& options = {}) const;

  // Splits a valid `instance` into one object per compartment, all four
  // present (empty when nothing goes there), keeping the nesting: each leaf
  // value (a scalar, or a whole array) goes to the compartment its schema node
  // resolves to, `x-compartment` being inherited from the nearest ancestor
  // that declares one (through `$ref`s). Fails with Errc::invalid_input when a
  // value resolves to no compartment, to several, or has no schema. Takes the
  // instance by value: a caller done with it moves it, and its leaves are
  // moved rather than copied.
  [[nodiscard]] Result<std::map<std::string, Json, std::less<>>>
  split(Json instance) const;

  // Every leaf of the root schema that resolves to no compartment or to
  // several: a node whose `x-compartment` differs from one its `$ref` target
  // declares, or an array whose items declare another compartment than the
  // array resolves to. Empty when the schema is sound.
  std::vector<CompartmentIssue> check_compartments() const;

  struct Impl;

private:
  explicit SchemaSet(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> m_impl;
};

// The subschemas that apply to one position of an instance: a schema node and
// the targets of its `$ref`s (all must hold). Valid while the SchemaSet it
// came from lives.
class Node
{
public:
  // The types a value here may have: the intersection of every `type`,
  // `const` and `enum` that applies; k_any_type when nothing constrains it, 0
  // when nothing is allowed.
  TypeSet types() const;
  // The position of member `name` of an object here (from `properties`, else
  // `additionalProperties`); not described() when no schema covers it.
  Node property(std::string_view name) const;
  // The position of the items of an array here.
  Node items() const;
  // Whether any schema applies here.
  bool described() const;

private:
  friend class SchemaSet;
  Node(const SchemaSet::Impl* impl, std::vector<detail::Location> locations);
  const SchemaSet::Impl* m_impl = nullptr;
  std::vector<detail::Location> m_locations;
};

// The candidate `value` most likely meant, for "did you mean": one equal but
// for case, the one whose last dotted segment it is, or the nearest by edit
// distance when that is small for the candidate's length.
std::optional<std::string> closest(std::string_view value,
                                   const std::vector<std::string>& candidates);

// The files under the source tree's schemas/ directory, built into the
// library at build time (path relative to schemas/ -> contents), so the binary
// does not need the source tree. Generated by cmake/embed_files.cmake.
const std::map<std::string_view, std::string_view>& embedded_files();

} // namespace custody::schema
