// The record list (record_set.hpp) and the member's own copy of it,
// index/<key id>/records.age (docs/formats.md 10.3): read from the seals,
// brought forward over the seals appended since.

#include <custody/base/parallel.hpp>
#include <custody/ledger/cache_file.hpp>
#include <custody/vault/record_set.hpp>
#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cstring>

namespace custody::vault {

namespace {

constexpr std::size_t k_row_bytes = 40;

std::uint64_t
first_word(const RecordKey& key)
{
  std::uint64_t word = 0;
  std::memcpy(&word, key.data(), sizeof word);
  return word;
}

bool
by_id(const SealedRecord& a, const SealedRecord& b)
{
  return a.id < b.id;
}

// invariant 23: no record is named twice in a ledger.
Result<void>
check_unique(const std::vector<SealedRecord>& sorted)
{
  const auto twice = std::adjacent_find(
    sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.id == b.id;
    });
  if (twice != sorted.end()) {
    return broken(23,
                  fmt::format("record {} is named as created by two entries "
                              "({} and {})",
                              key_hex(twice->id),
                              std::min(twice->seq, std::next(twice)->seq),
                              std::max(twice->seq, std::next(twice)->seq)),
                  "a record is created once; the second entry was not "
                  "written by custody");
  }
  return {};
}

} // namespace

Result<RecordKey>
record_key(std::string_view hex)
{
  if (hex.size() != 32
      || hex.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return make_error(Errc::invalid_input,
                      "not 32 lowercase hex digits",
                      Remedy::use_record_id);
  }
  RecordKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) {
    auto digit = [](char c) {
      return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    };
    key[i] =
      static_cast<std::uint8_t>(digit(hex[2 * i]) << 4 | digit(hex[2 * i + 1]));
  }
  return key;
}

std::string
key_hex(const RecordKey& key)
{
  return to_hex(key);
}

Result<RecordSet>
RecordSet::from(std::vector<SealedRecord> records)
{
  std::sort(records.begin(), records.end(), by_id);
  CUSTODY_TRY(check_unique(records));
  RecordSet set;
  set.m_records = std::move(records);
  return set;
}

Result<void>
RecordSet::add(std::vector<SealedRecord> records)
{
  if (records.empty()) {
    return {};
  }
  std::sort(records.begin(), records.end(), by_id);
  std::vector<SealedRecord> merged;
  merged.reserve(m_records.size() + records.size());
  std::merge(m_records.begin(),
             m_records.end(),
             records.begin(),
             records.end(),
             std::back_inserter(merged),
             by_id);
  CUSTODY_TRY(check_unique(merged));
  m_records = std::move(merged);
  m_forms.reset();
  return {};
}

const SealedRecord*
RecordSet::find(const RecordKey& id) const
{
  const auto it = std::lower_bound(
    m_records.begin(), m_records.end(), SealedRecord{id, {}, 0}, by_id);
  return it != m_records.end() && it->id == id ? &*it : nullptr;
}

std::span<const SealedRecord>
RecordSet::between(const RecordKey& low, const RecordKey& high) const
{
  const auto first = std::lower_bound(
    m_records.begin(), m_records.end(), SealedRecord{low, {}, 0}, by_id);
  const auto last =
    std::upper_bound(first, m_records.end(), SealedRecord{high, {}, 0}, by_id);
  return {first, last};
}

const SealedRecord*
RecordSet::find_form(const RecordKey& form) const
{
  if (!m_forms) {
    m_forms.emplace();
    m_forms->reserve(m_records.size());
    for (std::size_t i = 0; i < m_records.size(); ++i) {
      m_forms->emplace(first_word(m_records[i].form), i);
    }
  }
  const auto [first, last] = m_forms->equal_range(first_word(form));
  const SealedRecord* found = nullptr;
  for (auto it = first; it != last; ++it) {
    const SealedRecord& candidate = m_records[it->second];
    if (candidate.form == form
        && (found == nullptr || by_id(candidate, *found))) {
      found = &candidate;
    }
  }
  return found;
}

Bytes
RecordSet::serialize() const
{
  Bytes body;
  body.reserve(m_records.size() * k_row_bytes);
  for (const auto& record : m_records) {
    body.insert(body.end(), record.id.begin(), record.id.end());
    body.insert(body.end(), record.form.begin(), record.form.end());
    for (int shift = 56; shift >= 0; shift -= 8) {
      body.push_back(static_cast<std::uint8_t>(record.seq >> shift));
    }
  }
  return body;
}

Result<RecordSet>
RecordSet::parse(ByteView body, std::uint64_t count)
{
  if (body.size() / k_row_bytes != count || body.size() % k_row_bytes != 0) {
    return make_error(Errc::corrupt, "its body is not its count of records");
  }
  std::vector<SealedRecord> records(count);
  for (std::size_t i = 0; i < count; ++i) {
    const ByteView row = body.subspan(i * k_row_bytes, k_row_bytes);
    std::copy_n(row.begin(), 16, records[i].id.begin());
    std::copy_n(row.begin() + 16, 16, records[i].form.begin());
    for (std::size_t b = 32; b < k_row_bytes; ++b) {
      records[i].seq = records[i].seq << 8 | row[b];
    }
    if (i > 0 && !by_id(records[i - 1], records[i])) {
      return make_error(Errc::corrupt, "its records are not sorted by id");
    }
  }
  RecordSet set;
  set.m_records = std::move(records);
  return set;
}

} // namespace custody::vault

namespace custody::vault::detail {

namespace {

constexpr cache_file::Kind k_records_file{"custody-records-v1\n",
                                          "custody/v1/member-records-mac"};
// 40 bytes a record: room for tens of millions.
constexpr std::uint64_t k_max_records_file = 1ULL << 30;

fs::Path
records_path(const fs::Path& vault, const std::string& key_id)
{
  return member_cache_directory(vault, key_id) / "records.age";
}

std::string
relative(const fs::Path& vault, const std::string& key_id)
{
  return records_path(vault, key_id).lexically_relative(vault).string();
}

struct CachedRecords
{
  ledger::Resume resume;
  RecordSet set;
};

// The member's copy as found: nullopt (with `why` set) when there is none
// worth trusting; `why` stays empty when it is simply absent.
Result<std::optional<CachedRecords>>
read_records(const fs::Path& vault,
             const identity::Member& member,
             const std::string& vault_id,
             std::string& why)
{
  auto file =
    fs::read_file(records_path(vault, member.key_id()), k_max_records_file);
  if (!file) {
    if (file.error().code == Errc::not_found) {
      return std::optional<CachedRecords>();
    }
    return tl::unexpected(file.error());
  }
  auto opened = cache_file::open(k_records_file, *file, member.age_identity());
  if (!opened) {
    why = opened.error().message;
    return std::optional<CachedRecords>();
  }
  const auto position = cache_file::position_of(opened->header);
  const auto count = opened->header.find("count");
  if (!position || position->count == 0 || count == opened->header.end()
      || !count->is_number_unsigned()
      || cache_file::string_field(opened->header, "vault") != vault_id
      || cache_file::string_field(opened->header, "member")
           != member.key_id()) {
    why = "is malformed";
    return std::optional<CachedRecords>();
  }
  auto set = RecordSet::parse(opened->body, count->get<std::uint64_t>());
  if (!set) {
    why = set.error().message;
    return std::optional<CachedRecords>();
  }
  return std::optional<CachedRecords>(
    CachedRecords{*position, std::move(*set)});
}

// A seal and its document, opened on one of several threads.
struct SealToRead
{
  ledger::Entry entry;
  const age::X25519Identity* key = nullptr;
  std::optional<Result<store::Opened>> opened;
};

// Reads the seals of `batch` on every core (decrypting is the cost), then
// adds what they name to `found`, in ledger order.
Result<void>
read_seals(const fs::Path& vault,
           std::vector<SealToRead>& batch,
           std::vector<SealedRecord>& found)
{
  on_every_core(batch.size(), 8, [&](std::size_t i) {
    batch[i].opened =
      store::open_document(vault, batch[i].entry.payloads[0], *batch[i].key);
  });
  for (auto& item : batch) {
    if (!*item.opened) {
      return tl::unexpected(with_context(
        item.opened->error(), fmt::format("entry {}", item.entry.seq)));
    }
    const json::Json& document = (*item.opened)->document;
    CUSTODY_ASSIGN_CTX(named,
                       sealed_records(document.value("seal", json::Json())),
                       fmt::format("entry {}", item.entry.seq));
    found.insert(found.end(), named.begin(), named.end());
  }
  batch.clear();
  return {};
}

} // namespace

Result<std::vector<SealedRecord>>
sealed_records(const json::Json& seal)
{
  std::vector<SealedRecord> named;
  if (!seal.is_object() || !seal.contains("covers")
      || !seal["covers"].is_array()) {
    return broken(11, "the seal lists no covers");
  }
  for (const auto& cover : seal["covers"]) {
    if (!cover.is_object()) {
      return broken(11, "a seal's cover is not an object");
    }
    const bool has_record = cover.contains("record");
    if (has_record != cover.contains("form")) {
      return broken(23, "a seal's cover names a record without its form");
    }
    if (!has_record) {
      continue;
    }
    const json::Json& id = cover["record"];
    const json::Json& form = cover["form"];
    const json::Json& seq = cover.value("seq", json::Json());
    auto id_key = record_key(id.is_string() ? id.get<std::string>() : "");
    auto form_key = record_key(form.is_string() ? form.get<std::string>() : "");
    if (!id_key || !form_key || !seq.is_number_unsigned()) {
      return broken(23, "a seal names a record by a malformed id or form hash");
    }
    named.push_back({*id_key, *form_key, seq.get<std::uint64_t>()});
  }
  return named;
}

Result<LoadedRecords>
load_record_set(const fs::Path& vault,
                Keyring& keys,
                const identity::Member& member,
                const AdminState& state,
                const ledger::Tip& tip,
                Notes& notes)
{
  std::string why;
  CUSTODY_ASSIGN(cached, read_records(vault, member, state.vault_id, why));
  if (!why.empty()) {
    notes.push_back(fmt::format("{} {}; the record list was read again from "
                                "the seals",
                                relative(vault, member.key_id()),
                                why));
  }
  std::vector<SealedRecord> found;
  std::vector<SealToRead> batch;
  std::uint64_t read = 0;
  ledger::ChainChecker chain;
  if (cached) {
    chain =
      ledger::ChainChecker(cached->resume.count, cached->resume.last_hash);
  }
  auto visit = [&](const ledger::Line& line) -> Result<void> {
    CUSTODY_ASSIGN(entry, chain.next(line));
    ++read;
    if (entry.kind != ledger::Kind::seal || entry.payloads.size() != 1) {
      return {};
    }
    // The replay that opened the vault checked every seal up to the tip
    // (and this member's own, MAC'd state cache vouches for those before
    // it); the chain binds them to what it checked.
    CUSTODY_ASSIGN(
      key, keys.compartment(Compartment::admin, entry.payloads[0].epoch));
    batch.push_back({std::move(entry), key, std::nullopt});
    if (batch.size() >= 256) {
      return read_seals(vault, batch, found);
    }
    return {};
  };
  std::optional<RecordSet> set;
  if (cached && cached->resume.count <= tip.count) {
    CUSTODY_ASSIGN(after,
                   ledger::scan_after(vault, cached->resume, visit, tip.count));
    if (after) {
      CUSTODY_TRY(read_seals(vault, batch, found));
      CUSTODY_TRY(cached->set.add(std::move(found)));
      set = std::move(cached->set);
    } else {
      notes.push_back(fmt::format("{} names a position that is not an entry "
                                  "of this ledger; the record list was read "
                                  "again from the seals",
                                  relative(vault, member.key_id())));
    }
  }
  if (!set) {
    found.clear();
    batch.clear();
    chain = ledger::ChainChecker();
    read = 0;
    CUSTODY_TRY(ledger::scan(vault, visit, tip.count));
    CUSTODY_TRY(read_seals(vault, batch, found));
    CUSTODY_ASSIGN(fresh, RecordSet::from(std::move(found)));
    set = std::move(fresh);
  }
  return LoadedRecords{std::move(*set), read > 0};
}

Result<void>
write_record_set(const fs::Path& vault,
                 const identity::Member& member,
                 const std::string& vault_id,
                 const ledger::Tip& tip,
                 const RecordSet& set)
{
  json::Json header = cache_file::position_json(ledger::resume_point(tip));
  header["vault"] = vault_id;
  header["member"] = member.key_id();
  header["count"] = set.size();
  const Bytes body = set.serialize();
  CUSTODY_ASSIGN(
    file,
    cache_file::seal(k_records_file, header, body, member.age_identity()));
  const fs::Path path = records_path(vault, member.key_id());
  CUSTODY_TRY(fs::make_directories(path.parent_path()));
  return fs::write_file_atomic(path, file);
}

Result<void>
check_record_cache(const fs::Path& vault,
                   const identity::Member& member,
                   const std::string& vault_id,
                   const RecordSet& full,
                   const ledger::Tip& tip,
                   Notes& notes)
{
  const std::string name = relative(vault, member.key_id());
  std::string why;
  CUSTODY_ASSIGN(cached, read_records(vault, member, vault_id, why));
  if (!why.empty()) {
    return broken(23,
                  fmt::format("your record list {} {}", name, why),
                  "only you can write it: find out who can write the vault's "
                  "index directory; the next command writes it again");
  }
  if (!cached) {
    return {};
  }
  if (cached->resume.count > tip.count) {
    notes.push_back(fmt::format(
      "{} is newer than the ledger this check read; not compared", name));
    return {};
  }
  CUSTODY_ASSIGN(at, ledger::read_entry_at(vault, cached->resume.last));
  if (!at || at->entry.seq + 1 != cached->resume.count
      || at->hash != cached->resume.last_hash) {
    notes.push_back(fmt::format("{} names a position that is not an entry of "
                                "this ledger (a restored backup?); the next "
                                "command replaces it",
                                name));
    return {};
  }
  std::vector<SealedRecord> expected;
  for (const auto& record : full.all()) {
    if (record.seq < cached->resume.count) {
      expected.push_back(record);
    }
  }
  if (expected != cached->set.all()) {
    return broken(
      23,
      fmt::format("your record list {} disagrees with the signed ledger", name),
      "only you can write it: find out who can write the vault's index "
      "directory; delete the file and the next command writes it again");
  }
  return {};
}

} // namespace custody::vault::detail
