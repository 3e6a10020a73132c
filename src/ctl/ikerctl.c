/* ikerctl: sends one IOS exec command to ikerd over its control socket and
 * prints the answer. A command ending in '?' prints IOS's help from the
 * command table instead (no daemon needed); without a command on a terminal
 * it is an interactive exec session (line editing, history, '?' and TAB).
 * Exit status: 0 the command ran, 1 the daemon refused it (or ikerctl was
 * used wrongly), 2 the daemon could not be reached. */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "ctl/cli.h"
#include "ctl/proto.h"
#include "pki/keyhash.h"
#include "pki/pki.h"
#include "util/addr.h"
#include "util/util.h"

#ifdef HAVE_LIBEDIT
#include <histedit.h>
#endif

#define DEFAULT_CTL RUNSTATEDIR "/ikerd/ikerd.ctl"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ikerctl [--ctl PATH] [--json] COMMAND...\n"
		"  --ctl PATH  control socket of ikerd (default %s)\n"
		"  --json      ask for one JSON document instead of IOS text\n"
		"  -h, --help  this text;  --version  the version\n"
		"COMMAND is an IOS exec command, abbreviations allowed, e.g.\n"
		"  ikerctl sh cry isa sa;  ikerctl show crypto isakmp key;  ikerctl terminal monitor\n"
		"or, without ikerd: key-hash FILE [sha256|sha1] [IDENTITY]  (the authorization\n"
		"  list lines that pin the key of a certificate or key file)\n"
		"A command ending in '?' lists what may follow, with help (quote it for the shell:\n"
		"  ikerctl show crypto isakmp '?');  without COMMAND on a terminal: an interactive\n"
		"session with the prompt ikerd# (exit or end to leave).\n",
		DEFAULT_CTL);
}

/* key-hash FILE [sha256|sha1] [IDENTITY]: the authorization list lines that
 * pin the public key of a certificate or key file, to be copied into the
 * list (pki/keyhash.h). IDENTITY: fqdn NAME, email ADDR, address A, dn TEXT
 * (the rest of the words) or any. Needs no daemon. */
static int key_hash(int argc, char **argv)
{
	static const char use[] = "ikerctl: usage: ikerctl key-hash FILE [sha256|sha1] "
				  "[fqdn NAME | email ADDR | address A | dn TEXT | any]\n";
	struct ik_authlist_peer id = { 0 };
	enum ik_authl_alg alg = IK_AUTHL_SHA256;
	char err[512], dn[1024] = "";
	bool given = false, any;
	struct ik_sb out;
	int i = 1, n;

	if (argc < 1) {
		fputs(use, stderr);
		return 1;
	}
	if (i < argc && (!strcmp(argv[i], "sha1") || !strcmp(argv[i], "sha256")))
		alg = !strcmp(argv[i++], "sha1") ? IK_AUTHL_SHA1 : IK_AUTHL_SHA256;
	if (i < argc) {
		given = true;
		if (!strcmp(argv[i], "any") && i + 1 == argc) {
			id.kind = IK_AUTHL_ANY;
		} else if ((!strcmp(argv[i], "fqdn") || !strcmp(argv[i], "email")) &&
			   i + 2 == argc && !strpbrk(argv[i + 1], " \t\"!")) {
			id.kind = argv[i][0] == 'f' ? IK_AUTHL_FQDN : IK_AUTHL_EMAIL;
			id.value = argv[i + 1];
		} else if (!strcmp(argv[i], "address") && i + 2 == argc &&
			   !ik_addr_parse_any(argv[i + 1], &id.addr)) {
			id.kind = IK_AUTHL_ADDRESS;
		} else if (!strcmp(argv[i], "dn") && i + 1 < argc) {
			for (int k = i + 1; k < argc; k++)
				snprintf(dn + strlen(dn), sizeof(dn) - strlen(dn), "%s%s",
					 k > i + 1 ? " " : "", argv[k]);
			if (strchr(dn, '"')) {
				fprintf(stderr, "ikerctl: a DN with '\"' cannot be "
					"written in a list\n");
				return 1;
			}
			id.kind = IK_AUTHL_DN;
			id.value = dn;
		} else {
			fputs(use, stderr);
			return 1;
		}
	}
	ik_sb_init(&out);
	n = ik_keyhash_lines(argv[0], alg, given ? &id : NULL, &out, &any, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "ikerctl: %s\n", err);
		ik_sb_free(&out);
		return 1;
	}
	fputs(ik_sb_str(&out), stdout);
	if (any)
		fprintf(stderr, "ikerctl: %s names no identity: `peer any` accepts this key for "
			"every identity; give one (fqdn NAME, email ADDR, address A, dn TEXT) to "
			"pin it to a peer\n", argv[0]);
	ik_sb_free(&out);
	return 0;
}

/* Set by Ctrl-C in the interactive session: ends terminal monitor. */
static volatile sig_atomic_t interrupted;

static int read_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR && interrupted)
			return 1;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? 1 : -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Reads one answer frame: 0 with *status and the text printed, 1 at end of
 * stream, -1 on error (message printed). */
static int read_answer(int fd, const char *path, int *status)
{
	uint8_t hdr[IK_CTL_HDR], *buf;
	int rc;

	rc = read_all(fd, hdr, sizeof(hdr));
	if (rc == 1)
		return 1;
	if (rc) {
		fprintf(stderr, "ikerctl: reading the answer from %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t len = ik_get32(hdr);
	if (len > IK_CTL_MAX_ANSWER || len < 1) {
		fprintf(stderr, "ikerctl: bad answer from %s: frame length %zu outside 1..%u\n",
			path, len, IK_CTL_MAX_ANSWER);
		return -1;
	}
	buf = malloc(len);
	if (!buf) {
		fprintf(stderr, "ikerctl: out of memory for an answer of %zu bytes\n", len);
		return -1;
	}
	rc = read_all(fd, buf, len);
	if (rc) {
		fprintf(stderr, "ikerctl: answer from %s cut short (%zu bytes announced)\n", path,
			len);
		free(buf);
		return -1;
	}
	*status = buf[0];
	fwrite(buf + 1, 1, len - 1, buf[0] == IK_CTL_ERROR ? stderr : stdout);
	fflush(stdout);
	free(buf);
	return 0;
}

/* Sends one command and prints the answer: the exit status of ikerctl. */
static int run_command(const char *path, bool json, const char *text)
{
	struct sockaddr_un sun;
	struct ik_sb frame;
	int fd, status = IK_CTL_ERROR, rc;

	if (strlen(text) + 1 > IK_CTL_MAX_REQ) {
		fprintf(stderr, "ikerctl: command of %zu bytes is over the limit of %u\n",
			strlen(text), IK_CTL_MAX_REQ - 1);
		return 1;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ikerctl: socket path %s is longer than %zu bytes\n", path,
			sizeof(sun.sun_path) - 1);
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "ikerctl: socket: %s\n", strerror(errno));
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		fprintf(stderr, "ikerctl: cannot reach ikerd at %s: %s (%s)\n", path, strerror(e),
			e == EACCES || e == EPERM ? "the control socket is root-only"
						  : "is ikerd running? start it with ikerd -f FILE");
		close(fd);
		return 2;
	}
	ik_sb_init(&frame);
	ik_ctl_request_encode(&frame, json, text);
	if (frame.oom || ik_write_all(fd, frame.s, frame.len)) {
		fprintf(stderr, "ikerctl: sending the command to %s: %s\n", path, strerror(errno));
		ik_sb_free(&frame);
		close(fd);
		return 2;
	}
	ik_sb_free(&frame);
	rc = read_answer(fd, path, &status);
	if (rc == 1) {
		if (interrupted) {
			close(fd);
			return 1;
		}
		fprintf(stderr, "ikerctl: ikerd at %s closed the connection without answering\n",
			path);
		close(fd);
		return 2;
	}
	if (rc < 0) {
		close(fd);
		return 2;
	}
	/* terminal monitor: print the streamed lines until ikerd or the user ends it */
	while (status == IK_CTL_MONITOR) {
		rc = read_answer(fd, path, &status);
		if (rc) {
			close(fd);
			return rc == 1 ? 0 : 2;
		}
	}
	close(fd);
	return status == IK_CTL_OK ? 0 : 1;
}

/* IOS help for a line ending in '?' (the '?' removed): printed, exit status. */
static int help_command(const char *line)
{
	struct ik_sb out;
	int rc;

	ik_sb_init(&out);
	rc = ik_cli_help(line, &out);
	fputs(ik_sb_str(&out), rc ? stderr : stdout);
	ik_sb_free(&out);
	return rc ? 1 : 0;
}

/* One line of the interactive session; false when the user leaves. */
static bool session_line(const char *path, bool json, char *line)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		line[--n] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line)
		return true;
	if (!strcmp(line, "exit") || !strcmp(line, "end") || !strcmp(line, "quit") ||
	    !strcmp(line, "logout"))
		return false;
	if (line[strlen(line) - 1] == '?') {
		line[strlen(line) - 1] = '\0';
		help_command(line);
		return true;
	}
	interrupted = 0;
	run_command(path, json, line);
	interrupted = 0;
	return true;
}

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

#ifdef HAVE_LIBEDIT
static const char *session_prompt(EditLine *el)
{
	(void)el;
	return "ikerd#";
}

/* The line from its start to the cursor, NUL-terminated, in buf. */
static void line_to_cursor(EditLine *el, char *buf, size_t len)
{
	const LineInfo *li = el_line(el);
	size_t n = (size_t)(li->cursor - li->buffer);

	if (n >= len)
		n = len - 1;
	memcpy(buf, li->buffer, n);
	buf[n] = '\0';
}

/* '?': the help for what is typed so far; the line stays as it was. */
static unsigned char session_help(EditLine *el, int ch)
{
	char line[1024];

	(void)ch;
	line_to_cursor(el, line, sizeof(line));
	printf("?\n");
	fflush(stdout);
	help_command(line);
	fflush(stderr);
	return CC_REDISPLAY;
}

/* TAB: completes the word as far as it is unique; lists the choices when
 * it is not. */
static unsigned char session_complete(EditLine *el, int ch)
{
	char line[1024], common[128] = "";
	const char *partial, *p;
	struct ik_sb out;
	size_t n = 0, plen;

	(void)ch;
	line_to_cursor(el, line, sizeof(line));
	partial = strrchr(line, ' ');
	partial = partial ? partial + 1 : line;
	plen = strlen(partial);
	ik_sb_init(&out);
	if (ik_cli_complete(line, &out) || !out.len) {
		ik_sb_free(&out);
		return CC_REFRESH_BEEP;
	}
	for (p = ik_sb_str(&out); *p; n++) {
		size_t wl = strcspn(p, "\n"), k = 0;

		if (n == 0) {
			snprintf(common, sizeof(common), "%.*s", (int)wl, p);
		} else {
			while (common[k] && k < wl && common[k] == p[k])
				k++;
			common[k] = '\0';
		}
		p += wl + (p[wl] == '\n');
	}
	if (strlen(common) > plen) {
		el_insertstr(el, common + plen);
		if (n == 1)
			el_insertstr(el, " ");
		ik_sb_free(&out);
		return CC_REFRESH;
	}
	printf("\n%s", ik_sb_str(&out));
	fflush(stdout);
	ik_sb_free(&out);
	return CC_REDISPLAY;
}

static int session(const char *path, bool json, const char *argv0)
{
	EditLine *el = el_init(argv0, stdin, stdout, stderr);
	History *hist = history_init();
	HistEvent ev;
	char histfile[4096] = "";
	const char *home = getenv("HOME");

	if (!el || !hist) {
		fprintf(stderr, "ikerctl: cannot start line editing\n");
		if (el)
			el_end(el);
		if (hist)
			history_end(hist);
		return 1;
	}
	history(hist, &ev, H_SETSIZE, 1000);
	history(hist, &ev, H_SETUNIQUE, 1);
	if (home && home[0] &&
	    (size_t)snprintf(histfile, sizeof(histfile), "%s/.ikerctl_history", home) <
		    sizeof(histfile))
		history(hist, &ev, H_LOAD, histfile);
	else
		histfile[0] = '\0';
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_PROMPT, session_prompt);
	el_set(el, EL_HIST, history, hist);
	el_set(el, EL_ADDFN, "ikerctl-help", "IOS help for the line so far", session_help);
	el_set(el, EL_ADDFN, "ikerctl-complete", "complete the word", session_complete);
	el_set(el, EL_BIND, "?", "ikerctl-help", NULL);
	el_set(el, EL_BIND, "^I", "ikerctl-complete", NULL);
	el_source(el, NULL);
	for (;;) {
		int count = 0;
		const char *got = el_gets(el, &count);
		char line[IK_CTL_MAX_REQ];

		if (!got || count <= 0) {
			if (interrupted) { /* Ctrl-C at the prompt: a fresh line */
				interrupted = 0;
				printf("\n");
				continue;
			}
			printf("\n");
			break;
		}
		snprintf(line, sizeof(line), "%s", got);
		line[strcspn(line, "\r\n")] = '\0';
		if (strspn(line, " \t") != strlen(line))
			history(hist, &ev, H_ENTER, line);
		if (!session_line(path, json, line))
			break;
	}
	if (histfile[0])
		history(hist, &ev, H_SAVE, histfile);
	history_end(hist);
	el_end(el);
	return 0;
}
#else
static int session(const char *path, bool json, const char *argv0)
{
	char line[4096];

	(void)argv0;
	for (;;) {
		fputs("ikerd#", stdout);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin)) {
			if (interrupted && !feof(stdin)) {
				interrupted = 0;
				clearerr(stdin);
				printf("\n");
				continue;
			}
			printf("\n");
			return 0;
		}
		if (!session_line(path, json, line))
			return 0;
	}
}
#endif

int main(int argc, char **argv)
{
	const char *path = DEFAULT_CTL;
	struct ik_sb cmd;
	bool json = false, complete = false;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ctl")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "ikerctl: --ctl needs a socket path\n");
				return 1;
			}
			path = argv[++i];
		} else if (!strncmp(argv[i], "--ctl=", 6)) {
			path = argv[i] + 6;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("ikerctl %s\n", PACKAGE_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "ikerctl: unknown option %s (see ikerctl --help)\n", argv[i]);
			return 1;
		} else {
			break;
		}
	}
	if (i < argc && !strcmp(argv[i], "key-hash"))
		return key_hash(argc - i - 1, argv + i + 1);
	signal(SIGPIPE, SIG_IGN);
	if (i >= argc) {
		struct sigaction sa;

		if (!isatty(0) || !isatty(1)) {
			fprintf(stderr, "ikerctl: no command given\n");
			usage(stderr);
			return 1;
		}
		/* Ctrl-C ends terminal monitor or the line, not the session */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigaction(SIGINT, &sa, NULL);
		return session(path, json, argv[0]);
	}
	/* ikerctl complete [--] WORDS... : the completions of the last word, for
	 * the bash completion (hidden: not an IOS command) */
	if (!strcmp(argv[i], "complete")) {
		complete = true;
		i++;
		if (i < argc && !strcmp(argv[i], "--"))
			i++;
	}
	ik_sb_init(&cmd);
	for (int k = i; k < argc; k++) {
		ik_sb_add(&cmd, argv[k]);
		if (k + 1 < argc)
			ik_sb_add(&cmd, " ");
	}
	if (cmd.oom) {
		fprintf(stderr, "ikerctl: out of memory\n");
		ik_sb_free(&cmd);
		return 1;
	}
	if (complete) {
		struct ik_sb out;

		ik_sb_init(&out);
		rc = ik_cli_complete(ik_sb_str(&cmd), &out) ? 1 : 0;
		fputs(ik_sb_str(&out), stdout);
		ik_sb_free(&out);
	} else if (cmd.len && cmd.s[cmd.len - 1] == '?') {
		cmd.s[--cmd.len] = '\0';
		rc = help_command(ik_sb_str(&cmd));
	} else {
		/* Ctrl-C ends terminal monitor, even when started in the background */
		signal(SIGINT, SIG_DFL);
		rc = run_command(path, json, ik_sb_str(&cmd));
	}
	ik_sb_free(&cmd);
	return rc;
}
