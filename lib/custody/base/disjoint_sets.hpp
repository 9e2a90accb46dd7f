// Disjoint sets over 0..n-1 (union-find with path halving): which items a
// chain of links puts together. Shared by the bulletin's linked reports and
// the audit's parts of a program.
#pragma once

#include <cstddef>
#include <numeric>
#include <vector>

namespace custody {

class DisjointSets
{
public:
  explicit DisjointSets(std::size_t n)
    : m_parent(n)
  {
    std::iota(m_parent.begin(), m_parent.end(), std::size_t{0});
  }

  // the representative of i's set
  std::size_t
  find(std::size_t i)
  {
    while (m_parent[i] != i) {
      m_parent[i] = m_parent[m_parent[i]];
      i = m_parent[i];
    }
    return i;
  }

  // joins a's set to b's; b's representative stands for both
  void
  join(std::size_t a, std::size_t b)
  {
    m_parent[find(a)] = find(b);
  }

private:
  std::vector<std::size_t> m_parent;
};

} // namespace custody
