// custody checkpoint: sign a checkpoint of the ledger's Merkle tree, and
// request or store its RFC 3161 timestamp (docs/formats.md section 12).
#include "commands.hpp"
#include "session.hpp"

#include <custody/checkpoint.hpp>
#include <custody/fs.hpp>
#include <custody/timestamp.hpp>
#include <custody/vault.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

namespace custody::cli {

namespace {

constexpr std::uint64_t k_max_tsr = 1 << 20;
constexpr std::uint64_t k_max_tsq = 1 << 16;

struct CheckpointOptions
{
  std::string tsq;
  std::string tsr;
  std::optional<std::uint64_t> size;
};

// The checkpoint --checkpoint N names, or the latest one.
Result<checkpoint::Stored>
pick(const vault::Vault& opened, std::optional<std::uint64_t> size)
{
  const auto& dir = opened.directory();
  CUSTODY_ASSIGN(key, opened.signing_public());
  if (!size) {
    CUSTODY_ASSIGN(listing, checkpoint::list(dir));
    if (listing.sizes.empty()) {
      return make_error(Errc::not_found,
                        "this vault has no checkpoint yet",
                        "a legal member's `custody checkpoint` signs one");
    }
    size = listing.sizes.back();
  }
  return checkpoint::read(dir, *size, key, opened.state().vault_id);
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
  const auto& dir = session.vault.directory();
  const std::uint64_t size = stored.checkpoint.size;
  if (stored.timestamped) {
    return make_error(
      Errc::invalid_input,
      fmt::format("checkpoints/{} is timestamped already ({}.tsr)", size, size),
      "a checkpoint keeps its first token");
  }
  // One request per checkpoint: asking again repeats the stored request, so
  // a response to the first one still fits.
  const fs::Path stored_request = checkpoint::sibling(dir, size, "tsq");
  Bytes request;
  if (auto existing = fs::read_file(stored_request, k_max_tsq)) {
    CUSTODY_TRY_CTX(timestamp::check_request(*existing, as_bytes(stored.text)),
                    fmt::format("checkpoints/{}.tsq", size));
    request = std::move(*existing);
  } else if (existing.error().code == Errc::not_found) {
    CUSTODY_ASSIGN(made, timestamp::make_request(as_bytes(stored.text)));
    CUSTODY_TRY(fs::write_file_atomic(stored_request, made));
    request = std::move(made);
  } else {
    return tl::unexpected(existing.error());
  }
  CUSTODY_TRY(fs::write_file_atomic(options.tsq, request));
  if (global.json) {
    auto out = checkpoint_json(stored.checkpoint, false, false);
    out["tsq"] = options.tsq;
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("wrote the RFC 3161 request for checkpoints/{} to {} (also "
               "checkpoints/{}.tsq)\n",
               size,
               options.tsq,
               size);
    fmt::print("send it to a timestamp authority, e.g.: curl -sS -H "
               "'Content-Type: application/timestamp-query' --data-binary "
               "@{} URL > reply.tsr\n",
               options.tsq);
    fmt::print("then: custody checkpoint --tsr reply.tsr --checkpoint {}\n",
               size);
  }
  return Outcome::ok;
}

Result<Outcome>
run_response(const GlobalOptions& global, const CheckpointOptions& options)
{
  CUSTODY_ASSIGN_CTX(response,
                     fs::read_file(options.tsr, k_max_tsr),
                     fmt::format("\"{}\"", options.tsr));
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  const auto& dir = session.vault.directory();
  CUSTODY_ASSIGN(key, session.vault.signing_public());
  // Without --checkpoint: the checkpoint whose stored request this answers.
  std::vector<std::uint64_t> candidates;
  if (options.size) {
    candidates.push_back(*options.size);
  } else {
    CUSTODY_ASSIGN(listing, checkpoint::list(dir));
    candidates.assign(listing.sizes.rbegin(), listing.sizes.rend());
  }
  std::optional<Error> first_problem;
  for (const std::uint64_t size : candidates) {
    CUSTODY_ASSIGN(
      stored, checkpoint::read(dir, size, key, session.vault.state().vault_id));
    auto request =
      fs::read_file(checkpoint::sibling(dir, size, "tsq"), k_max_tsq);
    if (!request) {
      if (request.error().code != Errc::not_found) {
        return tl::unexpected(request.error());
      }
      if (options.size) {
        return make_error(
          Errc::invalid_input,
          fmt::format(
            "checkpoints/{} has no stored request ({}.tsq)", size, size),
          fmt::format("`custody checkpoint --tsq FILE --checkpoint {}` "
                      "writes one",
                      size));
      }
      continue;
    }
    auto token =
      timestamp::check_response(*request, response, as_bytes(stored.text));
    if (!token) {
      if (!first_problem) {
        first_problem = token.error();
      }
      continue;
    }
    const fs::Path stored_response = checkpoint::sibling(dir, size, "tsr");
    if (auto existing = fs::read_file(stored_response, k_max_tsr)) {
      if (*existing != response) {
        return make_error(
          Errc::invalid_input,
          fmt::format("checkpoints/{}.tsr holds another token already", size),
          "a checkpoint keeps its first token");
      }
    } else {
      CUSTODY_TRY(fs::write_file_atomic(stored_response, response));
    }
    if (global.json) {
      auto out = checkpoint_json(stored.checkpoint, false, true);
      out["gen_time"] = token->gen_time;
      out["serial"] = token->serial;
      out["policy"] = token->policy;
      fmt::print("{}\n", out.dump());
    } else {
      fmt::print("stored the RFC 3161 token for checkpoints/{} as "
                 "checkpoints/{}.tsr (time {}, serial {})\n",
                 size,
                 size,
                 token->gen_time,
                 token->serial);
      note("the TSA's signature and certificate are checked with `openssl ts "
           "-verify` and the TSA's CA (docs/verifying.md)");
    }
    return Outcome::ok;
  }
  if (first_problem) {
    return make_error(
      Errc::invalid_input,
      fmt::format("\"{}\": {}", options.tsr, first_problem->message),
      "a response must answer this vault's stored request "
      "(same checkpoint hash and nonce)");
  }
  return make_error(Errc::invalid_input,
                    fmt::format("\"{}\" answers no stored request: no "
                                "checkpoint has a .tsq",
                                options.tsr),
                    "`custody checkpoint --tsq FILE` writes one");
}

Result<Outcome>
run_checkpoint(const GlobalOptions& global, const CheckpointOptions& options)
{
  if (!options.tsq.empty() && !options.tsr.empty()) {
    return make_error(Errc::usage, "give --tsq or --tsr, not both");
  }
  if (!options.tsq.empty()) {
    return run_request(global, options);
  }
  if (!options.tsr.empty()) {
    return run_response(global, options);
  }
  if (options.size) {
    return make_error(Errc::usage,
                      "--checkpoint picks the checkpoint for --tsq or --tsr",
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
  sub->add_option("--checkpoint",
                  options->size,
                  "The checkpoint (by tree size) for --tsq or --tsr; default "
                  "the latest");
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_checkpoint(global, *options); };
  });
}

} // namespace custody::cli
