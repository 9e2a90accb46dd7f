// Records: derived coarse fields, batch writing, and the index shards over
// them.
#include "new_vault.hpp"

#include <custody/records/amend.hpp>
#include <custody/records/index.hpp>
#include <custody/records/readers.hpp>
#include <custody/records/records.hpp>
#include <custody/records/view.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace custody;
using custody::test::NewVault;

namespace {

json::Json
sample_form(const std::string& date, const std::string& district = "harbour")
{
  return json::Json::parse(
    R"({
    "form_version": 1,
    "incident": {"date": ")"
    + date + R"(", "date_approximate": false, "time": "23:40",
                 "district": ")"
    + district + R"(", "violence_types": ["violence.economic.extortion"],
                 "perpetrators": ["perpetrator.state.police"]},
    "person": {"person_ref": "P-1", "population": "transgender", "names": ["Canary-Name-1"]},
    "narrative": {"text": "Canary-Story-1", "language": "en"},
    "aggressor": {"description": "tall, uniform"},
    "response": {"first_contact_at": "2025-03-15T08:10:00+03:00", "actions": []},
    "consent": {"scopes": ["legal_action"]}
  })");
}

// What the schema split gives for sample_form (by hand: the split is tested
// with the schema).
records::Parts
sample_parts(const json::Json& form)
{
  records::Parts parts;
  const auto& incident = form["incident"];
  parts[0] = {
    {"incident", {{"date", incident["date"]}, {"time", incident["time"]}}},
    {"person", {{"names", form["person"]["names"]}}},
    {"response", {{"first_contact_at", form["response"]["first_contact_at"]}}}};
  parts[1] = {{"narrative", form["narrative"]}};
  parts[2] = {
    {"form_version", 1},
    {"incident",
     {{"district", incident["district"]},
      {"violence_types", incident["violence_types"]},
      {"perpetrators", incident["perpetrators"]}}},
    {"person", {{"person_ref", "P-1"}, {"population", "transgender"}}},
    {"consent", form["consent"]}};
  parts[3] = {{"aggressor", form["aggressor"]}};
  return parts;
}

records::Places
places()
{
  return *records::Places::parse(R"(
regions: [{code: south, name: South Shore}]
districts: [{code: harbour, name: Harbour, region: south}, {code: old_town, name: Old Town, region: south}]
)");
}

} // namespace

TEST_SUITE_BEGIN("records");

TEST_CASE("derive adds the month, the delay in hours, a week and a named area")
{
  const auto form = sample_form("2025-03-14");
  auto parts = sample_parts(form);
  const auto where = places();
  REQUIRE(records::derive(form, parts, &where));
  CHECK(parts[2]["incident"]["month"] == "2025-03");
  CHECK(parts[2]["incident"]["date_precision"] == "day");
  // 23:40 on the 14th to 08:10 on the 15th, both at +03:00
  CHECK(parts[2]["response"]["delay_hours"] == 8);
  CHECK(parts[3]["aggressor"]["when"] == "2025-W11");
  CHECK(parts[3]["aggressor"]["area"] == "South Shore");
  CHECK_FALSE(parts[2].dump().find("Harbour") != std::string::npos);
}

TEST_CASE(
  "a month-precision date gives no delay and a month-level aggressor time")
{
  const auto form = sample_form("2024-11");
  auto parts = sample_parts(form);
  REQUIRE(records::derive(form, parts, nullptr));
  CHECK(parts[2]["incident"]["month"] == "2024-11");
  CHECK(parts[2]["incident"]["date_precision"] == "month");
  CHECK_FALSE(parts[2].contains("response"));
  CHECK(parts[3]["aggressor"]["when"] == "2024-11");
  CHECK_FALSE(parts[3]["aggressor"].contains("area"));
}

TEST_CASE("ISO weeks at year boundaries")
{
  for (const auto& [date, week] : {std::pair{"2024-12-30", "2025-W01"},
                                   std::pair{"2021-01-03", "2020-W53"},
                                   std::pair{"2025-01-01", "2025-W01"}}) {
    const auto form = sample_form(date);
    auto parts = sample_parts(form);
    REQUIRE(records::derive(form, parts, nullptr));
    CHECK(parts[3]["aggressor"]["when"] == week);
  }
}

TEST_CASE("an unknown district is refused when the vault has a places list")
{
  const auto form = sample_form("2025-03-14", "nowhere");
  auto parts = sample_parts(form);
  const auto where = places();
  auto derived = records::derive(form, parts, &where);
  REQUIRE_FALSE(derived);
  CHECK(derived.error().message.find("/incident/district")
        != std::string::npos);
  CHECK(derived.error().message.find("nowhere") == std::string::npos);
}

TEST_CASE("strip_derived and merge_parts give back the form")
{
  const auto form = sample_form("2025-03-14");
  auto parts = sample_parts(form);
  const auto where = places();
  REQUIRE(records::derive(form, parts, &where));
  const auto merged = records::merge_parts(records::strip_derived(parts));
  // sample_parts leaves out date_approximate and the empty response.actions
  auto expected = form;
  expected["response"].erase("actions");
  expected["incident"].erase("date_approximate");
  CHECK(merged == expected);
}

TEST_CASE("make_merge_patch gives the RFC 7396 patch from one view to another")
{
  const auto from =
    json::Json::parse(R"({"a":{"b":1,"c":[1,2]},"d":"x","e":true})");
  const auto to =
    json::Json::parse(R"({"a":{"b":2,"c":[1,2]},"e":true,"f":null})");
  const auto patch = records::make_merge_patch(from, to);
  CHECK(patch == json::Json::parse(R"({"a":{"b":2},"d":null,"f":null})"));
  auto applied = from;
  applied.merge_patch(patch);
  CHECK(applied == json::Json::parse(R"({"a":{"b":2,"c":[1,2]},"e":true})"));
  CHECK(records::make_merge_patch(from, from).empty());
}

TEST_SUITE_END();

TEST_SUITE_BEGIN("index");

TEST_CASE("records written in a batch are listed, found by prefix and amended")
{
  NewVault fixture;
  auto vault = fixture.open(fixture.creator);
  std::vector<records::Change> changes;
  for (const char* date : {"2025-03-14", "2024-06-02", "2025-01"}) {
    const auto form = sample_form(date);
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = sample_parts(form);
    REQUIRE(records::derive(form, change.data, nullptr));
    changes.push_back(std::move(change));
  }
  auto written = records::write(vault, changes);
  REQUIRE(written);
  REQUIRE(written->size() == 3);
  CHECK((*written)[0].seq == 2);
  CHECK((*written)[2].seq == 4);

  vault::Notes notes;
  auto facts = index::Shard::open(vault, vault::Compartment::facts, notes);
  REQUIRE(facts);
  CHECK(facts->record_count() == 3);
  facts->save(notes);
  CHECK(facts->stats().saved);
  auto all = facts->list({});
  REQUIRE(all);
  CHECK(all->size() == 3);
  CHECK((*all)[0].month == "2025-03");
  CHECK((*all)[0].violence_types
        == std::vector<std::string>{"violence.economic.extortion"});

  index::Filter filter;
  filter.from_month = "2025-01";
  CHECK(facts->list(filter)->size() == 2);
  filter.to_month = "2025-01";
  CHECK(facts->list(filter)->size() == 1);
  index::Filter by_code;
  by_code.violence_type = "violence.economic.";
  CHECK(facts->list(by_code)->size() == 3);
  by_code.violence_type = "violence.sexual.";
  CHECK(facts->list(by_code)->empty());

  const std::string id = (*written)[0].record_id;
  auto found = facts->find(id.substr(0, 8));
  REQUIRE(found);
  CHECK(found->id == id);
  CHECK(facts->find("zz").error().code == Errc::invalid_input);
  CHECK(facts->find("00000000").error().code == Errc::not_found);

  // An amendment is a merge patch; the view folds it in.
  records::Change amend;
  amend.record_id = id;
  amend.type = records::EntryType::amend;
  amend.prev = (*written)[0].hash;
  amend.data[2] = {{"incident", {{"district", "old_town"}}}};
  REQUIRE(records::write(vault, {amend}));

  vault::Notes again_notes;
  auto reopened =
    index::Shard::open(vault, vault::Compartment::facts, again_notes);
  REQUIRE(reopened);
  CHECK(reopened->stats().loaded);
  CHECK(reopened->stats().replayed == 2); // the amendment and its seal
  auto amended = reopened->find(id);
  REQUIRE(amended);
  CHECK(amended->view["incident"]["district"] == "old_town");
  CHECK(amended->view["incident"]["month"] == "2025-03");
  CHECK(amended->entries == 2);
  auto history = reopened->history(id);
  REQUIRE(history);
  REQUIRE(history->size() == 2);
  CHECK((*history)[1].type == "amend");

  // The rebuilt shard equals the saved and replayed one.
  auto rebuilt = index::Shard::rebuild(vault, vault::Compartment::facts);
  REQUIRE(rebuilt);
  CHECK(*rebuilt->digest() == *reopened->digest());
}

TEST_CASE("a forged shard (valid age file, wrong MAC) is rebuilt, not trusted")
{
  NewVault fixture;
  auto vault = fixture.open(fixture.creator);
  const auto form = sample_form("2025-03-14");
  records::Change change;
  change.record_id = records::new_record_id();
  change.data = sample_parts(form);
  REQUIRE(records::write(vault, {change}));
  vault::Notes notes;
  auto saved = index::Shard::open(vault, vault::Compartment::facts, notes);
  REQUIRE(saved);
  saved->save(notes);

  // Anyone can encrypt to the member's public key: forge a shard claiming no
  // records.
  const auto* recipient = &fixture.creator.age_identity().recipient();
  const std::string forged =
    "custody-index-v3\n{\"compartment\":\"facts\",\"db_sha256\":\"00\",\"db_"
    "size\":0,\"hash\":\"00\","
    "\"mac\":\"00\",\"offset\":0,\"part\":\"catalogue\",\"position\":99,"
    "\"segment\":0,\"vault\":\"x\"}\n";
  auto file = age::encrypt(as_bytes(forged),
                           std::span<const age::X25519Recipient>(recipient, 1),
                           age::Armor::no);
  REQUIRE(file);
  std::ofstream(fixture.directory / "index" / fixture.creator.key_id()
                  / "facts.age",
                std::ios::binary | std::ios::trunc)
    .write(reinterpret_cast<const char*>(file->data()),
           static_cast<std::streamsize>(file->size()));
  vault::Notes forged_notes;
  auto shard =
    index::Shard::open(vault, vault::Compartment::facts, forged_notes);
  REQUIRE(shard);
  CHECK(shard->stats().rebuilt);
  CHECK(shard->record_count() == 1);
  REQUIRE(forged_notes.size() == 1);
  CHECK(forged_notes[0].find("MAC") != std::string::npos);
}

TEST_CASE("list loads only the catalogue; a missing detail part is rebuilt")
{
  NewVault fixture;
  auto vault = fixture.open(fixture.creator);
  records::Change change;
  change.record_id = records::new_record_id();
  change.data = sample_parts(sample_form("2025-03-14"));
  REQUIRE(records::write(vault, {change}));
  vault::Notes notes;
  auto first = index::Shard::open(vault, vault::Compartment::facts, notes);
  REQUIRE(first);
  // Opening saves nothing (a command refused for bad input writes nothing);
  // save() does.
  CHECK_FALSE(std::filesystem::exists(
    fixture.directory / "index" / fixture.creator.key_id() / "facts.age"));
  first->save(notes);
  CHECK(std::filesystem::exists(fixture.directory / "index"
                                / fixture.creator.key_id() / "facts.age"));
  CHECK(std::filesystem::exists(fixture.directory / "index"
                                / fixture.creator.key_id()
                                / "facts.detail.age"));

  // At the tip, a listing shard reads the catalogue alone: deleting the detail
  // does not matter to it, and it cannot be asked for views.
  std::filesystem::remove(fixture.directory / "index" / fixture.creator.key_id()
                          / "facts.detail.age");
  vault::Notes list_notes;
  auto listing = index::Shard::open(
    vault, vault::Compartment::facts, list_notes, index::Need::catalogue);
  REQUIRE(listing);
  CHECK(listing->stats().loaded);
  CHECK(listing->list({})->size() == 1);
  CHECK(listing->find(change.record_id).error().code == Errc::internal);
  CHECK(list_notes.empty());

  // Asked for everything, the catalogue without its detail is rebuilt whole.
  vault::Notes show_notes;
  auto showing =
    index::Shard::open(vault, vault::Compartment::facts, show_notes);
  REQUIRE(showing);
  CHECK(showing->stats().rebuilt);
  REQUIRE(show_notes.size() == 1);
  CHECK(show_notes[0].find("disagree") != std::string::npos);
  CHECK(showing->find(change.record_id));
  showing->save(show_notes);
  CHECK(std::filesystem::exists(fixture.directory / "index"
                                / fixture.creator.key_id()
                                / "facts.detail.age"));

  // Behind the tip, even a listing brings both parts forward together.
  records::Change second;
  second.record_id = records::new_record_id();
  second.data = sample_parts(sample_form("2024-06-02"));
  REQUIRE(records::write(vault, {second}));
  vault::Notes behind_notes;
  auto behind = index::Shard::open(
    vault, vault::Compartment::facts, behind_notes, index::Need::catalogue);
  REQUIRE(behind);
  CHECK(behind->stats().replayed == 2);
  CHECK(behind->list({})->size() == 2);
  behind->save(behind_notes);
  CHECK(behind_notes.empty());
  vault::Notes final_notes;
  auto whole =
    index::Shard::open(vault, vault::Compartment::facts, final_notes);
  REQUIRE(whole);
  CHECK(whole->stats().replayed == 0);
  CHECK(whole->find(second.record_id));
  auto rebuilt = index::Shard::rebuild(vault, vault::Compartment::facts);
  REQUIRE(rebuilt);
  CHECK(*rebuilt->digest() == *whole->digest());
}

TEST_CASE("a data member opens the facts shard but not identity or narrative")
{
  NewVault fixture;
  identity::Member data{age::X25519Identity::generate()};
  {
    auto vault = fixture.open(fixture.creator);
    REQUIRE(vault.add_member(data.card(), vault::Role::data, ""));
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = sample_parts(sample_form("2025-03-14"));
    REQUIRE(records::write(vault, {change}));
  }
  auto vault = fixture.open(data);
  vault::Notes notes;
  CHECK(index::Shard::open(vault, vault::Compartment::facts, notes));
  auto identity_shard =
    index::Shard::open(vault, vault::Compartment::identity, notes);
  REQUIRE_FALSE(identity_shard);
  CHECK(identity_shard.error().code == Errc::auth);
  CHECK(
    index::Shard::open(vault, vault::Compartment::narrative, notes).error().code
    == Errc::auth);
}

TEST_SUITE_END();

TEST_CASE("parts_of gives every example what splitting and deriving a copy "
          "gives")
{
  // parts_of moves a form's values into its parts and derives the coarse
  // fields from a copy of only what derive() reads: a field derive() came to
  // read without that copy would show here.
  auto schemas = schema::SchemaSet::from_embedded("incident.schema.json");
  REQUIRE(schemas);
  std::ifstream in(std::filesystem::path(CUSTODY_EXAMPLES_DIR) / "places.yaml");
  const std::string places_text{std::istreambuf_iterator<char>(in), {}};
  auto example_places = records::Places::parse(places_text);
  REQUIRE(example_places);
  auto forms = form::load_forms(
    std::filesystem::path(CUSTODY_EXAMPLES_DIR) / "incidents", *schemas);
  REQUIRE(forms);
  REQUIRE(forms->size() >= 24);
  for (const auto& form : *forms) {
    CAPTURE(form.origin.file);
    auto split = schemas->split(form.value);
    REQUIRE(split);
    records::Parts expected;
    for (std::size_t p = 0; p < records::k_part_count; ++p) {
      expected[p] =
        split->at(std::string(vault::compartment_name(records::k_parts[p])));
    }
    REQUIRE(records::derive(form.value, expected, &*example_places));
    auto parts =
      records::parts_of(form.value, form.origin, *schemas, &*example_places);
    REQUIRE(parts);
    for (std::size_t p = 0; p < records::k_part_count; ++p) {
      CHECK(json::canonical((*parts)[p]) == json::canonical(expected[p]));
    }
  }
}

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
