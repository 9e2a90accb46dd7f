// Amendments (amend.hpp).
#include <custody/records/amend.hpp>

namespace custody::records {

Result<Amendment>
amendment(const Shards& shards,
          std::string_view typed,
          const form::Form& form,
          const schema::SchemaSet& schemas,
          const Places* places)
{
  if (!opens_all(shards)) {
    return make_error(
      Errc::auth,
      "amending a record needs every record compartment (the legal role)",
      "ask a legal member to make the correction");
  }
  const auto& facts = *shards[part_index(vault::Compartment::facts)];
  CUSTODY_ASSIGN(found, facts.find(typed));
  CUSTODY_ASSIGN(history, facts.history(found.id));
  CUSTODY_ASSIGN(parts, parts_of(form.value, form.origin, schemas, places));
  Change change;
  change.record_id = found.id;
  change.type = EntryType::amend;
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
