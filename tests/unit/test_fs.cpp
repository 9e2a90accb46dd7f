// Durable writes and the lock.
#include "temp_dir.hpp"

#include <custody/fs.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

using namespace custody;

namespace {

using custody::test::TempDir;

std::size_t
file_count(const std::filesystem::path& dir)
{
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(dir)) {
    ++n;
  }
  return n;
}

} // namespace

TEST_SUITE_BEGIN("fs");

TEST_CASE(
  "write_file_atomic replaces an existing file and leaves no temp file behind")
{
  TempDir dir;
  const auto file = dir.path() / "a";
  REQUIRE(fs::write_file_atomic(file, as_bytes("one")));
  REQUIRE(fs::write_file_atomic(file, as_bytes("two")));
  CHECK(as_text(*fs::read_file(file, 100)) == "two");
  CHECK(file_count(dir.path()) == 1);
  CHECK((std::filesystem::status(file).permissions()
         & std::filesystem::perms::group_read)
        == std::filesystem::perms::none);
}

TEST_CASE("create_file_durably refuses to replace")
{
  TempDir dir;
  const auto file = dir.path() / "a";
  REQUIRE(fs::create_file_durably(file, as_bytes("one")));
  auto again = fs::create_file_durably(file, as_bytes("two"));
  REQUIRE_FALSE(again);
  CHECK(again.error().code == Errc::invalid_input);
  CHECK(as_text(*fs::read_file(file, 100)) == "one");
  CHECK(file_count(dir.path()) == 1);
}

TEST_CASE("append_durably appends and read_file enforces its limit")
{
  TempDir dir;
  const auto file = dir.path() / "log";
  REQUIRE(fs::append_durably(file, as_bytes("a\n")));
  REQUIRE(fs::append_durably(file, as_bytes("b\n")));
  CHECK(as_text(*fs::read_file(file, 100)) == "a\nb\n");
  auto too_big = fs::read_file(file, 3);
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().code == Errc::invalid_input);
  CHECK(fs::read_file(dir.path() / "missing", 3).error().code
        == Errc::not_found);
}

TEST_CASE("a second exclusive lock waits and then reports the vault busy")
{
  TempDir dir;
  const auto lock_path = dir.path() / "lock";
  auto first = fs::Lock::acquire(
    lock_path, fs::LockMode::exclusive, std::chrono::milliseconds(0));
  REQUIRE(first);
  auto second = fs::Lock::acquire(
    lock_path, fs::LockMode::exclusive, std::chrono::milliseconds(100));
  REQUIRE_FALSE(second);
  CHECK(second.error().code == Errc::locked);
  auto shared = fs::Lock::acquire(
    lock_path, fs::LockMode::shared, std::chrono::milliseconds(0));
  CHECK_FALSE(shared);
}

TEST_CASE("make_directories creates nested private directories")
{
  TempDir dir;
  REQUIRE(fs::make_directories(dir.path() / "a" / "b" / "c"));
  CHECK(std::filesystem::is_directory(dir.path() / "a" / "b" / "c"));
  CHECK((std::filesystem::status(dir.path() / "a").permissions()
         & std::filesystem::perms::others_all)
        == std::filesystem::perms::none);
}

TEST_SUITE_END();
