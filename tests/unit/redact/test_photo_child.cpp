// The pipe between the parent and the photo redaction child
// (redact/photo_child.hpp): what the child makes of a request, well formed or
// not, and that its reply carries the image and the report, or the error with
// its code, and never the request's canaries.
#include <custody/redact/photo_child.hpp>
#include <custody/redact/photo_serve.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace custody;

namespace {

Bytes
fixture(const std::string& name)
{
  std::ifstream in(std::filesystem::path(CUSTODY_TEST_FIXTURES) / "photos"
                     / name,
                   std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), {}};
}

ByteView
view(const std::string& text)
{
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

nlohmann::json
first_line(const std::string& reply)
{
  const auto end = reply.find('\n');
  REQUIRE(end != std::string::npos);
  return nlohmann::json::parse(reply.substr(0, end));
}

} // namespace

TEST_SUITE_BEGIN("photo");

TEST_CASE("the child's reply: the report line, then exactly the image")
{
  redact::PhotoOptions options;
  options.blazeface_model = CUSTODY_BLAZEFACE_MODEL;
  options.canaries = {"Jane Doe"};
  const auto image = fixture("camera.png");
  const auto reply =
    redact::run_photo_request(view(redact::photo_request(options, image)));
  REQUIRE(reply.ok);
  const auto report = first_line(reply.output);
  CHECK(report.contains("masks"));
  const auto end = reply.output.find('\n');
  const std::string bytes = reply.output.substr(end + 1);
  REQUIRE(bytes.size() > 4);
  CHECK(static_cast<unsigned char>(bytes[0]) == 0xff); // JPEG SOI
  CHECK(static_cast<unsigned char>(bytes[1]) == 0xd8);
  auto read = redact::photo_report_from_json(report);
  REQUIRE(read);
  CHECK(read->output_sha256 == report["output_sha256"]);
}

TEST_CASE("a malformed request is an error line with its code")
{
  const auto no_line = redact::run_photo_request(view("no options here"));
  CHECK_FALSE(no_line.ok);
  CHECK(no_line.code == Errc::invalid_input);
  CHECK(first_line(no_line.output)["error"]["code"] == "invalid_input");

  const auto not_json = redact::run_photo_request(view("{oops\nxx"));
  CHECK_FALSE(not_json.ok);
  CHECK(not_json.code == Errc::invalid_input);

  const auto missing =
    redact::run_photo_request(view("{\"fill\":\"solid\"}\nxx"));
  CHECK_FALSE(missing.ok);
  CHECK(missing.code == Errc::invalid_input);
}

TEST_CASE("a region outside the image comes back as the library's error")
{
  redact::PhotoOptions options;
  options.blazeface_model = CUSTODY_BLAZEFACE_MODEL;
  options.regions = {{5000, 5000, 10, 10}};
  options.canaries = {"Canary-Name-9"};
  const auto reply = redact::run_photo_request(
    view(redact::photo_request(options, fixture("camera.png"))));
  CHECK_FALSE(reply.ok);
  CHECK(reply.code == Errc::invalid_input);
  const auto error = first_line(reply.output)["error"];
  CHECK(error["message"].get<std::string>().find("region")
        != std::string::npos);
  CHECK(reply.output.find("Canary-Name-9") == std::string::npos);
}

TEST_SUITE_END();
