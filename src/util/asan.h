/* Whether this build runs under AddressSanitizer, and the two calls that
 * mark memory unusable (POISON) or usable again (UNPOISON) for it: pools
 * that carve their own blocks (secmem.c, slab.c) use them so that a read or
 * write outside a block is reported as it would be for malloc. Without the
 * sanitizer they do nothing. */
#ifndef IK_UTIL_ASAN_H
#define IK_UTIL_ASAN_H

#if defined(__SANITIZE_ADDRESS__)
#define IK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IK_ASAN 1
#endif
#endif

#ifdef IK_ASAN
#include <sanitizer/asan_interface.h>
#define IK_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define IK_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define IK_POISON(p, n) ((void)(p), (void)(n))
#define IK_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
