// Private to lib/custody/vault/: what the files of the vault share (the
// keyring, the replay, the checks an open and verify make). Nothing outside
// this folder includes it (tests/checks/layers.py).

#pragma once

#include <custody/ledger/store.hpp>
#include <custody/vault/record_set.hpp>
#include <custody/vault/vault.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace custody::vault::detail {

inline constexpr std::uint64_t k_max_small_file = 1024 * 1024;

// admin_state.cpp: member records as statements carry them, vault.yaml

json::Json member_json(const MemberRecord& member);

MemberRecord member_from_card(const identity::Card& card, Role role);

// Rebuilds a card from a statement's member object and checks its
// self-signature, so a statement can only admit a key whose owner made the
// card.
Result<MemberRecord> parse_member(const json::Json& value, std::uint64_t seq);

Result<void> write_vault_yaml(const fs::Path& vault, const AdminState& state);

// keyring.cpp: key files and the keys unwrapped from them

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

  Result<void> confirm();

  // The compartment secret of `epoch`, or Errc::auth when the member holds
  // none (or only a key file no signed entry vouches for).
  Result<const age::X25519Identity*> compartment(Compartment c,
                                                 std::uint32_t epoch);

  Result<const minisign::SecretKey*> signing(std::uint32_t epoch);

  void add(Compartment c, std::uint32_t epoch, age::X25519Identity identity);

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

  std::string path(std::string_view holder, std::uint32_t epoch) const;

  std::optional<std::string> listed_hash(const std::string& name) const;

  std::string recipient_of(Compartment c, std::uint32_t epoch) const;

  Error unlisted(std::string_view holder, std::uint32_t epoch) const;

  // A listed file must be the listed file, and hold the signed key. An unlisted
  // one is ignored, unless a replay is still to reach the entry listing it and
  // its secret is the signed one.
  Result<void> check_key(std::string_view holder,
                         std::uint32_t epoch,
                         const std::string& file_sha256,
                         const std::string& public_key,
                         const std::string& signed_public_key,
                         bool& trusted) const;

  Result<void>
  check(Compartment c, std::uint32_t epoch, Unwrapped& loaded) const;

  Result<Opened> unwrap(std::string_view holder, std::uint32_t epoch);

  fs::Path m_vault;
  const identity::Member* m_member;
  const AdminState* m_state = nullptr;
  bool m_allow_pending = false;
  std::map<std::pair<Compartment, std::uint32_t>, Unwrapped> m_compartments;
  std::optional<minisign::SecretKey> m_signing;
  std::uint32_t m_signing_epoch = 0;
};

// Wraps `secret_text` to `recipient` as a key file and returns its {path,
// sha256} listing.
Result<json::Json> write_key_file(const fs::Path& vault,
                                  std::string_view holder,
                                  std::uint32_t epoch,
                                  const std::string& key_id,
                                  const std::string& recipient_text,
                                  ByteView secret_text);

// replay.cpp: the ledger replayed into the admin state

// An entry waiting for its seal.
struct Unsealed
{
  std::uint64_t seq;
  Digest hash;
  ledger::Kind kind;
  ledger::Location location;
  std::size_t payloads = 0;
};

// Replays the ledger entry by entry, building the admin state and checking
// invariants 7 and 10-14. Without a member (no identity), only the envelope can
// be checked.
class Replay
{
public:
  Replay(fs::Path vault, Keyring& keys, bool have_member, bool collect_objects);
  // Continues a replay whose state a valid state cache kept (no unsealed
  // entries: a cache is only saved at a sealed tip).
  Replay(fs::Path vault,
         Keyring& keys,
         AdminState state,
         std::map<std::uint64_t, std::string> committed_yaml);

  Result<void> entry(const ledger::Entry& entry,
                     const Digest& hash,
                     const ledger::Location& where);

  // invariant 11: nothing after the last seal.
  Result<void> finish() const;

  // Where the first entry since the last seal starts, if any.
  std::optional<ledger::Location> first_unsealed() const;

  // The entries since the last seal, as {seq, hash} for a repair to list.
  json::Json unsealed() const;

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
  bool
  collects() const
  {
    return m_collect_objects;
  }
  // With `collect_objects` (a replay from the start): every record the seals
  // name, in ledger order.
  std::vector<SealedRecord>&
  records()
  {
    return m_records;
  }
  // The vault.yaml text each admin entry committed to, by seq.
  const std::map<std::uint64_t, std::string>&
  committed_yaml() const
  {
    return m_committed_yaml;
  }

private:
  Result<void> check(const ledger::Entry& entry,
                     const Digest& hash,
                     const ledger::Location& where);

  // invariant 7: every epoch an entry names is known.
  Result<void> check_epochs(const ledger::Entry& entry) const;

  // invariant 7: a put is a record or an attachment, each payload in an epoch
  // its compartment has.
  Result<void> check_put(const ledger::Entry& entry) const;

  // invariant 7: a payload's epoch is one a signed admin entry introduced
  // (the init entry brings epoch 0). An unknown epoch is damage, not a key
  // this member happens to lack.
  Result<void> known_epoch(Compartment compartment,
                           std::uint32_t epoch,
                           std::uint64_t seq) const;

  Result<store::Opened> open_admin_payload(const ledger::PayloadRef& ref,
                                           std::uint64_t seq);

  Result<void> check_admin(const ledger::Entry& entry);

  Result<void> apply_init(const json::Json& statement);
  Result<void> apply_policy_set(const json::Json& statement);

  Result<void> record_keys(const json::Json& statement);

  // A crash that tore a command's single append can leave complete entries
  // whose seal was in the torn bytes. The signed repair lists them; they are
  // accounted for (with no author) only if the list is exactly the entries left
  // unsealed (invariant 11).
  Result<void> account_for_unsealed(const json::Json& statement);

  Result<void> check_seal(const ledger::Entry& entry);

  fs::Path m_vault;
  Keyring& m_keys;
  bool m_have_member;
  bool m_collect_objects;
  AdminState m_state;
  std::vector<Unsealed> m_unsealed;
  std::set<Digest> m_objects;
  std::vector<SealedRecord> m_records;
  std::map<std::uint64_t, std::string> m_committed_yaml;
};

struct Loaded
{
  ledger::Tip tip;
  AdminState state;
  std::set<Digest> objects;
  std::map<std::uint64_t, std::string> committed_yaml;
  json::Json unsealed; // entries since the last seal (only with a torn tail)
  std::optional<ledger::Location> first_unsealed;
  // The record list, when the replay began at the first entry (and so read
  // every seal); nullopt when it began from the state cache.
  std::optional<RecordSet> records;
  // Why there is no record list after a replay from the start: a record
  // named twice (invariant 23).
  std::optional<Error> records_error;
};

// Checks what a finished scan found and hands the replay's results over.
Result<Loaded>
finish_load(const fs::Path& vault, const ledger::Tip& tip, Replay& replay);

// Scans and replays the whole ledger, or its first `up_to` entries (a
// snapshot). A torn tail is left in the tip for the caller to judge.
Result<Loaded> load(const fs::Path& vault,
                    Keyring& keys,
                    bool have_member,
                    std::optional<std::uint64_t> up_to = std::nullopt);

// state_cache.cpp: the member's state cache

// Saves the state of a sealed tip. A cache is derived: failing to save it
// loses nothing, so the caller only notes it.
Result<void> write_state_cache(const fs::Path& vault,
                               const identity::Member& member,
                               const Loaded& loaded);

// What Vault::open loads: the state cache and the entries after it when the
// cache is valid, else the whole ledger; then, for a reader, a fresh cache when
// the tip moved and is sealed. The entries after the cache get every check a
// full replay gives them.
Result<Loaded> load_with_cache(const fs::Path& vault,
                               Keyring& keys,
                               const identity::Member& member,
                               Access access,
                               bool save,
                               Notes& notes);
// The member's state cache as found: Errc::corrupt when it fails its MAC or
// does not open with her identity (she alone writes it).
Result<void> check_state_cache_file(const fs::Path& vault,
                                    const identity::Member& member);

// The member's own state cache, brought forward as a reader would, must give
// the state the full replay gave: she alone can write it, so a file that fails
// its MAC or disagrees was written by someone else, or damaged.
Result<void> check_state_cache(const fs::Path& vault,
                               const identity::Member& member,
                               Keyring& keys,
                               const Loaded& loaded,
                               Notes& notes);

// record_set.cpp: the record list and the member's copy of it

// The records a seal document's covers name (docs/formats.md 6.4), each with
// the seq of its entry; Errc::corrupt (invariant 23) when one is malformed.
Result<std::vector<SealedRecord>> sealed_records(const json::Json& seal);

struct LoadedRecords
{
  RecordSet set;
  bool changed = false; // read from seals the member's copy lacked
};

// The record list at `tip`: the member's copy (index/<key id>/records.age)
// brought forward over the seals after it when it is valid, otherwise read
// from every seal, with a note saying why.
Result<LoadedRecords> load_record_set(const fs::Path& vault,
                                      Keyring& keys,
                                      const identity::Member& member,
                                      const AdminState& state,
                                      const ledger::Tip& tip,
                                      Notes& notes);

// Saves the member's copy at `tip` (a sealed tip).
Result<void> write_record_set(const fs::Path& vault,
                              const identity::Member& member,
                              const std::string& vault_id,
                              const ledger::Tip& tip,
                              const RecordSet& set);

// verify: the member's copy as found must pass its MAC and list exactly the
// records `full` (the record list of a replay from the start) holds up to its
// position (invariant 23; only she can write it).
Result<void> check_record_cache(const fs::Path& vault,
                                const identity::Member& member,
                                const std::string& vault_id,
                                const RecordSet& full,
                                const ledger::Tip& tip,
                                Notes& notes);

// checks.cpp: what open and verify check beside the replay
// Errc::not_found unless `vault` holds a ledger directory: the first thing
// every entry point (open, check, repair, log) checks.
Result<void> require_vault_directory(const fs::Path& vault);

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
Result<void> check_strays(const fs::Path& vault,
                          Objects objects,
                          Leftovers leftovers,
                          Notes& notes);

// invariant 10 and the pin: custody.pub is the signing key of the init
// statement, and the member's pinned key for this vault (pinning on first use).
Result<void> check_signing_key(const fs::Path& vault,
                               const AdminState& state,
                               const std::optional<fs::Path>& known_vaults,
                               Notes& notes);

// invariant 9: vault.yaml is the rebuilt state, or a stale cache a crash left
// (rebuilt if writing).
Result<void>
check_vault_yaml(const fs::Path& vault,
                 const AdminState& state,
                 const std::map<std::uint64_t, std::string>& committed,
                 Access access,
                 bool repair,
                 Notes& notes);

// The torn tails signed repairs recorded, by their names in ledger/.
std::set<std::string> recorded_torn(const AdminState& state);

// Files in ledger/ named like a torn tail (NNNNNN.torn, NNNNNN.torn.N) that no
// signed repair records: a repair that crashed after moving them (R2).
std::vector<std::string> unrecorded_torn(const fs::Path& vault,
                                         const AdminState& state);

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

// Replaces this vault's line, under the file's own lock.
Result<void> remember_tip(const fs::Path& file,
                          const std::string& vault_id,
                          const std::string& key_id,
                          const SeenTip& seen);

// R3: the ledger still holds, at the same position, the last sealed entry this
// member saw; checked in O(1) by reading that one line. A shorter or diverging
// ledger is refused unless the member accepts it (logged). Then the tip is
// remembered, if it is sealed and newer.
Result<void> check_seen_tip(const fs::Path& vault,
                            const std::string& vault_id,
                            const std::string& key_id,
                            const ledger::Tip& tip,
                            const std::optional<fs::Path>& known_vaults,
                            bool accept_rollback,
                            Notes& notes);

// invariant 6
Result<void> check_head(const fs::Path& vault,
                        const ledger::Tip& tip,
                        Access access,
                        Notes& notes);

// vault.cpp: appending to the ledger

// Appends one signed admin entry and the acting member's seal, then rewrites
// vault.yaml: the one way every admin action (init, member_add, torn_tail)
// reaches the ledger. `statement` gets its position (vault, seq, prev) and the
// hash of the vault.yaml that `next` renders; `private_fields` ({"names": ...,
// "organisation"?: ...}) go to the identity compartment, which only legal
// members hold.
Result<ledger::Tip> append_admin_entry(const fs::Path& vault,
                                       const ledger::Tip& tip,
                                       AdminState next,
                                       json::Json statement,
                                       const json::Json& private_fields,
                                       const minisign::SecretKey& signing,
                                       const identity::Member& member);

} // namespace custody::vault::detail
