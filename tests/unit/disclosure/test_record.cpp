// A record released to its reader: only disclosure/ makes a Released value,
// and what it releases holds no media salt.
#include <custody/disclosure/record.hpp>

#include <doctest/doctest.h>

#include <type_traits>

using namespace custody;

// Outside disclosure/, a Released<T> can be passed on but never made.
static_assert(!std::is_constructible_v<disclosure::Released<int>, int>);
static_assert(
  !std::is_constructible_v<disclosure::Released<disclosure::ShownRecord>,
                           disclosure::ShownRecord>);
static_assert(std::is_copy_constructible_v<disclosure::Released<int>>);

TEST_SUITE_BEGIN("disclosure");

TEST_CASE("a record is shown with its opened compartments, the others named "
          "as sealed, and its attachments without their media salt")
{
  records::RecordView view;
  view.id = "0123456789abcdef0123456789abcdef";
  view.history = {{2, "ab", "2026-01-01T00:00:00Z", "record", "", "", {}}};
  view.parts[records::part_index(vault::Compartment::facts)] =
    json::Json{{"incident", {{"month", "2026-01"}}}};
  view.parts[records::part_index(vault::Compartment::identity)] =
    json::Json{{"person", {{"names", {"Canary"}}}}};
  index::AttachmentRow row;
  row.seq = 5;
  row.attachment = {{"name", "a.jpg"}, {"media_salt", "ff00"}, {"size", 3}};
  view.attachments = std::vector<index::AttachmentRow>{row};

  const auto shown = disclosure::for_member(view);
  CHECK(shown->id == view.id);
  CHECK(shown->compartments.contains("facts"));
  CHECK(shown->compartments.contains("identity"));
  CHECK(shown->sealed == std::vector<std::string>{"narrative", "aggressor"});
  REQUIRE(shown->attachments);
  REQUIRE(shown->attachments->size() == 1);
  const auto& attachment = shown->attachments->front();
  CHECK(attachment.number == 1);
  CHECK(attachment.seq == 5);
  CHECK(attachment.document["name"] == "a.jpg");
  CHECK_FALSE(attachment.document.contains("media_salt"));
}

TEST_CASE("a member who does not open identity is shown no attachment list")
{
  records::RecordView view;
  view.id = "0123456789abcdef0123456789abcdef";
  view.parts[records::part_index(vault::Compartment::facts)] =
    json::Json::object();
  const auto shown = disclosure::for_member(view);
  CHECK_FALSE(shown->attachments);
  CHECK(shown->sealed.size() == 3);
}

TEST_CASE("issue 15: an amendment's reason and changes reach only a member "
          "who opens them, and no undo patch leaves")
{
  records::RecordView view;
  view.id = "0123456789abcdef0123456789abcdef";
  view.history = {{2, "ab", "2026-01-01T00:00:00Z", "record", "", "", {}},
                  {9,
                   "cd",
                   "2026-01-02T00:00:00Z",
                   "amend",
                   "k1",
                   "Canary-Reason",
                   json::Json{{"incident", {{"district", "harbour"}}}}}};
  const auto facts = records::part_index(vault::Compartment::facts);
  const auto identity = records::part_index(vault::Compartment::identity);
  view.parts[facts] = json::Json{{"incident", {{"district", "dockside"}}}};
  view.changes.resize(2);
  view.changes[1].parts[facts] = std::vector<records::FieldChange>{
    {"/incident/district", json::Json("harbour"), json::Json("dockside")}};
  // A change listed for a compartment the view does not open is not shown.
  view.changes[1].parts[identity] = std::vector<records::FieldChange>{
    {"/person/names", json::Json::array({"Canary-Name"}), std::nullopt}};

  const auto shown = disclosure::for_member(view);
  REQUIRE(shown->history.size() == 2);
  CHECK(shown->history[1].member == "k1");
  CHECK(shown->history[1].reason.empty());
  CHECK_FALSE(shown->history[1].undo);
  REQUIRE(shown->changes.size() == 2);
  REQUIRE(shown->changes[1].size() == 1);
  CHECK(shown->changes[1][0]["compartment"] == "facts");
  CHECK(shown->changes[1][0]["before"] == "harbour");
  CHECK(shown->changes[1].dump().find("Canary") == std::string::npos);

  view.parts[identity] = json::Json::object();
  const auto legal = disclosure::for_member(view);
  CHECK(legal->history[1].reason == "Canary-Reason");
  CHECK(legal->changes[1].size() == 2);
}

TEST_SUITE_END();
