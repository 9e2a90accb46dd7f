// What may leave the vault: a value wrapped as Released<T> has been through
// disclosure/'s checks (consent, suppression, identifiers out), and output
// writers (show today; the stats renderers and exports to come) take only this
// type. Only disclosure/ constructs one, so the checks hold by type, not by
// review: the constructor is private to the class `Releaser`, which only
// disclosure/disclosure_internal.hpp defines (private to this folder,
// tests/checks/layers.py).
#pragma once

#include <utility>

namespace custody::disclosure {

class Releaser;

template<typename T> class Released
{
public:
  const T&
  operator*() const
  {
    return m_value;
  }
  const T*
  operator->() const
  {
    return &m_value;
  }

private:
  friend class Releaser;
  explicit Released(T value)
    : m_value(std::move(value))
  {
  }
  T m_value;
};

} // namespace custody::disclosure
