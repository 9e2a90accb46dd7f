// custody show: a record's latest view and its history, compartment by
// compartment.
#include "commands.hpp"
#include "records_view.hpp"
#include "session.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace custody::cli {

namespace {

struct ShowOptions
{
  std::string id;
  bool form = false;
};

Result<Outcome>
run_show(const GlobalOptions& global, const ShowOptions& options)
{
  const std::string& id_prefix = options.id;
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
  vault::Notes notes;
  auto shards = open_shards(session.vault, notes);
  print_notes(notes);
  if (!shards) {
    return tl::unexpected(shards.error());
  }
  const index::Shard* any = any_shard(*shards);
  CUSTODY_ASSIGN(found, any->find(id_prefix));
  CUSTODY_ASSIGN(history, any->history(found.id));

  if (options.form) {
    // The record as one form again, to correct and give back to `record
    // --amend`.
    records::Parts parts;
    for (std::size_t p = 0; p < records::k_part_count; ++p) {
      if (!(*shards)[p]) {
        return make_error(
          Errc::auth, "--form needs every record compartment (the legal role)");
      }
      CUSTODY_ASSIGN(row, (*shards)[p]->find(found.id));
      parts[p] = row.view;
    }
    save_shards(*shards);
    fmt::print("{}\n",
               records::merge_parts(records::strip_derived(parts)).dump(2));
    return Outcome::ok;
  }
  nlohmann::json compartments = nlohmann::json::object();
  nlohmann::json sealed = nlohmann::json::array();
  for (std::size_t p = 0; p < records::k_part_count; ++p) {
    const std::string name(vault::compartment_name(records::k_parts[p]));
    if (!(*shards)[p]) {
      sealed.push_back(name);
      continue;
    }
    CUSTODY_ASSIGN(row, (*shards)[p]->find(found.id));
    compartments[name] = row.view;
  }
  // Attachments are listed by the identity shard, which only legal members
  // open.
  nlohmann::json attachments = nlohmann::json::array();
  const std::size_t identity_part =
    records::part_index(vault::Compartment::identity);
  if ((*shards)[identity_part]) {
    CUSTODY_ASSIGN(rows, (*shards)[identity_part]->attachments(found.id));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      nlohmann::json item = rows[i].attachment;
      item.erase("media_salt");
      item["number"] = i + 1;
      item["seq"] = rows[i].seq;
      attachments.push_back(item);
    }
  }
  save_shards(*shards);
  if (global.json) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& entry : history) {
      entries.push_back({{"seq", entry.seq},
                         {"time", entry.time},
                         {"type", entry.type},
                         {"hash", entry.hash}});
    }
    fmt::print("{}\n",
               nlohmann::json{{"type", "record"},
                              {"id", found.id},
                              {"entries", entries},
                              {"compartments", compartments},
                              {"attachments", attachments},
                              {"sealed", sealed}}
                 .dump());
    return Outcome::ok;
  }
  fmt::print("record {}\n", found.id);
  for (const auto& entry : history) {
    fmt::print("  entry {:>6}  {}  {}\n",
               entry.seq,
               entry.time,
               entry.type == "record" ? "recorded" : "amended");
  }
  for (std::size_t p = 0; p < records::k_part_count; ++p) {
    const std::string name(vault::compartment_name(records::k_parts[p]));
    if (!compartments.contains(name)) {
      fmt::print("  {}: sealed (your keys do not open it)\n", name);
      continue;
    }
    fmt::print("  {}:\n", name);
    print_view(compartments[name], "");
  }
  if (!(*shards)[identity_part]) {
    fmt::print("  attachments: sealed (your keys do not open them)\n");
    return Outcome::ok;
  }
  for (const auto& item : attachments) {
    fmt::print("  attachment {}: {} ({}, {} bytes) entry {}\n",
               item["number"].get<std::size_t>(),
               printable(item.value("name", "")),
               item.value("kind", ""),
               item.value("size", std::uint64_t{0}),
               item["seq"].get<std::uint64_t>());
    fmt::print("    sha256 {}\n", item.value("sha256", ""));
    if (item.contains("captured_at")) {
      fmt::print("    captured_at {}\n",
                 printable(item.value("captured_at", "")));
    }
    if (item.contains("note")) {
      fmt::print("    note {}\n", printable(item.value("note", "")));
    }
    print_view(item.value("media", nlohmann::json::object()), "media");
  }
  return Outcome::ok;
}

} // namespace

void
register_show(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<ShowOptions>();
  auto* sub = app.add_subcommand(
    "show", "Show a record: its latest view and its history");
  add_record_argument(*sub, "ID", options->id);
  sub->add_flag(
    "--form",
    options->form,
    "Print the record as one form (JSON, also valid YAML), to correct with "
    "`record --amend` (legal members)");
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_show(global, *options); };
  });
}

} // namespace custody::cli
