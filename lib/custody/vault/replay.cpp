// The replay: the signed ledger, entry by entry, into the admin state, with
// the checks each entry must pass on the way; and the full load built on it.

#include <custody/crypto/crypto.hpp>
#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

namespace custody::vault::detail {

namespace {

Result<std::string>
string_field(const json::Json& object, const char* key)
{
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return fail(Errc::corrupt, "field \"{}\" missing or not a string", key);
  }
  return it->get<std::string>();
}

} // namespace

Replay::Replay(fs::Path vault,
               Keyring& keys,
               bool have_member,
               bool collect_objects)
  : m_vault(std::move(vault)),
    m_keys(keys),
    m_have_member(have_member),
    m_collect_objects(collect_objects)
{
  m_keys.bind(&m_state);
  m_keys.allow_pending(true);
}

Replay::Replay(fs::Path vault,
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
Replay::entry(const ledger::Entry& entry,
              const Digest& hash,
              const ledger::Location& where)
{
  auto result = check(entry, hash, where);
  if (!result) {
    // A key the member lacks is not damage to the vault: keep Errc::auth.
    // Context added, not the error rebuilt: its remedy and invariant stay.
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

Result<void>
Replay::finish() const
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

std::optional<ledger::Location>
Replay::first_unsealed() const
{
  if (m_unsealed.empty()) {
    return std::nullopt;
  }
  return m_unsealed.front().location;
}

json::Json
Replay::unsealed() const
{
  json::Json list = json::Json::array();
  for (const auto& item : m_unsealed) {
    list.push_back({{"seq", item.seq}, {"hash", to_hex(item.hash)}});
  }
  return list;
}

Result<void>
Replay::check(const ledger::Entry& entry,
              const Digest& hash,
              const ledger::Location& where)
{
  if (m_collect_objects) {
    for (const auto& payload : entry.payloads) {
      m_objects.insert(payload.obj);
    }
  }
  if (entry.seq == 0 && entry.kind != ledger::Kind::admin) {
    return fail(Errc::corrupt, "the first entry must be the init admin entry");
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
                  fmt::format("entry {}: custody writes no checkpoint entries; "
                              "checkpoints live in checkpoints/",
                              entry.seq));
  case ledger::Kind::put:
    CUSTODY_TRY(checking(7, check_put(entry)));
    break;
  case ledger::Kind::release:
    // invariant 7: [facts compartment: the release document]
    if (entry.payloads.size() != 1) {
      return broken(7,
                    fmt::format("entry {}: a release entry has 1 payload, "
                                "this one {}",
                                entry.seq,
                                entry.payloads.size()));
    }
    CUSTODY_TRY(checking(
      7, known_epoch(Compartment::facts, entry.payloads[0].epoch, entry.seq)));
    break;
  case ledger::Kind::export_:
    // invariant 7: [identity compartment: the export document] and, for a
    // proposal, the proposed content in aggressor or facts (docs/formats.md
    // 6.7, 6.7.1)
    if (entry.payloads.size() != 1 && entry.payloads.size() != 2) {
      return broken(7,
                    fmt::format("entry {}: an export entry has 1 or 2 "
                                "payloads, this one {}",
                                entry.seq,
                                entry.payloads.size()));
    }
    CUSTODY_TRY(checking(
      7,
      known_epoch(Compartment::identity, entry.payloads[0].epoch, entry.seq)));
    if (entry.payloads.size() == 2
        && !known_epoch(
          Compartment::aggressor, entry.payloads[1].epoch, entry.seq)
        && !known_epoch(
          Compartment::facts, entry.payloads[1].epoch, entry.seq)) {
      return broken(7,
                    fmt::format("entry {}: a proposal's content is encrypted "
                                "to no epoch the vault knows",
                                entry.seq));
    }
    break;
  case ledger::Kind::approval:
    // invariant 7: [admin compartment: the approval document] (6.8)
    if (entry.payloads.size() != 1) {
      return broken(7,
                    fmt::format("entry {}: an approval entry has 1 payload, "
                                "this one {}",
                                entry.seq,
                                entry.payloads.size()));
    }
    CUSTODY_TRY(checking(
      7, known_epoch(Compartment::admin, entry.payloads[0].epoch, entry.seq)));
    break;
  case ledger::Kind::redaction:
    // invariant 7: [identity: the redaction document, aggressor: the release
    // document] and, for a photo, the derivative's media object, encrypted to
    // either (docs/formats.md 6.6, 6.6.1)
    if (entry.payloads.size() != 2 && entry.payloads.size() != 3) {
      return broken(7,
                    fmt::format("entry {}: a redaction entry has 2 or 3 "
                                "payloads, this one {}",
                                entry.seq,
                                entry.payloads.size()));
    }
    CUSTODY_TRY(checking(
      7,
      known_epoch(Compartment::identity, entry.payloads[0].epoch, entry.seq)));
    CUSTODY_TRY(checking(
      7,
      known_epoch(Compartment::aggressor, entry.payloads[1].epoch, entry.seq)));
    if (entry.payloads.size() == 3
        && !known_epoch(
          Compartment::identity, entry.payloads[2].epoch, entry.seq)
        && !known_epoch(
          Compartment::aggressor, entry.payloads[2].epoch, entry.seq)) {
      return broken(7,
                    fmt::format("entry {}: the derivative's epoch {} is no "
                                "identity or aggressor epoch",
                                entry.seq,
                                entry.payloads[2].epoch));
    }
    break;
  default:
    CUSTODY_TRY(checking(7, check_epochs(entry)));
    break;
  }
  m_unsealed.push_back(
    {entry.seq, hash, entry.kind, where, entry.payloads.size()});
  return {};
}

Result<void>
Replay::check_epochs(const ledger::Entry& entry) const
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

Result<void>
Replay::check_put(const ledger::Entry& entry) const
{
  CUSTODY_ASSIGN(shape, put_shape(entry));
  for (std::size_t i = 0; i < entry.payloads.size(); ++i) {
    CUSTODY_TRY(known_epoch(
      put_compartment(shape, i), entry.payloads[i].epoch, entry.seq));
  }
  return {};
}

Result<void>
Replay::known_epoch(Compartment compartment,
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
Replay::open_admin_payload(const ledger::PayloadRef& ref, std::uint64_t seq)
{
  CUSTODY_TRY(known_epoch(Compartment::admin, ref.epoch, seq));
  CUSTODY_ASSIGN(key, m_keys.compartment(Compartment::admin, ref.epoch));
  return store::open_document(m_vault, ref, *key);
}

Result<void>
Replay::check_admin(const ledger::Entry& entry)
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
    return fail(Errc::corrupt,
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
    m_state.torn_files[moved_to] = {statement.value("length", std::uint64_t{0}),
                                    torn_sha256};
  } else if (action == "policy_set") {
    CUSTODY_TRY(apply_policy_set(statement));
  } else if (action == "terms_set") {
    // The list itself is in the private document, which only legal opens.
    m_state.terms_seq = entry.seq;
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
  auto key = m_keys.compartment(Compartment::identity, entry.payloads[1].epoch);
  if (key) {
    CUSTODY_TRY(store::open_document(m_vault, entry.payloads[1], **key));
  } else if (key.error().code != Errc::auth) {
    return tl::unexpected(key.error());
  }
  return {};
}

// docs/formats.md 6.1: a policy_set changes the small-cell floor and the
// bulletins' least k (each only upwards) and the redaction settings, and
// nothing else.
Result<void>
Replay::apply_policy_set(const json::Json& statement)
{
  if (!statement.contains("policy") || !statement["policy"].is_object()) {
    return fail(Errc::corrupt, "policy_set names no policy");
  }
  const json::Json& policy = statement["policy"];
  CUSTODY_ASSIGN(policy_hash, string_field(statement, "policy_sha256"));
  if (sha256_hex(as_bytes(json::canonical(policy))) != policy_hash) {
    return fail(Errc::corrupt,
                "policy_set: policy_sha256 does not match the policy");
  }
  json::Json others = policy;
  json::Json current = m_state.policy;
  for (const char* key :
       {"small_cell_floor", "bulletin_min_reports", "redaction"}) {
    others.erase(key);
    current.erase(key);
  }
  if (others != current) {
    return fail(Errc::corrupt,
                "policy_set changes more than the small-cell floor, "
                "bulletin_min_reports and the redaction settings");
  }
  if (!policy.contains("small_cell_floor")
      || !policy["small_cell_floor"].is_number_unsigned()
      || policy["small_cell_floor"].get<std::uint64_t>()
           < small_cell_floor(m_state.policy)) {
    return fail(Errc::corrupt, "policy_set lowers the small-cell floor");
  }
  if (policy.contains("bulletin_min_reports")
      && (!policy["bulletin_min_reports"].is_number_unsigned()
          || policy["bulletin_min_reports"].get<std::uint64_t>()
               < bulletin_min_reports(m_state.policy))) {
    return fail(Errc::corrupt, "policy_set lowers bulletin_min_reports");
  }
  if (m_state.policy.contains("bulletin_min_reports")
      && !policy.contains("bulletin_min_reports")) {
    return fail(Errc::corrupt, "policy_set drops bulletin_min_reports");
  }
  if (policy.contains("redaction")) {
    CUSTODY_TRY(check_redaction_policy(policy["redaction"]));
  }
  if (policy == m_state.policy) {
    return fail(Errc::corrupt, "policy_set changes nothing");
  }
  m_state.policy = policy;
  return {};
}

Result<void>
Replay::apply_init(const json::Json& statement)
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
    CUSTODY_ASSIGN(recipient,
                   string_field(statement["compartments"][name], "recipient"));
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
    return fail(Errc::corrupt, "init: policy_sha256 does not match the policy");
  }
  return {};
}

Result<void>
Replay::record_keys(const json::Json& statement)
{
  if (!statement.contains("keys") || !statement["keys"].is_array()) {
    return fail(Errc::corrupt, "the statement lists no key files");
  }
  for (const auto& item : statement["keys"]) {
    CUSTODY_ASSIGN(path, string_field(item, "path"));
    CUSTODY_ASSIGN(hash, string_field(item, "sha256"));
    if (m_state.key_files.contains(path)) {
      return fail(Errc::corrupt,
                  "key file {} is listed twice (key files are never rewritten)",
                  path);
    }
    m_state.key_files[path] = hash;
  }
  return {};
}

Result<void>
Replay::account_for_unsealed(const json::Json& statement)
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
Replay::check_seal(const ledger::Entry& entry)
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
    return broken(12,
                  fmt::format("sealed by {}, who is not a member", member_id));
  }
  auto public_key = from_base64(member->second.ed25519, Padding::yes);
  auto signature = from_base64(signature_text, Padding::yes);
  const std::string message = "custody-seal-v1\n" + json::canonical(seal);
  // invariant 11: the seal's signature
  if (!public_key || !signature
      || !identity::verify_ed25519(
        *public_key, as_bytes(message), *signature)) {
    return broken(
      11, fmt::format("the seal's signature by {} does not verify", member_id));
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
    return make_error(
      Errc::corrupt,
      "the seal does not cover exactly the entries since the previous seal",
      "an entry was inserted, removed or altered after it was sealed");
  }
  // invariant 23: a record is named on the put that creates it, which has a
  // record's four payloads; whether it creates that record only a reader of
  // the payloads can tell (verify --index).
  CUSTODY_ASSIGN(named, sealed_records(seal));
  for (const auto& record : named) {
    const Unsealed& covered = m_unsealed[record.seq - m_unsealed.front().seq];
    if (covered.kind != ledger::Kind::put || covered.payloads != 4) {
      return broken(23,
                    fmt::format("the seal names record {} on entry {}, which "
                                "is not a put of a record's four payloads",
                                key_hex(record.id),
                                record.seq));
    }
  }
  if (m_collect_objects) {
    m_records.insert(m_records.end(), named.begin(), named.end());
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
  Loaded loaded{tip,
                std::move(replay.state()),
                replay.objects(),
                replay.committed_yaml(),
                replay.unsealed(),
                replay.first_unsealed(),
                std::nullopt,
                std::nullopt};
  if (replay.collects()) {
    auto records = RecordSet::from(std::move(replay.records()));
    if (records) {
      loaded.records = std::move(*records);
    } else {
      loaded.records_error = std::move(records.error());
    }
  }
  return loaded;
}

Result<Loaded>
load(const fs::Path& vault,
     Keyring& keys,
     bool have_member,
     std::optional<std::uint64_t> up_to)
{
  ledger::ChainChecker chain;
  Replay replay(vault, keys, have_member, true);
  CUSTODY_ASSIGN(tip,
                 ledger::scan(
                   vault,
                   [&](const ledger::Line& line) -> Result<void> {
                     CUSTODY_ASSIGN(entry, chain.next(line));
                     return replay.entry(
                       entry, chain.last_hash(), line.location);
                   },
                   up_to));
  return finish_load(vault, tip, replay);
}

} // namespace custody::vault::detail
