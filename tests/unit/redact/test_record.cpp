// Redacting a record's text (redact/record.hpp): a member's review applied
// (removals kept, put back, added), the fail-closed check that no identity
// value of the record or its event is left, and the term list's file and JSON
// forms. The proposals are made by the engine from hand-built records, no
// vault needed.
#include <custody/redact/record.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace custody;
using redact::Kind;

namespace {

redact::Redactor
make_redactor()
{
  auto made = redact::Redactor::create(redact::Policy{{"KE", "GB"}, {}});
  REQUIRE(made);
  return std::move(*made);
}

// A proposal as propose_text makes it, for one narrative.
redact::TextProposal
proposal_for(const redact::Redactor& redactor,
             const std::string& text,
             const std::vector<redact::Term>& terms = {})
{
  redact::TextProposal proposal;
  proposal.record = std::string(32, 'a');
  proposal.language = "en";
  proposal.own.names = {"Imani Chebet"};
  proposal.own.phones = {"+254 712 345 678"};
  redact::Identity other;
  other.names = {"Wanjiru Otieno"};
  proposal.others = {other};
  proposal.terms = terms;
  redact::TextInput input;
  input.text = text;
  input.language = proposal.language;
  input.own = proposal.own;
  input.others = proposal.others;
  input.terms = terms;
  auto redaction = redactor.redact(input);
  REQUIRE(redaction);
  proposal.fields.push_back({"narrative", text, std::move(*redaction)});
  return proposal;
}

redact::Review
all_removed(const redact::TextProposal& proposal)
{
  redact::Review review;
  for (const auto& field : proposal.fields) {
    review.removed.emplace_back(field.proposed.spans.size(), true);
  }
  return review;
}

} // namespace

TEST_SUITE_BEGIN("redact");

TEST_CASE("a review that removes everything gives the engine's text")
{
  const auto redactor = make_redactor();
  const auto proposal = proposal_for(
    redactor, "Imani met Wanjiru Otieno; call 0712 345678 after dark.");
  auto review = all_removed(proposal);
  review.reviewed = true;
  auto result = redact::finish_text(redactor, proposal, review);
  REQUIRE(result);
  const auto text = result->text["narrative"].get<std::string>();
  CHECK(text == proposal.fields[0].proposed.text);
  CHECK(text.find("Imani") == std::string::npos);
  CHECK(text.find("Wanjiru") == std::string::npos);
  CHECK(text.find("0712") == std::string::npos);
  CHECK(result->counts["NAME"] == 2);
  CHECK(result->counts["PHONE"] == 1);
  CHECK(result->restored == 0);
  CHECK(result->added == 0);
  CHECK(result->source_sha256.size() == 64);
  CHECK(result->output_sha256 != result->source_sha256);
  for (const auto& check : result->checks) {
    CHECK(check.passed);
  }
}

TEST_CASE("a proposal put back stays, unless it is an identity value")
{
  const auto redactor = make_redactor();
  // The phone proposal is a helpline, not the person's: the member may keep it.
  const auto proposal =
    proposal_for(redactor, "Imani rang the helpline on 0800 723 253 at once.");
  auto review = all_removed(proposal);
  std::size_t phone = 0;
  const auto& spans = proposal.fields[0].proposed.spans;
  while (phone < spans.size() && spans[phone].kind != Kind::phone) {
    ++phone;
  }
  REQUIRE(phone < spans.size());
  review.removed[0][phone] = false;
  auto kept = redact::finish_text(redactor, proposal, review);
  REQUIRE(kept);
  CHECK(kept->text["narrative"].get<std::string>().find("0800 723 253")
        != std::string::npos);
  CHECK(kept->restored == 1);

  // The person's own name put back fails closed, with no text.
  auto named = all_removed(proposal);
  REQUIRE(spans[0].kind == Kind::name);
  named.removed[0][0] = false;
  auto refused = redact::finish_text(redactor, proposal, named);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::unsafe);
  CHECK(refused.error().message.find("Imani") == std::string::npos);
}

TEST_CASE("a co-victim's name put back fails the check too")
{
  const auto redactor = make_redactor();
  const auto proposal =
    proposal_for(redactor, "She was with Wanjiru when they came.");
  auto review = all_removed(proposal);
  REQUIRE(review.removed[0].size() == 1);
  review.removed[0][0] = false;
  auto refused = redact::finish_text(redactor, proposal, review);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::unsafe);
}

TEST_CASE("an added word is removed wherever it occurs, in any casing")
{
  const auto redactor = make_redactor();
  const auto proposal = proposal_for(
    redactor, "Imani works at Club Zanzibar; CLUB ZANZIBAR closes late.");
  auto review = all_removed(proposal);
  review.added = {"Club Zanzibar"};
  auto result = redact::finish_text(redactor, proposal, review);
  REQUIRE(result);
  const auto text = result->text["narrative"].get<std::string>();
  CHECK(text.find("Zanzibar") == std::string::npos);
  CHECK(text.find("ZANZIBAR") == std::string::npos);
  CHECK(result->added == 2);
  CHECK(result->counts["NAME"] == 3);
}

TEST_CASE("the vault's terms are proposed like identity values")
{
  const auto redactor = make_redactor();
  const auto proposal =
    proposal_for(redactor,
                 "Inspector Kamau took her to Mwembe Tayari market.",
                 {{"Kamau", Kind::name}, {"Mwembe Tayari", Kind::place}});
  auto result = redact::finish_text(redactor, proposal, all_removed(proposal));
  REQUIRE(result);
  const auto text = result->text["narrative"].get<std::string>();
  CHECK(text.find("Kamau") == std::string::npos);
  CHECK(text.find("Mwembe") == std::string::npos);
  CHECK(result->counts["PLACE"] == 1);
}

TEST_CASE("a review must match the proposals")
{
  const auto redactor = make_redactor();
  const auto proposal = proposal_for(redactor, "Imani left.");
  redact::Review short_review;
  auto refused = redact::finish_text(redactor, proposal, short_review);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::internal);
}

TEST_CASE("a term list file: kinds, comments, and the line of a bad term")
{
  auto parsed = redact::parse_term_file(
    "# venues\n\nplace: Club Zanzibar\r\n  Inspector Kamau  \nname: Mimi\n");
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 3);
  CHECK((*parsed)[0]["kind"] == "place");
  CHECK((*parsed)[0]["text"] == "Club Zanzibar");
  CHECK((*parsed)[1]["kind"] == "name");
  CHECK((*parsed)[1]["text"] == "Inspector Kamau");
  CHECK((*parsed)[2]["text"] == "Mimi");

  auto terms = redact::terms_from_json(*parsed);
  REQUIRE(terms);
  CHECK((*terms)[0].kind == Kind::place);

  auto punctuation = redact::parse_term_file("ok\n---\n");
  REQUIRE_FALSE(punctuation);
  CHECK(punctuation.error().message.find("line 2") != std::string::npos);
  auto invalid = redact::parse_term_file("ok\nbad \xff byte\n");
  REQUIRE_FALSE(invalid);
  CHECK(invalid.error().code == Errc::invalid_input);
  CHECK(invalid.error().message.find("line 2") != std::string::npos);
  CHECK_FALSE(redact::parse_term_file(std::string(201, 'a')));

  CHECK_FALSE(redact::terms_from_json(json::Json::object()));
  CHECK_FALSE(redact::terms_from_json(
    json::Json::array({{{"text", "x"}, {"kind", "officer"}}})));
}

TEST_SUITE_END();
