// custody export: what leaves the vault, from a recipe (docs/formats.md 6.7
// and 14): court bundles, police referrals, safety bulletins and datasets.
#include "commands.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/export/bulletin.hpp>
#include <custody/export/court.hpp>
#include <custody/export/dataset.hpp>
#include <custody/export/police.hpp>
#include <custody/records/readers.hpp>
#include <custody/stats/history.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
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
  bool propose = false;
  std::size_t retract = 0;
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

// The modes of an export a second member approves (a referral, a bulletin):
// exactly one of --dry-run, --propose and -o; never --to, which encrypts a
// court bundle's archive.
Result<void>
check_approved_modes(const ExportOptions& options)
{
  if (int(options.dry_run) + int(options.propose) + int(!options.out.empty())
      != 1) {
    return make_error(Errc::usage,
                      "give one of --dry-run, --propose and -o OUT");
  }
  if (!options.to.empty()) {
    return make_error(Errc::usage,
                      "--to encrypts a court bundle's archive; referrals, "
                      "bulletins and datasets are text");
  }
  return {};
}

// What every approved export written prints with --json: its kind, where it
// went, its entry and the approval it rests on; `more` adds the kind's own.
nlohmann::json
written_json(std::string_view kind,
             const std::string& out,
             std::uint64_t entry,
             const bundle::Approved& approved,
             nlohmann::json more)
{
  more.update({{"type", "export"},
               {"kind", kind},
               {"status", "written"},
               {"output", out},
               {"entry", entry},
               {"proposal", approved.proposal},
               {"approval", approved.approval},
               {"approver", approved.approver}});
  return more;
}

// An export made from every consenting report of a period (a bulletin, a
// dataset): no RECORD, and one of the approved exports' modes.
Result<void>
check_period_export(const ExportOptions& options, std::string_view what)
{
  if (!options.records.empty()) {
    return make_error(Errc::usage,
                      fmt::format("{} is made from every consenting report of "
                                  "its period: give no RECORD",
                                  what));
  }
  return check_approved_modes(options);
}

// What an approved export would write, shown (--dry-run) or proposed for a
// second member's approval (--propose): the exact text, and its hash.
Result<Outcome>
show_or_propose(const GlobalOptions& global,
                vault::Vault& vault,
                std::string_view kind,
                const std::string& recipe_name,
                const std::string& recipe_sha256,
                const std::string& content,
                bool propose,
                std::optional<vault::Compartment> holder = std::nullopt)
{
  std::optional<std::uint64_t> seq;
  if (propose) {
    CUSTODY_ASSIGN(proposed,
                   bundle::propose(
                     vault, kind, recipe_name, recipe_sha256, content, holder));
    seq = proposed;
  }
  if (global.json) {
    fmt::print("{}\n",
               nlohmann::json{
                 {"type", "export"},
                 {"kind", kind},
                 {"status", seq ? "proposed" : "dry_run"},
                 {"seq", seq ? nlohmann::json(*seq) : nlohmann::json(nullptr)},
                 {"content_sha256", sha256_hex(as_bytes(content))},
                 {"content", content}}
                 .dump());
  } else {
    fmt::print("{}", content);
  }
  if (seq) {
    note(fmt::format("proposed as entry {}: a second member reads and "
                     "approves it with `custody approve {}`; then export it "
                     "with -o",
                     *seq,
                     *seq));
    end_with_checkpoint(global, vault);
  } else {
    note("dry run: nothing was written");
  }
  return Outcome::ok;
}

// A police referral (docs/formats.md 14.3): shown (--dry-run), proposed
// (--propose), or written once approved.
Result<Outcome>
run_police(const GlobalOptions& global,
           const ExportOptions& options,
           const Bytes& recipe_bytes)
{
  CUSTODY_ASSIGN_CTX(recipe,
                     bundle::parse_police_recipe(as_text(recipe_bytes)),
                     printable(options.recipe));
  if (options.records.size() != 1) {
    return make_error(Errc::usage,
                      "a police referral is of one record: give one RECORD");
  }
  CUSTODY_TRY(check_approved_modes(options));
  const std::string recipe_name =
    std::filesystem::path(options.recipe).filename().string();
  const std::string recipe_sha256 = sha256_hex(recipe_bytes);
  CUSTODY_ASSIGN(
    session,
    open_session(global,
                 options.dry_run ? vault::Access::read : vault::Access::write));
  CUSTODY_ASSIGN(shards, open_readable(session.vault));
  vault::Notes notes;
  CUSTODY_ASSIGN(id,
                 records::resolve_id(session.vault, options.records[0], notes));
  CUSTODY_ASSIGN(text, bundle::police_text(session.vault, shards, recipe, id));
  save_shards(shards);
  if (options.dry_run || options.propose) {
    return show_or_propose(global,
                           session.vault,
                           "police",
                           recipe_name,
                           recipe_sha256,
                           *text,
                           options.propose);
  }
  CUSTODY_ASSIGN(
    written,
    bundle::write_police_referral(
      session.vault, id, text, recipe_name, recipe_sha256, options.out));
  if (global.json) {
    fmt::print("{}\n",
               written_json("police",
                            options.out,
                            written.export_seq,
                            written.approved,
                            {{"sha256", written.sha256}})
                 .dump());
  } else {
    fmt::print("{}: police referral of record {} ({} bytes)\n",
               printable(options.out),
               id,
               text->size());
  }
  note(fmt::format("approved by {} (entry {}); export logged as entry {}",
                   written.approved.approver,
                   written.approved.approval,
                   written.export_seq));
  end_with_checkpoint(global, session.vault);
  return Outcome::ok;
}

// The clock a bulletin's delay is counted on. A build with the test seams
// (CUSTODY_TESTING) lets tests run it ahead, so that reports recorded a
// moment ago can be old enough without waiting a day; a release build has no
// such seam.
std::chrono::system_clock::time_point
bulletin_clock()
{
  auto now = std::chrono::system_clock::now();
#ifdef CUSTODY_TESTING
  if (const char* ahead = std::getenv("CUSTODY_TEST_CLOCK_AHEAD_HOURS")) {
    now += std::chrono::hours(std::strtol(ahead, nullptr, 10));
  }
#endif
  return now;
}

// A safety bulletin (docs/formats.md 14.4): shown, proposed, or written once
// approved.
Result<Outcome>
run_bulletin(const GlobalOptions& global,
             const ExportOptions& options,
             const Bytes& recipe_bytes)
{
  CUSTODY_ASSIGN_CTX(recipe,
                     bundle::parse_bulletin_recipe(as_text(recipe_bytes)),
                     printable(options.recipe));
  CUSTODY_TRY(check_period_export(options, "a bulletin"));
  const std::string recipe_name =
    std::filesystem::path(options.recipe).filename().string();
  const std::string recipe_sha256 = sha256_hex(recipe_bytes);
  CUSTODY_ASSIGN(
    session,
    open_session(global,
                 options.dry_run ? vault::Access::read : vault::Access::write));
  CUSTODY_ASSIGN(shards, open_readable(session.vault));
  bundle::BulletinChannels channels;
  if (options.retract > 0) {
    CUSTODY_ASSIGN(retraction,
                   bundle::bulletin_retraction(
                     session.vault, recipe, recipe_name, options.retract));
    channels = std::move(retraction);
    note(fmt::format("a retraction of item {} of the bulletin proposed as "
                     "entry {}",
                     channels.retracts_item,
                     channels.retracts_proposal));
  } else {
    CUSTODY_ASSIGN(bulletin,
                   bundle::bulletin_channels(
                     session.vault, shards, recipe, bulletin_clock()));
    channels = std::move(bulletin);
    note(fmt::format("{} item{}; {} report{} withheld (fewer than {} "
                     "persons' reports in their region), {} too recent",
                     channels.items,
                     channels.items == 1 ? "" : "s",
                     channels.withheld,
                     channels.withheld == 1 ? "" : "s",
                     channels.k,
                     channels.too_recent));
  }
  save_shards(shards);
  if (options.dry_run || options.propose) {
    return show_or_propose(global,
                           session.vault,
                           "bulletin",
                           recipe_name,
                           recipe_sha256,
                           bundle::proposal_content(channels),
                           options.propose);
  }
  CUSTODY_ASSIGN(
    written,
    bundle::write_bulletin(
      session.vault, channels, recipe_name, recipe_sha256, options.out));
  if (global.json) {
    fmt::print("{}\n",
               written_json("bulletin",
                            options.out,
                            written.export_seq,
                            written.approved,
                            {{"items", channels.items},
                             {"retracts_item", channels.retracts_item},
                             {"sms_parts", channels.sms_parts}})
                 .dump());
  } else if (channels.retracts_item > 0) {
    fmt::print("{}: retraction of item {} (bulletin.txt, bulletin.md, "
               "bulletin.html, bulletin-sms.txt)\n",
               printable(options.out),
               channels.retracts_item);
  } else {
    fmt::print("{}: bulletin of {} item{} (bulletin.txt, bulletin.md, "
               "bulletin.html, bulletin-sms.txt: {} SMS part{})\n",
               printable(options.out),
               channels.items,
               channels.items == 1 ? "" : "s",
               channels.sms_parts,
               channels.sms_parts == 1 ? "" : "s");
  }
  note(fmt::format("approved by {} (entry {}); export logged as entry {}",
                   written.approved.approver,
                   written.approved.approval,
                   written.export_seq));
  end_with_checkpoint(global, session.vault);
  return Outcome::ok;
}

// A dataset (docs/formats.md 14.5): checked, shown, proposed, or written
// once a legal member approved it.
Result<Outcome>
run_dataset(const GlobalOptions& global,
            const ExportOptions& options,
            const Bytes& recipe_bytes)
{
  CUSTODY_ASSIGN_CTX(recipe,
                     bundle::parse_dataset_recipe(as_text(recipe_bytes)),
                     printable(options.recipe));
  CUSTODY_TRY(check_period_export(options, "a dataset"));
  CUSTODY_ASSIGN(
    session,
    open_session(global,
                 options.dry_run ? vault::Access::read : vault::Access::write));
  const auto places = records::places_of(session.vault);
  for (const auto& field : recipe.spec.fields) {
    if (!places
        && (field.dimension == stats::Dimension::region
            || field.dimension == stats::Dimension::district)) {
      return make_error(Errc::invalid_input,
                        fmt::format("{}: {} needs the vault's places list, "
                                    "which this vault has not",
                                    printable(options.recipe),
                                    stats::field_name(field)),
                        Remedy::set_places);
    }
  }
  recipe.rules.k = std::max<std::uint64_t>(
    recipe.rules.k, vault::small_cell_floor(session.vault.state().policy));
  CUSTODY_ASSIGN(
    facts,
    open_shard(session.vault,
               vault::Compartment::facts,
               index::Need::statistics,
               "your keys do not open the facts compartment (role {})",
               "datasets are made by data, legal and advocacy members"));
  const records::Places* known = places ? &*places : nullptr;
  CUSTODY_ASSIGN(readings,
                 stats::read_for_release(
                   facts, stats::Selection{recipe.spec.period, {}}, known));
  const auto& recorded = readings.recorded;
  const auto& rows = readings.rows;
  std::optional<disclosure::DatasetNarratives> narratives;
  if (recipe.narrative) {
    CUSTODY_ASSIGN(shards, open_readable(session.vault));
    CUSTODY_ASSIGN_CTX(
      released,
      disclosure::released_narratives(shards, *recipe.narrative),
      printable(options.recipe));
    save_shards(shards);
    narratives = std::move(released);
  }
  CUSTODY_ASSIGN(dataset,
                 disclosure::release_dataset(
                   rows,
                   recipe.spec,
                   known,
                   recipe.rules,
                   recorded,
                   [&](std::uint64_t tree_size) {
                     return facts.records_changed_since(tree_size);
                   },
                   narratives ? &*narratives : nullptr));
  const auto files = bundle::dataset_files(dataset, recipe, known);
  const auto& check = dataset->check;
  note(fmt::format("{} rows from {} persons in {} classes (each of at least "
                   "{} persons); {} rows withheld; estimated risk {:.2f} %; "
                   "left out: {} without publish consent, {} dated to the "
                   "year alone",
                   check.records,
                   check.persons,
                   check.classes,
                   recipe.rules.k,
                   check.withheld_records,
                   check.risk * 100,
                   check.without_consent,
                   check.year_only));
  if (narratives) {
    note(fmt::format(
      "narratives: {} released; of the consenting reports, {} without a "
      "released redacted narrative, {} whose released narrative was made "
      "before the record's latest amendment or redacted again since{}",
      check.narratives,
      check.narrative_none,
      check.narrative_stale,
      check.narrative_left_out > 0
        ? fmt::format(" ({} left out of the dataset)", check.narrative_left_out)
        : std::string(" (marked not_recorded)")));
  }
  const std::string recipe_name =
    std::filesystem::path(options.recipe).filename().string();
  const std::string recipe_sha256 = sha256_hex(recipe_bytes);
  if (options.dry_run || options.propose) {
    return show_or_propose(global,
                           session.vault,
                           "dataset",
                           recipe_name,
                           recipe_sha256,
                           bundle::proposal_content(files),
                           options.propose,
                           bundle::proposal_compartment(dataset));
  }
  CUSTODY_ASSIGN(
    written,
    bundle::write_dataset(
      session.vault, dataset, files, recipe_name, recipe_sha256, options.out));
  if (global.json) {
    fmt::print("{}\n",
               written_json("dataset",
                            options.out,
                            written.export_seq,
                            written.approved,
                            {{"rows", check.records},
                             {"classes", check.classes},
                             {"withheld", check.withheld_records},
                             {"risk", check.risk},
                             {"release", written.release_seq}})
                 .dump());
  } else {
    fmt::print("{}: dataset of {} rows (data.csv, datapackage.json)\n",
               printable(options.out),
               check.records);
  }
  note(fmt::format("approved by {} (entry {}); release recorded as entry {}, "
                   "export logged as entry {}",
                   written.approved.approver,
                   written.approved.approval,
                   written.release_seq,
                   written.export_seq));
  end_with_checkpoint(global, session.vault);
  return Outcome::ok;
}

Result<Outcome>
run_export(const GlobalOptions& global, const ExportOptions& options)
{
  CUSTODY_ASSIGN(bytes,
                 fs::read_file(options.recipe, k_max_recipe, fs::Origin::user));
  const std::string_view text = as_text(bytes);
  CUSTODY_ASSIGN_CTX(
    kind, bundle::recipe_kind(text), printable(options.recipe));
  if (options.retract > 0 && kind != "bulletin") {
    return make_error(Errc::usage, "--retract withdraws an item of a bulletin");
  }
  if (kind == "police") {
    return run_police(global, options, bytes);
  }
  if (kind == "bulletin") {
    return run_bulletin(global, options, bytes);
  }
  if (kind == "dataset") {
    return run_dataset(global, options, bytes);
  }
  if (options.propose) {
    return make_error(Errc::usage,
                      "--propose is for exports a second member approves "
                      "(police referrals); a court bundle is logged, not "
                      "approved");
  }
  if (kind != "court") {
    return make_error(Errc::invalid_input,
                      fmt::format("{}: kind {}: a recipe is kind: court, "
                                  "police, bulletin or dataset",
                                  printable(options.recipe),
                                  printable(kind)));
  }
  if (options.records.empty()) {
    return make_error(Errc::usage,
                      "name the records: custody export --recipe court.yaml "
                      "-o OUT RECORD...");
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
    "Write a court bundle, a police referral, a bulletin or a dataset from a "
    "recipe, and log it");
  sub
    ->add_option("--recipe",
                 options->recipe,
                 "The recipe (YAML, kind: court, police, bulletin or dataset; "
                 "examples/recipes/)")
    ->option_text("FILE")
    ->required();
  sub
    ->add_option("-o,--output",
                 options->out,
                 "Where the bundle goes: a directory, or a .zip or .tar by its "
                 "name")
    ->option_text("OUT");
  sub->add_option("RECORD",
                  options->records,
                  "The records (ids or receipts); a bulletin or a dataset "
                  "takes none");
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
  sub->add_flag("--propose",
                options->propose,
                "Propose a police referral, a bulletin or a dataset for a "
                "second member's approval (custody approve)");
  sub
    ->add_option("--retract",
                 options->retract,
                 "A bulletin: withdraw item N of the latest approved bulletin "
                 "of the recipe (proposed and approved as a bulletin is)")
    ->option_text("N")
    ->check(CLI::PositiveNumber);
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    if (options->out.empty() && !options->dry_run && !options->propose) {
      throw CLI::ValidationError("-o", "give -o OUT (or --dry-run)");
    }
    action = [&global, options] { return run_export(global, *options); };
  });
}

} // namespace custody::cli
