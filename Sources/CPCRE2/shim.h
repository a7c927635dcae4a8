#ifndef CRIBLE_PCRE2_SHIM_H
#define CRIBLE_PCRE2_SHIM_H

// Crible only ever works on UTF-8, so the 8-bit code unit library is the one linked.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// PCRE2_ZERO_TERMINATED is a cast expression that Swift does not import; patterns are always
// passed with an explicit length, so only the "unset" ovector marker is needed here.
static inline PCRE2_SIZE crible_pcre2_unset(void) { return PCRE2_UNSET; }

// A flag read on every match and set once, after a pattern's JIT code is ready: the acquire load
// sees the code the release store published, without a lock on the path every match takes.
static inline int crible_flag_is_set(const int *flag) { return __atomic_load_n(flag, __ATOMIC_ACQUIRE); }
static inline void crible_set_flag(int *flag) { __atomic_store_n(flag, 1, __ATOMIC_RELEASE); }

#endif
