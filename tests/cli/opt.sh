#!/usr/bin/env bash
# `whistler opt` as users run it: results on stdout, located errors and exit 1
# on bad input, the list of passes for an unknown one, -o written atomically.
set -u
W=$1
SRC=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$W" opt --passes=fold,dce "$SRC/examples/xdp_count.wir") || fail "opt on the example"
grep -q '^	ret 2$' <<<"$out" || fail "fold,dce result: $out"

printf 'target v3\nfunc $f() -> i64 {\n@e\n\t%%a:i64 = add 1\n\tret %%a\n}\n' >"$tmp/bad.wir"
err=$("$W" opt --passes=fold,dce "$tmp/bad.wir" 2>&1 >/dev/null); rc=$?
[ $rc -eq 1 ] || fail "malformed input: exit $rc"
grep -q "bad.wir:4:15: error: expected ','" <<<"$err" || fail "malformed input message: $err"

err=$("$W" opt --passes=fold,nosuch "$SRC/examples/xdp_count.wir" 2>&1 >/dev/null); rc=$?
[ $rc -eq 1 ] || fail "unknown pass: exit $rc"
grep -q "unknown pass 'nosuch'" <<<"$err" && grep -q "known passes: fold dce" <<<"$err" ||
	fail "unknown pass message: $err"

printf 'target v3\nfunc $f(%%p:ptr.mapval?) -> i64 {\n@e\n\t%%v:i64 = load.u64 %%p, 0\n\tret %%v\n}\n' >"$tmp/null.wir"
err=$("$W" opt "$tmp/null.wir" -o "$tmp/out.wir" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "verifier error: exit $rc"
grep -q "null.wir:4:1: error: dereference of %p, which may be NULL" <<<"$err" || fail "verifier message: $err"
[ ! -e "$tmp/out.wir" ] || fail "an output file was written for invalid input"

"$W" opt -O2 "$SRC/examples/xdp_count.wir" -o "$tmp/out.wir" || fail "-o"
"$W" opt "$tmp/out.wir" | cmp -s - "$tmp/out.wir" || fail "output does not round-trip"
ls "$tmp" | grep -q tmp && fail "temporary file left behind"

out=$("$W" opt --print-after=fold --passes=fold,dce "$SRC/examples/xdp_count.wir") || fail "--print-after"
grep -q '^; after fold$' <<<"$out" || fail "--print-after output"
echo PASS
