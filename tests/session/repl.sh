#!/bin/bash
# `whistler repl` with forms piped in: a map and a getppid() counter are
# defined and attached; redefining the program detaches the old version,
# reloads and re-attaches the new one while the map keeps its counts;
# redefining the map gives a new, empty one.  Nothing is left after.
# usage: repl.sh WHISTLER SOURCE_DIR
. "$(dirname "$0")/lib.sh"

cat >"$TMP/forms" <<'LISP'
(defconstant +me+ (sb-posix:getpid))
(bpf:map wrepl-cnt :type :array :key-size 4 :value-size 8 :max-entries 2)
(bpf:prog wrepl-tick (:type :tracepoint :section "tracepoint/syscalls/sys_enter_getppid")
  (when (= (>> (get-current-pid-tgid) 32) +me+)
    (incf (getmap wrepl-cnt 0)))
  0)
(bpf:attach wrepl-tick)
(dotimes (i 3) (sb-posix:getppid))
(bpf:map-ref wrepl-cnt 0)
(bpf:prog wrepl-tick (:type :tracepoint :section "tracepoint/syscalls/sys_enter_getppid")
  (when (= (>> (get-current-pid-tgid) 32) +me+)
    (incf (getmap wrepl-cnt 1) 10))
  0)
(dotimes (i 2) (sb-posix:getppid))
(list (bpf:map-ref wrepl-cnt 0) (bpf:map-ref wrepl-cnt 1))
(bpf:attachments)
(bpf:map wrepl-cnt :type :array :key-size 4 :value-size 8 :max-entries 2)
(sb-posix:getppid)
(list (bpf:map-ref wrepl-cnt 0) (bpf:map-ref wrepl-cnt 1))
(with-output-to-string (s) (format s "~a" (mapcar #'car (bpf-session-maps))))
LISP
# a FIFO keeps the REPL alive while bpftool looks at its objects
mkfifo "$TMP/in"
"$WHISTLER" repl <"$TMP/in" >"$TMP/out" 2>"$TMP/err" &
pid=$!
exec 3>"$TMP/in"
cat "$TMP/forms" >&3
wait_for "$TMP/out" '^"(wrepl_cnt)"$' || { cat "$TMP/out" "$TMP/err" >&2; fail "the REPL did not get through the forms"; }
progs=$(ids prog wrepl_tick)
maps=$(ids map wrepl_cnt)
# shellcheck disable=SC2086
links=$(ids link $progs)
# shellcheck disable=SC2086
[ "$(echo $progs | wc -w)" -eq 1 ] || fail "expected one program wrepl_tick in the kernel, got: $progs"
# shellcheck disable=SC2086
[ "$(echo $links | wc -w)" -eq 1 ] || fail "expected one link of wrepl_tick, got: $links"
# shellcheck disable=SC2086
[ "$(echo $maps | wc -w)" -eq 1 ] || fail "expected one map wrepl_cnt (the new one), got: $maps"
exec 3>&-
wait "$pid"
rc=$?
cat "$TMP/out"
[ "$rc" -eq 0 ] || { cat "$TMP/err" >&2; fail "exit status $rc at the end of input"; }
cat >"$TMP/want" <<'OUT'
+ME+
WREPL-CNT
WREPL-TICK
"prog 'wrepl_tick' on tracepoint 'syscalls/sys_enter_getppid'"
NIL
3
WREPL-TICK
NIL
(3 20)
("prog 'wrepl_tick' on tracepoint 'syscalls/sys_enter_getppid'")
WREPL-CNT
PPID
(0 10)
"(wrepl_cnt)"
OUT
sed -i "s/^PPID$/$$/" "$TMP/want"
diff -u "$TMP/want" "$TMP/out" || fail "the REPL printed something else"
for note in "; created map 'wrepl-cnt'" "; loaded prog 'wrepl-tick'" \
	"; reloaded prog 'wrepl-tick'" \
	"; re-attached prog 'wrepl_tick' on tracepoint 'syscalls/sys_enter_getppid'" \
	"; made a new map 'wrepl-cnt'"; do
	grep -qF "$note" "$TMP/err" || { cat "$TMP/err" >&2; fail "no '$note' on stderr"; }
done
grep -q "error" "$TMP/err" && { cat "$TMP/err" >&2; fail "errors on stderr"; }
# shellcheck disable=SC2086
gone prog $progs || fail "program wrepl_tick left in the kernel"
# shellcheck disable=SC2086
gone map $maps || fail "map wrepl_cnt left in the kernel"
# shellcheck disable=SC2086
gone link $links || fail "link of wrepl_tick left in the kernel"
echo "PASS: old version detached (slot 0 stayed 3), new one counted 20, new map 10"
