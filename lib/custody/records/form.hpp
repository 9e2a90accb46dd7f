// Loading record forms (a YAML or JSON file, a JSON Lines file, or a directory
// of them) and checking them against the form schema, all or nothing.
//
// YAML is converted to JSON by the schema's types, never by YAML's own
// guesses: a scalar becomes text where the schema wants text, so `no`, `on`,
// `2025-03-14`, `08:30` and `0042` stay as written; a whole number only where
// the schema wants one; a boolean only from `true` or `false`. Tags, merge
// keys (`<<`) and duplicate keys are refused. Every problem names its place as
// `file:line:column: /pointer: problem` and never quotes a string value.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/schema/schema.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace custody::form {

// A form file (or one line of a JSON Lines file) is at most 1 MiB
// (docs/records.md section 1).
inline constexpr std::uint64_t k_max_form_bytes = 1U << 20U;
// A JSON Lines batch is at most 256 MiB.
inline constexpr std::uint64_t k_max_batch_bytes = 256U << 20U;
// Forms nest a few levels; anything much deeper is not a form.
inline constexpr std::size_t k_max_depth = 64;

struct Limits
{
  std::uint64_t max_form_bytes = k_max_form_bytes;
  std::uint64_t max_batch_bytes = k_max_batch_bytes;
  std::size_t max_depth = k_max_depth;
  std::size_t max_string_bytes = schema::k_max_string_bytes;
  std::size_t max_problems = schema::k_max_problems; // listed; all are counted
};

// Where a form came from: its file, and the line it starts on (its line in a
// JSON Lines file, else 1).
struct Origin
{
  std::string file;
  std::size_t line = 1;
};

struct Form
{
  json::Json value; // valid against the schema
  Origin origin;
};

// One problem with a batch. `line` and `column` count from 1; 0 when the
// problem is with the whole file. `pointer` is the RFC 6901 pointer to the
// field, empty when the problem is not with one field.
struct Problem
{
  std::string file;
  std::size_t line = 0;
  std::size_t column = 0;
  std::string pointer;
  std::string message;
};

// "file:line:column: /pointer: message", leaving out what is unknown.
std::string to_string(const Problem& problem);

enum class Format {
  detect, // by content: JSON Lines, JSON or YAML
  json,
  yaml,
  jsonl,
};

// The format a file name implies (.json, .yaml, .yml, .jsonl), else detect.
Format format_of(const std::filesystem::path& path);

// The outcome of checking a batch: the forms when there is no problem, else
// no form and the problems (the first Limits::max_problems, sorted by place
// within each form, and the count of all of them).
struct Batch
{
  std::vector<Form> forms;
  std::vector<Problem> problems;
  std::size_t problem_count = 0;

  bool
  ok() const
  {
    return problem_count == 0;
  }
};

// Checks the forms in `path`: a file (by its extension or content), or a
// directory, whose *.yaml, *.yml and *.json files are read in name order
// (names starting with '.' skipped, no recursion). Problems with the forms are
// in the Batch; the Result fails only when a path cannot be read
// (Errc::not_found, Errc::io).
[[nodiscard]] Result<Batch> check_path(const std::filesystem::path& path,
                                       const schema::SchemaSet& schemas,
                                       const Limits& limits = {});

// Checks forms given as text (standard input, say); `name` stands for the file
// in problems and origins.
Batch check_text(std::string_view text,
                 std::string_view name,
                 Format format,
                 const schema::SchemaSet& schemas,
                 const Limits& limits = {});

// The Error for a batch with problems: Errc::invalid_input, one problem per
// line, and a last line counting those not listed.
Error batch_error(const Batch& batch);

// Loads every form in `path` (as check_path()), or none: any problem fails the
// whole batch with batch_error().
[[nodiscard]] Result<std::vector<Form>>
load_forms(const std::filesystem::path& path,
           const schema::SchemaSet& schemas,
           const Limits& limits = {});

// As load_forms(), for text (as check_text()).
[[nodiscard]] Result<std::vector<Form>>
load_forms_text(std::string_view text,
                std::string_view name,
                Format format,
                const schema::SchemaSet& schemas,
                const Limits& limits = {});

} // namespace custody::form
