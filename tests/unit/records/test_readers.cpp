// The shards a member reads, record views, amendments and ids.
#include "new_vault.hpp"
#include "sample_records.hpp"

#include <custody/records/amend.hpp>
#include <custody/records/index.hpp>
#include <custody/records/readers.hpp>
#include <custody/records/receipt.hpp>
#include <custody/records/records.hpp>
#include <custody/records/view.hpp>
#include <custody/schema/schema.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace custody;
using custody::test::NewVault;
using custody::test::sample_form;
using custody::test::sample_parts;

TEST_SUITE_BEGIN("readers");

TEST_CASE("a legal member views and amends a record through the shards she "
          "opens; a data member sees facts and aggressor and may not amend")
{
  NewVault fixture;
  identity::Member data{age::X25519Identity::generate()};
  std::string id;
  {
    auto vault = fixture.open(fixture.creator);
    REQUIRE(vault.add_member(data.card(), vault::Role::data, ""));
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = sample_parts(sample_form("2025-03-14"));
    REQUIRE(records::write(vault, {change}));
    id = change.record_id;
  }
  {
    auto vault = fixture.open(fixture.creator);
    vault::Notes notes;
    auto shards = records::open_readable(vault, notes);
    REQUIRE(shards);
    CHECK(records::opens_all(*shards));
    auto view = records::view_record(*shards, id.substr(0, 8));
    REQUIRE(view);
    CHECK(view->id == id);
    CHECK(view->history.size() == 1);
    for (const auto& part : view->parts) {
      CHECK(part.has_value());
    }
    REQUIRE(view->attachments);
    CHECK(view->attachments->empty());
    auto form = records::record_as_form(*shards, id);
    REQUIRE(form);
    CHECK((*form)["narrative"]["text"] == "Canary-Story-1");
  }
  auto vault = fixture.open(data);
  vault::Notes notes;
  auto shards = records::open_readable(vault, notes);
  REQUIRE(shards);
  CHECK_FALSE(records::opens_all(*shards));
  auto view = records::view_record(*shards, id);
  REQUIRE(view);
  CHECK_FALSE(view->parts[records::part_index(vault::Compartment::identity)]);
  CHECK(view->parts[records::part_index(vault::Compartment::facts)]);
  CHECK_FALSE(view->attachments);
  CHECK(records::record_as_form(*shards, id).error().code == Errc::auth);
  auto schemas = schema::SchemaSet::from_embedded("incident.schema.json");
  REQUIRE(schemas);
  form::Form form;
  CHECK(records::amendment(*shards, id, form, *schemas, nullptr).error().code
        == Errc::auth);
}

TEST_CASE("issue 15: an amendment keeps its reason in identity, its member "
          "and its undo patch; views at earlier entries and the fields each "
          "entry changed come back")
{
  NewVault fixture;
  identity::Member data{age::X25519Identity::generate()};
  std::string id;
  auto schemas = schema::SchemaSet::from_embedded("incident.schema.json");
  REQUIRE(schemas);
  std::uint64_t created = 0;
  std::uint64_t first_amendment = 0;
  {
    auto vault = fixture.open(fixture.creator);
    REQUIRE(vault.add_member(data.card(), vault::Role::data, ""));
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = sample_parts(sample_form("2025-03-14"));
    auto written = records::write(vault, {change});
    REQUIRE(written);
    id = change.record_id;
    created = written->front().seq;
    vault::Notes notes;
    auto shards = records::open_readable(vault, notes);
    REQUIRE(shards);
    auto corrected = sample_form("2025-03-14", "dockside");
    corrected["narrative"]["text"] = "Canary-Story-2";
    records::AmendOptions options;
    options.reason = "Canary-Reason: the district was misheard";
    options.based_on = "0000";
    // Made against an entry that is no longer the record's last: refused.
    auto stale = records::amendment(
      *shards, id, {corrected, {}}, *schemas, nullptr, options);
    REQUIRE_FALSE(stale);
    CHECK(stale.error().code == Errc::invalid_input);
    options.based_on.reset();
    auto amendment = records::amendment(
      *shards, id, {corrected, {}}, *schemas, nullptr, options);
    REQUIRE(amendment);
    REQUIRE(amendment->change);
    auto amended = records::write(vault, {*amendment->change});
    REQUIRE(amended);
    first_amendment = amended->front().seq;
    // A reason is checked: too long, or a control character.
    options.reason = std::string(records::k_max_reason_bytes + 1, 'a');
    CHECK_FALSE(records::amendment(
      *shards, id, {corrected, {}}, *schemas, nullptr, options));
    options.reason = "bell\a";
    CHECK_FALSE(records::amendment(
      *shards, id, {corrected, {}}, *schemas, nullptr, options));
  }
  {
    auto vault = fixture.open(fixture.creator);
    vault::Notes notes;
    auto shards = records::open_readable(vault, notes);
    REQUIRE(shards);
    records::ViewOptions options;
    options.changes = true;
    auto view = records::view_record(*shards, id, options);
    REQUIRE(view);
    REQUIRE(view->history.size() == 2);
    CHECK(view->history[1].reason
          == "Canary-Reason: the district was misheard");
    CHECK(view->history[1].member == fixture.creator.key_id());
    REQUIRE(view->changes.size() == 2);
    const auto facts = records::part_index(vault::Compartment::facts);
    const auto narrative = records::part_index(vault::Compartment::narrative);
    REQUIRE(view->changes[1].parts[facts]);
    // The sample record was split by hand, without the derived fields the
    // amendment adds: the district is one change among them.
    const auto& facts_changes = *view->changes[1].parts[facts];
    const auto district = std::find_if(
      facts_changes.begin(), facts_changes.end(), [](const auto& change) {
        return change.pointer == "/incident/district";
      });
    REQUIRE(district != facts_changes.end());
    CHECK(district->before == json::Json("harbour"));
    CHECK(district->after == json::Json("dockside"));
    REQUIRE(view->changes[1].parts[narrative]);
    CHECK(view->changes[1].parts[narrative]->front().pointer
          == "/narrative/text");

    options.changes = false;
    options.at = created;
    auto then = records::view_record(*shards, id, options);
    REQUIRE(then);
    CHECK(then->history.size() == 1);
    CHECK((*then->parts[facts])["incident"]["district"] == "harbour");
    CHECK((*then->parts[narrative])["narrative"]["text"] == "Canary-Story-1");
    options.at = first_amendment;
    auto now = records::view_record(*shards, id, options);
    REQUIRE(now);
    CHECK((*now->parts[facts])["incident"]["district"] == "dockside");
    options.at = created - 1;
    auto before = records::view_record(*shards, id, options);
    REQUIRE_FALSE(before);
    CHECK(before.error().code == Errc::invalid_input);
  }
  // A data member sees who amended and what changed in facts, never why.
  auto vault = fixture.open(data);
  vault::Notes notes;
  auto shards = records::open_readable(vault, notes);
  REQUIRE(shards);
  records::ViewOptions options;
  options.changes = true;
  auto view = records::view_record(*shards, id, options);
  REQUIRE(view);
  REQUIRE(view->history.size() == 2);
  CHECK(view->history[1].reason.empty());
  CHECK(view->history[1].member == fixture.creator.key_id());
  CHECK_FALSE(
    view->changes[1].parts[records::part_index(vault::Compartment::narrative)]);
  CHECK(view->changes[1].parts[records::part_index(vault::Compartment::facts)]);
}

TEST_CASE("field_changes: leaves added, removed and changed, lists whole")
{
  const auto before = json::Json::parse(
    R"({"a": {"b": 1, "c": [1, 2]}, "d": "x", "gone": {"e": true}})");
  const auto after =
    json::Json::parse(R"({"a": {"b": 1, "c": [1, 3]}, "d": "y", "new": 2})");
  const auto changes = records::field_changes(before, after);
  REQUIRE(changes.size() == 4);
  CHECK(changes[0].pointer == "/a/c");
  CHECK(changes[0].after == json::Json::array({1, 3}));
  CHECK(changes[1].pointer == "/d");
  CHECK(changes[2].pointer == "/gone/e");
  CHECK_FALSE(changes[2].after);
  CHECK(changes[3].pointer == "/new");
  CHECK_FALSE(changes[3].before);
  CHECK(records::field_changes(after, after).empty());
}

TEST_CASE("an intake member names a record by its id, a prefix or its receipt "
          "through the record list; one that names no record is refused, "
          "with the record one mistake away")
{
  NewVault fixture;
  identity::Member intake{age::X25519Identity::generate()};
  std::string id;
  {
    auto vault = fixture.open(fixture.creator);
    REQUIRE(vault.add_member(intake.card(), vault::Role::intake, ""));
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = sample_parts(sample_form("2025-03-14"));
    auto written = records::write(vault, {change});
    REQUIRE(written);
    id = written->front().record_id;
  }
  auto vault = fixture.open(intake);
  vault::Notes notes;
  CHECK(records::open_readable(vault, notes).error().code == Errc::auth);
  const std::string receipt = records::receipt_of(id);
  for (const std::string& typed : {id, id.substr(0, 8), receipt}) {
    auto resolved = records::resolve_id(vault, typed, notes);
    REQUIRE(resolved);
    CHECK(*resolved == id);
  }
  // one wrong digit of the whole id: no such record, and a hint naming it
  std::string wrong = id;
  wrong[5] = wrong[5] == '0' ? '1' : '0';
  auto refused = records::resolve_id(vault, wrong, notes);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::not_found);
  CHECK(refused.error().hint.find("did you mean " + id) != std::string::npos);
  // one wrong symbol of the receipt: its check symbol fails, and the hint
  // names the record
  std::string mistyped = receipt;
  mistyped[1] = mistyped[1] == 'X' ? 'Y' : 'X';
  auto checked = records::resolve_id(vault, mistyped, notes);
  REQUIRE_FALSE(checked);
  CHECK(checked.error().code == Errc::invalid_input);
  CHECK(checked.error().hint.find(receipt) != std::string::npos);
  CHECK(records::resolve_id(vault, "not-an-id", notes).error().code
        == Errc::invalid_input);
}

TEST_CASE("the same form twice is refused unless duplicates are allowed, in "
          "one batch and across batches; receipts stay unique")
{
  NewVault fixture;
  auto vault = fixture.open(fixture.creator);
  auto change = [](const std::string& date) {
    records::Change made;
    made.record_id = records::new_record_id();
    made.data = sample_parts(sample_form(date));
    made.origin = {"forms.jsonl", date == "2025-03-14" ? 1U : 2U};
    return made;
  };
  auto twice =
    records::write(vault, {change("2025-03-14"), change("2025-03-14")});
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == Errc::invalid_input);
  CHECK(twice.error().remedy == Remedy::allow_duplicate);
  auto first = records::write(vault, {change("2025-03-14")});
  REQUIRE(first);
  auto again =
    records::write(vault, {change("2025-03-15"), change("2025-03-14")});
  REQUIRE_FALSE(again);
  CHECK(
    again.error().message.find(records::receipt_of(first->front().record_id))
    != std::string::npos);
  vault::Notes notes;
  records::WriteOptions allow{records::Duplicates::allow, &notes};
  REQUIRE(records::write(vault, {change("2025-03-14")}, allow));
  CHECK(notes.size() == 1);
  // a new record whose receipt (the id's first 50 bits) is taken gets
  // another id
  records::Change same_receipt = change("2025-04-01");
  same_receipt.record_id =
    first->front().record_id.substr(0, 13) + std::string(19, '0');
  auto redrawn = records::write(vault, {same_receipt});
  REQUIRE(redrawn);
  CHECK(records::receipt_of(redrawn->front().record_id)
        != records::receipt_of(first->front().record_id));
  auto listed = vault.records(notes);
  REQUIRE(listed);
  CHECK((*listed)->size() == 3);
}

TEST_SUITE_END();
