#ifndef CRIBLE_PCRE2_SHIM_H
#define CRIBLE_PCRE2_SHIM_H

// Crible only ever works on UTF-8, so the 8-bit code unit library is the one linked.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// PCRE2_ZERO_TERMINATED is a cast expression that Swift does not import; patterns are always
// passed with an explicit length, so only the "unset" ovector marker is needed here.
static inline PCRE2_SIZE crible_pcre2_unset(void) { return PCRE2_UNSET; }

#endif
