// Exports a second member must approve first (docs/formats.md 6.7.1, 6.8,
// 14.3): the proposal of exactly what would leave, the approval, and finding
// an approved proposal for what an export would write now.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/vault/vault.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace custody::bundle {

// Who sealed each entry of `wanted`: the member a seal names for the entries
// it covers (docs/formats.md 6.4). Needs the admin compartment (every member).
[[nodiscard]] Result<std::map<std::uint64_t, std::string>>
sealed_by(vault::Vault& vault, const std::set<std::uint64_t>& wanted);

// Appends an `export` entry of one payload, `document` encrypted to the
// identity compartment (docs/formats.md 6.7), with the member's seal; returns
// its seq.
[[nodiscard]] Result<std::uint64_t> append_export(vault::Vault& vault,
                                                  const json::Json& document);

// The roles that may approve an export of `kind` (14.3): police and dataset a
// legal member; bulletin legal or advocacy.
std::vector<vault::Role> approvers_of(std::string_view kind);
// The compartment a proposal of `kind` keeps its content in: one every
// approver of the kind holds.
vault::Compartment content_compartment(std::string_view kind);

struct Proposal
{
  std::uint64_t seq = 0;
  std::string kind;
  std::string recipe_name;
  std::string recipe_sha256;
  std::string content;
  std::string content_sha256;
  std::string proposer; // key id of the member who sealed it
};

// Appends the proposal of `content` (an `export` entry of two payloads) with
// the member's seal; returns its seq. The content is encrypted to
// content_compartment(kind), or to `holder` when given: a dataset carrying
// narratives is kept in aggressor, as the text it publishes is.
[[nodiscard]] Result<std::uint64_t>
propose(vault::Vault& vault,
        std::string_view kind,
        const std::string& recipe_name,
        const std::string& recipe_sha256,
        const std::string& content,
        std::optional<vault::Compartment> holder = std::nullopt);

// Proposal `seq`, read through its content payload. Errc::not_found when
// entry `seq` is no proposal; Errc::auth when the member's keys do not open
// its content.
[[nodiscard]] Result<Proposal> read_proposal(vault::Vault& vault,
                                             std::uint64_t seq);

// Appends the member's approval of `proposal`. Errc::auth when she proposed
// it herself, or her role does not approve its kind; Errc::invalid_input
// when she approved it already.
[[nodiscard]] Result<std::uint64_t> approve(vault::Vault& vault,
                                            const Proposal& proposal);

struct Approved
{
  std::uint64_t proposal = 0;
  std::uint64_t approval = 0;
  std::string proposer;
  std::string approver;
};
struct ApprovedProposal
{
  Approved approved;
  Proposal proposal;
};
// The latest approved proposal of `kind` that `wanted` accepts, approved by a
// member of an approving role other than the one who proposed it; nullopt
// when there is none.
[[nodiscard]] Result<std::optional<ApprovedProposal>>
latest_approved(vault::Vault& vault,
                std::string_view kind,
                const std::function<bool(const Proposal&)>& wanted);

// The latest approved proposal of `kind` whose content hashes to
// `content_sha256`, approved by a member of an approving role other than the
// one who proposed it; nullopt when there is none.
[[nodiscard]] Result<std::optional<Approved>>
find_approved(vault::Vault& vault,
              std::string_view kind,
              const std::string& content_sha256);

// A passage of a proposal that text redaction would remove (a phone, an
// e-mail, a link, a handle, an ID number, coordinates; a name or place of the
// vault's term list): byte offsets into Proposal::content, and the kind's name
// ("PHONE").
struct ReviewMark
{
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string kind;
};

// The passages of a police referral's or bulletin's content (the aggressor
// as recorded, free text) that the approver should look at twice: marked,
// never removed, because some (an aggressor's handle in a warning) are meant
// to go out. Phones are found in the policy's regions and in international
// form; the term list is used when the member's keys open it (legal). In a
// dataset only the narrative column of data.csv is free text: its cells are
// searched, dates included (a date in a narrative is finer than any the
// dataset's period column gives); no other part is marked.
[[nodiscard]] Result<std::vector<ReviewMark>>
review_marks(vault::Vault& vault, const Proposal& proposal);

// The byte ranges of Proposal::content that are a dataset's narrative cells
// (data.csv's `narrative` column, inside the quotes of a quoted field); none
// when the dataset has no such column.
std::vector<std::pair<std::size_t, std::size_t>>
dataset_narrative_cells(std::string_view content);

// Errc::invalid_input when `out` exists (even as a dangling link): an approved
// export is written under a new name, never over anything.
[[nodiscard]] Result<void> check_new_output(const std::filesystem::path& out);

// Writes an approved export's `files` (name, bytes) into the new directory
// `out`: each file durable under a temporary name beside it, then `log`
// (given each file's SHA-256 by name) appends the entries that record it,
// then the directory takes its name, so an export is never out unlogged.
// The byte ranges of Proposal::content that are a dataset's narrative cells
// (data.csv's `narrative` column, inside the quotes of a quoted field); none
// when the dataset has no such column.
std::vector<std::pair<std::size_t, std::size_t>>
dataset_narrative_cells(std::string_view content);

// Errc::invalid_input when `out` exists; nothing is left on an error.
[[nodiscard]] Result<std::uint64_t> write_approved_directory(
  const std::filesystem::path& out,
  const std::vector<std::pair<std::string, std::string>>& files,
  const std::function<Result<std::uint64_t>(const json::Json& hashes)>& log);

} // namespace custody::bundle
