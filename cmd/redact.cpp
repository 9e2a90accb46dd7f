// custody redact RECORD --text: the removals proposed in a record's narrative
// and notes, reviewed one by one on the terminal (or all approved with
// --approve), checked, and kept as a `redaction` entry (docs/formats.md 6.6).
// The text around each removal is shown on the terminal only, never stored.
// custody redact RECORD N --profile photo: attachment N's faces and regions
// covered by the keyless child, checked, and kept the same way (6.6.1).
#include "commands.hpp"
#include "output.hpp"
#include "reading.hpp"
#include "record_interactive.hpp"
#include "session.hpp"
#include "terminal.hpp"

#include <custody/records/view.hpp>
#include <custody/redact/photo_record.hpp>
#include <custody/redact/record.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace custody::cli {

namespace {

struct RedactOptions
{
  std::string id;
  std::size_t attachment = 0;
  bool text = false;
  std::string profile;
  std::vector<std::string> regions;
  std::string fill = "solid";
  bool png = false;
  std::string preview;
  bool approve = false;
  bool keep_dates = false;
};

// How long the child may take over one photo: a 12-megapixel photo takes
// about a minute and a half on two busy cores (docs/performance.md).
constexpr std::chrono::minutes k_photo_timeout{10};

// "x,y,w,h" in pixels of the upright image.
Result<redact::Box>
parse_region(const std::string& text)
{
  redact::Box box;
  char c1 = 0;
  char c2 = 0;
  char c3 = 0;
  std::istringstream in(text);
  if (!(in >> box.x >> c1 >> box.y >> c2 >> box.width >> c3 >> box.height)
      || c1 != ',' || c2 != ',' || c3 != ',' || !in.eof() || box.x < 0
      || box.y < 0 || box.width <= 0 || box.height <= 0) {
    return make_error(
      Errc::usage,
      fmt::format("--region {}: give x,y,w,h in pixels", printable(text)),
      "x and y are the top left corner of the upright image; w and h are "
      "above 0");
  }
  return box;
}

// Where scripts/setup puts the BlazeFace model, unless
// CUSTODY_BLAZEFACE_MODEL names it.
std::string
blazeface_model()
{
  if (const char* given = std::getenv("CUSTODY_BLAZEFACE_MODEL");
      given != nullptr && *given != '\0') {
    return given;
  }
  const char* home = std::getenv("HOME");
  return fmt::format("{}/.cache/custody/models/"
                     "face_detection_front_128x128_barracuda.onnx",
                     home != nullptr ? home : "");
}

Result<Outcome>
run_redact_photo(const GlobalOptions& global, const RedactOptions& options)
{
  if (options.profile != "photo") {
    return make_error(Errc::usage,
                      fmt::format("--profile {}: the profile is photo",
                                  printable(options.profile)));
  }
  if (options.attachment == 0) {
    return make_error(Errc::usage,
                      "name the attachment to redact by its number",
                      "`custody show RECORD` lists them");
  }
  redact::PhotoOptions photo;
  photo.blazeface_model = blazeface_model();
  for (const auto& text : options.regions) {
    CUSTODY_ASSIGN(box, parse_region(text));
    photo.regions.push_back(box);
  }
  if (options.fill == "pixelate") {
    photo.fill = redact::Fill::pixelate;
  } else if (options.fill == "blur") {
    photo.fill = redact::Fill::blur;
  } else if (options.fill != "solid") {
    return make_error(Errc::usage,
                      fmt::format("--fill {}: solid, pixelate or blur",
                                  printable(options.fill)));
  }
  photo.format =
    options.png ? redact::PhotoFormat::png : redact::PhotoFormat::jpeg;
  if (!options.preview.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(
          std::filesystem::symlink_status(options.preview, ec))) {
      return make_error(Errc::invalid_input,
                        fmt::format("{} already exists; nothing was written",
                                    printable(options.preview)),
                        "choose a new file name for the preview");
    }
  } else if (!options.approve && !interactive_terminal()) {
    return make_error(Errc::usage,
                      "no terminal to confirm the redacted photo on",
                      "look at it first with --preview FILE, then give "
                      "--approve to store it without asking");
  }
  CUSTODY_TRY(require_vault(global));
  CUSTODY_TRY(require_identity(global));
  redact::PhotoSource source;
  redact::PhotoRedaction redacted;
  {
    CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
    vault::Notes notes;
    CUSTODY_ASSIGN(id, records::resolve_id(session.vault, options.id, notes));
    print_notes(notes);
    CUSTODY_ASSIGN(shards, open_readable(session.vault));
    CUSTODY_ASSIGN(found, redact::photo_source(shards, id, options.attachment));
    source = std::move(found);
    CUSTODY_ASSIGN(helper, media_helper());
    CUSTODY_ASSIGN(made,
                   redact::redact_photo_of(
                     session.vault, source, photo, helper, k_photo_timeout));
    redacted = std::move(made);
    save_shards(shards);
  }
  std::size_t found_boxes = 0;
  for (const auto& detector : redacted.detectors) {
    found_boxes += detector.boxes.size();
  }
  fmt::print(stderr,
             "attachment {} ({}): {} box{} found by {} detectors, {} region{} "
             "given, {} mask{} filled ({}); every check passed\n",
             source.number,
             printable(source.name),
             found_boxes,
             found_boxes == 1 ? "" : "es",
             redacted.detectors.size(),
             redacted.regions.size(),
             redacted.regions.size() == 1 ? "" : "s",
             redacted.masks.size(),
             redacted.masks.size() == 1 ? "" : "s",
             redact::fill_name(redacted.fill));
  for (const auto& warning : redacted.warnings) {
    warn(warning);
  }
  if (!options.preview.empty()) {
    // The member's own look, outside the vault: said plainly.
    std::ofstream out(options.preview, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(redacted.output.data()),
              static_cast<std::streamsize>(redacted.output.size()));
    out.close();
    if (!out) {
      return make_error(
        Errc::io, fmt::format("cannot write {}", printable(options.preview)));
    }
    warn(fmt::format("{} is a plaintext image outside the vault: look at it, "
                     "then delete it (shred -u); nothing was stored",
                     printable(options.preview)));
    return Outcome::ok;
  }
  const bool reviewed = !options.approve;
  if (reviewed
      && !is_yes(ask_line("Store this redacted photo? (look at it first with "
                          "--preview FILE) [y/N] "))) {
    return make_error(Errc::interrupted,
                      "the redaction was declined; nothing was stored");
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  CUSTODY_ASSIGN(
    seq,
    redact::record_photo_redaction(session.vault, source, redacted, reviewed));
  const bool released = reviewed && source.publish;
  if (global.json) {
    nlohmann::json report;
    redact::to_json(report, redacted);
    fmt::print("{}\n",
               nlohmann::json{{"type", "redaction"},
                              {"record", source.record},
                              {"attachment", source.number},
                              {"seq", seq},
                              {"review", reviewed ? "reviewed" : "unreviewed"},
                              {"released", released},
                              {"output_sha256", redacted.output_sha256},
                              {"report", report}}
                 .dump());
  } else {
    fmt::print("{} {}\n", source.record, seq);
  }
  note(fmt::format("redacted attachment {} of record {} (entry {}); {}",
                   source.number,
                   source.record,
                   seq,
                   released ? "released to advocacy"
                   : !reviewed
                     ? "not released: approved without review"
                     : "not released: the record's consent does not include "
                       "publish"));
  end_with_checkpoint(global, session.vault);
  return Outcome::ok;
}

// How much of the text around a removal the review shows, in bytes each side.
constexpr std::size_t k_context = 48;

bool
continuation(char c)
{
  return (static_cast<unsigned char>(c) & 0xc0U) == 0x80U;
}

// The text around a span, on character boundaries, on one line.
std::string
in_context(std::string_view text, const redact::Span& span)
{
  std::size_t from = span.begin > k_context ? span.begin - k_context : 0;
  while (from > 0 && continuation(text[from])) {
    --from;
  }
  std::size_t to = std::min(text.size(), span.end + k_context);
  while (to < text.size() && continuation(text[to])) {
    ++to;
  }
  auto flat = [](std::string_view part) {
    std::string out = printable(part);
    for (auto& c : out) {
      if (c == '\t') {
        c = ' ';
      }
    }
    return out;
  };
  return fmt::format("{}{}\x1b[7m{}\x1b[0m{}{}",
                     from > 0 ? "…" : "",
                     flat(text.substr(from, span.begin - from)),
                     flat(text.substr(span.begin, span.end - span.begin)),
                     flat(text.substr(span.end, to - span.end)),
                     to < text.size() ? "…" : "");
}

// The member goes through every proposal, then may add words of her own.
// Errc::interrupted when she stops (q, or the end of input).
Result<redact::Review>
review_on_terminal(const redact::TextProposal& proposal)
{
  redact::Review review;
  review.reviewed = true;
  std::size_t total = 0;
  for (const auto& field : proposal.fields) {
    total += field.proposed.spans.size();
  }
  fmt::print(stderr,
             "record {}: {} removal{} proposed. For each: Enter or y removes "
             "it, n keeps the text, a removes this and every one after, q "
             "stops (nothing is stored).\n",
             proposal.record,
             total,
             total == 1 ? "" : "s");
  std::size_t number = 0;
  bool all = false;
  for (const auto& field : proposal.fields) {
    auto& removed = review.removed.emplace_back();
    for (const auto& span : field.proposed.spans) {
      ++number;
      if (all) {
        removed.push_back(true);
        continue;
      }
      fmt::print(stderr,
                 "\n[{}/{}] {} → {}\n  {}: {}\n",
                 number,
                 total,
                 redact::kind_name(span.kind),
                 span.replacement,
                 field.field,
                 in_context(field.text, span));
      while (true) {
        const auto answer = ask_line("Remove? [Y/n/a/q] ");
        if (!answer || *answer == "q" || *answer == "Q") {
          return make_error(Errc::interrupted,
                            "the redaction was abandoned; nothing was stored");
        }
        if (answer->empty() || *answer == "y" || *answer == "Y") {
          removed.push_back(true);
        } else if (*answer == "n" || *answer == "N") {
          removed.push_back(false);
        } else if (*answer == "a" || *answer == "A") {
          removed.push_back(true);
          all = true;
        } else {
          fmt::print(stderr, "  y: remove, n: keep, a: remove all, q: stop\n");
          continue;
        }
        break;
      }
    }
  }
  while (true) {
    const auto added = ask_line("\nAnother word or phrase to remove, wherever "
                                "it occurs (Enter when done): ");
    if (!added) {
      return make_error(Errc::interrupted,
                        "the redaction was abandoned; nothing was stored");
    }
    if (added->empty()) {
      break;
    }
    review.added.push_back(*added);
  }
  return review;
}

std::string
counts_text(const json::Json& counts)
{
  std::string out;
  for (const auto& [kind, count] : counts.items()) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", count.dump(), kind);
  }
  return out.empty() ? "nothing removed" : out;
}

Result<Outcome>
run_redact(const GlobalOptions& global, const RedactOptions& options)
{
  if (options.text == !options.profile.empty()) {
    return make_error(Errc::usage,
                      "say what to redact: --text (the narrative and notes), "
                      "or ATTACHMENT --profile photo");
  }
  if (!options.profile.empty()) {
    return run_redact_photo(global, options);
  }
  if (options.attachment != 0) {
    return make_error(Errc::usage,
                      "--text redacts the record's text; name no attachment");
  }
  CUSTODY_TRY(require_vault(global));
  CUSTODY_TRY(require_identity(global));
  if (!options.approve && !interactive_terminal()) {
    return make_error(Errc::usage,
                      "no terminal to review the removals on",
                      "give --approve to take every proposed removal without "
                      "review (the entry says so, and advocacy reads the text "
                      "only once a member has reviewed it)");
  }
  // Proposed and reviewed under a reader's lock, so no writer waits on the
  // review; the record is checked unchanged once the writer's lock is held.
  redact::TextProposal proposal;
  redact::Review review;
  redact::TextResult result;
  redact::Policy policy;
  {
    CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
    CUSTODY_ASSIGN(policy_read, redact::policy_of(session.vault));
    policy = policy_read;
    CUSTODY_ASSIGN(redactor, redact::Redactor::create(policy));
    vault::Notes notes;
    CUSTODY_ASSIGN(id, records::resolve_id(session.vault, options.id, notes));
    print_notes(notes);
    CUSTODY_ASSIGN(shards, open_readable(session.vault));
    CUSTODY_ASSIGN(term_list, session.vault.terms());
    CUSTODY_ASSIGN(terms, redact::terms_from_json(term_list));
    CUSTODY_ASSIGN(
      proposed,
      redact::propose_text(shards, id, redactor, terms, options.keep_dates));
    proposal = std::move(proposed);
    if (options.approve) {
      review.reviewed = false;
      for (const auto& field : proposal.fields) {
        review.removed.emplace_back(field.proposed.spans.size(), true);
      }
    } else {
      CUSTODY_ASSIGN(reviewed, review_on_terminal(proposal));
      review = std::move(reviewed);
    }
    CUSTODY_ASSIGN(finished, redact::finish_text(redactor, proposal, review));
    result = std::move(finished);
    save_shards(shards);
  }
  if (review.reviewed) {
    fmt::print(
      stderr, "\nThe redacted text ({}):\n", counts_text(result.counts));
    for (const auto& [field, text] : result.text.items()) {
      fmt::print(
        stderr, "  {}: {}\n", field, printable(text.get<std::string>()));
    }
    if (!is_yes(ask_line("Store this redaction? [y/N] "))) {
      return make_error(Errc::interrupted,
                        "the redaction was declined; nothing was stored");
    }
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  {
    CUSTODY_ASSIGN(shards, open_readable(session.vault));
    CUSTODY_ASSIGN(view, records::view_record(shards, proposal.record));
    if (view.history.back().seq != proposal.source_seq) {
      return make_error(Errc::invalid_input,
                        fmt::format("record {} was amended while it was "
                                    "reviewed (entry {}); nothing was stored",
                                    proposal.record,
                                    view.history.back().seq),
                        "redact it again");
    }
  }
  CUSTODY_ASSIGN(seq,
                 redact::record_text_redaction(
                   session.vault, proposal, review, result, policy));
  const bool released = review.reviewed && proposal.publish;
  if (global.json) {
    fmt::print(
      "{}\n",
      nlohmann::json{{"type", "redaction"},
                     {"record", proposal.record},
                     {"seq", seq},
                     {"review", review.reviewed ? "reviewed" : "unreviewed"},
                     {"released", released},
                     {"counts", result.counts},
                     {"added", result.added},
                     {"restored", result.restored},
                     {"output_sha256", result.output_sha256}}
        .dump());
  } else {
    fmt::print("{} {}\n", proposal.record, seq);
  }
  note(fmt::format(
    "redacted record {} (entry {}): {}; {}",
    proposal.record,
    seq,
    counts_text(result.counts),
    released ? "released to advocacy"
    : !review.reviewed
      ? "not released: approved without review; a member reviews it with "
        "`custody redact "
          + proposal.record.substr(0, 8) + " --text`"
      : "not released: the record's consent does not include publish"));
  end_with_checkpoint(global, session.vault);
  return Outcome::ok;
}

} // namespace

void
register_redact(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<RedactOptions>();
  auto* sub = app.add_subcommand(
    "redact",
    "Make a redacted copy of a record's narrative and notes, or of a photo "
    "(legal members): names, phones, places, dates, faces and metadata out");
  add_record_argument(*sub, "RECORD", options->id);
  sub->add_option("ATTACHMENT",
                  options->attachment,
                  "With --profile photo: the attachment's number, as `custody "
                  "show` prints it");
  sub->add_flag(
    "--text", options->text, "Redact the narrative and the response notes");
  sub->add_option("--profile",
                  options->profile,
                  "photo: cover the faces (an ensemble of detectors) and the "
                  "regions of a photo, in a fresh image with no metadata");
  sub
    ->add_option("--region",
                 options->regions,
                 "With --profile photo: also cover x,y,w,h (pixels of the "
                 "upright image); repeat for several")
    ->option_text("X,Y,W,H");
  sub->add_option("--fill",
                  options->fill,
                  "With --profile photo: solid (default), or pixelate or "
                  "blur (partly reversible: a warning is kept)");
  sub->add_flag("--png",
                options->png,
                "With --profile photo: write PNG (exact) rather than JPEG");
  sub
    ->add_option("--preview",
                 options->preview,
                 "With --profile photo: write the redacted photo to FILE (a "
                 "plaintext file outside the vault) and store nothing")
    ->option_text("FILE");
  sub->add_flag("--approve",
                options->approve,
                "Take every proposed removal, or the photo, without review "
                "(for scripts); it reaches advocacy only after a reviewed "
                "redaction");
  sub->add_flag("--keep-dates",
                options->keep_dates,
                "Leave dates and times as written (default: to the month)");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_redact(global, *options); };
  });
}

} // namespace custody::cli
