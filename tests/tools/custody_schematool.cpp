// Test-only driver of custody::schema, so a CLI test can compare its verdicts
// with python3-jsonschema's.
//
//   custody_schematool DIR ROOT INSTANCES.jsonl
//
// Loads the schema set rooted at DIR/ROOT and prints, for each line of
// INSTANCES.jsonl, "ok" or "invalid" followed by the problems' pointers.
// Exit status: 0 done, 2 usage, 3 the schema set or an instance line is
// malformed.
#include <custody/base/canonical_json.hpp>
#include <custody/schema/schema.hpp>

#include <fmt/core.h>

#include <fstream>
#include <string>

using namespace custody;

int
main(int argc, char** argv)
{
  if (argc != 4) {
    fmt::print(stderr, "usage: custody_schematool DIR ROOT INSTANCES.jsonl\n");
    return 2;
  }
  auto schemas = schema::SchemaSet::from_directory(argv[1], argv[2]);
  if (!schemas) {
    fmt::print(stderr, "custody_schematool: {}\n", schemas.error().message);
    return 3;
  }
  std::ifstream in(argv[3]);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto instance = json::parse_strict(line);
    if (!instance) {
      fmt::print(stderr,
                 "custody_schematool: line {}: {}\n",
                 number,
                 instance.error().message);
      return 3;
    }
    const auto report = schemas->validate(*instance);
    fmt::print("{}", report.ok() ? "ok" : "invalid");
    for (const auto& problem : report.problems) {
      fmt::print(" {}", problem.pointer.empty() ? "/" : problem.pointer);
    }
    fmt::print("\n");
  }
  return 0;
}
