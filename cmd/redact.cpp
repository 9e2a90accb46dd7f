// custody redact RECORD --text: the removals proposed in a record's narrative
// and notes, reviewed one by one on the terminal (or all approved with
// --approve), checked, and kept as a `redaction` entry (docs/formats.md 6.6).
// The text around each removal is shown on the terminal only, never stored.
#include "commands.hpp"
#include "output.hpp"
#include "reading.hpp"
#include "record_interactive.hpp"
#include "session.hpp"
#include "terminal.hpp"

#include <custody/records/view.hpp>
#include <custody/redact/record.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace custody::cli {

namespace {

struct RedactOptions
{
  std::string id;
  bool text = false;
  bool approve = false;
  bool keep_dates = false;
};

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
  if (!options.text) {
    return make_error(Errc::usage,
                      "say what to redact: --text (the narrative and notes)");
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
    "Make a redacted copy of a record's narrative and notes (legal members): "
    "names, phones, e-mails, places and dates out, reviewed on the terminal");
  add_record_argument(*sub, "RECORD", options->id);
  sub->add_flag(
    "--text", options->text, "Redact the narrative and the response notes");
  sub->add_flag("--approve",
                options->approve,
                "Take every proposed removal without review (for scripts); "
                "the text reaches advocacy only after a reviewed redaction");
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
