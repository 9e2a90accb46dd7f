// The agent: who it answers, where it listens, and what it hands out.
#include "temp_dir.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/keys/agent.hpp>

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

using namespace custody;
using custody::test::TempDir;

TEST_SUITE_BEGIN("agent");

TEST_CASE("only the agent's own user is answered")
{
  CHECK(agent::peer_allowed(1000, 1000));
  CHECK_FALSE(agent::peer_allowed(1001, 1000));
  CHECK_FALSE(agent::peer_allowed(0, 1000)); // not root either
  CHECK(agent::peer_allowed(0, 0));

  // SO_PEERCRED names the user at the other end of a connected socket.
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  const fs::Fd a(pair[0]);
  const fs::Fd b(pair[1]);
  auto peer = agent::peer_user(a.get());
  REQUIRE(peer);
  CHECK(*peer == ::geteuid());
  CHECK_FALSE(agent::peer_user(-1));
}

TEST_CASE("the socket's directory is the user's own and closed to others")
{
  TempDir dir;
  const auto made = dir.path() / "agent";
  REQUIRE(agent::prepare_directory(made));
  struct stat st
  {
  };
  REQUIRE(::stat(made.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  CHECK(agent::prepare_directory(made)); // again: it is there and fine

  std::filesystem::permissions(made,
                               std::filesystem::perms::owner_all
                                 | std::filesystem::perms::group_read
                                 | std::filesystem::perms::group_exec);
  auto open = agent::prepare_directory(made);
  REQUIRE_FALSE(open);
  CHECK(open.error().code == Errc::unsafe);

  std::filesystem::create_directory_symlink(made, dir.path() / "link");
  auto link = agent::prepare_directory(dir.path() / "link");
  REQUIRE_FALSE(link);
  CHECK(link.error().code == Errc::unsafe);
}

TEST_CASE("--ttl takes seconds, minutes or hours up to 12 hours")
{
  CHECK(agent::parse_ttl("90").value() == std::chrono::seconds(90));
  CHECK(agent::parse_ttl("90s").value() == std::chrono::seconds(90));
  CHECK(agent::parse_ttl("30m").value() == std::chrono::minutes(30));
  CHECK(agent::parse_ttl("12h").value() == std::chrono::hours(12));
  for (const char* bad :
       {"", "0", "13h", "1d", "h", "-5", "5 m", "99999999999"}) {
    CAPTURE(bad);
    auto ttl = agent::parse_ttl(bad);
    REQUIRE_FALSE(ttl);
    CHECK(ttl.error().code == Errc::usage);
  }
}

TEST_CASE("the agent hands the identity only for its own file, and stops")
{
  TempDir dir;
  const auto socket = dir.path() / "run" / "agent.sock";
  auto listener = agent::listen_at(socket);
  REQUIRE(listener);
  const age::X25519Identity secret = age::X25519Identity::generate();
  const std::string key_id = identity::Member(secret.clone()).key_id();
  const Digest file = sha256("the identity file's bytes");
  agent::Held held{identity::Member(secret.clone()),
                   file,
                   std::chrono::system_clock::now() + std::chrono::minutes(1)};
  std::atomic<bool> interrupted{false};
  Result<agent::Ended> ended = agent::Ended::signalled;
  std::thread server(
    [&] { ended = agent::serve(listener->get(), held, &interrupted); });

  auto mine = agent::request(socket, file);
  REQUIRE(mine);
  REQUIRE(mine->has_value());
  CHECK((*mine)->key_id() == key_id);
  auto other = agent::request(socket, sha256("another identity file"));
  REQUIRE(other);
  CHECK_FALSE(other->has_value());
  auto status = agent::status(socket);
  REQUIRE(status);
  REQUIRE(status->has_value());
  CHECK((*status)->key_id == key_id);
  CHECK((*status)->left.count() > 50);

  // A second agent at the same place is refused while the first answers.
  auto second = agent::listen_at(socket);
  REQUIRE_FALSE(second);
  CHECK(second.error().code == Errc::invalid_input);

  // stop waits for the socket to go, which the agent's caller removes.
  std::thread remover([&] {
    server.join();
    std::filesystem::remove(socket);
  });
  auto stopped = agent::stop(socket);
  remover.join();
  REQUIRE(stopped);
  CHECK(*stopped);
  REQUIRE(ended);
  CHECK(*ended == agent::Ended::stopped);
  auto none = agent::request(socket, file);
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
}

TEST_CASE("the agent ends when its time is up")
{
  TempDir dir;
  const auto socket = dir.path() / "run" / "agent.sock";
  auto listener = agent::listen_at(socket);
  REQUIRE(listener);
  agent::Held held{identity::Member(age::X25519Identity::generate()),
                   sha256("file"),
                   std::chrono::system_clock::now()
                     + std::chrono::milliseconds(200)};
  auto ended = agent::serve(listener->get(), held, nullptr);
  REQUIRE(ended);
  CHECK(*ended == agent::Ended::expired);
}

TEST_SUITE_END();
