// A record as a member sees it (view.hpp).
#include <custody/records/view.hpp>

#include <fmt/core.h>

#include <map>

namespace custody::records {

namespace {

std::string
pointer_token(const std::string& key)
{
  std::string token;
  for (char c : key) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

void
leaves(const json::Json& value,
       const std::string& pointer,
       std::map<std::string, const json::Json*>& out)
{
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, item] : value.items()) {
      leaves(item, pointer + "/" + pointer_token(key), out);
    }
    return;
  }
  if (!pointer.empty()) {
    out.emplace(pointer, &value);
  }
}

// The views of one compartment's part after each of `entries`, from the
// latest view and the entries' undo patches (docs/formats.md 10.1).
std::vector<json::Json>
views_after(const json::Json& latest,
            const std::vector<index::EntryRow>& entries)
{
  std::vector<json::Json> views(entries.size());
  if (entries.empty()) {
    return views;
  }
  views.back() = latest;
  for (std::size_t i = entries.size() - 1; i > 0; --i) {
    json::Json before = views[i];
    if (entries[i].undo) {
      before.merge_patch(*entries[i].undo);
    }
    views[i - 1] = std::move(before);
  }
  return views;
}

} // namespace

std::vector<FieldChange>
field_changes(const json::Json& before, const json::Json& after)
{
  std::map<std::string, const json::Json*> old_leaves;
  std::map<std::string, const json::Json*> new_leaves;
  leaves(before, "", old_leaves);
  leaves(after, "", new_leaves);
  std::vector<FieldChange> changes;
  auto old_it = old_leaves.begin();
  auto new_it = new_leaves.begin();
  while (old_it != old_leaves.end() || new_it != new_leaves.end()) {
    if (new_it == new_leaves.end()
        || (old_it != old_leaves.end() && old_it->first < new_it->first)) {
      changes.push_back({old_it->first, *old_it->second, std::nullopt});
      ++old_it;
    } else if (old_it == old_leaves.end() || new_it->first < old_it->first) {
      changes.push_back({new_it->first, std::nullopt, *new_it->second});
      ++new_it;
    } else {
      if (*old_it->second != *new_it->second) {
        changes.push_back({old_it->first, *old_it->second, *new_it->second});
      }
      ++old_it;
      ++new_it;
    }
  }
  return changes;
}

Result<RecordView>
view_record(const Shards& shards,
            std::string_view typed,
            const ViewOptions& options)
{
  const index::Shard* any = any_shard(shards);
  if (any == nullptr) {
    return make_error(Errc::auth, "your keys open no record compartment");
  }
  RecordView view;
  CUSTODY_ASSIGN(found, any->find(typed));
  view.id = found.id;
  CUSTODY_ASSIGN(history, any->history(view.id));
  // How many of the record's entries the view covers.
  std::size_t covered = history.size();
  if (options.at) {
    view.at = options.at;
    covered = 0;
    while (covered < history.size() && history[covered].seq <= *options.at) {
      ++covered;
    }
    if (covered == 0) {
      return fail(Errc::invalid_input,
                  "record {} did not exist at entry {}: it was recorded at "
                  "entry {}",
                  view.id,
                  *options.at,
                  history.front().seq);
    }
  }
  const bool earlier = covered < history.size();
  if (options.changes) {
    view.changes.resize(covered);
  }
  for (std::size_t p = 0; p < k_part_count; ++p) {
    if (!shards[p]) {
      continue;
    }
    CUSTODY_ASSIGN(row, shards[p]->find(view.id));
    if (!earlier && !options.changes) {
      view.parts[p] = std::move(row.view);
      continue;
    }
    CUSTODY_ASSIGN(entries, shards[p]->history(view.id));
    if (entries.size() != history.size()) {
      return fail(Errc::corrupt,
                  "index: record {} has {} entries in one shard and {} in "
                  "another",
                  view.id,
                  entries.size(),
                  history.size());
    }
    const auto views = views_after(row.view, entries);
    view.parts[p] = views[covered - 1];
    for (std::size_t i = 0; i < view.changes.size(); ++i) {
      view.changes[i].parts[p] = i == 0 ? std::vector<FieldChange>{}
                                        : field_changes(views[i - 1], views[i]);
    }
  }
  history.resize(covered);
  view.history = std::move(history);
  if (const auto& identity = shards[part_index(vault::Compartment::identity)]) {
    CUSTODY_ASSIGN(rows, identity->attachments(view.id));
    if (options.at) {
      std::erase_if(rows, [&](const index::AttachmentRow& attachment) {
        return attachment.seq > *options.at;
      });
    }
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
