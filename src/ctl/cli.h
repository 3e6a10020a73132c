/* The IOS exec command language of the control socket: the command table,
 * unique-prefix abbreviations (`sh cry isa sa`) and IOS's error messages
 * (% Ambiguous command, % Invalid input detected at '^' marker,
 * % Incomplete command). */
#ifndef IK_CTL_CLI_H
#define IK_CTL_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "util/addr.h"

#include "util/strbuf.h"

enum ik_cmd_id {
	IK_CMD_NONE = 0,
	IK_CMD_SHOW_ISAKMP_KEY,
	IK_CMD_SHOW_ISAKMP_PROFILE,
	IK_CMD_SHOW_ISAKMP_POLICY,
	IK_CMD_SHOW_ISAKMP_SA,
	IK_CMD_SHOW_ISAKMP_PEERS,
	IK_CMD_SHOW_ISAKMP_STATS,
	IK_CMD_SHOW_IPSEC_SA,
	IK_CMD_SHOW_SESSION,
	IK_CMD_SHOW_RUNNING,
	IK_CMD_SHOW_DEBUGGING,
	IK_CMD_TEST_PEER,
	IK_CMD_CHECK,
	IK_CMD_DEBUG,
	IK_CMD_UNDEBUG,
	IK_CMD_UNDEBUG_ALL,
	IK_CMD_TERMINAL_MONITOR,
	IK_CMD_TERMINAL_NO_MONITOR,
	IK_CMD_RELOAD,
	IK_CMD_RELOAD_FORCE,
	IK_CMD_INITIATE,
	IK_CMD_CLEAR_SESSION,
	IK_CMD_CLEAR_ISAKMP,
	IK_CMD_CLEAR_SA,
	IK_CMD_SHOW_ISAKMP_SA_KEYS,
	IK_CMD_SHOW_DEBUG_COND,
	IK_CMD_DEBUG_COND,
	IK_CMD_NO_DEBUG_COND,
	IK_CMD_SHOW_IPSEC_TSET,
	IK_CMD_SHOW_IPSEC_PROFILE,
	IK_CMD_SHOW_ISAKMP_DEFAULT_POLICY,
	IK_CMD_SHOW_ENGINE_CONNS,
	IK_CMD_SHOW_SESSION_BRIEF,
	IK_CMD_SHOW_IKEV2_PROPOSAL,
	IK_CMD_SHOW_IKEV2_POLICY,
	IK_CMD_SHOW_IKEV2_PROFILE,
	IK_CMD_TEST_IKEV2_PEER,
	IK_CMD_SHOW_PKI_CERTS,
	IK_CMD_SHOW_PKI_TRUSTPOINTS,
	IK_CMD_SHOW_IKEV2_PEER_STATS,
	IK_CMD_CLEAR_STATS,
	IK_CMD_SHOW_AUTHZ_LIST,
	IK_CMD_SHOW_CRYPTO_MAP,
	IK_CMD_SHOW_ACCESS_LISTS,
	IK_CMD_INITIATE_MAP,
	IK_CMD_CLEAR_SA_MAP,
	IK_CMD_SHOW_IKEV2_SA,
	IK_CMD_SHOW_IKEV2_SESSION,
	IK_CMD_SHOW_IKEV2_STATS,
	IK_CMD_CLEAR_IKEV2_SA,
	IK_CMD_SHOW_CRYPTO_ROUTE,
};

enum ik_cli_ident {
	IK_CLI_ID_NONE = 0, IK_CLI_ID_ADDR, IK_CLI_ID_FQDN, IK_CLI_ID_USER_FQDN,
	IK_CLI_ID_EMAIL, IK_CLI_ID_KEY_ID,
};

/* A parsed command: its id and its arguments. */
struct ik_cli_cmd {
	enum ik_cmd_id id;
	bool detail;            /* show crypto isakmp sa detail, ... detail */
	bool has_peer;
	uint32_t peer;          /* test isakmp peer A, clear ... remote/peer A */
	struct ik_addr peer_ip; /* the same, IPv4 or IPv6 (IPv6: test isakmp peer only) */
	struct ik_addr local_ip; /* test ... local A, IPv4 or IPv6 */
	struct ik_addr ident_ip; /* test ... identity A, IPv4 or IPv6 */
	char vrf[64];           /* test ... vrf V ("" = global) */
	uint32_t local;         /* test ... local A (0 = not given) */
	enum ik_cli_ident ident;
	uint32_t ident_addr;
	char ident_name[256];
	bool has_v2_local;
	uint32_t v2_local;      /* test ikev2 peer A local L */
	bool has_conn_id;
	unsigned conn_id;       /* clear crypto isakmp CONN-ID */
	char list[64];          /* show crypto authorization list NAME ("" = all) */
	char ifname[64];        /* initiate TunnelN, show crypto map interface IF */
	char name[64];          /* a crypto map or access list name ("" = none) */
	struct ik_addr flow_src, flow_dst; /* initiate map M SRC DST (IPv4 or IPv6) */
	unsigned dbg_cat;       /* debug crypto X: one IK_DBG_* bit */
};

/* Parses one command line. Returns 0, or -1 with IOS's error text in err
 * (the line echoed and a '^' under the bad word for invalid input). */
int ik_cli_parse(const char *line, struct ik_cli_cmd *cmd, struct ik_sb *err);

/* The full (unabbreviated) form of every command, one per line, for help. */
void ik_cli_list(struct ik_sb *out);

/* IOS '?' help for line, the text typed before the '?'. When line ends with
 * a blank: the possible next words, each with its one-line help, and <cr>
 * when the line is already a command. Else the keywords that start with the
 * partial last word. Returns 0, or -1 with IOS's error text in out. */
int ik_cli_help(const char *line, struct ik_sb *out);

/* Completions of the last (possibly empty) word of line: the keywords that
 * can follow the complete words, one per line. -1 if those do not match. */
int ik_cli_complete(const char *line, struct ik_sb *out);

/* The one-line help of a keyword by its path ("show crypto isakmp"), or NULL. */
const char *ik_cli_keyword_help(const char *path);
/* Lists the keywords of the table without help; true if there is one. */
bool ik_cli_help_missing(struct ik_sb *out);

#endif
