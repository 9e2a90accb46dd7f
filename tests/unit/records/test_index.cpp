// The index shards: listing, finding, amending, forged and missing parts.
#include "new_vault.hpp"
#include "sample_records.hpp"

#include <custody/disclosure/stats_release.hpp>
#include <custody/records/dimension.hpp>
#include <custody/records/index.hpp>
#include <custody/records/records.hpp>

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>

using namespace custody;
using custody::test::NewVault;
using custody::test::sample_form;
using custody::test::sample_parts;

TEST_SUITE_BEGIN("index");

namespace {

// One new record of the sample form for each incident date, derived fields
// filled in.
std::vector<records::Change>
sample_changes(std::initializer_list<const char*> dates)
{
  std::vector<records::Change> changes;
  for (const char* date : dates) {
    const auto form = sample_form(date);
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = sample_parts(form);
    REQUIRE(records::derive(form, change.data, nullptr));
    changes.push_back(std::move(change));
  }
  return changes;
}

} // namespace

TEST_CASE("records written in a batch are listed, found by prefix and amended")
{
  NewVault fixture;
  auto vault = fixture.open(fixture.creator);
  auto written = records::write(
    vault, sample_changes({"2025-03-14", "2024-06-02", "2025-01"}));
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
  CHECK((*all)[0].facts.month == "2025-03");
  CHECK((*all)[0].facts.violence_types
        == std::vector<std::string>{"violence.economic.extortion"});

  records::Selection selection;
  selection.period = records::Period{"2025-01", "9999-12"};
  CHECK(records::list_records(*facts, selection, nullptr)->size() == 2);
  selection.period = records::Period{"2025-01", "2025-01"};
  CHECK(records::list_records(*facts, selection, nullptr)->size() == 1);
  records::Selection by_code;
  by_code.filters = {{records::Dimension::violence_type, "violence.economic"}};
  CHECK(records::list_records(*facts, by_code, nullptr)->size() == 3);
  by_code.filters = {{records::Dimension::violence_type, "violence.sexual"}};
  CHECK(records::list_records(*facts, by_code, nullptr)->empty());
  // The catalogue's preselection is coarse; the code must match whole
  // segments.
  by_code.filters = {{records::Dimension::violence_type, "violence.econ"}};
  CHECK(records::list_records(*facts, by_code, nullptr)->empty());

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
    "custody-index-v7\n{\"compartment\":\"facts\",\"db_sha256\":\"00\",\"db_"
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
  CHECK(forged_notes[0].text.find("MAC") != std::string::npos);
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
  CHECK(show_notes[0].text.find("disagree") != std::string::npos);
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

namespace {

std::string
facts_text(const index::FactsRow& row)
{
  std::string text =
    row.month.str() + "|" + row.date_precision.str() + "|" + row.district.str()
    + "|" + row.population.str() + "|" + row.setting.str() + "|"
    + row.person_ref + "|" + row.outcome.str() + "|"
    + (row.delay_hours ? std::to_string(*row.delay_hours) : std::string("-"));
  for (const auto* list : {&row.violence_types,
                           &row.perpetrators,
                           &row.actions,
                           &row.referrals,
                           &row.consent}) {
    text += "|";
    for (const auto& code : *list) {
      text += code + " ";
    }
  }
  return text;
}

std::vector<std::string>
facts_texts(const std::vector<index::FactsRow>& rows)
{
  std::vector<std::string> out;
  for (const auto& row : rows) {
    out.push_back(std::to_string(row.created_seq) + ":" + facts_text(row));
  }
  return out;
}

} // namespace

TEST_CASE("the statistics part gives the catalogue's facts, amendments folded "
          "in, and keeps its own position")
{
  NewVault fixture;
  auto vault = fixture.open(fixture.creator);
  auto written = records::write(
    vault, sample_changes({"2025-03-14", "2024-06-02", "2025-01", "2025"}));
  REQUIRE(written);

  vault::Notes notes;
  auto part = index::Shard::open(
    vault, vault::Compartment::facts, notes, index::Need::statistics);
  REQUIRE(part);
  CHECK_FALSE(part->stats().loaded);
  CHECK(part->record_count() == 4);
  part->save(notes);
  CHECK(part->stats().saved);
  const auto directory = fixture.directory / "index" / fixture.creator.key_id();
  CHECK(std::filesystem::exists(directory / "facts.stats.age"));
  // The statistics part alone: the catalogue and detail are not made.
  CHECK_FALSE(std::filesystem::exists(directory / "facts.age"));
  CHECK_FALSE(std::filesystem::exists(directory / "facts.detail.age"));
  // It lists no records: that is the catalogue's.
  CHECK(part->list({}).error().code == Errc::internal);

  // Amendments: a value replaced, a list replaced, a member removed (null),
  // and one the part does not keep (it must not disturb the rest).
  records::Change amend;
  amend.record_id = (*written)[0].record_id;
  amend.type = records::EntryType::amend;
  amend.prev = (*written)[0].hash;
  amend.data[2] = {
    {"incident",
     {{"district", "old_town"},
      {"violence_types", {"violence.sexual.rape", "violence.physical"}},
      {"setting", nullptr},
      {"notes_kept_elsewhere", "x"}}}};
  auto first = records::write(vault, {amend});
  REQUIRE(first);
  records::Change again = amend;
  again.prev = (*first)[0].hash;
  again.data[2] = {{"consent", {{"scopes", {"anonymised_statistics"}}}},
                   {"person", nullptr}};
  REQUIRE(records::write(vault, {again}));

  vault::Notes later;
  auto caught_up = index::Shard::open(
    vault, vault::Compartment::facts, later, index::Need::statistics);
  REQUIRE(caught_up);
  CHECK(caught_up->stats().loaded);
  CHECK_FALSE(caught_up->stats().rebuilt);
  CHECK(caught_up->stats().replayed == 4); // two amendments, two seals
  auto catalogue = index::Shard::open(vault, vault::Compartment::facts, later);
  REQUIRE(catalogue);
  auto from_part = caught_up->facts();
  auto from_catalogue = catalogue->facts();
  REQUIRE(from_part);
  REQUIRE(from_catalogue);
  CHECK(facts_texts(*from_part) == facts_texts(*from_catalogue));
  const auto& amended = from_part->front();
  CHECK(amended.district == "old_town");
  CHECK(amended.setting.empty());
  CHECK(amended.population.empty());
  CHECK(amended.person_ref.empty());
  CHECK(
    amended.violence_types
    == std::vector<std::string>{"violence.sexual.rape", "violence.physical"});
  CHECK(amended.consent == std::vector<std::string>{"anonymised_statistics"});
  const auto changed = caught_up->records_changed_since((*first)[0].seq);
  REQUIRE(changed);
  CHECK(*changed == 1);

  // Only the months a reader needs are decoded: 2025-01 to 2025-03 holds a
  // month of each and the record dated to 2025 alone; both shapes agree.
  const index::MonthSpan span{"2025-01", "2025-03"};
  auto in_span = caught_up->facts(span);
  REQUIRE(in_span);
  CHECK(facts_texts(*in_span) == facts_texts(*catalogue->facts(span)));
  std::vector<std::string> months;
  for (const auto& row : *in_span) {
    months.push_back(row.month);
  }
  CHECK(months == std::vector<std::string>{"2025-03", "2025-01", "2025"});

  // Rebuilt from the ledger, it is the same part.
  caught_up->save(later);
  auto rebuilt = index::Shard::rebuild(
    vault, vault::Compartment::facts, index::Need::statistics);
  REQUIRE(rebuilt);
  CHECK(*rebuilt->digest() == *caught_up->digest());
}

TEST_CASE("the statistics part keeps a file a month, opens only the months "
          "asked for, and is rebuilt when one is missing")
{
  NewVault fixture;
  auto vault = fixture.open(fixture.creator);
  auto written = records::write(
    vault, sample_changes({"2025-03-14", "2024-06-02", "2025-01", "2025"}));
  REQUIRE(written);
  const auto directory = fixture.directory / "index" / fixture.creator.key_id();
  auto part_files = [&] {
    std::vector<std::string> names;
    for (const auto& item : std::filesystem::directory_iterator(directory)) {
      const std::string name = item.path().filename().string();
      if (name.starts_with("facts.stats.")) {
        names.push_back(name);
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  auto open_part = [&](vault::Notes& notes) {
    auto part = index::Shard::open(
      vault, vault::Compartment::facts, notes, index::Need::statistics);
    REQUIRE(part);
    return std::move(*part);
  };
  vault::Notes notes;
  {
    auto part = open_part(notes);
    part.save(notes);
  }
  // Four months (2025-03, 2024-06, 2025-01 and the year 2025 alone), named by
  // number, the ids and the head.
  CHECK(part_files()
        == std::vector<std::string>{"facts.stats.1.age",
                                    "facts.stats.2.age",
                                    "facts.stats.3.age",
                                    "facts.stats.4.age",
                                    "facts.stats.age",
                                    "facts.stats.ids.age"});

  // A release, then an amendment that moves a record to another month: the
  // count of records changed since the release's tree is kept in the head.
  const std::uint64_t tree = vault.entry_count();
  REQUIRE(disclosure::record_release(vault,
                                     {{"kind", "stats"}, {"tree_size", tree}}));
  records::Change amend;
  amend.record_id = (*written)[0].record_id;
  amend.type = records::EntryType::amend;
  amend.prev = (*written)[0].hash;
  amend.data[2] = {{"incident", {{"month", "2024-06"}}}};
  REQUIRE(records::write(vault, {amend}));
  {
    auto part = open_part(notes);
    CHECK(part.stats().loaded);
    CHECK_FALSE(part.stats().rebuilt);
    const auto changed = part.records_changed_since(tree);
    REQUIRE(changed);
    CHECK(*changed == 1);
    auto june = part.facts(index::MonthSpan{"2024-06", "2024-06"});
    REQUIRE(june);
    REQUIRE(june->size() == 2);
    CHECK(june->front().created_seq == (*written)[0].seq);
    CHECK(june->front().month == "2024-06");
    auto march = part.facts(index::MonthSpan{"2025-03", "2025-03"});
    REQUIRE(march);
    CHECK(march->size() == 1); // the record dated to 2025 alone
    part.save(notes);
  }
  CHECK(notes.empty());

  // Without the month files, a span that holds no month reads none of them;
  // the whole vault finds them missing and rebuilds the part, with a note.
  for (const char* name : {"facts.stats.1.age",
                           "facts.stats.2.age",
                           "facts.stats.3.age",
                           "facts.stats.4.age"}) {
    std::filesystem::remove(directory / name);
  }
  vault::Notes later;
  auto part = open_part(later);
  auto none = part.facts(index::MonthSpan{"2030-01", "2030-03"});
  REQUIRE(none);
  CHECK(none->empty());
  CHECK_FALSE(part.stats().rebuilt);
  auto all = part.facts();
  REQUIRE(all);
  CHECK(all->size() == 4);
  CHECK(part.stats().rebuilt);
  auto rebuilt = index::Shard::rebuild(
    vault, vault::Compartment::facts, index::Need::statistics);
  REQUIRE(rebuilt);
  CHECK(facts_texts(*all) == facts_texts(*rebuilt->facts()));
  CHECK(*rebuilt->digest() == *part.digest());
  CHECK(*rebuilt->records_changed_since(tree) == 1);
  part.save(later);
  REQUIRE(later.size() == 1);
  CHECK(later.front().text.find("is missing; rebuilt from the ledger")
        != std::string::npos);
  CHECK(part_files().size() == 6);
}

TEST_CASE("an amendment that does not follow the record's last entry is "
          "refused by the statistics part as by the detail")
{
  NewVault fixture;
  auto vault = fixture.open(fixture.creator);
  const auto form = sample_form("2025-03-14");
  records::Change change;
  change.record_id = records::new_record_id();
  change.data = sample_parts(form);
  REQUIRE(records::derive(form, change.data, nullptr));
  auto written = records::write(vault, {change});
  REQUIRE(written);
  records::Change amend;
  amend.record_id = change.record_id;
  amend.type = records::EntryType::amend;
  amend.prev = (*written)[0].hash;
  amend.data[2] = {{"incident", {{"district", "old_town"}}}};
  REQUIRE(records::write(vault, {amend}));
  // A second amendment naming the record's first entry, not its last.
  REQUIRE(records::write(vault, {amend}));

  auto part = index::Shard::rebuild(
    vault, vault::Compartment::facts, index::Need::statistics);
  auto full = index::Shard::rebuild(vault, vault::Compartment::facts);
  REQUIRE_FALSE(part);
  REQUIRE_FALSE(full);
  CHECK(part.error().code == Errc::corrupt);
  CHECK(part.error().message == full.error().message);
}

TEST_CASE("a rebuild over many batches, opened in the background, applies "
          "every entry in ledger order")
{
  NewVault fixture;
  auto vault = fixture.open(fixture.creator);
  // More entries than the replay opens ahead of the one it applies
  // (index.cpp: batches of 512, four ahead), over twelve months.
  std::vector<records::Change> changes;
  const std::size_t count = 2600;
  for (std::size_t i = 0; i < count; ++i) {
    const auto form = sample_form(fmt::format("2025-{:02}-14", i % 12 + 1),
                                  i % 2 == 0 ? "harbour" : "old_town");
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = sample_parts(form);
    // Each a story of its own: the same form twice is refused as a
    // duplicate.
    change.data[1]["narrative"]["text"] = fmt::format("Canary-Story-{}", i);
    REQUIRE(records::derive(form, change.data, nullptr));
    changes.push_back(std::move(change));
  }
  auto written = records::write(vault, changes);
  REQUIRE(written);
  // The first record amended twice, thousands of entries after it: each
  // amendment must find the one before it applied.
  records::Change amend;
  amend.record_id = (*written)[0].record_id;
  amend.type = records::EntryType::amend;
  amend.prev = (*written)[0].hash;
  amend.data[2] = {{"incident", {{"month", "2024-06"}}}};
  auto first = records::write(vault, {amend});
  REQUIRE(first);
  amend.prev = (*first)[0].hash;
  amend.data[2] = {{"incident", {{"district", "old_town"}}}};
  REQUIRE(records::write(vault, {amend}));

  auto part = index::Shard::rebuild(
    vault, vault::Compartment::facts, index::Need::statistics);
  REQUIRE(part);
  auto full = index::Shard::rebuild(vault, vault::Compartment::facts);
  REQUIRE(full);
  auto from_part = part->facts();
  REQUIRE(from_part);
  REQUIRE(from_part->size() == count);
  CHECK(facts_texts(*from_part) == facts_texts(*full->facts()));
  CHECK(from_part->front().created_seq == (*written)[0].seq);
  CHECK(from_part->front().month == "2024-06");
  CHECK(from_part->front().district == "old_town");
  CHECK(std::is_sorted(
    from_part->begin(), from_part->end(), [](const auto& a, const auto& b) {
      return a.created_seq < b.created_seq;
    }));
  const auto june = part->facts(index::MonthSpan{"2024-06", "2024-06"});
  REQUIRE(june);
  CHECK(june->size() == 1);

  // An amendment that does not follow its record's last entry, far after
  // it, fails the whole rebuild.
  REQUIRE(records::write(vault, {amend}));
  auto refused = index::Shard::rebuild(
    vault, vault::Compartment::facts, index::Need::statistics);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::corrupt);
}

TEST_SUITE_END();
