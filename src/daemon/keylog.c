/* Wireshark's decryption tables from the daemon: show crypto isakmp sa keys
 * (every SA of every worker, on demand) and ikerd --keylog DIR, which
 * appends one row per new ISAKMP SA and per new IPsec SA direction to
 * DIR/ikev1_decryption_table and DIR/esp_sa, the files Wireshark reads from
 * its configuration directory: WIRESHARK_CONFIG_DIR=DIR tshark -r CAPTURE
 * decrypts. The rows are secrets; the files are created 0600 in a 0700
 * directory, and the control socket that shows them is root-only. */
#include "daemon/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ike/keylog.h"
#include "util/util.h"

static const char *const table_names[2] = { "ikev1_decryption_table", "esp_sa" };

/* ESP decryption is off in Wireshark by default: the directory's preferences
 * switch it on, unless the user keeps a preferences file there already. */
static const char prefs[] =
	"# written by ikerd --keylog: decrypt ESP with the esp_sa table\n"
	"esp.enable_encryption_decode: TRUE\n"
	"esp.enable_authentication_check: TRUE\n";

int ikd_keylog_open(struct ikd *d, const char *dir, struct ik_sb *err)
{
	char path[4096];
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		ik_sb_printf(err, "--keylog: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		ik_sb_printf(err, "--keylog: %s is not a directory\n", dir);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, table_names[i]) >=
		    sizeof(path)) {
			ik_sb_printf(err, "--keylog: directory name too long\n");
			return -1;
		}
		d->keylog_fd[i] = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
				       0600);
		if (d->keylog_fd[i] < 0) {
			ik_sb_printf(err, "--keylog: cannot open %s: %s\n", path, strerror(errno));
			ikd_keylog_close(d);
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/preferences", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		if (ik_write_all(fd, prefs, sizeof(prefs) - 1))
			ik_msg(&d->log, IK_LOG_WARNING, "%%IKERD-4-KEYLOG: writing %s: %s", path,
			       strerror(errno));
		close(fd);
	}
	ik_msg(&d->log, IK_LOG_WARNING, "%%IKERD-4-KEYLOG: writing the decryption keys of every "
	       "new SA to %s: whoever reads them can read and forge this router's IPsec "
	       "traffic", dir);
	return 0;
}

void ikd_keylog_close(struct ikd *d)
{
	for (int i = 0; i < 2; i++) {
		if (d->keylog_fd[i] >= 0)
			close(d->keylog_fd[i]);
		d->keylog_fd[i] = -1;
	}
}

/* One row, one write(2): O_APPEND keeps rows of several workers whole. */
static void keylog_append(struct ikd *d, int which, struct ik_sb *row)
{
	if (row->oom || !row->len)
		return;
	if (ik_write_all(d->keylog_fd[which], row->s, row->len))
		ik_msg(&d->log, IK_LOG_ERR, "%%IKERD-3-KEYLOG: writing %s: %s",
		       table_names[which], strerror(errno));
}

void ikd_keylog_p1(struct ikd *d, const uint8_t cky_i[8], const uint8_t *key, size_t len)
{
	struct ik_sb row;

	if (d->keylog_fd[0] < 0)
		return;
	ik_sb_init(&row);
	ik_keylog_ikev1(&row, cky_i, key, len, false);
	keylog_append(d, 0, &row);
	ik_sb_free(&row);
}

void ikd_keylog_child(struct ikd *d, const struct ik_child_sa *c)
{
	struct ik_sb row;

	if (d->keylog_fd[1] < 0)
		return;
	ik_sb_init(&row);
	ik_keylog_esp(&row, c, true, false);
	ik_keylog_esp(&row, c, false, false);
	keylog_append(d, 1, &row);
	ik_sb_free(&row);
}

struct keys_arg {
	bool json;
	struct ik_sb ikev1, esp;
};

static void task_keys(struct ikd_worker *w, void *arg)
{
	struct keys_arg *a = arg;

	ik_engine_keys(w->eng, &a->ikev1, &a->esp, a->json);
}

void ikd_keylog_show(struct ikd *d, bool json, struct ik_sb *out)
{
	struct keys_arg a[IKD_MAX_WORKERS];
	bool first[2] = { true, true };

	for (unsigned k = 0; k < d->nworkers; k++) {
		a[k].json = json;
		ik_sb_init(&a[k].ikev1);
		ik_sb_init(&a[k].esp);
		ikd_worker_run(&d->workers[k], task_keys, &a[k]);
	}
	if (json) {
		ik_sb_add(out, "{\"ikev1_decryption_table\":[");
		for (unsigned k = 0; k < d->nworkers; k++)
			if (a[k].ikev1.len) {
				ik_sb_printf(out, "%s%s", first[0] ? "" : ",", ik_sb_str(&a[k].ikev1));
				first[0] = false;
			}
		ik_sb_add(out, "],\"esp_sa\":[");
		for (unsigned k = 0; k < d->nworkers; k++)
			if (a[k].esp.len) {
				ik_sb_printf(out, "%s%s", first[1] ? "" : ",", ik_sb_str(&a[k].esp));
				first[1] = false;
			}
		ik_sb_add(out, "]}\n");
	} else {
		ik_sb_add(out, "# ikev1_decryption_table (Wireshark: ISAKMP, IKEv1 Decryption "
			  "Table)\n# initiator's cookie, encryption key\n");
		for (unsigned k = 0; k < d->nworkers; k++)
			ik_sb_add(out, ik_sb_str(&a[k].ikev1));
		ik_sb_add(out, "# esp_sa (Wireshark: ESP, ESP SAs)\n# protocol, source, "
			  "destination, SPI, encryption, key, authentication, key\n");
		for (unsigned k = 0; k < d->nworkers; k++)
			ik_sb_add(out, ik_sb_str(&a[k].esp));
	}
	for (unsigned k = 0; k < d->nworkers; k++) {
		ik_sb_free(&a[k].ikev1);
		ik_sb_free(&a[k].esp);
	}
}
