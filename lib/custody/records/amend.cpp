// Amendments (amend.hpp).
#include <custody/base/utf8.hpp>
#include <custody/records/amend.hpp>

#include <fmt/core.h>

#include <algorithm>

namespace custody::records {

Result<void>
check_reason(std::string_view reason)
{
  if (reason.size() > k_max_reason_bytes) {
    return fail(Errc::invalid_input,
                "the reason is {} bytes; a reason is at most {}",
                reason.size(),
                k_max_reason_bytes);
  }
  if (utf8::first_invalid(reason)) {
    return make_error(Errc::invalid_input, "the reason is not UTF-8");
  }
  if (std::ranges::any_of(reason, [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\n' && c != '\t') || byte == 0x7f;
      })) {
    return make_error(Errc::invalid_input,
                      "the reason holds a control character");
  }
  return {};
}

Result<Amendment>
amendment(const Shards& shards,
          std::string_view typed,
          const form::Form& form,
          const schema::SchemaSet& schemas,
          const Places* places,
          const AmendOptions& options)
{
  CUSTODY_TRY(check_reason(options.reason));
  if (!opens_all(shards)) {
    return make_error(
      Errc::auth,
      "amending a record needs every record compartment (the legal role)",
      "ask a legal member to make the correction");
  }
  const auto& facts = *shards[part_index(vault::Compartment::facts)];
  CUSTODY_ASSIGN(found, facts.find(typed));
  CUSTODY_ASSIGN(history, facts.history(found.id));
  if (options.based_on && history.back().hash != *options.based_on) {
    return fail(Errc::invalid_input,
                "record {} was amended (entry {}) after you began this "
                "correction; nothing was written",
                found.id,
                history.back().seq);
  }
  CUSTODY_ASSIGN(parts, parts_of(form.value, form.origin, schemas, places));
  Change change;
  change.record_id = found.id;
  change.type = EntryType::amend;
  change.reason = options.reason;
  CUSTODY_ASSIGN(prev, digest_from_hex(history.back().hash));
  change.prev = prev;
  bool changed = false;
  for (std::size_t p = 0; p < k_part_count; ++p) {
    CUSTODY_ASSIGN(row, shards[p]->find(found.id));
    change.data[p] = make_merge_patch(row.view, parts[p]);
    changed = changed || !change.data[p].empty();
  }
  Amendment out;
  out.record_id = found.id;
  if (changed) {
    out.change = std::move(change);
  }
  return out;
}

} // namespace custody::records
