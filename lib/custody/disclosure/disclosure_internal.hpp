// Private to disclosure/: the one way to make a Released<T>.
#pragma once

#include <custody/disclosure/released.hpp>

#include <string>

namespace custody::disclosure {

// A recorded value on one line of an output: controls become spaces (so a
// value cannot start a line of its own), trailing spaces go.
inline std::string
one_line(const std::string& text)
{
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7f) ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

class Releaser
{
public:
  template<typename T>
  static Released<T>
  release(T value)
  {
    return Released<T>(std::move(value));
  }
};

} // namespace custody::disclosure
