// Process setup made once by main: hardening applied before any secret is
// touched, and the descriptor limit.
#pragma once

namespace custody {

// Disables core dumps (RLIMIT_CORE=0) and ptrace attach (PR_SET_DUMPABLE=0), so
// a crash never writes unlocked keys or plaintext to disk (docs/design.md
// section 9).
void harden_process();

// Raises the soft limit on open descriptors towards the hard limit (at most
// 65,536): a batch of objects keeps a descriptor open per unnamed file until
// it names them (store::ObjectBatch), and makes fewer, larger groups with more.
// A process-wide change, so the program's main makes it, not the library.
void raise_descriptor_limit();

} // namespace custody
