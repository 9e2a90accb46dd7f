// An anonymous police referral (docs/formats.md 14.3): one record's aggressor
// as reported, its month and region, and nothing of the person who reported.
#pragma once

#include <custody/disclosure/released.hpp>
#include <custody/records/records.hpp>
#include <custody/records/view.hpp>

#include <optional>
#include <string>

namespace custody::disclosure {

// The consent scope a police referral needs.
constexpr std::string_view k_police_consent = "police_anonymous";

struct ReferralOptions
{
  std::string organisation;
  bool phones = false;  // the aggressor's phones, when the recipe includes them
  bool handles = false; // and handles
};

// The referral's text (UTF-8, LF, the same bytes for the same record and
// options). Errc::auth unless the view opens facts and aggressor;
// Errc::invalid_input when the record's consent lacks police_anonymous, or
// it holds nothing about the aggressor to refer.
[[nodiscard]] Result<Released<std::string>>
police_referral(const records::RecordView& view,
                const std::optional<records::Places>& places,
                const ReferralOptions& options);

} // namespace custody::disclosure
