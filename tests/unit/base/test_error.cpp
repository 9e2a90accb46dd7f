// Error values: the invariant a failed check carries, and the remedy kept on
// the way up.
#include <custody/base/error.hpp>

#include <doctest/doctest.h>

using namespace custody;

TEST_SUITE_BEGIN("error");

TEST_CASE("broken() is a corrupt error that names its invariant")
{
  const Result<int> result = broken(5, "entry 3: prev does not match");
  REQUIRE_FALSE(result);
  CHECK(result.error().code == Errc::corrupt);
  CHECK(result.error().invariant == 5);
  CHECK(result.error().remedy == Remedy::none);
}

TEST_CASE("checking() marks a corrupt error, keeps a deeper invariant, and "
          "leaves other errors alone")
{
  Result<int> plain = make_error(Errc::corrupt, "object 1 is missing");
  CHECK(checking(8, plain).error().invariant == 8);
  Result<int> deeper = broken(13, "the commitment does not open");
  CHECK(checking(7, deeper).error().invariant == 13);
  Result<int> io = make_error(Errc::io, "read failed");
  CHECK(checking(8, io).error().invariant == 0);
  CHECK(checking(8, Result<int>(1)).value() == 1);
}

TEST_CASE("context added on the way up keeps the remedy and the invariant")
{
  Error error{Errc::corrupt,
              "torn tail",
              "no complete entry is lost",
              Remedy::run_verify_repair,
              2};
  const Error outer = with_context(error, "ledger/000000.jsonl");
  CHECK(outer.message == "ledger/000000.jsonl: torn tail");
  CHECK(outer.remedy == Remedy::run_verify_repair);
  CHECK(outer.hint == "no complete entry is lost");
  CHECK(outer.invariant == 2);
}

TEST_SUITE_END();
