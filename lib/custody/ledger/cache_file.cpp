// Sealing and opening the MAC'd, encrypted derived files.
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/cache_file.hpp>

namespace custody::cache_file {

namespace {

// The member's own secret: no one else, of her role or another, can make a
// file that passes this MAC.
SecretBytes
mac_key(const Kind& kind, const age::X25519Identity& owner)
{
  return hkdf_sha256(owner.secret_key(), {}, kind.mac_info, 32);
}

Error
rejected(std::string_view why)
{
  return Error{Errc::corrupt, std::string(why), {}};
}

// json::value() throws when a field has another type. A header's MAC says its
// owner wrote it, not that it is well formed: a field of the wrong type is
// malformed (nullopt), one that is absent takes `fallback`.
std::optional<std::uint64_t>
count_field(const json::Json& header,
            const char* name,
            std::optional<std::uint64_t> fallback)
{
  const auto it = header.find(name);
  if (it == header.end()) {
    return fallback;
  }
  if (it->is_number_unsigned()) {
    return it->get<std::uint64_t>();
  }
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(it->get<std::int64_t>());
  }
  return std::nullopt;
}

} // namespace

Result<Bytes>
seal(const Kind& kind,
     json::Json header,
     ByteView body,
     const age::X25519Identity& owner)
{
  header["body_size"] = body.size();
  header["body_sha256"] = to_hex(sha256(body));
  const SecretBytes mac_secret = mac_key(kind, owner);
  header["mac"] =
    to_hex(hmac_sha256(mac_secret.view(), as_bytes(json::canonical(header))));
  const std::string head = json::canonical(header);
  std::size_t size = kind.magic.size() + head.size() + 1 + body.size();
  if (kind.padding > 0) {
    size = (size / kind.padding + 1) * kind.padding;
  }
  Bytes plain;
  plain.reserve(size);
  plain.insert(plain.end(), kind.magic.begin(), kind.magic.end());
  plain.insert(plain.end(), head.begin(), head.end());
  plain.push_back('\n');
  plain.insert(plain.end(), body.begin(), body.end());
  plain.resize(size, 0);
  return age::encrypt(
    plain,
    std::span<const age::X25519Recipient>(&owner.recipient(), 1),
    age::Armor::no);
}

Result<Opened>
open(const Kind& kind, ByteView file, const age::X25519Identity& owner)
{
  auto plain =
    age::decrypt(file, std::span<const age::X25519Identity>(&owner, 1));
  if (!plain) {
    return tl::unexpected(rejected("does not open with your identity"));
  }
  Opened opened;
  opened.plaintext = std::move(*plain);
  const std::string_view text = opened.plaintext.text();
  const auto header_end = text.find('\n', kind.magic.size());
  if (!text.starts_with(kind.magic) || header_end == std::string_view::npos) {
    return tl::unexpected(rejected("is malformed"));
  }
  auto header = json::parse_canonical(
    text.substr(kind.magic.size(), header_end - kind.magic.size()));
  if (!header || !header->is_object() || !header->contains("mac")
      || !(*header)["mac"].is_string()) {
    return tl::unexpected(rejected("is malformed"));
  }
  auto stored_mac = from_hex((*header)["mac"].get<std::string>());
  opened.header = std::move(*header);
  opened.header.erase("mac");
  const SecretBytes mac_secret = mac_key(kind, owner);
  const Digest mac =
    hmac_sha256(mac_secret.view(), as_bytes(json::canonical(opened.header)));
  if (!stored_mac || !equal_constant_time(*stored_mac, mac)) {
    return tl::unexpected(rejected("failed its MAC (forged or damaged)"));
  }
  const auto body_size = count_field(opened.header, "body_size", 0);
  if (!body_size) {
    return tl::unexpected(rejected("is malformed"));
  }
  const ByteView rest = as_bytes(text.substr(header_end + 1));
  if (*body_size > rest.size()) {
    return tl::unexpected(rejected("is truncated"));
  }
  opened.body = rest.subspan(0, *body_size);
  if (to_hex(sha256(opened.body))
      != string_field(opened.header, "body_sha256")) {
    return tl::unexpected(rejected("does not match its digest"));
  }
  return opened;
}

json::Json
position_json(const ledger::Resume& position)
{
  return {{"position", position.count},
          {"hash", to_hex(position.last_hash)},
          {"segment", position.last.segment},
          {"offset", position.last.offset}};
}

std::optional<ledger::Resume>
position_of(const json::Json& header)
{
  if (!header.is_object()) {
    return std::nullopt;
  }
  auto hash = digest_from_hex(string_field(header, "hash"));
  const auto count = count_field(header, "position", std::nullopt);
  const auto segment = count_field(header, "segment", 0);
  const auto offset = count_field(header, "offset", 0);
  if (!hash || !count || !segment || !offset) {
    return std::nullopt;
  }
  ledger::Resume position;
  position.count = *count;
  position.last_hash = *hash;
  position.last.segment = *segment;
  position.last.offset = *offset;
  return position;
}

std::string
string_field(const json::Json& header, const char* name)
{
  if (!header.is_object()) {
    return {};
  }
  const auto it = header.find(name);
  if (it == header.end() || !it->is_string()) {
    return {};
  }
  return it->get<std::string>();
}

} // namespace custody::cache_file
