// Interactive `custody record`: the form asked for field by field on the
// terminal.
#pragma once

#include "common.hpp"

#include <string>
#include <vector>

namespace custody::cli {

// Whether standard input and standard error are a terminal to ask on.
bool interactive_terminal();

// Asks for one incident form, offering the vocabularies' codes with their
// labels and the organisation's `districts` (when known), and returns it as
// JSON text for the usual checks. Errc::interrupted when the person stops (end
// of input) or declines to record it.
[[nodiscard]] Result<std::string>
ask_for_form(const std::vector<std::string>& districts);

} // namespace custody::cli
