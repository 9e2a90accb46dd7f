// A record's ledger entries with their RFC 9162 inclusion proofs against a
// signed checkpoint (docs/formats.md section 12), as data: `custody prove`
// prints it, and a court bundle will carry it.
#pragma once

#include <custody/ledger/checkpoint.hpp>
#include <custody/records/index.hpp>
#include <custody/vault/vault.hpp>

#include <optional>
#include <string>
#include <vector>

namespace custody::verify {

struct EntryProof
{
  std::uint64_t seq = 0;
  std::string type;
  // the entry's ledger line (the leaf), without its LF
  std::string line;
  Digest leaf{};
  std::vector<Digest> path;
};

struct RecordProof
{
  std::string record_id;
  checkpoint::Stored checkpoint;
  // the checkpoint's RFC 3161 response (DER), when it is timestamped
  std::optional<Bytes> timestamp_token;
  std::vector<EntryProof> entries;
  // the record's entries after the checkpoint
  std::vector<std::uint64_t> not_covered;
};

// Proves record `record_id`'s entries (`history`, from the index) against
// checkpoint `size`, or the latest one. Every proof is checked before it is
// handed out. Errc::not_found when the vault has no checkpoint;
// Errc::invalid_input when none of the record's entries is covered;
// Errc::corrupt when the checkpoint does not match the ledger.
[[nodiscard]] Result<RecordProof>
prove_record(const vault::Vault& vault,
             const std::string& record_id,
             const std::vector<index::EntryRow>& history,
             std::optional<std::uint64_t> size);

// The proof document `custody prove` prints and a court bundle carries
// (data/records/<id>/proof.json): one value a line when dumped with indent 2,
// so a clerk's recipe reads it with sed (docs/verifying.md 5).
json::Json proof_document(const RecordProof& proof,
                          const std::string& vault_id,
                          const std::string& public_key);

} // namespace custody::verify
