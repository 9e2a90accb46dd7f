// Private to disclosure/: the one way to make a Released<T>.
#pragma once

#include <custody/disclosure/released.hpp>

namespace custody::disclosure {

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
