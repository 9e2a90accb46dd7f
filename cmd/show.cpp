// custody show: a record's latest view and its history, compartment by
// compartment.
#include "commands.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/disclosure/record.hpp>
#include <custody/records/view.hpp>

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

void
print_json(const disclosure::ShownRecord& shown)
{
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& entry : shown.history) {
    entries.push_back({{"seq", entry.seq},
                       {"time", entry.time},
                       {"type", entry.type},
                       {"hash", entry.hash}});
  }
  nlohmann::json attachments = nlohmann::json::array();
  for (const auto& attachment :
       shown.attachments.value_or(std::vector<disclosure::ShownAttachment>{})) {
    nlohmann::json item = attachment.document;
    item["number"] = attachment.number;
    item["seq"] = attachment.seq;
    attachments.push_back(std::move(item));
  }
  fmt::print("{}\n",
             nlohmann::json{{"type", "record"},
                            {"id", shown.id},
                            {"entries", entries},
                            {"compartments", shown.compartments},
                            {"attachments", attachments},
                            {"sealed", shown.sealed}}
               .dump());
}

void
print_text(const disclosure::ShownRecord& shown)
{
  fmt::print("record {}\n", shown.id);
  for (const auto& entry : shown.history) {
    fmt::print("  entry {:>6}  {}  {}\n",
               entry.seq,
               entry.time,
               entry.type == "record" ? "recorded" : "amended");
  }
  for (const auto compartment : records::k_parts) {
    const std::string name(vault::compartment_name(compartment));
    if (!shown.compartments.contains(name)) {
      fmt::print("  {}: sealed (your keys do not open it)\n", name);
      continue;
    }
    fmt::print("  {}:\n", name);
    print_view(shown.compartments[name], "");
  }
  if (!shown.attachments) {
    fmt::print("  attachments: sealed (your keys do not open them)\n");
    return;
  }
  for (const auto& attachment : *shown.attachments) {
    const auto& item = attachment.document;
    fmt::print("  attachment {}: {} ({}, {} bytes) entry {}\n",
               attachment.number,
               printable(item.value("name", "")),
               item.value("kind", ""),
               item.value("size", std::uint64_t{0}),
               attachment.seq);
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
}

// Output takes only what disclosure/ released.
void
print_record(const GlobalOptions& global,
             const disclosure::Released<disclosure::ShownRecord>& shown)
{
  if (global.json) {
    print_json(*shown);
  } else {
    print_text(*shown);
  }
}

Result<Outcome>
run_show(const GlobalOptions& global, const ShowOptions& options)
{
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
  CUSTODY_ASSIGN(shards, open_readable(session.vault));
  CUSTODY_ASSIGN(view, records::view_record(shards, options.id));
  if (options.form) {
    // The record as one form again, to correct and give back to `record
    // --amend`.
    auto form = records::record_as_form(shards, view.id);
    if (!form && form.error().code == Errc::auth) {
      return make_error(
        Errc::auth, "--form needs every record compartment (the legal role)");
    }
    if (!form) {
      return tl::unexpected(form.error());
    }
    save_shards(shards);
    const auto released = disclosure::as_form(std::move(*form));
    fmt::print("{}\n", released->dump(2));
    return Outcome::ok;
  }
  save_shards(shards);
  print_record(global, disclosure::for_member(view));
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
