// A record as a member sees it (view.hpp).
#include <custody/records/view.hpp>

namespace custody::records {

Result<RecordView>
view_record(const Shards& shards, std::string_view typed)
{
  const index::Shard* any = any_shard(shards);
  if (any == nullptr) {
    return make_error(Errc::auth, "your keys open no record compartment");
  }
  RecordView view;
  CUSTODY_ASSIGN(found, any->find(typed));
  view.id = found.id;
  CUSTODY_ASSIGN(history, any->history(view.id));
  view.history = std::move(history);
  for (std::size_t p = 0; p < k_part_count; ++p) {
    if (shards[p]) {
      CUSTODY_ASSIGN(row, shards[p]->find(view.id));
      view.parts[p] = std::move(row.view);
    }
  }
  if (const auto& identity = shards[part_index(vault::Compartment::identity)]) {
    CUSTODY_ASSIGN(rows, identity->attachments(view.id));
    view.attachments = std::move(rows);
  }
  return view;
}

Result<json::Json>
record_as_form(const Shards& shards, const std::string& id)
{
  if (!opens_all(shards)) {
    return make_error(
      Errc::auth,
      "the record as a form needs every record compartment (the legal role)");
  }
  Parts parts;
  for (std::size_t p = 0; p < k_part_count; ++p) {
    CUSTODY_ASSIGN(row, shards[p]->find(id));
    parts[p] = std::move(row.view);
  }
  return merge_parts(strip_derived(parts));
}

} // namespace custody::records
