// A private temporary directory for one test case, removed with everything in
// it.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace custody::test {

class TempDir
{
public:
  TempDir()
  {
    std::string pattern =
      (std::filesystem::temp_directory_path() / "custody-unit.XXXXXX").string();
    m_path = ::mkdtemp(pattern.data());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir()
  {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  const std::filesystem::path&
  path() const
  {
    return m_path;
  }

private:
  std::filesystem::path m_path;
};

} // namespace custody::test
