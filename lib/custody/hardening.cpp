// Core dumps off, not dumpable.
#include <custody/hardening.hpp>

#include <sys/prctl.h>
#include <sys/resource.h>

namespace custody {

void
harden_process()
{
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

} // namespace custody
