// custody approve: a second member's yes to a proposed export, after reading
// exactly what would leave (docs/formats.md 6.7.1, 6.8, 14.3).
#include "commands.hpp"
#include "record_interactive.hpp"
#include "session.hpp"
#include "terminal.hpp"

#include <custody/export/approval.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>

namespace custody::cli {

namespace {

struct ApproveOptions
{
  std::uint64_t seq = 0;
  bool yes = false;
};

nlohmann::json
marks_json(const std::vector<bundle::ReviewMark>& marks)
{
  nlohmann::json out = nlohmann::json::array();
  for (const auto& mark : marks) {
    out.push_back(
      {{"begin", mark.begin}, {"end", mark.end}, {"kind", mark.kind}});
  }
  return out;
}

// The content, each line indented, each mark as [[KIND: text]].
void
print_marked(const std::string& content,
             const std::vector<bundle::ReviewMark>& marks)
{
  std::string text;
  std::size_t at = 0;
  for (const auto& mark : marks) {
    text += content.substr(at, mark.begin - at);
    text += fmt::format("[[{}: {}]]",
                        mark.kind,
                        content.substr(mark.begin, mark.end - mark.begin));
    at = mark.end;
  }
  text += content.substr(std::min(at, content.size()));
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    fmt::print("  {}\n",
               printable(std::string_view(text).substr(start, end - start)));
    start = end + 1;
  }
}

Result<Outcome>
run_approve(const GlobalOptions& global, const ApproveOptions& options)
{
  const bool terminal = interactive_terminal();
  if (!options.yes && !terminal) {
    return make_error(Errc::usage,
                      "no terminal to show the proposal and ask on",
                      "read it first (custody approve SEQ on a terminal), or "
                      "give --yes having read it");
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  CUSTODY_ASSIGN(proposal, bundle::read_proposal(session.vault, options.seq));
  CUSTODY_ASSIGN(marks, bundle::review_marks(session.vault, proposal));
  if (!global.json) {
    fmt::print("Proposed {} export (entry {}, recipe {}), exactly what would "
               "leave{}:\n\n",
               proposal.kind,
               proposal.seq,
               printable(proposal.recipe_name),
               marks.empty() ? ""
                             : ", with what text redaction would remove "
                               "marked [[KIND: ...]]");
    print_marked(proposal.content, marks);
    fmt::print("\n");
    if (!marks.empty()) {
      warn(fmt::format("{} passage{} marked (phones, e-mails, links, handles, "
                       "ID numbers, names and places of the term list): "
                       "approve only if each should go out",
                       marks.size(),
                       marks.size() == 1 ? "" : "s"));
    }
  }
  if (!options.yes
      && !is_yes(ask_line(fmt::format("Approve {} export {} with your key? "
                                      "[y/N] ",
                                      proposal.kind,
                                      proposal.seq)))) {
    return make_error(Errc::interrupted, "not approved; nothing was written");
  }
  CUSTODY_ASSIGN(seq, bundle::approve(session.vault, proposal));
  if (global.json) {
    fmt::print("{}\n",
               nlohmann::json{{"type", "approval"},
                              {"proposal", proposal.seq},
                              {"kind", proposal.kind},
                              {"content_sha256", proposal.content_sha256},
                              {"content", proposal.content},
                              {"marks", marks_json(marks)},
                              {"seq", seq}}
                 .dump());
  }
  note(fmt::format("approved {} export {} (entry {}): its author may now "
                   "write it",
                   proposal.kind,
                   proposal.seq,
                   seq));
  end_with_checkpoint(global, session.vault);
  return Outcome::ok;
}

} // namespace

void
register_approve(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<ApproveOptions>();
  auto* sub = app.add_subcommand(
    "approve",
    "Approve a proposed export after reading exactly what would leave (a "
    "second member)");
  sub->add_option("SEQ", options->seq, "The proposal's entry number")
    ->required();
  sub->add_flag(
    "--yes", options->yes, "Approve without asking (having read it)");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_approve(global, *options); };
  });
}

} // namespace custody::cli
