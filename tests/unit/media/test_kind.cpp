// Attachment kinds from media facts or file names.
#include <custody/media/kind.hpp>

#include <doctest/doctest.h>

using namespace custody;

TEST_SUITE_BEGIN("kind");

TEST_CASE("the MIME type decides, then the extension in any case")
{
  CHECK(media::kind_of("a.bin", {{"mime", "video/mp4"}}) == "video");
  CHECK(media::kind_of("a.mp4", {{"mime", "audio/ogg"}}) == "audio");
  CHECK(media::kind_of("a", {{"mime", "image/jpeg"}}) == "photo");
  CHECK(media::kind_of("clip.MOV", json::Json::object()) == "video");
  CHECK(media::kind_of("voice.Opus", {{"mime", "application/octet-stream"}})
        == "audio");
  CHECK(media::kind_of("scan.TIFF", json::Json::object()) == "photo");
  CHECK(media::kind_of("statement.pdf", {{"mime", "application/pdf"}})
        == "document");
  CHECK(media::kind_of("noextension", json::Json::object()) == "document");
}

TEST_CASE("the four kinds, and nothing else, are kinds")
{
  for (const char* kind : {"audio", "video", "photo", "document"}) {
    CHECK(media::is_kind(kind));
  }
  for (const char* kind : {"", "Photo", "image", "documents"}) {
    CHECK_FALSE(media::is_kind(kind));
  }
}

TEST_SUITE_END();
