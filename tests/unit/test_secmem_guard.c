/* The secure-memory pool in AddressSanitizer builds: a write one byte past a
 * secret, or into a freed one, is reported (slots carry poisoned redzones),
 * while every byte that was asked for stays usable. Each write runs in a
 * child process that must die with ASan's report. Without ASan there is
 * nothing to observe: the program reports itself skipped (exit 77). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/secmem.h"

#include "util/asan.h"

#ifdef IK_ASAN
enum poke { POKE_INSIDE, POKE_PAST_RAW, POKE_PAST_SECRET, POKE_FREED };

static void poke(enum poke what)
{
	volatile uint8_t *a = ik_secmem_alloc(40);
	uint8_t *b = ik_secmem_alloc(40);
	struct ik_secret *s = ik_secret_new("cisco", 5);

	if (!a || !b || !s)
		_exit(3);
	switch (what) {
	case POKE_INSIDE:
		a[0] = 1;
		a[39] = 1;
		b[39] = 1;
		s->p[5] = 0; /* the NUL */
		break;
	case POKE_PAST_RAW:
		a[40] = 1; /* the slot is 64 bytes without redzones: nothing noticed */
		break;
	case POKE_PAST_SECRET:
		((volatile uint8_t *)s->p)[6] = 1;
		break;
	case POKE_FREED:
		ik_secmem_free(b, 40);
		((volatile uint8_t *)b)[20] = 1;
		break;
	}
	_exit(0);
}

/* Runs poke(what) in a child; returns its exit status and ASan's text. */
static int run_child(enum poke what, char *out, size_t cap)
{
	int fd[2], st = 0;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], 2);
		poke(what);
	}
	close(fd[1]);
	while (n + 1 < cap && (r = read(fd[0], out + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char report[65536];

START_TEST(inside_is_usable)
{
	ck_assert_int_eq(run_child(POKE_INSIDE, report, sizeof(report)), 0);
}
END_TEST

START_TEST(overflow_is_caught)
{
	static const enum poke w[] = { POKE_PAST_RAW, POKE_PAST_SECRET, POKE_FREED };
	int rc = run_child(w[_i], report, sizeof(report));

	ck_assert_msg(rc != 0, "the write past the allocation went unnoticed");
	ck_assert_msg(strstr(report, "use-after-poison") != NULL, "no ASan report: %s", report);
}
END_TEST
#endif

int main(void)
{
#ifdef IK_ASAN
	Suite *s = suite_create("secmem_guard");
	TCase *tc = tcase_create("redzones");
	SRunner *sr;
	int failed;

	ik_secmem_init();
	tcase_add_test(tc, inside_is_usable);
	tcase_add_loop_test(tc, overflow_is_caught, 0, 3);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
#else
	printf("secmem_guard: not an AddressSanitizer build, skipped\n");
	return 77;
#endif
}
