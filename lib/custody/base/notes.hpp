// Notes: what is worth telling the user that is not a failure (a cache
// rebuilt, an orphan object kept, a check skipped), with its level; cmd/ words
// the level ("custody: warning: ...").
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace custody {

struct Note
{
  enum class Level { info, warning };
  // Most notes are information: a plain string is one.
  Note(std::string note_text) // NOLINT(google-explicit-constructor)
    : text(std::move(note_text))
  {
  }
  Note(const char* note_text) // NOLINT(google-explicit-constructor)
    : text(note_text)
  {
  }
  Note(Level note_level, std::string note_text)
    : level(note_level),
      text(std::move(note_text))
  {
  }
  Level level = Level::info;
  std::string text;
};

using Notes = std::vector<Note>;

// As `--json` outputs carry notes: one string, a warning prefixed so.
inline std::string
to_string(const Note& note)
{
  return note.level == Note::Level::warning ? "warning: " + note.text
                                            : note.text;
}

inline void
to_json(nlohmann::json& out, const Note& note)
{
  out = to_string(note);
}

} // namespace custody
