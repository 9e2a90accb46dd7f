// Running a child program the way custody runs every child: no shell, an
// environment given in full (nothing of the parent's passes unless named),
// standard input from /dev/null, no descriptor of the parent's beyond 0-2,
// every signal at its default, a deadline after which it is killed, and a cap
// on what it may print. The media reader and the TSA client use it, and the
// redaction children will.
#pragma once

#include <custody/base/error.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace custody::spawn {

struct Command
{
  // argv[0] is the program: a path, or with `search_path` a name looked up in
  // the parent's PATH
  std::vector<std::string> argv;
  bool search_path = false;
  // the child's whole environment, NAME=value
  std::vector<std::string> environment = {"LC_ALL=C"};
  std::chrono::milliseconds timeout{30000};
  // standard output (and with `capture_stderr` standard error, interleaved)
  // beyond this many bytes ends the child
  std::size_t max_output = 1 << 20;
  // otherwise standard error goes to /dev/null
  bool capture_stderr = false;
  // A file the child reads as its standard input instead of /dev/null,
  // opened read-only in the child before anything else of the parent's is
  // closed: "/proc/self/fd/N" names the parent's descriptor N, so a memory
  // file reaches the child without a name on any disk.
  std::string standard_input;
};

struct Finished
{
  enum class End { exited, signalled, timed_out, too_much };
  End end = End::exited;
  // the exit status, or the signal that ended it
  int code = 0;
  std::string output;
};

// Runs `command` to its end. Errc::io when it cannot be started (a missing
// program among them); how it ended, otherwise, is for the caller to judge.
[[nodiscard]] Result<Finished> run(const Command& command);

// A child that takes over the terminal for a while: an editor.
struct Attached
{
  // argv[0] is looked up in the parent's PATH unless it holds a '/'
  std::vector<std::string> argv;
  // the child's whole environment, NAME=value
  std::vector<std::string> environment;
  // given to the child as its descriptor 3 (-1: none)
  int descriptor = -1;
  // the child's working directory
  std::string directory = "/";
};

// Runs `command` with the parent's standard input, output and error (its
// terminal), and waits for it as long as it runs: no deadline, no cap on what
// it prints. Meanwhile the parent ignores SIGINT and SIGQUIT, as system(3)
// does, so that Ctrl-C reaches the editor and not the command waiting for it.
// No other descriptor of the parent's reaches the child; every signal starts
// at its default. Errc::io when it cannot be started.
[[nodiscard]] Result<Finished> run_attached(const Attached& command);

// The environment variables of the parent's that name its proxies
// (http_proxy, https_proxy, no_proxy in either case, all_proxy), as
// NAME=value: what a network client may need and nothing more.
std::vector<std::string> proxy_environment();

} // namespace custody::spawn
