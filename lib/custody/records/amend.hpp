// The amendment rule: a correction is one merge patch per compartment against
// the record's latest view, chained to its last entry (docs/formats.md
// section 6.2), and only a member who opens every record compartment makes
// one (invariant 19).
#pragma once

#include <custody/records/form.hpp>
#include <custody/records/readers.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace custody::records {

struct Amendment
{
  std::string record_id;
  // nullopt when the form says exactly what the record says: nothing to write
  std::optional<Change> change;
};

// What else an amendment says, and what it was made against.
struct AmendOptions
{
  // Why the record was corrected (docs/formats.md 6.2): at most
  // k_max_reason_bytes of UTF-8, no control character but line breaks and
  // tabs; empty for none.
  std::string reason;
  // The hash of the record's last entry when the correction was begun (`edit`
  // reads the record, then waits for a person): Errc::invalid_input if another
  // amendment came after it, which this one would silently undo.
  std::optional<std::string> based_on;
};

// The amendment that makes record `typed` (a unique id prefix) say what `form`
// says. Errc::auth unless `shards` holds every record compartment: a
// correction of the date or the place recomputes the coarse fields of facts
// and aggressor from the exact values in identity.
[[nodiscard]] Result<Amendment> amendment(const Shards& shards,
                                          std::string_view typed,
                                          const form::Form& form,
                                          const schema::SchemaSet& schemas,
                                          const Places* places,
                                          const AmendOptions& options = {});

// Errc::invalid_input unless `reason` may be an amendment's reason.
[[nodiscard]] Result<void> check_reason(std::string_view reason);

} // namespace custody::records
