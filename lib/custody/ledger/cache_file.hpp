// Derived files each member keeps for herself: her index shards and her state
// cache (docs/formats.md section 10). Each is an age file encrypted to the
// member's own recipient, whose plaintext is a magic line, a header of
// canonical JSON with a MAC, and a body. Anyone can encrypt to a public key;
// the MAC, keyed from the member's own identity secret, is what shows that she
// made it. No other member, of her role or any other, holds that key, so no
// file another member can write changes what she reads (docs/security.md).
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/crypto/age/age.hpp>
#include <custody/crypto/secret.hpp>
#include <custody/ledger/ledger.hpp>

#include <optional>
#include <string_view>

namespace custody::cache_file {

struct Kind
{
  std::string_view magic;    // "custody-...-vN\n"
  std::string_view mac_info; // the HKDF info of the MAC key
  std::size_t padding = 0;   // zero-pad the plaintext to a multiple of this
};

// Adds "body_size", "body_sha256" and "mac" to `header` and encrypts
//   magic || canonical(header) || "\n" || body || zero padding
// to `owner`'s own recipient. The MAC key derives from `owner`'s secret.
[[nodiscard]] Result<Bytes> seal(const Kind& kind,
                                 json::Json header,
                                 ByteView body,
                                 const age::X25519Identity& owner);

struct Opened
{
  json::Json header; // without "mac"
  SecretBytes plaintext;
  ByteView body; // inside `plaintext`
};

// Decrypts and checks a file made by seal(): it opens with `owner`, has the
// magic, a canonical header whose MAC verifies, and a body of the size and
// SHA-256 the header gives. Errc::corrupt otherwise, the message saying why
// (for a note: "failed its MAC (forged or damaged)"). The caller checks what
// the header claims (vault, position...).
[[nodiscard]] Result<Opened>
open(const Kind& kind, ByteView file, const age::X25519Identity& owner);

// The ledger position a file reflects, as its header records it:
// {"position", "hash", "segment", "offset"} (the last entry's location).
json::Json position_json(const ledger::Resume& position);
// nullopt when the header does not name a position, or names it with fields
// of the wrong type.
std::optional<ledger::Resume> position_of(const json::Json& header);

// The header's string field `name`; empty when it is absent or not a string
// (json::value() would throw: a MAC'd header is still checked, not trusted).
std::string string_field(const json::Json& header, const char* name);

} // namespace custody::cache_file
