#!/bin/bash
# examples/ffi-call-tracker.lisp under `whistler run`: a uprobe on libffi's
# ffi_call counts calls by comm and signature (a defstruct key filled with
# probe reads of the ffi_cif); ffi_calls makes 3 int(int, int) and 2
# double(double) calls; Ctrl-C prints the table, whose rows are checked.
# usage: ffi.sh WHISTLER SOURCE_DIR FFI_CALLS
. "$(dirname "$0")/lib.sh"
FFI_CALLS=$3

[ -x "$FFI_CALLS" ] || skip "ffi_calls was not built (no libffi-dev)"
libffi=$(ldd "$FFI_CALLS" | awk '/libffi\.so/ { print $3 }')
[ -f "$libffi" ] || skip "ffi_calls is not linked with a shared libffi"

"$WHISTLER" run "$SRC/examples/ffi-call-tracker.lisp" "$libffi" >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_for "$TMP/err" "^Tracing ffi_call" || { cat "$TMP/err" >&2; fail "the tracker did not start"; }
progs=$(ids prog ffi_call_tracker)
[ -n "$progs" ] || fail "no program ffi_call_tracker in the kernel while the session runs"
"$FFI_CALLS" >"$TMP/calls" || fail "ffi_calls failed"
kill -INT "$pid"
wait "$pid"
rc=$?
cat "$TMP/out"
[ "$rc" -eq 0 ] || { cat "$TMP/err" >&2; fail "exit status $rc after Ctrl-C"; }
comm=$(basename "$FFI_CALLS" | cut -c1-15)
row() { # row COUNT SIGNATURE: exactly one such line for our comm
	local n
	n=$(awk -v c="$1" -v comm="$comm" -v sig="$2" '
		{ line = $0; sub(/^ +/, "", line) }
		$1 == c && $2 == comm && substr(line, index(line, $2) + length($2)) ~ "^ +" sig "$" { n++ }
		END { print n + 0 }' "$TMP/out")
	[ "$n" -eq 1 ] || fail "expected the row '$1 $comm $2' once, found it $n times"
}
grep -q "^COUNT  *COMM  *SIGNATURE$" "$TMP/out" || fail "no table header"
row 3 's32\(s32, s32\) \[unix64\]'
row 2 'double\(double\) \[unix64\]'
rows=$(awk -v comm="$comm" '$2 == comm' "$TMP/out" | wc -l)
[ "$rows" -eq 2 ] || fail "expected 2 rows for $comm, got $rows"
# shellcheck disable=SC2086
gone prog $progs || fail "program ffi_call_tracker left in the kernel"
echo "PASS: 3 x s32(s32, s32) and 2 x double(double) counted for $comm"
