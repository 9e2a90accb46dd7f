// Process hardening: no core dumps, not dumpable.
#include <custody/hardening.hpp>

#include <doctest/doctest.h>

#include <sys/prctl.h>
#include <sys/resource.h>

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
}

TEST_SUITE_END();
