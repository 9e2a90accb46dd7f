// custody prove: a record's ledger entries with their Merkle inclusion proofs
// against a signed checkpoint, as JSON a third party checks without the vault
// (docs/verifying.md).
#include "commands.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/verify/proof.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

namespace custody::cli {

namespace {

struct ProveOptions
{
  std::string id;
  std::optional<std::uint64_t> size;
};

Result<Outcome>
run_prove(const GlobalOptions& global, const ProveOptions& options)
{
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
  CUSTODY_ASSIGN(shards, open_readable(session.vault));
  const index::Shard* any = records::any_shard(shards);
  CUSTODY_ASSIGN(found, any->find(options.id));
  CUSTODY_ASSIGN(history, any->history(found.id));
  CUSTODY_ASSIGN(
    proof,
    verify::prove_record(session.vault, found.id, history, options.size));
  CUSTODY_ASSIGN(key, session.vault.signing_public());
  const nlohmann::json out = verify::proof_document(
    proof, session.vault.state().vault_id, key.to_base64());
  save_shards(shards);
  // One value a line, so a clerk's recipe can read it with sed
  // (docs/verifying.md).
  fmt::print("{}\n", out.dump(2));
  return Outcome::ok;
}

} // namespace

void
register_prove(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<ProveOptions>();
  auto* sub = app.add_subcommand(
    "prove",
    "Print a record's entries with Merkle inclusion proofs against a signed "
    "checkpoint (JSON)");
  add_record_argument(*sub, "ID", options->id);
  sub->add_option("--checkpoint",
                  options->size,
                  "Prove against the checkpoint of this tree size (default "
                  "the latest)");
  sub->add_flag("--json", global.json, "Print JSON (always)");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_prove(global, *options); };
  });
}

} // namespace custody::cli
