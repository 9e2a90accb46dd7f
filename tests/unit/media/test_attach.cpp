// Padmé padding and the streaming attach pipeline: one pass in, the exact bytes
// back out, damage refused.
#include "temp_dir.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>
#include <custody/media/attach.hpp>

#include <doctest/doctest.h>

#include <fstream>

using namespace custody;

TEST_SUITE_BEGIN("attach");

TEST_CASE("a staged file comes back byte for byte, and a changed one does not")
{
  custody::test::TempDir dir;
  const auto vault = dir.path() / "vault";
  const auto key = age::X25519Identity::generate();
  const auto recipient = key.recipient();
  Bytes data(3 * 1024 * 1024 + 12345);
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<std::uint8_t>(i * 7 + i / 4096);
  }
  const auto file = dir.path() / "clip.bin";
  std::ofstream(file, std::ios::binary)
    .write(reinterpret_cast<const char*>(data.data()),
           static_cast<std::streamsize>(data.size()));
  std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
  auto staged = attach::stage(vault,
                              file,
                              recipient,
                              nullptr,
                              [&](std::uint64_t done, std::uint64_t all) {
                                progress.emplace_back(done, all);
                              });
  REQUIRE(staged);
  CHECK(staged->size == data.size());
  CHECK(staged->padded_size == store::padme(data.size()));
  CHECK(staged->plaintext_sha256 == sha256(data));
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back().first == staged->padded_size);
  REQUIRE(attach::commit(vault, *staged));
  const auto object = store::object_path(vault, staged->object);
  CHECK(std::filesystem::file_size(object) == staged->object_size);
  CHECK(store::check_object(vault, staged->object, {}));
  // One flipped byte is an altered object; flipped back, it checks again.
  auto flip = [&] {
    std::fstream bytes(object, std::ios::in | std::ios::out | std::ios::binary);
    bytes.seekg(100);
    const char was = static_cast<char>(bytes.get());
    bytes.seekp(100);
    bytes.put(static_cast<char>(was ^ 1));
  };
  flip();
  auto altered = store::check_object(vault, staged->object, {});
  REQUIRE_FALSE(altered);
  CHECK(altered.error().code == Errc::corrupt);
  CHECK(altered.error().message.find("altered") != std::string::npos);
  flip();
  CHECK(store::check_object(vault, staged->object, {}));

  Bytes back;
  auto read = attach::read_plaintext(
    vault,
    staged->object,
    key,
    staged->size,
    staged->plaintext_sha256,
    [&](ByteView piece) -> Result<void> {
      back.insert(back.end(), piece.begin(), piece.end());
      return {};
    },
    nullptr,
    {});
  REQUIRE(read);
  CHECK(back == data);

  // The wrong expected hash, or a wrong length, is damage.
  Digest other = staged->plaintext_sha256;
  other[0] ^= 1;
  auto wrong = attach::read_plaintext(
    vault, staged->object, key, staged->size, other, {}, nullptr, {});
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == Errc::corrupt);
  auto short_length = attach::read_plaintext(vault,
                                             staged->object,
                                             key,
                                             staged->size - 1,
                                             staged->plaintext_sha256,
                                             {},
                                             nullptr,
                                             {});
  REQUIRE_FALSE(short_length);
  CHECK(short_length.error().code == Errc::corrupt);

  // Another key does not open it.
  const auto stranger = age::X25519Identity::generate();
  auto refused = attach::read_plaintext(vault,
                                        staged->object,
                                        stranger,
                                        staged->size,
                                        staged->plaintext_sha256,
                                        {},
                                        nullptr,
                                        {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::auth);

  // A cancelled stage leaves no object behind.
  std::atomic<bool> cancel{true};
  auto stopped = attach::stage(vault, file, recipient, &cancel, {});
  REQUIRE_FALSE(stopped);
  CHECK(stopped.error().code == Errc::interrupted);
  std::size_t objects = 0;
  for (const auto& item :
       std::filesystem::recursive_directory_iterator(vault / "objects")) {
    objects += item.is_regular_file() ? 1 : 0;
  }
  CHECK(objects == 1);
}

TEST_CASE("without the object's own hash, every byte is still checked, and "
          "only a re-encryption of the same plaintext passes")
{
  custody::test::TempDir dir;
  const auto vault = dir.path() / "vault";
  const auto key = age::X25519Identity::generate();
  Bytes data(5 * 1024 * 1024 + 321);
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<std::uint8_t>(i * 13 + i / 8192);
  }
  const auto file = dir.path() / "clip.bin";
  std::ofstream(file, std::ios::binary)
    .write(reinterpret_cast<const char*>(data.data()),
           static_cast<std::streamsize>(data.size()));
  auto first = attach::stage(vault, file, key.recipient(), nullptr, {});
  REQUIRE(first);
  REQUIRE(attach::commit(vault, *first));
  auto read = [&](const Digest& expected,
                  std::uint64_t size,
                  const age::X25519Identity& with,
                  attach::CheckObjectName check,
                  Bytes* back) {
    return attach::read_plaintext(
      vault,
      first->object,
      with,
      size,
      expected,
      [&](ByteView piece) -> Result<void> {
        if (back != nullptr) {
          back->insert(back->end(), piece.begin(), piece.end());
        }
        return {};
      },
      nullptr,
      {},
      check);
  };
  const auto no = attach::CheckObjectName::no;
  const auto yes = attach::CheckObjectName::yes;

  Bytes back;
  REQUIRE(read(first->plaintext_sha256, first->size, key, no, &back));
  CHECK(back == data);
  Digest other = first->plaintext_sha256;
  other[0] ^= 1;
  CHECK(read(other, first->size, key, no, nullptr).error().code
        == Errc::corrupt);
  CHECK(read(first->plaintext_sha256, first->size - 1, key, no, nullptr)
          .error()
          .code
        == Errc::corrupt);
  const auto stranger = age::X25519Identity::generate();
  CHECK(read(first->plaintext_sha256, first->size, stranger, no, nullptr)
          .error()
          .code
        == Errc::auth);

  const auto object = store::object_path(vault, first->object);
  const std::string original = [&] {
    std::ifstream in(object, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  auto replace = [&](const std::string& bytes) {
    std::filesystem::permissions(object,
                                 std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add);
    std::ofstream(object, std::ios::binary | std::ios::trunc) << bytes;
  };
  // A byte changed three MiB in: its chunk does not authenticate.
  std::string flipped = original;
  flipped[3 * 1024 * 1024] = static_cast<char>(flipped[3 * 1024 * 1024] ^ 1);
  replace(flipped);
  auto damaged = read(first->plaintext_sha256, first->size, key, no, nullptr);
  REQUIRE_FALSE(damaged);
  CHECK(damaged.error().code == Errc::corrupt);

  // The same plaintext encrypted again (another file key) under the first
  // object's name: its name no longer matches, which only the name check
  // sees; the plaintext it gives is the recorded one, byte for byte.
  auto second = attach::stage(vault, file, key.recipient(), nullptr, {});
  REQUIRE(second);
  REQUIRE(attach::commit(vault, *second));
  REQUIRE(second->object != first->object);
  std::ifstream in(store::object_path(vault, second->object), std::ios::binary);
  replace(std::string(std::istreambuf_iterator<char>(in), {}));
  auto named = read(first->plaintext_sha256, first->size, key, yes, nullptr);
  REQUIRE_FALSE(named);
  CHECK(named.error().message.find("altered") != std::string::npos);
  back.clear();
  REQUIRE(read(first->plaintext_sha256, first->size, key, no, &back));
  CHECK(back == data);
}

TEST_CASE("a sink's error ends the reading thread too")
{
  custody::test::TempDir dir;
  const auto vault = dir.path() / "vault";
  const auto key = age::X25519Identity::generate();
  const auto file = dir.path() / "clip.bin";
  std::ofstream(file, std::ios::binary) << std::string(9 * 1024 * 1024, 'v');
  auto staged = attach::stage(vault, file, key.recipient(), nullptr, {});
  REQUIRE(staged);
  REQUIRE(attach::commit(vault, *staged));
  for (const auto check :
       {attach::CheckObjectName::yes, attach::CheckObjectName::no}) {
    std::size_t pieces = 0;
    auto stopped = attach::read_plaintext(
      vault,
      staged->object,
      key,
      staged->size,
      staged->plaintext_sha256,
      [&](ByteView) -> Result<void> {
        if (++pieces == 3) {
          return make_error(Errc::io, "the disk is full");
        }
        return {};
      },
      nullptr,
      {},
      check);
    REQUIRE_FALSE(stopped);
    CHECK(stopped.error().message == "the disk is full");
    std::atomic<bool> cancel{true};
    auto cancelled = attach::read_plaintext(vault,
                                            staged->object,
                                            key,
                                            staged->size,
                                            staged->plaintext_sha256,
                                            {},
                                            &cancel,
                                            {},
                                            check);
    REQUIRE_FALSE(cancelled);
    CHECK(cancelled.error().code == Errc::interrupted);
  }
}

TEST_CASE("an empty file is an attachment too")
{
  custody::test::TempDir dir;
  const auto key = age::X25519Identity::generate();
  const auto file = dir.path() / "empty";
  std::ofstream(file).close();
  auto staged =
    attach::stage(dir.path() / "vault", file, key.recipient(), nullptr, {});
  REQUIRE(staged);
  CHECK(staged->size == 0);
  REQUIRE(attach::commit(dir.path() / "vault", *staged));
  auto read = attach::read_plaintext(dir.path() / "vault",
                                     staged->object,
                                     key,
                                     0,
                                     staged->plaintext_sha256,
                                     {},
                                     nullptr,
                                     {});
  CHECK(read);
}

TEST_SUITE_END();
