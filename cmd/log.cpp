// custody log: the ledger's entries, oldest first.
#include "commands.hpp"
#include "session.hpp"

#include <custody/vault/vault.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <span>

namespace custody::cli {

namespace {

// What the member's keys reveal of an entry, in words: the admin action and
// the member it names, or who sealed how many entries.
std::string
detail_of(const vault::LogEntry& item)
{
  if (!item.action.empty()) {
    return item.member_key_id.empty() ? item.action
                                      : fmt::format("{} {} as {}",
                                                    item.action,
                                                    item.member_key_id,
                                                    item.member_role);
  }
  if (!item.sealed_by.empty()) {
    return fmt::format("by {} over {} {}",
                       item.sealed_by,
                       item.covers,
                       item.covers == 1 ? "entry" : "entries");
  }
  return {};
}

Result<Outcome>
run_log(const GlobalOptions& global, std::optional<std::size_t> last)
{
  CUSTODY_ASSIGN(directory, require_vault(global));
  CUSTODY_ASSIGN(member, optional_member(global));
  vault::Notes notes;
  CUSTODY_ASSIGN(
    entries,
    vault::read_log(
      directory, member ? &*member : nullptr, wait_of(global), notes));
  // The whole chain is read and checked either way: -n only shortens what is
  // printed.
  const std::size_t skipped =
    last && *last < entries.size() ? entries.size() - *last : 0;
  for (const auto& item : std::span(entries).subspan(skipped)) {
    if (global.json) {
      nlohmann::json line = {
        {"type", "entry"},
        {"seq", item.entry.seq},
        {"time", item.entry.time},
        {"kind", std::string(ledger::kind_name(item.entry.kind))},
        {"hash", to_hex(item.hash)},
        {"prev", to_hex(item.entry.prev)},
        {"payloads", item.entry.payloads.size()},
        {"segment", ledger::segment_name(item.location.segment)},
        {"offset", item.location.offset}};
      if (const std::string detail = detail_of(item); !detail.empty()) {
        line["detail"] = detail;
      }
      fmt::print("{}\n", line.dump());
    } else {
      fmt::print("{:>6}  {}  {:<10}  {}  {}\n",
                 item.entry.seq,
                 item.entry.time,
                 ledger::kind_name(item.entry.kind),
                 to_hex(item.hash).substr(0, 16),
                 printable(detail_of(item)));
    }
  }
  print_notes(notes);
  return Outcome::ok;
}

} // namespace

void
register_log(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto* sub = app.add_subcommand("log", "Show the ledger's entries");
  auto last = std::make_shared<std::optional<std::size_t>>();
  sub->add_option("-n,--last", *last, "Show only the last N entries")
    ->check(CLI::NonNegativeNumber);
  sub->add_flag("--json", global.json, "Print JSON Lines, one entry a line");
  sub->callback([&global, &action, last] {
    action = [&global, last] { return run_log(global, *last); };
  });
}

} // namespace custody::cli
