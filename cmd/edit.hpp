// custody edit, also reached as `record --amend ID` without --form.
#pragma once

#include "common.hpp"

#include <string>

namespace custody::cli {

struct EditOptions
{
  std::string id;
  std::string reason;
  bool yes = false; // write without asking (needed without a terminal)
};

// Opens record `options.id` as YAML in the member's editor, from a file in
// memory; shows the fields changed, asks for a reason and a yes, and writes
// the correction as an amendment.
[[nodiscard]] Result<Outcome> run_edit(const GlobalOptions& global,
                                       const EditOptions& options);

} // namespace custody::cli
