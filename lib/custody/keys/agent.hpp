// The agent: one member's unlocked identity held in locked memory for a
// working session, handed to her own custody commands over a Unix socket that
// only her user may use (docs/security.md "The agent").
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/keys/identity.hpp>
#include <custody/sys/fs.hpp>

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace custody::agent {

// The longest an agent holds an identity, and how long by default.
constexpr std::chrono::seconds k_max_ttl{12 * 3600};
constexpr std::chrono::seconds k_default_ttl{3600};

// Parses "90", "90s", "30m" or "8h" (seconds by default), 1 s up to k_max_ttl;
// Errc::usage otherwise.
[[nodiscard]] Result<std::chrono::seconds> parse_ttl(std::string_view text);

// Where the agent of this user listens: $XDG_RUNTIME_DIR/custody/agent.sock
// when XDG_RUNTIME_DIR is set (an absolute path), else
// /tmp/custody-<uid>/agent.sock.
fs::Path socket_path();

// Creates the socket's directory with mode 0700, or checks the one there: a
// directory (not a link) owned by this user that no one else may enter, since
// anyone who can put a socket there could pose as the agent. Errc::unsafe
// naming what is wrong.
[[nodiscard]] Result<void> prepare_directory(const fs::Path& directory);

// Whether a peer of user `peer` may be answered by an agent running as `own`:
// only the same user. root is not let in either: it needs no agent to read
// another user's memory, and letting it in would be a second rule to get
// right.
bool peer_allowed(uid_t peer, uid_t own);
// The user at the other end of a connected Unix socket (SO_PEERCRED).
[[nodiscard]] Result<uid_t> peer_user(int fd);

// A listening socket at `path` (mode 0600, in a directory prepare_directory
// checked). Errc::invalid_input when an agent already answers there; a socket
// file nobody answers on (an agent killed with SIGKILL) is replaced.
[[nodiscard]] Result<fs::Fd> listen_at(const fs::Path& path);

// What an agent holds: the member, the SHA-256 of the identity file she was
// unlocked from (how a command asks for her: by the file it was given), and
// until when.
struct Held
{
  identity::Member member;
  Digest identity_file_sha256{};
  std::chrono::system_clock::time_point until;
};

enum class Ended { expired, stopped, signalled };

// Answers requests on `listener` (one at a time, each bounded in time) until
// `held.until`, a stop request, or `*interrupted` is set. Peers of another
// user are closed unanswered. The caller then destroys `held`, which wipes the
// secret, and removes the socket.
[[nodiscard]] Result<Ended>
serve(int listener, const Held& held, const std::atomic<bool>* interrupted);

// The member an agent at `socket` holds for the identity file whose bytes hash
// to `identity_file_sha256`; nothing when no agent answers there, or it holds
// another identity. Errc::unsafe when the socket's directory is not safe.
[[nodiscard]] Result<std::optional<identity::Member>>
request(const fs::Path& socket, const Digest& identity_file_sha256);

struct Status
{
  std::string key_id;
  std::chrono::seconds left{0};
};
// What the agent at `socket` holds; nothing when none answers.
[[nodiscard]] Result<std::optional<Status>> status(const fs::Path& socket);
// Asks the agent at `socket` to wipe the identity and exit, and waits until it
// has; false when none answered.
[[nodiscard]] Result<bool> stop(const fs::Path& socket);

} // namespace custody::agent
