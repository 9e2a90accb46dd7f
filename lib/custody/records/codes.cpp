// The process's one copy of each code and list (codes.hpp).
#include <custody/records/codes.hpp>

#include <mutex>
#include <unordered_set>

namespace custody::index {

namespace {

struct TextHash
{
  using is_transparent = void;
  std::size_t
  operator()(std::string_view text) const noexcept
  {
    return std::hash<std::string_view>{}(text);
  }
};

struct ListHash
{
  std::size_t
  operator()(const std::vector<std::string>& codes) const noexcept
  {
    std::size_t hash = codes.size();
    for (const auto& code : codes) {
      hash = hash * 1099511628211ULL ^ std::hash<std::string>{}(code);
    }
    return hash;
  }
};

// Node-based sets: an element never moves, so the pointers handed out stay
// good while the sets grow. Never freed: a vault's codes are few, and rows
// may be read until the process ends.
struct Pool
{
  std::mutex lock;
  std::unordered_set<std::string, TextHash, std::equal_to<>> texts;
  std::unordered_set<std::vector<std::string>, ListHash> lists;
};

Pool&
pool()
{
  static auto* const instance =
    new Pool; // NOLINT(cppcoreguidelines-owning-memory)
  return *instance;
}

const std::string*
intern(std::string_view text)
{
  Pool& shared = pool();
  const std::lock_guard<std::mutex> held(shared.lock);
  auto found = shared.texts.find(text);
  if (found == shared.texts.end()) {
    found = shared.texts.emplace(text).first;
  }
  return &*found;
}

const std::vector<std::string>*
intern(std::vector<std::string> codes)
{
  Pool& shared = pool();
  const std::lock_guard<std::mutex> held(shared.lock);
  return &*shared.lists.insert(std::move(codes)).first;
}

} // namespace

Code::Code()
{
  // every row starts with these: interned once
  static const std::string* const empty = intern(std::string_view());
  m_text = empty;
}

Code::Code(std::string_view text)
  : m_text(intern(text))
{
}

CodeList::CodeList()
{
  static const std::vector<std::string>* const empty =
    intern(std::vector<std::string>{});
  m_codes = empty;
}

CodeList::CodeList(std::vector<std::string> codes)
  : m_codes(intern(std::move(codes)))
{
}

} // namespace custody::index
