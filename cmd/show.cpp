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

Result<Outcome>
run_show(const GlobalOptions& global, const std::string& id_prefix)
{
  CUSTODY_ASSIGN(directory, require_vault(global));
  CUSTODY_ASSIGN(identity_file, require_identity(global));
  CUSTODY_ASSIGN(member,
                 unlock_identity(identity_file, global.passphrase_file));
  vault::Notes notes;
  auto opened = vault::Vault::open(
    directory, member, open_options(global, vault::Access::read), notes);
  if (!opened) {
    print_notes(notes);
    return tl::unexpected(opened.error());
  }
  auto shards = open_shards(*opened, notes);
  print_notes(notes);
  if (!shards) {
    return tl::unexpected(shards.error());
  }
  // Any shard the member opens knows every record id (every record writes all
  // four payloads).
  const index::Shard* any = nullptr;
  for (const auto& shard : *shards) {
    if (shard && any == nullptr) {
      any = &*shard;
    }
  }
  CUSTODY_ASSIGN(found, any->find(id_prefix));
  CUSTODY_ASSIGN(history, any->history(found.id));

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
  return Outcome::ok;
}

} // namespace

void
register_show(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto id = std::make_shared<std::string>();
  auto* sub = app.add_subcommand(
    "show", "Show a record: its latest view and its history");
  sub
    ->add_option(
      "ID", *id, "The record id, or a unique prefix of at least 8 digits")
    ->required();
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, id] {
    action = [&global, id] { return run_show(global, *id); };
  });
}

} // namespace custody::cli
