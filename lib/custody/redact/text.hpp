// Text redaction (issue 17): the removals proposed for a narrative, and the
// text with placeholders in their place. Identity values are matched in every
// casing, Unicode form, spacing, common inflection and in Latin and Cyrillic
// (ICU); phones by libphonenumber; e-mails, links, handles, coordinates, dates
// and the policy's ID patterns by RE2. Nothing here is stored or printed: the
// caller reviews the spans and decides (docs/decisions.md "Text redaction").
#pragma once

#include <custody/base/error.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace custody::redact {

// What a removal is. Append only: the report counts by these.
enum class Kind {
  name,
  phone,
  email,
  url,
  handle,
  place,
  id,
  coordinates,
  date,
};
inline constexpr std::size_t kind_count = 9;

// "NAME", "PHONE", "EMAIL", "URL", "HANDLE", "PLACE", "ID", "COORDINATES",
// "DATE".
std::string_view kind_name(Kind kind);

// The placeholder a removal of `kind` leaves: "[NAME]" ... A date is
// coarsened instead (the month it names stays), unless it cannot be.
std::string placeholder(Kind kind);

// One person's identity values, as the identity compartment holds them
// (schemas/incident.schema.json: person.names ... person.id_numbers).
struct Identity
{
  std::vector<std::string> names;
  std::vector<std::string> aliases;
  std::vector<std::string> phones;
  std::vector<std::string> emails;
  std::string address;
  std::vector<std::string> id_numbers;
};

// A word or phrase of the vault's term list (venues, officers), removed as
// `kind` (name or place).
struct Term
{
  std::string text;
  Kind kind = Kind::name;
};

// The vault policy's part in redaction: checked once, when a Redactor is
// made.
struct Policy
{
  // ISO 3166 regions libphonenumber knows ("GB", not "UK").
  std::vector<std::string> phone_regions;
  // RE2 patterns of national ID numbers; each match is an ID.
  std::vector<std::string> id_patterns;
};

struct TextInput
{
  // UTF-8; anything else is refused with the offset of the first bad byte.
  std::string_view text;
  // BCP 47 tag of `text` (narrative.language): picks the inflections and
  // month names.
  std::string language;
  // The record's own person.
  Identity own;
  // The people of the other records of the same event (event_ref).
  std::vector<Identity> others;
  // incident.location: the exact place, in words.
  std::string location;
  std::vector<Term> terms;
  // Dates and times are left as written.
  bool keep_dates = false;
};

struct Span
{
  // Byte offsets into the input, on whole words: [begin, end).
  std::size_t begin = 0;
  std::size_t end = 0;
  Kind kind = Kind::name;
  // What replaces it: the placeholder, or for a date its month.
  std::string replacement;
};

struct Redaction
{
  // Sorted, not overlapping.
  std::vector<Span> spans;
  // The input with each span replaced.
  std::string text;
  // The number of spans of each kind (by Kind), never their values.
  std::array<std::size_t, kind_count> counts{};
};

// The matchers for one policy: the regions checked, the patterns and ICU's
// transliterators made once. One redactor serves one thread at a time.
class Redactor
{
public:
  // Errc::invalid_input naming an unknown phone region or a pattern that does
  // not compile.
  static Result<Redactor> create(const Policy& policy);

  Redactor(Redactor&&) noexcept;
  Redactor& operator=(Redactor&&) noexcept;
  ~Redactor();

  // The proposed removals and the redacted text. Errc::invalid_input for text
  // that is not UTF-8 (naming the byte offset) and for an identity value or
  // term that is not UTF-8 or has no letter or digit. Errc::internal, with no
  // text, when an identity value would still be in the output (fail closed).
  Result<Redaction> redact(const TextInput& input) const;

private:
  struct State;
  explicit Redactor(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

} // namespace custody::redact
