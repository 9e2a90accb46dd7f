// custody show: a record's latest view and its history, compartment by
// compartment.
#include "commands.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/disclosure/record.hpp>
#include <custody/records/view.hpp>
#include <custody/redact/record.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace custody::cli {

namespace {

struct ShowOptions
{
  std::vector<std::string> ids;
  bool form = false;
  bool history = false;
  bool redacted = false;
  std::int64_t at = -1; // --at SEQ; -1 when not given
};

// The record's current redacted text (docs/formats.md 6.6): a legal member
// sees every derivative, advocacy the ones released to it.
void
print_derivative(const redact::Derivative& derivative, bool json)
{
  if (json) {
    nlohmann::json out{{"type", "redacted"},
                       {"id", derivative.record},
                       {"seq", derivative.seq},
                       {"released", derivative.released},
                       {"stale", derivative.stale},
                       {"text", derivative.text},
                       {"output_sha256", derivative.output_sha256}};
    if (!derivative.review.empty()) {
      out["review"] = derivative.review;
    }
    if (!derivative.counts.is_null()) {
      out["counts"] = derivative.counts;
    }
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print("record {}: redacted text of entry {}{}{}\n",
             derivative.record,
             derivative.seq,
             derivative.review.empty() ? "" : ", " + derivative.review,
             derivative.released ? ", released to advocacy" : ", not released");
  if (derivative.stale) {
    fmt::print("  (the record was amended after this redaction: redact it "
               "again)\n");
  }
  for (const auto& [field, text] : derivative.text.items()) {
    fmt::print("{}: {}\n", field, printable(text.get<std::string>()));
  }
}

void
print_json(const disclosure::ShownRecord& shown, bool with_changes)
{
  fmt::print("{}\n", disclosure::record_json(shown, with_changes).dump());
}

// A field's value in the history: text as it is (continuation lines
// indented by `indent`), a list joined, "(none)" where the field is absent.
std::string
value_text(const std::optional<json::Json>& value, std::size_t indent)
{
  if (!value) {
    return "(none)";
  }
  std::string text;
  if (value->is_array()) {
    for (const auto& item : *value) {
      text += text.empty() ? "" : ", ";
      text += item.is_string() ? item.get<std::string>() : item.dump();
    }
    text = "[" + text + "]";
  } else if (value->is_string()) {
    text = value->get<std::string>();
  } else {
    text = value->dump();
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  std::string indented;
  for (std::size_t start = 0;;) {
    const auto end = text.find('\n', start);
    indented += printable(std::string_view(text).substr(start, end - start));
    if (end == std::string::npos) {
      break;
    }
    indented += "\n" + std::string(indent, ' ');
    start = end + 1;
  }
  return indented;
}

// One changed field: "before -> after" on its line, or, when either is
// text of several lines, each on lines of its own.
void
print_change(const json::Json& change)
{
  const auto side = [&](const char* key) {
    return change.contains(key) ? std::optional(change[key])
                                : std::optional<json::Json>();
  };
  const std::string before = value_text(side("before"), 14);
  const std::string after = value_text(side("after"), 14);
  const std::string field = fmt::format(
    "{} {}", change.value("compartment", ""), change.value("field", ""));
  if (before.find('\n') == std::string::npos
      && after.find('\n') == std::string::npos) {
    fmt::print("    {}: {} -> {}\n", field, before, after);
    return;
  }
  fmt::print(
    "    {}:\n      before: {}\n      after:  {}\n", field, before, after);
}

// The member who sealed an amendment, with her role as the vault knows it.
std::string
member_text(const vault::Vault& opened, const std::string& key_id)
{
  const auto& members = opened.state().members;
  const auto found = members.find(key_id);
  return found == members.end()
           ? key_id
           : fmt::format(
             "{} ({})", key_id, vault::role_name(found->second.role));
}

void
print_history(const disclosure::ShownRecord& shown, const vault::Vault& opened)
{
  fmt::print("record {}\n", shown.id);
  for (std::size_t i = 0; i < shown.history.size(); ++i) {
    const auto& entry = shown.history[i];
    if (entry.type == "record") {
      fmt::print("  entry {:>6}  {}  recorded\n", entry.seq, entry.time);
      continue;
    }
    fmt::print("  entry {:>6}  {}  amended by {}\n",
               entry.seq,
               entry.time,
               member_text(opened, entry.member));
    if (!entry.reason.empty()) {
      fmt::print("    reason: {}\n", value_text(entry.reason, 12));
    }
    const auto& changes =
      i < shown.changes.size() ? shown.changes[i] : json::Json::array();
    for (const auto& change : changes) {
      print_change(change);
    }
    if (changes.empty()) {
      fmt::print("    no change in what your keys open\n");
    }
  }
  if (!shown.sealed.empty()) {
    std::string sealed;
    for (const auto& name : shown.sealed) {
      sealed += (sealed.empty() ? "" : ", ") + name;
    }
    fmt::print("  sealed (your keys do not open them): {}\n", sealed);
  }
}

void
print_text(const disclosure::ShownRecord& shown)
{
  if (shown.at) {
    fmt::print("record {} as it was at entry {}\n", shown.id, *shown.at);
  } else {
    fmt::print("record {}\n", shown.id);
  }
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

Result<Outcome>
print_form(const records::Shards& shards, const std::string& id)
{
  // The record as one form again, to correct and give back to `record
  // --amend`.
  auto form = records::record_as_form(shards, id);
  if (!form && form.error().code == Errc::auth) {
    return make_error(Errc::auth,
                      "--form needs every record compartment (the legal role)");
  }
  if (!form) {
    return tl::unexpected(form.error());
  }
  const auto released = disclosure::as_form(std::move(*form));
  fmt::print("{}\n", released->dump(2));
  return Outcome::ok;
}

Result<Outcome>
run_show(const GlobalOptions& global, const ShowOptions& options)
{
  if (options.form
      && (options.ids.size() != 1 || options.history || options.at >= 0)) {
    return make_error(
      Errc::usage, "--form takes one record, and neither --history nor --at");
  }
  if (options.redacted
      && (options.form || options.history || options.at >= 0)) {
    return make_error(Errc::usage,
                      "--redacted takes neither --form, --history nor --at");
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
  CUSTODY_ASSIGN(shards, open_readable(session.vault));
  if (options.redacted) {
    std::vector<redact::Derivative> derivatives;
    for (const auto& id : options.ids) {
      CUSTODY_ASSIGN_CTX(
        derivative, redact::current_derivative(shards, id), printable(id));
      derivatives.push_back(std::move(derivative));
    }
    save_shards(shards);
    for (std::size_t i = 0; i < derivatives.size(); ++i) {
      if (i > 0 && !global.json) {
        fmt::print("\n");
      }
      print_derivative(derivatives[i], global.json);
    }
    return Outcome::ok;
  }
  records::ViewOptions view_options;
  if (options.at >= 0) {
    view_options.at = static_cast<std::uint64_t>(options.at);
  }
  view_options.changes = options.history;
  // Every record is found before any is printed: an unknown id among them
  // prints nothing.
  std::vector<disclosure::Released<disclosure::ShownRecord>> shown;
  for (const auto& id : options.ids) {
    CUSTODY_ASSIGN_CTX(
      view, records::view_record(shards, id, view_options), printable(id));
    if (options.form) {
      CUSTODY_ASSIGN(printed, print_form(shards, view.id));
      save_shards(shards);
      return printed;
    }
    shown.push_back(disclosure::for_member(view));
  }
  save_shards(shards);
  for (std::size_t i = 0; i < shown.size(); ++i) {
    // Output takes only what disclosure/ released.
    if (global.json) {
      print_json(*shown[i], options.history);
      continue;
    }
    if (i > 0) {
      fmt::print("\n");
    }
    if (options.history) {
      print_history(*shown[i], session.vault);
    } else {
      print_text(*shown[i]);
    }
  }
  return Outcome::ok;
}

} // namespace

void
register_show(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<ShowOptions>();
  auto* sub = app.add_subcommand(
    "show", "Show records: their latest view and their history");
  sub
    ->add_option(
      "ID", options->ids, "Record ids, or unique prefixes of at least 8 digits")
    ->required();
  sub->add_flag(
    "--form",
    options->form,
    "Print the record as one form (JSON, also valid YAML), to correct with "
    "`record --amend` (legal members)");
  sub->add_flag("--redacted",
                options->redacted,
                "Show the record's redacted narrative and notes (`custody "
                "redact`): legal members see every one, advocacy those "
                "released to it");
  sub->add_flag("--history",
                options->history,
                "List each entry: who amended the record, when, why, and the "
                "fields it changed (in the compartments your keys open)");
  sub
    ->add_option("--at",
                 options->at,
                 "Show the record as it was once ledger entry SEQ was written")
    ->option_text("SEQ")
    ->check(CLI::NonNegativeNumber);
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_show(global, *options); };
  });
}

} // namespace custody::cli
