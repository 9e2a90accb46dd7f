// custody-media: the keyless child that reads untrusted media. custody runs it
// (sys/spawn), never a person; it is installed beside custody's other
// internal programs (libexec/custody), not on PATH.
//
//   custody-media facts FILE   the media facts of FILE, one line of canonical
//                              JSON (docs/media.md): libmagic, libavformat and
//                              libexiv2; the child of media::probe
//   custody-media redact-photo the photo on standard input redacted, its report
//                              and the image on standard output
//                              (docs/formats.md 6.6.1): OpenCV and libexiv2;
//                              the child of redact::redact_photo_in_child
//
// A program of its own so that the process holding keys never loads these
// parsers: custody links none of FFmpeg, libexiv2, libmagic or OpenCV, and
// this program opens no vault or identity and is exec'd afresh, so no key or
// passphrase is in its memory (docs/design.md section 9). Exit statuses are
// custody's (3 bad input, 6 I/O, 70 internal, 2 usage).
#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/media/media.hpp>
#include <custody/media/probe.hpp>
#include <custody/redact/photo_child.hpp>
#include <custody/redact/photo_serve.hpp>
#include <custody/sys/fs.hpp>
#include <custody/sys/hardening.hpp>

#include <fmt/core.h>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace custody::media_child {

namespace {

// Limits on what a parser exploited by a hostile file can do or cost. main()
// already turned core dumps off (harden_process).
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

Result<void>
write_out(std::string_view text, std::string_view what)
{
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()
      || std::fflush(stdout) != 0) {
    return fail(Errc::io, "cannot write the {}", what);
  }
  return {};
}

Result<void>
media_facts(const std::string& file)
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
  return write_out(json::canonical(*facts) + "\n", "media facts");
}

// The image comes on standard input from the parent's memory file, after one
// line of options (redact/photo_child.hpp); the reply goes to standard output.
Result<void>
redact_photo()
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
  CUSTODY_TRY(write_out(reply.output, "redacted photo"));
  if (!reply.ok) {
    // Told on standard output already; the status says it failed.
    return make_error(reply.code, "the photo redaction failed");
  }
  return {};
}

constexpr std::string_view k_usage =
  "usage: custody-media facts FILE | custody-media redact-photo\n"
  "custody runs this program itself, as a keyless child; see docs/media.md\n";

int
run(std::span<char*> args)
{
  Result<void> done;
  if (args.size() == 3 && args[1] == media::k_subcommand) {
    done = media_facts(args[2]);
  } else if (args.size() == 2 && args[1] == redact::k_photo_subcommand) {
    done = redact_photo();
  } else {
    fmt::print(stderr, "{}", k_usage);
    return exit_status(Errc::usage);
  }
  if (!done) {
    // The parent discards this; it is for a person running the program by
    // hand. Messages never hold the file's content.
    fmt::print(stderr, "custody-media: error: {}\n", done.error().message);
    return exit_status(done.error().code);
  }
  return 0;
}

} // namespace

} // namespace custody::media_child

int
main(int argc, char** argv)
{
  custody::harden_process();
  if (auto init = custody::crypto_init(); !init) {
    fmt::print(stderr, "custody-media: error: {}\n", init.error().message);
    return 70;
  }
  try {
    return custody::media_child::run(
      std::span<char*>(argv, static_cast<std::size_t>(argc)));
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "custody-media: error: out of memory\n");
    return 70;
  } catch (const std::exception& e) {
    fmt::print(stderr, "custody-media: internal error: {}\n", e.what());
    return 70;
  }
}
