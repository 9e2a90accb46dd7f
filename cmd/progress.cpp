// Progress lines and interrupt handling.
#include "progress.hpp"

#include "common.hpp"

#include <fmt/core.h>

#include <unistd.h>

#include <csignal>
#include <memory>

namespace custody::cli {

namespace {

std::atomic<bool> g_interrupted{false};
bool g_progress_shown = false;

void
on_interrupt(int)
{
  g_interrupted.store(true);
}

std::string
human(std::uint64_t bytes)
{
  if (bytes >= 1024ULL * 1024 * 1024) {
    return fmt::format("{:.1f} GiB",
                       static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  }
  return fmt::format("{} MiB", bytes / (1024 * 1024));
}

} // namespace

std::function<void(std::uint64_t, std::uint64_t)>
terminal_progress(const std::string& label)
{
  if (quiet() || ::isatty(STDERR_FILENO) == 0) {
    return {};
  }
  // The label may be a file's name (attach): escaped once, here (R14).
  return [label = printable(label)](std::uint64_t done, std::uint64_t total) {
    const unsigned percent =
      total == 0 ? 100U : static_cast<unsigned>(done * 100 / total);
    fmt::print(stderr,
               "\r{}: {} of {} ({} %)",
               label,
               human(done),
               human(total),
               percent);
    (void)std::fflush(stderr);
    g_progress_shown = true;
  };
}

void
finish_progress()
{
  if (g_progress_shown) {
    fmt::print(stderr, "\n");
    g_progress_shown = false;
  }
}

const std::atomic<bool>*
watch_interrupts()
{
  struct sigaction action
  {
  };
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; // no SA_RESTART: a blocked read returns EINTR
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return &g_interrupted;
}

} // namespace custody::cli
