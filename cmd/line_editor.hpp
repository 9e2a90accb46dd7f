// Reading answers on the terminal, a line at a time: libedit, with a history
// kept in memory only, UTF-8 whatever the locale, and Ctrl-C, a closed
// terminal or SIGTERM ending the line instead of the process.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace custody::cli {

// Why reading a line stopped: Ctrl-D, Ctrl-C, the terminal gone (SIGHUP, or
// reading it fails), SIGTERM.
enum class Stop { none, end_of_input, interrupt, hangup, terminate };

// libedit on standard input and standard error. While it lives, it holds
// SIGINT, SIGHUP and SIGTERM (each stops the line being read, and any read
// after it, until clear_signal()) and this thread's LC_CTYPE (UTF-8).
class LineEditor
{
public:
  LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;
  ~LineEditor();

  // One line without its end, or nullopt when reading stopped (stop() says
  // why). A line other than "<" and "?" joins the history.
  std::optional<std::string> read(std::string prompt);
  Stop stop() const;
  // After a stop was answered: the next read waits again.
  static void clear_signal();

  struct Impl;

private:
  std::unique_ptr<Impl> m_impl;
};

} // namespace custody::cli
