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

void
ProvenanceScan::feed(ByteView piece)
{
  if (piece.empty()) {
    return;
  }
  std::string window = m_tail;
  window.append(reinterpret_cast<const char*>(piece.data()), piece.size());
  // While fewer than 4 bytes came before, the window starts at the file's
  // start (the tail keeps more than that).
  if (m_offset < 4 && window.size() >= 4
      && window.compare(0, 4, std::string_view("PK\x03\x04", 4)) == 0) {
    m_zip = true;
  }
  // Matches that end in the new bytes only: one that lay wholly in the tail
  // was counted with the previous piece.
  const std::size_t fresh = m_tail.size();
  const char* begin = window.data();
  const char* end = begin + window.size();
  for (const char* at = begin; at < end;) {
    const void* hit = ::memmem(at,
                               static_cast<std::size_t>(end - at),
                               k_jumd.data(),
                               k_jumd.size());
    if (hit == nullptr) {
      break;
    }
    const auto* found = static_cast<const char*>(hit);
    const std::size_t position = static_cast<std::size_t>(found - begin);
    if (position + k_longest <= window.size()
        && position + k_longest > fresh) {
      const std::string_view type(found + 4, 4);
      const std::string_view rest(found + 8, 12);
      if (rest == k_uuid_tail) {
        if (type == "c2pa") {
          ++m_found.c2pa_stores;
        } else if (type == "c2ma") {
          ++m_found.c2pa_manifests;
        }
      }
    }
    at = found + 1;
  }
  if (m_zip && !m_found.proofmode) {
    const auto hit = window.find(k_proof);
    m_found.proofmode = hit != std::string::npos;
  }
  const std::size_t keep = std::max(k_longest, k_proof.size()) - 1;
  m_tail = window.size() > keep ? window.substr(window.size() - keep) : window;
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
    notes.push_back(
      "the original is a ProofMode bundle (a zip holding a .proof.json), "
      "kept byte for byte; custody did not check its signatures");
  }
  return notes;
}

} // namespace custody::bundle
