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
  view.history = {{2, "ab", "2026-01-01T00:00:00Z", "record"}};
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

TEST_SUITE_END();
