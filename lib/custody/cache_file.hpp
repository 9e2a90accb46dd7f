// Derived files that only members may write: the index shards and the state
// cache (docs/formats.md section 10). Each is an age file encrypted to a
// compartment's current key, whose plaintext is a magic line, a header of
// canonical JSON with a MAC, and a body. Anyone can encrypt to a public key;
// the MAC, keyed from the compartment secret, is what shows a member made it.
#pragma once

#include <custody/age.hpp>
#include <custody/canonical_json.hpp>
#include <custody/ledger.hpp>
#include <custody/secret.hpp>

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
// to `recipient`. `key` is the compartment secret the MAC key derives from.
[[nodiscard]] Result<Bytes> seal(const Kind& kind,
                                 json::Json header,
                                 ByteView body,
                                 const age::X25519Identity& key,
                                 const age::X25519Recipient& recipient);

struct Opened
{
  json::Json header; // without "mac"
  SecretBytes plaintext;
  ByteView body; // inside `plaintext`
};

// Decrypts and checks a file made by seal(): it opens with `key`, has the
// magic, a canonical header whose MAC verifies, and a body of the size and
// SHA-256 the header gives. Errc::corrupt otherwise, the message saying why
// (for a note: "failed its MAC (forged or damaged)"). The caller checks what
// the header claims (vault, position...).
[[nodiscard]] Result<Opened>
open(const Kind& kind, ByteView file, const age::X25519Identity& key);

// The ledger position a file reflects, as its header records it:
// {"position", "hash", "segment", "offset"} (the last entry's location).
json::Json position_json(const ledger::Resume& position);
// nullopt when the header does not name a position.
std::optional<ledger::Resume> position_of(const json::Json& header);

} // namespace custody::cache_file
