// The open vault: Vault::open and what it holds, and the commands that
// append to the ledger, each command's entries sealed in one durable write.

#include <custody/crypto/crypto.hpp>
#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

namespace custody::vault::detail {

namespace {

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
  add(ledger::Kind kind,
      std::vector<ledger::PayloadRef> payloads,
      const std::optional<CreatedRecord>& creates = std::nullopt)
  {
    ledger::Entry entry;
    entry.seq = next_seq();
    entry.time = ledger::now_rfc3339();
    entry.kind = kind;
    entry.prev = m_prev;
    entry.payloads = std::move(payloads);
    m_entries.push_back(ledger::encode_entry(entry));
    m_creates.push_back(creates);
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
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
      json::Json cover = {{"seq", m_entries[i].seq},
                          {"hash", to_hex(m_entries[i].hash)}};
      // docs/formats.md 6.4: the record list every member checks ids against.
      if (m_creates[i]) {
        cover["record"] = key_hex(m_creates[i]->id);
        cover["form"] = key_hex(m_creates[i]->form);
      }
      covers.push_back(std::move(cover));
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
  std::vector<std::optional<CreatedRecord>> m_creates;
};

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

Result<age::X25519Recipient>
current_recipient(const AdminState& state, Compartment c)
{
  const auto& keys = state.compartments.at(c);
  return age::X25519Recipient::parse(keys.recipients.at(keys.current));
}

} // namespace

Result<ledger::Tip>
append_admin_entry(const fs::Path& vault,
                   const ledger::Tip& tip,
                   AdminState next,
                   json::Json statement,
                   const json::Json& private_fields,
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

} // namespace custody::vault::detail

namespace custody::vault {

using namespace detail;

struct Vault::Impl
{
  fs::Path dir;
  // nullopt once a reader released it (release_lock: a snapshot)
  std::optional<fs::Lock> lock;
  const identity::Member* member;
  Keyring keys;
  Loaded loaded;
  std::optional<fs::Path> known_vaults;
  Access access = Access::read;
  // The record list, once records() loaded it, and whether the member's copy
  // lags it.
  std::optional<RecordSet> records;
  bool records_changed = false;
  std::optional<SecretBytes> form_key;
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
  CUSTODY_TRY(require_vault_directory(directory));
  CUSTODY_ASSIGN(lock,
                 fs::Lock::acquire(directory / "lock",
                                   options.access == Access::write
                                     ? fs::LockMode::exclusive
                                     : fs::LockMode::shared,
                                   options.wait));
  Keyring keys(directory, &member);
  auto loaded = load_with_cache(
    directory, keys, member, options.access, options.save_caches, notes);
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
    notes.emplace_back(
      Note::Level::warning,
      fmt::format("ignoring a torn tail of {} bytes at {} (run `custody verify "
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
  // HEAD before the tip she saw: a changed last entry is then named as what it
  // is (HEAD no longer matches it), not taken for a rollback.
  if (!loaded->tip.torn) {
    CUSTODY_TRY(check_head(directory, loaded->tip, options.access, notes));
  }
  CUSTODY_TRY(check_seen_tip(directory,
                             loaded->state.vault_id,
                             member.key_id(),
                             loaded->tip,
                             options.known_vaults,
                             options.accept_rollback,
                             notes));
  CUSTODY_TRY(check_vault_yaml(directory,
                               loaded->state,
                               loaded->committed_yaml,
                               options.access,
                               false,
                               notes));
  // Impl is an aggregate, which clang 14 cannot build through make_unique's
  // parentheses. NOLINTNEXTLINE(modernize-make-unique)
  auto impl = std::unique_ptr<Impl>(new Impl{directory,
                                             std::move(lock),
                                             &member,
                                             std::move(keys),
                                             std::move(*loaded),
                                             options.known_vaults,
                                             options.access,
                                             std::nullopt,
                                             false,
                                             std::nullopt});
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
  std::vector<NewEntry> entries;
  entries.reserve(payloads.size());
  for (auto& list : payloads) {
    entries.push_back({std::move(list), std::nullopt});
  }
  return append(kind, std::move(entries));
}

Result<std::vector<Vault::Appended>>
Vault::append(ledger::Kind kind, std::vector<NewEntry> entries)
{
  Impl& v = *m_impl;
  if (!may_write(me().role, kind)) {
    return fail(Errc::auth,
                "your role ({}) may not write {} entries",
                role_name(me().role),
                ledger::kind_name(kind));
  }
  for (const auto& item : entries) {
    if (kind != ledger::Kind::put && !item.creates) {
      continue;
    }
    ledger::Entry shaped;
    shaped.kind = kind;
    shaped.payloads = item.payloads;
    CUSTODY_ASSIGN_CTX(shape, put_shape(shaped), "refusing to append");
    // invariant 23: a record is named on a put of the record's shape.
    if (item.creates
        && (kind != ledger::Kind::put || shape != PutShape::record)) {
      return make_error(Errc::internal,
                        "refusing to append: only a record's put names the "
                        "record it creates");
    }
  }
  Batch batch(v.dir, v.loaded.tip);
  std::vector<Appended> appended;
  std::vector<SealedRecord> created;
  appended.reserve(entries.size());
  for (auto& item : entries) {
    const std::uint64_t seq = batch.next_seq();
    batch.add(kind, std::move(item.payloads), item.creates);
    appended.push_back({seq, batch.next_prev()});
    if (item.creates) {
      created.push_back({item.creates->id, item.creates->form, seq});
    }
  }
  if (!v.records && v.loaded.records) {
    // The open replayed the ledger from the start: its list reaches the tip.
    v.records = std::move(v.loaded.records);
    v.records_changed = true;
  }
  v.loaded.records.reset();
  // invariant 23: a record named twice is refused before anything is
  // written (ids are random: only a caller's bug names one again).
  if (v.records) {
    for (const auto& record : created) {
      if (v.records->find(record.id) != nullptr) {
        return make_error(Errc::internal,
                          fmt::format("refusing to append: record {} exists",
                                      key_hex(record.id)));
      }
    }
    CUSTODY_TRY_CTX(RecordSet::from(created), "refusing to append");
  }
  const std::uint32_t admin_epoch = current_epoch(Compartment::admin);
  CUSTODY_ASSIGN(admin_recipient, recipient(Compartment::admin));
  CUSTODY_ASSIGN(
    tip,
    batch.seal_and_append(
      *v.member, v.loaded.state.vault_id, admin_recipient, admin_epoch));
  v.loaded.tip = tip;
  keep_state_cache();
  if (v.records) {
    // Checked above: nothing in it is named twice.
    if (v.records->add(std::move(created))) {
      v.records_changed = true;
      // Derived, as the state cache is: a failure to save it loses nothing.
      Notes ignored;
      save_records(ignored);
    } else {
      v.records.reset();
    }
  }
  return appended;
}

Result<const RecordSet*>
Vault::records(Notes& notes)
{
  Impl& v = *m_impl;
  if (!v.records && v.loaded.records) {
    // The open replayed the ledger from the start and read every seal.
    v.records = std::move(v.loaded.records);
    v.loaded.records.reset();
    v.records_changed = true;
  }
  if (!v.records && v.loaded.records_error) {
    return tl::unexpected(*v.loaded.records_error);
  }
  if (!v.records) {
    CUSTODY_ASSIGN(
      loaded,
      load_record_set(
        v.dir, v.keys, *v.member, v.loaded.state, v.loaded.tip, notes));
    v.records = std::move(loaded.set);
    v.records_changed = loaded.changed;
  }
  return &*v.records;
}

void
Vault::save_records(Notes& notes)
{
  Impl& v = *m_impl;
  // Saved only at a sealed tip, as the state cache is: after a torn tail the
  // next repair moves unsealed entries aside, and the position with them.
  if (!v.records || !v.records_changed || v.loaded.tip.torn
      || v.loaded.first_unsealed) {
    return;
  }
  auto saved = write_record_set(
    v.dir, *v.member, v.loaded.state.vault_id, v.loaded.tip, *v.records);
  if (!saved) {
    notes.push_back(fmt::format("could not save your record list: {}",
                                saved.error().message));
    return;
  }
  v.records_changed = false;
}

Result<RecordKey>
Vault::form_hash(const Digest& form_sha256)
{
  Impl& v = *m_impl;
  if (!v.form_key) {
    // docs/formats.md 2.7, 6.4.1: every member holds admin's epoch 0, so
    // every writer derives the same key, before and after a rotation.
    CUSTODY_ASSIGN(key,
                   derived_secret(Compartment::admin, k_form_duplicate_label));
    v.form_key = std::move(key);
  }
  const Digest mac = hmac_sha256(v.form_key->view(), form_sha256);
  RecordKey hash{};
  std::copy_n(mac.begin(), hash.size(), hash.begin());
  return hash;
}

Result<void>
Vault::scan(const std::function<Result<void>(const ledger::Entry&,
                                             const Digest&)>& visit) const
{
  ledger::ChainChecker chain;
  // Up to the tip this vault was opened at (or appended to): what a writer
  // appends after a reader released its lock is not read.
  CUSTODY_TRY(ledger::scan(
    m_impl->dir,
    [&](const ledger::Line& line) -> Result<void> {
      CUSTODY_ASSIGN(entry, chain.next(line));
      return visit(entry, chain.last_hash());
    },
    m_impl->loaded.tip.count));
  return {};
}

const ledger::Tip&
Vault::tip() const
{
  return m_impl->loaded.tip;
}

Result<void>
Vault::release_lock()
{
  if (m_impl->lock && m_impl->access == Access::write) {
    return make_error(Errc::internal,
                      "a vault opened for writing keeps its lock");
  }
  m_impl->lock.reset();
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
  CUSTODY_ASSIGN(tip,
                 ledger::scan_after(
                   m_impl->dir,
                   resume,
                   [&](const ledger::Line& line) -> Result<void> {
                     CUSTODY_ASSIGN(entry, chain.next(line));
                     return visit(entry, chain.last_hash(), line.location);
                   },
                   m_impl->loaded.tip.count));
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
  CUSTODY_ASSIGN(signing,
                 signing_key_for("admit members", Remedy::ask_legal_key_add));
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
    CUSTODY_ASSIGN(text, signing->to_unencrypted_file_text());
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
  CUSTODY_ASSIGN(
    seq,
    commit_admin(
      std::move(next_state), statement, {{"names", names}}, *signing));
  return AddedMember{key_id, seq};
}

Result<const minisign::SecretKey*>
Vault::signing_key_for(std::string_view what, Remedy remedy)
{
  auto signing = m_impl->keys.signing(m_impl->loaded.state.signing_epoch);
  if (!signing && signing.error().code != Errc::auth) {
    return tl::unexpected(signing.error());
  }
  if (!signing) {
    return make_error(
      Errc::auth,
      fmt::format("only a member holding the vault signing key can {}", what),
      remedy);
  }
  return *signing;
}

Result<std::uint64_t>
Vault::commit_admin(AdminState next,
                    const json::Json& statement,
                    const json::Json& private_fields,
                    const minisign::SecretKey& signing)
{
  Impl& v = *m_impl;
  const std::uint64_t seq = v.loaded.tip.count;
  CUSTODY_ASSIGN(tip,
                 append_admin_entry(v.dir,
                                    v.loaded.tip,
                                    next,
                                    statement,
                                    private_fields,
                                    signing,
                                    *v.member));
  v.loaded.tip = tip;
  next.admin_seq = seq;
  v.loaded.state = std::move(next);
  v.loaded.committed_yaml[seq] = v.loaded.state.vault_yaml();
  keep_state_cache();
  return seq;
}

namespace {

// The statement of a `policy_set` admin entry (docs/formats.md 6.1).
json::Json
policy_set_statement(const json::Json& policy)
{
  return {{"action", "policy_set"},
          {"policy", policy},
          {"policy_sha256", sha256_hex(as_bytes(json::canonical(policy)))},
          {"keys", json::Json::array()}};
}

} // namespace

// A policy number that is only ever raised (the small-cell floor, the
// bulletins' least k), set by a signed policy_set.
Result<std::uint64_t>
Vault::raise_policy_number(std::string_view key,
                           std::string_view name,
                           std::uint64_t value,
                           std::uint64_t current)
{
  CUSTODY_ASSIGN(
    signing, signing_key_for("change the policy", Remedy::ask_legal_policy));
  if (value <= current) {
    return fail(Errc::invalid_input,
                "{} is {}; it can only be raised, so give more than {}",
                name,
                current,
                current);
  }
  AdminState next_state = m_impl->loaded.state;
  next_state.policy[std::string(key)] = value;
  const json::Json statement = policy_set_statement(next_state.policy);
  return commit_admin(
    std::move(next_state), statement, json::Json::object(), *signing);
}

Result<std::uint64_t>
Vault::raise_small_cell_floor(std::uint64_t floor)
{
  return raise_policy_number("small_cell_floor",
                             "the small-cell floor",
                             floor,
                             small_cell_floor(m_impl->loaded.state.policy));
}

Result<std::uint64_t>
Vault::raise_bulletin_min_reports(std::uint64_t k)
{
  return raise_policy_number("bulletin_min_reports",
                             "bulletin_min_reports",
                             k,
                             bulletin_min_reports(m_impl->loaded.state.policy));
}

Result<std::uint64_t>
Vault::set_redaction_policy(const RedactionPolicy& redaction)
{
  CUSTODY_ASSIGN(
    signing, signing_key_for("change the policy", Remedy::ask_legal_policy));
  const AdminState& state = m_impl->loaded.state;
  AdminState next_state = state;
  next_state.policy["redaction"] = {{"phone_regions", redaction.phone_regions},
                                    {"id_patterns", redaction.id_patterns}};
  if (next_state.policy == state.policy) {
    return fail(Errc::invalid_input,
                "the policy's redaction settings are these already");
  }
  const json::Json statement = policy_set_statement(next_state.policy);
  return commit_admin(
    std::move(next_state), statement, json::Json::object(), *signing);
}

Result<std::uint64_t>
Vault::set_terms(const json::Json& terms)
{
  CUSTODY_ASSIGN(
    signing, signing_key_for("change the term list", Remedy::ask_legal_policy));
  AdminState next_state = m_impl->loaded.state;
  next_state.terms_seq = m_impl->loaded.tip.count;
  const json::Json statement = {{"action", "terms_set"},
                                {"keys", json::Json::array()}};
  return commit_admin(
    std::move(next_state), statement, {{"terms", terms}}, *signing);
}

Result<json::Json>
Vault::terms()
{
  // Refused to a member who does not hold identity even while there is no
  // list: whether one exists is for legal members to know.
  CUSTODY_TRY_CTX(
    key(Compartment::identity, current_epoch(Compartment::identity)),
    "the term list is in the identity compartment");
  const std::uint64_t seq = m_impl->loaded.state.terms_seq;
  if (seq == 0) {
    return json::Json::array();
  }
  // One admin entry among all: found by a scan of the envelopes, which an
  // interactive redaction can afford; its private document opened with the
  // identity key and its commitment checked.
  std::optional<ledger::PayloadRef> found;
  CUSTODY_TRY(
    scan([&](const ledger::Entry& entry, const Digest&) -> Result<void> {
      if (entry.seq == seq && entry.kind == ledger::Kind::admin
          && entry.payloads.size() == 2) {
        found = entry.payloads[1];
      }
      return {};
    }));
  if (!found) {
    return fail(Errc::corrupt, "the term list's entry {} is missing", seq);
  }
  CUSTODY_ASSIGN_CTX(key,
                     this->key(Compartment::identity, found->epoch),
                     "the term list is in the identity compartment");
  CUSTODY_ASSIGN(opened, store::open_document(m_impl->dir, *found, *key));
  const json::Json terms = opened.document.value("terms", json::Json::array());
  if (!terms.is_array()) {
    return fail(Errc::corrupt, "entry {}: the term list is not a list", seq);
  }
  return terms;
}

Result<SecretBytes>
Vault::derived_secret(Compartment compartment, std::string_view label)
{
  Impl& v = *m_impl;
  CUSTODY_ASSIGN_CTX(secret,
                     v.keys.compartment(compartment, 0),
                     fmt::format("{} key", compartment_name(compartment)));
  return hkdf_sha256(
    secret->secret_key(), as_bytes(v.loaded.state.vault_id), label, 32);
}

} // namespace custody::vault
