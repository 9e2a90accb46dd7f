// Text redaction: a corpus of narratives in the five languages of
// examples/incidents (English, Spanish, Swahili, Russian, Hindi, with a
// Ukrainian one for its declension), with names inflected as people write
// them, local phone formats, e-mails, handles, links, coordinates and dates.
// Every value is fictional; phone numbers are in the ranges the regions use.
#include <custody/redact/text.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace custody;
using redact::Kind;

namespace {

struct Case
{
  std::string language;
  redact::Identity own;
  std::vector<redact::Identity> others;
  std::string location;
  std::vector<redact::Term> terms;
  std::string text;
  // What must be gone from the output: the record's own values as written
  // in the text (inflected, respelled), then everything else planted.
  std::vector<std::string> own_planted;
  std::vector<std::string> planted;
};

redact::Policy
policy()
{
  redact::Policy out;
  out.phone_regions = {"KE", "TZ", "ES", "MX", "RU", "UA", "IN", "GB"};
  out.id_patterns = {
    R"(\b\d{8}[A-HJ-NP-TV-Z]\b)", // Spanish DNI
    R"(\b\d{4} \d{4} \d{4}\b)",   // Aadhaar
    R"(\b\d{2} \d{2} \d{6}\b)",   // Russian internal passport
    R"(\bKRA-[A-Z]\d{9}[A-Z]\b)", // a Kenyan PIN as written on forms
  };
  return out;
}

redact::Identity
person(std::vector<std::string> names,
       std::vector<std::string> aliases = {},
       std::vector<std::string> phones = {},
       std::vector<std::string> emails = {},
       std::string address = {},
       std::vector<std::string> ids = {})
{
  redact::Identity out;
  out.names = std::move(names);
  out.aliases = std::move(aliases);
  out.phones = std::move(phones);
  out.emails = std::move(emails);
  out.address = std::move(address);
  out.id_numbers = std::move(ids);
  return out;
}

std::vector<Case>
corpus()
{
  std::vector<Case> out;
  // English
  out.push_back(
    {"en",
     person({"Daniel Okello"},
            {"Danny"},
            {"+254 733 000 190"},
            {"d.okello.190@example.org"}),
     {person({"Brian Otieno"})},
     "Tom Mboya Street, behind the bus stage",
     {},
     "I met a client through an app on 12 January 2025. He messaged Danny "
     "on 0733 000190 and later on 0733-000-190, and wrote to "
     "d.okello.190@example.org. Daniel's sister Faith saw the pictures. "
     "Brian Otieno was with me at Tom Mboya Street at 23:40. He posted on "
     "@danny_ok_254 and https://instagram.com/d.okello.pics too.",
     {"Danny",
      "0733 000190",
      "0733-000-190",
      "d.okello.190@example.org",
      "Daniel's",
      "@danny_ok_254"},
     {"12 January",
      "Brian",
      "Otieno",
      "Tom Mboya Street",
      "23:40",
      "instagram.com/d.okello.pics"}});
  out.push_back(
    {"en",
     person({"Grace Wanjiru"}, {"Shiko"}, {"0722 456 789"}),
     {},
     "Lodge 44, River Road",
     {{"Sergeant Mutua", Kind::name}, {"Blue Moon Bar", Kind::place}},
     "On March 3, 2025 Sergeant Mutua took Shiko to the Blue Moon Bar. "
     "GRACE WANJIRU called +254722456789 from the lodge on River Road. "
     "The pin she sent was -1.2864, 36.8172 and later "
     "https://www.google.com/maps/@-1.2864,36.8172,17z; the clinic is at "
     "geo:-1.2921,36.8219. Her KRA number is KRA-A012345678Z.",
     {"Shiko", "GRACE", "WANJIRU", "+254722456789"},
     {"March 3",
      "Mutua",
      "Blue Moon Bar",
      "River Road",
      "-1.2864, 36.8172",
      "google.com/maps",
      "geo:-1.2921,36.8219",
      "KRA-A012345678Z"}});
  out.push_back({"en",
                 person({"Aisha Noor"}, {}, {"07700 900123"}),
                 {person({"Joy Akinyi"}, {"JJ"})},
                 "",
                 {},
                 "Aisha rang from 07700 900123 on 2025-06-02 at 9 pm. "
                 "Joy's phone, +44 7700 900456, was taken. We met at "
                 "1°17'31.6\"S 36°49'18.8\"E. Write to joy.a@example.net.",
                 {"Aisha", "07700 900123"},
                 {"2025-06-02",
                  "9 pm",
                  "Joy's",
                  "+44 7700 900456",
                  "1°17'31.6\"S",
                  "36°49'18.8\"E",
                  "joy.a@example.net"}});
  // Spanish
  out.push_back(
    {"es",
     person(
       {"Rosa Delgado"}, {}, {"+34 612 345 678"}, {"rosa.d.000@example.org"}),
     {person({"Carmen Ruiz"})},
     "",
     {},
     "Rosita fue al centro de salud el 14 de marzo de 2025. La enfermera "
     "llamó a Rosa delante de todos. Carmencita y yo la esperamos. Llámame "
     "al 612 34 56 78 o escribe a rosa.d.000@example.org. Mi DNI es "
     "12345678Z. Carmen Ruiz vive en 40.4168, -3.7038.",
     {"Rosita", "Rosa ", "612 34 56 78", "rosa.d.000@example.org"},
     {"14 de marzo",
      "Carmencita",
      "Carmen Ruiz",
      "12345678Z",
      "40.4168, -3.7038"}});
  out.push_back(
    {"es",
     person({"Juan Pablo Marín"}, {"Juampi"}, {"+52 55 1234 5678"}),
     {person({"Lucía Herrera"})},
     "puesto 12 del mercado Hidalgo",
     {},
     "Juanito me llamó desde el 55 1234 5678 a las 22:15 del 03/05/2025. "
     "Lucita, la hija de Lucía, lo vio. El inspector conoce a Juampi y a "
     "JUAN PABLO MARIN. Nos vimos en el mercado Hidalgo.",
     {"Juanito", "55 1234 5678", "Juampi", "JUAN PABLO MARIN"},
     {"22:15", "03/05/2025", "Lucita", "Lucía", "mercado Hidalgo"}});
  out.push_back(
    {"es",
     person({"Valeria Solís"}, {"Vale"}, {"+000 711 000 112"}),
     {},
     "",
     {},
     "Cuando vieron mi cédula de Valeria Solis se burlaron. "
     "Valerita, dijeron. Mi número 711 000 112 lo tenían. "
     "Me siguen en @vale_solis_mx y www.facebook.com/vsolis.",
     {"Valeria", "Solis", "Valerita", "711 000 112", "@vale_solis_mx"},
     {"facebook.com/vsolis"}});
  // Swahili
  out.push_back(
    {"sw",
     person({"Imani Chebet"}, {"Mimi"}, {"+255 754 123 456"}),
     {person({"Neema Atieno"}, {"Nini"})},
     "nyuma ya soko la samaki, Kilindini",
     {},
     "Usiku wa tarehe 14 Machi 2025 nilikuwa na Neema karibu na soko la "
     "samaki. Polisi walimwita Mimi na kumpiga kiImani. Walimchukua "
     "waChebet kwenye gari. Nipigie 0754 123 456 au 0754123456. Nini "
     "alikimbia Kilindini saa 23:40.",
     {"Mimi", "kiImani", "waChebet", "0754 123 456", "0754123456"},
     {"14 Machi", "Neema", "Nini", "Kilindini", "23:40"}});
  out.push_back({"sw",
                 person({"Amani Juma"}, {}, {"0712 000 231"}),
                 {},
                 "",
                 {},
                 "Amani alipigwa na mteja. Nambari ya Amani ni +254 712 000 "
                 "231. Aliandika kwa amani.juma@example.com na @amani_j. "
                 "Mahali: -4.0435, 39.6682.",
                 {"Amani alipigwa", "+254 712 000 231", "amani.juma@"},
                 {"@amani_j", "-4.0435, 39.6682"}});
  out.push_back({"sw",
                 person({"Zawadi Mwangi"}, {"Zawa"}),
                 {person({"Halima Said"})},
                 "",
                 {},
                 "Zawa na Halima walikamatwa tarehe 2025-04-09. Mama "
                 "Zawadi alikuja na Bi Halima Said. Simu ya Halima ni "
                 "0765 432 109.",
                 {"Zawa ", "Zawadi"},
                 {"2025-04-09", "Halima", "0765 432 109"}});
  // Russian and Ukrainian
  out.push_back(
    {"ru",
     person({"Алина Серова"},
            {"Лина"},
            {"+7 912 345-67-89"},
            {},
            {},
            {"Паспорт 45 06 123456"}),
     {person({"Olga Petrova"})},
     "",
     {},
     "Хозяйка забрала паспорт Алины Серовой «на хранение». Лину не "
     "выпускали. 14 марта 2025 я позвонила Алине с номера 8 (912) "
     "345-67-89. Ольгу Петрову тоже держали. Паспорт 45 06 123456 не "
     "вернули. Мой телеграм @lina_spb.",
     {"Алины", "Серовой", "Лину", "Алине", "8 (912) 345-67-89", "45 06 123456"},
     {"14 марта", "Ольгу", "Петрову", "@lina_spb"}});
  out.push_back({"ru",
                 person({"Alina Serova"}, {}, {"+7 916 123 45 67"}),
                 {},
                 "ул. Ленина, д. 5",
                 {},
                 "Алину Серову задержали у дома на ул. Ленина. С Алиной "
                 "говорил майор. Звоните 8-916-123-45-67. Координаты "
                 "55°45′21″ с. ш. 37°37′04″ в. д., или 55.7558, 37.6173.",
                 {"Алину", "Серову", "Алиной", "8-916-123-45-67"},
                 {"ул. Ленина", "55°45′21″", "37°37′04″", "55.7558, 37.6173"}});
  out.push_back({"uk",
                 person({"Olena Koval"}, {}, {"+380 50 123 4567"}),
                 {},
                 "",
                 {},
                 "Олену Коваль затримали вночі. Оленою опікувалася "
                 "подруга. Ковалю погрожували. Телефон 050 123 4567.",
                 {"Олену", "Коваль", "Оленою", "Ковалю", "050 123 4567"},
                 {}});
  out.push_back({"ru",
                 person({"Юлия Шевченко"}),
                 {},
                 "",
                 {},
                 "Yulia Shevchenko пришла в клинику. Юлию Шевченко не "
                 "приняли. Julia sent us yulia.sh@example.ru.",
                 {"Yulia", "Shevchenko", "Юлию", "Julia"},
                 {"yulia.sh@example.ru"}});
  // Hindi
  out.push_back(
    {"hi",
     person({"Reshma"}, {"Reshu"}, {"+91 98765 43210"}),
     {person({"Sunita Devi"})},
     "",
     {},
     "रेशमा सुबह सरकारी अस्पताल गई। रिसेप्शन पर आदमी ने रेशु को गाली दी। "
     "Reshma ka number 98765 43210 hai. सुनीता देवी साथ थी। 14 मार्च 2025 को "
     "शाम 6:30 बजे। आधार 1234 5678 9012.",
     {"रेशमा", "रेशु", "Reshma", "98765 43210"},
     {"सुनीता", "देवी", "14 मार्च", "6:30", "1234 5678 9012"}});
  out.push_back({"hi",
                 person({"रेखा"}, {}, {"09876543210"}),
                 {},
                 "",
                 {},
                 "Rekha ko police le gayi. रेखा ने फोन 098765-43210 से किया। "
                 "उसका इंस्टाग्राम @rekha_dl है।",
                 {"Rekha", "रेखा", "098765-43210"},
                 {"@rekha_dl"}});
  return out;
}

redact::Redaction
run(const redact::Redactor& redactor, const Case& c)
{
  redact::TextInput input;
  input.text = c.text;
  input.language = c.language;
  input.own = c.own;
  input.others = c.others;
  input.location = c.location;
  input.terms = c.terms;
  auto out = redactor.redact(input);
  REQUIRE_MESSAGE(out, (out ? "" : out.error().message));
  return *out;
}

} // namespace

TEST_SUITE_BEGIN("redact");

TEST_CASE("the corpus: every own value and at least 99 % of the planted ones "
          "are removed")
{
  auto redactor = redact::Redactor::create(policy());
  REQUIRE(redactor);
  std::size_t own = 0;
  std::size_t own_removed = 0;
  std::size_t planted = 0;
  std::size_t removed = 0;
  for (const auto& c : corpus()) {
    const auto out = run(*redactor, c);
    for (const auto& value : c.own_planted) {
      ++own;
      const bool gone = out.text.find(value) == std::string::npos;
      own_removed += gone ? 1 : 0;
      CHECK_MESSAGE(gone, value << " survives in: " << out.text);
    }
    for (const auto& value : c.planted) {
      ++planted;
      const bool gone = out.text.find(value) == std::string::npos;
      removed += gone ? 1 : 0;
      CHECK_MESSAGE(gone, value << " survives in: " << out.text);
    }
    // The record's own values as the record holds them.
    for (const auto& name : c.own.names) {
      CHECK(out.text.find(name) == std::string::npos);
    }
    for (const auto& phone : c.own.phones) {
      CHECK(out.text.find(phone) == std::string::npos);
    }
  }
  MESSAGE("own values removed: " << own_removed << "/" << own
                                 << ", planted: " << removed << "/" << planted);
  CHECK(own_removed == own);
  CHECK(static_cast<double>(removed + own_removed)
        >= 0.99 * static_cast<double>(planted + own));
}

TEST_CASE("invalid UTF-8 is refused naming the byte offset")
{
  auto redactor = redact::Redactor::create(policy());
  REQUIRE(redactor);
  redact::TextInput input;
  for (const auto& [text, offset] :
       std::vector<std::pair<std::string, std::size_t>>{
         {"Mimi \xff", 5},
         {"Ñandú \xc3", 8},
         {"\xed\xa0\x80 surrogate", 0},
         {"over\xc0\xaflong", 4}}) {
    input.text = text;
    auto out = redactor->redact(input);
    REQUIRE_FALSE(out);
    CHECK(out.error().code == Errc::invalid_input);
    CHECK(out.error().message
          == "narrative: invalid UTF-8 at byte " + std::to_string(offset));
  }
  input.text = "fine";
  input.own.names = {"bad \xff name"};
  auto out = redactor->redact(input);
  REQUIRE_FALSE(out);
  CHECK(out.error().code == Errc::invalid_input);
  CHECK(out.error().message.find("invalid UTF-8 at byte 4")
        != std::string::npos);
  // The value itself is never in the message.
  CHECK(out.error().message.find("name") == std::string::npos);
  input.own.names = {"..."};
  out = redactor->redact(input);
  REQUIRE_FALSE(out);
  CHECK(out.error().message.find("no letter or digit") != std::string::npos);
}

TEST_CASE("placeholders, spans and counts")
{
  auto redactor = redact::Redactor::create(policy());
  REQUIRE(redactor);
  redact::TextInput input;
  input.language = "en";
  input.own = person({"Imani Chebet"}, {"Mimi"}, {"+254 712 345 678"});
  input.location = "Lot B car park";
  const std::string text =
    "Mimi (Imani Chebet) called 0712 345 678 on 14 March 2025 at 23:40 "
    "from Lot B car park; mail imani@example.org, see "
    "https://example.org/x or @mimi_k at -1.2864, 36.8172.";
  input.text = text;
  auto out = redactor->redact(input);
  REQUIRE(out);
  CHECK(out->text
        == "[NAME] ([NAME]) called [PHONE] on March 2025 at [DATE] from "
           "[PLACE]; mail [EMAIL], see [URL] or [HANDLE] at [COORDINATES].");
  const auto count = [&](Kind kind) {
    return out->counts[static_cast<std::size_t>(kind)];
  };
  CHECK(count(Kind::name) == 2);
  CHECK(count(Kind::phone) == 1);
  CHECK(count(Kind::date) == 2);
  CHECK(count(Kind::place) == 1);
  CHECK(count(Kind::email) == 1);
  CHECK(count(Kind::url) == 1);
  CHECK(count(Kind::handle) == 1);
  CHECK(count(Kind::coordinates) == 1);
  CHECK(count(Kind::id) == 0);
  REQUIRE(out->spans.size() == 10);
  CHECK(
    text.substr(out->spans[0].begin, out->spans[0].end - out->spans[0].begin)
    == "Mimi");
  CHECK(out->spans[3].replacement == "March 2025");
  CHECK(
    text.substr(out->spans[3].begin, out->spans[3].end - out->spans[3].begin)
    == "14 March 2025");
  for (std::size_t i = 1; i < out->spans.size(); ++i) {
    CHECK(out->spans[i - 1].end < out->spans[i].begin);
  }
  // Nothing found is an explicit nothing.
  input.text = "Nothing to see here.";
  out = redactor->redact(input);
  REQUIRE(out);
  CHECK(out->spans.empty());
  CHECK(out->text == "Nothing to see here.");
}

TEST_CASE("dates: to the month, or as written when kept")
{
  auto redactor = redact::Redactor::create(policy());
  REQUIRE(redactor);
  redact::TextInput input;
  input.language = "es";
  input.text = "El 14 de marzo de 2025, el 2025-03-15T08:10:00+03:00 y el "
               "16/03/2025.";
  auto out = redactor->redact(input);
  REQUIRE(out);
  CHECK(out->text == "El marzo de 2025, el 2025-03 y el 03/2025.");
  input.keep_dates = true;
  out = redactor->redact(input);
  REQUIRE(out);
  CHECK(out->text == input.text);
  input.language = "ru";
  input.keep_dates = false;
  input.text = "14 марта 2025 г. и 9 мая.";
  out = redactor->redact(input);
  REQUIRE(out);
  CHECK(out->text == "марта 2025 г. и мая.");
}

TEST_CASE("names in every casing, Unicode form and spacing; never half a word")
{
  auto redactor = redact::Redactor::create(policy());
  REQUIRE(redactor);
  redact::TextInput input;
  input.language = "es";
  input.own = person({"Valeria Solís"}, {}, {"+34 612 345 678"});
  // NFD, capitals, no accent, a zero-width space inside, a soft hyphen,
  // extra spaces, full-width digits, a number glued to a word.
  input.text =
    "Vale\xcc\x81ria Soli\xcc\x81s / VALERIA SOLÍS / valeria solis / "
    "Vale\xe2\x80\x8bria / So\xc2\xadlís / Valeria    Solís / "
    "\xef\xbc\x96\xef\xbc\x91\xef\xbc\x92 345 678 y 612345678abc / "
    "Valerias";
  auto out = redactor->redact(input);
  REQUIRE(out);
  CHECK(out->text
        == "[NAME] / [NAME] / [NAME] / [NAME] / [NAME] / [NAME] / [PHONE] y "
           "[PHONE] / [NAME]");
}

TEST_CASE("phone spans are byte offsets after non-ASCII text")
{
  auto redactor = redact::Redactor::create(policy());
  REQUIRE(redactor);
  redact::TextInput input;
  const std::string text = "Ñandú llámame al 0712 345 678.";
  input.text = text;
  auto out = redactor->redact(input);
  REQUIRE(out);
  REQUIRE(out->spans.size() == 1);
  CHECK(
    text.substr(out->spans[0].begin, out->spans[0].end - out->spans[0].begin)
    == "0712 345 678");
  CHECK(out->text == "Ñandú llámame al [PHONE].");
}

TEST_CASE("without phone regions, numbers in international form are found")
{
  auto redactor = redact::Redactor::create(redact::Policy{});
  REQUIRE(redactor);
  redact::TextInput input;
  const std::string text = "Texts from +254 711 000 777, or 0711 000 777.";
  input.text = text;
  auto out = redactor->redact(input);
  REQUIRE(out);
  REQUIRE(out->spans.size() == 1);
  CHECK(out->text == "Texts from [PHONE], or 0711 000 777.");
}

TEST_CASE("the policy: unknown phone regions and bad ID patterns are refused")
{
  redact::Policy bad;
  bad.phone_regions = {"KE", "UK"};
  auto made = redact::Redactor::create(bad);
  REQUIRE_FALSE(made);
  CHECK(made.error().code == Errc::invalid_input);
  CHECK(made.error().message.find("'UK'") != std::string::npos);
  bad.phone_regions = {"ke"};
  CHECK_FALSE(redact::Redactor::create(bad));
  bad.phone_regions = {"GB"};
  bad.id_patterns = {"\\d{8}", "(unclosed"};
  made = redact::Redactor::create(bad);
  REQUIRE_FALSE(made);
  CHECK(made.error().message.find("pattern 2") != std::string::npos);
}

TEST_CASE("a value that spells a placeholder is not found in it")
{
  auto redactor = redact::Redactor::create(policy());
  REQUIRE(redactor);
  redact::TextInput input;
  input.own = person({"NAME"}, {"Imani"});
  input.text = "NAME and Imani";
  auto out = redactor->redact(input);
  REQUIRE(out);
  CHECK(out->text == "[NAME] and [NAME]");
}

TEST_SUITE_END();
