// The shards a member reads, record views, amendments and ids.
#include "new_vault.hpp"
#include "sample_records.hpp"

#include <custody/records/amend.hpp>
#include <custody/records/index.hpp>
#include <custody/records/readers.hpp>
#include <custody/records/records.hpp>
#include <custody/records/view.hpp>
#include <custody/schema/schema.hpp>

#include <doctest/doctest.h>

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

TEST_CASE("an intake member's record id is taken whole, never as a prefix")
{
  NewVault fixture;
  identity::Member intake{age::X25519Identity::generate()};
  {
    auto vault = fixture.open(fixture.creator);
    REQUIRE(vault.add_member(intake.card(), vault::Role::intake, ""));
  }
  auto vault = fixture.open(intake);
  vault::Notes notes;
  CHECK(records::open_readable(vault, notes).error().code == Errc::auth);
  const std::string whole = "0123456789abcdef0123456789abcdef";
  auto resolved = records::resolve_id(vault, whole, notes);
  REQUIRE(resolved);
  CHECK(*resolved == whole);
  CHECK(records::resolve_id(vault, whole.substr(0, 8), notes).error().code
        == Errc::invalid_input);
}

TEST_SUITE_END();
