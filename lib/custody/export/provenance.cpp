// Third-party provenance (provenance.hpp).
#include <custody/export/provenance.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace custody::bundle {

namespace {

// A JUMBF description box ("jumd") starts with the content type's UUID: C2PA
// gives the manifest store 63327061-0011-0010-8000-00AA00389B71 ("c2pa") and
// each manifest 63326D61-... ("c2ma") (C2PA 1.x, section "JUMBF").
constexpr std::string_view k_jumd = "jumd";
constexpr std::string_view k_uuid_tail =
  std::string_view("\x00\x11\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71", 12);
constexpr std::string_view k_proof = ".proof.json";
constexpr std::size_t k_longest = 4 + 16; // "jumd" and the UUID

} // namespace

namespace {

// Counts the JUMBF description boxes of the C2PA types that start in
// [from, to) of `bytes` and lie wholly in it. The last byte of the UUIDs
// (0x71) is found with memchr, which skips most of a photo or a video at
// vector speed, and the 19 bytes before it compared.
void
count_boxes(std::string_view bytes,
            std::size_t from,
            std::size_t to,
            ProvenanceScan::Found& found)
{
  const char* const begin = bytes.data();
  const char* const end = begin + bytes.size();
  const char* at = begin + std::min(from + k_longest - 1, bytes.size());
  while (at < end) {
    const void* hit = std::memchr(at, 0x71, static_cast<std::size_t>(end - at));
    if (hit == nullptr) {
      return;
    }
    const auto* last = static_cast<const char*>(hit);
    const auto start = static_cast<std::size_t>(last - begin) + 1 - k_longest;
    if (start >= to) {
      return;
    }
    const std::string_view box = bytes.substr(start, k_longest);
    if (box.substr(0, 4) == k_jumd && box.substr(8) == k_uuid_tail) {
      const std::string_view type = box.substr(4, 4);
      if (type == "c2pa") {
        ++found.c2pa_stores;
      } else if (type == "c2ma") {
        ++found.c2pa_manifests;
      }
    }
    at = last + 1;
  }
}

} // namespace

void
ProvenanceScan::feed(ByteView piece)
{
  if (piece.empty()) {
    return;
  }
  const std::string_view bytes(reinterpret_cast<const char*>(piece.data()),
                               piece.size());
  // While fewer than 4 bytes came before, the tail is the file's start.
  if (m_offset < 4) {
    const std::string start = m_tail + std::string(bytes.substr(0, 4));
    m_zip = m_zip
            || (start.size() >= 4
                && start.compare(0, 4, std::string_view("PK\x03\x04", 4)) == 0);
  }
  // Boxes that start in the previous piece's tail, across the boundary;
  // then those that start in this piece (one that does not end in it starts
  // in the next tail).
  const std::string boundary =
    m_tail + std::string(bytes.substr(0, k_longest - 1));
  count_boxes(boundary, 0, m_tail.size(), m_found);
  count_boxes(bytes, 0, bytes.size(), m_found);
  if (m_zip && !m_found.proofmode) {
    const std::string window = m_tail + std::string(bytes);
    m_found.proofmode = window.find(k_proof) != std::string::npos;
  }
  const std::size_t keep = std::max(k_longest, k_proof.size()) - 1;
  const std::string joined =
    m_tail
    + std::string(bytes.substr(bytes.size() > keep ? bytes.size() - keep : 0));
  m_tail = joined.size() > keep ? joined.substr(joined.size() - keep) : joined;
  m_offset += piece.size();
}

std::vector<std::string>
provenance_notes(const ProvenanceScan::Found& found)
{
  std::vector<std::string> notes;
  if (found.c2pa_stores > 0) {
    notes.push_back(fmt::format(
      "the original carries a C2PA manifest store ({} manifest{}), kept byte "
      "for byte; custody found it but did not validate its signatures (it "
      "holds no C2PA trust list) and added no claim of its own",
      found.c2pa_manifests,
      found.c2pa_manifests == 1 ? "" : "s"));
  }
  if (found.proofmode) {
    notes.emplace_back(
      "the original is a ProofMode bundle (a zip holding a .proof.json), "
      "kept byte for byte; custody did not check its signatures");
  }
  return notes;
}

} // namespace custody::bundle
