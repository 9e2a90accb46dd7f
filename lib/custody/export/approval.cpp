// Proposals and approvals (approval.hpp).
#include <custody/crypto/crypto.hpp>
#include <custody/export/approval.hpp>
#include <custody/ledger/ledger.hpp>
#include <custody/ledger/store.hpp>
#include <custody/redact/record.hpp>
#include <custody/redact/text.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace custody::bundle {

Result<std::map<std::uint64_t, std::string>>
sealed_by(vault::Vault& vault, const std::set<std::uint64_t>& wanted)
{
  std::map<std::uint64_t, std::string> found;
  if (wanted.empty()) {
    return found;
  }
  const std::uint64_t first = *wanted.begin();
  CUSTODY_TRY(vault.scan([&](const ledger::Entry& entry,
                             const Digest&) -> Result<void> {
    if (entry.kind != ledger::Kind::seal || entry.seq <= first
        || found.size() == wanted.size() || entry.payloads.size() != 1) {
      return {};
    }
    const auto& ref = entry.payloads[0];
    CUSTODY_ASSIGN(key, vault.key(vault::Compartment::admin, ref.epoch));
    CUSTODY_ASSIGN(opened, store::open_document(vault.directory(), ref, *key));
    const json::Json seal = opened.document.value("seal", json::Json::object());
    const std::string member = seal.value("member", "");
    for (const auto& cover : seal.value("covers", json::Json::array())) {
      const std::uint64_t seq = cover.value("seq", std::uint64_t{0});
      if (wanted.contains(seq)) {
        found[seq] = member;
      }
    }
    return {};
  }));
  return found;
}

Result<std::uint64_t>
append_export(vault::Vault& vault, const json::Json& document)
{
  CUSTODY_ASSIGN(recipient, vault.recipient(vault::Compartment::identity));
  CUSTODY_ASSIGN(
    sealed,
    store::seal_document(vault.directory(),
                         document,
                         recipient,
                         vault.current_epoch(vault::Compartment::identity)));
  std::vector<std::vector<ledger::PayloadRef>> payloads{{sealed.ref}};
  CUSTODY_ASSIGN(appended,
                 vault.append(ledger::Kind::export_, std::move(payloads)));
  return appended.front().seq;
}

std::vector<vault::Role>
approvers_of(std::string_view kind)
{
  if (kind == "bulletin") {
    return {vault::Role::legal, vault::Role::advocacy};
  }
  return {vault::Role::legal};
}

vault::Compartment
content_compartment(std::string_view kind)
{
  return kind == "dataset" ? vault::Compartment::facts
                           : vault::Compartment::aggressor;
}

namespace {

std::optional<vault::Role>
role_of(const vault::Vault& vault, const std::string& key_id)
{
  auto member = vault.state().members.find(key_id);
  if (member == vault.state().members.end()) {
    return std::nullopt;
  }
  return member->second.role;
}

bool
approves(std::string_view kind, std::optional<vault::Role> role)
{
  const auto roles = approvers_of(kind);
  return role && std::find(roles.begin(), roles.end(), *role) != roles.end();
}

// The entry at `seq`, or Errc::not_found.
Result<ledger::Entry>
entry_at(const vault::Vault& vault, std::uint64_t seq)
{
  std::optional<ledger::Entry> found;
  CUSTODY_TRY(
    vault.scan([&](const ledger::Entry& entry, const Digest&) -> Result<void> {
      if (entry.seq == seq) {
        found = entry;
      }
      return {};
    }));
  if (!found) {
    return make_error(Errc::not_found,
                      fmt::format("the ledger has no entry {}", seq));
  }
  return *found;
}

} // namespace

Result<std::uint64_t>
propose(vault::Vault& vault,
        std::string_view kind,
        const std::string& recipe_name,
        const std::string& recipe_sha256,
        const std::string& content,
        std::optional<vault::Compartment> holder_compartment)
{
  if (!vault::may_write(vault.me().role, ledger::Kind::export_)) {
    return make_error(Errc::auth, "your role cannot propose an export");
  }
  const std::string hash = sha256_hex(as_bytes(content));
  const json::Json recipe = {{"name", recipe_name}, {"sha256", recipe_sha256}};
  const json::Json document = {{"type", "export"},
                               {"export",
                                {{"kind", std::string(kind)},
                                 {"status", "proposed"},
                                 {"recipe", recipe},
                                 {"content_sha256", hash}}}};
  const json::Json proposal = {{"type", "proposal"},
                               {"kind", std::string(kind)},
                               {"recipe", recipe},
                               {"content", content},
                               {"content_sha256", hash}};
  const vault::Compartment compartment =
    holder_compartment.value_or(content_compartment(kind));
  CUSTODY_ASSIGN(identity, vault.recipient(vault::Compartment::identity));
  CUSTODY_ASSIGN(holder, vault.recipient(compartment));
  CUSTODY_ASSIGN(
    first,
    store::seal_document(vault.directory(),
                         document,
                         identity,
                         vault.current_epoch(vault::Compartment::identity)));
  CUSTODY_ASSIGN(
    second,
    store::seal_document(
      vault.directory(), proposal, holder, vault.current_epoch(compartment)));
  std::vector<std::vector<ledger::PayloadRef>> payloads{
    {first.ref, second.ref}};
  CUSTODY_ASSIGN(appended,
                 vault.append(ledger::Kind::export_, std::move(payloads)));
  return appended.front().seq;
}

namespace {

// The proposal `entry` holds, read through its content payload; its proposer
// is the caller's to find (sealed_by).
Result<Proposal>
open_proposal(vault::Vault& vault, const ledger::Entry& entry)
{
  const std::uint64_t seq = entry.seq;
  if (entry.kind != ledger::Kind::export_ || entry.payloads.size() != 2) {
    return make_error(Errc::not_found,
                      fmt::format("entry {} is not a proposed export", seq),
                      Remedy::list_entries);
  }
  const auto& ref = entry.payloads[1];
  std::optional<store::Opened> opened;
  bool held = false;
  for (const auto compartment :
       {vault::Compartment::aggressor, vault::Compartment::facts}) {
    auto key = vault.key(compartment, ref.epoch);
    if (!key) {
      continue;
    }
    auto tried = store::open_document(vault.directory(), ref, **key);
    if (tried) {
      opened = std::move(*tried);
      break;
    }
    // A key of the other compartment does not open it: not held. Anything
    // else is a proposal that is broken.
    held = held || tried.error().code != Errc::auth;
  }
  if (!opened) {
    return make_error(
      held ? Errc::corrupt : Errc::auth,
      held ? fmt::format("entry {}: the proposal's content "
                         "does not open",
                         seq)
           : fmt::format("your keys do not open proposal {}", seq));
  }
  const json::Json& document = opened->document;
  Proposal proposal;
  proposal.seq = seq;
  proposal.kind = document.value("kind", "");
  proposal.recipe_name =
    document.value("recipe", json::Json::object()).value("name", "");
  proposal.recipe_sha256 =
    document.value("recipe", json::Json::object()).value("sha256", "");
  proposal.content = document.value("content", "");
  proposal.content_sha256 = document.value("content_sha256", "");
  if (document.value("type", "") != "proposal"
      || sha256_hex(as_bytes(proposal.content)) != proposal.content_sha256) {
    return make_error(Errc::corrupt,
                      fmt::format("entry {}: the proposal's content is not "
                                  "what docs/formats.md 6.7.1 says",
                                  seq));
  }
  return proposal;
}

} // namespace

Result<Proposal>
read_proposal(vault::Vault& vault, std::uint64_t seq)
{
  CUSTODY_ASSIGN(entry, entry_at(vault, seq));
  CUSTODY_ASSIGN(proposal, open_proposal(vault, entry));
  CUSTODY_ASSIGN(sealers, sealed_by(vault, {seq}));
  if (auto found = sealers.find(seq); found != sealers.end()) {
    proposal.proposer = found->second;
  }
  return proposal;
}

Result<std::uint64_t>
approve(vault::Vault& vault, const Proposal& proposal)
{
  const auto& me = vault.me();
  if (proposal.proposer.empty() || proposal.proposer == me.key_id) {
    return make_error(Errc::auth,
                      fmt::format("you proposed export {}: a second member "
                                  "approves it, not its author",
                                  proposal.seq));
  }
  if (!approves(proposal.kind, me.role)) {
    return make_error(
      Errc::auth,
      fmt::format("a {} export is approved by a {} member; "
                  "your role is {}",
                  proposal.kind,
                  proposal.kind == "bulletin" ? "legal or advocacy" : "legal",
                  vault::role_name(me.role)));
  }
  CUSTODY_ASSIGN(existing,
                 find_approved(vault, proposal.kind, proposal.content_sha256));
  if (existing && existing->proposal == proposal.seq
      && existing->approver == me.key_id) {
    return make_error(Errc::invalid_input,
                      fmt::format("you approved export {} already (entry {})",
                                  proposal.seq,
                                  existing->approval));
  }
  const json::Json document = {{"type", "approval"},
                               {"approval",
                                {{"proposal", proposal.seq},
                                 {"kind", proposal.kind},
                                 {"content_sha256", proposal.content_sha256},
                                 {"decision", "approve"}}}};
  CUSTODY_ASSIGN(admin, vault.recipient(vault::Compartment::admin));
  CUSTODY_ASSIGN(
    sealed,
    store::seal_document(vault.directory(),
                         document,
                         admin,
                         vault.current_epoch(vault::Compartment::admin)));
  std::vector<std::vector<ledger::PayloadRef>> payloads{{sealed.ref}};
  CUSTODY_ASSIGN(appended,
                 vault.append(ledger::Kind::approval, std::move(payloads)));
  return appended.front().seq;
}

Result<std::optional<ApprovedProposal>>
latest_approved(vault::Vault& vault,
                std::string_view kind,
                const std::function<bool(const Proposal&)>& wanted)
{
  struct Candidate
  {
    std::uint64_t approval = 0;
    std::uint64_t proposal = 0;
    std::string content_sha256;
  };
  std::vector<Candidate> candidates;
  // The proposals, kept from the same scan, so that checking a candidate
  // reads no more of the ledger.
  std::map<std::uint64_t, ledger::Entry> proposals;
  CUSTODY_TRY(vault.scan([&](const ledger::Entry& entry,
                             const Digest&) -> Result<void> {
    if (entry.kind == ledger::Kind::export_ && entry.payloads.size() == 2) {
      proposals.emplace(entry.seq, entry);
      return {};
    }
    if (entry.kind != ledger::Kind::approval || entry.payloads.size() != 1) {
      return {};
    }
    const auto& ref = entry.payloads[0];
    CUSTODY_ASSIGN(key, vault.key(vault::Compartment::admin, ref.epoch));
    CUSTODY_ASSIGN(opened, store::open_document(vault.directory(), ref, *key));
    const json::Json approval =
      opened.document.value("approval", json::Json::object());
    if (approval.value("kind", "") == kind
        && approval.value("decision", "") == "approve") {
      candidates.push_back({entry.seq,
                            approval.value("proposal", std::uint64_t{0}),
                            approval.value("content_sha256", "")});
    }
    return {};
  }));
  std::set<std::uint64_t> seqs;
  for (const auto& candidate : candidates) {
    seqs.insert(candidate.approval);
    seqs.insert(candidate.proposal);
  }
  CUSTODY_ASSIGN(sealers, sealed_by(vault, seqs));
  // The latest first: what was approved most recently is what stands.
  for (std::size_t i = candidates.size(); i-- > 0;) {
    const Candidate& candidate = candidates[i];
    const auto proposer = sealers.find(candidate.proposal);
    const auto approver = sealers.find(candidate.approval);
    if (proposer == sealers.end() || approver == sealers.end()
        || proposer->second == approver->second
        || !approves(kind, role_of(vault, approver->second))
        || candidate.proposal >= candidate.approval) {
      continue;
    }
    // The approval names a hash; the proposal must hold content of that hash.
    const auto entry = proposals.find(candidate.proposal);
    if (entry == proposals.end()) {
      continue;
    }
    auto proposal = open_proposal(vault, entry->second);
    if (!proposal || proposal->kind != kind
        || proposal->content_sha256 != candidate.content_sha256
        || !wanted(*proposal)) {
      continue;
    }
    return ApprovedProposal{Approved{candidate.proposal,
                                     candidate.approval,
                                     proposer->second,
                                     approver->second},
                            std::move(*proposal)};
  }
  return std::nullopt;
}

Result<std::optional<Approved>>
find_approved(vault::Vault& vault,
              std::string_view kind,
              const std::string& content_sha256)
{
  CUSTODY_ASSIGN(found,
                 latest_approved(vault, kind, [&](const Proposal& proposal) {
                   return proposal.content_sha256 == content_sha256;
                 }));
  if (!found) {
    return std::nullopt;
  }
  return found->approved;
}

Result<void>
check_new_output(const std::filesystem::path& out)
{
  std::error_code error;
  if (std::filesystem::symlink_status(out, error).type()
      != std::filesystem::file_type::not_found) {
    return make_error(
      Errc::invalid_input,
      fmt::format("{}: exists already; nothing was written", out.string()),
      "choose another name");
  }
  return {};
}

Result<std::uint64_t>
write_approved_directory(
  const std::filesystem::path& out,
  const std::vector<std::pair<std::string, std::string>>& files,
  const std::function<Result<std::uint64_t>(const json::Json& hashes)>& log)
{
  CUSTODY_TRY(check_new_output(out));
  std::error_code error;
  const std::filesystem::path parent =
    out.has_parent_path() ? out.parent_path() : std::filesystem::path(".");
  std::string pattern =
    (parent
     / (std::string(fs::k_temp_prefix) + out.filename().string() + "-XXXXXX"))
      .string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return tl::unexpected(fs::errno_error("create", pattern, errno));
  }
  const std::filesystem::path temp = pattern;
  auto written = [&]() -> Result<std::uint64_t> {
    json::Json hashes = json::Json::object();
    for (const auto& [name, text] : files) {
      CUSTODY_TRY(fs::create_file_durably(temp / name, as_bytes(text)));
      hashes[name] = sha256_hex(as_bytes(text));
    }
    CUSTODY_TRY(fs::fsync_directory(temp));
    CUSTODY_ASSIGN(seq, log(hashes));
    std::filesystem::rename(temp, out, error);
    if (error) {
      return make_error(Errc::io,
                        fmt::format("{}: {}", out.string(), error.message()));
    }
    CUSTODY_TRY(fs::fsync_directory(parent));
    return seq;
  }();
  if (!written) {
    std::filesystem::remove_all(temp, error);
  }
  return written;
}

std::vector<std::pair<std::size_t, std::size_t>>
dataset_narrative_cells(std::string_view content)
{
  constexpr std::string_view k_csv = "=== data.csv ===\n";
  constexpr std::string_view k_next = "=== datapackage.json ===\n";
  std::vector<std::pair<std::size_t, std::size_t>> cells;
  if (content.rfind(k_csv, 0) != 0) {
    return cells;
  }
  std::size_t at = k_csv.size();
  // One field of RFC 4180 from `at`: its bytes' range (inside the quotes),
  // `at` left after it, and whether it ended its record.
  const auto field = [&](std::pair<std::size_t, std::size_t>& range) {
    if (at < content.size() && content[at] == '"') {
      const std::size_t begin = ++at;
      while (at < content.size()) {
        if (content[at] == '"') {
          if (at + 1 < content.size() && content[at + 1] == '"') {
            at += 2;
            continue;
          }
          break;
        }
        ++at;
      }
      range = {begin, at};
      at = std::min(at + 1, content.size());
    } else {
      const std::size_t begin = at;
      while (at < content.size() && content[at] != ',' && content[at] != '\r'
             && content[at] != '\n') {
        ++at;
      }
      range = {begin, at};
    }
    if (at < content.size() && content[at] == ',') {
      ++at;
      return false;
    }
    if (content.compare(at, 2, "\r\n") == 0) {
      at += 2;
    } else if (at < content.size()) {
      ++at;
    }
    return true;
  };
  std::optional<std::size_t> column;
  for (std::size_t index = 0;; ++index) {
    std::pair<std::size_t, std::size_t> range;
    const bool last = field(range);
    if (content.substr(range.first, range.second - range.first)
        == "narrative") {
      column = index;
    }
    if (last || at >= content.size()) {
      break;
    }
  }
  if (!column) {
    return cells;
  }
  while (at < content.size()
         && content.compare(at, k_next.size(), k_next) != 0) {
    for (std::size_t index = 0;; ++index) {
      std::pair<std::size_t, std::size_t> range;
      const bool last = field(range);
      if (index == *column) {
        cells.push_back(range);
      }
      if (last || at >= content.size()) {
        break;
      }
    }
  }
  return cells;
}

Result<std::vector<ReviewMark>>
review_marks(vault::Vault& vault, const Proposal& proposal)
{
  const bool dataset = proposal.kind == "dataset";
  std::vector<std::pair<std::size_t, std::size_t>> passages;
  if (dataset) {
    passages = dataset_narrative_cells(proposal.content);
    if (passages.empty()) {
      return std::vector<ReviewMark>{};
    }
  } else {
    passages.emplace_back(0, proposal.content.size());
  }
  // Without phone regions (the policy's redaction settings), numbers in
  // international form are still found.
  const auto settings = vault::redaction_policy(vault.state().policy);
  CUSTODY_ASSIGN(
    redactor,
    redact::Redactor::create({settings.phone_regions, settings.id_patterns}));
  redact::TextInput input;
  // A bulletin's months and windows are meant to go out; a date in a
  // dataset's narrative is finer than its period column.
  input.keep_dates = !dataset;
  if (auto list = vault.terms()) {
    CUSTODY_ASSIGN(terms, redact::terms_from_json(*list));
    input.terms = std::move(terms);
  } else if (list.error().code != Errc::auth) {
    return tl::unexpected(list.error());
  }
  std::vector<ReviewMark> marks;
  for (const auto& [begin, end] : passages) {
    input.text = std::string_view(proposal.content).substr(begin, end - begin);
    CUSTODY_ASSIGN(found, redactor.redact(input));
    for (const auto& span : found.spans) {
      marks.push_back({begin + span.begin,
                       begin + span.end,
                       std::string(redact::kind_name(span.kind))});
    }
  }
  return marks;
}

} // namespace custody::bundle
