// custody checkpoint: sign a checkpoint of the ledger's Merkle tree, and
// request or store its RFC 3161 timestamp (docs/formats.md section 12).
#include "commands.hpp"
#include "session.hpp"

#include <custody/ledger/checkpoint.hpp>
#include <custody/ledger/timestamp.hpp>
#include <custody/sys/fs.hpp>
#include <custody/vault/vault.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace custody::cli {

namespace {

using checkpoint::k_max_tsr;

struct CheckpointOptions
{
  std::string tsq;
  std::string tsr;
  std::string tsa;
  std::optional<std::uint64_t> size;
};

// The checkpoint --checkpoint N names, or the latest one.
Result<checkpoint::Stored>
pick(const vault::Vault& opened, std::optional<std::uint64_t> size)
{
  CUSTODY_ASSIGN(key, opened.signing_public());
  return checkpoint::read_or_latest(
    opened.directory(), size, key, opened.state().vault_id);
}

nlohmann::json
checkpoint_json(const checkpoint::Checkpoint& made,
                bool created,
                bool timestamped)
{
  return {{"type", "checkpoint"},
          {"origin", made.origin},
          {"size", made.size},
          {"root", to_base64(made.root, Padding::yes)},
          {"file", fmt::format("checkpoints/{}", made.size)},
          {"created", created},
          {"timestamped", timestamped}};
}

Result<Outcome>
run_request(const GlobalOptions& global, const CheckpointOptions& options)
{
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  CUSTODY_ASSIGN(stored, pick(session.vault, options.size));
  const std::uint64_t size = stored.checkpoint.size;
  CUSTODY_ASSIGN(request,
                 checkpoint::stored_request(session.vault.directory(), stored));
  CUSTODY_TRY(fs::write_file_atomic(options.tsq, request));
  if (global.json) {
    auto out = checkpoint_json(stored.checkpoint, false, false);
    out["tsq"] = options.tsq;
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("wrote the RFC 3161 request for checkpoints/{} to {} (also "
               "checkpoints/{}.tsq)\n",
               size,
               printable(options.tsq),
               size);
    fmt::print("send it to a timestamp authority, e.g.: curl -sS -H "
               "'Content-Type: application/timestamp-query' --data-binary "
               "@{} URL > reply.tsr\n",
               printable(options.tsq));
    fmt::print("then: custody checkpoint --tsr reply.tsr --checkpoint {}\n",
               size);
  }
  return Outcome::ok;
}

// Checks `response` against the stored request of the checkpoint it answers
// (or of checkpoint `size`) and stores it beside that checkpoint.
Result<Outcome>
accept_response(const GlobalOptions& global,
                Session& session,
                std::optional<std::uint64_t> size_option,
                const Bytes& response,
                const std::string& source)
{
  CUSTODY_ASSIGN(key, session.vault.signing_public());
  auto accepted = checkpoint::store_response(session.vault.directory(),
                                             key,
                                             session.vault.state().vault_id,
                                             size_option,
                                             response,
                                             source);
  if (!accepted) {
    return tl::unexpected(accepted.error());
  }
  const auto& [stored, token] = *accepted;
  const std::uint64_t size = stored.checkpoint.size;
  if (global.json) {
    auto out = checkpoint_json(stored.checkpoint, false, true);
    out["gen_time"] = token.gen_time;
    out["serial"] = token.serial;
    out["policy"] = token.policy;
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("stored the RFC 3161 token for checkpoints/{} as "
               "checkpoints/{}.tsr (time {}, serial {})\n",
               size,
               size,
               token.gen_time,
               token.serial);
    note("the TSA's signature and certificate are checked with `openssl ts "
         "-verify` and the TSA's CA (docs/verifying.md)");
  }
  return Outcome::ok;
}

Result<Outcome>
run_response(const GlobalOptions& global, const CheckpointOptions& options)
{
  CUSTODY_ASSIGN_CTX(response,
                     fs::read_file(options.tsr, k_max_tsr, fs::Origin::user),
                     fmt::format("\"{}\"", options.tsr));
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  return accept_response(global,
                         session,
                         options.size,
                         response,
                         fmt::format("\"{}\"", options.tsr));
}

Result<Outcome>
run_tsa(const GlobalOptions& global, const CheckpointOptions& options)
{
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  CUSTODY_ASSIGN(stored, pick(session.vault, options.size));
  CUSTODY_ASSIGN(request,
                 checkpoint::stored_request(session.vault.directory(), stored));
  auto response = timestamp::ask(options.tsa, request);
  if (!response && response.error().code == Errc::io) {
    return make_error(response.error().code,
                      response.error().message,
                      "the request is kept beside the checkpoint: try again, "
                      "or send it with --tsq and store the reply with --tsr");
  }
  if (!response) {
    return tl::unexpected(response.error());
  }
  return accept_response(global,
                         session,
                         stored.checkpoint.size,
                         *response,
                         fmt::format("the reply of {}", options.tsa));
}

Result<Outcome>
run_checkpoint(const GlobalOptions& global, const CheckpointOptions& options)
{
  if (int(!options.tsq.empty()) + int(!options.tsr.empty())
        + int(!options.tsa.empty())
      > 1) {
    return make_error(Errc::usage, "give one of --tsq, --tsr and --tsa");
  }
  if (!options.tsa.empty()) {
    return run_tsa(global, options);
  }
  if (!options.tsq.empty()) {
    return run_request(global, options);
  }
  if (!options.tsr.empty()) {
    return run_response(global, options);
  }
  if (options.size) {
    return make_error(
      Errc::usage,
      "--checkpoint picks the checkpoint for --tsq, --tsr or --tsa",
      "`custody checkpoint` alone signs one of the ledger as "
      "it is now");
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  CUSTODY_ASSIGN(made, session.vault.make_checkpoint());
  if (global.json) {
    fmt::print(
      "{}\n",
      checkpoint_json(made.checkpoint, made.created, made.timestamped).dump());
  } else {
    fmt::print("{} checkpoints/{}: {} entries, root {} ({})\n",
               made.created ? "signed" : "unchanged",
               made.checkpoint.size,
               made.checkpoint.size,
               to_base64(made.checkpoint.root, Padding::yes),
               timestamp_status(made.timestamped));
  }
  return Outcome::ok;
}

} // namespace

void
register_checkpoint(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<CheckpointOptions>();
  auto* sub = app.add_subcommand(
    "checkpoint",
    "Sign a checkpoint of the ledger; request or store its RFC 3161 "
    "timestamp");
  sub->add_option("--tsq",
                  options->tsq,
                  "Write an RFC 3161 request for the checkpoint to FILE");
  sub->add_option(
    "--tsr",
    options->tsr,
    "Check an RFC 3161 response FILE and store it beside its checkpoint");
  sub->add_option("--tsa",
                  options->tsa,
                  "Ask the timestamp authority at URL (with curl) and store "
                  "its checked response");
  sub->add_option("--checkpoint",
                  options->size,
                  "The checkpoint (by tree size) for --tsq, --tsr or --tsa; "
                  "default the latest");
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_checkpoint(global, *options); };
  });
}

} // namespace custody::cli
