// Sealing and opening the MAC'd, encrypted derived files.
#include <custody/cache_file.hpp>
#include <custody/crypto.hpp>

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
  const std::uint64_t body_size =
    opened.header.value("body_size", std::uint64_t{0});
  const ByteView rest = as_bytes(text.substr(header_end + 1));
  if (body_size > rest.size()) {
    return tl::unexpected(rejected("is truncated"));
  }
  opened.body = rest.subspan(0, body_size);
  if (to_hex(sha256(opened.body)) != opened.header.value("body_sha256", "")) {
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
  auto hash = digest_from_hex(header.value("hash", ""));
  if (!hash || !header.contains("position")) {
    return std::nullopt;
  }
  ledger::Resume position;
  position.count = header.value("position", std::uint64_t{0});
  position.last_hash = *hash;
  position.last.segment = header.value("segment", std::uint64_t{0});
  position.last.offset = header.value("offset", std::uint64_t{0});
  return position;
}

} // namespace custody::cache_file
