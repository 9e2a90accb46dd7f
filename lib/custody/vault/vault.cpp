// The vault's trust root and admin state: init, replay with the invariant
// checks, key add, verify.
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/cache_file.hpp>
#include <custody/ledger/store.hpp>
#include <custody/vault/vault.hpp>

#include <fmt/core.h>
#include <fmt/std.h>
#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

namespace custody::vault {

namespace {

constexpr std::string_view k_role_names[] = {
  "legal", "data", "advocacy", "intake"};
constexpr std::string_view k_compartment_names[] = {
  "identity", "narrative", "facts", "aggressor", "admin"};
constexpr std::uint64_t k_max_small_file = 1024 * 1024;
constexpr std::uint64_t k_max_state_file = 64 * 1024 * 1024;

json::Json
default_policy()
{
  json::Json roles = json::Json::object();
  for (Role role : {Role::legal, Role::data, Role::advocacy, Role::intake}) {
    json::Json names = json::Json::array();
    for (Compartment c : compartments_of(role)) {
      names.push_back(std::string(compartment_name(c)));
    }
    roles[std::string(role_name(role))] = names;
  }
  return {{"roles", roles},
          {"record_padding_min", store::k_min_padded_size},
          {"segment_bytes", ledger::k_segment_max_bytes},
          {"small_cell_floor", 5}};
}

fs::Path
key_file_path(const fs::Path& vault,
              std::string_view holder,
              std::uint32_t epoch,
              const std::string& key_id)
{
  return vault / "keys" / std::string(holder) / std::to_string(epoch)
         / (key_id + ".age");
}

std::string
relative_key_path(std::string_view holder,
                  std::uint32_t epoch,
                  const std::string& key_id)
{
  return fmt::format("keys/{}/{}/{}.age", holder, epoch, key_id);
}

json::Json
member_json(const MemberRecord& member)
{
  return {{"key_id", member.key_id},
          {"role", std::string(role_name(member.role))},
          {"age", member.age},
          {"ed25519", member.ed25519},
          {"card_signature", member.card_signature}};
}

MemberRecord
member_from_card(const identity::Card& card, Role role)
{
  return MemberRecord{card.key_id(),
                      role,
                      card.age_recipient,
                      card.ed25519_base64(),
                      card.signature_base64(),
                      0};
}

// Rebuilds a card from a statement's member object and checks its
// self-signature, so a statement can only admit a key whose owner made the
// card.
Result<MemberRecord>
parse_member(const json::Json& value, std::uint64_t seq)
{
  if (!value.is_object()) {
    return fail(Errc::corrupt, "member is not an object");
  }
  auto get = [&](const char* key) -> std::string {
    auto it = value.find(key);
    return it != value.end() && it->is_string() ? it->get<std::string>()
                                                : std::string();
  };
  const std::string line = fmt::format("custody-card-v1 {} {} {}",
                                       get("age"),
                                       get("ed25519"),
                                       get("card_signature"));
  auto card = identity::parse_card(line);
  if (!card) {
    return fail(
      Errc::corrupt, "member {}: {}", get("key_id"), card.error().message);
  }
  if (card->key_id() != get("key_id")) {
    return fail(
      Errc::corrupt, "member {}: key id does not match its key", get("key_id"));
  }
  CUSTODY_ASSIGN(role, parse_role(get("role")));
  MemberRecord member = member_from_card(*card, role);
  member.admitted_seq = seq;
  return member;
}

Result<std::string>
string_field(const json::Json& object, const char* key)
{
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return fail(Errc::corrupt, "field \"{}\" missing or not a string", key);
  }
  return it->get<std::string>();
}

// A member's unlocked keys, loaded from their wrapped key files on first use.
// Anyone with write access can put a file at a key file's path, wrapped to the
// member's public key, so no unwrapped secret is used until it is checked
// against the signed admin state (docs/formats.md 2.4): the file's SHA-256 is
// the one a signed admin entry lists, and the secret is the one whose public
// half the signed state names (the compartment's recipient of that epoch, the
// vault signing key). A file no signed entry lists is ignored, as if absent.
class Keyring
{
public:
  Keyring(fs::Path vault, const identity::Member* member)
    : m_vault(std::move(vault)),
      m_member(member)
  {
  }

  // The signed state keys are checked against. The replay binds the state it
  // builds; an open vault binds the state it loaded.
  void
  bind(const AdminState* state)
  {
    m_state = state;
  }

  // While set (during a replay), a key file the state does not list yet is
  // used if its secret is the signed one: a member's keys are listed by her
  // member_add entry, which comes after the entries she reads with them, and
  // the init entry's statement is read before the recipients it introduces
  // are known. confirm() re-checks every key against the state as it grows.
  void
  allow_pending(bool allow)
  {
    m_allow_pending = allow;
  }

  Result<void>
  confirm()
  {
    for (auto& [key, loaded] : m_compartments) {
      CUSTODY_TRY(check(key.first, key.second, loaded));
    }
    return {};
  }

  // The compartment secret of `epoch`, or Errc::auth when the member holds
  // none (or only a key file no signed entry vouches for).
  Result<const age::X25519Identity*>
  compartment(Compartment c, std::uint32_t epoch)
  {
    const auto key = std::make_pair(c, epoch);
    if (auto it = m_compartments.find(key); it != m_compartments.end()) {
      CUSTODY_TRY(check(c, epoch, it->second));
      return &it->second.identity;
    }
    if (m_member == nullptr) {
      return fail(Errc::auth, "no identity given");
    }
    CUSTODY_ASSIGN(unwrapped, unwrap(compartment_name(c), epoch));
    CUSTODY_ASSIGN(identities,
                   age::parse_identity_file(unwrapped.plain.text()));
    if (identities.size() != 1) {
      return fail(Errc::corrupt,
                  "key file {}: expected one age identity",
                  path(compartment_name(c), epoch));
    }
    Unwrapped loaded{std::move(identities.front()), unwrapped.file_sha256};
    CUSTODY_TRY(check(c, epoch, loaded));
    auto [it, inserted] = m_compartments.emplace(key, std::move(loaded));
    return &it->second.identity;
  }

  Result<const minisign::SecretKey*>
  signing(std::uint32_t epoch)
  {
    if (m_signing && m_signing_epoch == epoch) {
      return &*m_signing;
    }
    if (m_member == nullptr) {
      return fail(Errc::auth, "no identity given");
    }
    CUSTODY_ASSIGN(unwrapped, unwrap("signing", epoch));
    CUSTODY_ASSIGN(key,
                   minisign::SecretKey::from_file_text(unwrapped.plain.text()));
    const std::string expected =
      m_state != nullptr && m_state->signing_epoch == epoch
        ? m_state->signing_public
        : std::string();
    bool trusted = false;
    const bool pending = std::exchange(m_allow_pending, false);
    auto checked = check_key("signing",
                             epoch,
                             unwrapped.file_sha256,
                             key.public_key().to_base64(),
                             expected,
                             trusted);
    m_allow_pending = pending;
    CUSTODY_TRY(std::move(checked));
    m_signing.emplace(std::move(key));
    m_signing_epoch = epoch;
    return &*m_signing;
  }

  void
  add(Compartment c, std::uint32_t epoch, age::X25519Identity identity)
  {
    m_compartments.emplace(std::make_pair(c, epoch),
                           Unwrapped{std::move(identity), {}, true});
  }

private:
  struct Unwrapped
  {
    age::X25519Identity identity;
    std::string file_sha256;
    bool trusted = false; // listed with this hash, and the signed key
  };
  struct Opened
  {
    SecretBytes plain;
    std::string file_sha256;
  };

  std::string
  path(std::string_view holder, std::uint32_t epoch) const
  {
    return relative_key_path(
      holder, epoch, m_member != nullptr ? m_member->key_id() : "?");
  }

  std::optional<std::string>
  listed_hash(const std::string& name) const
  {
    if (m_state == nullptr) {
      return std::nullopt;
    }
    const auto it = m_state->key_files.find(name);
    return it == m_state->key_files.end() ? std::nullopt
                                          : std::optional(it->second);
  }

  std::string
  recipient_of(Compartment c, std::uint32_t epoch) const
  {
    if (m_state == nullptr) {
      return {};
    }
    const auto keys = m_state->compartments.find(c);
    if (keys == m_state->compartments.end()) {
      return {};
    }
    const auto recipient = keys->second.recipients.find(epoch);
    return recipient == keys->second.recipients.end() ? std::string()
                                                      : recipient->second;
  }

  Error
  unlisted(std::string_view holder, std::uint32_t epoch) const
  {
    return Error{
      Errc::auth,
      fmt::format("your {} key of epoch {} is in {}, which no signed admin "
                  "entry lists; it was ignored",
                  holder,
                  epoch,
                  path(holder, epoch)),
      "ask a legal member to find out who wrote it",
      Remedy::run_verify_repair};
  }

  // A listed file must be the listed file, and hold the signed key. An unlisted
  // one is ignored, unless a replay is still to reach the entry listing it and
  // its secret is the signed one.
  Result<void>
  check_key(std::string_view holder,
            std::uint32_t epoch,
            const std::string& file_sha256,
            const std::string& public_key,
            const std::string& signed_public_key,
            bool& trusted) const
  {
    if (trusted) {
      return {};
    }
    const std::string name = path(holder, epoch);
    const auto listed = listed_hash(name);
    if (listed && *listed != file_sha256) {
      return make_error(
        Errc::corrupt,
        fmt::format("key file {} is not the file its signed admin entry "
                    "lists (SHA-256 {}, listed {})",
                    name,
                    file_sha256,
                    *listed),
        "the key file was replaced; restore it from a backup");
    }
    const bool signed_key = !signed_public_key.empty();
    if (signed_key && signed_public_key != public_key) {
      if (!listed) {
        return tl::unexpected(unlisted(holder, epoch));
      }
      return make_error(
        Errc::corrupt,
        fmt::format("key file {} holds a key that is not the {} key of epoch "
                    "{} the signed ledger names",
                    name,
                    holder,
                    epoch),
        "the key file was forged; restore it from a backup");
    }
    if (listed && signed_key) {
      trusted = true;
      return {};
    }
    if (!m_allow_pending) {
      return tl::unexpected(unlisted(holder, epoch));
    }
    return {};
  }

  Result<void>
  check(Compartment c, std::uint32_t epoch, Unwrapped& loaded) const
  {
    return check_key(compartment_name(c),
                     epoch,
                     loaded.file_sha256,
                     loaded.identity.recipient().encode(),
                     recipient_of(c, epoch),
                     loaded.trusted);
  }

  Result<Opened>
  unwrap(std::string_view holder, std::uint32_t epoch)
  {
    const fs::Path file =
      key_file_path(m_vault, holder, epoch, m_member->key_id());
    auto bytes = fs::read_file(file, k_max_small_file);
    if (!bytes) {
      if (bytes.error().code == Errc::not_found) {
        return fail(Errc::auth,
                    "your identity holds no {} key of epoch {}",
                    holder,
                    epoch);
      }
      return tl::unexpected(bytes.error());
    }
    auto plain = age::decrypt(
      *bytes,
      std::span<const age::X25519Identity>(&m_member->age_identity(), 1));
    if (!plain) {
      return fail(plain.error().code == Errc::auth ? Errc::auth : Errc::corrupt,
                  "key file {}: {}",
                  path(holder, epoch),
                  plain.error().message);
    }
    return Opened{std::move(*plain), sha256_hex(*bytes)};
  }

  fs::Path m_vault;
  const identity::Member* m_member;
  const AdminState* m_state = nullptr;
  bool m_allow_pending = false;
  std::map<std::pair<Compartment, std::uint32_t>, Unwrapped> m_compartments;
  std::optional<minisign::SecretKey> m_signing;
  std::uint32_t m_signing_epoch = 0;
};

// An entry waiting for its seal.
struct Unsealed
{
  std::uint64_t seq;
  Digest hash;
  ledger::Kind kind;
  ledger::Location location;
};

// Replays the ledger entry by entry, building the admin state and checking
// invariants 7 and 10-14. Without a member (no identity), only the envelope can
// be checked.
class Replay
{
public:
  Replay(fs::Path vault, Keyring& keys, bool have_member, bool collect_objects)
    : m_vault(std::move(vault)),
      m_keys(keys),
      m_have_member(have_member),
      m_collect_objects(collect_objects)
  {
    m_keys.bind(&m_state);
    m_keys.allow_pending(true);
  }
  // Continues a replay whose state a valid state cache kept (no unsealed
  // entries: a cache is only saved at a sealed tip).
  Replay(fs::Path vault,
         Keyring& keys,
         AdminState state,
         std::map<std::uint64_t, std::string> committed_yaml)
    : m_vault(std::move(vault)),
      m_keys(keys),
      m_have_member(true),
      m_collect_objects(false),
      m_state(std::move(state)),
      m_committed_yaml(std::move(committed_yaml))
  {
    m_keys.bind(&m_state);
    m_keys.allow_pending(true);
  }

  Result<void>
  entry(const ledger::Entry& entry,
        const Digest& hash,
        const ledger::Location& where)
  {
    auto result = check(entry, hash, where);
    if (!result) {
      // A key the member lacks is not damage to the vault: keep Errc::auth.
      Error error = std::move(result.error());
      error.code = error.code == Errc::auth ? Errc::auth : Errc::corrupt;
      return tl::unexpected(
        with_context(std::move(error),
                     fmt::format("{}: entry {} ({})",
                                 ledger::describe(where),
                                 entry.seq,
                                 ledger::kind_name(entry.kind))));
    }
    return {};
  }

  // invariant 11: nothing after the last seal.
  Result<void>
  finish() const
  {
    if (!m_have_member || m_unsealed.empty()) {
      return {};
    }
    return broken(
      11,
      fmt::format("{}: entries {} to {} are not covered by any seal",
                  ledger::describe(m_unsealed.front().location),
                  m_unsealed.front().seq,
                  m_unsealed.back().seq),
      "entries appended without a member's seal were not written by custody");
  }

  // Where the first entry since the last seal starts, if any.
  std::optional<ledger::Location>
  first_unsealed() const
  {
    if (m_unsealed.empty()) {
      return std::nullopt;
    }
    return m_unsealed.front().location;
  }

  // The entries since the last seal, as {seq, hash} for a repair to list.
  json::Json
  unsealed() const
  {
    json::Json list = json::Json::array();
    for (const auto& item : m_unsealed) {
      list.push_back({{"seq", item.seq}, {"hash", to_hex(item.hash)}});
    }
    return list;
  }

  AdminState&
  state()
  {
    return m_state;
  }
  const std::set<Digest>&
  objects() const
  {
    return m_objects;
  }
  // The vault.yaml text each admin entry committed to, by seq.
  const std::map<std::uint64_t, std::string>&
  committed_yaml() const
  {
    return m_committed_yaml;
  }

private:
  Result<void>
  check(const ledger::Entry& entry,
        const Digest& hash,
        const ledger::Location& where)
  {
    if (m_collect_objects) {
      for (const auto& payload : entry.payloads) {
        m_objects.insert(payload.obj);
      }
    }
    if (entry.seq == 0 && entry.kind != ledger::Kind::admin) {
      return fail(Errc::corrupt,
                  "the first entry must be the init admin entry");
    }
    if (!m_have_member) {
      return {};
    }
    switch (entry.kind) {
    case ledger::Kind::admin:
      CUSTODY_TRY(check_admin(entry));
      break;
    case ledger::Kind::seal:
      return check_seal(entry);
    case ledger::Kind::checkpoint:
      // invariant 7: the kind is reserved (docs/formats.md 6.3); checkpoints
      // live in checkpoints/, never in the ledger.
      return broken(7,
                    fmt::format("entry {}: custody writes no checkpoint "
                                "entries; checkpoints live in checkpoints/",
                                entry.seq));
    case ledger::Kind::put:
      CUSTODY_TRY(checking(7, check_put(entry)));
      break;
    default:
      CUSTODY_TRY(checking(7, check_epochs(entry)));
      break;
    }
    m_unsealed.push_back({entry.seq, hash, entry.kind, where});
    return {};
  }

  // invariant 7: every epoch an entry names is known.
  Result<void>
  check_epochs(const ledger::Entry& entry) const
  {
    for (const auto& payload : entry.payloads) {
      bool known = false;
      for (const auto& [c, keys] : m_state.compartments) {
        known = known || keys.recipients.contains(payload.epoch);
      }
      if (!known) {
        return fail(
          Errc::corrupt, "payload names unknown key epoch {}", payload.epoch);
      }
    }
    return {};
  }

  // invariant 7: a put is a record or an attachment, each payload in an epoch
  // its compartment has.
  Result<void>
  check_put(const ledger::Entry& entry) const
  {
    CUSTODY_ASSIGN(shape, put_shape(entry));
    for (std::size_t i = 0; i < entry.payloads.size(); ++i) {
      CUSTODY_TRY(known_epoch(
        put_compartment(shape, i), entry.payloads[i].epoch, entry.seq));
    }
    return {};
  }

  // invariant 7: a payload's epoch is one a signed admin entry introduced
  // (the init entry brings epoch 0). An unknown epoch is damage, not a key
  // this member happens to lack.
  Result<void>
  known_epoch(Compartment compartment,
              std::uint32_t epoch,
              std::uint64_t seq) const
  {
    const auto keys = m_state.compartments.find(compartment);
    const bool known = keys != m_state.compartments.end()
                         ? keys->second.recipients.contains(epoch)
                         : seq == 0 && epoch == 0;
    if (!known) {
      return fail(Errc::corrupt,
                  "a payload names {} key epoch {}, which no signed admin "
                  "entry introduced",
                  compartment_name(compartment),
                  epoch);
    }
    return {};
  }

  Result<store::Opened>
  open_admin_payload(const ledger::PayloadRef& ref, std::uint64_t seq)
  {
    CUSTODY_TRY(known_epoch(Compartment::admin, ref.epoch, seq));
    CUSTODY_ASSIGN(key, m_keys.compartment(Compartment::admin, ref.epoch));
    return store::open_document(m_vault, ref, *key);
  }

  Result<void>
  check_admin(const ledger::Entry& entry)
  {
    // invariant 7: [admin statement, identity private document]
    if (entry.payloads.size() != 2) {
      return fail(Errc::corrupt,
                  "an admin entry has 2 payloads, this one {}",
                  entry.payloads.size());
    }
    CUSTODY_ASSIGN(opened, open_admin_payload(entry.payloads[0], entry.seq));
    const json::Json& document = opened.document;
    if (document.value("type", "") != "admin" || !document.contains("statement")
        || !document["statement"].is_object()) {
      return fail(Errc::corrupt, "payload is not an admin statement");
    }
    const json::Json& statement = document["statement"];
    CUSTODY_ASSIGN(action, string_field(statement, "action"));
    CUSTODY_ASSIGN(signature, string_field(document, "signature"));
    CUSTODY_ASSIGN(vault_id, string_field(statement, "vault"));
    CUSTODY_ASSIGN(prev, string_field(statement, "prev"));
    if (!statement.contains("seq") || statement["seq"] != entry.seq
        || prev != to_hex(entry.prev)) {
      return fail(
        Errc::corrupt,
        "the statement names another position (a replayed statement)");
    }
    if (entry.seq == 0) {
      if (action != "init") {
        return fail(Errc::corrupt, "the first admin statement must be init");
      }
      CUSTODY_TRY(apply_init(statement));
    } else if (vault_id != m_state.vault_id) {
      return fail(Errc::corrupt, "the statement belongs to vault {}", vault_id);
    }
    // invariant 13: signed by the vault key (the init statement by the key it
    // introduces)
    auto public_key = minisign::PublicKey::from_base64(m_state.signing_public);
    if (!public_key) {
      return fail(
        Errc::corrupt, "invalid signing key: {}", public_key.error().message);
    }
    auto verified = minisign::verify(
      *public_key, as_bytes(json::canonical(statement)), signature);
    if (!verified) {
      return make_error(
        Errc::corrupt,
        fmt::format("the admin statement's signature does not verify: {}",
                    verified.error().message),
        "someone without the vault signing key wrote this entry");
    }
    if (action == "member_add") {
      if (!statement.contains("member")) {
        return fail(Errc::corrupt, "member_add without a member");
      }
      CUSTODY_ASSIGN(member, parse_member(statement["member"], entry.seq));
      if (m_state.members.contains(member.key_id)) {
        return fail(
          Errc::corrupt, "member {} is already a member", member.key_id);
      }
      m_state.members[member.key_id] = member;
    } else if (action == "torn_tail") {
      CUSTODY_TRY(account_for_unsealed(statement));
      CUSTODY_ASSIGN(moved_to, string_field(statement, "moved_to"));
      CUSTODY_ASSIGN(torn_sha256, string_field(statement, "sha256"));
      m_state.torn_files[moved_to] = {
        statement.value("length", std::uint64_t{0}), torn_sha256};
    } else if (action != "init") {
      return fail(Errc::corrupt, "unknown admin action \"{}\"", action);
    }
    CUSTODY_TRY(record_keys(statement));
    // The keys this statement was read with, now that it named recipients
    // and listed key files.
    CUSTODY_TRY(m_keys.confirm());
    m_state.admin_seq = entry.seq;
    CUSTODY_ASSIGN(yaml_hash, string_field(statement, "vault_yaml_sha256"));
    const std::string yaml = m_state.vault_yaml();
    if (sha256_hex(as_bytes(yaml)) != yaml_hash) {
      return fail(Errc::corrupt,
                  "the statement's vault_yaml_sha256 does not match its state");
    }
    m_committed_yaml[entry.seq] = yaml;
    // The private document (names) opens only for legal; its commitment is
    // checked when it can be.
    CUSTODY_TRY(
      known_epoch(Compartment::identity, entry.payloads[1].epoch, entry.seq));
    auto key =
      m_keys.compartment(Compartment::identity, entry.payloads[1].epoch);
    if (key) {
      CUSTODY_TRY(store::open_document(m_vault, entry.payloads[1], **key));
    } else if (key.error().code != Errc::auth) {
      return tl::unexpected(key.error());
    }
    return {};
  }

  Result<void>
  apply_init(const json::Json& statement)
  {
    CUSTODY_ASSIGN(vault_id, string_field(statement, "vault"));
    m_state.vault_id = vault_id;
    if (!statement.contains("signing_key")
        || !statement["signing_key"].is_object()) {
      return fail(Errc::corrupt, "init names no signing key");
    }
    CUSTODY_ASSIGN(signing_public,
                   string_field(statement["signing_key"], "public"));
    m_state.signing_public = signing_public;
    m_state.signing_epoch = 0;
    CUSTODY_ASSIGN(pub_sha256, string_field(statement, "custody_pub_sha256"));
    m_state.custody_pub_sha256 = pub_sha256;
    if (!statement.contains("compartments")
        || !statement["compartments"].is_object()) {
      return fail(Errc::corrupt, "init names no compartments");
    }
    for (Compartment c : k_compartments) {
      const std::string name(compartment_name(c));
      if (!statement["compartments"].contains(name)) {
        return fail(Errc::corrupt, "init names no {} compartment", name);
      }
      CUSTODY_ASSIGN(
        recipient, string_field(statement["compartments"][name], "recipient"));
      if (!age::X25519Recipient::parse(recipient)) {
        return fail(Errc::corrupt, "init: invalid {} recipient", name);
      }
      m_state.compartments[c].current = 0;
      m_state.compartments[c].recipients[0] = recipient;
    }
    if (!statement.contains("members") || !statement["members"].is_array()) {
      return fail(Errc::corrupt, "init names no members");
    }
    for (const auto& value : statement["members"]) {
      CUSTODY_ASSIGN(member, parse_member(value, 0));
      m_state.members[member.key_id] = member;
    }
    m_state.policy = statement.value("policy", json::Json::object());
    m_state.places = statement.value("places", json::Json());
    CUSTODY_ASSIGN(policy_hash, string_field(statement, "policy_sha256"));
    if (sha256_hex(as_bytes(json::canonical(m_state.policy))) != policy_hash) {
      return fail(Errc::corrupt,
                  "init: policy_sha256 does not match the policy");
    }
    return {};
  }

  Result<void>
  record_keys(const json::Json& statement)
  {
    if (!statement.contains("keys") || !statement["keys"].is_array()) {
      return fail(Errc::corrupt, "the statement lists no key files");
    }
    for (const auto& item : statement["keys"]) {
      CUSTODY_ASSIGN(path, string_field(item, "path"));
      CUSTODY_ASSIGN(hash, string_field(item, "sha256"));
      if (m_state.key_files.contains(path)) {
        return fail(
          Errc::corrupt,
          "key file {} is listed twice (key files are never rewritten)",
          path);
      }
      m_state.key_files[path] = hash;
    }
    return {};
  }

  // A crash that tore a command's single append can leave complete entries
  // whose seal was in the torn bytes. The signed repair lists them; they are
  // accounted for (with no author) only if the list is exactly the entries left
  // unsealed (invariant 11).
  Result<void>
  account_for_unsealed(const json::Json& statement)
  {
    const json::Json listed = statement.value("unsealed", json::Json::array());
    bool exact = listed.is_array() && listed.size() == m_unsealed.size();
    for (std::size_t i = 0; exact && i < listed.size(); ++i) {
      exact = listed[i].value("seq", UINT64_MAX) == m_unsealed[i].seq
              && listed[i].value("hash", "") == to_hex(m_unsealed[i].hash);
    }
    if (!exact) {
      return make_error(
        Errc::corrupt,
        "the torn-tail repair does not list exactly the entries left unsealed");
    }
    m_unsealed.clear();
    return {};
  }

  Result<void>
  check_seal(const ledger::Entry& entry)
  {
    if (entry.payloads.size() != 1) {
      return fail(Errc::corrupt,
                  "a seal has 1 payload, this one {}",
                  entry.payloads.size());
    }
    CUSTODY_ASSIGN(opened, open_admin_payload(entry.payloads[0], entry.seq));
    const json::Json& document = opened.document;
    if (document.value("type", "") != "seal" || !document.contains("seal")) {
      return fail(Errc::corrupt, "payload is not a seal");
    }
    const json::Json& seal = document["seal"];
    CUSTODY_ASSIGN(member_id, string_field(seal, "member"));
    CUSTODY_ASSIGN(signature_text, string_field(document, "signature"));
    auto member = m_state.members.find(member_id);
    // invariant 12: the sealing member exists at this position
    if (member == m_state.members.end()) {
      return broken(
        12, fmt::format("sealed by {}, who is not a member", member_id));
    }
    auto public_key = from_base64(member->second.ed25519, Padding::yes);
    auto signature = from_base64(signature_text, Padding::yes);
    const std::string message = "custody-seal-v1\n" + json::canonical(seal);
    // invariant 11: the seal's signature
    if (!public_key || !signature
        || !identity::verify_ed25519(
          *public_key, as_bytes(message), *signature)) {
      return broken(
        11,
        fmt::format("the seal's signature by {} does not verify", member_id));
    }
    if (seal.value("vault", "") != m_state.vault_id
        || seal.value("seq", UINT64_MAX) != entry.seq) {
      return fail(Errc::corrupt, "the seal names another vault or position");
    }
    // invariant 11: covers exactly the entries since the previous seal
    const json::Json covers = seal.value("covers", json::Json::array());
    bool exact = covers.is_array() && covers.size() == m_unsealed.size();
    for (std::size_t i = 0; exact && i < covers.size(); ++i) {
      exact = covers[i].value("seq", UINT64_MAX) == m_unsealed[i].seq
              && covers[i].value("hash", "") == to_hex(m_unsealed[i].hash);
    }
    if (!exact || m_unsealed.empty()) {
      return broken(
        11,
        "the seal does not cover exactly the entries since the previous seal",
        "an entry was inserted, removed or altered after it was sealed");
    }
    // invariant 12: the role allows every sealed entry
    for (const auto& sealed : m_unsealed) {
      if (!may_write(member->second.role, sealed.kind)) {
        return broken(
          12,
          fmt::format(
            "entry {} ({}) is outside the role {} of its sealing member {}",
            sealed.seq,
            ledger::kind_name(sealed.kind),
            role_name(member->second.role),
            member_id));
      }
    }
    m_unsealed.clear();
    return {};
  }

  fs::Path m_vault;
  Keyring& m_keys;
  bool m_have_member;
  bool m_collect_objects;
  AdminState m_state;
  std::vector<Unsealed> m_unsealed;
  std::set<Digest> m_objects;
  std::map<std::uint64_t, std::string> m_committed_yaml;
};

// Builds a command's entries in order, each knowing its seq and prev, then
// seals and appends them.
class Batch
{
public:
  Batch(fs::Path vault, const ledger::Tip& tip)
    : m_vault(std::move(vault)),
      m_tip(tip),
      m_prev(tip.last_hash)
  {
  }

  std::uint64_t
  next_seq() const
  {
    return m_tip.count + m_entries.size();
  }
  const Digest&
  next_prev() const
  {
    return m_prev;
  }

  void
  add(ledger::Kind kind, std::vector<ledger::PayloadRef> payloads)
  {
    ledger::Entry entry;
    entry.seq = next_seq();
    entry.time = ledger::now_rfc3339();
    entry.kind = kind;
    entry.prev = m_prev;
    entry.payloads = std::move(payloads);
    m_entries.push_back(ledger::encode_entry(entry));
    m_prev = m_entries.back().hash;
  }

  // Adds the seal by `member` over every entry so far, encrypted to the admin
  // compartment, and appends everything in one durable write.
  Result<ledger::Tip>
  seal_and_append(const identity::Member& member,
                  const std::string& vault_id,
                  const age::X25519Recipient& admin_recipient,
                  std::uint32_t admin_epoch)
  {
    json::Json covers = json::Json::array();
    for (const auto& entry : m_entries) {
      covers.push_back({{"seq", entry.seq}, {"hash", to_hex(entry.hash)}});
    }
    const json::Json seal = {{"vault", vault_id},
                             {"seq", next_seq()},
                             {"member", member.key_id()},
                             {"covers", covers}};
    const Bytes signature =
      member.sign(as_bytes("custody-seal-v1\n" + json::canonical(seal)));
    const json::Json document = {
      {"type", "seal"},
      {"seal", seal},
      {"signature", to_base64(signature, Padding::yes)}};
    CUSTODY_ASSIGN(
      sealed,
      store::seal_document(m_vault, document, admin_recipient, admin_epoch));
    add(ledger::Kind::seal, {sealed.ref});
    return ledger::append(m_vault, m_tip, m_entries);
  }

private:
  fs::Path m_vault;
  ledger::Tip m_tip;
  Digest m_prev;
  std::vector<ledger::Encoded> m_entries;
};

// The signed record of bytes a repair moved aside (docs/formats.md 4.4).
Result<ledger::Tip> append_admin_entry(const fs::Path& vault,
                                       const ledger::Tip& tip,
                                       AdminState next,
                                       json::Json statement,
                                       json::Json private_fields,
                                       const minisign::SecretKey& signing,
                                       const identity::Member& member);

Result<ledger::Tip>
append_torn_tail(const fs::Path& vault,
                 const ledger::Tip& tip,
                 const AdminState& state,
                 const ledger::Location& from,
                 std::uint64_t length,
                 const std::string& sha256,
                 const std::string& moved_to,
                 const json::Json& unsealed,
                 const minisign::SecretKey& signing,
                 const identity::Member& member)
{
  const json::Json statement = {{"action", "torn_tail"},
                                {"segment", ledger::segment_name(from.segment)},
                                {"offset", from.offset},
                                {"length", length},
                                {"sha256", sha256},
                                {"moved_to", "ledger/" + moved_to},
                                {"unsealed", unsealed},
                                {"keys", json::Json::array()}};
  return append_admin_entry(
    vault, tip, state, statement, json::Json::object(), signing, member);
}

// Signs `statement` with the vault key and seals it with the private names
// document.
Result<std::vector<ledger::PayloadRef>>
admin_payloads(const fs::Path& vault,
               const json::Json& statement,
               const minisign::SecretKey& signing,
               const json::Json& private_document,
               const age::X25519Recipient& admin_recipient,
               std::uint32_t admin_epoch,
               const age::X25519Recipient& identity_recipient,
               std::uint32_t identity_epoch)
{
  const std::string trusted =
    fmt::format("custody admin {} seq {}",
                statement["vault"].get<std::string>(),
                statement["seq"].get<std::uint64_t>());
  CUSTODY_ASSIGN(
    signature,
    minisign::sign(signing,
                   as_bytes(json::canonical(statement)),
                   trusted,
                   "custody admin statement, signed by the vault key"));
  const json::Json document = {
    {"type", "admin"}, {"statement", statement}, {"signature", signature}};
  CUSTODY_ASSIGN(
    public_part,
    store::seal_document(vault, document, admin_recipient, admin_epoch));
  CUSTODY_ASSIGN(
    private_part,
    store::seal_document(
      vault, private_document, identity_recipient, identity_epoch));
  return std::vector<ledger::PayloadRef>{public_part.ref, private_part.ref};
}

// Wraps `secret_text` to `recipient` as a key file and returns its {path,
// sha256} listing.
Result<json::Json>
write_key_file(const fs::Path& vault,
               std::string_view holder,
               std::uint32_t epoch,
               const std::string& key_id,
               const std::string& recipient_text,
               ByteView secret_text)
{
  CUSTODY_ASSIGN(recipient, age::X25519Recipient::parse(recipient_text));
  const age::X25519Recipient recipients[] = {recipient};
  CUSTODY_ASSIGN(file, age::encrypt(secret_text, recipients, age::Armor::no));
  const fs::Path path = key_file_path(vault, holder, epoch, key_id);
  CUSTODY_TRY(fs::make_directories(path.parent_path()));
  // An unlisted file of this name is the residue of an interrupted command:
  // replace it (2.4).
  CUSTODY_TRY(fs::write_file_atomic(path, file));
  return json::Json{{"path", relative_key_path(holder, epoch, key_id)},
                    {"sha256", sha256_hex(file)}};
}

Result<void>
write_vault_yaml(const fs::Path& vault, const AdminState& state)
{
  return fs::write_file_atomic(vault / "vault.yaml",
                               as_bytes(state.vault_yaml()));
}

// invariant 10 and the pin: custody.pub is the signing key of the init
// statement, and the member's pinned key for this vault (pinning on first use).
Result<void>
check_signing_key(const fs::Path& vault,
                  const AdminState& state,
                  const std::optional<fs::Path>& known_vaults,
                  Notes& notes)
{
  auto pub_text = fs::read_file(vault / "custody.pub", k_max_small_file);
  if (!pub_text) {
    return fail(Errc::corrupt, "custody.pub: {}", pub_text.error().message);
  }
  auto public_key = minisign::PublicKey::from_file_text(as_text(*pub_text));
  if (!public_key || public_key->to_base64() != state.signing_public) {
    return make_error(
      Errc::corrupt,
      "custody.pub is not the vault signing key the signed ledger names",
      "restore custody.pub from a backup; the signed init entry is "
      "authoritative");
  }
  // The init statement commits to the whole file, its comment line too (R8).
  if (sha256_hex(*pub_text) != state.custody_pub_sha256) {
    return make_error(
      Errc::corrupt,
      "custody.pub was changed: its key is the signed one, but the file is "
      "not the one the signed init entry committed to (its comment line?)",
      "restore custody.pub from a backup; the signed init entry is "
      "authoritative");
  }
  if (!known_vaults) {
    return {};
  }
  auto pins = fs::read_file(*known_vaults, k_max_small_file, fs::Origin::user);
  if (pins) {
    const std::string_view text = as_text(*pins);
    std::size_t start = 0;
    while (start < text.size()) {
      auto end = text.find('\n', start);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      const std::string_view line = text.substr(start, end - start);
      start = end + 1;
      if (line.starts_with(state.vault_id + " ")) {
        if (line.substr(state.vault_id.size() + 1) != state.signing_public) {
          return make_error(
            Errc::corrupt,
            fmt::format(
              "vault {} is signed by {}, but you pinned it with another "
              "key in {}",
              state.vault_id,
              state.signing_public,
              *known_vaults),
            "this is not the vault you joined, or its trust root was replaced");
        }
        return {};
      }
    }
  } else if (pins.error().code != Errc::not_found) {
    return tl::unexpected(pins.error());
  }
  CUSTODY_TRY(pin(*known_vaults, state.vault_id, state.signing_public));
  notes.push_back(
    fmt::format("pinned vault {} with signing key {}: compare it with the key "
                "lodged when the vault was created",
                state.vault_id,
                state.signing_public));
  return {};
}

// invariant 9: vault.yaml is the rebuilt state, or a stale cache a crash left
// (rebuilt if writing).
Result<void>
check_vault_yaml(const fs::Path& vault,
                 const AdminState& state,
                 const std::map<std::uint64_t, std::string>& committed,
                 Access access,
                 bool repair,
                 Notes& notes)
{
  const std::string expected = state.vault_yaml();
  auto actual = fs::read_file(vault / "vault.yaml", k_max_small_file);
  if (actual && as_text(*actual) == expected) {
    return {};
  }
  bool stale = false;
  if (actual) {
    for (const auto& [seq, text] : committed) {
      stale = stale || (seq < state.admin_seq && as_text(*actual) == text);
    }
  }
  if (!stale && !(actual || actual.error().code == Errc::not_found)) {
    return tl::unexpected(actual.error());
  }
  if (!stale && actual && repair) {
    // Someone changed it: keep what they wrote, as evidence, and write the
    // signed state again.
    std::string stamp = ledger::now_rfc3339();
    std::erase(stamp, ':');
    const std::string aside = fmt::format("vault.yaml.rejected-{}", stamp);
    CUSTODY_TRY(fs::write_file_atomic(vault / aside, *actual));
    CUSTODY_TRY(write_vault_yaml(vault, state));
    notes.push_back(fmt::format("vault.yaml disagreed with the signed ledger: "
                                "kept as {} and written again",
                                aside));
    return {};
  }
  if (!stale && actual) {
    return make_error(Errc::corrupt,
                      "vault.yaml disagrees with the signed ledger",
                      Remedy::repair_vault_yaml);
  }
  if (access == Access::write) {
    CUSTODY_TRY(write_vault_yaml(vault, state));
    notes.push_back("vault.yaml was stale or missing (an interrupted command) "
                    "and was rebuilt");
  } else {
    notes.push_back("vault.yaml is stale or missing (an interrupted command); "
                    "the next writing "
                    "command rebuilds it");
  }
  return {};
}

// R5, R13: one walk of the vault's files, before anything in them is read.
// Anything but regular files and directories (a link, FIFO, socket or device)
// is tampering: custody makes none, and each could hang or mislead a reader.
// The temp files (.tmp-XXXXXX) fs::write_file_atomic leaves when a crash comes
// between making one and renaming it into place are never named by the ledger
// or a listing, so removing them under the exclusive lock loses nothing.
// objects/ is large: writers leave it to `verify`, which lists it anyway, and
// to `verify --repair`.
enum class Objects { skip, include };
enum class Leftovers { note, remove };
Result<void>
check_strays(const fs::Path& vault,
             Objects objects,
             Leftovers leftovers,
             Notes& notes)
{
  fs::Strays found = fs::find_strays(vault, fs::Recurse::no);
  for (const char* sub :
       {"ledger", "checkpoints", "index", "keys", "objects"}) {
    if (objects == Objects::skip && std::string_view(sub) == "objects") {
      continue;
    }
    auto more = fs::find_strays(vault / sub, fs::Recurse::yes);
    found.irregular.insert(
      found.irregular.end(), more.irregular.begin(), more.irregular.end());
    found.leftovers.insert(
      found.leftovers.end(), more.leftovers.begin(), more.leftovers.end());
  }
  if (!found.irregular.empty()) {
    const auto& first = found.irregular.front();
    const std::size_t more = found.irregular.size() - 1;
    return make_error(
      Errc::corrupt,
      fmt::format("{} is {}, not a regular file; a vault holds only regular "
                  "files and directories{}",
                  first.path.lexically_relative(vault).string(),
                  first.kind,
                  more == 0 ? std::string()
                            : fmt::format(" ({} more such)", more)),
      Remedy::remove_and_verify);
  }
  std::size_t removed = 0;
  for (const auto& path : found.leftovers) {
    const std::string name = path.lexically_relative(vault).string();
    std::error_code ec;
    if (leftovers == Leftovers::remove) {
      removed += std::filesystem::remove(path, ec) ? 1 : 0;
    } else if (name.starts_with("objects/")) {
      notes.push_back(fmt::format("{} was left by an interrupted command; "
                                  "`custody verify --repair` removes it",
                                  name));
    } else {
      notes.push_back(fmt::format("{} was left by an interrupted command; "
                                  "the next writer or `custody verify "
                                  "--repair` removes it",
                                  name));
    }
  }
  if (removed > 0) {
    notes.push_back(fmt::format(
      "removed {} temporary file{} an interrupted command left (.tmp-*)",
      removed,
      removed == 1 ? "" : "s"));
  }
  return {};
}

// The torn tails signed repairs recorded, by their names in ledger/.
std::set<std::string>
recorded_torn(const AdminState& state)
{
  std::set<std::string> names;
  for (const auto& [path, torn] : state.torn_files) {
    names.insert(fs::Path(path).filename().string());
  }
  return names;
}

// Files in ledger/ named like a torn tail (NNNNNN.torn, NNNNNN.torn.N) that no
// signed repair records: a repair that crashed after moving them (R2).
std::vector<std::string>
unrecorded_torn(const fs::Path& vault, const AdminState& state)
{
  static const std::regex k_torn_name(R"([0-9]{6}\.torn(\.[0-9]+)?)");
  const auto recorded = recorded_torn(state);
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& item :
       std::filesystem::directory_iterator(vault / "ledger", ec)) {
    const std::string name = item.path().filename().string();
    if (std::regex_match(name, k_torn_name) && !recorded.contains(name)) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The last sealed tip a member saw of a vault (docs/formats.md 2.6): one line
// per vault and member in known_tips,
//   <vault id> <member key id> <entries> <hash of the last> <segment> <offset>
//   <time of the last>
struct SeenTip
{
  std::uint64_t count = 0;
  Digest hash{};
  ledger::Location last;
  std::string time;
};

std::string
seen_tip_key(const std::string& vault_id, const std::string& key_id)
{
  return vault_id + " " + key_id + " ";
}

Result<std::optional<SeenTip>>
read_seen_tip(const fs::Path& file,
              const std::string& vault_id,
              const std::string& key_id)
{
  auto text = fs::read_file(file, k_max_small_file, fs::Origin::user);
  if (!text) {
    if (text.error().code == Errc::not_found) {
      return std::optional<SeenTip>();
    }
    return tl::unexpected(text.error());
  }
  const std::string key = seen_tip_key(vault_id, key_id);
  std::istringstream lines{std::string(as_text(*text))};
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with(key)) {
      continue;
    }
    std::istringstream fields(line.substr(key.size()));
    SeenTip seen;
    std::string hash;
    if (!(fields >> seen.count >> hash >> seen.last.segment >> seen.last.offset
          >> seen.time)
        || seen.count == 0) {
      return fail(Errc::corrupt,
                  "{}: the line for vault {} is malformed",
                  file,
                  vault_id);
    }
    CUSTODY_ASSIGN_CTX(digest, digest_from_hex(hash), fs::Path(file).string());
    seen.hash = digest;
    return std::optional<SeenTip>(seen);
  }
  return std::optional<SeenTip>();
}

// Replaces this vault's line, under the file's own lock.
Result<void>
remember_tip(const fs::Path& file,
             const std::string& vault_id,
             const std::string& key_id,
             const SeenTip& seen)
{
  CUSTODY_ASSIGN(lock,
                 fs::Lock::acquire(fs::Path(file.string() + ".lock"),
                                   fs::LockMode::exclusive,
                                   std::chrono::milliseconds(5000)));
  std::string kept;
  if (auto text = fs::read_file(file, k_max_small_file, fs::Origin::user);
      text) {
    std::istringstream lines{std::string(as_text(*text))};
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && !line.starts_with(seen_tip_key(vault_id, key_id))) {
        kept += line + "\n";
      }
    }
  } else if (text.error().code != Errc::not_found) {
    return tl::unexpected(text.error());
  }
  kept += fmt::format("{}{} {} {} {} {}\n",
                      seen_tip_key(vault_id, key_id),
                      seen.count,
                      to_hex(seen.hash),
                      seen.last.segment,
                      seen.last.offset,
                      seen.time);
  return fs::write_file_atomic(file, as_bytes(kept));
}

// R3: the ledger still holds, at the same position, the last sealed entry this
// member saw; checked in O(1) by reading that one line. A shorter or diverging
// ledger is refused unless the member accepts it (logged). Then the tip is
// remembered, if it is sealed and newer.
Result<void>
check_seen_tip(const fs::Path& vault,
               const std::string& vault_id,
               const std::string& key_id,
               const ledger::Tip& tip,
               const std::optional<fs::Path>& known_vaults,
               bool accept_rollback,
               Notes& notes)
{
  if (!known_vaults || tip.count == 0) {
    return {};
  }
  const fs::Path file = known_tips_for(*known_vaults);
  CUSTODY_ASSIGN(seen, read_seen_tip(file, vault_id, key_id));
  CUSTODY_ASSIGN(last, ledger::read_entry_at(vault, tip.last_entry));
  const std::string now_time = last ? last->entry.time : std::string("?");
  bool kept = true;
  if (seen) {
    if (seen->count > tip.count) {
      kept = false;
    } else {
      CUSTODY_ASSIGN(there, ledger::read_entry_at(vault, seen->last));
      kept = there && there->entry.seq == seen->count - 1
             && there->hash == seen->hash;
    }
  }
  if (!kept && !accept_rollback) {
    return make_error(
      Errc::corrupt,
      fmt::format("possible rollback: you last saw vault {} with {} entries "
                  "(the last written {}); it now has {} entries (the last "
                  "written {}){}",
                  vault_id,
                  seen->count,
                  seen->time,
                  tip.count,
                  now_time,
                  seen->count > tip.count
                    ? ""
                    : ", and entry " + std::to_string(seen->count - 1)
                        + " is not the one you saw"),
      Remedy::accept_rollback,
      fmt::format("{}", fs::Path(file.string() + ".log")));
  }
  if (!kept) {
    CUSTODY_TRY(fs::append_durably(
      fs::Path(file.string() + ".log"),
      as_bytes(fmt::format(
        "{} vault {} member {}: accepted a ledger of {} entries (last {}) in "
        "place of the {} entries last seen (last {})\n",
        ledger::now_rfc3339(),
        vault_id,
        key_id,
        tip.count,
        to_hex(tip.last_hash),
        seen->count,
        to_hex(seen->hash)))));
    notes.push_back(
      fmt::format("accepted a ledger of {} entries where you last saw {}; "
                  "logged in {}",
                  tip.count,
                  seen->count,
                  fs::Path(file.string() + ".log")));
  }
  if (!tip.torn && (!kept || !seen || tip.count > seen->count)) {
    CUSTODY_TRY(remember_tip(
      file,
      vault_id,
      key_id,
      SeenTip{tip.count, tip.last_hash, tip.last_entry, now_time}));
  }
  return {};
}

struct Loaded
{
  ledger::Tip tip;
  AdminState state;
  std::set<Digest> objects;
  std::map<std::uint64_t, std::string> committed_yaml;
  json::Json unsealed; // entries since the last seal (only with a torn tail)
  std::optional<ledger::Location> first_unsealed;
};

// Checks what a finished scan found and hands the replay's results over.
Result<Loaded>
finish_load(const fs::Path& vault, const ledger::Tip& tip, Replay& replay)
{
  if (tip.count == 0) {
    return make_error(Errc::corrupt,
                      fmt::format("{} has an empty ledger", vault),
                      Remedy::create_vault);
  }
  // Entries just before a torn tail may have had their seal in it (a crash
  // mid-append): the torn tail is the problem to report, and writers refuse
  // until it is repaired.
  if (!tip.torn) {
    CUSTODY_TRY(replay.finish());
  }
  return Loaded{tip,
                std::move(replay.state()),
                replay.objects(),
                replay.committed_yaml(),
                replay.unsealed(),
                replay.first_unsealed()};
}

// Scans and replays the whole ledger. A torn tail is left in the tip for the
// caller to judge.
Result<Loaded>
load(const fs::Path& vault, Keyring& keys, bool have_member)
{
  ledger::ChainChecker chain;
  Replay replay(vault, keys, have_member, true);
  CUSTODY_ASSIGN(
    tip, ledger::scan(vault, [&](const ledger::Line& line) -> Result<void> {
      CUSTODY_ASSIGN(entry, chain.next(line));
      return replay.entry(entry, chain.last_hash(), line.location);
    }));
  return finish_load(vault, tip, replay);
}

// The state cache, index/<key id>/state.age (docs/formats.md 10.2): the
// replayed admin state at a sealed ledger position, so that opening a vault
// replays only what was appended since. Encrypted to the member herself and
// MAC'd with a key derived from her own identity: a file anyone else wrote
// fails the MAC and is replaced by a replay. `verify` never uses it.
constexpr cache_file::Kind k_state_file{"custody-state-v2\n",
                                        "custody/v1/member-state-mac"};

fs::Path
state_cache_path(const fs::Path& vault, const std::string& key_id)
{
  return member_cache_directory(vault, key_id) / "state.age";
}

json::Json
state_to_json(const AdminState& state,
              const std::map<std::uint64_t, std::string>& committed_yaml)
{
  json::Json compartments = json::Json::object();
  for (const auto& [c, keys] : state.compartments) {
    json::Json recipients = json::Json::object();
    for (const auto& [epoch, recipient] : keys.recipients) {
      recipients[std::to_string(epoch)] = recipient;
    }
    compartments[std::string(compartment_name(c))] = {
      {"current", keys.current}, {"recipients", recipients}};
  }
  json::Json members = json::Json::array();
  for (const auto& [key_id, member] : state.members) {
    json::Json item = member_json(member);
    item["admitted_seq"] = member.admitted_seq;
    members.push_back(item);
  }
  json::Json torn_json = json::Json::object();
  for (const auto& [name, torn] : state.torn_files) {
    torn_json[name] = {{"length", torn.length}, {"sha256", torn.sha256}};
  }
  json::Json yaml = json::Json::object();
  for (const auto& [seq, text] : committed_yaml) {
    yaml[std::to_string(seq)] = text;
  }
  return {{"vault", state.vault_id},
          {"admin_seq", state.admin_seq},
          {"signing_public", state.signing_public},
          {"custody_pub_sha256", state.custody_pub_sha256},
          {"signing_epoch", state.signing_epoch},
          {"compartments", compartments},
          {"members", members},
          {"policy", state.policy},
          {"places", state.places},
          {"key_files", state.key_files},
          {"torn_files", torn_json},
          {"committed_yaml", yaml}};
}

std::uint64_t
parse_count(const std::string& text)
{
  std::size_t used = 0;
  const auto value = std::stoull(text, &used);
  if (used != text.size()) {
    throw std::invalid_argument("not a number");
  }
  return value;
}

// The cache was written by a member (its MAC says so), but a reader still
// refuses anything malformed rather than trusting it.
Result<std::pair<AdminState, std::map<std::uint64_t, std::string>>>
state_from_json(const json::Json& body)
{
  try {
    AdminState state;
    state.vault_id = body.at("vault").get<std::string>();
    state.admin_seq = body.at("admin_seq").get<std::uint64_t>();
    state.signing_public = body.at("signing_public").get<std::string>();
    state.custody_pub_sha256 = body.at("custody_pub_sha256").get<std::string>();
    state.signing_epoch = body.at("signing_epoch").get<std::uint32_t>();
    for (Compartment c : k_compartments) {
      const json::Json& keys =
        body.at("compartments").at(std::string(compartment_name(c)));
      CompartmentKeys& out = state.compartments[c];
      out.current = keys.at("current").get<std::uint32_t>();
      for (const auto& [epoch, recipient] : keys.at("recipients").items()) {
        out.recipients[static_cast<std::uint32_t>(parse_count(epoch))] =
          recipient.get<std::string>();
      }
      if (!out.recipients.contains(out.current)) {
        return fail(Errc::corrupt, "no recipient for the current epoch");
      }
    }
    for (const auto& item : body.at("members")) {
      CUSTODY_ASSIGN(
        member,
        parse_member(item, item.at("admitted_seq").get<std::uint64_t>()));
      state.members[member.key_id] = member;
    }
    state.policy = body.at("policy");
    state.places = body.at("places");
    state.key_files =
      body.at("key_files").get<std::map<std::string, std::string>>();
    for (const auto& [name, torn] : body.at("torn_files").items()) {
      state.torn_files[name] = {torn.at("length").get<std::uint64_t>(),
                                torn.at("sha256").get<std::string>()};
    }
    std::map<std::uint64_t, std::string> committed;
    for (const auto& [seq, text] : body.at("committed_yaml").items()) {
      committed[parse_count(seq)] = text.get<std::string>();
    }
    return std::make_pair(std::move(state), std::move(committed));
  } catch (const std::exception&) {
    return fail(Errc::corrupt, "malformed state");
  }
}

struct CachedState
{
  ledger::Resume resume;
  AdminState state;
  std::map<std::uint64_t, std::string> committed_yaml;
};

// Reads a valid state cache; nullopt (with a note saying why, unless it is
// simply absent) when there is none worth trusting.
Result<std::optional<CachedState>>
read_state_cache(const fs::Path& vault,
                 const identity::Member& member,
                 Notes& notes)
{
  const fs::Path path = state_cache_path(vault, member.key_id());
  auto file = fs::read_file(path, k_max_state_file);
  if (!file) {
    if (file.error().code == Errc::not_found) {
      return std::optional<CachedState>();
    }
    return tl::unexpected(file.error());
  }
  auto reject =
    [&](std::string_view why) -> Result<std::optional<CachedState>> {
    notes.push_back(fmt::format("{} {}; the ledger was replayed from the start",
                                path.lexically_relative(vault).string(),
                                why));
    return std::optional<CachedState>();
  };
  auto opened = cache_file::open(k_state_file, *file, member.age_identity());
  if (!opened) {
    return reject(opened.error().message);
  }
  auto body = json::parse_canonical(as_text(opened->body));
  if (!body) {
    return reject("is malformed");
  }
  auto restored = state_from_json(*body);
  const auto position = cache_file::position_of(opened->header);
  if (!restored || !position || position->count == 0
      || restored->first.vault_id
           != cache_file::string_field(opened->header, "vault")) {
    return reject("is malformed");
  }
  CachedState cached;
  cached.resume = *position;
  cached.state = std::move(restored->first);
  cached.committed_yaml = std::move(restored->second);
  return std::optional<CachedState>(std::move(cached));
}

Result<age::X25519Recipient> current_recipient(const AdminState& state,
                                               Compartment c);

// Saves the state of a sealed tip. A cache is derived: failing to save it
// loses nothing, so the caller only notes it.
Result<void>
write_state_cache(const fs::Path& vault,
                  const identity::Member& member,
                  const Loaded& loaded)
{
  const std::string body =
    json::canonical(state_to_json(loaded.state, loaded.committed_yaml));
  json::Json header =
    cache_file::position_json(ledger::resume_point(loaded.tip));
  header["vault"] = loaded.state.vault_id;
  header["member"] = member.key_id();
  CUSTODY_ASSIGN(
    file,
    cache_file::seal(
      k_state_file, header, as_bytes(body), member.age_identity()));
  const fs::Path path = state_cache_path(vault, member.key_id());
  CUSTODY_TRY(fs::make_directories(path.parent_path()));
  return fs::write_file_atomic(path, file);
}

// What Vault::open loads: the state cache and the entries after it when the
// cache is valid, else the whole ledger; then, for a reader, a fresh cache when
// the tip moved and is sealed. The entries after the cache get every check a
// full replay gives them.
Result<Loaded>
load_with_cache(const fs::Path& vault,
                Keyring& keys,
                const identity::Member& member,
                Access access,
                Notes& notes)
{
  CUSTODY_ASSIGN(cached, read_state_cache(vault, member, notes));
  std::optional<Loaded> loaded;
  std::uint64_t replayed = 0;
  if (cached) {
    ledger::ChainChecker chain(cached->resume.count, cached->resume.last_hash);
    Replay replay(
      vault, keys, std::move(cached->state), std::move(cached->committed_yaml));
    CUSTODY_ASSIGN(
      tip,
      ledger::scan_after(
        vault, cached->resume, [&](const ledger::Line& line) -> Result<void> {
          CUSTODY_ASSIGN(entry, chain.next(line));
          ++replayed;
          return replay.entry(entry, chain.last_hash(), line.location);
        }));
    if (tip) {
      CUSTODY_ASSIGN(done, finish_load(vault, *tip, replay));
      loaded = std::move(done);
    } else {
      notes.push_back(
        fmt::format("{} names a position that is not an entry of this "
                    "ledger; the ledger was replayed from the start",
                    state_cache_path(vault, member.key_id())
                      .lexically_relative(vault)
                      .string()));
    }
  }
  if (!loaded) {
    CUSTODY_ASSIGN(full, load(vault, keys, true));
    loaded = std::move(full);
    replayed = loaded->tip.count;
  }
  // A writer saves the cache once its work is durable
  // (Vault::save_state_cache), so that a command refused for bad input leaves
  // the vault exactly as it was.
  if (access == Access::read && replayed > 0 && !loaded->tip.torn) {
    if (auto saved = write_state_cache(vault, member, *loaded); !saved) {
      notes.push_back(fmt::format("could not save your state cache: {}",
                                  saved.error().message));
    }
  }
  return std::move(*loaded);
}

// The member's own state cache, brought forward as a reader would, must give
// the state the full replay gave: she alone can write it, so a file that fails
// its MAC or disagrees was written by someone else, or damaged.
Result<void>
check_state_cache(const fs::Path& vault,
                  const identity::Member& member,
                  Keyring& keys,
                  const Loaded& loaded,
                  Notes& notes)
{
  const std::string name =
    state_cache_path(vault, member.key_id()).lexically_relative(vault).string();
  Notes read_notes;
  CUSTODY_ASSIGN(cached, read_state_cache(vault, member, read_notes));
  if (!read_notes.empty()) {
    return make_error(
      Errc::corrupt,
      fmt::format("your state cache {}", read_notes.front()),
      "only you can write it: find out who can write the vault's index "
      "directory; the next command writes it again");
  }
  if (!cached) {
    return {};
  }
  ledger::ChainChecker chain(cached->resume.count, cached->resume.last_hash);
  Replay replay(
    vault, keys, std::move(cached->state), std::move(cached->committed_yaml));
  auto tip = ledger::scan_after(
    vault, cached->resume, [&](const ledger::Line& line) -> Result<void> {
      CUSTODY_ASSIGN(entry, chain.next(line));
      return replay.entry(entry, chain.last_hash(), line.location);
    });
  keys.bind(&loaded.state);
  CUSTODY_TRY(std::move(tip));
  if (!*tip) {
    notes.push_back(fmt::format("{} names a position that is not an entry of "
                                "this ledger (a restored backup?); the next "
                                "command replaces it",
                                name));
    return {};
  }
  if (json::canonical(state_to_json(replay.state(), replay.committed_yaml()))
      != json::canonical(state_to_json(loaded.state, loaded.committed_yaml))) {
    return make_error(
      Errc::corrupt,
      fmt::format("your state cache {} disagrees with the signed ledger", name),
      "only you can write it: find out who can write the vault's index "
      "directory; delete the file and the next command writes it again");
  }
  return {};
}

// invariant 6
Result<void>
check_head(const fs::Path& vault,
           const ledger::Tip& tip,
           Access access,
           Notes& notes)
{
  CUSTODY_ASSIGN(head, ledger::read_head(vault));
  if (!head) {
    return make_error(Errc::corrupt, "ledger/HEAD is missing");
  }
  if (head->seq == tip.count - 1 && head->hash == tip.last_hash) {
    return {};
  }
  if (head->seq >= tip.count - 1) {
    return make_error(
      Errc::corrupt,
      fmt::format(
        "ledger/HEAD names entry {} with hash {}, but the last entry is "
        "{} with hash {}",
        head->seq,
        to_hex(head->hash),
        tip.count - 1,
        to_hex(tip.last_hash)),
      "the last ledger line or HEAD was altered");
  }
  // A lagging HEAD must still match the entry it names.
  Digest named{};
  std::uint64_t seen = 0;
  CUSTODY_TRY(
    ledger::scan(vault, [&](const ledger::Line& line) -> Result<void> {
      if (seen++ == head->seq) {
        named = ledger::entry_hash(line.text);
      }
      return {};
    }).map([](auto&&) {}));
  if (named != head->hash) {
    return fail(
      Errc::corrupt,
      "ledger/HEAD names entry {} with a hash that entry does not have",
      head->seq);
  }
  if (access == Access::write) {
    CUSTODY_TRY(fs::write_file_atomic(
      vault / "ledger" / "HEAD",
      as_bytes(ledger::encode_head({tip.count - 1, tip.last_hash}))));
    notes.push_back(fmt::format(
      "ledger/HEAD lagged at entry {} (an interrupted command) and was "
      "brought forward to entry {}",
      head->seq,
      tip.count - 1));
  } else {
    notes.push_back(
      fmt::format("ledger/HEAD lags at entry {}; the ledger has {} entries (an "
                  "interrupted command; the next writer brings it forward)",
                  head->seq,
                  tip.count));
  }
  return {};
}

Result<age::X25519Recipient>
current_recipient(const AdminState& state, Compartment c)
{
  const auto& keys = state.compartments.at(c);
  return age::X25519Recipient::parse(keys.recipients.at(keys.current));
}

// Appends one signed admin entry and the acting member's seal, then rewrites
// vault.yaml: the one way every admin action (init, member_add, torn_tail)
// reaches the ledger. `statement` gets its position (vault, seq, prev) and the
// hash of the vault.yaml that `next` renders; `private_fields` ({"names": ...,
// "organisation"?: ...}) go to the identity compartment, which only legal
// members hold.
Result<ledger::Tip>
append_admin_entry(const fs::Path& vault,
                   const ledger::Tip& tip,
                   AdminState next,
                   json::Json statement,
                   json::Json private_fields,
                   const minisign::SecretKey& signing,
                   const identity::Member& member)
{
  Batch batch(vault, tip);
  next.admin_seq = batch.next_seq();
  statement["vault"] = next.vault_id;
  statement["seq"] = batch.next_seq();
  statement["prev"] = to_hex(batch.next_prev());
  statement["vault_yaml_sha256"] = sha256_hex(as_bytes(next.vault_yaml()));
  json::Json private_document = {{"type", "admin_private"},
                                 {"names", json::Json::object()}};
  private_document.update(private_fields);
  const std::uint32_t admin_epoch =
    next.compartments.at(Compartment::admin).current;
  const std::uint32_t identity_epoch =
    next.compartments.at(Compartment::identity).current;
  CUSTODY_ASSIGN(admin_recipient, current_recipient(next, Compartment::admin));
  CUSTODY_ASSIGN(identity_recipient,
                 current_recipient(next, Compartment::identity));
  CUSTODY_ASSIGN(payloads,
                 admin_payloads(vault,
                                statement,
                                signing,
                                private_document,
                                admin_recipient,
                                admin_epoch,
                                identity_recipient,
                                identity_epoch));
  batch.add(ledger::Kind::admin, payloads);
  CUSTODY_ASSIGN(
    appended,
    batch.seal_and_append(member, next.vault_id, admin_recipient, admin_epoch));
  CUSTODY_TRY(write_vault_yaml(vault, next));
  return appended;
}

} // namespace

fs::Path
member_cache_directory(const fs::Path& vault, const std::string& key_id)
{
  return vault / "index" / key_id;
}

std::string_view
role_name(Role role)
{
  return k_role_names[static_cast<std::size_t>(role)];
}

Result<Role>
parse_role(std::string_view name)
{
  for (std::size_t i = 0; i < std::size(k_role_names); ++i) {
    if (k_role_names[i] == name) {
      return static_cast<Role>(i);
    }
  }
  return make_error(Errc::usage,
                    fmt::format("unknown role \"{}\"", name),
                    "roles are legal, data, advocacy and intake");
}

std::string_view
compartment_name(Compartment compartment)
{
  return k_compartment_names[static_cast<std::size_t>(compartment)];
}

std::vector<Compartment>
compartments_of(Role role)
{
  switch (role) {
  case Role::legal:
    return {std::begin(k_compartments), std::end(k_compartments)};
  case Role::data:
    return {Compartment::facts, Compartment::admin};
  case Role::advocacy:
    return {Compartment::facts, Compartment::aggressor, Compartment::admin};
  case Role::intake:
    return {Compartment::admin};
  }
  return {};
}

Result<PutShape>
put_shape(const ledger::Entry& entry)
{
  switch (entry.payloads.size()) {
  case 4:
    return PutShape::record;
  case 2:
    return PutShape::attachment;
  default:
    return fail(Errc::corrupt,
                "a put entry has 4 payloads (a record) or 2 (an attachment), "
                "this one {}",
                entry.payloads.size());
  }
}

Compartment
put_compartment(PutShape shape, std::size_t index)
{
  constexpr Compartment record_parts[] = {Compartment::identity,
                                          Compartment::narrative,
                                          Compartment::facts,
                                          Compartment::aggressor};
  return shape == PutShape::attachment ? Compartment::identity
                                       : record_parts[index];
}

bool
may_amend(Role role)
{
  const auto held = compartments_of(role);
  return std::all_of(
    std::begin(k_compartments), std::end(k_compartments), [&](Compartment c) {
      return c == Compartment::admin
             || std::find(held.begin(), held.end(), c) != held.end();
    });
}

bool
may_write(Role role, ledger::Kind kind)
{
  return kind == ledger::Kind::put || role == Role::legal;
}

std::string
AdminState::vault_yaml() const
{
  YAML::Emitter out;
  out << YAML::Comment("custody vault cache: rebuilt from the signed ledger; "
                       "never trusted on its own");
  out << YAML::BeginMap;
  out << YAML::Key << "format" << YAML::Value << 1;
  out << YAML::Key << "vault" << YAML::Value << vault_id;
  out << YAML::Key << "admin_seq" << YAML::Value << admin_seq;
  out << YAML::Key << "signing_key" << YAML::Value << YAML::Flow
      << YAML::BeginMap;
  out << YAML::Key << "epoch" << YAML::Value << signing_epoch;
  out << YAML::Key << "public" << YAML::Value << signing_public << YAML::EndMap;
  out << YAML::Key << "compartments" << YAML::Value << YAML::BeginMap;
  for (Compartment c : k_compartments) {
    auto it = compartments.find(c);
    if (it == compartments.end()) {
      continue;
    }
    out << YAML::Key << std::string(compartment_name(c)) << YAML::Value
        << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "epoch" << YAML::Value << it->second.current;
    out << YAML::Key << "recipient" << YAML::Value
        << it->second.recipients.at(it->second.current);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "members" << YAML::Value << YAML::BeginSeq;
  for (const auto& [key_id, member] : members) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "key_id" << YAML::Value << key_id;
    out << YAML::Key << "role" << YAML::Value
        << std::string(role_name(member.role));
    out << YAML::Key << "age" << YAML::Value << member.age;
    out << YAML::Key << "ed25519" << YAML::Value << member.ed25519;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

fs::Path
known_vaults_for(const fs::Path& identity_file)
{
  const fs::Path parent = identity_file.parent_path();
  return (parent.empty() ? fs::Path(".") : parent) / "known_vaults";
}

Result<void>
pin(const fs::Path& known_vaults,
    const std::string& vault_id,
    const std::string& signing_public)
{
  return fs::append_durably(
    known_vaults, as_bytes(fmt::format("{} {}\n", vault_id, signing_public)));
}

fs::Path
known_tips_for(const fs::Path& known_vaults)
{
  return known_vaults.parent_path() / "known_tips";
}

namespace {

// The directories init builds vaults in beside `target` (`target`.init-XXXXXX)
// whose lock nobody holds: a running init holds its own until the vault is in
// place, so these were left by one that was killed, and never become a vault.
std::vector<fs::Path>
stale_init_directories(const fs::Path& target)
{
  const fs::Path parent =
    target.has_parent_path() ? target.parent_path() : fs::Path(".");
  const std::string prefix = target.filename().string() + ".init-";
  std::vector<fs::Path> stale;
  std::error_code ec;
  std::filesystem::directory_iterator entries(parent, ec);
  for (; !ec && entries != std::filesystem::directory_iterator();
       entries.increment(ec)) {
    const fs::Path& path = entries->path();
    const std::string name = path.filename().string();
    std::error_code status_ec;
    if (name.size() != prefix.size() + 6 || !name.starts_with(prefix)
        || !std::filesystem::is_directory(
          std::filesystem::symlink_status(path, status_ec))) {
      continue;
    }
    const fs::Fd lock(
      ::open((path / "lock").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (lock.get() >= 0 && ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
      continue; // a running init's
    }
    stale.push_back(path);
  }
  return stale;
}

// Creates `path` holding `bytes`, durably, unless it holds exactly them
// already (the recovery identity an interrupted init left). `created` says
// whether this call named the file, so that a failed init removes only what
// it wrote.
Result<void>
create_or_keep(const fs::Path& path, ByteView bytes, bool& created)
{
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
    auto held = fs::read_file(path, bytes.size() + 1, fs::Origin::user);
    if (held && held->size() == bytes.size()
        && std::equal(held->begin(), held->end(), bytes.begin())) {
      return {};
    }
    return make_error(Errc::invalid_input,
                      fmt::format("{} already exists", path),
                      Remedy::choose_recovery_out);
  }
  auto made = fs::create_file_durably(path, bytes);
  // Errc::invalid_input: another process created it first; any other failure
  // may come after the link (syncing its directory).
  created = made || made.error().code != Errc::invalid_input;
  return made;
}

} // namespace

std::vector<std::string>
interrupted_init_members(const fs::Path& directory)
{
  std::vector<std::string> members;
  for (const auto& stale : stale_init_directories(directory)) {
    // init wraps the signing key to every member before it writes the
    // recovery identity.
    std::error_code ec;
    std::filesystem::directory_iterator files(stale / "keys" / "signing" / "0",
                                              ec);
    for (; !ec && files != std::filesystem::directory_iterator();
         files.increment(ec)) {
      if (files->path().extension() == ".age") {
        members.push_back(files->path().stem().string());
      }
    }
  }
  return members;
}

Result<InitResult>
init(const InitOptions& options, const identity::Member& creator)
{
  const fs::Path target = options.directory;
  if (std::filesystem::exists(target)
      && (!std::filesystem::is_directory(target)
          || !std::filesystem::is_empty(target))) {
    return make_error(
      Errc::invalid_input,
      fmt::format("{} exists and is not an empty directory", target),
      "choose a new directory for the vault");
  }
  const fs::Path parent =
    target.has_parent_path() ? target.parent_path() : fs::Path(".");
  if (!std::filesystem::is_directory(parent)) {
    return fail(Errc::not_found, "directory {} does not exist", parent);
  }
  // What an interrupted init left is never a vault: removed, so that it
  // neither accumulates nor confuses a later one.
  for (const auto& stale : stale_init_directories(target)) {
    std::error_code ignored;
    std::filesystem::remove_all(stale, ignored);
  }
  std::string pattern =
    (parent / (target.filename().string() + ".init-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return tl::unexpected(
      fs::errno_error("create a directory beside", target, errno));
  }
  const fs::Path dir(pattern);
  // The new vault's lock, held until the vault is in place: how a later init
  // tells this directory from one an interrupted init left. Its name is made
  // durable by the first file written beside it (custody.pub).
  std::optional<fs::Lock> building;
  auto built = [&]() -> Result<InitResult> {
    ::chmod(dir.c_str(), 0700);
    CUSTODY_ASSIGN(lock,
                   fs::Lock::acquire(dir / "lock",
                                     fs::LockMode::exclusive,
                                     std::chrono::milliseconds(0)));
    building.emplace(std::move(lock));
    AdminState state;
    state.vault_id = to_hex(random_bytes(16));
    state.policy = default_policy();

    // The members: the creator and the recovery holder, both legal.
    MemberRecord creator_record = member_from_card(creator.card(), Role::legal);
    MemberRecord recovery_record;
    if (options.recovery_member != nullptr) {
      recovery_record =
        member_from_card(options.recovery_member->card(), Role::legal);
    } else if (options.recovery_card) {
      recovery_record = member_from_card(*options.recovery_card, Role::legal);
    } else {
      return make_error(Errc::usage, "init needs a recovery holder");
    }
    if (recovery_record.key_id == creator_record.key_id) {
      return make_error(
        Errc::usage, "the recovery holder must be another identity than yours");
    }
    state.members[creator_record.key_id] = creator_record;
    state.members[recovery_record.key_id] = recovery_record;

    // The signing key and custody.pub.
    const minisign::SecretKey signing = minisign::SecretKey::generate();
    const minisign::PublicKey signing_public = signing.public_key();
    state.signing_public = signing_public.to_base64();
    const std::string pub_file = signing_public.to_file_text();
    CUSTODY_TRY(fs::write_file_atomic(dir / "custody.pub", as_bytes(pub_file)));

    // Compartment keys of epoch 0, wrapped to both members; the signing key
    // likewise.
    json::Json key_listing = json::Json::array();
    json::Json compartments = json::Json::object();
    Keyring keys(dir, &creator);
    for (Compartment c : k_compartments) {
      age::X25519Identity secret = age::X25519Identity::generate();
      const std::string recipient = secret.recipient().encode();
      state.compartments[c].current = 0;
      state.compartments[c].recipients[0] = recipient;
      compartments[std::string(compartment_name(c))] = {
        {"epoch", 0}, {"recipient", recipient}};
      const SecretBytes text =
        age::format_identity_file(secret, std::chrono::system_clock::now());
      for (const auto& [key_id, member] : state.members) {
        CUSTODY_ASSIGN(
          listing,
          write_key_file(
            dir, compartment_name(c), 0, key_id, member.age, text.view()));
        key_listing.push_back(listing);
      }
      keys.add(c, 0, std::move(secret));
    }
    CUSTODY_ASSIGN(signing_text, signing.to_unencrypted_file_text());
    for (const auto& [key_id, member] : state.members) {
      CUSTODY_ASSIGN(
        listing,
        write_key_file(
          dir, "signing", 0, key_id, member.age, signing_text.view()));
      key_listing.push_back(listing);
    }
    for (const auto& item : key_listing) {
      state.key_files[item["path"].get<std::string>()] =
        item["sha256"].get<std::string>();
    }

    json::Json members = json::Json::array();
    for (const auto& [key_id, member] : state.members) {
      members.push_back(member_json(member));
    }
    json::Json statement = {
      {"action", "init"},
      {"format", 1},
      {"signing_key", {{"epoch", 0}, {"public", state.signing_public}}},
      {"custody_pub_sha256", sha256_hex(as_bytes(pub_file))},
      {"compartments", compartments},
      {"members", members},
      {"policy", state.policy},
      {"policy_sha256", sha256_hex(as_bytes(json::canonical(state.policy)))},
      {"keys", key_listing}};
    if (!options.places.is_null()) {
      statement["places"] = options.places;
      state.places = options.places;
    }
    json::Json names = json::Json::object();
    if (!options.creator_name.empty()) {
      names[creator_record.key_id] = options.creator_name;
    }
    names[recovery_record.key_id] = options.recovery_name;
    json::Json private_fields = {{"names", names}};
    if (!options.organisation.empty()) {
      private_fields["organisation"] = options.organisation;
    }
    CUSTODY_TRY(fs::make_directories(dir / "ledger"));
    CUSTODY_TRY(fs::make_directories(dir / "objects"));
    CUSTODY_TRY(append_admin_entry(
      dir, ledger::Tip{}, state, statement, private_fields, signing, creator));
    return InitResult{state.vault_id,
                      state.signing_public,
                      creator_record.key_id,
                      recovery_record.key_id};
  }();
  std::vector<fs::Path> created;
  auto undo = [&] {
    std::error_code ignored;
    for (const auto& path : created) {
      std::filesystem::remove(path, ignored);
    }
    std::filesystem::remove_all(dir, ignored);
  };
  if (!built) {
    undo();
    return built;
  }
  // The recovery identity reaches the disk before the vault exists, and after
  // the vault is built: a later init recognises one a kill left behind by the
  // signing key wrapped to it in the directory above
  // (interrupted_init_members).
  if (options.recovery_member != nullptr && !options.recovery_out.empty()) {
    const std::string card = options.recovery_member->card().encode();
    const std::pair<fs::Path, ByteView> files[] = {
      {options.recovery_out, options.recovery_file},
      {fs::Path(options.recovery_out.string() + ".card"), as_bytes(card)}};
    for (const auto& [path, bytes] : files) {
      bool made = false;
      auto written = create_or_keep(path, bytes, made);
      if (made) {
        created.push_back(path);
      }
      if (!written) {
        undo();
        return tl::unexpected(written.error());
      }
    }
  }
  // rename(2) replaces an empty directory, so an empty target is taken over
  // atomically.
  if (auto step = fs::fault_point("rename vault into place", target); !step) {
    undo();
    return tl::unexpected(step.error());
  }
  if (::rename(dir.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    undo();
    return tl::unexpected(
      fs::errno_error("rename the new vault into", target, saved));
  }
  // From here the vault exists and needs its recovery identity: a failure to
  // sync is reported, and nothing is removed.
  CUSTODY_TRY(fs::fsync_directory(parent));
  return built;
}

struct Vault::Impl
{
  fs::Path dir;
  fs::Lock lock;
  const identity::Member* member;
  Keyring keys;
  Loaded loaded;
  std::optional<fs::Path> known_vaults;
};

Vault::Vault(std::unique_ptr<Impl> impl)
  : m_impl(std::move(impl))
{
}
Vault::Vault(Vault&&) noexcept = default;
Vault& Vault::operator=(Vault&&) noexcept = default;
Vault::~Vault() = default;

const AdminState&
Vault::state() const
{
  return m_impl->loaded.state;
}

const MemberRecord&
Vault::me() const
{
  return m_impl->loaded.state.members.at(m_impl->member->key_id());
}

std::uint64_t
Vault::entry_count() const
{
  return m_impl->loaded.tip.count;
}

const Digest&
Vault::last_hash() const
{
  return m_impl->loaded.tip.last_hash;
}

Result<Vault>
Vault::open(const fs::Path& directory,
            const identity::Member& member,
            const OpenOptions& options,
            Notes& notes)
{
  if (!std::filesystem::is_directory(directory / "ledger")) {
    return make_error(
      Errc::not_found,
      fmt::format("{} is not a custody vault (no ledger directory)", directory),
      Remedy::check_vault);
  }
  CUSTODY_ASSIGN(lock,
                 fs::Lock::acquire(directory / "lock",
                                   options.access == Access::write
                                     ? fs::LockMode::exclusive
                                     : fs::LockMode::shared,
                                   options.wait));
  Keyring keys(directory, &member);
  auto loaded = load_with_cache(directory, keys, member, options.access, notes);
  if (!loaded) {
    if (loaded.error().code == Errc::auth) {
      return make_error(
        Errc::auth,
        fmt::format(
          "your identity ({}) cannot open this vault's admin entries: {}",
          member.key_id(),
          loaded.error().message),
        Remedy::ask_to_be_admitted);
    }
    return tl::unexpected(loaded.error());
  }
  if (loaded->tip.torn) {
    const auto& torn = *loaded->tip.torn;
    const std::string where = ledger::describe({torn.segment, torn.offset});
    if (options.access == Access::write) {
      return make_error(
        Errc::corrupt,
        fmt::format(
          "the ledger ends in a torn tail ({} bytes at {}), left by an "
          "interrupted write",
          torn.length,
          where),
        Remedy::run_verify_repair,
        "no complete entry is lost");
    }
    notes.push_back(fmt::format(
      "warning: ignoring a torn tail of {} bytes at {} (run `custody verify "
      "--repair`)",
      torn.length,
      where));
  }
  if (!loaded->state.members.contains(member.key_id())) {
    return make_error(
      Errc::auth,
      fmt::format("your identity ({}) is not a member of this vault",
                  member.key_id()),
      Remedy::ask_to_be_admitted);
  }
  if (options.access == Access::write) {
    CUSTODY_TRY(
      check_strays(directory, Objects::skip, Leftovers::remove, notes));
  }
  // R2: a repair that crashed after moving bytes aside is finished first.
  if (const auto unrecorded = unrecorded_torn(directory, loaded->state);
      !unrecorded.empty()) {
    if (options.access == Access::write) {
      return make_error(
        Errc::corrupt,
        fmt::format("ledger/{} was moved aside by a repair that did not "
                    "finish",
                    unrecorded.front()),
        Remedy::record_with_repair);
    }
    notes.push_back(fmt::format("ledger/{} was moved aside by a repair that "
                                "did not finish (run `custody verify "
                                "--repair`)",
                                unrecorded.front()));
  }
  CUSTODY_TRY(
    check_signing_key(directory, loaded->state, options.known_vaults, notes));
  CUSTODY_TRY(check_seen_tip(directory,
                             loaded->state.vault_id,
                             member.key_id(),
                             loaded->tip,
                             options.known_vaults,
                             options.accept_rollback,
                             notes));
  if (!loaded->tip.torn) {
    CUSTODY_TRY(check_head(directory, loaded->tip, options.access, notes));
  }
  CUSTODY_TRY(check_vault_yaml(directory,
                               loaded->state,
                               loaded->committed_yaml,
                               options.access,
                               false,
                               notes));
  auto impl = std::unique_ptr<Impl>(new Impl{directory,
                                             std::move(lock),
                                             &member,
                                             std::move(keys),
                                             std::move(*loaded),
                                             options.known_vaults});
  // From here on every key is checked against the whole signed state: a key
  // file no entry lists is ignored.
  impl->keys.bind(&impl->loaded.state);
  impl->keys.allow_pending(false);
  CUSTODY_TRY(impl->keys.confirm());
  return Vault(std::move(impl));
}

const fs::Path&
Vault::directory() const
{
  return m_impl->dir;
}

fs::Path
Vault::cache_directory() const
{
  return member_cache_directory(m_impl->dir, m_impl->member->key_id());
}

const age::X25519Identity&
Vault::cache_owner() const
{
  return m_impl->member->age_identity();
}

Result<age::X25519Recipient>
Vault::recipient(Compartment compartment) const
{
  return current_recipient(m_impl->loaded.state, compartment);
}

std::uint32_t
Vault::current_epoch(Compartment compartment) const
{
  return m_impl->loaded.state.compartments.at(compartment).current;
}

Result<const age::X25519Identity*>
Vault::key(Compartment compartment, std::uint32_t epoch)
{
  return m_impl->keys.compartment(compartment, epoch);
}

Result<std::vector<Vault::Appended>>
Vault::append(ledger::Kind kind,
              std::vector<std::vector<ledger::PayloadRef>> payloads)
{
  Impl& v = *m_impl;
  if (!may_write(me().role, kind)) {
    return fail(Errc::auth,
                "your role ({}) may not write {} entries",
                role_name(me().role),
                ledger::kind_name(kind));
  }
  if (kind == ledger::Kind::put) {
    for (const auto& list : payloads) {
      ledger::Entry shaped;
      shaped.payloads = list;
      CUSTODY_TRY_CTX(put_shape(shaped), "refusing to append");
    }
  }
  Batch batch(v.dir, v.loaded.tip);
  std::vector<Appended> appended;
  appended.reserve(payloads.size());
  for (auto& list : payloads) {
    const std::uint64_t seq = batch.next_seq();
    batch.add(kind, std::move(list));
    appended.push_back({seq, batch.next_prev()});
  }
  const std::uint32_t admin_epoch = current_epoch(Compartment::admin);
  CUSTODY_ASSIGN(admin_recipient, recipient(Compartment::admin));
  CUSTODY_ASSIGN(
    tip,
    batch.seal_and_append(
      *v.member, v.loaded.state.vault_id, admin_recipient, admin_epoch));
  v.loaded.tip = tip;
  keep_state_cache();
  return appended;
}

Result<void>
Vault::scan(const std::function<Result<void>(const ledger::Entry&,
                                             const Digest&)>& visit) const
{
  ledger::ChainChecker chain;
  CUSTODY_TRY(
    ledger::scan(m_impl->dir, [&](const ledger::Line& line) -> Result<void> {
      CUSTODY_ASSIGN(entry, chain.next(line));
      return visit(entry, chain.last_hash());
    }));
  return {};
}

void
Vault::keep_state_cache()
{
  // The entries are durable and the command has succeeded; the cache is
  // derived, so a failure to save it loses nothing. The next reader finds it
  // behind, replays the difference and says so if it cannot save it either.
  auto saved = save_state_cache();
  (void)saved;
  // The member has now seen her own sealed tip (R3). Failing to note it only
  // narrows what a later rollback check can catch, to the tip seen before.
  const Impl& v = *m_impl;
  if (v.known_vaults && !v.loaded.tip.torn) {
    auto remembered = remember_tip(known_tips_for(*v.known_vaults),
                                   v.loaded.state.vault_id,
                                   v.member->key_id(),
                                   SeenTip{v.loaded.tip.count,
                                           v.loaded.tip.last_hash,
                                           v.loaded.tip.last_entry,
                                           ledger::now_rfc3339()});
    (void)remembered;
  }
}

Result<void>
Vault::save_state_cache()
{
  if (m_impl->loaded.tip.torn) {
    return {};
  }
  return write_state_cache(m_impl->dir, *m_impl->member, m_impl->loaded);
}

ledger::Resume
Vault::resume_point() const
{
  return ledger::resume_point(m_impl->loaded.tip);
}

Result<bool>
Vault::scan_after(
  const ledger::Resume& resume,
  const std::function<Result<void>(
    const ledger::Entry&, const Digest&, const ledger::Location&)>& visit) const
{
  ledger::ChainChecker chain(resume.count, resume.last_hash);
  CUSTODY_ASSIGN(
    tip,
    ledger::scan_after(
      m_impl->dir, resume, [&](const ledger::Line& line) -> Result<void> {
        CUSTODY_ASSIGN(entry, chain.next(line));
        return visit(entry, chain.last_hash(), line.location);
      }));
  return tip.has_value();
}

Result<minisign::PublicKey>
Vault::signing_public() const
{
  return minisign::PublicKey::from_base64(m_impl->loaded.state.signing_public);
}

Result<checkpoint::Made>
Vault::make_checkpoint()
{
  Impl& v = *m_impl;
  auto signing = v.keys.signing(v.loaded.state.signing_epoch);
  if (!signing) {
    if (signing.error().code == Errc::auth) {
      return make_error(Errc::auth,
                        "only a member holding the vault signing key (legal) "
                        "can sign a checkpoint",
                        Remedy::ask_legal_checkpoint);
    }
    return tl::unexpected(signing.error());
  }
  const auto& tip = v.loaded.tip;
  return checkpoint::make_at_tip(v.dir,
                                 v.loaded.state.vault_id,
                                 **signing,
                                 tip.count,
                                 tip.last_hash,
                                 {tip.last_segment, tip.last_segment_size});
}

Result<Vault::AddedMember>
Vault::add_member(const identity::Card& card,
                  Role role,
                  const std::string& name)
{
  Impl& v = *m_impl;
  const AdminState& state = v.loaded.state;
  const std::string key_id = card.key_id();
  if (state.members.contains(key_id)) {
    return fail(Errc::invalid_input,
                "{} is already a member ({})",
                key_id,
                role_name(state.members.at(key_id).role));
  }
  // Only a member holding the signing key and every compartment of the role may
  // admit.
  auto signing = v.keys.signing(state.signing_epoch);
  if (!signing && signing.error().code != Errc::auth) {
    return tl::unexpected(signing.error());
  }
  if (!signing) {
    return make_error(
      Errc::auth,
      "only a member holding the vault signing key can admit members",
      Remedy::ask_legal_key_add);
  }
  MemberRecord record = member_from_card(card, role);
  json::Json key_listing = json::Json::array();
  for (Compartment c : compartments_of(role)) {
    for (const auto& [epoch, recipient] : state.compartments.at(c).recipients) {
      CUSTODY_ASSIGN_CTX(secret,
                         v.keys.compartment(c, epoch),
                         fmt::format("{} key", compartment_name(c)));
      const SecretBytes text =
        age::format_identity_file(*secret, std::chrono::system_clock::now());
      CUSTODY_ASSIGN(
        listing,
        write_key_file(
          v.dir, compartment_name(c), epoch, key_id, record.age, text.view()));
      key_listing.push_back(listing);
    }
  }
  if (role == Role::legal) {
    CUSTODY_ASSIGN(text, (*signing)->to_unencrypted_file_text());
    CUSTODY_ASSIGN(listing,
                   write_key_file(v.dir,
                                  "signing",
                                  state.signing_epoch,
                                  key_id,
                                  record.age,
                                  text.view()));
    key_listing.push_back(listing);
  }
  AdminState next_state = state;
  next_state.members[key_id] = record;
  next_state.members[key_id].admitted_seq = v.loaded.tip.count;
  for (const auto& item : key_listing) {
    next_state.key_files[item["path"].get<std::string>()] =
      item["sha256"].get<std::string>();
  }
  const json::Json statement = {{"action", "member_add"},
                                {"member", member_json(record)},
                                {"keys", key_listing}};
  json::Json names = json::Json::object();
  if (!name.empty()) {
    names[key_id] = name;
  }
  const std::uint64_t seq = v.loaded.tip.count;
  CUSTODY_ASSIGN(tip,
                 append_admin_entry(v.dir,
                                    v.loaded.tip,
                                    next_state,
                                    statement,
                                    {{"names", names}},
                                    **signing,
                                    *v.member));
  v.loaded.tip = tip;
  next_state.admin_seq = seq;
  v.loaded.state = std::move(next_state);
  v.loaded.committed_yaml[seq] = v.loaded.state.vault_yaml();
  keep_state_cache();
  return AddedMember{key_id, seq};
}

Result<VerifyReport>
verify(const fs::Path& directory,
       const identity::Member* member,
       const VerifyOptions& options)
{
  if (!std::filesystem::is_directory(directory / "ledger")) {
    return make_error(
      Errc::not_found,
      fmt::format("{} is not a custody vault (no ledger directory)", directory),
      Remedy::check_vault);
  }
  CUSTODY_ASSIGN(lock,
                 fs::Lock::acquire(directory / "lock",
                                   options.repair ? fs::LockMode::exclusive
                                                  : fs::LockMode::shared,
                                   options.wait));
  VerifyReport report;
  CUSTODY_TRY(
    checking(22,
             check_strays(directory,
                          Objects::include,
                          options.repair ? Leftovers::remove : Leftovers::note,
                          report.notes)));
  Keyring keys(directory, member);
  CUSTODY_ASSIGN(loaded, load(directory, keys, member != nullptr));
  keys.bind(&loaded.state);
  keys.allow_pending(false);
  report.admin_checked = member != nullptr;
  if (loaded.tip.torn) {
    const auto torn = *loaded.tip.torn;
    const std::string where = ledger::describe({torn.segment, torn.offset});
    if (!options.repair) {
      Error error{Errc::corrupt,
                  fmt::format("torn tail: {} bytes at {} are not a complete "
                              "entry",
                              torn.length,
                              where),
                  {},
                  Remedy::repair_torn_tail,
                  2};
      return tl::unexpected(std::move(error));
    }
    // Not a usage error here: the caller decides what a missing identity is.
    if (member == nullptr) {
      return make_error(Errc::auth,
                        "a repair needs a legal member's identity",
                        Remedy::pass_identity);
    }
    if (!loaded.state.members.contains(member->key_id())
        || loaded.state.members.at(member->key_id()).role != Role::legal) {
      return make_error(Errc::auth,
                        "only a legal member can repair the ledger");
    }
    CUSTODY_ASSIGN(signing, keys.signing(loaded.state.signing_epoch));
    // R6: the complete entries whose seal the crash tore away go with it, so
    // the command that wrote them is all or nothing (formats.md 4.4). Only a
    // batch that crossed into a new segment keeps them, listed unsealed.
    ledger::TornTail cut = torn;
    json::Json unsealed = loaded.unsealed;
    std::size_t moved_entries = 0;
    if (loaded.first_unsealed
        && loaded.first_unsealed->segment == torn.segment) {
      cut.offset = loaded.first_unsealed->offset;
      cut.length = torn.offset + torn.length - cut.offset;
      moved_entries = unsealed.size();
      unsealed = json::Json::array();
    }
    CUSTODY_ASSIGN(
      moved,
      ledger::move_torn_tail(directory, cut, recorded_torn(loaded.state)));
    if (moved_entries > 0) {
      // An admin entry among them must not count: replay what is left.
      CUSTODY_ASSIGN(left, load(directory, keys, true));
      loaded = std::move(left);
      keys.bind(&loaded.state);
    }
    ledger::Tip tip = loaded.tip;
    tip.torn.reset();
    CUSTODY_TRY(append_torn_tail(directory,
                                 tip,
                                 loaded.state,
                                 {cut.segment, cut.offset},
                                 cut.length,
                                 to_hex(moved.sha256),
                                 moved.moved_to,
                                 unsealed,
                                 *signing,
                                 *member));
    report.repaired =
      fmt::format("moved a torn tail of {} bytes at {} to ledger/{}",
                  cut.length,
                  ledger::describe({cut.segment, cut.offset}),
                  moved.moved_to);
    if (moved_entries > 0) {
      *report.repaired += fmt::format(
        "; it holds {} complete entr{} whose seal the crash tore away: the "
        "command that wrote them never finished, and nothing of it was kept "
        "(run it again)",
        moved_entries,
        moved_entries == 1 ? "y" : "ies");
    } else if (!unsealed.empty()) {
      *report.repaired +=
        fmt::format("; entries {} to {} lost their seal in it and are "
                    "recorded, unsealed, in the repair",
                    unsealed.front()["seq"].get<std::uint64_t>(),
                    unsealed.back()["seq"].get<std::uint64_t>());
    }
    // Check the repaired vault from the start, as any later verify will (the
    // lock is still ours).
    CUSTODY_ASSIGN(reloaded, load(directory, keys, true));
    loaded = std::move(reloaded);
    keys.bind(&loaded.state);
  }
  // R2: bytes a repair moved aside, with the crash before its signed entry.
  if (member != nullptr) {
    for (const auto& name : unrecorded_torn(directory, loaded.state)) {
      // Writers refuse until it is recorded, so it is a finding, as a torn
      // tail is.
      if (!options.repair) {
        return make_error(
          Errc::corrupt,
          fmt::format("ledger/{} holds bytes an interrupted repair moved "
                      "aside, and no signed entry records it yet",
                      name),
          Remedy::record_with_repair);
      }
      if (loaded.state.members.at(member->key_id()).role != Role::legal) {
        return make_error(Errc::auth,
                          "only a legal member can repair the ledger");
      }
      CUSTODY_ASSIGN(signing, keys.signing(loaded.state.signing_epoch));
      CUSTODY_ASSIGN(bytes,
                     fs::read_file(directory / "ledger" / name,
                                   ledger::k_segment_max_bytes + (1 << 20)));
      const std::size_t segment = std::stoul(name.substr(0, 6));
      std::error_code ec;
      const auto end = std::filesystem::file_size(
        directory / "ledger" / ledger::segment_name(segment), ec);
      CUSTODY_TRY(append_torn_tail(directory,
                                   loaded.tip,
                                   loaded.state,
                                   {segment, ec ? 0 : end},
                                   bytes.size(),
                                   sha256_hex(bytes),
                                   name,
                                   json::Json::array(),
                                   *signing,
                                   *member));
      report.repaired = fmt::format(
        "{}recorded ledger/{}, {} bytes an interrupted repair had moved aside",
        report.repaired ? *report.repaired + "; " : std::string(),
        name,
        bytes.size());
      CUSTODY_ASSIGN(reloaded, load(directory, keys, true));
      loaded = std::move(reloaded);
      keys.bind(&loaded.state);
    }
    // invariant 21 (R7): every recorded torn tail is kept as recorded.
    for (const auto& [name, torn] : loaded.state.torn_files) {
      auto bytes = fs::read_file(directory / name,
                                 ledger::k_segment_max_bytes + (1 << 20));
      if (!bytes) {
        return broken(
          21,
          fmt::format("{}, the torn tail a signed repair moved aside, {}",
                      name,
                      bytes.error().code == Errc::not_found
                        ? std::string("is missing")
                        : bytes.error().message),
          "restore it from a backup: the ledger records its SHA-256");
      }
      if (bytes->size() != torn.length || sha256_hex(*bytes) != torn.sha256) {
        return broken(
          21,
          fmt::format("{} is not the torn tail its signed repair recorded "
                      "({} bytes, SHA-256 {})",
                      name,
                      torn.length,
                      torn.sha256),
          "restore it from a backup");
      }
    }
  }
  const Access access = options.repair ? Access::write : Access::read;
  CUSTODY_TRY(
    checking(6, check_head(directory, loaded.tip, access, report.notes)));
  if (member != nullptr) {
    if (!loaded.state.members.contains(member->key_id())) {
      return make_error(
        Errc::auth,
        fmt::format("your identity ({}) is not a member of this vault",
                    member->key_id()));
    }
    CUSTODY_TRY(
      checking(10,
               check_signing_key(
                 directory, loaded.state, options.known_vaults, report.notes)));
    CUSTODY_TRY(checking(20,
                         check_seen_tip(directory,
                                        loaded.state.vault_id,
                                        member->key_id(),
                                        loaded.tip,
                                        options.known_vaults,
                                        options.accept_rollback,
                                        report.notes)));
    CUSTODY_TRY(checking(9,
                         check_vault_yaml(directory,
                                          loaded.state,
                                          loaded.committed_yaml,
                                          access,
                                          options.repair,
                                          report.notes)));
    CUSTODY_TRY(
      check_state_cache(directory, *member, keys, loaded, report.notes));
  } else {
    report.notes.push_back(
      "no identity given: seals, admin signatures, roles, vault.yaml and "
      "custody.pub were not checked (pass --identity)");
  }
  // invariant 8: every named object exists and matches its name; others are
  // reported.
  for (const Digest& name : loaded.objects) {
    const fs::Path path = store::object_path(directory, name);
    if (!options.hash_objects) {
      if (!std::filesystem::is_regular_file(path)) {
        return broken(8,
                      fmt::format("object {} named by the ledger is missing",
                                  to_hex(name)));
      }
      continue;
    }
    // Streamed: an attachment can be larger than memory.
    CUSTODY_TRY(store::check_object(directory, name, options.progress));
  }
  report.objects = loaded.objects.size();
  std::error_code ec;
  for (const auto& item : std::filesystem::recursive_directory_iterator(
         directory / "objects", ec)) {
    // Crash leftovers were noted (or removed) by check_strays.
    if (!item.is_regular_file()
        || item.path().filename().string().starts_with(fs::k_temp_prefix)) {
      continue;
    }
    const std::string name = item.path().parent_path().filename().string()
                             + item.path().filename().string();
    auto digest = digest_from_hex(name);
    if (!digest || !loaded.objects.contains(*digest)) {
      report.notes.push_back(
        fmt::format("object {} is not named by any entry (left by an "
                    "interrupted command; kept, not deleted)",
                    item.path().lexically_relative(directory)));
    }
  }
  // invariant 14: listed key files exist with their hash; unlisted ones are
  // reported.
  if (member != nullptr) {
    for (const auto& [path, hash] : loaded.state.key_files) {
      auto bytes = fs::read_file(directory / path, k_max_small_file);
      if (!bytes) {
        return broken(14, fmt::format("key file {} is missing", path));
      }
      if (sha256_hex(*bytes) != hash) {
        return broken(
          14,
          fmt::format(
            "key file {} does not match the hash its admin entry lists", path));
      }
    }
    std::vector<std::string> unlisted;
    for (const auto& item : std::filesystem::recursive_directory_iterator(
           directory / "keys", ec)) {
      const std::string relative =
        item.path().lexically_relative(directory).string();
      if (item.is_regular_file() && !loaded.state.key_files.contains(relative)
          && !item.path().filename().string().starts_with(fs::k_temp_prefix)) {
        unlisted.push_back(relative);
      }
    }
    // Every reader ignores such a file (docs/formats.md 2.4); a repair moves
    // it out of keys/, kept as evidence.
    for (const auto& relative : unlisted) {
      if (!options.repair) {
        report.notes.push_back(fmt::format(
          "key file {} is not listed by any signed admin entry and is ignored "
          "(left by an interrupted command, or written by someone else; "
          "`custody verify --repair` moves it aside)",
          relative));
        continue;
      }
      const fs::Path aside = directory / "unlisted" / relative;
      CUSTODY_TRY(fs::make_directories(aside.parent_path()));
      if (::rename((directory / relative).c_str(), aside.c_str()) != 0) {
        return tl::unexpected(
          fs::errno_error("move aside", directory / relative, errno));
      }
      CUSTODY_TRY(fs::fsync_directory(aside.parent_path()));
      report.notes.push_back(fmt::format(
        "key file {} is not listed by any signed admin entry; moved to "
        "unlisted/{}",
        relative,
        relative));
    }
  }
  // invariants 16-18: checkpoints, against the vault key the signed ledger
  // names (custody.pub as found when there is no identity to read it with).
  std::optional<minisign::PublicKey> vault_key;
  if (member != nullptr) {
    CUSTODY_ASSIGN(
      key, minisign::PublicKey::from_base64(loaded.state.signing_public));
    vault_key = key;
  } else {
    CUSTODY_ASSIGN(pub_text,
                   fs::read_file(directory / "custody.pub", k_max_small_file));
    auto key = minisign::PublicKey::from_file_text(as_text(pub_text));
    if (!key) {
      return broken(10, fmt::format("custody.pub: {}", key.error().message));
    }
    vault_key = *key;
  }
  const std::string vault_id = member != nullptr ? loaded.state.vault_id : "";
  CUSTODY_ASSIGN(tree, checkpoint::load_tree(directory));
  CUSTODY_ASSIGN(
    checkpoints,
    checkpoint::check_all(
      directory, tree, *vault_key, vault_id, report.notes, options.tsa_ca));
  report.checkpoints = checkpoints;
  if (options.against) {
    CUSTODY_ASSIGN(against,
                   checkpoint::check_against(
                     directory, *options.against, tree, *vault_key, vault_id));
    report.against = std::move(against);
  }
  report.entries = loaded.tip.count;
  report.members = loaded.state.members.size();
  return report;
}

Result<std::vector<LogEntry>>
read_log(const fs::Path& directory,
         const identity::Member* member,
         std::chrono::milliseconds wait,
         Notes& notes)
{
  if (!std::filesystem::is_directory(directory / "ledger")) {
    return make_error(
      Errc::not_found,
      fmt::format("{} is not a custody vault (no ledger directory)", directory),
      Remedy::check_vault);
  }
  CUSTODY_ASSIGN(
    lock, fs::Lock::acquire(directory / "lock", fs::LockMode::shared, wait));
  Keyring keys(directory, member);
  // The signed state first, so that only keys it vouches for open the details.
  // A vault that does not replay still shows its entries, without details.
  std::optional<Loaded> loaded;
  if (member != nullptr) {
    auto replayed = load(directory, keys, true);
    keys.bind(nullptr);
    keys.allow_pending(false);
    if (replayed) {
      loaded = std::move(*replayed);
      keys.bind(&loaded->state);
    } else {
      notes.push_back(fmt::format("entry details are not shown: {}",
                                  replayed.error().message));
    }
  }
  std::vector<LogEntry> entries;
  ledger::ChainChecker chain;
  CUSTODY_ASSIGN(
    tip, ledger::scan(directory, [&](const ledger::Line& line) -> Result<void> {
      CUSTODY_ASSIGN(entry, chain.next(line));
      LogEntry item{std::move(entry), chain.last_hash(), line.location, {}};
      if (member != nullptr
          && (item.entry.kind == ledger::Kind::admin
              || item.entry.kind == ledger::Kind::seal)
          && !item.entry.payloads.empty()) {
        auto key =
          keys.compartment(Compartment::admin, item.entry.payloads[0].epoch);
        if (key) {
          auto opened =
            store::open_document(directory, item.entry.payloads[0], **key);
          if (opened && opened->document.contains("statement")) {
            const auto& statement = opened->document["statement"];
            item.detail = statement.value("action", "");
            if (statement.contains("member")) {
              item.detail +=
                fmt::format(" {} as {}",
                            statement["member"].value("key_id", ""),
                            statement["member"].value("role", ""));
            }
          } else if (opened && opened->document.contains("seal")) {
            const auto& seal = opened->document["seal"];
            item.detail =
              fmt::format("by {} over {} {}",
                          seal.value("member", ""),
                          seal.value("covers", json::Json::array()).size(),
                          seal.value("covers", json::Json::array()).size() == 1
                            ? "entry"
                            : "entries");
          }
        }
      }
      entries.push_back(std::move(item));
      return {};
    }));
  if (tip.torn) {
    notes.push_back(fmt::format(
      "warning: ignoring a torn tail of {} bytes at {} (run `custody verify "
      "--repair`)",
      tip.torn->length,
      ledger::describe({tip.torn->segment, tip.torn->offset})));
  }
  return entries;
}

} // namespace custody::vault
