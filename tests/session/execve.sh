#!/bin/bash
# examples/execve-count.lisp under `whistler run`: the printed counts grow
# while this script runs commands; Ctrl-C ends it cleanly; its program, map
# and link are in the kernel while it runs and gone after.
# usage: execve.sh WHISTLER SOURCE_DIR
. "$(dirname "$0")/lib.sh"

"$WHISTLER" run "$SRC/examples/execve-count.lisp" 0.2 >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_for "$TMP/out" "Counting execve" || { cat "$TMP/err" >&2; fail "the session did not start"; }

progs=$(ids prog count_execve)
maps=$(ids map execve_counts)
# shellcheck disable=SC2086
links=$(ids link $progs)
[ -n "$progs" ] || fail "no program count_execve in the kernel while the session runs"
[ -n "$maps" ] || fail "no map execve_counts in the kernel while the session runs"
[ -n "$links" ] || fail "no link of count_execve in the kernel while the session runs"

# run commands until three counts were printed, each larger than the last
increasing=0
for _ in $(seq 200); do
	/bin/true
	increasing=$(grep -o 'execve count: [0-9]*' "$TMP/out" | awk '{print $3}' |
		awk 'NR > 1 && $1 > prev { n++ } { prev = $1 } END { print n + 0 }')
	[ "$increasing" -ge 2 ] && break
	sleep 0.05
done
kill -INT "$pid"
wait "$pid"
rc=$?
cat "$TMP/out"
[ "$rc" -eq 0 ] || { cat "$TMP/err" >&2; fail "exit status $rc after Ctrl-C (the handler-case should end it normally)"; }
[ "$increasing" -ge 2 ] || fail "expected at least two increases of the count"
grep -q "^Detached after [0-9]* execve() calls.$" "$TMP/out" || fail "no 'Detached' line after Ctrl-C"
[ -s "$TMP/err" ] && { cat "$TMP/err" >&2; fail "unexpected output on stderr"; }
# shellcheck disable=SC2086
gone prog $progs || fail "program count_execve left in the kernel"
# shellcheck disable=SC2086
gone map $maps || fail "map execve_counts left in the kernel"
# shellcheck disable=SC2086
gone link $links || fail "link of count_execve left in the kernel"
echo "PASS: $increasing increases; prog $progs, map $maps, link $links gone"
