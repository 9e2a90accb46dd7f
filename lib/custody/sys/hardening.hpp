// Process setup made once by main: hardening applied before any secret is
// touched, the descriptor limit, and how the allocator keeps freed memory.
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

// Keeps up to 256 MiB of freed memory at the top of the heap (M_TOP_PAD)
// instead of handing it back to the kernel at once. GLPK allocates and frees
// its working arrays on every glp_simplex call, and an audit makes hundreds
// of calls: each then faulted its pages in afresh, zeroed by the kernel. The
// year to date of `custody_bench audit-year 40000 500` took 36.6 s, 17.3 s
// with the padding (docs/performance.md). Process-wide, so main sets it.
void keep_freed_memory();

} // namespace custody
