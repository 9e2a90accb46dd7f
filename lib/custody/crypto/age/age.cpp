// age v1 over libsodium and the HKDF/HMAC of crypto.hpp.
#include <custody/crypto/age/age.hpp>
#include <custody/crypto/bech32.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/crypto/x25519.hpp>

#include <fmt/format.h>
#include <sodium.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <functional>
#include <limits>
#include <optional>
#include <utility>

namespace custody::age {

namespace {

constexpr std::string_view k_version_line = "age-encryption.org/v1";
constexpr std::string_view k_version_prefix = "age-encryption.org/";
constexpr std::string_view k_x25519_info = "age-encryption.org/v1/X25519";
constexpr std::string_view k_scrypt_label = "age-encryption.org/v1/scrypt";
constexpr std::string_view k_armor_begin = "-----BEGIN AGE ENCRYPTED FILE-----";
constexpr std::string_view k_armor_end = "-----END AGE ENCRYPTED FILE-----";
constexpr std::string_view k_identity_hrp = "AGE-SECRET-KEY-";
constexpr std::string_view k_recipient_hrp = "age";

constexpr std::size_t k_key_size = 32;
constexpr std::size_t k_file_key_size = 16;
constexpr std::size_t k_wrapped_key_size = k_file_key_size + k_tag_size;
constexpr std::size_t k_nonce_size = 16;
constexpr std::size_t k_scrypt_salt_size = 16;
// Base64 characters per line of a stanza body and of the armor, and the bytes
// they hold.
constexpr std::size_t k_columns = 64;
constexpr std::size_t k_line_bytes = 48;
constexpr std::size_t k_mac_columns = 43;
// The reference implementation tolerates this much whitespace around an armored
// file.
constexpr std::size_t k_max_armor_whitespace = 1024;
constexpr std::size_t k_reader_buffer_size = 64 * 1024;

// The message prefixes documented in age.hpp; `failure_of` depends on them.
constexpr std::string_view k_header_prefix = "age header: ";
constexpr std::string_view k_mac_prefix = "age header MAC: ";
constexpr std::string_view k_no_match_prefix = "age: ";
constexpr std::string_view k_payload_prefix = "age payload: ";
constexpr std::string_view k_armor_prefix = "age armor: ";

template<typename... Args>
tl::unexpected<Error>
header_failure(fmt::format_string<Args...> format, Args&&... args)
{
  return make_error(
    Errc::corrupt,
    fmt::format("{}{}",
                k_header_prefix,
                fmt::format(format, std::forward<Args>(args)...)));
}

template<typename... Args>
tl::unexpected<Error>
payload_failure(fmt::format_string<Args...> format, Args&&... args)
{
  return make_error(
    Errc::corrupt,
    fmt::format("{}{}",
                k_payload_prefix,
                fmt::format(format, std::forward<Args>(args)...)));
}

template<typename... Args>
tl::unexpected<Error>
armor_failure(fmt::format_string<Args...> format, Args&&... args)
{
  return make_error(
    Errc::corrupt,
    fmt::format("{}{}",
                k_armor_prefix,
                fmt::format(format, std::forward<Args>(args)...)));
}

tl::unexpected<Error>
no_match(std::string_view what, std::string hint = {})
{
  return make_error(
    Errc::auth, fmt::format("{}{}", k_no_match_prefix, what), std::move(hint));
}

bool
starts_with(ByteView bytes, std::string_view prefix)
{
  return bytes.size() >= prefix.size()
         && as_text(bytes.first(prefix.size())) == prefix;
}

bool
is_armor_space(std::uint8_t c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v'
         || c == '\f';
}

void
append(Bytes& out, std::string_view text)
{
  out.insert(out.end(), text.begin(), text.end());
}

void
append(Bytes& out, ByteView bytes)
{
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// --- Buffered reading

// A read buffer over a Source, with the line and exact-length reads the header
// parser needs.
class Reader
{
public:
  explicit Reader(Source& source)
    : m_source(source),
      m_buffer(k_reader_buffer_size)
  {
  }

  // Up to `n` (at most the buffer size) bytes ahead, fewer only at the end of
  // the input.
  [[nodiscard]] Result<ByteView>
  peek(std::size_t n)
  {
    n = std::min(n, m_buffer.size());
    while (m_end - m_begin < n) {
      CUSTODY_ASSIGN(more, fill());
      if (!more) {
        break;
      }
    }
    return ByteView(m_buffer).subspan(m_begin, std::min(n, m_end - m_begin));
  }

  void
  skip(std::size_t n)
  {
    m_begin += std::min(n, m_end - m_begin);
  }

  // Fills `out` completely unless the input ends first; returns the bytes read.
  [[nodiscard]] Result<std::size_t>
  read_full(std::span<std::uint8_t> out)
  {
    std::size_t done = 0;
    while (done < out.size()) {
      if (m_begin == m_end && !m_eof
          && out.size() - done >= m_buffer.size() / 2) {
        // What a large read still needs once the buffer is drained goes
        // straight into `out`, as stdio does: a payload chunk is then copied
        // once, not twice.
        CUSTODY_ASSIGN(n, m_source.read(out.subspan(done)));
        if (n == 0) {
          m_eof = true;
          break;
        }
        done += n;
        continue;
      }
      if (m_begin == m_end) {
        CUSTODY_ASSIGN(more, fill());
        if (!more) {
          break;
        }
      }
      const std::size_t n = std::min(out.size() - done, m_end - m_begin);
      std::memcpy(out.data() + done, m_buffer.data() + m_begin, n);
      m_begin += n;
      done += n;
    }
    return done;
  }

  // Reads into `line` through the next '\n' (kept), stopping early after `max`
  // bytes or at the end of the input; the caller tells these apart by the last
  // byte and the length.
  [[nodiscard]] Result<void>
  read_line(Bytes& line, std::size_t max)
  {
    line.clear();
    while (line.size() < max) {
      if (m_begin == m_end) {
        CUSTODY_ASSIGN(more, fill());
        if (!more) {
          break;
        }
      }
      const auto* start = m_buffer.data() + m_begin;
      const std::size_t available =
        std::min(m_end - m_begin, max - line.size());
      const auto* newline =
        static_cast<const std::uint8_t*>(std::memchr(start, '\n', available));
      const std::size_t n = newline != nullptr
                              ? static_cast<std::size_t>(newline - start) + 1
                              : available;
      line.insert(line.end(), start, start + n);
      m_begin += n;
      if (newline != nullptr) {
        break;
      }
    }
    return {};
  }

private:
  // Reads more input into the buffer; false at the end of the input.
  [[nodiscard]] Result<bool>
  fill()
  {
    if (m_eof) {
      return false;
    }
    if (m_begin > 0) {
      std::memmove(m_buffer.data(), m_buffer.data() + m_begin, m_end - m_begin);
      m_end -= m_begin;
      m_begin = 0;
    }
    if (m_end == m_buffer.size()) {
      return true;
    }
    CUSTODY_ASSIGN(n, m_source.read(std::span(m_buffer).subspan(m_end)));
    if (n == 0) {
      m_eof = true;
      return false;
    }
    m_end += n;
    return true;
  }

  Source& m_source;
  Bytes m_buffer;
  std::size_t m_begin = 0;
  std::size_t m_end = 0;
  bool m_eof = false;
};

// Splits a line into its text and whether it had an end of line ("\n" or
// "\r\n").
std::pair<std::string_view, bool>
strip_eol(const Bytes& line)
{
  std::string_view text = as_text(line);
  if (text.empty() || text.back() != '\n') {
    return {text, false};
  }
  text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') {
    text.remove_suffix(1);
  }
  return {text, true};
}

// --- ASCII armor

// Decodes strict RFC 7468 armor as a Source: the BEGIN line, lines of exactly
// 64 padded base64 characters except a 1..64 character last one, the END line;
// only CRLF/LF line ends and whitespace outside the block are tolerated.
class ArmorSource final : public Source
{
public:
  explicit ArmorSource(Reader& reader)
    : m_reader(reader)
  {
  }

  [[nodiscard]] Result<std::size_t>
  read(std::span<std::uint8_t> out) override
  {
    if (m_error) {
      return tl::unexpected<Error>(*m_error);
    }
    std::size_t done = 0;
    while (done < out.size()) {
      if (m_position < m_length) {
        const std::size_t n =
          std::min(out.size() - done, m_length - m_position);
        std::memcpy(out.data() + done, m_decoded.data() + m_position, n);
        m_position += n;
        done += n;
        continue;
      }
      if (m_state == State::done) {
        break;
      }
      auto step = next_line();
      if (!step) {
        // Deliver what decoded cleanly first; the error comes with the next
        // read.
        if (done > 0) {
          m_error = std::move(step.error());
          break;
        }
        m_error = step.error();
        return tl::unexpected<Error>(std::move(step.error()));
      }
    }
    return done;
  }

private:
  enum class State { begin, body, done };

  [[nodiscard]] Result<void>
  next_line()
  {
    if (m_state == State::begin) {
      CUSTODY_TRY(skip_whitespace("before the BEGIN line"));
      CUSTODY_TRY(m_reader.read_line(m_line, k_armor_begin.size() + 2));
      const auto [text, eol] = strip_eol(m_line);
      if (text != k_armor_begin || !eol) {
        return armor_failure("invalid BEGIN line");
      }
      m_state = State::body;
      return {};
    }

    CUSTODY_TRY(m_reader.read_line(m_line, k_columns + 2));
    const auto [text, eol] = strip_eol(m_line);
    if (text == k_armor_end) {
      // The END line's own line end is optional at the end of the input.
      if (!eol) {
        CUSTODY_ASSIGN(next, m_reader.peek(1));
        if (!next.empty()) {
          return armor_failure("data after the END line");
        }
      }
      CUSTODY_TRY(skip_whitespace("after the END line"));
      CUSTODY_ASSIGN(rest, m_reader.peek(1));
      if (!rest.empty()) {
        return armor_failure("data after the END line");
      }
      m_state = State::done;
      return {};
    }
    if (!eol) {
      if (m_line.size() >= k_columns + 2) {
        return armor_failure("line longer than {} characters", k_columns);
      }
      return armor_failure("missing END line");
    }
    if (m_short_line_seen) {
      return armor_failure("a short line before the last line");
    }
    if (text.empty()) {
      return armor_failure("empty line");
    }
    if (text.size() > k_columns) {
      return armor_failure("line longer than {} characters", k_columns);
    }
    auto decoded = from_base64(text, Padding::yes);
    if (!decoded) {
      return armor_failure("{}", decoded.error().message);
    }
    m_short_line_seen = decoded->size() < k_line_bytes;
    std::copy(decoded->begin(), decoded->end(), m_decoded.begin());
    m_position = 0;
    m_length = decoded->size();
    return {};
  }

  [[nodiscard]] Result<void>
  skip_whitespace(std::string_view where)
  {
    for (std::size_t skipped = 0;; ++skipped) {
      CUSTODY_ASSIGN(next, m_reader.peek(1));
      if (next.empty() || !is_armor_space(next[0])) {
        return {};
      }
      if (skipped == k_max_armor_whitespace) {
        return armor_failure(
          "more than {} bytes of whitespace {}", k_max_armor_whitespace, where);
      }
      m_reader.skip(1);
    }
  }

  Reader& m_reader;
  State m_state = State::begin;
  Bytes m_line;
  std::array<std::uint8_t, k_line_bytes> m_decoded{};
  std::size_t m_position = 0;
  std::size_t m_length = 0;
  bool m_short_line_seen = false;
  std::optional<Error> m_error;
};

// Writes armor incrementally: full 64-column lines as data arrives, the rest at
// `finish`.
class ArmorWriter
{
public:
  static void
  begin(Bytes& out)
  {
    append(out, k_armor_begin);
    out.push_back('\n');
  }

  void
  write(ByteView data, Bytes& out)
  {
    while (!data.empty()) {
      const std::size_t n =
        std::min(data.size(), k_line_bytes - m_carry_length);
      std::copy_n(data.begin(),
                  n,
                  m_carry.begin()
                    + static_cast<std::ptrdiff_t>(m_carry_length));
      m_carry_length += n;
      data = data.subspan(n);
      if (m_carry_length == k_line_bytes) {
        emit_line(out);
      }
    }
  }

  void
  finish(Bytes& out)
  {
    if (m_carry_length > 0) {
      emit_line(out);
    }
    append(out, k_armor_end);
    out.push_back('\n');
  }

private:
  void
  emit_line(Bytes& out)
  {
    const std::size_t at = out.size();
    const std::size_t columns = (m_carry_length + 2) / 3 * 4;
    // sodium_bin2base64 writes a terminating NUL, which becomes the line's
    // '\n'.
    out.resize(at + columns + 1);
    sodium_bin2base64(reinterpret_cast<char*>(out.data() + at),
                      columns + 1,
                      m_carry.data(),
                      m_carry_length,
                      sodium_base64_VARIANT_ORIGINAL);
    out[at + columns] = '\n';
    m_carry_length = 0;
  }

  std::array<std::uint8_t, k_line_bytes> m_carry{};
  std::size_t m_carry_length = 0;
};

// The readers a Decryptor reads through: the caller's Source, then the armor
// decoder if any.
struct Pipeline
{
  std::unique_ptr<Reader> raw;
  std::unique_ptr<ArmorSource> armor;
  std::unique_ptr<Reader> decoded;

  Reader&
  reader() const
  {
    return decoded ? *decoded : *raw;
  }
};

[[nodiscard]] Result<Pipeline>
make_pipeline(Source& source, Input input)
{
  Pipeline pipeline;
  pipeline.raw = std::make_unique<Reader>(source);
  bool armored = input == Input::armored;
  if (input == Input::detect) {
    constexpr std::string_view begin = "-----BEGIN";
    CUSTODY_ASSIGN(head,
                   pipeline.raw->peek(k_max_armor_whitespace + begin.size()));
    std::size_t i = 0;
    while (i < head.size() && is_armor_space(head[i])) {
      ++i;
    }
    armored = starts_with(head.subspan(i), begin);
  }
  if (armored) {
    pipeline.armor = std::make_unique<ArmorSource>(*pipeline.raw);
    pipeline.decoded = std::make_unique<Reader>(*pipeline.armor);
  }
  return pipeline;
}

// --- Header

struct ParsedHeader
{
  Header header;
  // The header bytes as read, from the version line through "---": what the MAC
  // covers.
  Bytes mac_input;
  std::size_t size = 0;
};

bool
is_valid_arg(std::string_view arg)
{
  return !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
    return c >= 0x21 && c <= 0x7e;
  });
}

[[nodiscard]] Result<ParsedHeader>
read_header(Reader& reader)
{
  ParsedHeader parsed;
  Bytes raw;
  Bytes line;
  // Every header line ends with LF; returns the line without it.
  const auto next_line = [&](std::size_t max) -> Result<std::string_view> {
    const std::size_t budget = k_max_header_size - raw.size();
    CUSTODY_TRY(reader.read_line(line, std::min(max, budget)));
    append(raw, line);
    if (line.empty() || line.back() != '\n') {
      if (line.size() == budget) {
        return header_failure("header larger than {} bytes", k_max_header_size);
      }
      if (raw.empty()) {
        return header_failure("empty file");
      }
      if (line.size() == max) {
        return header_failure("line too long");
      }
      return header_failure("unexpected end of header");
    }
    const std::string_view text = as_text(line).substr(0, line.size() - 1);
    if (!text.empty() && text.back() == '\r') {
      return header_failure("line ends with CRLF; age headers use LF only");
    }
    return text;
  };

  {
    CUSTODY_ASSIGN(version, next_line(k_version_line.size() + 16));
    if (version != k_version_line) {
      if (version.substr(0, k_version_prefix.size()) == k_version_prefix) {
        return header_failure("unsupported version");
      }
      return header_failure("not an age file");
    }
  }

  for (;;) {
    CUSTODY_ASSIGN(text, next_line(k_max_header_size));
    if (text == "->") {
      return header_failure("stanza {} has no arguments",
                            parsed.header.stanzas.size() + 1);
    }
    if (text.substr(0, 3) == "-> ") {
      Stanza stanza;
      std::string_view rest = text.substr(3);
      for (;;) {
        const auto space = rest.find(' ');
        const std::string_view arg = rest.substr(0, space);
        if (!is_valid_arg(arg)) {
          return header_failure("stanza {} has an empty or invalid argument",
                                parsed.header.stanzas.size() + 1);
        }
        stanza.args.emplace_back(arg);
        if (space == std::string_view::npos) {
          break;
        }
        rest = rest.substr(space + 1);
      }
      // The body: full 64-column lines, ended by the first shorter (possibly
      // empty) line.
      for (;;) {
        CUSTODY_ASSIGN(body_line, next_line(k_columns + 1));
        if (body_line.substr(0, 3) == "-> "
            || body_line.substr(0, 3) == "---") {
          return header_failure("stanza {} body does not end with a short line",
                                parsed.header.stanzas.size() + 1);
        }
        auto decoded = from_base64(body_line, Padding::no);
        if (!decoded) {
          return header_failure("stanza {} body: {}",
                                parsed.header.stanzas.size() + 1,
                                decoded.error().message);
        }
        append(stanza.body, *decoded);
        if (body_line.size() < k_columns) {
          break;
        }
      }
      parsed.header.stanzas.push_back(std::move(stanza));
      continue;
    }
    if (text.substr(0, 3) == "---") {
      if (parsed.header.stanzas.empty()) {
        return header_failure("no recipient stanzas");
      }
      if (text.size() != 4 + k_mac_columns || text[3] != ' ') {
        return header_failure("malformed MAC line");
      }
      auto mac = from_base64(text.substr(4), Padding::no);
      if (!mac || mac->size() != parsed.header.mac.size()) {
        return header_failure("malformed MAC line");
      }
      std::copy(mac->begin(), mac->end(), parsed.header.mac.begin());
      // The MAC covers the header through the dashes, not the space, MAC or
      // line end.
      parsed.size = raw.size();
      raw.resize(raw.size() - line.size() + 3);
      parsed.mac_input = std::move(raw);
      return parsed;
    }
    return header_failure("unexpected line");
  }
}

void
serialize_through_dashes(const Header& header, Bytes& out)
{
  append(out, k_version_line);
  out.push_back('\n');
  for (const auto& stanza : header.stanzas) {
    append(out, "->");
    for (const auto& arg : stanza.args) {
      out.push_back(' ');
      append(out, arg);
    }
    out.push_back('\n');
    const std::string body = to_base64(stanza.body, Padding::no);
    for (std::size_t at = 0; at < body.size(); at += k_columns) {
      append(out, std::string_view(body).substr(at, k_columns));
      out.push_back('\n');
    }
    // A body that fills its last line needs an empty line to end it.
    if (body.size() % k_columns == 0) {
      out.push_back('\n');
    }
  }
  append(out, "---");
}

[[nodiscard]] Result<int>
parse_work_factor(std::string_view text)
{
  // ^[1-9][0-9]*$, and small: no sign, leading zero, hex or overflow.
  if (text.empty() || text[0] < '1' || text[0] > '9'
      || !std::all_of(text.begin(), text.end(), [](char c) {
           return c >= '0' && c <= '9';
         })) {
    return header_failure("invalid scrypt work factor");
  }
  if (text.size() > 2 || std::stoi(std::string(text)) > k_max_work_factor) {
    return header_failure("scrypt work factor over {}", k_max_work_factor);
  }
  return std::stoi(std::string(text));
}

[[nodiscard]] Result<Bytes>
decode_fixed(std::string_view text, std::size_t size, std::string_view what)
{
  auto decoded = from_base64(text, Padding::no);
  if (!decoded || decoded->size() != size) {
    return header_failure("{} is not {} bytes of canonical base64", what, size);
  }
  return std::move(*decoded);
}

// Checks the stanzas of the recipient types this module knows, whatever the
// caller decrypts with, so that a malformed file is rejected the same way for
// every identity.
[[nodiscard]] Result<void>
check_stanzas(const Header& header)
{
  for (const auto& stanza : header.stanzas) {
    const std::string& type = stanza.args[0];
    if (type == "X25519") {
      if (stanza.args.size() != 2) {
        return header_failure("X25519 stanza needs exactly one argument");
      }
      CUSTODY_TRY(decode_fixed(stanza.args[1], k_key_size, "X25519 share"));
      if (stanza.body.size() != k_wrapped_key_size) {
        return header_failure("X25519 stanza body is not {} bytes",
                              k_wrapped_key_size);
      }
    } else if (type == "scrypt") {
      if (header.stanzas.size() != 1) {
        return header_failure("an scrypt stanza must be the only stanza");
      }
      if (stanza.args.size() != 3) {
        return header_failure("scrypt stanza needs exactly two arguments");
      }
      CUSTODY_TRY(
        decode_fixed(stanza.args[1], k_scrypt_salt_size, "scrypt salt"));
      CUSTODY_TRY(parse_work_factor(stanza.args[2]));
      if (stanza.body.size() != k_wrapped_key_size) {
        return header_failure("scrypt stanza body is not {} bytes",
                              k_wrapped_key_size);
      }
    }
  }
  return {};
}

// --- Key wrapping

constexpr std::array<std::uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES>
  k_zero_nonce{};

Bytes
seal_file_key(const SecretBytes& wrap_key, const SecretBytes& file_key)
{
  Bytes body(k_wrapped_key_size);
  unsigned long long length = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(body.data(),
                                            &length,
                                            file_key.data(),
                                            file_key.size(),
                                            nullptr,
                                            0,
                                            nullptr,
                                            k_zero_nonce.data(),
                                            wrap_key.data());
  return body;
}

// The file key, or nothing when the tag does not verify (the stanza is not for
// this key).
std::optional<SecretBytes>
open_file_key(const SecretBytes& wrap_key, ByteView body)
{
  SecretBytes file_key(k_file_key_size);
  unsigned long long length = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key.data(),
                                                &length,
                                                nullptr,
                                                body.data(),
                                                body.size(),
                                                nullptr,
                                                0,
                                                k_zero_nonce.data(),
                                                wrap_key.data())
      != 0) {
    return std::nullopt;
  }
  return file_key;
}

SecretBytes
x25519_wrap_key(const SecretBytes& shared, ByteView share, ByteView recipient)
{
  Bytes salt(share.begin(), share.end());
  append(salt, recipient);
  return hkdf_sha256(shared.view(), salt, k_x25519_info, k_key_size);
}

[[nodiscard]] Result<Stanza>
wrap_x25519(const SecretBytes& file_key, const X25519Recipient& recipient)
{
  thread_local x25519::EphemeralKeys ephemeral_keys;
  const auto ephemeral = ephemeral_keys.take();
  SecretBytes shared(k_key_size);
  if (crypto_scalarmult(
        shared.data(), ephemeral.scalar.data(), recipient.public_key().data())
        != 0
      || sodium_is_zero(shared.data(), shared.size()) != 0) {
    return fail(Errc::invalid_input, "age recipient is a low-order point");
  }
  const auto wrap_key =
    x25519_wrap_key(shared, ephemeral.share, recipient.public_key());
  return Stanza{{"X25519", to_base64(ephemeral.share, Padding::no)},
                seal_file_key(wrap_key, file_key)};
}

[[nodiscard]] Result<std::optional<SecretBytes>>
unwrap_x25519(const Stanza& stanza, const X25519Identity& identity)
{
  CUSTODY_ASSIGN(share,
                 decode_fixed(stanza.args[1], k_key_size, "X25519 share"));
  SecretBytes shared(k_key_size);
  // libsodium refuses an all-zero result; check too, as the spec requires.
  if (crypto_scalarmult(
        shared.data(), identity.secret_key().data(), share.data())
        != 0
      || sodium_is_zero(shared.data(), shared.size()) != 0) {
    return header_failure("X25519 share is a low-order point");
  }
  const auto wrap_key =
    x25519_wrap_key(shared, share, identity.recipient().public_key());
  return open_file_key(wrap_key, stanza.body);
}

[[nodiscard]] Result<SecretBytes>
scrypt_wrap_key(ByteView passphrase, ByteView salt, int work_factor)
{
  Bytes label_salt(k_scrypt_label.begin(), k_scrypt_label.end());
  append(label_salt, salt);
  SecretBytes key(k_key_size);
  // The API wants a non-null pointer even for an empty passphrase.
  static const std::uint8_t empty = 0;
  if (crypto_pwhash_scryptsalsa208sha256_ll(
        passphrase.empty() ? &empty : passphrase.data(),
        passphrase.size(),
        label_salt.data(),
        label_salt.size(),
        std::uint64_t{1} << work_factor,
        8,
        1,
        key.data(),
        key.size())
      != 0) {
    return fail(Errc::internal,
                "scrypt with work factor {} failed (out of memory?)",
                work_factor);
  }
  return key;
}

[[nodiscard]] Result<SecretBytes>
unwrap_identities(const Header& header,
                  std::span<const X25519Identity> identities)
{
  bool has_scrypt = false;
  for (const auto& identity : identities) {
    for (const auto& stanza : header.stanzas) {
      if (stanza.args[0] == "X25519") {
        CUSTODY_ASSIGN(file_key, unwrap_x25519(stanza, identity));
        if (file_key) {
          return std::move(*file_key);
        }
      }
    }
  }
  for (const auto& stanza : header.stanzas) {
    has_scrypt = has_scrypt || stanza.args[0] == "scrypt";
  }
  return no_match("no identity matches the file's recipients",
                  has_scrypt ? "the file is encrypted with a passphrase" : "");
}

[[nodiscard]] Result<SecretBytes>
unwrap_passphrase(const Header& header, ByteView passphrase)
{
  // check_stanzas guarantees that an scrypt stanza is alone and well formed.
  const Stanza& stanza = header.stanzas.front();
  if (stanza.args[0] != "scrypt") {
    return no_match("the file is not encrypted with a passphrase",
                    "decrypt it with an identity instead");
  }
  CUSTODY_ASSIGN(
    salt, decode_fixed(stanza.args[1], k_scrypt_salt_size, "scrypt salt"));
  CUSTODY_ASSIGN(work_factor, parse_work_factor(stanza.args[2]));
  CUSTODY_ASSIGN(wrap_key, scrypt_wrap_key(passphrase, salt, work_factor));
  auto file_key = open_file_key(wrap_key, stanza.body);
  if (!file_key) {
    return no_match("wrong passphrase");
  }
  return std::move(*file_key);
}

SecretBytes
hmac_key(const SecretBytes& file_key)
{
  return hkdf_sha256(file_key.view(), {}, "header", k_key_size);
}

SecretBytes
payload_key(const SecretBytes& file_key, ByteView nonce)
{
  return hkdf_sha256(file_key.view(), nonce, "payload", k_key_size);
}

// --- STREAM

using ChunkNonce =
  std::array<std::uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES>;

// An 11-byte big-endian chunk counter, then 0x01 for the final chunk or 0x00.
ChunkNonce
chunk_nonce(std::uint64_t counter, bool last)
{
  ChunkNonce nonce{};
  for (std::size_t i = 0; i < sizeof counter; ++i) {
    nonce[10 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
  }
  nonce[11] = last ? 1 : 0;
  return nonce;
}

// Encrypts chunks in order, enforcing the chunk-size rules of
// Encryptor::encrypt_chunk.
class PayloadSealer
{
public:
  explicit PayloadSealer(SecretBytes key)
    : m_key(std::move(key))
  {
  }

  [[nodiscard]] Result<void>
  seal(ByteView plaintext, Last last, Bytes& out)
  {
    const std::size_t at = out.size();
    out.resize(at + plaintext.size() + k_tag_size);
    return seal_into(plaintext, last, std::span(out).subspan(at));
  }

  [[nodiscard]] Result<void>
  seal_into(ByteView plaintext, Last last, std::span<std::uint8_t> out)
  {
    if (out.size() != plaintext.size() + k_tag_size) {
      return fail(Errc::internal, "age: the output is not the chunk's size");
    }
    if (m_finished) {
      return fail(Errc::internal, "age: chunk after the final chunk");
    }
    if (plaintext.size() > k_chunk_size
        || (last == Last::no && plaintext.size() != k_chunk_size)) {
      return fail(Errc::internal,
                  "age: only the final chunk may be shorter than 64 KiB");
    }
    if (last == Last::yes && plaintext.empty() && m_counter != 0) {
      return fail(Errc::internal,
                  "age: an empty final chunk is only valid for an empty file");
    }
    const auto nonce = chunk_nonce(m_counter, last == Last::yes);
    if (!chacha20poly1305_seal(m_key.view(), nonce, plaintext, out)) {
      return fail(Errc::internal, "age: ChaCha20-Poly1305 failed");
    }
    ++m_counter;
    m_finished = last == Last::yes;
    return {};
  }

  bool
  finished() const
  {
    return m_finished;
  }

private:
  SecretBytes m_key;
  std::uint64_t m_counter = 0;
  bool m_finished = false;
};

bool
open_chunk(std::span<std::uint8_t> out,
           ByteView chunk,
           const SecretBytes& key,
           std::uint64_t counter,
           bool last)
{
  const auto nonce = chunk_nonce(counter, last);
  // The tag is checked before anything is returned, and `out` is cleared
  // when it does not verify.
  if (chunk.size() < k_tag_size || out.size() < chunk.size() - k_tag_size) {
    return false;
  }
  return chacha20poly1305_open(
    key.view(), nonce, chunk, out.first(chunk.size() - k_tag_size));
}

struct Opened
{
  Pipeline pipeline;
  SecretBytes payload_key;
};

// Reads the header, checks it, unwraps the file key, checks the MAC, reads the
// nonce: the same order as the reference implementation, so each failure is
// reported as the vectors expect.
[[nodiscard]] Result<Opened>
open_file(Source& source,
          Input input,
          const std::function<Result<SecretBytes>(const Header&)>& unwrap)
{
  CUSTODY_ASSIGN(pipeline, make_pipeline(source, input));
  CUSTODY_ASSIGN(parsed, read_header(pipeline.reader()));
  CUSTODY_TRY(check_stanzas(parsed.header));
  CUSTODY_ASSIGN(file_key, unwrap(parsed.header));
  const Digest mac = hmac_sha256(hmac_key(file_key).view(), parsed.mac_input);
  if (!equal_constant_time(mac, parsed.header.mac)) {
    return make_error(
      Errc::corrupt,
      fmt::format("{}the header was modified or the file key is wrong",
                  k_mac_prefix));
  }
  std::array<std::uint8_t, k_nonce_size> nonce{};
  CUSTODY_ASSIGN(got, pipeline.reader().read_full(nonce));
  if (got != nonce.size()) {
    return header_failure("missing or short payload nonce");
  }
  return Opened{std::move(pipeline), payload_key(file_key, nonce)};
}

std::string
rfc3339_utc(std::chrono::system_clock::time_point time)
{
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  std::array<char, 32> text{};
  const std::size_t n =
    std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return {text.data(), n};
}

} // namespace

// --- Errors

Failure
failure_of(const Error& error)
{
  const auto has = [&](std::string_view prefix) {
    return error.message.starts_with(prefix);
  };
  if (error.code == Errc::corrupt) {
    if (has(k_mac_prefix)) {
      return Failure::header_mac;
    }
    if (has(k_header_prefix)) {
      return Failure::header;
    }
    if (has(k_payload_prefix)) {
      return Failure::payload;
    }
    if (has(k_armor_prefix)) {
      return Failure::armor;
    }
  }
  if (error.code == Errc::auth && has(k_no_match_prefix)) {
    return Failure::no_match;
  }
  return Failure::none;
}

// --- Keys

X25519Recipient::X25519Recipient(const std::array<std::uint8_t, 32>& public_key)
  : m_public_key(public_key)
{
}

X25519Recipient
X25519Recipient::from_public_key(const std::array<std::uint8_t, 32>& public_key)
{
  return X25519Recipient(public_key);
}

[[nodiscard]] Result<X25519Recipient>
X25519Recipient::parse(std::string_view text)
{
  auto decoded = bech32::decode(text);
  if (!decoded) {
    return fail(Errc::invalid_input,
                "invalid age recipient: {}",
                decoded.error().message);
  }
  if (decoded->hrp != k_recipient_hrp) {
    return fail(Errc::invalid_input,
                "invalid age recipient: not a lower-case age1 string");
  }
  if (decoded->data.size() != k_key_size) {
    return fail(Errc::invalid_input,
                "invalid age recipient: not a 32-byte key");
  }
  std::array<std::uint8_t, 32> key{};
  std::copy_n(decoded->data.data(), key.size(), key.begin());
  return X25519Recipient(key);
}

std::string
X25519Recipient::encode() const
{
  // Cannot fail: the hrp is a valid constant.
  return *bech32::encode(k_recipient_hrp, m_public_key, bech32::Case::lower);
}

X25519Identity::X25519Identity(SecretBytes secret, X25519Recipient recipient)
  : m_secret(std::move(secret)),
    m_recipient(recipient)
{
}

namespace {

X25519Recipient
recipient_of(const SecretBytes& secret)
{
  std::array<std::uint8_t, 32> public_key{};
  crypto_scalarmult_base(public_key.data(), secret.data());
  return X25519Recipient::from_public_key(public_key);
}

} // namespace

X25519Identity
X25519Identity::generate()
{
  auto secret = SecretBytes::random(k_key_size);
  auto recipient = recipient_of(secret);
  return {std::move(secret), recipient};
}

[[nodiscard]] Result<X25519Identity>
X25519Identity::parse(std::string_view text)
{
  auto decoded = bech32::decode(text);
  if (!decoded) {
    return fail(
      Errc::invalid_input, "invalid age identity: {}", decoded.error().message);
  }
  if (decoded->hrp != k_identity_hrp) {
    return fail(
      Errc::invalid_input,
      "invalid age identity: not an upper-case AGE-SECRET-KEY-1 string");
  }
  if (decoded->data.size() != k_key_size) {
    return fail(Errc::invalid_input, "invalid age identity: not a 32-byte key");
  }
  auto recipient = recipient_of(decoded->data);
  return X25519Identity(std::move(decoded->data), recipient);
}

SecretBytes
X25519Identity::encode() const
{
  // Cannot fail: the hrp is a valid constant.
  return std::move(*bech32::encode_secret(
    k_identity_hrp, m_secret.view(), bech32::Case::upper));
}

X25519Identity
X25519Identity::clone() const
{
  return {SecretBytes::copy_of(m_secret.view()), m_recipient};
}

SecretBytes
format_identity_file(const X25519Identity& identity,
                     std::chrono::system_clock::time_point created)
{
  const std::string intro = fmt::format("# created: {}\n# public key: {}\n",
                                        rfc3339_utc(created),
                                        identity.recipient().encode());
  const SecretBytes secret = identity.encode();
  SecretBytes out(intro.size() + secret.size() + 1);
  std::copy(intro.begin(), intro.end(), out.data());
  std::copy_n(secret.data(), secret.size(), out.data() + intro.size());
  out.data()[out.size() - 1] = '\n';
  return out;
}

[[nodiscard]] Result<std::vector<X25519Identity>>
parse_identity_file(std::string_view text)
{
  std::vector<X25519Identity> identities;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view()
                                             : text.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty() || line.front() == '#') {
      continue;
    }
    auto identity = X25519Identity::parse(line);
    if (!identity) {
      return fail(Errc::invalid_input,
                  "line {}: {}",
                  line_number,
                  identity.error().message);
    }
    identities.push_back(std::move(*identity));
  }
  if (identities.empty()) {
    return fail(Errc::invalid_input, "no identities found");
  }
  return identities;
}

// --- Sources

[[nodiscard]] Result<std::size_t>
MemorySource::read(std::span<std::uint8_t> out)
{
  const std::size_t n = std::min(out.size(), m_data.size());
  std::copy_n(m_data.begin(), n, out.begin());
  m_data = m_data.subspan(n);
  return n;
}

[[nodiscard]] Result<std::size_t>
FdSource::read(std::span<std::uint8_t> out)
{
  for (;;) {
    const ssize_t n = ::read(m_fd, out.data(), out.size());
    if (n >= 0) {
      return static_cast<std::size_t>(n);
    }
    if (errno != EINTR) {
      return fail(Errc::io, "read failed: {}", std::strerror(errno));
    }
  }
}

// --- Encryptor

namespace {

// The opening of a new file, shared by both kinds of Encryptor.
struct Started
{
  Bytes header;
  SecretBytes payload_key;
  std::optional<ArmorWriter> armor;
};

// Writes the header for `stanzas` (armored if asked) and derives the payload
// key.
Started
start_file(const SecretBytes& file_key,
           std::vector<Stanza> stanzas,
           Armor armor)
{
  Header header{std::move(stanzas), {}};
  Bytes text;
  serialize_through_dashes(header, text);
  header.mac = hmac_sha256(hmac_key(file_key).view(), text);
  text.push_back(' ');
  append(text, to_base64(header.mac, Padding::no));
  text.push_back('\n');
  const Bytes nonce = random_bytes(k_nonce_size);
  append(text, nonce);

  Started started{{}, payload_key(file_key, nonce), std::nullopt};
  if (armor == Armor::yes) {
    started.armor.emplace();
    started.armor->begin(started.header);
    started.armor->write(text, started.header);
  } else {
    started.header = std::move(text);
  }
  return started;
}

} // namespace

struct Encryptor::State
{
  explicit State(Started started)
    : sealer(std::move(started.payload_key)),
      header(std::move(started.header)),
      armor(started.armor)
  {
  }

  PayloadSealer sealer;
  Bytes header;
  std::optional<ArmorWriter> armor;
  Bytes scratch;
};

Encryptor::Encryptor(std::unique_ptr<State> state)
  : m_state(std::move(state))
{
}

Encryptor::Encryptor(Encryptor&&) noexcept = default;
Encryptor& Encryptor::operator=(Encryptor&&) noexcept = default;
Encryptor::~Encryptor() = default;

[[nodiscard]] Result<Encryptor>
Encryptor::create(std::span<const X25519Recipient> recipients, Armor armor)
{
  if (recipients.empty()) {
    return fail(Errc::invalid_input, "no age recipients to encrypt to");
  }
  const auto file_key = SecretBytes::random(k_file_key_size);
  std::vector<Stanza> stanzas;
  for (const auto& recipient : recipients) {
    CUSTODY_ASSIGN(stanza, wrap_x25519(file_key, recipient));
    stanzas.push_back(std::move(stanza));
  }
  return Encryptor(
    std::make_unique<State>(start_file(file_key, std::move(stanzas), armor)));
}

[[nodiscard]] Result<Encryptor>
Encryptor::create_with_passphrase(ByteView passphrase,
                                  int work_factor,
                                  Armor armor)
{
  if (passphrase.empty()) {
    return fail(Errc::invalid_input, "empty passphrase");
  }
  if (work_factor < 1 || work_factor > k_max_work_factor) {
    return fail(Errc::invalid_input,
                "scrypt work factor {} is outside 1..{}",
                work_factor,
                k_max_work_factor);
  }
  const auto file_key = SecretBytes::random(k_file_key_size);
  const Bytes salt = random_bytes(k_scrypt_salt_size);
  CUSTODY_ASSIGN(wrap_key, scrypt_wrap_key(passphrase, salt, work_factor));
  std::vector<Stanza> stanzas;
  stanzas.push_back(Stanza{
    {"scrypt", to_base64(salt, Padding::no), std::to_string(work_factor)},
    seal_file_key(wrap_key, file_key)});
  return Encryptor(
    std::make_unique<State>(start_file(file_key, std::move(stanzas), armor)));
}

const Bytes&
Encryptor::header() const
{
  return m_state->header;
}

[[nodiscard]] Result<void>
Encryptor::encrypt_chunk(ByteView plaintext, Last last, Bytes& out)
{
  if (!m_state->armor) {
    return m_state->sealer.seal(plaintext, last, out);
  }
  m_state->scratch.clear();
  CUSTODY_TRY(m_state->sealer.seal(plaintext, last, m_state->scratch));
  m_state->armor->write(m_state->scratch, out);
  if (last == Last::yes) {
    m_state->armor->finish(out);
  }
  return {};
}

Result<void>
Encryptor::encrypt_into(ByteView plaintext,
                        Last last,
                        std::span<std::uint8_t> out)
{
  if (m_state->armor) {
    return fail(Errc::internal, "age: encrypt_into writes binary files only");
  }
  return m_state->sealer.seal_into(plaintext, last, out);
}

bool
Encryptor::finished() const
{
  return m_state->sealer.finished();
}

// --- Decryptor

struct Decryptor::State
{
  State(Pipeline reader_pipeline, SecretBytes stream_key)
    : pipeline(std::move(reader_pipeline)),
      key(std::move(stream_key)),
      chunk(k_encrypted_chunk_size)
  {
  }

  // After the final chunk: anything more is an error.
  [[nodiscard]] Result<std::size_t>
  finish()
  {
    std::array<std::uint8_t, 1> probe{};
    CUSTODY_ASSIGN(n, pipeline.reader().read_full(probe));
    if (n != 0) {
      return payload_failure("data after the final chunk");
    }
    done = true;
    return std::size_t{0};
  }

  [[nodiscard]] Result<std::size_t>
  next(std::span<std::uint8_t> out)
  {
    if (done) {
      return std::size_t{0};
    }
    if (final_seen) {
      return finish();
    }
    CUSTODY_ASSIGN(n, pipeline.reader().read_full(chunk));
    if (n == 0) {
      return payload_failure("missing final chunk");
    }
    if (n < k_tag_size) {
      return payload_failure("chunk {} is truncated", counter);
    }
    const ByteView sealed = ByteView(chunk).first(n);
    // A short chunk can only be the final one; a full one may be either.
    bool last = n < k_encrypted_chunk_size;
    if (last && n == k_tag_size && counter != 0) {
      return payload_failure("empty final chunk after chunk {}", counter - 1);
    }
    if (n - k_tag_size > out.size()) {
      return fail(Errc::internal,
                  "age decryptor: a {}-byte buffer for a {}-byte chunk",
                  out.size(),
                  n - k_tag_size);
    }
    if (!open_chunk(out, sealed, key, counter, last)) {
      if (last || !open_chunk(out, sealed, key, counter, true)) {
        return payload_failure("chunk {} failed to authenticate", counter);
      }
      last = true;
    }
    if (counter == std::numeric_limits<std::uint64_t>::max()) {
      return payload_failure("too many chunks");
    }
    ++counter;
    final_seen = last;
    const std::size_t length = n - k_tag_size;
    if (length == 0) {
      return finish();
    }
    return length;
  }

  Pipeline pipeline;
  SecretBytes key;
  Bytes chunk;
  std::uint64_t counter = 0;
  bool final_seen = false;
  bool done = false;
  bool failed = false;
};

Decryptor::Decryptor(std::unique_ptr<State> state)
  : m_state(std::move(state))
{
}

Decryptor::Decryptor(Decryptor&&) noexcept = default;
Decryptor& Decryptor::operator=(Decryptor&&) noexcept = default;
Decryptor::~Decryptor() = default;

[[nodiscard]] Result<Decryptor>
Decryptor::open(Source& source,
                std::span<const X25519Identity> identities,
                Input input)
{
  CUSTODY_ASSIGN(opened,
                 open_file(source, input, [identities](const Header& header) {
                   return unwrap_identities(header, identities);
                 }));
  return Decryptor(std::make_unique<State>(std::move(opened.pipeline),
                                           std::move(opened.payload_key)));
}

[[nodiscard]] Result<Decryptor>
Decryptor::open_with_passphrase(Source& source,
                                ByteView passphrase,
                                Input input)
{
  CUSTODY_ASSIGN(opened,
                 open_file(source, input, [passphrase](const Header& header) {
                   return unwrap_passphrase(header, passphrase);
                 }));
  return Decryptor(std::make_unique<State>(std::move(opened.pipeline),
                                           std::move(opened.payload_key)));
}

[[nodiscard]] Result<std::size_t>
Decryptor::read_chunk(std::span<std::uint8_t> out)
{
  if (m_state->failed) {
    return fail(Errc::internal, "age decryptor used after an error");
  }
  auto result = m_state->next(out);
  if (!result) {
    m_state->failed = true;
  }
  return result;
}

// --- Whole buffers

namespace {

[[nodiscard]] Result<Bytes>
encrypt_all(Encryptor encryptor, ByteView plaintext)
{
  Bytes out = encryptor.header();
  const std::size_t chunks = plaintext.size() / k_chunk_size + 1;
  out.reserve(out.size() + plaintext.size() + chunks * k_tag_size);
  std::size_t offset = 0;
  while (!encryptor.finished()) {
    const std::size_t n = std::min(k_chunk_size, plaintext.size() - offset);
    const Last last = offset + n == plaintext.size() ? Last::yes : Last::no;
    CUSTODY_TRY(
      encryptor.encrypt_chunk(plaintext.subspan(offset, n), last, out));
    offset += n;
  }
  return out;
}

// The plaintext is shorter than the file, so `file_size` bytes always suffice:
// a small payload then takes a pooled slot of secure memory, not a region of
// its own (each one costs mmap, mprotect, mlock and a TLB flush on every core).
[[nodiscard]] Result<SecretBytes>
decrypt_all(Decryptor decryptor, std::size_t file_size)
{
  SecretBytes out(file_size);
  std::size_t total = 0;
  for (;;) {
    CUSTODY_ASSIGN(
      n, decryptor.read_chunk({out.data() + total, out.size() - total}));
    if (n == 0) {
      break;
    }
    total += n;
  }
  out.truncate(total);
  return out;
}

} // namespace

[[nodiscard]] Result<Bytes>
encrypt(ByteView plaintext,
        std::span<const X25519Recipient> recipients,
        Armor armor)
{
  CUSTODY_ASSIGN(encryptor, Encryptor::create(recipients, armor));
  return encrypt_all(std::move(encryptor), plaintext);
}

[[nodiscard]] Result<Bytes>
encrypt_with_passphrase(ByteView plaintext,
                        ByteView passphrase,
                        int work_factor,
                        Armor armor)
{
  CUSTODY_ASSIGN(
    encryptor,
    Encryptor::create_with_passphrase(passphrase, work_factor, armor));
  return encrypt_all(std::move(encryptor), plaintext);
}

[[nodiscard]] Result<SecretBytes>
decrypt(ByteView file, std::span<const X25519Identity> identities)
{
  MemorySource source(file);
  CUSTODY_ASSIGN(decryptor, Decryptor::open(source, identities));
  return decrypt_all(std::move(decryptor), file.size());
}

[[nodiscard]] Result<SecretBytes>
decrypt_with_passphrase(ByteView file, ByteView passphrase)
{
  MemorySource source(file);
  CUSTODY_ASSIGN(decryptor,
                 Decryptor::open_with_passphrase(source, passphrase));
  return decrypt_all(std::move(decryptor), file.size());
}

[[nodiscard]] Result<int>
scrypt_work_factor(ByteView file)
{
  MemorySource source(file);
  CUSTODY_ASSIGN(pipeline, make_pipeline(source, Input::detect));
  CUSTODY_ASSIGN(parsed, read_header(pipeline.reader()));
  CUSTODY_TRY(check_stanzas(parsed.header));
  const Stanza& stanza = parsed.header.stanzas.front();
  if (stanza.args[0] != "scrypt") {
    return fail(Errc::invalid_input, "not a passphrase-encrypted age file");
  }
  return parse_work_factor(stanza.args[2]);
}

// --- Header and armor on their own

[[nodiscard]] Result<Header>
parse_header(ByteView file, std::size_t* length)
{
  MemorySource source(file);
  Reader reader(source);
  CUSTODY_ASSIGN(parsed, read_header(reader));
  if (length != nullptr) {
    *length = parsed.size;
  }
  return std::move(parsed.header);
}

Bytes
serialize_header(const Header& header)
{
  Bytes out;
  serialize_through_dashes(header, out);
  out.push_back(' ');
  append(out, to_base64(header.mac, Padding::no));
  out.push_back('\n');
  return out;
}

Bytes
armor_encode(ByteView data)
{
  Bytes out;
  ArmorWriter writer;
  ArmorWriter::begin(out);
  writer.write(data, out);
  writer.finish(out);
  return out;
}

[[nodiscard]] Result<Bytes>
armor_decode(ByteView text)
{
  MemorySource source(text);
  Reader reader(source);
  ArmorSource armor(reader);
  Bytes out;
  std::array<std::uint8_t, 4096> buffer{};
  for (;;) {
    CUSTODY_ASSIGN(n, armor.read(buffer));
    if (n == 0) {
      return out;
    }
    out.insert(out.end(),
               buffer.begin(),
               buffer.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

[[nodiscard]] Result<Bytes>
detail::encrypt_payload(ByteView file_key, ByteView nonce, ByteView plaintext)
{
  if (file_key.size() != k_file_key_size || nonce.size() != k_nonce_size) {
    return fail(Errc::invalid_input,
                "file key must be 16 bytes and nonce 16 bytes");
  }
  PayloadSealer sealer(payload_key(SecretBytes::copy_of(file_key), nonce));
  Bytes out(nonce.begin(), nonce.end());
  std::size_t offset = 0;
  while (!sealer.finished()) {
    const std::size_t n = std::min(k_chunk_size, plaintext.size() - offset);
    const Last last = offset + n == plaintext.size() ? Last::yes : Last::no;
    CUSTODY_TRY(sealer.seal(plaintext.subspan(offset, n), last, out));
    offset += n;
  }
  return out;
}

} // namespace custody::age
