// The wording of remedies and the printing of errors and problem reports.
#include "output.hpp"

#include "common.hpp"

#include <fmt/core.h>

namespace custody::cli {

namespace {

// The sentence for each remedy. The library's hint, when there is one, follows
// it after "; " (accept_rollback: it is the log file, named in the sentence).
std::string
remedy_text(Remedy remedy)
{
  switch (remedy) {
  case Remedy::none:
    return {};
  case Remedy::check_vault:
    return "check --vault, or create a vault with `custody init`";
  case Remedy::create_vault:
    return "is this a custody vault? `custody init` creates one";
  case Remedy::pass_identity:
    return "pass --identity";
  case Remedy::wait_longer:
    return "wait for it to finish, or pass --wait SECONDS to wait longer";
  case Remedy::accept_rollback:
    return "compare the ledger with a checkpoint kept outside the vault "
           "(`custody verify --against CHECKPOINT`); if a backup was restored "
           "on purpose, run again with --accept-rollback";
  case Remedy::choose_recovery_out:
    return "an identity is never overwritten; choose another --recovery-out";
  case Remedy::remove_and_verify:
    return "someone with write access put it there: remove it, restore the "
           "file from a backup if one belongs there, and run `custody verify` "
           "again";
  case Remedy::run_verify:
    return "run `custody verify` to find the first entry that differs";
  case Remedy::run_verify_repair:
    return "run `custody verify --repair` to move it aside";
  case Remedy::record_with_repair:
    return "run `custody verify --repair` to record it in the ledger";
  case Remedy::repair_vault_yaml:
    return "custody reads nothing from it, but someone changed it: keep a copy "
           "as evidence, then `custody verify --repair` sets it aside and "
           "writes it again";
  case Remedy::repair_torn_tail:
    return "a write was interrupted; `custody verify --repair` moves the bytes "
           "aside and records that in the ledger";
  case Remedy::ask_to_be_admitted:
    return "ask a legal member to admit you with `custody key add`";
  case Remedy::ask_legal_key_add:
    return "ask a legal member to run `custody key add`";
  case Remedy::ask_legal_checkpoint:
    return "ask a legal member to run `custody checkpoint`";
  case Remedy::make_checkpoint:
    return "`ls checkpoints/` lists them; `custody checkpoint` makes one";
  case Remedy::compare_kept_checkpoint:
    return "restore the ledger from a backup; a kept checkpoint (verify "
           "--against) shows which copy is the original";
  case Remedy::use_record_id:
    return "use the id or the receipt `custody record` printed, or 8 or more "
           "of the id's first digits";
  case Remedy::use_key_new_card:
    return "a card is the FILE.card that `custody key new` writes, or its "
           "text";
  case Remedy::ask_legal_policy:
    return "a legal member, who holds the vault signing key, runs `custody "
           "policy`";
  case Remedy::set_places:
    return "a places list is given when the vault is made: `custody init "
           "--places FILE`";
  case Remedy::coarser_release:
    return "publish fewer or coarser tables: `--level 1`, a longer `--period`, "
           "`--rows region` "
           "rather than district, fewer `--cols`";
  case Remedy::allow_duplicate:
    return "the same form was entered before: a legal member can `custody "
           "show` the earlier record; if this really is another incident, "
           "record it with --allow-duplicate";
  case Remedy::same_method:
    return "give --method the method of the release that covers these months, "
           "or choose a period no release of the other method covers";
  case Remedy::set_redaction_policy:
    return "a legal member sets them: `custody policy --phone-regions KE,GB` "
           "(and `--id-pattern RE` for national ID numbers)";
  case Remedy::propose_and_approve:
    return "propose it (`custody export --recipe R --propose`), have a second "
           "member approve it (`custody approve SEQ`), then export again; "
           "what changed since needs a new proposal";
  case Remedy::timestamp_later:
    return "try again, or export without --tsa and timestamp the checkpoint "
           "later (`custody checkpoint --tsa URL`)";
  case Remedy::list_entries:
    return "`custody log` lists the entries; a proposal is an export entry "
           "that `custody export --propose` wrote";
  case Remedy::ask_key_show:
    return "the card was altered; ask the member for a fresh copy (`custody "
           "key show`)";
  }
  return {};
}

// Messages and hints can hold file names a hostile sender chose, which need
// not be UTF-8: replaced, not thrown on.
std::string
dump(const nlohmann::json& value)
{
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json
problem_json(const Error& problem)
{
  nlohmann::json out = {{"invariant", nullptr}, {"message", problem.message}};
  if (problem.invariant != 0) {
    out["invariant"] = problem.invariant;
  }
  if (const std::string hint = hint_text(problem); !hint.empty()) {
    out["hint"] = hint;
  }
  return out;
}

// A message that lists problems (the library puts each on a line of its own
// after "\n  ") keeps those lines; any other control character, from a file
// name or a value, is still escaped, so no name can start a line of its own.
std::string
printable_list(std::string_view message)
{
  static constexpr std::string_view k_item = "\n  ";
  std::string out;
  for (std::size_t start = 0;;) {
    const std::size_t end = message.find(k_item, start);
    out += printable(message.substr(start, end - start));
    if (end == std::string_view::npos) {
      return out;
    }
    out += k_item;
    start = end + k_item.size();
  }
}

} // namespace

std::string
hint_text(const Error& error)
{
  const std::string remedy = remedy_text(error.remedy);
  if (remedy.empty() || error.hint.empty()) {
    return remedy.empty() ? error.hint : remedy;
  }
  if (error.remedy == Remedy::accept_rollback) {
    return fmt::format("{}, which is logged in {}", remedy, error.hint);
  }
  return fmt::format("{}; {}", remedy, error.hint);
}

void
print_error(const Error& error, bool json)
{
  const std::string hint = hint_text(error);
  if (json) {
    nlohmann::json out = {{"type", "error"},
                          {"code", exit_status(error.code)},
                          {"message", error.message}};
    if (!hint.empty()) {
      out["hint"] = hint;
    }
    if (error.invariant != 0) {
      out["invariant"] = error.invariant;
    }
    fmt::print(stderr, "{}\n", dump(out));
    return;
  }
  fmt::print(stderr, "custody: error: {}\n", printable_list(error.message));
  if (!hint.empty()) {
    fmt::print(stderr, "custody: hint: {}\n", printable(hint));
  }
}

void
print_problems(const std::vector<Error>& problems, bool json)
{
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& problem : problems) {
      list.push_back(problem_json(problem));
    }
    fmt::print("{}\n",
               dump({{"type", "report"}, {"ok", false}, {"problems", list}}));
    return;
  }
  for (const auto& problem : problems) {
    fmt::print(
      stderr, "custody: verify: FAILED: {}\n", printable(problem.message));
    if (const std::string hint = hint_text(problem); !hint.empty()) {
      fmt::print(stderr, "custody: hint: {}\n", printable(hint));
    }
  }
}

} // namespace custody::cli
