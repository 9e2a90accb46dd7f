// Media facts: describe() on the example media and on hostile files, probe()
// through the real binary and through misbehaving children.
#include "temp_dir.hpp"

#include <custody/base/bytes.hpp>
#include <custody/base/canonical_json.hpp>
#include <custody/media/media.hpp>
#include <custody/media/probe.hpp>
#include <custody/schema/schema.hpp>
#include <custody/sys/fs.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace custody;
using custody::test::TempDir;
using json::Json;
using namespace std::chrono_literals;

namespace {

const fs::Path k_examples = CUSTODY_EXAMPLES_DIR "/media";
const fs::Path k_binary = CUSTODY_MEDIA_BIN;

void
write_text(const fs::Path& path, const std::string& text)
{
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

std::string
read_text(const fs::Path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A shell script standing in for the custody binary.
fs::Path
script(const TempDir& dir, const std::string& name, const std::string& body)
{
  fs::Path path = dir.path() / name;
  write_text(path, "#!/bin/sh\n" + body + "\n");
  REQUIRE(::chmod(path.c_str(), 0700) == 0);
  return path;
}

// probe() with a shell script standing in for `custody-media facts`, on
// the example video.
Result<Json>
probe_stand_in(const TempDir& dir,
               const std::string& name,
               const std::string& body,
               std::chrono::milliseconds timeout = std::chrono::seconds(30))
{
  return media::probe(
    script(dir, name, body), k_examples / "arrest.mp4", timeout);
}

// Runs a script made by script() on `file` with PATH fixed, as the tool
// `tool` (installed by scripts/setup) that the script calls needs to succeed.
void
run_script(const TempDir& dir,
           const std::string& name,
           const std::string& body,
           const fs::Path& file,
           const std::string& tool)
{
  const fs::Path path = script(dir, name, body);
  const std::string command =
    "PATH=/usr/bin:/bin sh '" + path.string() + "' '" + file.string() + "'";
  // NOLINTNEXTLINE(cert-env33-c): runs this test's own script, PATH fixed
  REQUIRE_MESSAGE(
    std::system(command.c_str()) == 0, tool, " is needed (bash scripts/setup)");
}

// Every facts object is canonical-JSON safe and matches its schema.
void
check_shape(const Json& facts)
{
  CHECK_NOTHROW((void)json::canonical(facts));
  auto schemas = schema::SchemaSet::from_embedded(media::k_schema);
  REQUIRE(schemas);
  const auto report = schemas->validate(facts);
  for (const auto& problem : report.problems) {
    FAIL_CHECK(problem.pointer << ": " << problem.message);
  }
}

double
number(const Json& decimal_string)
{
  REQUIRE(decimal_string.is_string());
  return std::stod(decimal_string.get<std::string>());
}

} // namespace

TEST_SUITE_BEGIN("media");

TEST_CASE("describe reads the example video's container, streams and capture "
          "facts")
{
  auto facts = media::describe(k_examples / "arrest.mp4");
  REQUIRE(facts);
  check_shape(*facts);
  CHECK((*facts)["mime"] == "video/mp4");
  CHECK((*facts)["container"] == "mov,mp4,m4a,3gp,3g2,mj2");
  CHECK((*facts)["duration_seconds"] == "3.000");
  const Json& streams = (*facts)["streams"];
  REQUIRE(streams.size() == 2);
  CHECK(streams[0] == Json::parse(R"({"type": "video", "codec": "h264",
                                      "width": 320, "height": 240})"));
  CHECK(streams[1] == Json::parse(R"({"type": "audio", "codec": "aac",
                                      "sample_rate": 44100, "channels": 1})"));
  const Json& capture = (*facts)["capture"];
  CHECK(capture["created"] == "2025-03-14T21:40:00Z");
  CHECK(std::abs(number(capture["gps"]["latitude"]) - -20.1234) < 1e-4);
  CHECK(std::abs(number(capture["gps"]["longitude"]) - 75.4321) < 1e-4);
  CHECK(std::abs(number(capture["gps"]["altitude"]) - 12.5) < 1e-4);
  CHECK(capture["make"] == "Fictional Devices");
  CHECK(capture["model"] == "FD Phone 7");
  CHECK_FALSE(facts->contains("image"));
}

TEST_CASE("describe reads the example voice note, which carries no capture "
          "facts")
{
  auto facts = media::describe(k_examples / "threat.ogg");
  REQUIRE(facts);
  check_shape(*facts);
  CHECK((*facts)["mime"] == "audio/ogg");
  CHECK((*facts)["container"] == "ogg");
  CHECK(std::abs(number((*facts)["duration_seconds"]) - 9.114) < 0.05);
  CHECK((*facts)["streams"] == Json::parse(R"([{"type": "audio", "codec":
    "opus", "sample_rate": 48000, "channels": 1}])"));
  CHECK((*facts)["capture"] == Json::object());
}

TEST_CASE("describe reads the example photo's EXIF with libexiv2")
{
  auto facts = media::describe(k_examples / "injury.jpg");
  REQUIRE(facts);
  check_shape(*facts);
  CHECK((*facts)["mime"] == "image/jpeg");
  CHECK((*facts)["container"] == "jpeg_pipe");
  CHECK((*facts)["image"]
        == Json::parse(R"({"width": 640, "height": 480, "orientation": 1})"));
  CHECK((*facts)["streams"] == Json::parse(R"([{"type": "video", "codec":
    "mjpeg", "width": 640, "height": 480}])"));
  const Json& capture = (*facts)["capture"];
  CHECK(capture["created"] == "2025-03-15T09:12:30+03:00");
  CHECK(std::abs(number(capture["gps"]["latitude"]) - -20.13) < 1e-4);
  CHECK(std::abs(number(capture["gps"]["longitude"]) - 75.44) < 1e-4);
  CHECK(std::abs(number(capture["gps"]["altitude"]) - 8) < 1e-4);
  CHECK(capture["make"] == "Fictional Devices");
  CHECK(capture["model"] == "FD Phone 7");
}

TEST_CASE("describe never modifies the file it reads")
{
  for (const char* name : {"arrest.mp4", "threat.ogg", "injury.jpg"}) {
    CAPTURE(name);
    const std::string before = read_text(k_examples / name);
    REQUIRE(media::describe(k_examples / name));
    CHECK(read_text(k_examples / name) == before);
  }
}

TEST_CASE("describe gives a text file its MIME type and no streams")
{
  TempDir dir;
  write_text(dir.path() / "notes.txt",
             "The officer took my phone at the station.\n");
  auto facts = media::describe(dir.path() / "notes.txt");
  REQUIRE(facts);
  check_shape(*facts);
  CHECK(*facts == Json::parse(R"({"mime": "text/plain", "streams": [],
                            "capture": {}})"));
}

TEST_CASE("describe refuses what is not a readable regular file")
{
  TempDir dir;
  SUBCASE("a missing file")
  {
    auto facts = media::describe(dir.path() / "missing.mp4");
    REQUIRE_FALSE(facts);
    CHECK(facts.error().code == Errc::not_found);
  }
  SUBCASE("a directory")
  {
    auto facts = media::describe(dir.path());
    REQUIRE_FALSE(facts);
    CHECK(facts.error().code == Errc::invalid_input);
  }
  SUBCASE("a FIFO, without waiting for a writer")
  {
    const fs::Path fifo = dir.path() / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto facts = media::describe(fifo);
    REQUIRE_FALSE(facts);
    CHECK(facts.error().code == Errc::invalid_input);
  }
}

TEST_CASE("describe survives truncated and garbage media")
{
  TempDir dir;
  const std::string video = read_text(k_examples / "arrest.mp4");
  const std::string photo = read_text(k_examples / "injury.jpg");
  std::mt19937 random(42); // NOLINT(cert-msc32-c,cert-msc51-cpp): reproducible
  std::string noise(std::size_t{64} * 1024, '\0');
  for (char& c : noise) {
    c = static_cast<char>(random() & 0xFFU);
  }
  std::string fake_header = noise;
  fake_header.replace(4, 8, "ftypisom");
  std::string flipped = video;
  for (std::size_t i = 64; i < flipped.size(); i += 97) {
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5A);
  }
  const std::vector<std::pair<std::string, std::string>> cases = {
    {"empty.mp4", ""},
    {"head.mp4", video.substr(0, 48)},
    {"half.mp4", video.substr(0, video.size() / 2)},
    {"tail.mp4", video.substr(video.size() / 2)},
    {"flipped.mp4", flipped},
    {"noise.mp4", noise},
    {"fake-header.mp4", fake_header},
    {"half.jpg", photo.substr(0, photo.size() / 2)},
    {"exif-only.jpg", photo.substr(0, 600)},
  };
  for (const auto& entry : cases) {
    const std::string& name = entry.first;
    const std::string& content = entry.second;
    CAPTURE(name);
    write_text(dir.path() / name, content);
    auto facts = media::describe(dir.path() / name);
    if (facts) {
      check_shape(*facts);
    } else {
      CHECK(facts.error().code != Errc::internal);
    }
  }
}

TEST_CASE("describe follows no playlist or concatenation to another file")
{
  // Three layers keep these out: probing by content with no file name (the
  // hls demuxer wants an .m3u8 name; concat refuses absolute paths in its
  // default safe mode), the demuxer whitelist and the empty protocol
  // whitelist. This checks the outcome, not one layer: removing the
  // whitelists alone does not make it fail.
  TempDir dir;
  const std::string video = (k_examples / "arrest.mp4").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
    {"list.m3u8",
     "#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\nfile:" + video
       + "\n#EXT-X-ENDLIST\n"},
    {"list.ffconcat", "ffconcat version 1.0\nfile '" + video + "'\n"},
  };
  for (const auto& entry : cases) {
    const std::string& name = entry.first;
    const std::string& content = entry.second;
    CAPTURE(name);
    write_text(dir.path() / name, content);
    auto facts = media::describe(dir.path() / name);
    REQUIRE(facts);
    check_shape(*facts);
    CHECK_FALSE(facts->contains("container"));
    CHECK((*facts)["streams"].empty());
  }
}

TEST_CASE("describe bounds and cleans the strings a hostile file carries")
{
  TempDir dir;
  const fs::Path movie = dir.path() / "hostile.mov";
  // ffmpeg writes tags as given: an escape sequence and invalid UTF-8 in the
  // make, a 2000-byte model, an out-of-range position, an impossible date.
  run_script(dir,
             "make.sh",
             "exec ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi"
             " -i testsrc=size=64x48:rate=5:duration=1 -c:v mpeg4"
             " -metadata location=-91.0000+010.0000/"
             " -metadata make=\"$(printf 'Evil\\033[31m\\377\\376X')\""
             " -metadata model=\"$(printf '%2000s' '' | tr ' ' m)\""
             " -metadata date=2025-13-40T99:00:00Z \"$1\"",
             movie,
             "ffmpeg");
  auto facts = media::describe(movie);
  REQUIRE(facts);
  check_shape(*facts);
  const Json& capture = (*facts)["capture"];
  CHECK(capture["make"] == "Evil\xEF\xBF\xBD[31m\xEF\xBF\xBD\xEF\xBF\xBDX");
  CHECK(capture["model"] == std::string(media::k_max_string_bytes, 'm'));
  CHECK_FALSE(capture.contains("gps"));
  CHECK_FALSE(capture.contains("created"));
}

TEST_CASE("describe leaves out EXIF values that are no real date or place")
{
  TempDir dir;
  const fs::Path photo = dir.path() / "hostile.jpg";
  std::filesystem::copy_file(k_examples / "injury.jpg", photo);
  // exiftool writes what it is given: an unset date, an altitude of 5000 km,
  // an escape sequence in the make.
  run_script(
    dir,
    "edit.sh",
    "exec exiftool -q -overwrite_original"
    " '-EXIF:DateTimeOriginal#=0000:00:00 00:00:00' '-GPSAltitude=5000000'"
    " \"-EXIF:Make=$(printf 'Evil\\033]0;title\\007')\" \"$1\"",
    photo,
    "exiftool");
  auto facts = media::describe(photo);
  REQUIRE(facts);
  check_shape(*facts);
  const Json& capture = (*facts)["capture"];
  CHECK_FALSE(capture.contains("created"));
  REQUIRE(capture.contains("gps"));
  CHECK_FALSE(capture["gps"].contains("altitude"));
  CHECK(std::abs(number(capture["gps"]["latitude"]) - -20.13) < 1e-4);
  CHECK(capture["make"] == "Evil\xEF\xBF\xBD]0;title\xEF\xBF\xBD");
}

TEST_CASE("sanitize replaces invalid UTF-8 and control characters and cuts at "
          "a code point boundary")
{
  CHECK(media::sanitize("plain") == "plain");
  CHECK(media::sanitize("a\xff"
                        "b")
        == "a\xEF\xBF\xBD"
           "b");
  CHECK(media::sanitize("line\nbreak\x7f")
        == "line\xEF\xBF\xBD"
           "break\xEF\xBF\xBD");
  CHECK(media::sanitize("c1\xC2\x9B") == "c1\xEF\xBF\xBD");
  CHECK(media::sanitize("caf\xC3\xA9") == "caf\xC3\xA9");
  // 255 ASCII bytes and a two-byte letter: the letter would end at byte 257.
  const std::string long_text = std::string(255, 'x') + "\xC3\xA9";
  CHECK(media::sanitize(long_text) == std::string(255, 'x'));
  CHECK(media::sanitize(std::string(100000, 'y')).size()
        == media::k_max_string_bytes);
}

TEST_CASE("probe runs the real binary and gives what describe gives")
{
  for (const char* name : {"arrest.mp4", "threat.ogg", "injury.jpg"}) {
    CAPTURE(name);
    auto probed = media::probe(k_binary, k_examples / name, 30s);
    REQUIRE_MESSAGE(probed, probed.error().message);
    auto described = media::describe(k_examples / name);
    REQUIRE(described);
    CHECK(*probed == *described);
  }
}

TEST_CASE("probe reports a child that fails, cleanly")
{
  TempDir dir;
  SUBCASE("a missing file: the child exits 3")
  {
    auto probed = media::probe(k_binary, dir.path() / "missing.mp4", 30s);
    REQUIRE_FALSE(probed);
    CHECK(probed.error().code == Errc::invalid_input);
    CHECK(probed.error().message.find("exited with status 3")
          != std::string::npos);
  }
  SUBCASE("a child that crashes")
  {
    auto probed = probe_stand_in(dir, "crash", "kill -SEGV $$");
    REQUIRE_FALSE(probed);
    CHECK(probed.error().code == Errc::invalid_input);
    CHECK(probed.error().message.find("crashed (signal 11, SEGV)")
          != std::string::npos);
  }
  SUBCASE("a child that prints what is not JSON")
  {
    auto probed = probe_stand_in(dir, "text", "echo 'no facts here'");
    REQUIRE_FALSE(probed);
    CHECK(probed.error().code == Errc::invalid_input);
    CHECK(probed.error().message.find("printed invalid JSON")
          != std::string::npos);
    CHECK(probed.error().message.find("no facts here") == std::string::npos);
  }
  SUBCASE("a child that prints JSON with a floating-point number")
  {
    auto probed = probe_stand_in(
      dir,
      "float",
      R"(echo '{"capture":{},"duration_seconds":3.0,"mime":"a/b","streams":[]}')");
    REQUIRE_FALSE(probed);
    CHECK(probed.error().message.find("printed invalid JSON")
          != std::string::npos);
  }
  SUBCASE("a child that prints canonical JSON of another shape")
  {
    auto probed = probe_stand_in(
      dir,
      "shape",
      R"(echo '{"capture":{"where":"home"},"mime":"a/b","streams":[]}')");
    REQUIRE_FALSE(probed);
    CHECK(probed.error().message.find("do not match") != std::string::npos);
    CHECK(probed.error().message.find("home") == std::string::npos);
  }
  SUBCASE("a child that prints more than the cap")
  {
    auto probed = probe_stand_in(dir, "flood", "exec /usr/bin/yes facts");
    REQUIRE_FALSE(probed);
    CHECK(probed.error().message.find("printed more than")
          != std::string::npos);
  }
  SUBCASE("an executable that does not exist")
  {
    auto probed = media::probe(
      dir.path() / "no-such-custody", k_examples / "arrest.mp4", 30s);
    REQUIRE_FALSE(probed);
    CHECK(probed.error().code == Errc::io);
  }
}

TEST_CASE("probe kills a child that outlives its timeout")
{
  TempDir dir;
  SUBCASE("silent")
  {
    const auto start = std::chrono::steady_clock::now();
    auto probed = probe_stand_in(dir, "slow", "exec /bin/sleep 30", 300ms);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(probed);
    CHECK(probed.error().code == Errc::invalid_input);
    CHECK(probed.error().message.find("timed out after 300 ms")
          != std::string::npos);
    CHECK(elapsed < 10s);
  }
  SUBCASE("after closing its output")
  {
    const auto start = std::chrono::steady_clock::now();
    auto probed =
      probe_stand_in(dir, "closed", "exec >&-\nexec /bin/sleep 30", 300ms);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(probed);
    CHECK(probed.error().message.find("timed out") != std::string::npos);
    CHECK(elapsed < 10s);
  }
}

TEST_CASE("probe passes the child no environment of the parent's")
{
  TempDir dir;
  ::setenv("CUSTODY_PASSPHRASE_FILE", "/secret/passphrase", 1);
  // The stand-in prints its environment as a (mis-shaped) JSON string only
  // when the variable reached it.
  auto probed = probe_stand_in(
    dir,
    "env",
    R"(if [ -n "$CUSTODY_PASSPHRASE_FILE" ]; then echo leaked; exit 9; fi
echo '{"capture":{},"mime":"a/b","streams":[]}')");
  ::unsetenv("CUSTODY_PASSPHRASE_FILE");
  REQUIRE_MESSAGE(probed, probed.error().message);
  CHECK((*probed)["mime"] == "a/b");
}

TEST_CASE("probe's child inherits no descriptor and no blocked signal")
{
  TempDir dir;
  // A descriptor the parent leaves open across exec, as a careless caller
  // might (the vault lock, an object being written).
  const fs::Path marker = dir.path() / "open-in-parent";
  write_text(marker, "x");
  const int fd = ::open(marker.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  // SIGINT only: the shell standing in for the child blocks SIGCHLD itself
  // while it waits for a pipeline. SIGINT is bit 1 of SigBlk's last hex digit.
  sigset_t block;
  sigset_t old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  REQUIRE(pthread_sigmask(SIG_BLOCK, &block, &old) == 0);
  auto probed = probe_stand_in(
    dir,
    "inherit",
    R"(/bin/ls -l /proc/$$/fd | /bin/grep -q open-in-parent && exit 9
blocked=$(/bin/grep '^SigBlk:' /proc/$$/status)
case ${blocked#"${blocked%?}"} in 2|3|6|7|a|b|e|f) exit 10;; esac
echo '{"capture":{},"mime":"a/b","streams":[]}')");
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::close(fd);
  REQUIRE_MESSAGE(probed, probed.error().message);
}

TEST_SUITE_END();
