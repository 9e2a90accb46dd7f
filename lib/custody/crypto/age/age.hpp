// The age v1 file format (c2sp.org/age): X25519 and scrypt recipients, STREAM
// payload, ASCII armor.
//
// Errors. Every failure to read a file carries one of these message prefixes,
// which `failure_of` maps back to a `Failure` (the CCTV vectors' `expect`):
//
//   prefix              code            meaning
//   "age header: "      Errc::corrupt   malformed header, stanza or nonce, or
//                                       a low-order X25519 share
//   "age header MAC: "  Errc::corrupt   a file key was unwrapped but the
//                                       header MAC does not match
//   "age: "             Errc::auth      no identity or passphrase opens any
//                                       stanza ("no match")
//   "age payload: "     Errc::corrupt   a STREAM chunk fails or is missing,
//                                       or data follows the final chunk
//   "age armor: "       Errc::corrupt   the ASCII armor is not strict RFC 7468
//
// Malformed files are Errc::corrupt, not invalid_input: an age file in a vault
// that fails these checks was damaged or tampered with. Errors of a caller's
// `Source` pass through unchanged. Messages never contain key material,
// passphrases or plaintext.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/error.hpp>
#include <custody/crypto/secret.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace custody::age {

// Plaintext bytes per STREAM chunk; each encrypted chunk adds a 16-byte tag.
inline constexpr std::size_t k_chunk_size = 64 * 1024;
inline constexpr std::size_t k_tag_size = 16;
inline constexpr std::size_t k_encrypted_chunk_size = k_chunk_size + k_tag_size;
// scrypt work factors (log2 N) this module writes by default and accepts at
// most when reading, as the reference implementation does (2^22 needs 4 GiB of
// memory).
inline constexpr int k_default_work_factor = 18;
inline constexpr int k_max_work_factor = 22;
// A header larger than this is rejected, so a hostile stream cannot make us
// buffer without end.
inline constexpr std::size_t k_max_header_size = 1024 * 1024;

// What went wrong with a file, as distinguished by the CCTV vectors.
enum class Failure {
  none, // not an error of this module (for example an I/O error of the Source)
  header,     // "header failure"
  header_mac, // "HMAC failure"
  no_match,   // "no match"
  payload,    // "payload failure"
  armor,      // "armor failure"
};

// Classifies an error returned by this module, before any caller has added
// context to it.
Failure failure_of(const Error& error);

class X25519Recipient
{
public:
  // Parses `age1…` (lower-case Bech32, HRP "age", 32 bytes). Fails with
  // Errc::invalid_input.
  [[nodiscard]] static Result<X25519Recipient> parse(std::string_view text);
  static X25519Recipient
  from_public_key(const std::array<std::uint8_t, 32>& public_key);

  std::string encode() const;
  const std::array<std::uint8_t, 32>&
  public_key() const
  {
    return m_public_key;
  }
  friend bool operator==(const X25519Recipient&,
                         const X25519Recipient&) = default;

private:
  explicit X25519Recipient(const std::array<std::uint8_t, 32>& public_key);
  std::array<std::uint8_t, 32> m_public_key;
};

// An X25519 secret key; the secret lives in secure memory. Movable, not
// copyable.
class X25519Identity
{
public:
  static X25519Identity generate();
  // Parses `AGE-SECRET-KEY-1…` (upper-case Bech32, HRP "AGE-SECRET-KEY-", 32
  // bytes). `text` should itself live in secure memory. Fails with
  // Errc::invalid_input without quoting it.
  [[nodiscard]] static Result<X25519Identity> parse(std::string_view text);

  // `AGE-SECRET-KEY-1…`, in secure memory.
  SecretBytes encode() const;
  const X25519Recipient&
  recipient() const
  {
    return m_recipient;
  }
  // The raw 32-byte scalar.
  ByteView
  secret_key() const
  {
    return m_secret.view();
  }
  X25519Identity clone() const;

private:
  X25519Identity(SecretBytes secret, X25519Recipient recipient);
  SecretBytes m_secret;
  X25519Recipient m_recipient;
};

// The text `age-keygen` writes, in secure memory:
//
//   # created: <RFC 3339, UTC>
//   # public key: age1…
//   AGE-SECRET-KEY-1…
SecretBytes format_identity_file(const X25519Identity& identity,
                                 std::chrono::system_clock::time_point created);

// Parses an identity file as `age -i` does: lines starting with '#' and empty
// lines are skipped, every other line must be an `AGE-SECRET-KEY-1…` (a final
// CR is allowed). Fails with Errc::invalid_input naming the line number, or
// when there is no identity at all.
[[nodiscard]] Result<std::vector<X25519Identity>>
parse_identity_file(std::string_view text);

enum class Armor { no, yes };
// How `Decryptor` reads its input. `detect` treats it as armored when, after at
// most 1024 bytes of whitespace, it starts with "-----BEGIN"; a binary age file
// always starts with "age-".
enum class Input { detect, binary, armored };
enum class Last { no, yes };

// A byte stream for `Decryptor`.
class Source
{
public:
  Source() = default;
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
  virtual ~Source() = default;
  // Reads up to `out.size()` bytes (at least one, unless at the end) and
  // returns how many; 0 means the end of the input.
  [[nodiscard]] virtual Result<std::size_t>
  read(std::span<std::uint8_t> out) = 0;

protected:
  Source(Source&&) = default;
  Source& operator=(Source&&) = default;
};

// Reads from memory the caller keeps alive.
class MemorySource final : public Source
{
public:
  explicit MemorySource(ByteView data)
    : m_data(data)
  {
  }
  [[nodiscard]] Result<std::size_t> read(std::span<std::uint8_t> out) override;

private:
  ByteView m_data;
};

// Reads from a file descriptor the caller owns. Read errors are Errc::io.
class FdSource final : public Source
{
public:
  explicit FdSource(int fd)
    : m_fd(fd)
  {
  }
  [[nodiscard]] Result<std::size_t> read(std::span<std::uint8_t> out) override;

private:
  int m_fd;
};

// Streaming encryption in constant memory. Create it, write `header()`, then
// pass the plaintext in chunks to `encrypt_chunk` and write what it appends:
//
//   auto enc = Encryptor::create(recipients, Armor::no);  // Result<Encryptor>
//   write(enc->header());
//   for each chunk:
//     out.clear();
//     enc->encrypt_chunk(chunk, is_last ? Last::yes : Last::no, out);
//     write(out);
//
// Every chunk but the last holds exactly `k_chunk_size` bytes; the last holds
// 1..k_chunk_size bytes, or 0 only when it is also the first (an empty file).
// So a plaintext of exactly n * 64 KiB ends with a full chunk marked
// `Last::yes`: the caller needs to know where the input ends (a one-chunk
// look-ahead, or its length).
class Encryptor
{
public:
  // Encrypts to every recipient in `recipients` (at least one).
  [[nodiscard]] static Result<Encryptor>
  create(std::span<const X25519Recipient> recipients, Armor armor);
  // Encrypts to `passphrase` (non-empty) with scrypt work factor `work_factor`
  // (log2 N, 1..22).
  [[nodiscard]] static Result<Encryptor>
  create_with_passphrase(ByteView passphrase, int work_factor, Armor armor);

  Encryptor(Encryptor&&) noexcept;
  Encryptor& operator=(Encryptor&&) noexcept;
  ~Encryptor();

  // The first bytes of the file: header, MAC and payload nonce (armored: the
  // BEGIN line and the full armor lines they fill).
  const Bytes& header() const;
  // Encrypts one chunk and appends the output to `out`. Fails with
  // Errc::internal when the chunk sizes break the rules above or the final
  // chunk was already written.
  [[nodiscard]] Result<void>
  encrypt_chunk(ByteView plaintext, Last last, Bytes& out);
  // As encrypt_chunk, into `out` of exactly plaintext.size() + k_tag_size
  // bytes, for callers that manage their own (aligned) buffers. Binary output
  // only.
  [[nodiscard]] Result<void>
  encrypt_into(ByteView plaintext, Last last, std::span<std::uint8_t> out);
  bool finished() const;

private:
  struct State;
  explicit Encryptor(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

// Streaming decryption in constant memory (one encrypted chunk plus read
// buffers). `open` reads and checks the header and unwraps the file key; then
// `read_chunk` returns the plaintext one chunk at a time. Each chunk is
// authenticated before it is returned, but a stream can still fail later
// (truncation, a bad later chunk, trailing data), so a caller must treat
// everything as provisional until `read_chunk` has returned 0.
class Decryptor
{
public:
  // Opens a file encrypted to X25519 recipients, trying every identity on every
  // X25519 stanza. `source` must outlive the Decryptor.
  [[nodiscard]] static Result<Decryptor>
  open(Source& source,
       std::span<const X25519Identity> identities,
       Input input = Input::detect);
  // Opens a passphrase-encrypted file (a single scrypt stanza with work factor
  // at most 22).
  [[nodiscard]] static Result<Decryptor> open_with_passphrase(
    Source& source, ByteView passphrase, Input input = Input::detect);

  Decryptor(Decryptor&&) noexcept;
  Decryptor& operator=(Decryptor&&) noexcept;
  ~Decryptor();

  // Decrypts the next chunk into `out` and returns its length. `out` must hold
  // the chunk's plaintext: `k_chunk_size` bytes always do, and the rest of a
  // file's size does for a whole file read into one buffer (Errc::internal
  // otherwise). 0 means the end, returned only once the final chunk
  // authenticated and nothing follows it. A full-size chunk at the end of the
  // input is the final chunk (the STREAM rule), which is why this tries it as
  // non-final first and then as final, as the reference implementation does.
  // After an error the Decryptor is unusable.
  [[nodiscard]] Result<std::size_t> read_chunk(std::span<std::uint8_t> out);

private:
  struct State;
  explicit Decryptor(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

// Whole-buffer conveniences over Encryptor and Decryptor.
[[nodiscard]] Result<Bytes> encrypt(ByteView plaintext,
                                    std::span<const X25519Recipient> recipients,
                                    Armor armor);
[[nodiscard]] Result<Bytes> encrypt_with_passphrase(ByteView plaintext,
                                                    ByteView passphrase,
                                                    int work_factor,
                                                    Armor armor);
// Armored input is detected. The plaintext is returned in secure memory: it is
// often a key.
[[nodiscard]] Result<SecretBytes>
decrypt(ByteView file, std::span<const X25519Identity> identities);
[[nodiscard]] Result<SecretBytes> decrypt_with_passphrase(ByteView file,
                                                          ByteView passphrase);

// The work factor (log2 N) of a passphrase-encrypted file, read from its header
// without decrypting, so that callers can warn about weak ones. `file` may be
// just a prefix holding the whole header. Fails with a header failure for a
// malformed header (or one over 22), and with Errc::invalid_input when the file
// is not passphrase-encrypted.
[[nodiscard]] Result<int> scrypt_work_factor(ByteView file);

// The header syntax, for tests and tools: parse gives back what serialize
// writes.
struct Stanza
{
  std::vector<std::string> args; // args[0] is the stanza type
  Bytes body;
};

struct Header
{
  std::vector<Stanza> stanzas;
  Digest mac{};
};

// Parses a binary header through its MAC line (syntax only: no
// recipient-specific checks, no MAC check). `length` receives the number of
// bytes it spans. Fails with a header failure.
[[nodiscard]] Result<Header> parse_header(ByteView file,
                                          std::size_t* length = nullptr);
// "age-encryption.org/v1\n", the stanzas with bodies wrapped at 64 columns,
// "--- <mac>\n".
Bytes serialize_header(const Header& header);

// The ASCII armor on its own, over the same code the Encryptor and Decryptor
// use.
Bytes armor_encode(ByteView data);
[[nodiscard]] Result<Bytes> armor_decode(ByteView text);

namespace detail {
// STREAM-encrypts `plaintext` with a given 16-byte file key and nonce,
// returning nonce and chunks: lets tests re-encrypt a vector's payload and
// compare bytes.
[[nodiscard]] Result<Bytes>
encrypt_payload(ByteView file_key, ByteView nonce, ByteView plaintext);
} // namespace detail

} // namespace custody::age
