// The vault: its trust root, members and compartment keys replayed from signed
// admin entries, and the commands that change them (docs/formats.md sections 2,
// 6-9).
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/notes.hpp>
#include <custody/crypto/age/age.hpp>
#include <custody/crypto/minisign.hpp>
#include <custody/keys/identity.hpp>
#include <custody/ledger/checkpoint.hpp>
#include <custody/ledger/ledger.hpp>
#include <custody/sys/fs.hpp>
#include <custody/vault/record_set.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace custody::vault {

enum class Role { legal, data, advocacy, intake };
enum class Compartment { identity, narrative, facts, aggressor, admin };

constexpr Compartment k_compartments[] = {Compartment::identity,
                                          Compartment::narrative,
                                          Compartment::facts,
                                          Compartment::aggressor,
                                          Compartment::admin};

std::string_view role_name(Role role);
[[nodiscard]] Result<Role> parse_role(std::string_view name);
std::string_view compartment_name(Compartment compartment);
// The compartments a role holds (docs/formats.md 2.3).
std::vector<Compartment> compartments_of(Role role);
// Whether a member of `role` may seal an entry of `kind` (invariant 12).
bool may_write(Role role, ledger::Kind kind);
// The two shapes of a `put` entry (invariant 7, docs/formats.md 6.2 and
// 6.2.1): a record is 4 payloads, one per record compartment in the order
// identity, narrative, facts, aggressor; an attachment is 2, its document and
// its media, both identity. The one rule the replay, the index and `verify
// --deep` use.
enum class PutShape { record, attachment };
[[nodiscard]] Result<PutShape> put_shape(const ledger::Entry& entry);
// The compartment of payload `index` of a put of `shape`.
Compartment put_compartment(PutShape shape, std::size_t index);

// Whether a member of `role` may seal an amendment of a record (invariant 19):
// only a role holding every record compartment.
bool may_amend(Role role);

struct MemberRecord
{
  std::string key_id;
  Role role = Role::intake;
  std::string age;            // age1...
  std::string ed25519;        // base64
  std::string card_signature; // base64
  std::uint64_t admitted_seq = 0;
};

struct CompartmentKeys
{
  std::uint32_t current = 0;
  std::map<std::uint32_t, std::string> recipients; // epoch -> age1...
};

// The administrative state the signed admin entries build up.
struct AdminState
{
  std::string vault_id;
  std::uint64_t admin_seq = 0;
  std::string signing_public; // minisign public key, base64 ("RW...")
  // SHA-256 of the whole custody.pub file, comment line included, as the init
  // statement committed to it.
  std::string custody_pub_sha256;
  std::uint32_t signing_epoch = 0;
  std::map<Compartment, CompartmentKeys> compartments;
  std::map<std::string, MemberRecord> members; // by key id
  json::Json policy;
  // The organisation's districts and regions ({code: {name, region,
  // region_name}}), or null.
  json::Json places;
  std::map<std::string, std::string>
    key_files; // path -> sha256 hex, every listed key file
  // Every torn tail a signed repair moved aside, by the file it went to
  // ("ledger/000000.torn"): its length and SHA-256 (invariant 21).
  struct TornFile
  {
    std::uint64_t length = 0;
    std::string sha256;
  };
  std::map<std::string, TornFile> torn_files;
  // The seq of the latest `terms_set` entry, whose private document holds the
  // vault's term list (docs/formats.md 6.1), or 0 when none was set.
  std::uint64_t terms_seq = 0;

  // The exact vault.yaml text for this state (docs/formats.md section 8).
  std::string vault_yaml() const;
};

// The policy's small-cell floor: the least threshold a statistics release may
// use (5 when the policy names none).
std::uint64_t small_cell_floor(const json::Json& policy);

// The policy's least k of safety bulletins: the distinct persons' reports an
// item's region and window must hold (3 when the policy names none).
std::uint64_t bulletin_min_reports(const json::Json& policy);

// The policy's redaction settings (docs/formats.md 6.6): the regions whose
// national phone formats are looked for, and the patterns of national ID
// numbers. Empty when the policy sets none.
struct RedactionPolicy
{
  std::vector<std::string> phone_regions;
  std::vector<std::string> id_patterns;
};
RedactionPolicy redaction_policy(const json::Json& policy);
// Errc::corrupt unless `value` is a redaction object of the shape 6.6 gives.
[[nodiscard]] Result<void> check_redaction_policy(const json::Json& value);

// Things worth telling the user that are not failures (base/notes.hpp).
using Notes = custody::Notes;

struct InitOptions
{
  fs::Path directory;
  std::string organisation;
  json::Json places; // null, or records::Places::to_json()
  std::string creator_name;
  // Exactly one recovery holder: a second legal member's card, or a fresh
  // offline identity.
  std::optional<identity::Card> recovery_card;
  const identity::Member* recovery_member = nullptr;
  std::string recovery_name = "recovery";
  // With `recovery_member`: where its identity file `recovery_file` goes, and
  // its card beside it (`recovery_out`.card). init writes both durably once
  // it has built the vault and before it renames it into place, so that no
  // vault ever names a recovery member whose secret did not reach the disk; a
  // failed init removes them again. A file that already holds exactly these
  // bytes is kept: the recovery identity an interrupted init left
  // (interrupted_init_members), taken up again.
  fs::Path recovery_out;
  ByteView recovery_file;
};

struct InitResult
{
  std::string vault_id;
  std::string signing_public; // what to lodge outside the vault
  std::string creator_key_id;
  std::string recovery_key_id;
};

// Creates a vault in `options.directory` (absent or empty) and makes `creator`
// its first legal member. Built in a temporary directory beside it
// (`directory`.init-XXXXXX, whose lock init holds) and renamed into place, so
// a crash leaves no half-made vault; the directory an interrupted init left
// is removed by the next init of the same `directory`.
[[nodiscard]] Result<InitResult> init(const InitOptions& options,
                                      const identity::Member& creator);

// The key ids of the members an interrupted init of `directory` had made: one
// killed before it renamed the vault into place leaves the vault it built
// beside `directory`, its lock held by nobody, and may have written the
// recovery identity already (InitOptions::recovery_out). Empty when there is
// no such directory.
std::vector<std::string> interrupted_init_members(const fs::Path& directory);

// Whether `directory` is a vault at all (it has a ledger directory), told
// without locking or reading it: a wrong path is refused before a passphrase
// is asked. Errc::not_found with Remedy::check_vault.
[[nodiscard]] Result<void> check_vault_path(const fs::Path& directory);

// The role vault.yaml lists for `key_id`, or nothing when it lists none or
// cannot be read. vault.yaml is an unsigned cache (docs/formats.md section 8):
// it is read here only so that a command can refuse a member whose role
// cannot do what it asks before her passphrase is asked; what she may do is
// decided by the signed ledger once the vault is open, and a changed
// vault.yaml can only make a command refuse early, never allow anything.
std::optional<Role> cached_role(const fs::Path& directory,
                                std::string_view key_id);
// The same, from vault.yaml's text: the role of the member line
// AdminState::vault_yaml() writes for `key_id`, or nothing.
std::optional<Role> role_in_vault_yaml(std::string_view yaml,
                                       std::string_view key_id);

// Where a member keeps the derived files only she can authenticate: her state
// cache and index shards (docs/formats.md section 10).
fs::Path member_cache_directory(const fs::Path& vault,
                                const std::string& key_id);

// The pin file beside an identity: known_vaults (docs/formats.md 2.5).
fs::Path known_vaults_for(const fs::Path& identity_file);
// The last sealed tip each member has seen of each vault, beside her pins
// (docs/formats.md 2.6): known_tips, its lock known_tips.lock and the log of
// accepted rollbacks known_tips.log.
fs::Path known_tips_for(const fs::Path& known_vaults);
[[nodiscard]] Result<void> pin(const fs::Path& known_vaults,
                               const std::string& vault_id,
                               const std::string& signing_public);

// The label of the key that keys form hashes (docs/formats.md 2.7, 6.4.1).
inline constexpr std::string_view k_form_duplicate_label =
  "custody-form-duplicate-v1";

enum class Access { read, write };

struct OpenOptions
{
  Access access = Access::read;
  std::chrono::milliseconds wait{5000};
  // The member's pins; the tips she has seen are kept beside them
  // (known_tips_for).
  std::optional<fs::Path> known_vaults;
  // Take a ledger shorter than, or diverging from, the one this member last
  // saw (a backup restored on purpose); logged beside the pins.
  bool accept_rollback = false;
  // A reader saves a state cache brought forward; verify opens without, so
  // that it checks the caches as it found them.
  bool save_caches = true;
};

// An open vault: lock held, ledger replayed and checked, admin state known, the
// member's keys at hand. Writers refuse a vault with a torn tail or a
// vault.yaml that disagrees with the ledger.
class Vault
{
public:
  [[nodiscard]] static Result<Vault> open(const fs::Path& directory,
                                          const identity::Member& member,
                                          const OpenOptions& options,
                                          Notes& notes);
  Vault(Vault&&) noexcept;
  Vault& operator=(Vault&&) noexcept;
  ~Vault();

  const AdminState& state() const;
  const MemberRecord& me() const;
  std::uint64_t entry_count() const;
  // The tip the vault was opened at, moved by its own appends: every scan
  // stops there.
  const ledger::Tip& tip() const;
  // For a reader: gives up the lock and keeps the vault as it was opened, a
  // snapshot. Scans stop at its tip, so what writers append meanwhile is not
  // read, and objects never change once named. verify holds its lock only
  // while it takes its snapshot. Errc::internal for a writer.
  [[nodiscard]] Result<void> release_lock();
  // The hash of the last entry (zeros for an empty ledger), as checked when the
  // vault was opened.
  const Digest& last_hash() const;

  const fs::Path& directory() const;
  // The member's own cache directory, and the identity her cache files are
  // encrypted to and MAC'd with (docs/formats.md section 10).
  fs::Path cache_directory() const;
  const age::X25519Identity& cache_owner() const;

  // The recipient of a compartment's current epoch, as the signed ledger
  // vouches for it (never vault.yaml), and that epoch.
  [[nodiscard]] Result<age::X25519Recipient>
  recipient(Compartment compartment) const;
  std::uint32_t current_epoch(Compartment compartment) const;

  // The member's secret for a compartment epoch; Errc::auth when the member
  // holds none.
  [[nodiscard]] Result<const age::X25519Identity*> key(Compartment compartment,
                                                       std::uint32_t epoch);

  // Appends one entry of `kind` per payload list, then the member's seal over
  // them, in one durable write; the objects must already be durable. Returns
  // the entries' seqs and hashes.
  struct Appended
  {
    std::uint64_t seq = 0;
    Digest hash{};
  };
  [[nodiscard]] Result<std::vector<Appended>>
  append(ledger::Kind kind,
         std::vector<std::vector<ledger::PayloadRef>> payloads);
  // One entry of a command, and what its seal says of it: a `put` that
  // creates a record names it (docs/formats.md 6.4), so that the record list
  // holds it.
  struct NewEntry
  {
    std::vector<ledger::PayloadRef> payloads;
    std::optional<CreatedRecord> creates;
  };
  [[nodiscard]] Result<std::vector<Appended>>
  append(ledger::Kind kind, std::vector<NewEntry> entries);

  // The records the seals name as created, up to the tip (docs/formats.md
  // 6.4, 10.3): the member's own copy brought forward, or read from every
  // seal; loaded once, then kept up to date by append(). Errc::corrupt
  // (invariant 23) when a record is named twice.
  [[nodiscard]] Result<const RecordSet*> records(Notes& notes);
  // Saves the member's copy if records() brought it forward: called once a
  // reading command has done what it was asked (append() saves it for a
  // writer). A failure to save is a note: the copy is derived.
  void save_records(Notes& notes);
  // The keyed hash of a form (docs/formats.md 6.4.1), from the SHA-256 of its
  // canonical JSON: HMAC-SHA-256 under derived_secret(admin,
  // k_form_duplicate_label), which every member derives alike; its first 16
  // bytes.
  [[nodiscard]] Result<RecordKey> form_hash(const Digest& form_sha256);

  // Visits every complete entry of the ledger in order (a fresh scan, under the
  // lock held).
  [[nodiscard]] Result<void>
  scan(const std::function<Result<void>(const ledger::Entry&, const Digest&)>&
         visit) const;
  // Saves index/state.age at the current tip, so that the next open replays
  // only what is appended after it (docs/formats.md 10.2). append() and
  // add_member() do so once their entries are durable.
  [[nodiscard]] Result<void> save_state_cache();
  // The tip as a resume point, for a cache to record the position it reflects.
  ledger::Resume resume_point() const;
  // Visits the entries after `resume` only (ledger::scan_after), with each
  // entry's location; false when `resume` is not an entry of this ledger and
  // nothing was visited.
  [[nodiscard]] Result<bool>
  scan_after(const ledger::Resume& resume,
             const std::function<Result<void>(
               const ledger::Entry&, const Digest&, const ledger::Location&)>&
               visit) const;

  // Signs a checkpoint of the ledger as it is now with the vault key and
  // stores it (docs/formats.md section 12); Errc::auth when the member does
  // not hold the signing key.
  [[nodiscard]] Result<checkpoint::Made> make_checkpoint();
  // The vault signing key as the signed ledger names it (never custody.pub).
  [[nodiscard]] Result<minisign::PublicKey> signing_public() const;

  struct AddedMember
  {
    std::string key_id;
    std::uint64_t seq = 0;
  };
  // Admits the member of `card` with `role`; only a member holding the signing
  // key and every compartment of `role` may (in practice: legal).
  [[nodiscard]] Result<AddedMember>
  add_member(const identity::Card& card, Role role, const std::string& name);

  // Raises the policy's small-cell floor (the least threshold any statistics
  // release may use) with a signed `policy_set` admin entry; returns its seq.
  // Only a member holding the signing key may; Errc::invalid_input unless
  // `floor` is above the current one (it never goes down).
  [[nodiscard]] Result<std::uint64_t>
  raise_small_cell_floor(std::uint64_t floor);
  // Raises the policy's bulletin_min_reports (the least k of a safety
  // bulletin) likewise: never lowered.
  [[nodiscard]] Result<std::uint64_t>
  raise_bulletin_min_reports(std::uint64_t k);
  // Sets the policy's redaction settings with a signed `policy_set` admin
  // entry; returns its seq. Only a member holding the signing key may; the
  // caller has checked the regions and patterns (redact::Redactor::create).
  // Errc::invalid_input when they are what the policy says already.
  [[nodiscard]] Result<std::uint64_t>
  set_redaction_policy(const RedactionPolicy& redaction);

  // The vault's term list (docs/formats.md 6.1, `terms_set`): words and
  // phrases every text redaction removes, each {"text", "kind": "name" |
  // "place"}, kept in the identity compartment. Replaced whole by a signed
  // admin entry; only a member holding the signing key may set it, and only
  // one holding identity read it (Errc::auth otherwise). Empty when none was
  // set.
  [[nodiscard]] Result<std::uint64_t> set_terms(const json::Json& terms);
  [[nodiscard]] Result<json::Json> terms();

  // A key for one purpose, derived from the compartment's epoch-0 secret
  // (HKDF-SHA-256: salt the vault id, info `label`; docs/formats.md 2.5):
  // the same for every member holding the compartment, for the vault's life,
  // since every member admitted receives every epoch. Errc::auth when the
  // member's keys do not open the compartment.
  [[nodiscard]] Result<SecretBytes> derived_secret(Compartment compartment,
                                                   std::string_view label);

private:
  void keep_state_cache();
  // The vault signing key, or Errc::auth saying that only its holder may do
  // `what` (with `remedy`).
  [[nodiscard]] Result<const minisign::SecretKey*>
  signing_key_for(std::string_view what, Remedy remedy);
  // Appends a signed admin entry moving the state to `next`, and takes it up;
  // returns the entry's seq.
  [[nodiscard]] Result<std::uint64_t>
  commit_admin(AdminState next,
               const json::Json& statement,
               const json::Json& private_fields,
               const minisign::SecretKey& signing);
  // Sets policy number `key` (shown as `name`) to `value` with a signed
  // policy_set; Errc::invalid_input unless above `current`.
  [[nodiscard]] Result<std::uint64_t>
  raise_policy_number(std::string_view key,
                      std::string_view name,
                      std::uint64_t value,
                      std::uint64_t current);

  struct Impl;
  explicit Vault(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// One ledger entry as `log` shows it.
struct LogEntry
{
  ledger::Entry entry;
  Digest hash{};
  ledger::Location location;
  // What the member's keys reveal, as fields (cmd/ words them); empty when
  // they do not open the entry or it is neither an admin statement nor a
  // seal.
  // An admin statement's action ("member_add", "torn_tail", ...), and the
  // member it names, if any.
  std::string action;
  std::string member_key_id;
  std::string member_role;
  // A seal: the member who sealed, and how many entries it covers.
  std::string sealed_by;
  std::size_t covers = 0;
};

[[nodiscard]] Result<std::vector<LogEntry>>
read_log(const fs::Path& directory,
         const identity::Member* member,
         std::chrono::milliseconds wait,
         Notes& notes);

} // namespace custody::vault
