/* ikerctl: sends one IOS exec command to ikerd over its control socket and
 * prints the answer. Exit status: 0 the command ran, 1 the daemon refused it
 * (or ikerctl was used wrongly), 2 the daemon could not be reached. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "ctl/proto.h"
#include "pki/pki.h"
#include "util/util.h"

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
		"or, without ikerd: key-hash FILE  (the key hashes of a certificate or key file,\n"
		"  as an authorization list takes them)\n",
		DEFAULT_CTL);
}

/* key-hash FILE: the SHA-1 and SHA-256 hashes of the public key of a
 * certificate or key file, one line each in the form of an authorization
 * list's entries (`peer IDENTITY key-hash sha256 HEX`). Needs no daemon. */
static int key_hash(int argc, char **argv)
{
	char err[512], line[100];
	EVP_PKEY *pk;

	if (argc != 1) {
		fprintf(stderr, "ikerctl: usage: ikerctl key-hash FILE\n");
		return 1;
	}
	pk = ik_pki_load_pubkey_file(argv[0], err, sizeof(err));
	if (!pk) {
		fprintf(stderr, "ikerctl: %s\n", err);
		return 1;
	}
	printf("key-hash %s\n", ik_pki_key_hash_text(pk, IK_PKI_SHA1, line, sizeof(line)));
	printf("key-hash %s\n", ik_pki_key_hash_text(pk, IK_PKI_SHA256, line, sizeof(line)));
	EVP_PKEY_free(pk);
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

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

int main(int argc, char **argv)
{
	const char *path = DEFAULT_CTL;
	struct sockaddr_un sun;
	struct ik_sb cmd, frame;
	bool json = false;
	int i, fd, status = IK_CTL_ERROR, rc;

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
	if (i >= argc) {
		fprintf(stderr, "ikerctl: no command given\n");
		usage(stderr);
		return 1;
	}
	ik_sb_init(&cmd);
	for (; i < argc; i++) {
		ik_sb_add(&cmd, argv[i]);
		if (i + 1 < argc)
			ik_sb_add(&cmd, " ");
	}
	if (cmd.len + 1 > IK_CTL_MAX_REQ) {
		fprintf(stderr, "ikerctl: command of %zu bytes is over the limit of %u\n", cmd.len,
			IK_CTL_MAX_REQ - 1);
		ik_sb_free(&cmd);
		return 1;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ikerctl: socket path %s is longer than %zu bytes\n", path,
			sizeof(sun.sun_path) - 1);
		ik_sb_free(&cmd);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Ctrl-C ends terminal monitor, even when started in the background */
	signal(SIGINT, SIG_DFL);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "ikerctl: socket: %s\n", strerror(errno));
		ik_sb_free(&cmd);
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
		ik_sb_free(&cmd);
		return 2;
	}
	ik_sb_init(&frame);
	ik_ctl_request_encode(&frame, json, ik_sb_str(&cmd));
	ik_sb_free(&cmd);
	if (frame.oom || write_all(fd, frame.s, frame.len)) {
		fprintf(stderr, "ikerctl: sending the command to %s: %s\n", path, strerror(errno));
		ik_sb_free(&frame);
		close(fd);
		return 2;
	}
	ik_sb_free(&frame);
	rc = read_answer(fd, path, &status);
	if (rc == 1) {
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
