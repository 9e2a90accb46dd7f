// Core dumps off, not dumpable; the descriptor limit; the allocator's padding.
#include <custody/sys/hardening.hpp>

#include <malloc.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>

namespace custody {

void
harden_process()
{
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // Debian's SQLite spills sort data to unlinked temp files unless told not to
  // (docs/design.md section 8); besides PRAGMA temp_store=MEMORY, point its
  // temp directory where nothing can ever be created.
  setenv("SQLITE_TMPDIR", "/dev/null/custody-never-spills", 1);
}

void
raise_descriptor_limit()
{
  struct rlimit limit
  {
  };
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0
      && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 65536);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

void
keep_freed_memory()
{
  // Padding is address space: only pages written to are resident. Best
  // effort: without it the audit is slower, never wrong.
  (void)mallopt(M_TOP_PAD, 256 << 20);
}

} // namespace custody
