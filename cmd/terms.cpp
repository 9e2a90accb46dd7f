// custody terms: the vault's term list, the words and phrases (venues,
// officers) every text redaction removes, kept in the identity compartment and
// replaced by a signed admin entry (docs/formats.md 6.1, `terms_set`).
#include "commands.hpp"
#include "session.hpp"

#include <custody/redact/record.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace custody::cli {

namespace {

struct TermsOptions
{
  std::string set;
};

// A term list file is a few hundred lines at most.
constexpr std::uint64_t k_max_term_file = 1024 * 1024;

Result<Outcome>
run_terms(const GlobalOptions& global, const TermsOptions& options)
{
  std::optional<json::Json> given;
  if (!options.set.empty()) {
    CUSTODY_ASSIGN(
      bytes, fs::read_file(options.set, k_max_term_file, fs::Origin::user));
    CUSTODY_ASSIGN_CTX(
      parsed, redact::parse_term_file(as_text(bytes)), printable(options.set));
    given = std::move(parsed);
  }
  CUSTODY_ASSIGN(
    session,
    open_session(global, given ? vault::Access::write : vault::Access::read));
  std::optional<std::uint64_t> seq;
  if (given) {
    CUSTODY_ASSIGN(current, session.vault.terms());
    if (current == *given) {
      return make_error(Errc::invalid_input,
                        "the term list is this one already; nothing was "
                        "written");
    }
    CUSTODY_ASSIGN(appended, session.vault.set_terms(*given));
    seq = appended;
  }
  CUSTODY_ASSIGN(terms, session.vault.terms());
  if (global.json) {
    fmt::print("{}\n",
               nlohmann::json{
                 {"type", "terms"},
                 {"terms", terms},
                 {"seq", seq ? nlohmann::json(*seq) : nlohmann::json(nullptr)}}
                 .dump());
  } else {
    for (const auto& term : terms) {
      fmt::print(
        "{}: {}\n", term.value("kind", ""), printable(term.value("text", "")));
    }
  }
  if (seq) {
    note(fmt::format("term list set: {} term{} (entry {})",
                     terms.size(),
                     terms.size() == 1 ? "" : "s",
                     *seq));
    end_with_checkpoint(global, session.vault);
  }
  return Outcome::ok;
}

} // namespace

void
register_terms(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<TermsOptions>();
  auto* sub = app.add_subcommand(
    "terms",
    "Show or replace the vault's term list: words every redaction removes "
    "(legal members)");
  sub
    ->add_option("--set",
                 options->set,
                 "Replace the list with FILE's: one term a line, \"place: \" "
                 "before a place; # starts a comment")
    ->option_text("FILE");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_terms(global, *options); };
  });
}

} // namespace custody::cli
