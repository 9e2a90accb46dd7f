// Reading answers on the terminal with libedit (cmd/line_editor.hpp).
#include "line_editor.hpp"

#include <histedit.h>
#include <langinfo.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cwchar>

namespace custody::cli {

namespace {

// The signal that stopped the questions; 0 while none did.
volatile std::sig_atomic_t g_signal = 0;

void
on_signal(int number)
{
  g_signal = number;
}

// SIGINT (Ctrl-C), SIGHUP (the terminal closed) and SIGTERM stop the
// questions instead of the process, so that what was typed can be kept. No
// SA_RESTART: a read waiting for a key returns EINTR.
class SignalWatch
{
public:
  SignalWatch()
  {
    struct sigaction action
    {
    };
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    for (std::size_t i = 0; i < k_signals.size(); ++i) {
      sigaction(k_signals[i], &action, &m_previous[i]);
    }
    g_signal = 0;
  }
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;
  ~SignalWatch()
  {
    for (std::size_t i = 0; i < k_signals.size(); ++i) {
      sigaction(k_signals[i], &m_previous[i], nullptr);
    }
  }

private:
  static constexpr std::array<int, 3> k_signals = {SIGINT, SIGHUP, SIGTERM};
  std::array<struct sigaction, 3> m_previous{};
};

// Line editing reads the terminal's bytes as UTF-8 whatever the locale says:
// in the C locale libedit would drop every byte above 127, and with it every
// name not written in ASCII. The user's locale when it is UTF-8, else
// C.UTF-8, for this thread only.
class Utf8Input
{
public:
  Utf8Input()
    : m_locale(utf8_locale())
  {
    if (m_locale != nullptr) {
      m_previous = uselocale(m_locale);
    }
  }
  Utf8Input(const Utf8Input&) = delete;
  Utf8Input& operator=(const Utf8Input&) = delete;
  ~Utf8Input()
  {
    if (m_locale != nullptr) {
      uselocale(m_previous);
      freelocale(m_locale);
    }
  }

private:
  static locale_t
  utf8_locale()
  {
    locale_t chosen = newlocale(LC_CTYPE_MASK, "", nullptr);
    if (chosen != nullptr
        && std::string_view(nl_langinfo_l(CODESET, chosen)) != "UTF-8") {
      freelocale(chosen);
      chosen = nullptr;
    }
    if (chosen == nullptr) {
      chosen = newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr);
    }
    return chosen;
  }

  locale_t m_locale = nullptr;
  locale_t m_previous = nullptr;
};

// libedit on standard input and standard error, with a history kept in
// memory for this run only: it holds what was typed about a person, so it is
// never written to disk (no H_SAVE, no ~/.editrc read).
} // namespace

struct LineEditor::Impl
{
  Impl()
    : m_editor(el_init("custody", stdin, stderr, stderr)),
      m_history(history_init())
  {
    if (m_editor == nullptr || m_history == nullptr) {
      return;
    }
    HistEvent event{};
    history(m_history, &event, H_SETSIZE, 200);
    el_set(m_editor, EL_CLIENTDATA, this);
    el_set(m_editor, EL_EDITOR, "emacs");
    el_set(m_editor, EL_SIGNAL, 0);
    el_set(m_editor, EL_HIST, history, m_history);
    el_set(m_editor, EL_PROMPT, &Impl::prompt_of);
    el_set(m_editor, EL_GETCFN, &Impl::read_char);
    // A tab pasted into an account is text, not a completion.
    el_set(m_editor, EL_BIND, "^I", "ed-insert", nullptr);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl()
  {
    if (m_editor != nullptr) {
      el_end(m_editor);
    }
    if (m_history != nullptr) {
      history_end(m_history);
    }
  }

  // One line without its end, or nullopt when reading stopped (stop() says
  // why).
  std::optional<std::string>
  read(std::string prompt)
  {
    m_stop = Stop::none;
    if (g_signal != 0) {
      m_stop = stop_of_signal();
      return std::nullopt;
    }
    if (m_editor == nullptr) {
      m_stop = Stop::end_of_input;
      return std::nullopt;
    }
    m_prompt = std::move(prompt);
    m_decoding = {};
    (void)std::fflush(stderr);
    // libedit prints the prompt in cooked mode and turns raw only before
    // its first read: a Ctrl-D typed in between becomes a NUL byte and is
    // lost, so the terminal goes raw before the prompt is shown.
    el_set(m_editor, EL_PREP_TERM, 1);
    int count = 0;
    const char* line = el_gets(m_editor, &count);
    if (line == nullptr || count <= 0) {
      m_stop = g_signal != 0 ? stop_of_signal()
               : m_broken    ? Stop::hangup
                             : Stop::end_of_input;
      if (m_stop != Stop::end_of_input) {
        (void)std::fputc('\n', stderr);
      }
      return std::nullopt;
    }
    std::string text(line, static_cast<std::size_t>(count));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
    if (!text.empty() && text != "<" && text != "?") {
      HistEvent event{};
      history(m_history, &event, H_ENTER, text.c_str());
    }
    return text;
  }

  static Stop
  stop_of_signal()
  {
    return g_signal == SIGINT   ? Stop::interrupt
           : g_signal == SIGHUP ? Stop::hangup
                                : Stop::terminate;
  }

  static Impl*
  self(EditLine* editor)
  {
    void* data = nullptr;
    el_get(editor, EL_CLIENTDATA, &data);
    return static_cast<Impl*>(data);
  }

  static char*
  prompt_of(EditLine* editor)
  {
    return self(editor)->m_prompt.data();
  }

  // Reads one character, so that a signal ends the line at once (libedit's
  // own reader retries an interrupted read).
  static int
  read_char(EditLine* editor, wchar_t* out)
  {
    Impl* me = self(editor);
    while (true) {
      if (g_signal != 0) {
        return -1;
      }
      char byte = 0;
      const ssize_t n = ::read(STDIN_FILENO, &byte, 1);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        me->m_broken = true;
        return -1;
      }
      if (n == 0) {
        return 0;
      }
      const std::size_t used = std::mbrtowc(out, &byte, 1, &me->m_decoding);
      if (used == static_cast<std::size_t>(-2)) {
        continue; // more bytes of the character to come
      }
      if (used == static_cast<std::size_t>(-1)) {
        me->m_decoding = {};
        *out = 0xFFFD; // shown and kept as a replacement, never dropped
      }
      return 1;
    }
  }

  // Declared first: taken before the editor starts, given back after it ends.
  SignalWatch m_signals;
  Utf8Input m_utf8_input;
  EditLine* m_editor = nullptr;
  History* m_history = nullptr;
  std::string m_prompt;
  std::mbstate_t m_decoding{};
  Stop m_stop = Stop::none;
  bool m_broken = false; // reading the terminal failed (it hung up)
};

LineEditor::LineEditor()
  : m_impl(std::make_unique<Impl>())
{
}

LineEditor::~LineEditor() = default;

std::optional<std::string>
LineEditor::read(std::string prompt)
{
  return m_impl->read(std::move(prompt));
}

Stop
LineEditor::stop() const
{
  return m_impl->m_stop;
}

void
LineEditor::clear_signal()
{
  g_signal = 0;
}

} // namespace custody::cli
