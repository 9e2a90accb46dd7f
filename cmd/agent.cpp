// custody agent: the member's identity unlocked once and held for a working
// session, as ssh-agent and gpg-agent do; --stop wipes it, --status tells.
#include "commands.hpp"
#include "session.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/keys/agent.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <fmt/std.h>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <memory>

namespace custody::cli {

namespace {

struct AgentOptions
{
  std::string ttl = "1h";
  bool stop = false;
  bool status = false;
};

std::atomic<bool> g_agent_signalled{false};

void
on_agent_signal(int /*signal*/)
{
  g_agent_signalled.store(true);
}

std::string
duration_text(std::chrono::seconds left)
{
  const auto minutes = (left.count() + 59) / 60;
  return minutes >= 60 ? fmt::format("{} h {} min", minutes / 60, minutes % 60)
                       : fmt::format("{} min", minutes);
}

// The daemon: a new session with no terminal, no core dumps, no ptrace, the
// identity in locked memory; answers until it expires or is stopped, then
// wipes the identity (Held's SecretBytes are zeroed as they are freed) and
// removes its socket. Never returns.
[[noreturn]] void
run_daemon(fs::Fd listener,
           std::unique_ptr<agent::Held> held,
           const fs::Path& socket,
           int ready)
{
  (void)::setsid();
  (void)::chdir("/");
  // main's harden_process did both already; the agent holds the identity for
  // hours, so it says so again where it matters most.
  const rlimit none{0, 0};
  (void)::setrlimit(RLIMIT_CORE, &none);
  (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    (void)::dup2(null, STDIN_FILENO);
    (void)::dup2(null, STDOUT_FILENO);
    (void)::dup2(null, STDERR_FILENO);
    ::close(null);
  }
  struct sigaction action
  {
  };
  action.sa_handler = on_agent_signal;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGTERM, SIGINT, SIGHUP}) {
    sigaction(signal, &action, nullptr);
  }
  (void)std::signal(SIGPIPE, SIG_IGN);
  // Nothing the command inherited stays open: a pipe a shell reads the
  // command's output from would otherwise wait for the agent to end.
  const int last =
    static_cast<int>(std::min<long>(::sysconf(_SC_OPEN_MAX), 65536));
  for (int fd = STDERR_FILENO + 1; fd < last; ++fd) {
    if (fd != listener.get() && fd != ready) {
      (void)::close(fd);
    }
  }
  (void)::write(ready, "1", 1);
  ::close(ready);
  const auto ended = agent::serve(listener.get(), *held, &g_agent_signalled);
  held.reset();
  (void)::unlink(socket.c_str());
  ::_exit(ended ? 0 : 6);
}

Result<Outcome>
run_start(const GlobalOptions& global, const AgentOptions& options)
{
  CUSTODY_ASSIGN(ttl, agent::parse_ttl(options.ttl));
  CUSTODY_ASSIGN(identity_file, require_identity(global));
  const fs::Path socket = agent::socket_path();
  // Refused before the passphrase is asked: one agent per user.
  CUSTODY_ASSIGN(running, agent::status(socket));
  if (running) {
    return make_error(Errc::invalid_input,
                      fmt::format("an agent already holds identity {} ({} "
                                  "left)",
                                  running->key_id,
                                  duration_text(running->left)),
                      "`custody agent --stop` wipes it first");
  }
  CUSTODY_ASSIGN(bytes,
                 fs::read_file(identity_file, 64 * 1024, fs::Origin::user));
  CUSTODY_ASSIGN(
    member,
    unlock_identity(identity_file, global.passphrase_file, Agent::skip));
  CUSTODY_ASSIGN(listener, agent::listen_at(socket));
  auto held = std::make_unique<agent::Held>(agent::Held{
    std::move(member), sha256(bytes), std::chrono::system_clock::now() + ttl});
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) {
    return tl::unexpected(fs::errno_error("pipe", "the agent", errno));
  }
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(ready[0]);
    ::close(ready[1]);
    return tl::unexpected(fs::errno_error("fork", "the agent", errno));
  }
  if (child == 0) {
    ::close(ready[0]);
    run_daemon(std::move(listener), std::move(held), socket, ready[1]);
  }
  ::close(ready[1]);
  char started = 0;
  const bool up = ::read(ready[0], &started, 1) == 1;
  ::close(ready[0]);
  if (!up) {
    return make_error(Errc::internal, "the agent did not start");
  }
  const std::string key_id = held->member.key_id();
  held.reset();
  fmt::print("custody agent {} holds identity {} for {} (socket {})\n",
             child,
             key_id,
             duration_text(ttl),
             socket);
  note("commands given this identity and no --passphrase-file use it without "
       "asking; `custody agent --stop` wipes it");
  return Outcome::ok;
}

Result<Outcome>
run_agent(const GlobalOptions& global, const AgentOptions& options)
{
  if (options.stop && options.status) {
    return make_error(Errc::usage, "give --stop or --status, not both");
  }
  const fs::Path socket = agent::socket_path();
  if (options.stop) {
    CUSTODY_ASSIGN(stopped, agent::stop(socket));
    if (stopped) {
      fmt::print("agent stopped; the identity it held is wiped\n");
    } else {
      note("no agent is running");
    }
    return Outcome::ok;
  }
  if (options.status) {
    CUSTODY_ASSIGN(running, agent::status(socket));
    if (running) {
      fmt::print("agent holds identity {} for {} more (socket {})\n",
                 running->key_id,
                 duration_text(running->left),
                 socket);
    } else {
      note("no agent is running");
    }
    return Outcome::ok;
  }
  return run_start(global, options);
}

} // namespace

void
register_agent(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<AgentOptions>();
  auto* sub = app.add_subcommand(
    "agent",
    "Hold your unlocked identity for a working session (opt-in), so that "
    "commands do not ask for the passphrase");
  sub
    ->add_option("--ttl",
                 options->ttl,
                 "How long to hold it: seconds, or 30m, 8h (at most 12h)")
    ->capture_default_str();
  sub->add_flag(
    "--stop", options->stop, "Wipe the identity the agent holds and stop it");
  sub->add_flag("--status",
                options->status,
                "Tell whether an agent runs, whose identity it holds and for "
                "how long");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_agent(global, *options); };
  });
}

} // namespace custody::cli
