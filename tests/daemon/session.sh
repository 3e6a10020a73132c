#!/bin/sh
# ikerctl as a router CLI on a terminal (tmux): the ikerd# prompt, '?' help
# while typing, TAB completion, a command answered by ikerd, history (Up),
# and exit. Then the bash completion script, which asks ikerctl itself.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/daemon/lib.sh"
need_netns
command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed"; exit 77; }
grep -q '^#define HAVE_LIBEDIT 1' "$top_builddir/config.h" || {
	echo "SKIP: built without libedit (no line editing to test)"
	exit 77
}

run="$tmp/run"
ctl="$run/ctl"
cp "$top_srcdir/tests/daemon/r1.conf" "$tmp/r1.conf"
unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$IKERD" -d --kernel none --passive \
	--ctl "$ctl" --pid "$run/pid" -f "$tmp/r1.conf" 2>"$tmp/r1.err" &
pid=$!
pids="$pids $pid"
wait_for_socket "$ctl" "$pid" || fail "ikerd did not create $ctl"

sock="$tmp/tmux.sock"
t() { tmux -S "$sock" "$@"; }
# screen_has TEXT: until the pane shows TEXT (at most 5 s)
screen_has() {
	n=0
	while ! t capture-pane -p -t s 2>/dev/null | grep -qF -- "$1"; do
		[ $n -ge 50 ] && return 1
		sleep 0.1
		n=$((n + 1))
	done
}
# the tmux server is ours: stopped in the trap with the daemon
t new-session -d -s s -x 150 -y 50 "env HOME=$tmp $IKERCTL --ctl $ctl" \
	|| fail "tmux cannot start"
tpid=$(t display-message -p -t s '#{pid}')
pids="$pids $tpid"
screen_has "ikerd#" || fail "no ikerd# prompt: $(t capture-pane -p -t s)"

# '?' right after the words: the choices with help, the line kept
t send-keys -t s "show crypto isakmp ?"
screen_has "  sa       Show ISAKMP Security Associations" \
	|| fail "no help after ?: $(t capture-pane -p -t s)"
screen_has "  key      Show ISAKMP preshared keys" || fail "help lacks key"
# TAB completes the unique word; Enter runs it through ikerd
t send-keys -t s "ke" Tab Enter
screen_has "keyring1    198.51.100.2" || fail "command not run: $(t capture-pane -p -t s)"
screen_has "ikerd#show crypto isakmp key" || fail "TAB did not complete: $(t capture-pane -p -t s)"
# a partial word and '?': the keywords that start so
t send-keys -t s "sh cry i?"
screen_has "ipsec  isakmp" || fail "partial-word help: $(t capture-pane -p -t s)"
t send-keys -t s C-u
# history: Up brings back the last command
t send-keys -t s Up
screen_has "ikerd#show crypto isakmp key" || fail "history: $(t capture-pane -p -t s)"
t send-keys -t s C-u "exit" Enter
n=0
while t has-session -t s 2>/dev/null; do
	[ $n -ge 50 ] && fail "exit did not end the session"
	sleep 0.1
	n=$((n + 1))
done
grep -q "show.*crypto.*isakmp.*key" "$tmp/.ikerctl_history" \
	|| fail "history file not written: $(ls -la "$tmp")"

# the bash completion: words from ikerctl complete
if [ -f /usr/share/bash-completion/bash_completion ]; then
	comp() { # the words offered after the command line $1
		PATH="$top_builddir:$PATH" bash -c '
			. /usr/share/bash-completion/bash_completion
			. "$1/service/bash-completion/ikerctl"
			COMP_LINE=$2 COMP_POINT=${#2}
			read -r -a COMP_WORDS <<<"$2"
			[ "${2% }" != "$2" ] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			_ikerctl ikerctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
			printf "%s\n" "${COMPREPLY[@]}"' _ "$top_srcdir" "$1"
	}
	want="authorization debug-condition engine ikev2 ipsec isakmp map pki route session "
	[ "$(comp "ikerctl sh cry " | tr '\n' ' ')" = "$want" ] \
		|| fail "bash completion after 'sh cry': $(comp "ikerctl sh cry ")"
	[ "$(comp "ikerctl --json show crypto isakmp p" | tr '\n' ' ')" = "peers policy profile " ] \
		|| fail "bash completion with --json: $(comp "ikerctl --json show crypto isakmp p")"
	[ "$(comp "ikerctl --ctl /x te" | tr '\n' ' ')" = "terminal test " ] \
		|| fail "bash completion after --ctl: $(comp "ikerctl --ctl /x te")"
else
	echo "note: bash-completion is not installed; the completion script is not run"
fi
echo "PASS: interactive ikerctl (prompt, ?, TAB, history, exit) and bash completion"
