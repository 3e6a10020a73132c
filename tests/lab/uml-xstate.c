/* uml-xstate.so: lets Debian 12's user-mode Linux (6.1) run on hosts whose
 * XSAVE area is larger than the one it knows (AVX-512, AMX).
 *
 * user-mode Linux saves and restores the FPU state of its guest threads with
 * PTRACE_GETREGSET / PTRACE_SETREGSET (NT_X86_XSTATE) and a buffer the size of
 * struct _xstate: 832 bytes (x87, SSE, AVX). A host kernel accepts a
 * SETREGSET only for its whole XSAVE area (2,688 bytes with AVX-512, about
 * 11 KB with AMX) and answers anything else with EFAULT: the guest's init
 * dies at once ("userspace - ptrace set fp regs failed, errno = 14").
 *
 * Preloaded into linux.uml (tests/lab/uml-run.sh does it when the lab build
 * has it), this keeps, for every buffer user-mode Linux reads the state into,
 * the whole area the host gave; a write lays user-mode Linux's bytes over that
 * whole area and writes the full size. A guest thread's AVX-512 and AMX
 * registers are thus saved and restored as the host kernel has them. Other
 * ptrace requests, and buffers as large as the host's area, pass through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

#define SLOTS 8192      /* guest threads' buffers remembered (power of two) */
#define PROBE 64        /* slots probed before one is reused */
#define MAX_AREA 65536  /* largest XSAVE area handled */

typedef long (*ptrace_fn)(enum __ptrace_request, ...);

struct slot {
	const void *key;        /* user-mode Linux's buffer */
	unsigned char *full;    /* the whole area last read into it */
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static size_t area;     /* the host's XSAVE area size, 0 until known */

static ptrace_fn real_ptrace(void)
{
	static ptrace_fn fn;

	if (!fn)
		fn = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
	return fn;
}

static size_t slot_of(const void *key)
{
	uintptr_t k = (uintptr_t)key;

	k ^= k >> 17;
	k *= 0x9e3779b97f4a7c15ull;
	return (size_t)(k >> 40) & (SLOTS - 1);
}

/* The slot of key; with create, a free or reused one. Under lock. */
static struct slot *slot_get(const void *key, int create)
{
	size_t h = slot_of(key);

	for (size_t i = 0; i < PROBE; i++) {
		struct slot *s = &slots[(h + i) & (SLOTS - 1)];

		if (s->key == key)
			return s;
		if (!s->key && create) {
			s->full = malloc(area);
			if (!s->full)
				return NULL;
			s->key = key;
			return s;
		}
	}
	if (!create)
		return NULL;
	/* all probed slots taken: reuse the first */
	slots[h].key = key;
	return &slots[h];
}

/* Reads the whole area of pid into buf (area bytes). */
static long get_full(pid_t pid, unsigned char *buf)
{
	struct iovec iov = { buf, area };

	return real_ptrace()(PTRACE_GETREGSET, pid, (void *)(uintptr_t)NT_X86_XSTATE, &iov);
}

/* Learns the area's size from one full read of pid's state. */
static int learn_area(pid_t pid)
{
	unsigned char *buf;
	struct iovec iov;
	long rc;

	if (area)
		return 0;
	buf = malloc(MAX_AREA);
	if (!buf)
		return -1;
	iov.iov_base = buf;
	iov.iov_len = MAX_AREA;
	rc = real_ptrace()(PTRACE_GETREGSET, pid, (void *)(uintptr_t)NT_X86_XSTATE, &iov);
	if (rc == 0)
		area = iov.iov_len;
	free(buf);
	return rc == 0 ? 0 : -1;
}

static long xstate(enum __ptrace_request req, pid_t pid, struct iovec *iov)
{
	struct slot *s;
	unsigned char *tmp = NULL;
	struct iovec full;
	long rc = -1;
	int err = 0;

	pthread_mutex_lock(&lock);
	if (learn_area(pid) || iov->iov_len >= area) {
		pthread_mutex_unlock(&lock);
		return real_ptrace()(req, pid, (void *)(uintptr_t)NT_X86_XSTATE, iov);
	}
	if (req == PTRACE_GETREGSET) {
		s = slot_get(iov->iov_base, 1);
		if (!s)
			goto out_errno;
		rc = get_full(pid, s->full);
		if (rc == 0)
			memcpy(iov->iov_base, s->full, iov->iov_len);
		else
			err = errno;
		goto out;
	}
	s = slot_get(iov->iov_base, 0);
	if (!s) {
		/* never read into: start from the thread's current state */
		tmp = malloc(area);
		if (!tmp || get_full(pid, tmp))
			goto out_errno;
	}
	full.iov_base = s ? s->full : tmp;
	full.iov_len = area;
	memcpy(full.iov_base, iov->iov_base, iov->iov_len);
	rc = real_ptrace()(PTRACE_SETREGSET, pid, (void *)(uintptr_t)NT_X86_XSTATE, &full);
	if (rc)
		err = errno;
	goto out;
out_errno:
	err = errno ? errno : ENOMEM;
	rc = -1;
out:
	free(tmp);
	pthread_mutex_unlock(&lock);
	if (rc)
		errno = err;
	return rc;
}

long ptrace(enum __ptrace_request req, ...)
{
	va_list ap;
	pid_t pid;
	void *addr, *data;

	va_start(ap, req);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);
	if ((req == PTRACE_GETREGSET || req == PTRACE_SETREGSET) &&
	    (uintptr_t)addr == NT_X86_XSTATE && data)
		return xstate(req, pid, data);
	return real_ptrace()(req, pid, addr, data);
}
