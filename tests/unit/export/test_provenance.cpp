// Third-party provenance found as an original streams into a court bundle
// (export/provenance.hpp): C2PA manifest stores by their JUMBF description
// box, ProofMode bundles by their .proof.json, across piece boundaries.
#include <custody/export/provenance.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace custody;
using namespace custody::bundle;

namespace {

// A JUMBF description box header of content type `type` ("c2pa", "c2ma").
std::string
jumd(const std::string& type)
{
  return std::string("\x00\x00\x00\x2a", 4) + "jumd" + type
         + std::string("\x00\x11\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71", 12)
         + "\x03" + type + std::string(1, '\0');
}

ProvenanceScan::Found
scan_in_pieces(const std::string& bytes, std::size_t piece)
{
  ProvenanceScan scan;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    scan.feed(as_bytes(std::string_view(bytes).substr(at, piece)));
  }
  return scan.found();
}

} // namespace

TEST_SUITE("court")
{
  TEST_CASE("a C2PA manifest store is found in any piece size, once")
  {
    // A JPEG: SOI, an APP11 segment holding the store and two manifests.
    const std::string jpeg = std::string("\xff\xd8\xff\xeb\x01\x00JP", 8)
                             + jumd("c2pa") + std::string(37, 'x')
                             + jumd("c2ma") + std::string(5, 'y') + jumd("c2ma")
                             + std::string(300, 'z') + "\xff\xd9";
    for (std::size_t piece : {1, 3, 7, 19, 20, 21, 64, 4096}) {
      CAPTURE(piece);
      const auto found = scan_in_pieces(jpeg, piece);
      CHECK(found.c2pa_stores == 1);
      CHECK(found.c2pa_manifests == 2);
      CHECK_FALSE(found.proofmode);
    }
    const auto notes = provenance_notes(scan_in_pieces(jpeg, 4096));
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("C2PA manifest store (2 manifests)")
          != std::string::npos);
    CHECK(notes[0].find("did not validate") != std::string::npos);
  }

  TEST_CASE("a jumd box of another type, or a zip without a proof, is nothing")
  {
    std::string other = jumd("c2pa");
    other[12] = '\x01'; // another UUID
    CHECK(scan_in_pieces("abc" + other + "jumd", 5).c2pa_stores == 0);
    CHECK(provenance_notes(scan_in_pieces("abc" + other, 5)).empty());
    CHECK_FALSE(
      scan_in_pieces(std::string("PK\x03\x04", 4) + "clip.mp4", 3).proofmode);
    // .proof.json in a file that is no zip is not a ProofMode bundle.
    CHECK_FALSE(scan_in_pieces("notes about a.proof.json", 4).proofmode);
  }

  TEST_CASE("a ProofMode bundle: a zip holding a .proof.json")
  {
    const std::string zip = std::string("PK\x03\x04", 4) + std::string(26, '\0')
                            + "img_1.jpg" + std::string(200, 'p')
                            + std::string("PK\x03\x04", 4)
                            + std::string(26, '\0') + "img_1.jpg.proof.json";
    for (std::size_t piece : {1, 5, 11, 4096}) {
      CAPTURE(piece);
      CHECK(scan_in_pieces(zip, piece).proofmode);
    }
    const auto notes = provenance_notes(scan_in_pieces(zip, 4096));
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("ProofMode") != std::string::npos);
  }
}
