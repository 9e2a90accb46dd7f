// Third-party provenance an original arrived with (docs/formats.md 14.1): a
// C2PA manifest store embedded in the file (JUMBF, in a JPEG's APP11
// segments, a PNG's caBX chunk, an ISO BMFF uuid box ...), or a ProofMode
// bundle (a zip of the media with its .proof.json and signatures). Found as
// the bytes stream into a court bundle, never changed, and reported as what
// custody checked: that they are there, not that their signatures hold
// (custody holds no C2PA trust list and adds no claim of its own).
#pragma once

#include <custody/base/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace custody::bundle {

class ProvenanceScan
{
public:
  // The next piece of the file, in order.
  void feed(ByteView piece);

  struct Found
  {
    std::size_t c2pa_stores = 0; // JUMBF boxes of the C2PA manifest store type
    std::size_t c2pa_manifests = 0; // of the C2PA manifest type
    bool proofmode = false;         // a zip holding a .proof.json
  };
  const Found&
  found() const
  {
    return m_found;
  }

private:
  std::string m_tail; // the last bytes of the previous piece
  std::uint64_t m_offset = 0;
  bool m_zip = false;
  Found m_found;
};

// What the court's custody log says of it: one sentence for each kind found,
// none when nothing was.
std::vector<std::string> provenance_notes(const ProvenanceScan::Found& found);

} // namespace custody::bundle
