// custody export: what leaves the vault, from a recipe (docs/formats.md 6.7
// and 14). Court bundles today; datasets, bulletins and police referrals are
// refused by kind until they exist.
#include "commands.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/export/court.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>

namespace custody::cli {

namespace {

struct ExportOptions
{
  std::string recipe;
  std::string out;
  std::vector<std::string> records;
  std::string tsa;
  std::string to;
  bool force = false;
  bool dry_run = false;
};

// A recipe is a screenful of YAML.
constexpr std::uint64_t k_max_recipe = 256 * 1024;

std::string
today_utc()
{
  return fmt::format(
    "{:%Y-%m-%d}",
    std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

nlohmann::json
plan_json(const bundle::CourtPlan& plan)
{
  nlohmann::json records = nlohmann::json::array();
  for (const auto& record : plan.records) {
    records.push_back({{"id", record.id},
                       {"entries", record.entries.size()},
                       {"attachments", record.attachments},
                       {"attachment_bytes", record.attachment_bytes}});
  }
  return {{"records", records},
          {"left_out", {{"consent", plan.left_out_consent}}},
          {"checkpoint",
           plan.checkpoint ? nlohmann::json(*plan.checkpoint)
                           : nlohmann::json(nullptr)}};
}

Result<Outcome>
run_export(const GlobalOptions& global, const ExportOptions& options)
{
  CUSTODY_ASSIGN(bytes,
                 fs::read_file(options.recipe, k_max_recipe, fs::Origin::user));
  const std::string_view text = as_text(bytes);
  CUSTODY_ASSIGN_CTX(
    kind, bundle::recipe_kind(text), printable(options.recipe));
  if (kind != "court") {
    return make_error(Errc::invalid_input,
                      fmt::format("{}: kind {}: this version of custody "
                                  "writes court bundles only (kind: court)",
                                  printable(options.recipe),
                                  printable(kind)),
                      "datasets, bulletins and police referrals are not yet "
                      "written by custody export");
  }
  bundle::CourtRequest request;
  CUSTODY_ASSIGN_CTX(
    recipe, bundle::parse_court_recipe(text), printable(options.recipe));
  request.recipe = std::move(recipe);
  request.recipe_name =
    std::filesystem::path(options.recipe).filename().string();
  request.recipe_sha256 = sha256_hex(bytes);
  request.records = options.records;
  request.out = options.out;
  request.replace = options.force ? bundle::Replace::yes : bundle::Replace::no;
  request.software_version = CUSTODY_VERSION;
  request.bagging_date = today_utc();
  if (!options.tsa.empty()) {
    request.tsa_url = options.tsa;
  }
  if (!options.to.empty()) {
    CUSTODY_ASSIGN_CTX(
      recipient, age::X25519Recipient::parse(options.to), "--to");
    request.encrypt_to = recipient;
  }
  CUSTODY_TRY(
    bundle::check_output_name(request.out, request.encrypt_to.has_value()));
  if (!options.dry_run && !options.force) {
    std::error_code error;
    if (std::filesystem::symlink_status(request.out, error).type()
        != std::filesystem::file_type::not_found) {
      return make_error(Errc::invalid_input,
                        fmt::format("{}: exists already; nothing was written",
                                    printable(options.out)),
                        "choose another name, or pass --force to replace it");
    }
  }

  CUSTODY_ASSIGN(
    session,
    open_session(global,
                 options.dry_run ? vault::Access::read : vault::Access::write));
  CUSTODY_ASSIGN(shards, open_readable(session.vault));
  vault::Notes notes;
  CUSTODY_ASSIGN(
    plan, bundle::plan_court_bundle(session.vault, shards, request, notes));
  if (options.dry_run) {
    if (global.json) {
      nlohmann::json out = plan_json(plan);
      out["type"] = "export";
      out["dry_run"] = true;
      fmt::print("{}\n", out.dump());
    } else {
      for (const auto& record : plan.records) {
        fmt::print("{}  {} entr{}, {} attachment{} ({} bytes)\n",
                   record.id,
                   record.entries.size(),
                   record.entries.size() == 1 ? "y" : "ies",
                   record.attachments,
                   record.attachments == 1 ? "" : "s",
                   record.attachment_bytes);
      }
    }
    note(fmt::format("dry run: {} record{} would go out{}; nothing was "
                     "written",
                     plan.records.size(),
                     plan.records.size() == 1 ? "" : "s",
                     plan.checkpoint ? ""
                                     : ", with a checkpoint signed for them"));
    if (plan.left_out_consent > 0) {
      note(fmt::format("{} record{} left out: no legal_action consent",
                       plan.left_out_consent,
                       plan.left_out_consent == 1 ? "" : "s"));
    }
    save_shards(shards);
    return Outcome::ok;
  }
  CUSTODY_ASSIGN(
    written,
    bundle::write_court_bundle(session.vault, shards, request, plan, notes));
  save_shards(shards);
  if (global.json) {
    nlohmann::json out = plan_json(plan);
    out["type"] = "export";
    out["kind"] = "court";
    out["output"] = written.bag.path.string();
    out["checkpoint"] = written.checkpoint;
    out["checkpoint_signed"] = written.checkpoint_signed;
    out["timestamped"] = written.timestamped;
    out["entry"] = written.export_seq;
    out["key"] = written.key;
    out["key_id"] = written.key_id;
    out["tagmanifest_sha256"] = written.bag.tagmanifest_sha256;
    out["archive_sha256"] = written.bag.archive_sha256
                              ? nlohmann::json(*written.bag.archive_sha256)
                              : nlohmann::json(nullptr);
    out["payload_oxum"] = fmt::format(
      "{}.{}", written.bag.payload_octets, written.bag.payload_files);
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("{}: court bundle of {} record{}, {} payload files, {} bytes\n",
               printable(written.bag.path.string()),
               plan.records.size(),
               plan.records.size() == 1 ? "" : "s",
               written.bag.payload_files,
               written.bag.payload_octets);
    fmt::print("proved against checkpoint {} ({})\n",
               written.checkpoint,
               written.timestamped ? "timestamped"
                                   : "not independently timestamped");
    fmt::print("vault key {} (key id {}): the court must compare it with the "
               "one lodged outside the vault\n",
               written.key,
               written.key_id);
  }
  for (const auto& item : notes) {
    note(to_string(item));
  }
  note(fmt::format("export logged as entry {}", written.export_seq));
  end_with_checkpoint(global, session.vault);
  if (plan.left_out_consent > 0) {
    note(fmt::format("{} record{} left out: no legal_action consent",
                     plan.left_out_consent,
                     plan.left_out_consent == 1 ? "" : "s"));
  }
  return Outcome::ok;
}

} // namespace

void
register_export(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<ExportOptions>();
  auto* sub = app.add_subcommand(
    "export",
    "Write a court bundle of records from a recipe, and log it (legal "
    "members)");
  sub
    ->add_option("--recipe",
                 options->recipe,
                 "The recipe (YAML, kind: court; examples/recipes/court.yaml)")
    ->option_text("FILE")
    ->required();
  sub
    ->add_option("-o,--output",
                 options->out,
                 "Where the bundle goes: a directory, or a .zip or .tar by its "
                 "name")
    ->option_text("OUT");
  sub->add_option("RECORD", options->records, "The records (ids or receipts)")
    ->required();
  sub->add_flag("--force", options->force, "Replace OUT if it exists");
  sub
    ->add_option("--to",
                 options->to,
                 "Encrypt the archive to this age recipient as it is written "
                 "(OUT a .tar.age or .zip.age)")
    ->option_text("AGE1...");
  sub
    ->add_option("--tsa",
                 options->tsa,
                 "Ask the timestamp authority at URL (with curl) for a token "
                 "over the bundle's checkpoint when it has none")
    ->option_text("URL");
  sub->add_flag(
    "--dry-run", options->dry_run, "List what would go out; write nothing");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    if (options->out.empty() && !options->dry_run) {
      throw CLI::ValidationError("-o", "give -o OUT (or --dry-run)");
    }
    action = [&global, options] { return run_export(global, *options); };
  });
}

} // namespace custody::cli
