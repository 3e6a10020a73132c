/* MSS clamping for ip tcp adjust-mss through nftables (see mss.h). */
#include "vti/mss.h"

#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

void ik_mss_commands(const char *ifname, unsigned mss, struct ik_sb *out)
{
	static const char *const hook[2] = { "forward", "output" };
	static const char *const tag[2] = { "fwd", "out" };

	ik_sb_add(out, "add table ip " IK_MSS_TABLE "\n");
	for (int i = 0; i < 2; i++) {
		/* add then delete: removing a chain that is not there is no error */
		ik_sb_printf(out, "add chain ip " IK_MSS_TABLE " mss-%s-%s { type filter hook %s "
			     "priority mangle; policy accept; }\n", ifname, tag[i], hook[i]);
		if (!mss) {
			ik_sb_printf(out, "delete chain ip " IK_MSS_TABLE " mss-%s-%s\n", ifname,
				     tag[i]);
			continue;
		}
		ik_sb_printf(out, "flush chain ip " IK_MSS_TABLE " mss-%s-%s\n", ifname, tag[i]);
		ik_sb_printf(out, "add rule ip " IK_MSS_TABLE " mss-%s-%s oifname \"%s\" tcp flags "
			     "syn tcp option maxseg size > %u tcp option maxseg size set %u\n",
			     ifname, tag[i], ifname, mss, mss);
		if (i == 0)
			ik_sb_printf(out, "add rule ip " IK_MSS_TABLE " mss-%s-%s iifname \"%s\" "
				     "tcp flags syn tcp option maxseg size > %u tcp option maxseg "
				     "size set %u\n", ifname, tag[i], ifname, mss, mss);
	}
}

int ik_mss_run(const struct ik_log *log, const char *cmds, const char *what)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *err;
	int rc = -1;

	if (!nft) {
		ik_msg(log, IK_LOG_ERR, "%%IKERD-3-MSS: %s: cannot open nftables", what);
		return -1;
	}
	if (nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft)) {
		ik_msg(log, IK_LOG_ERR, "%%IKERD-3-MSS: %s: nftables buffers", what);
		goto out;
	}
	rc = nft_run_cmd_from_buffer(nft, cmds) ? -1 : 0;
	if (rc) {
		char line[512];
		size_t n;

		err = nft_ctx_get_error_buffer(nft);
		n = strcspn(err ? err : "", "\n");
		snprintf(line, sizeof(line), "%.*s", (int)n, err ? err : "");
		ik_msg(log, IK_LOG_ERR, "%%IKERD-3-MSS: %s: nftables refused: %s%s", what,
		       line[0] ? line : "(no message)",
		       strstr(line, "Operation not supported") ?
		       " (this kernel has no nf_tables for IPv4)" : "");
	}
out:
	nft_ctx_free(nft);
	return rc;
}

int ik_mss_apply(const struct ik_log *log, const char *ifname, unsigned mss, const char *what)
{
	struct ik_sb cmds;
	int rc;

	ik_sb_init(&cmds);
	ik_mss_commands(ifname, mss, &cmds);
	rc = ik_mss_run(log, ik_sb_str(&cmds), what);
	ik_sb_free(&cmds);
	return rc;
}

int ik_mss_flush(const struct ik_log *log)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;

	if (!nft)
		return 0;
	/* no table (or no nf_tables in this kernel): nothing of ours to remove */
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = nft_run_cmd_from_buffer(nft, "list table ip " IK_MSS_TABLE "\n");
	nft_ctx_free(nft);
	if (rc)
		return 0;
	return ik_mss_run(log, "delete table ip " IK_MSS_TABLE "\n",
			  "removing table ip " IK_MSS_TABLE);
}
