// Child processes (spawn.hpp).
#include <custody/sys/fs.hpp>
#include <custody/sys/spawn.hpp>

#include <fmt/core.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace custody::spawn {

namespace {

// A posix_spawn file-actions or attributes object, destroyed with its scope.
template<typename Object, int (*init)(Object*), int (*destroy)(Object*)>
struct SpawnObject
{
  Object value{};
  bool ok = init(&value) == 0;
  SpawnObject() = default;
  SpawnObject(const SpawnObject&) = delete;
  SpawnObject& operator=(const SpawnObject&) = delete;
  SpawnObject(SpawnObject&&) = delete;
  SpawnObject& operator=(SpawnObject&&) = delete;
  ~SpawnObject()
  {
    if (ok) {
      destroy(&value);
    }
  }
};
using SpawnActions = SpawnObject<posix_spawn_file_actions_t,
                                 posix_spawn_file_actions_init,
                                 posix_spawn_file_actions_destroy>;
using SpawnAttributes =
  SpawnObject<posix_spawnattr_t, posix_spawnattr_init, posix_spawnattr_destroy>;

// Waits for `pid` until `deadline`; kills it then. The wait status, or
// nothing when it had to be killed.
std::optional<int>
reap(pid_t pid, std::chrono::steady_clock::time_point deadline)
{
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      return status;
    }
    if (done < 0 && errno != EINTR) {
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return std::nullopt;
    }
    ::usleep(5000);
  }
}

std::vector<char*>
pointers(std::vector<std::string>& strings)
{
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

} // namespace

Result<Finished>
run(const Command& command)
{
  if (command.argv.empty()) {
    return make_error(Errc::internal, "spawn: no program given");
  }
  const std::string& program = command.argv.front();
  const auto deadline = std::chrono::steady_clock::now() + command.timeout;
  std::array<int, 2> pipe_fds{-1, -1};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
    return fail(Errc::io, "{}: pipe: {}", program, std::strerror(errno));
  }
  fs::Fd read_end(pipe_fds[0]);
  fs::Fd write_end(pipe_fds[1]);

  SpawnActions actions;
  if (!actions.ok
      || posix_spawn_file_actions_addopen(&actions.value,
                                          0,
                                          command.standard_input.empty()
                                            ? "/dev/null"
                                            : command.standard_input.c_str(),
                                          O_RDONLY,
                                          0)
           != 0
      || posix_spawn_file_actions_adddup2(&actions.value, write_end.get(), 1)
           != 0
      || (command.capture_stderr ? posix_spawn_file_actions_adddup2(
            &actions.value, write_end.get(), 2)
                                 : posix_spawn_file_actions_addopen(
                                   &actions.value, 2, "/dev/null", O_WRONLY, 0))
           != 0
      // Nothing the parent holds open (the vault lock, objects, keys in
      // files) reaches the child.
      || posix_spawn_file_actions_addclosefrom_np(&actions.value, 3) != 0) {
    return fail(Errc::io, "{}: cannot prepare the child process", program);
  }
  // Whatever the parent blocks or ignores (it may hold SIGINT back while it
  // commits), the child starts with every signal unblocked and at its
  // default.
  SpawnAttributes attributes;
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  if (!attributes.ok
      || posix_spawnattr_setsigmask(&attributes.value, &none) != 0
      || posix_spawnattr_setsigdefault(&attributes.value, &all) != 0
      || posix_spawnattr_setflags(
           &attributes.value, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
           != 0) {
    return fail(Errc::io, "{}: cannot prepare the child process", program);
  }
  std::vector<std::string> args = command.argv;
  std::vector<std::string> environment = command.environment;
  const auto argv = pointers(args);
  const auto envp = pointers(environment);
  pid_t pid = -1;
  const int spawned = command.search_path ? ::posix_spawnp(&pid,
                                                           program.c_str(),
                                                           &actions.value,
                                                           &attributes.value,
                                                           argv.data(),
                                                           envp.data())
                                          : ::posix_spawn(&pid,
                                                          program.c_str(),
                                                          &actions.value,
                                                          &attributes.value,
                                                          argv.data(),
                                                          envp.data());
  if (spawned != 0) {
    return fail(Errc::io, "cannot run {}: {}", program, std::strerror(spawned));
  }
  write_end.reset();

  Finished finished;
  bool too_much = false;
  bool timed_out = false;
  std::array<char, 65536> buffer{};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd pfd{read_end.get(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    if (ready == 0) {
      timed_out = true;
      break;
    }
    const ssize_t n = ::read(read_end.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        continue;
      }
      break;
    }
    if (n == 0) {
      break;
    }
    finished.output.append(buffer.data(), static_cast<std::size_t>(n));
    if (finished.output.size() > command.max_output) {
      too_much = true;
      break;
    }
  }
  read_end.reset();
  const auto status = reap(
    pid, timed_out || too_much ? std::chrono::steady_clock::now() : deadline);
  if (too_much) {
    finished.end = Finished::End::too_much;
  } else if (timed_out || !status) {
    finished.end = Finished::End::timed_out;
  } else if (WIFSIGNALED(*status)) {
    finished.end = Finished::End::signalled;
    finished.code = WTERMSIG(*status);
  } else {
    finished.end = Finished::End::exited;
    finished.code = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  }
  return finished;
}

Result<Finished>
run_attached(const Attached& command)
{
  if (command.argv.empty()) {
    return make_error(Errc::internal, "spawn: no program given");
  }
  const std::string& program = command.argv.front();
  SpawnActions actions;
  if (!actions.ok
      || (command.descriptor >= 0
          && posix_spawn_file_actions_adddup2(
               &actions.value, command.descriptor, 3)
               != 0)
      || posix_spawn_file_actions_addclosefrom_np(
           &actions.value, command.descriptor >= 0 ? 4 : 3)
           != 0
      || posix_spawn_file_actions_addchdir_np(&actions.value,
                                              command.directory.c_str())
           != 0) {
    return fail(Errc::io, "{}: cannot prepare the child process", program);
  }
  SpawnAttributes attributes;
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  if (!attributes.ok
      || posix_spawnattr_setsigmask(&attributes.value, &none) != 0
      || posix_spawnattr_setsigdefault(&attributes.value, &all) != 0
      || posix_spawnattr_setflags(
           &attributes.value, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
           != 0) {
    return fail(Errc::io, "{}: cannot prepare the child process", program);
  }
  struct sigaction ignore
  {
  };
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  struct sigaction old_int
  {
  };
  struct sigaction old_quit
  {
  };
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);
  std::vector<std::string> args = command.argv;
  std::vector<std::string> environment = command.environment;
  const auto argv = pointers(args);
  const auto envp = pointers(environment);
  pid_t pid = -1;
  const int spawned = program.find('/') == std::string::npos
                        ? ::posix_spawnp(&pid,
                                         program.c_str(),
                                         &actions.value,
                                         &attributes.value,
                                         argv.data(),
                                         envp.data())
                        : ::posix_spawn(&pid,
                                        program.c_str(),
                                        &actions.value,
                                        &attributes.value,
                                        argv.data(),
                                        envp.data());
  Result<Finished> out = Finished{};
  if (spawned != 0) {
    out = fail(Errc::io, "cannot run {}: {}", program, std::strerror(spawned));
  } else {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) {
        status = -1;
        break;
      }
    }
    if (WIFSIGNALED(status)) {
      out->end = Finished::End::signalled;
      out->code = WTERMSIG(status);
    } else {
      out->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  return out;
}

std::vector<std::string>
proxy_environment()
{
  std::vector<std::string> out;
  for (const char* name : {"http_proxy",
                           "https_proxy",
                           "no_proxy",
                           "all_proxy",
                           "HTTP_PROXY",
                           "HTTPS_PROXY",
                           "NO_PROXY",
                           "ALL_PROXY"}) {
    if (const char* value = std::getenv(name); value != nullptr) {
      out.push_back(fmt::format("{}={}", name, value));
    }
  }
  return out;
}

} // namespace custody::spawn
