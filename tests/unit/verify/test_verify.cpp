// One verification over one snapshot: findings in the report, writers free
// once the snapshot is taken.
#include "new_vault.hpp"

#include <custody/ledger/ledger.hpp>
#include <custody/vault/check.hpp>
#include <custody/verify/verify.hpp>

#include <doctest/doctest.h>

using namespace custody;
using custody::test::NewVault;

TEST_SUITE_BEGIN("verify");

TEST_CASE("a put entry is 4 payloads or 2: every other count is refused and "
          "reported")
{
  for (const std::size_t count : {0, 1, 3, 5}) {
    CAPTURE(count);
    const NewVault made;
    std::vector<ledger::PayloadRef> refs;
    {
      vault::Notes notes;
      vault::OpenOptions options;
      options.access = vault::Access::write;
      auto opened =
        vault::Vault::open(made.directory, made.creator, options, notes);
      REQUIRE(opened);
      // Any real payload will do: the shape is what is checked.
      REQUIRE(opened->scan([&](const ledger::Entry& entry, const Digest&) {
        if (refs.empty()) {
          refs.assign(count, entry.payloads.front());
        }
        return Result<void>{};
      }));
      auto appended = opened->append(ledger::Kind::put, {refs});
      REQUIRE_FALSE(appended);
      CHECK(appended.error().message.find("4 payloads") != std::string::npos);
    }
    // Written around the library, the entry is found by the replay.
    auto tip = ledger::scan(made.directory,
                            [](const ledger::Line&) { return Result<void>{}; });
    REQUIRE(tip);
    ledger::Entry entry;
    entry.seq = tip->count;
    entry.prev = tip->last_hash;
    entry.time = ledger::now_rfc3339();
    entry.kind = ledger::Kind::put;
    entry.payloads = refs;
    REQUIRE(
      ledger::append(made.directory, *tip, {ledger::encode_entry(entry)}));
    auto report = verify::check(made.directory, &made.creator, {});
    REQUIRE(report);
    REQUIRE(report->problem);
    CHECK(report->problem->error.code == Errc::corrupt);
    CHECK(report->problem->error.message.find("4 payloads (a record) or 2")
          != std::string::npos);
  }
}

TEST_CASE("a reader that gave up its lock keeps its snapshot: a writer "
          "appends at once, and the reader's scans stop at the old tip")
{
  const NewVault made;
  vault::Notes notes;
  vault::OpenOptions read;
  auto reader = vault::Vault::open(made.directory, made.creator, read, notes);
  REQUIRE(reader);
  const std::uint64_t seen = reader->entry_count();
  REQUIRE(reader->release_lock());

  vault::OpenOptions write;
  write.access = vault::Access::write;
  // Without the release this would wait for the reader and fail.
  write.wait = std::chrono::milliseconds(100);
  {
    auto writer =
      vault::Vault::open(made.directory, made.creator, write, notes);
    REQUIRE(writer);
    const identity::Member newcomer{age::X25519Identity::generate()};
    REQUIRE(writer->add_member(newcomer.card(), vault::Role::data, ""));
    CHECK(writer->entry_count() > seen);
    REQUIRE_FALSE(writer->release_lock());
  }
  std::uint64_t scanned = 0;
  REQUIRE(reader->scan([&](const ledger::Entry&, const Digest&) {
    ++scanned;
    return Result<void>{};
  }));
  CHECK(scanned == seen);

  // A check taken now sees the new tip, and passes.
  auto report = verify::check(made.directory, &made.creator, {});
  REQUIRE(report);
  CHECK_FALSE(report->problem);
  CHECK(report->entries > seen);
}

TEST_CASE("without an identity, the envelope, objects and checkpoints are "
          "checked against custody.pub")
{
  const NewVault made;
  auto report = verify::check(made.directory, nullptr, {});
  REQUIRE(report);
  CHECK_FALSE(report->problem);
  CHECK_FALSE(report->admin_checked);
  CHECK(report->entries > 0);
}

TEST_SUITE_END();
