/* Fuzz target of the configuration parser: any bytes are parsed as an
 * ikerd.conf; what parses is printed, the print must parse again and print
 * the same text, and everything is freed (ASan/LSan check the rest). The
 * authorization lists of what parses are shown and checked (rule AZ). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/model.h"
#include "daemon/show_conf.h"
#include "profile/check_authz.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A finding of rule AZ: it names a line of the file and says why. */
static void az_finding(void *ctx, struct ik_check_item *it)
{
	(void)ctx;
	if (!it->message || !it->message[0] || it->nlines < 1 || it->line[0] < 1)
		abort();
	for (int i = 0; i < it->nlines; i++)
		free(it->what[i]);
	free(it->message);
	free(it->direction);
	free(it->fix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ik_conf_error err;
	struct ik_config *cfg, *again;
	struct ik_sb one, two;
	char *text, msg[2048];

	if (size > 1024 * 1024)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cfg = ik_config_load_string(text, "fuzz", &err);
	free(text);
	if (!cfg) {
		size_t tl = strnlen(err.text, sizeof(err.text));

		ik_conf_error_format(&err, msg, sizeof(msg));
		/* an error names a place inside the text it shows, and says why */
		if (!err.msg[0] || err.line < 0 || err.col < 0 ||
		    (err.col > 0 && (err.line == 0 || (tl < sizeof(err.text) - 1 &&
						       (size_t)err.col > tl + 2)))) {
			fprintf(stderr, "error out of place:\n%s", msg);
			abort();
		}
		return 0;
	}
	ik_sb_init(&one);
	ik_sb_init(&two);
	ik_config_print(cfg, &one);
	again = ik_config_load_string(ik_sb_str(&one), "print", &err);
	if (!again) {
		ik_conf_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "the print of a parsed config does not parse:\n%s\n%s", msg,
			ik_sb_str(&one));
		abort();
	}
	ik_config_print(again, &two);
	if (strcmp(ik_sb_str(&one), ik_sb_str(&two))) {
		fprintf(stderr, "print differs after a round trip:\n%s\n----\n%s", ik_sb_str(&one),
			ik_sb_str(&two));
		abort();
	}
	ik_sb_reset(&two);
	ik_show_authz_list(cfg, NULL, true, &two);
	ik_show_authz_list(cfg, NULL, false, &two);
	ik_check_authz(cfg, az_finding, NULL);
	ik_config_unref(again);
	ik_config_unref(cfg);
	ik_sb_free(&one);
	ik_sb_free(&two);
	return 0;
}
