// How an error reaches a person or a script: the words for each library
// Remedy, the text lines "custody: error:" / "custody: hint:", and with --json
// the error object (schemas/output/error.json) and verify's report
// (schemas/output/report.json).
#pragma once

#include <custody/base/error.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace custody::cli {

// The hint a person reads: the library's Remedy worded here, the one place
// that names commands and flags for the library, followed by the library's
// own hint; or that hint alone.
std::string hint_text(const Error& error);

// A failure to run, on standard error: the text lines, or with `json` one
// error object {"type":"error","code":<exit status>,"message",...}.
void print_error(const Error& error, bool json);

// A check that ran and found problems (exit 1): with `json` one report object
// {"type":"report","ok":false,"problems":[...]} on standard output, otherwise
// "custody: verify: FAILED: ..." and its hint on standard error.
void print_problems(const std::vector<Error>& problems, bool json);

} // namespace custody::cli
