// Codes held once per process: the fields of a statistics row.
//
// Why. A statistics run reads every record's facts: a million rows, each with
// a dozen codes of the vocabularies ("violence.denial_of_care.pep_refused",
// "anonymised_statistics") and five lists of them. As std::string and
// std::vector each row made about twenty allocations, and copying, freeing
// and hashing them was most of a quarter's tabulation. The codes of a vault
// are few (the vocabularies, its places, its months) and so are the lists a
// record holds, so each distinct one is kept once, for the life of the
// process, and a row holds pointers to them.
//
// A Code or a CodeList reads as the string or the vector it stands for; two
// are equal exactly when their pointers are (identity()), which a table can
// hash on. Both are immutable: assign a new one to change a row. Interning
// takes a lock; readers of a file cache what they intern (the shard numbers
// its codes), so a row costs no lock and no allocation.
#pragma once

#include <compare>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace custody::index {

class Code
{
public:
  // the empty code
  Code();
  // implicit both ways: a code stands for its text
  Code(std::string_view text);
  Code(const std::string& text)
    : Code(std::string_view(text))
  {
  }
  Code(const char* text)
    : Code(std::string_view(text))
  {
  }
  operator const std::string&() const
  {
    return *m_text;
  }
  operator std::string_view() const
  {
    return *m_text;
  }

  [[nodiscard]] const std::string&
  str() const
  {
    return *m_text;
  }
  [[nodiscard]] bool
  empty() const
  {
    return m_text->empty();
  }
  [[nodiscard]] std::size_t
  size() const
  {
    return m_text->size();
  }
  [[nodiscard]] std::string
  substr(std::size_t at, std::size_t count = std::string::npos) const
  {
    return m_text->substr(at, count);
  }
  // the same for equal codes and different for others, for the life of the
  // process
  [[nodiscard]] const void*
  identity() const
  {
    return m_text;
  }

  friend bool
  operator==(const Code& a, const Code& b)
  {
    return a.m_text == b.m_text;
  }
  friend std::strong_ordering
  operator<=>(const Code& a, const Code& b)
  {
    return *a.m_text <=> *b.m_text;
  }
  friend bool
  operator==(const Code& a, std::string_view b)
  {
    return *a.m_text == b;
  }
  friend bool
  operator==(const Code& a, const char* b)
  {
    return *a.m_text == b;
  }
  friend bool
  operator==(const Code& a, const std::string& b)
  {
    return *a.m_text == b;
  }

private:
  const std::string* m_text;
};

class CodeList
{
public:
  using const_iterator = std::vector<std::string>::const_iterator;
  using value_type = std::string;

  // the empty list
  CodeList();
  // implicit both ways: a list stands for its codes
  CodeList(std::vector<std::string> codes);
  CodeList(std::initializer_list<std::string> codes)
    : CodeList(std::vector<std::string>(codes))
  {
  }
  operator const std::vector<std::string>&() const
  {
    return *m_codes;
  }

  [[nodiscard]] const std::vector<std::string>&
  vector() const
  {
    return *m_codes;
  }
  [[nodiscard]] const_iterator
  begin() const
  {
    return m_codes->begin();
  }
  [[nodiscard]] const_iterator
  end() const
  {
    return m_codes->end();
  }
  [[nodiscard]] bool
  empty() const
  {
    return m_codes->empty();
  }
  [[nodiscard]] std::size_t
  size() const
  {
    return m_codes->size();
  }
  [[nodiscard]] const std::string&
  operator[](std::size_t at) const
  {
    return (*m_codes)[at];
  }
  [[nodiscard]] const void*
  identity() const
  {
    return m_codes;
  }

  friend bool
  operator==(const CodeList& a, const CodeList& b)
  {
    return a.m_codes == b.m_codes;
  }
  friend bool
  operator==(const CodeList& a, const std::vector<std::string>& b)
  {
    return *a.m_codes == b;
  }

private:
  const std::vector<std::string>* m_codes;
};

} // namespace custody::index
