/* ip tcp adjust-mss N on a tunnel: the kernel clamps the MSS option of TCP
 * SYNs crossing the tunnel's link, through nftables. ikerd owns one table,
 * "ip ikerd", and in it two base chains per tunnel link ("mss-LINK-fwd" on
 * the forward hook, "mss-LINK-out" on output, priority mangle), each with
 * one rule: a SYN leaving or entering LINK with an MSS above N gets N, as
 * IOS does. tunnel_up makes them, tunnel_down removes them, flush_owned and
 * shutdown delete the table. The ruleset text is built here and handed to
 * libnftables (nft's own library, in-process). */
#ifndef IK_VTI_MSS_H
#define IK_VTI_MSS_H

#include "util/log.h"
#include "util/strbuf.h"

#define IK_MSS_TABLE "ikerd"

/* The nft commands that set (mss > 0) or remove (mss 0) the clamp of link
 * ifname, appended to out; what tunnel_up and tunnel_down send. */
void ik_mss_commands(const char *ifname, unsigned mss, struct ik_sb *out);
/* Runs nft commands; 0, or -1 with nft's error text logged (what names the
 * object, e.g. "ip tcp adjust-mss 1360 on Tunnel1"). */
int ik_mss_run(const struct ik_log *log, const char *cmds, const char *what);
/* Sets (mss > 0) or removes (0) the clamp on ifname. */
int ik_mss_apply(const struct ik_log *log, const char *ifname, unsigned mss, const char *what);
/* Deletes ikerd's table, if there is one (flush_owned, shutdown). */
int ik_mss_flush(const struct ik_log *log);

#endif
