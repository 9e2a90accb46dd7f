// Process hardening: no core dumps, not dumpable.
#include <custody/sys/hardening.hpp>

#include <doctest/doctest.h>

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cstdlib>
#include <string>

TEST_SUITE_BEGIN("hardening");

TEST_CASE(
  "harden_process turns core dumps off and makes the process undumpable")
{
  custody::harden_process();
  struct rlimit limit = {1, 1};
  REQUIRE(getrlimit(RLIMIT_CORE, &limit) == 0);
  CHECK(limit.rlim_cur == 0);
  CHECK(limit.rlim_max == 0);
  CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
  const char* tmpdir = std::getenv("SQLITE_TMPDIR");
  REQUIRE(tmpdir != nullptr);
  CHECK(std::string(tmpdir).starts_with("/dev/null/"));
}

TEST_SUITE_END();
