// Process hardening applied before any secret is touched.
#pragma once

namespace custody {

// Disables core dumps (RLIMIT_CORE=0) and ptrace attach (PR_SET_DUMPABLE=0), so
// a crash never writes unlocked keys or plaintext to disk (DESIGN section 9).
void harden_process();

} // namespace custody
