// Ledger segments, entry encoding and the chain checks of docs/formats.md
// section 4.
#include <custody/base/canonical_json.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/ledger.hpp>

#include <fmt/chrono.h>
#include <fmt/core.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <optional>
#include <regex>

namespace custody::ledger {

namespace {

constexpr std::string_view k_kind_names[] = {"put",
                                             "withdraw",
                                             "admin",
                                             "seal",
                                             "checkpoint",
                                             "release",
                                             "redaction",
                                             "export",
                                             "approval"};

fs::Path
ledger_dir(const fs::Path& vault)
{
  return vault / "ledger";
}

Result<Kind>
parse_kind(std::string_view name)
{
  for (std::size_t i = 0; i < std::size(k_kind_names); ++i) {
    if (k_kind_names[i] == name) {
      return static_cast<Kind>(i);
    }
  }
  return fail(Errc::invalid_input, "unknown kind \"{}\"", name);
}

bool
is_rfc3339_utc(std::string_view text)
{
  // YYYY-MM-DDTHH:MM:SSZ, digits where the pattern has them (by hand: a
  // std::regex costs more than the rest of reading an entry).
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:ddZ";
  if (text.size() != shape.size()) {
    return false;
  }
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool ok = shape[i] == 'd' ? (text[i] >= '0' && text[i] <= '9')
                                    : text[i] == shape[i];
    if (!ok) {
      return false;
    }
  }
  return true;
}

Result<Digest>
hex_field(const json::Json& object, const char* name)
{
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return fail(
      Errc::invalid_input, "field \"{}\" missing or not a string", name);
  }
  auto digest = digest_from_hex(it->get_ref<const std::string&>());
  if (!digest) {
    return fail(
      Errc::invalid_input, "field \"{}\": {}", name, digest.error().message);
  }
  return *digest;
}

Result<std::uint64_t>
uint_field(const json::Json& object, const char* name)
{
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()
      || it->get<std::int64_t>() < 0) {
    return fail(Errc::invalid_input,
                "field \"{}\" missing or not a non-negative integer",
                name);
  }
  return it->get<std::uint64_t>();
}

} // namespace

std::string_view
kind_name(Kind kind)
{
  return k_kind_names[static_cast<std::size_t>(kind)];
}

// The canonical form (docs/formats.md) written out directly: keys in sorted
// order, no whitespace. Every string here is hex, a kind name or an RFC 3339
// time, none of which needs escaping. A batch encodes its entries one after
// the other (each names the hash of the one before), so this is on the
// critical path of every batch; the test checks it against json::canonical.
std::string
encode(const Entry& entry)
{
  std::string line;
  line.reserve(96 + entry.time.size() + entry.payloads.size() * 160);
  line += R"({"kind":")";
  line += kind_name(entry.kind);
  line += R"(","payloads":[)";
  for (std::size_t i = 0; i < entry.payloads.size(); ++i) {
    const PayloadRef& payload = entry.payloads[i];
    line += i == 0 ? R"({"commit":")" : R"(,{"commit":")";
    line += to_hex(payload.commit);
    line += R"(","epoch":)";
    line += std::to_string(payload.epoch);
    line += R"(,"obj":")";
    line += to_hex(payload.obj);
    line += R"("})";
  }
  line += R"(],"prev":")";
  line += to_hex(entry.prev);
  line += R"(","seq":)";
  line += std::to_string(entry.seq);
  line += R"(,"t":")";
  line += entry.time;
  line += R"(","v":)";
  line += std::to_string(k_format_version);
  line += '}';
  return line;
}

namespace {

// A strict reader of the one byte layout a canonical entry line can have
// (keys in code-point order, no whitespace, no escapes: every value is hex,
// digits, a kind name or a time). It accepts only lines the general reader
// below accepts, with the same result, and returns nullopt for anything else,
// which the general reader then judges and explains. Verifying a million
// entries spends most of its time here (docs/performance.md "Proofs").
class FastReader
{
public:
  explicit FastReader(std::string_view text)
    : m_text(text)
  {
  }

  std::optional<Entry>
  entry()
  {
    Entry entry;
    std::string_view kind;
    if (!literal(R"({"kind":")") || !until_quote(kind)
        || !literal(R"(","payloads":[)")) {
      return std::nullopt;
    }
    auto parsed_kind = parse_kind(kind);
    if (!parsed_kind) {
      return std::nullopt;
    }
    entry.kind = *parsed_kind;
    if (!literal("]")) {
      do {
        PayloadRef ref;
        std::uint64_t epoch = 0;
        if (!literal(R"({"commit":")") || !digest(ref.commit)
            || !literal(R"(","epoch":)") || !number(epoch) || epoch > UINT32_MAX
            || !literal(R"(,"obj":")") || !digest(ref.obj)
            || !literal(R"("})")) {
          return std::nullopt;
        }
        ref.epoch = static_cast<std::uint32_t>(epoch);
        entry.payloads.push_back(ref);
      } while (literal(","));
      if (!literal("]")) {
        return std::nullopt;
      }
    }
    std::string_view time;
    if (!literal(R"(,"prev":")") || !digest(entry.prev)
        || !literal(R"(","seq":)") || !number(entry.seq)
        || !literal(R"(,"t":")") || !until_quote(time) || !is_rfc3339_utc(time)
        || !literal(R"(","v":1})") || m_at != m_text.size()) {
      return std::nullopt;
    }
    entry.time = std::string(time);
    return entry;
  }

private:
  bool
  literal(std::string_view expected)
  {
    if (m_text.substr(m_at, expected.size()) != expected) {
      return false;
    }
    m_at += expected.size();
    return true;
  }

  bool
  until_quote(std::string_view& out)
  {
    const auto end = m_text.find('"', m_at);
    if (end == std::string_view::npos) {
      return false;
    }
    out = m_text.substr(m_at, end - m_at);
    // Only plain ASCII letters, digits and time punctuation: nothing that
    // would need an escape or a UTF-8 check.
    for (char c : out) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
            || c == ':' || c == 'T' || c == 'Z')) {
        return false;
      }
    }
    m_at = end;
    return true;
  }

  bool
  digest(Digest& out)
  {
    if (m_text.size() - m_at < 64) {
      return false;
    }
    for (std::size_t i = 0; i < 32; ++i) {
      const int high = nibble(m_text[m_at + 2 * i]);
      const int low = nibble(m_text[m_at + 2 * i + 1]);
      if (high < 0 || low < 0) {
        return false;
      }
      out[i] = static_cast<std::uint8_t>(high * 16 + low);
    }
    m_at += 64;
    return true;
  }

  static int
  nibble(char c)
  {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  // A canonical non-negative integer of at most 18 digits (so within the
  // signed 64-bit range canonical JSON allows); longer ones go to the general
  // reader.
  bool
  number(std::uint64_t& out)
  {
    std::size_t digits = 0;
    out = 0;
    while (m_at + digits < m_text.size() && m_text[m_at + digits] >= '0'
           && m_text[m_at + digits] <= '9') {
      out = out * 10 + static_cast<std::uint64_t>(m_text[m_at + digits] - '0');
      if (++digits > 18) {
        return false;
      }
    }
    if (digits == 0 || (digits > 1 && m_text[m_at] == '0')) {
      return false;
    }
    m_at += digits;
    return true;
  }

  std::string_view m_text;
  std::size_t m_at = 0;
};

} // namespace

Result<Entry>
decode(std::string_view line)
{
  if (auto fast = FastReader(line).entry()) {
    return std::move(*fast);
  }
  CUSTODY_ASSIGN(value, json::parse_canonical(line));
  if (!value.is_object() || value.size() != 6) {
    return fail(Errc::invalid_input,
                "an entry must be an object with exactly v, seq, t, kind, prev "
                "and payloads");
  }
  CUSTODY_ASSIGN(version, uint_field(value, "v"));
  if (version != k_format_version) {
    return fail(Errc::invalid_input, "unsupported entry version {}", version);
  }
  Entry entry;
  CUSTODY_ASSIGN(seq, uint_field(value, "seq"));
  entry.seq = seq;
  auto time = value.find("t");
  if (time == value.end() || !time->is_string()
      || !is_rfc3339_utc(time->get<std::string>())) {
    return fail(Errc::invalid_input,
                "field \"t\" must be an RFC 3339 UTC time in whole seconds");
  }
  entry.time = time->get<std::string>();
  auto kind = value.find("kind");
  if (kind == value.end() || !kind->is_string()) {
    return fail(Errc::invalid_input, "field \"kind\" missing");
  }
  CUSTODY_ASSIGN(parsed_kind, parse_kind(kind->get<std::string>()));
  entry.kind = parsed_kind;
  CUSTODY_ASSIGN(prev, hex_field(value, "prev"));
  entry.prev = prev;
  auto payloads = value.find("payloads");
  if (payloads == value.end() || !payloads->is_array()) {
    return fail(Errc::invalid_input,
                "field \"payloads\" missing or not an array");
  }
  for (const auto& item : *payloads) {
    if (!item.is_object() || item.size() != 3) {
      return fail(Errc::invalid_input,
                  "a payload must have exactly obj, commit and epoch");
    }
    PayloadRef ref;
    CUSTODY_ASSIGN(obj, hex_field(item, "obj"));
    CUSTODY_ASSIGN(commit, hex_field(item, "commit"));
    CUSTODY_ASSIGN(epoch, uint_field(item, "epoch"));
    if (epoch > UINT32_MAX) {
      return fail(Errc::invalid_input, "payload epoch {} out of range", epoch);
    }
    ref.obj = obj;
    ref.commit = commit;
    ref.epoch = static_cast<std::uint32_t>(epoch);
    entry.payloads.push_back(ref);
  }
  return entry;
}

Digest
entry_hash(std::string_view line)
{
  return sha256(line);
}

std::string
segment_name(std::size_t ordinal)
{
  return fmt::format("{:06}.jsonl", ordinal);
}

std::string
now_rfc3339()
{
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", utc);
}

std::string
describe(const Location& location)
{
  return fmt::format(
    "ledger/{} byte {}", segment_name(location.segment), location.offset);
}

std::string
encode_head(const Head& head)
{
  return fmt::format("{} {}\n", head.seq, to_hex(head.hash));
}

Result<std::optional<Head>>
read_head(const fs::Path& vault)
{
  auto data = fs::read_file(ledger_dir(vault) / "HEAD", 256);
  if (!data) {
    if (data.error().code == Errc::not_found) {
      return std::optional<Head>{};
    }
    return tl::unexpected(data.error());
  }
  const std::string_view text = as_text(*data);
  const auto space = text.find(' ');
  Head head;
  auto bad = [] {
    return make_error(
      Errc::corrupt, "ledger/HEAD is malformed (expected \"<seq> <hash>\\n\")");
  };
  if (space == std::string_view::npos || text.empty() || text.back() != '\n') {
    return bad();
  }
  const auto seq_text = text.substr(0, space);
  auto [end, ec] = std::from_chars(
    seq_text.data(), seq_text.data() + seq_text.size(), head.seq);
  if (ec != std::errc() || end != seq_text.data() + seq_text.size()
      || (seq_text.size() > 1 && seq_text[0] == '0')) {
    return bad();
  }
  auto hash = digest_from_hex(text.substr(space + 1, text.size() - space - 2));
  if (!hash) {
    return bad();
  }
  head.hash = *hash;
  if (encode_head(head) != text) {
    return bad();
  }
  return std::optional<Head>(head);
}

namespace {

// The segment names in order, checked against invariant 1.
Result<std::vector<std::string>>
list_segments(const fs::Path& dir)
{
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = item.path().filename().string();
    if (name.size() > 6 && name.ends_with(".jsonl")) {
      names.push_back(name);
    }
  }
  if (ec) {
    return tl::unexpected(fs::errno_error("read directory", dir, ec.value()));
  }
  std::sort(names.begin(), names.end());
  // invariant 1: consecutive ordinals from 000000
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] != segment_name(i)) {
      return broken(
        1,
        fmt::format("ledger/{}: unexpected segment name (expected ledger/{})",
                    names[i],
                    segment_name(i)));
    }
  }
  return names;
}

// Scans the segments from `first`, starting at byte `offset` of it. When
// `resume` is given, the line at that offset must be the entry it names, and
// only the lines after it are visited; Errc::not_found when it is not.
Result<Tip>
scan_segments(const fs::Path& vault,
              std::size_t first,
              const Resume* resume,
              const std::function<Result<void>(const Line&)>& visit,
              std::optional<std::uint64_t> up_to)
{
  const fs::Path dir = ledger_dir(vault);
  CUSTODY_ASSIGN(names, list_segments(dir));
  Tip tip;
  if (resume != nullptr) {
    tip.count = resume->count - 1;
    if (first >= names.size()) {
      return fail(Errc::not_found, "the resume point's segment is gone");
    }
  }
  bool expect_resume = resume != nullptr;
  for (std::size_t i = first; i < names.size(); ++i) {
    CUSTODY_ASSIGN(data, fs::read_file(dir / names[i], k_max_segment_file));
    const std::string_view text = as_text(data);
    const bool last = i + 1 == names.size();
    if (!last && text.size() > k_segment_max_bytes) {
      return broken(1,
                    fmt::format("ledger/{}: segment exceeds {} bytes",
                                names[i],
                                k_segment_max_bytes));
    }
    std::size_t offset = 0;
    if (expect_resume) {
      offset = resume->last.offset;
      if (offset > text.size() || (offset > 0 && text[offset - 1] != '\n')) {
        return fail(Errc::not_found, "the resume point is not a line start");
      }
    }
    bool reached = false;
    while (offset < text.size()) {
      // A snapshot: what a writer appends after it is not read, not even as
      // a torn tail.
      if (up_to && tip.count >= *up_to && !expect_resume) {
        reached = true;
        break;
      }
      const auto newline = text.find('\n', offset);
      if (newline == std::string_view::npos) {
        // invariant 2: a torn tail, only possible at the very end of the ledger
        if (!last) {
          return broken(2,
                        fmt::format("ledger/{} byte {}: segment does not end "
                                    "in a newline but is not the last",
                                    names[i],
                                    offset));
        }
        tip.torn = TornTail{i, offset, text.size() - offset};
        break;
      }
      Line line{text.substr(offset, newline - offset), Location{i, offset}};
      const Digest hash = entry_hash(line.text);
      if (expect_resume) {
        if (hash != resume->last_hash) {
          return fail(Errc::not_found,
                      "the resume point is not an entry of this ledger");
        }
        expect_resume = false;
      } else {
        CUSTODY_TRY(visit(line));
      }
      tip.last_hash = hash;
      tip.last_entry = line.location;
      ++tip.count;
      offset = newline + 1;
    }
    if (expect_resume) {
      return fail(Errc::not_found, "the resume point is beyond the ledger");
    }
    tip.last_segment = i;
    tip.last_segment_size =
      tip.torn ? tip.torn->offset : (reached ? offset : text.size());
    if (reached) {
      break;
    }
  }
  return tip;
}

} // namespace

Result<Tip>
scan(const fs::Path& vault,
     const std::function<Result<void>(const Line&)>& visit,
     std::optional<std::uint64_t> up_to)
{
  return scan_segments(vault, 0, nullptr, visit, up_to);
}

Result<std::optional<Tip>>
scan_after(const fs::Path& vault,
           const Resume& resume,
           const std::function<Result<void>(const Line&)>& visit,
           std::optional<std::uint64_t> up_to)
{
  if (resume.count == 0) {
    return scan(vault, visit, up_to);
  }
  auto tip = scan_segments(vault, resume.last.segment, &resume, visit, up_to);
  if (!tip && tip.error().code == Errc::not_found) {
    return std::optional<Tip>();
  }
  if (!tip) {
    return tl::unexpected(tip.error());
  }
  return std::optional<Tip>(*tip);
}

Result<std::optional<EntryAt>>
read_entry_at(const fs::Path& vault, const Location& location)
{
  // An entry line is a few hundred bytes; anything longer is not one.
  constexpr std::size_t k_max_entry_line = 64 * 1024;
  const fs::Path path = vault / "ledger" / segment_name(location.segment);
  // A FIFO, device or link in its place is tampering, never a wait (R5).
  auto input = fs::open_input(path, fs::Origin::vault);
  if (!input) {
    if (input.error().code == Errc::not_found) {
      return std::optional<EntryAt>();
    }
    return tl::unexpected(input.error());
  }
  const fs::Fd fd(input->fd);
  std::string buffer(k_max_entry_line, '\0');
  const ssize_t got = ::pread(fd.get(),
                              buffer.data(),
                              buffer.size(),
                              static_cast<off_t>(location.offset));
  if (got < 0) {
    return tl::unexpected(fs::errno_error("read", path, errno));
  }
  buffer.resize(static_cast<std::size_t>(got));
  const auto end = buffer.find('\n');
  if (end == std::string::npos) {
    return std::optional<EntryAt>();
  }
  const std::string_view line(buffer.data(), end);
  auto entry = decode(line);
  if (!entry) {
    return std::optional<EntryAt>();
  }
  return std::optional<EntryAt>(EntryAt{std::move(*entry), entry_hash(line)});
}

Result<Entry>
ChainChecker::next(const Line& line)
{
  auto entry = decode(line.text);
  if (!entry) {
    return broken(3,
                  fmt::format("{}: entry {}: {}",
                              describe(line.location),
                              m_count,
                              entry.error().message));
  }
  // invariant 4
  if (entry->seq != m_count) {
    return broken(4,
                  fmt::format("{}: entry {} has seq {}",
                              describe(line.location),
                              m_count,
                              entry->seq));
  }
  // invariant 5 (entry 0's prev is zeros, which is what m_last_hash starts as)
  if (entry->prev != m_last_hash) {
    return broken(
      5,
      fmt::format(
        "{}: entry {}: prev does not match the hash of the entry before it",
        describe(line.location),
        m_count),
      m_count == 0 ? ""
                   : fmt::format(
                     "entry {} or entry {} was altered", m_count - 1, m_count));
  }
  m_last_hash = entry_hash(line.text);
  ++m_count;
  return std::move(*entry);
}

Encoded
encode_entry(const Entry& entry)
{
  Encoded encoded{entry.seq, entry.prev, encode(entry), {}};
  encoded.hash = entry_hash(encoded.line);
  return encoded;
}

Result<Tip>
append(const fs::Path& vault,
       const Tip& tip,
       const std::vector<Encoded>& entries)
{
  if (tip.torn) {
    return make_error(
      Errc::corrupt,
      fmt::format("the ledger ends in a torn tail at {}",
                  describe({tip.torn->segment, tip.torn->offset})),
      Remedy::run_verify_repair);
  }
  Tip next = tip;
  const fs::Path dir = ledger_dir(vault);
  std::string pending;
  auto flush = [&]() -> Result<void> {
    if (!pending.empty()) {
      CUSTODY_TRY(fs::append_durably(dir / segment_name(next.last_segment),
                                     as_bytes(pending)));
      pending.clear();
    }
    return {};
  };
  for (const auto& entry : entries) {
    if (entry.seq != next.count || entry.prev != next.last_hash) {
      throw std::logic_error("ledger::append: entries do not continue the tip");
    }
    const std::size_t size = entry.line.size() + 1;
    if (next.last_segment_size > 0
        && next.last_segment_size + size > k_segment_max_bytes) {
      CUSTODY_TRY(flush());
      ++next.last_segment;
      next.last_segment_size = 0;
    }
    next.last_hash = entry.hash;
    next.last_entry = {next.last_segment, next.last_segment_size};
    next.last_segment_size += size;
    ++next.count;
    pending += entry.line;
    pending += '\n';
  }
  CUSTODY_TRY(flush());
  // HEAD follows the ledger: a crash before this leaves a lagging HEAD, which
  // is repaired (4.3).
  CUSTODY_TRY(fs::write_file_atomic(
    dir / "HEAD", as_bytes(encode_head(Head{next.count - 1, next.last_hash}))));
  return next;
}

Result<MovedTail>
move_torn_tail(const fs::Path& vault,
               const TornTail& torn,
               const std::set<std::string>& recorded)
{
  const fs::Path dir = ledger_dir(vault);
  const fs::Path segment = dir / segment_name(torn.segment);
  CUSTODY_ASSIGN(data, fs::read_file(segment, k_max_segment_file));
  if (data.size() != torn.offset + torn.length) {
    return fail(Errc::corrupt, "{} changed while repairing", segment.string());
  }
  const ByteView tail(data.data() + torn.offset, torn.length);
  std::string base = fmt::format("{:06}.torn", torn.segment);
  std::string name = base;
  bool kept = false;
  for (int n = 1; std::filesystem::exists(dir / name); ++n) {
    if (!recorded.contains(name)) {
      auto existing = fs::read_file(dir / name, k_max_segment_file);
      if (existing && ByteView(*existing).size() == tail.size()
          && std::equal(existing->begin(), existing->end(), tail.begin())) {
        kept = true;
        break;
      }
    }
    name = fmt::format("{}.{}", base, n);
  }
  // Keep the bytes first, then cut them: a crash in between leaves them in both
  // places, never none, and the next repair finds its copy above.
  if (!kept) {
    CUSTODY_TRY(fs::create_file_durably(dir / name, tail));
  }
  CUSTODY_TRY(fs::truncate_durably(segment, torn.offset));
  return MovedTail{name, sha256(tail)};
}

} // namespace custody::ledger
