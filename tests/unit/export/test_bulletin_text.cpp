// Bulletin text: SMS parts in five languages, identifiers normalised for
// linking, keyed links, report bands, and the HTML channel's escaping and
// document.
#include <custody/base/utf8.hpp>
#include <custody/export/bulletin_text.hpp>

#include <doctest/doctest.h>

#include <unicode/utf8.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace custody;
using namespace custody::bundle;

namespace {

// The first `count` code points of `sentence` repeated.
std::string
code_points(const std::string& sentence, std::size_t count)
{
  std::string out;
  const char* bytes = sentence.data();
  const auto length = static_cast<std::int32_t>(sentence.size());
  std::int32_t i = 0;
  for (std::size_t n = 0; n < count; ++n) {
    if (i == length) {
      i = 0;
    }
    const std::int32_t from = i;
    U8_FWD_1(bytes, i, length);
    out.append(sentence,
               static_cast<std::size_t>(from),
               static_cast<std::size_t>(i - from));
  }
  return out;
}

// UTF-16 code units of valid UTF-8 `text`.
std::size_t
utf16_units(const std::string& text)
{
  std::size_t units = 0;
  const char* bytes = text.data();
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t i = 0;
  while (i < length) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    units += c > 0xFFFF ? 2 : 1;
  }
  return units;
}

std::string
joined(const SmsParts& sms)
{
  std::string out;
  for (const auto& part : sms.parts) {
    out += part;
  }
  return out;
}

// The size of each part in its encoding's units.
std::vector<std::size_t>
sizes(const SmsParts& sms)
{
  std::vector<std::size_t> out;
  for (const auto& part : sms.parts) {
    out.push_back(sms.encoding == SmsEncoding::gsm7 ? gsm7_septets(part)
                                                    : utf16_units(part));
  }
  return out;
}

struct Language
{
  const char* name;
  std::string sentence;
  SmsEncoding encoding;
};

const std::vector<Language> k_languages = {
  {"English",
   "Warning: a man in a grey van near the station hit a worker. ",
   SmsEncoding::gsm7},
  // é, è and à are in the GSM 7-bit default alphabet (ê, â and ç are not).
  {"French",
   "Méfiez-vous: l'homme à la voiture grise près de la gare a frappé. ",
   SmsEncoding::gsm7},
  // ñ, ¿ and ¡ are in it (á, í, ó and ú are not).
  {"Spanish",
   "¿Viste al señor del coche gris? ¡Mañana avisa a las compañeras! ",
   SmsEncoding::gsm7},
  {"Swahili",
   "Tahadhari: mwanamume mwenye gari jeupe karibu na kituo cha basi. ",
   SmsEncoding::gsm7},
  {"Russian",
   "Осторожно: серый фургон у вокзала, мужчина ударил девушку. ",
   SmsEncoding::ucs2},
  {"Amharic", "ጥንቃቄ፡ ግራጫ መኪና ያለው ሰው በጣቢያው አጠገብ ሴትን መታ። ", SmsEncoding::ucs2},
};

} // namespace

TEST_SUITE("bulletin")
{
  TEST_CASE("SMS parts in five languages: one message, then parts")
  {
    for (const auto& language : k_languages) {
      CAPTURE(language.name);
      const bool gsm7 = language.encoding == SmsEncoding::gsm7;
      const std::size_t single = gsm7 ? 160 : 70;
      const std::size_t part = gsm7 ? 153 : 67;
      // Every character of these sentences is one unit in its encoding.
      const std::string fits = code_points(language.sentence, single);
      if (gsm7) {
        CHECK(gsm7_septets(fits) == single);
      } else {
        CHECK(gsm7_septets(fits) == std::numeric_limits<std::size_t>::max());
        CHECK(utf16_units(fits) == single);
      }

      auto one = split_sms(fits);
      REQUIRE(one);
      CHECK(one->encoding == language.encoding);
      REQUIRE(one->parts.size() == 1);
      CHECK(one->parts[0] == fits);

      const std::string over = code_points(language.sentence, single + 1);
      auto two = split_sms(over);
      REQUIRE(two);
      CHECK(two->encoding == language.encoding);
      CHECK(two->parts.size() == 2);
      CHECK(joined(*two) == over);
      for (auto size : sizes(*two)) {
        CHECK(size <= part);
      }

      const std::string long_text = code_points(language.sentence, 5 * part);
      auto many = split_sms(long_text);
      REQUIRE(many);
      CHECK(many->encoding == language.encoding);
      CHECK(joined(*many) == long_text);
      CHECK(many->parts.size() >= 5);
      CHECK(many->parts.size() <= 7);
      for (std::size_t i = 0; i < many->parts.size(); ++i) {
        CAPTURE(i);
        CHECK(sizes(*many)[i] <= part);
        CHECK(sizes(*many)[i] > 0);
        if (i + 1 < many->parts.size()) {
          // Split after a space, which stays with the earlier part.
          CHECK(many->parts[i].back() == ' ');
        }
      }
    }
  }

  TEST_CASE("a 161-septet English text gives 2 parts of at most 153")
  {
    const std::string text = code_points(
      "Avoid the client called Dave, grey van, station road. ", 161);
    REQUIRE(gsm7_septets(text) == 161);
    auto sms = split_sms(text);
    REQUIRE(sms);
    CHECK(sms->encoding == SmsEncoding::gsm7);
    REQUIRE(sms->parts.size() == 2);
    CHECK(gsm7_septets(sms->parts[0]) <= 153);
    CHECK(gsm7_septets(sms->parts[1]) <= 153);
    CHECK(sms->parts[0].back() == ' ');
    CHECK(sms->parts[0] + sms->parts[1] == text);
  }

  TEST_CASE("the extension table counts 2 septets and its pairs stay whole")
  {
    CHECK(gsm7_septets("€") == 2);
    CHECK(gsm7_septets("^") == 2);
    CHECK(gsm7_septets("{}\\[~]|") == 14);
    CHECK(gsm7_septets("a€^b") == 6);
    CHECK(gsm7_septets("@£$¥_¤§ÄÖÑÜäöñüàèéùìòÇØøÅåÆæßÉ¡¿ΔΦΓΛΩΠΨΣΘΞ\r\n") == 44);
    CHECK(gsm7_septets("") == 0);
    // Outside the alphabet: UCS-2.
    CHECK(gsm7_septets("`") == std::numeric_limits<std::size_t>::max());
    CHECK(gsm7_septets("ê") == std::numeric_limits<std::size_t>::max());
    CHECK(gsm7_septets("ç") == std::numeric_limits<std::size_t>::max());
    CHECK(gsm7_septets("it\u2019s") == std::numeric_limits<std::size_t>::max());
    CHECK(gsm7_septets("\xff") == std::numeric_limits<std::size_t>::max());

    // 158 + 2 = 160 septets: one message; 159 + 2 = 161: two parts.
    auto single = split_sms(std::string(158, 'a') + "€");
    REQUIRE(single);
    CHECK(single->encoding == SmsEncoding::gsm7);
    CHECK(single->parts.size() == 1);
    auto split = split_sms(std::string(159, 'a') + "€");
    REQUIRE(split);
    CHECK(split->parts.size() == 2);

    // A euro at septets 153-154 would break its escape pair: it moves whole.
    const std::string text = std::string(152, 'a') + "€" + std::string(20, 'b');
    auto sms = split_sms(text);
    REQUIRE(sms);
    REQUIRE(sms->parts.size() == 2);
    CHECK(sms->parts[0] == std::string(152, 'a'));
    CHECK(sms->parts[1] == "€" + std::string(20, 'b'));

    const std::string carets =
      std::string(152, 'a') + "^" + std::string(20, 'b');
    auto caret = split_sms(carets);
    REQUIRE(caret);
    REQUIRE(caret->parts.size() == 2);
    CHECK(caret->parts[0] == std::string(152, 'a'));
    CHECK(gsm7_septets(caret->parts[1]) == 22);
  }

  TEST_CASE("a protected plate across the 153 boundary moves whole")
  {
    // Words then "XX 000 B" at bytes 150..158: unprotected, the space inside
    // the plate would be the last one that fits.
    std::string text = code_points("avoid this car ", 150);
    REQUIRE(text.back() == ' ');
    const std::size_t plate_at = text.size();
    text += "XX 000 B seen twice near the park gates, driver violent.";
    const std::pair<std::size_t, std::size_t> plate = {plate_at, plate_at + 8};

    auto loose = split_sms(text);
    REQUIRE(loose);
    REQUIRE(loose->parts.size() == 2);
    CHECK(loose->parts[0].size() > plate_at); // cut inside the plate

    auto sms = split_sms(text, {plate});
    REQUIRE(sms);
    CHECK(sms->encoding == SmsEncoding::gsm7);
    REQUIRE(sms->parts.size() == 2);
    CHECK(sms->parts[0].size() == plate_at);
    CHECK(sms->parts[0].find("XX") == std::string::npos);
    CHECK(sms->parts[1].rfind("XX 000 B", 0) == 0);
    CHECK(sms->parts[0] + sms->parts[1] == text);

    // With no space before it, the split falls just before the plate.
    std::string solid = std::string(150, 'a') + "XX000B" + std::string(30, 'c');
    auto tight = split_sms(solid, {{150, 156}});
    REQUIRE(tight);
    REQUIRE(tight->parts.size() == 2);
    CHECK(tight->parts[0] == std::string(150, 'a'));
    CHECK(tight->parts[1].rfind("XX000B", 0) == 0);

    // A phone number protected in a UCS-2 message.
    // Units 55..69: unprotected, the split would fall after "+44 7700 ".
    std::string russian = code_points("Осторожно, ", 55);
    const std::size_t phone_at = russian.size();
    russian += "+44 7700 900123 " + code_points("звоните ", 20);
    auto loose_phone = split_sms(russian);
    REQUIRE(loose_phone);
    REQUIRE(loose_phone->parts.size() == 2);
    CHECK(loose_phone->parts[0].size() > phone_at);
    auto ucs2 = split_sms(russian, {{phone_at, phone_at + 15}});
    REQUIRE(ucs2);
    CHECK(ucs2->encoding == SmsEncoding::ucs2);
    REQUIRE(ucs2->parts.size() == 2);
    CHECK(ucs2->parts[0].size() == phone_at);
    CHECK(ucs2->parts[1].rfind("+44 7700 900123", 0) == 0);
    CHECK(joined(*ucs2) == russian);
  }

  TEST_CASE("a line feed is a place to split too, kept with the earlier part")
  {
    const std::string text =
      std::string(100, 'a') + "\n" + std::string(100, 'b');
    auto sms = split_sms(text);
    REQUIRE(sms);
    REQUIRE(sms->parts.size() == 2);
    CHECK(sms->parts[0] == std::string(100, 'a') + "\n");
    CHECK(sms->parts[1] == std::string(100, 'b'));
  }

  TEST_CASE("an emoji (a surrogate pair) is never split")
  {
    // UTF-16 units 66 and 67 would hold the pair: it starts the next part.
    const std::string text = std::string(66, 'a') + "😀" + std::string(10, 'b');
    auto sms = split_sms(text);
    REQUIRE(sms);
    CHECK(sms->encoding == SmsEncoding::ucs2);
    REQUIRE(sms->parts.size() == 2);
    CHECK(sms->parts[0] == std::string(66, 'a'));
    CHECK(sms->parts[1] == "😀" + std::string(10, 'b'));
    CHECK(utf16_units(sms->parts[1]) == 12);

    // Emoji only: 35 pairs are 70 units (one message), 36 are split by pairs.
    std::string faces;
    for (int i = 0; i < 36; ++i) {
      faces += "😀";
    }
    auto whole = split_sms(faces.substr(0, 35 * 4));
    REQUIRE(whole);
    CHECK(whole->parts.size() == 1);
    auto pairs = split_sms(faces);
    REQUIRE(pairs);
    REQUIRE(pairs->parts.size() == 2);
    CHECK(utf16_units(pairs->parts[0]) == 66);
    CHECK(joined(*pairs) == faces);
  }

  TEST_CASE("split_sms refuses what it cannot split safely")
  {
    auto bad = split_sms("abc\xc3");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == Errc::invalid_input);

    const std::string text(300, 'a');
    auto too_long = split_sms(text, {{10, 170}});
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().code == Errc::invalid_input);
    // Exactly one part's length is fine.
    auto exact = split_sms(text, {{0, 153}});
    REQUIRE(exact);
    CHECK(exact->parts[0].size() == 153);

    auto outside = split_sms(text, {{290, 301}});
    REQUIRE_FALSE(outside);
    CHECK(outside.error().code == Errc::invalid_input);
    auto reversed = split_sms(text, {{20, 10}});
    REQUIRE_FALSE(reversed);

    // Overlapping spans that together exceed a part.
    auto overlapping = split_sms(text, {{0, 100}, {90, 190}});
    REQUIRE_FALSE(overlapping);
    CHECK(overlapping.error().code == Errc::invalid_input);

    auto empty = split_sms("");
    REQUIRE(empty);
    REQUIRE(empty->parts.size() == 1);
    CHECK(empty->parts[0].empty());
  }

  TEST_CASE("plates normalise to upper case without spaces, dashes or dots")
  {
    for (const char* plate :
         {"xx 000-b", "XX000B", "Xx-000 b", " x.x 000 b "}) {
      CAPTURE(plate);
      auto normal = normalise_plate(plate);
      REQUIRE(normal);
      CHECK(*normal == "XX000B");
    }
    // Full-width letters (NFKC) and a non-breaking space.
    auto wide = normalise_plate("ｘｘ\u00a0000\u2013b");
    REQUIRE(wide);
    CHECK(*wide == "XX000B");
    CHECK(*normalise_plate("ab 12 cde") != *normalise_plate("ab 12 cdf"));
    CHECK_FALSE(normalise_plate(" - . "));
    CHECK_FALSE(normalise_plate("\xff"));
  }

  TEST_CASE("phones normalise to E.164")
  {
    for (const char* phone : {"+44 7700 900123",
                              "07700 900123",
                              "+447700900123",
                              "(07700) 900-123"}) {
      CAPTURE(phone);
      auto normal = normalise_phone(phone, "GB");
      REQUIRE(normal);
      CHECK(*normal == "+447700900123");
    }
    for (const char* phone :
         {"0712 345678", "+254 712 345 678", "0712345678"}) {
      CAPTURE(phone);
      auto normal = normalise_phone(phone, "KE");
      REQUIRE(normal);
      CHECK(*normal == "+254712345678");
    }
    // An international number does not need the region.
    auto international = normalise_phone("+254 712 345678", "GB");
    REQUIRE(international);
    CHECK(*international == "+254712345678");
    auto lower = normalise_phone("07700 900123", "gb");
    REQUIRE(lower);
    CHECK(*lower == "+447700900123");
    auto no_region = normalise_phone("+44 7700 900123", "");
    REQUIRE(no_region);
    CHECK(*no_region == "+447700900123");

    for (const char* garbage :
         {"not a phone", "12", "", "0770090012345678901"}) {
      CAPTURE(garbage);
      auto refused = normalise_phone(garbage, "GB");
      if (refused) {
        CAPTURE(*refused);
      }
      REQUIRE_FALSE(refused);
      CHECK(refused.error().code == Errc::invalid_input);
    }
    CHECK_FALSE(normalise_phone("07700 900123", ""));
    CHECK_FALSE(normalise_phone("07700 900123", "XX"));
    CHECK_FALSE(normalise_phone("\xff", "GB"));
  }

  TEST_CASE("handles normalise by NFKC case folding without a leading @")
  {
    for (const char* handle :
         {"@Mimi_X", "mimi_x ", " MIMI_X", "＠Ｍｉｍｉ_Ｘ"}) {
      CAPTURE(handle);
      auto normal = normalise_handle(handle);
      REQUIRE(normal);
      CHECK(*normal == "mimi_x");
    }
    auto german = normalise_handle("@Straße");
    REQUIRE(german);
    CHECK(*german == "strasse");
    CHECK(*normalise_handle("mimi_x") != *normalise_handle("mimi_y"));
    CHECK_FALSE(normalise_handle(" @ "));
    CHECK_FALSE(normalise_handle(""));
    CHECK_FALSE(normalise_handle("\xc3"));
  }

  TEST_CASE("link_of is a keyed HMAC-SHA-256 of kind and value")
  {
    const std::string jefe = "Jefe";
    // Python: hmac.new(b"Jefe", b"plate:XX000B", "sha256").hexdigest()
    CHECK(
      link_of(as_bytes(jefe), "plate", "XX000B")
      == "8f732c5b39d24f4dea5521c64097f108c9134e452bc4e1433bd2245de0421a46");

    const Bytes key(32, 0x01);
    const Bytes other_key(32, 0x02);
    const auto link = link_of(key, "plate", "XX000B");
    CHECK(link.size() == 64);
    CHECK(link.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(link == link_of(key, "plate", "XX000B"));
    CHECK(link != link_of(other_key, "plate", "XX000B"));
    CHECK(link != link_of(key, "handle", "XX000B"));
    CHECK(link != link_of(key, "plate", "XX000C"));
    CHECK(link_of(key, "phone", "+447700900123")
          != link_of(key, "handle", "+447700900123"));
  }

  TEST_CASE("report bands do not date a new report")
  {
    CHECK(report_band(0).empty());
    CHECK(report_band(1) == "once");
    CHECK(report_band(2) == "2-4 times");
    CHECK(report_band(4) == "2-4 times");
    CHECK(report_band(5) == "5 or more times");
    CHECK(report_band(1000) == "5 or more times");
  }

  TEST_CASE("escape_markup leaves no markup and no forbidden character")
  {
    CHECK(utf8::escape_markup("") == "");
    CHECK(utf8::escape_markup("Man of about forty") == "Man of about forty");
    CHECK(utf8::escape_markup("<script>alert('x')</script> & \"co\"")
          == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
             "&quot;co&quot;");
    SUBCASE("a reference written in the text stays text")
    {
      CHECK(utf8::escape_markup("&lt;b&gt;") == "&amp;lt;b&amp;gt;");
    }
    SUBCASE("non-ASCII passes through unchanged")
    {
      CHECK(utf8::escape_markup("Осторожно: ጥንቃቄ 😀") == "Осторожно: ጥንቃቄ 😀");
    }
    SUBCASE("controls HTML forbids become U+FFFD; tab and line feed stay")
    {
      CHECK(utf8::escape_markup(std::string("a\0b\x01"
                                            "c\x1b\x7f\td\ne",
                                            11))
            == "a\uFFFDb\uFFFDc\uFFFD\uFFFD\td\ne");
    }
  }

  TEST_CASE("html_document is a whole standalone HTML5 document")
  {
    const std::string body = "<h1>Safety alert</h1>\n";
    const std::string doc =
      html_document("Safety alert from <Org> & \"Friends\"", body);
    CHECK(doc.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n", 0) == 0);
    CHECK(doc.find("<meta charset=\"utf-8\">") != std::string::npos);
    CHECK(doc.find("<title>Safety alert from &lt;Org&gt; &amp; "
                   "&quot;Friends&quot;</title>")
          != std::string::npos);
    CHECK(doc.find("Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'\"")
          != std::string::npos);
    CHECK(doc.find("<body>\n" + body + "</body>\n</html>\n")
          != std::string::npos);
    // Nothing runs and nothing is fetched: no script, no reference to
    // another resource.
    for (const char* absent :
         {"<script", "src=", "href=", "<link", "<img", "url(", "@import"}) {
      CAPTURE(absent);
      CHECK(doc.find(absent) == std::string::npos);
    }
    // One head, one body, in order.
    const auto head_end = doc.find("</head>");
    CHECK(head_end != std::string::npos);
    CHECK(head_end < doc.find("<body>"));
    CHECK(doc.find("<head>", head_end) == std::string::npos);
  }
}
