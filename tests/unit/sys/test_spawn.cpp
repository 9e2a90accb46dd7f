// Children as custody runs them: no environment but the one given, nothing
// of the parent's open, a deadline and a cap on output.
#include <custody/sys/spawn.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

using namespace custody;
using End = spawn::Finished::End;

namespace {

spawn::Command
shell(const std::string& script)
{
  spawn::Command command;
  command.argv = {"/bin/sh", "-c", script};
  command.timeout = std::chrono::seconds(20);
  return command;
}

} // namespace

TEST_SUITE_BEGIN("spawn");

TEST_CASE("a child's output and exit status come back")
{
  auto ran = spawn::run(shell("echo hello; exit 4"));
  REQUIRE(ran);
  CHECK(ran->end == End::exited);
  CHECK(ran->code == 4);
  CHECK(ran->output == "hello\n");
}

TEST_CASE("the child sees only the environment given, and none of the "
          "parent's descriptors")
{
  ::setenv("CUSTODY_PASSPHRASE_FILE", "/secret", 1);
  // No O_CLOEXEC, and well above the descriptor ls opens to list them: a
  // parent whose lowest free descriptor is 3 would otherwise see its own 3
  // listed by ls and take it for a leak.
  const int opened = ::open("/dev/null", O_RDONLY);
  REQUIRE(opened >= 3);
  const int kept = ::fcntl(opened, F_DUPFD, 57);
  ::close(opened);
  REQUIRE(kept >= 57);
  auto ran = spawn::run(shell("env; ls /proc/self/fd"));
  ::close(kept);
  ::unsetenv("CUSTODY_PASSPHRASE_FILE");
  REQUIRE(ran);
  CHECK(ran->output.find("LC_ALL=C\n") != std::string::npos);
  CHECK(ran->output.find("CUSTODY_PASSPHRASE_FILE") == std::string::npos);
  // 0, 1, 2 and the one ls opens to list them
  CHECK(ran->output.find("\n" + std::to_string(kept) + "\n")
        == std::string::npos);
}

TEST_CASE("standard error is dropped unless captured")
{
  auto dropped = spawn::run(shell("echo out; echo err >&2"));
  REQUIRE(dropped);
  CHECK(dropped->output == "out\n");
  auto command = shell("echo out; echo err >&2");
  command.capture_stderr = true;
  auto captured = spawn::run(command);
  REQUIRE(captured);
  CHECK(captured->output.find("err\n") != std::string::npos);
}

TEST_CASE("a child past its deadline, or printing too much, is killed")
{
  auto slow = shell("sleep 30");
  slow.timeout = std::chrono::milliseconds(200);
  auto late = spawn::run(slow);
  REQUIRE(late);
  CHECK(late->end == End::timed_out);

  auto loud = shell("yes");
  loud.max_output = 4096;
  auto flood = spawn::run(loud);
  REQUIRE(flood);
  CHECK(flood->end == End::too_much);

  auto crash = spawn::run(shell("kill -SEGV $$"));
  REQUIRE(crash);
  CHECK(crash->end == End::signalled);
  CHECK(crash->code == SIGSEGV);
}

TEST_CASE("a program that cannot be run is an I/O error naming it")
{
  spawn::Command missing;
  missing.argv = {"/nonexistent/custody-child"};
  auto ran = spawn::run(missing);
  REQUIRE_FALSE(ran);
  CHECK(ran.error().code == Errc::io);
  CHECK(ran.error().message.find("/nonexistent/custody-child")
        != std::string::npos);
}

TEST_SUITE_END();
