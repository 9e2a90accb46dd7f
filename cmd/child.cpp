// The hidden subcommands custody runs as keyless children of itself
// (sys/spawn): `custody __media-facts FILE`, the child of media::probe, and
// `custody __redact-photo`, the child of redact::redact_photo_in_child.
// Hidden from
// --help; it reads one untrusted file with libmagic, libavformat and libexiv2
// and prints its media facts as canonical JSON (docs/media.md).
#include "commands.hpp"

#include <custody/base/canonical_json.hpp>
#include <custody/media/media.hpp>
#include <custody/redact/photo_child.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

namespace custody::cli {

namespace {

// Limits on what a parser exploited by a hostile file can do or cost. The
// process was exec'd, so it holds no keys, and main() already turned core
// dumps off (harden_process).
// How much a child may cost: the media reader parses one file's headers; the
// photo redaction decodes and searches a whole image with nine detectors.
struct Limits
{
  rlim_t cpu_seconds = 60;
  rlim_t address_space = rlim_t{1} << 30U; // 1 GiB
};

void
confine(const Limits& limits = {})
{
  // No setuid or file-capability gain through any later exec.
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  // The parent kills the child at its timeout; this bounds a child whose
  // parent died.
  struct rlimit cpu = {limits.cpu_seconds, limits.cpu_seconds + 1};
  setrlimit(RLIMIT_CPU, &cpu);
#if !defined(__SANITIZE_ADDRESS__)
  // ASan reserves terabytes of address space for its shadow memory, so the
  // limit is left out of sanitizer builds.
  struct rlimit memory = {limits.address_space, limits.address_space};
  setrlimit(RLIMIT_AS, &memory);
#endif
  // The facts are all it writes, to a pipe; a parser has no reason to grow a
  // file. (Skipped when someone runs it by hand with stdout on a file.)
  struct stat out
  {
  };
  if (fstat(STDOUT_FILENO, &out) == 0 && !S_ISREG(out.st_mode)) {
    struct rlimit no_files = {0, 0};
    setrlimit(RLIMIT_FSIZE, &no_files);
  }
}

Result<Outcome>
run_media_facts(const std::string& file)
{
  confine();
  auto facts = media::describe(file);
  if (!facts) {
    // Exit 3 whatever the reason (missing, a directory, permission denied):
    // the parent only needs to know the file could not be read.
    Error error = std::move(facts.error());
    error.code = Errc::invalid_input;
    return tl::unexpected(std::move(error));
  }
  const std::string text = json::canonical(*facts) + "\n";
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()
      || std::fflush(stdout) != 0) {
    return fail(Errc::io, "cannot write the media facts");
  }
  return Outcome::ok;
}

// The image comes on standard input from the parent's memory file, after one
// line of options (redact/photo_child.hpp); the reply goes to standard output.
Result<Outcome>
run_redact_photo()
{
  confine(Limits{600, rlim_t{6} << 30U});
  const fs::Path name = "standard input";
  CUSTODY_ASSIGN(input, fs::standard_input(name));
  // The image's bound (1 GiB, redact_photo's) and its options line.
  constexpr std::uint64_t k_max_request =
    (std::uint64_t{1} << 30U) + (1U << 20U);
  CUSTODY_ASSIGN(request,
                 fs::read_all(input, k_max_request, name, fs::Origin::user));
  const auto reply = redact::run_photo_request(request);
  if (std::fwrite(reply.output.data(), 1, reply.output.size(), stdout)
        != reply.output.size()
      || std::fflush(stdout) != 0) {
    return fail(Errc::io, "cannot write the redacted photo");
  }
  if (!reply.ok) {
    // Told on standard output already; the status says it failed.
    return make_error(reply.code, "the photo redaction failed");
  }
  return Outcome::ok;
}

} // namespace

void
register_redact_photo(CLI::App& app, GlobalOptions& /*global*/, Action& action)
{
  auto* sub = app.add_subcommand(
    std::string(redact::k_photo_subcommand),
    "Redact the photo on standard input (run by custody itself)");
  sub->group("");
  sub->callback([&action] { action = [] { return run_redact_photo(); }; });
}

void
register_media_facts(CLI::App& app, GlobalOptions& /*global*/, Action& action)
{
  auto file = std::make_shared<std::string>();
  auto* sub = app.add_subcommand(
    std::string(media::k_subcommand),
    "Print the media facts of FILE as JSON (run by custody itself)");
  // An empty group hides the subcommand from --help.
  sub->group("");
  sub->add_option("FILE", *file, "The file to read")->required();
  sub->callback(
    [file, &action] { action = [file] { return run_media_facts(*file); }; });
}

} // namespace custody::cli
