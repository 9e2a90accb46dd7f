// The record list the seals carry (docs/formats.md 6.4, 10.3).
#include "new_vault.hpp"
#include "sample_records.hpp"

#include <custody/records/records.hpp>
#include <custody/vault/record_set.hpp>

#include <doctest/doctest.h>

using namespace custody;
using custody::test::NewVault;
using custody::test::sample_form;
using custody::test::sample_parts;

TEST_SUITE_BEGIN("record_set");

namespace {

vault::SealedRecord
sealed(const std::string& id, std::uint8_t form, std::uint64_t seq)
{
  vault::SealedRecord record;
  record.id = *vault::record_key(id);
  record.form.fill(form);
  record.seq = seq;
  return record;
}

} // namespace

TEST_CASE("a record list is sorted by id, finds ids, ranges and forms, and "
          "refuses a record named twice (invariant 23)")
{
  auto set =
    vault::RecordSet::from({sealed("c0000000000000000000000000000000", 3, 7),
                            sealed("a0000000000000000000000000000000", 1, 3),
                            sealed("b0000000000000000000000000000000", 1, 5)});
  REQUIRE(set);
  CHECK(set->size() == 3);
  CHECK(vault::key_hex(set->all().front().id)
        == "a0000000000000000000000000000000");
  CHECK(set->find(*vault::record_key("b0000000000000000000000000000000"))->seq
        == 5);
  CHECK(set->find(*vault::record_key("b0000000000000000000000000000001"))
        == nullptr);
  CHECK(set
          ->between(*vault::record_key("a0000000000000000000000000000001"),
                    *vault::record_key("bfffffffffffffffffffffffffffffff"))
          .size()
        == 1);
  vault::RecordKey form{};
  form.fill(1);
  REQUIRE(set->find_form(form) != nullptr);
  CHECK(set->find_form(form)->seq == 3);
  form.fill(9);
  CHECK(set->find_form(form) == nullptr);

  auto twice = set->add({sealed("b0000000000000000000000000000000", 4, 11)});
  REQUIRE_FALSE(twice);
  CHECK(twice.error().invariant == 23);
  REQUIRE(set->add({sealed("d0000000000000000000000000000000", 4, 11)}));
  form.fill(4);
  CHECK(set->find_form(form)->seq == 11);

  const Bytes body = set->serialize();
  CHECK(body.size() == 4 * 40);
  auto parsed = vault::RecordSet::parse(body, 4);
  REQUIRE(parsed);
  CHECK(parsed->all() == set->all());
  CHECK_FALSE(vault::RecordSet::parse(body, 3));
  CHECK_FALSE(vault::record_key("A0000000000000000000000000000000"));
}

TEST_CASE("the seals name every record created, with its form hash; each "
          "member keeps her own copy and brings it forward")
{
  NewVault fixture;
  std::vector<std::string> ids;
  {
    auto vault = fixture.open(fixture.creator);
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = sample_parts(sample_form("2025-03-14"));
    auto written = records::write(vault, {change});
    REQUIRE(written);
    ids.push_back(written->front().record_id);
  }
  vault::Notes notes;
  {
    // Opened from the state cache: the list is read from the seals, then
    // saved as her own copy.
    auto vault = fixture.open(fixture.creator);
    auto listed = vault.records(notes);
    REQUIRE(listed);
    REQUIRE((*listed)->size() == 1);
    CHECK(vault::key_hex((*listed)->all().front().id) == ids.front());
    vault.save_records(notes);
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = sample_parts(sample_form("2025-04-01"));
    auto written = records::write(vault, {change});
    REQUIRE(written);
    ids.push_back(written->front().record_id);
    // append() keeps the loaded list up to date
    CHECK((*vault.records(notes))->size() == 2);
  }
  const auto copy =
    vault::member_cache_directory(fixture.directory, fixture.creator.key_id())
    / "records.age";
  CHECK(std::filesystem::exists(copy));
  {
    auto vault = fixture.open(fixture.creator);
    auto listed = vault.records(notes);
    REQUIRE(listed);
    CHECK((*listed)->size() == 2);
    CHECK(notes.empty());
  }
  // a copy someone else wrote fails its MAC: the list is read again from the
  // seals, with a note
  std::filesystem::resize_file(copy, 100);
  auto vault = fixture.open(fixture.creator);
  auto listed = vault.records(notes);
  REQUIRE(listed);
  CHECK((*listed)->size() == 2);
  CHECK_FALSE(notes.empty());
}

TEST_SUITE_END();
