// Files in memory only, for an editor: a memfd handed to the child as
// descriptor 3, or a /dev/shm file that never outlives the object, and a child
// attached to the terminal that gets nothing else of the parent's.
#include <custody/sys/memfile.hpp>
#include <custody/sys/spawn.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>

using namespace custody;

namespace {

// Runs a shell script attached, with `file` as the child's descriptor 3 and
// its path as $1.
spawn::Finished
edit_with(const memfile::MemoryFile& file, const std::string& script)
{
  spawn::Attached command;
  command.argv = {"/bin/sh", "-c", script, "editor", file.path()};
  command.environment = {"PATH=/usr/bin:/bin"};
  command.descriptor = file.child_descriptor();
  auto ran = spawn::run_attached(command);
  REQUIRE(ran);
  return *ran;
}

} // namespace

TEST_SUITE_BEGIN("memfile");

TEST_CASE("a memfd: the child opens it as /proc/self/fd/3 and what it writes "
          "comes back")
{
  auto file = memfile::MemoryFile::create("custody-test");
  REQUIRE(file);
  REQUIRE(file->anonymous());
  CHECK(file->path() == "/proc/self/fd/3");
  REQUIRE(file->replace("first\n"));
  const auto ran = edit_with(
    *file, "read line <\"$1\" && printf '%s and second\\n' \"$line\" >\"$1\"");
  CHECK(ran.end == spawn::Finished::End::exited);
  CHECK(ran.code == 0);
  auto text = file->read(1024);
  REQUIRE(text);
  CHECK(*text == "first and second\n");
  CHECK(file->read(4).error().code == Errc::invalid_input);
}

TEST_CASE("the attached child gets no descriptor but 0-3, and runs in /")
{
  auto file = memfile::MemoryFile::create("custody-test");
  REQUIRE(file);
  // Not close-on-exec, and high enough that no descriptor of the child's
  // own takes its number.
  const int opened = ::open("/dev/null", O_RDONLY);
  REQUIRE(opened >= 0);
  const int stray = ::dup2(opened, 200);
  ::close(opened);
  REQUIRE(stray == 200);
  const auto ran = edit_with(*file, "ls /proc/self/fd >\"$1\"; pwd >>\"$1\"");
  ::close(stray);
  CHECK(ran.code == 0);
  auto text = file->read(1024);
  REQUIRE(text);
  // ls's own directory descriptor shows too; nothing else beyond 3.
  CHECK(text->find(std::to_string(stray) + "\n") == std::string::npos);
  CHECK(text->ends_with("\n/\n"));
}

TEST_CASE("the /dev/shm file: a random name, mode 0600, gone with the object")
{
  ::setenv("CUSTODY_TEST_NO_MEMFD", "1", 1);
  std::string path;
  {
    auto file = memfile::MemoryFile::create("custody-test");
    ::unsetenv("CUSTODY_TEST_NO_MEMFD");
    REQUIRE(file);
    CHECK_FALSE(file->anonymous());
    CHECK(file->child_descriptor() == -1);
    path = file->path();
    CHECK(path.starts_with("/dev/shm/custody-test-"));
    CHECK(path.size() == std::string("/dev/shm/custody-test-").size() + 24);
    struct stat info
    {
    };
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    REQUIRE(file->replace("text\n"));
    // An editor that saves by renaming a new file over the old one.
    const auto ran = edit_with(
      *file, "printf 'renamed\\n' >\"$1.new\" && mv \"$1.new\" \"$1\"");
    CHECK(ran.code == 0);
    auto text = file->read(1024);
    REQUIRE(text);
    CHECK(*text == "renamed\n");
  }
  CHECK(::access(path.c_str(), F_OK) != 0);
}

TEST_CASE("a child that cannot be started is Errc::io; its exit status and "
          "signal come back")
{
  spawn::Attached missing;
  missing.argv = {"/nonexistent/editor"};
  CHECK(spawn::run_attached(missing).error().code == Errc::io);
  spawn::Attached killed;
  killed.argv = {"/bin/sh", "-c", "kill -TERM $$"};
  auto ran = spawn::run_attached(killed);
  REQUIRE(ran);
  CHECK(ran->end == spawn::Finished::End::signalled);
  CHECK(ran->code == SIGTERM);
}

TEST_SUITE_END();
