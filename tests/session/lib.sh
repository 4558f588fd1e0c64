# Shared by the session tests: skips, bounded waits, and the kernel objects
# bpftool lists for a name.
# shellcheck shell=bash

WHISTLER=$1
SRC=$2
TMP=$(mktemp -d /tmp/whistler-session-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "not root: sessions load BPF"
command -v bpftool >/dev/null || skip "bpftool is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
# the kernel may refuse BPF (unprivileged container, lockdown): skip then
echo '(bpf:map probe :type :array :key-size 4 :value-size 4 :max-entries 1) (bpf:map-ref probe 0)' \
	>"$TMP/probe.lisp"
if ! "$WHISTLER" run "$TMP/probe.lisp" >"$TMP/probe.out" 2>&1; then
	grep -q "Operation not permitted\|Function not implemented" "$TMP/probe.out" &&
		skip "the kernel refuses BPF: $(head -1 "$TMP/probe.out")"
	cat "$TMP/probe.out" >&2
	fail "a trivial session does not run"
fi

# wait_for FILE REGEX [TENTHS]: until a line of FILE matches (default 30 s)
wait_for() {
	local n=${3:-300}
	while [ "$n" -gt 0 ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# ids KIND NAME: ids of the progs/maps named NAME; links: of the progs PROG_IDS
ids() {
	bpftool -j "$1" show 2>/dev/null | python3 -c '
import json, sys
kind, want = sys.argv[1], sys.argv[2:]
try:
    items = json.load(sys.stdin)
except ValueError:
    items = []
for it in items:
    if kind == "link":
        if str(it.get("prog_id")) in want:
            print(it["id"])
    elif it.get("name") in want:
        print(it["id"])
' "$1" "${@:2}"
}

# gone KIND ID...: true once none of the ids is listed (the kernel frees
# objects after their last fd closes, a little later)
gone() {
	local kind=$1 n=100
	shift
	[ $# -eq 0 ] && return 0
	while [ "$n" -gt 0 ]; do
		local left
		left=$(bpftool -j "$kind" show 2>/dev/null | python3 -c '
import json, sys
ids = set(sys.argv[1:])
try:
    items = json.load(sys.stdin)
except ValueError:
    items = []
print(" ".join(str(i["id"]) for i in items if str(i["id"]) in ids))
' "$@")
		[ -z "$left" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	echo "still there: $kind $left" >&2
	return 1
}
