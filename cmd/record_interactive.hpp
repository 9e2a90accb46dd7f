// Interactive `custody record`: the form asked for question by question on the
// terminal, each answer checked as it is typed, and what was typed kept in an
// encrypted draft when the member stops before the end.
#pragma once

#include "common.hpp"
#include "session.hpp"

#include <custody/records/records.hpp>
#include <custody/schema/schema.hpp>

#include <memory>
#include <string>

namespace custody::cli {

// Whether standard input and standard error are a terminal to ask on.
bool interactive_terminal();

struct IntakeOptions
{
  bool resume = false;                // --resume
  std::string draft_lifetime = "24h"; // --draft-ttl
};

// Registers --resume and --draft-ttl on `record`.
void add_intake_options(CLI::App& sub, IntakeOptions& options);

// Checks the intake's options before anything runs: Errc::usage for a bad
// --draft-ttl, or --resume with a form given (`form_given`).
[[nodiscard]] Result<void> check_intake_options(const IntakeOptions& options,
                                                bool form_given);

// Deletes the member's expired drafts (and any draft older than the longest
// lifetime), saying what it deleted; a failure is a warning, never the
// command's.
void forget_expired_drafts(const vault::Vault& vault);

// One interactive intake, from the first question (or a draft's) to the
// recorded form. Lives until the record is written: Ctrl-C is its to handle
// until then.
class Intake
{
public:
  Intake(Session& session,
         const schema::SchemaSet& schemas,
         const records::Places* places,
         const IntakeOptions& options);
  Intake(const Intake&) = delete;
  Intake& operator=(const Intake&) = delete;
  ~Intake();

  // Asks for the form (continuing a draft with --resume) and returns it as
  // JSON text, checked as recording will check it, once the member has
  // answered yes to the final question. Errc::interrupted when she stopped
  // (Ctrl-C, Ctrl-D, the terminal closed) or abandoned the form; what she had
  // typed is then in a draft if she chose to keep one, and the message says
  // so. Errc::not_found for --resume without a draft.
  [[nodiscard]] Result<std::string> ask();

  // How recording the form went: on success, its draft is deleted; on
  // failure, the answers are kept in a draft, and the error says so.
  [[nodiscard]] Result<Outcome> finish(Result<Outcome> recorded);

  struct State;

private:
  std::unique_ptr<State> m_state;
};

} // namespace custody::cli
