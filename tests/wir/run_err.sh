#!/usr/bin/env bash
# A program the compiler must refuse: `whistler compile` exits 1, prints each
# `; diag: LINE:COL: error: TEXT` of the file as FILE:LINE:COL: error: TEXT...,
# and writes no output file (not even a temporary one) — an existing file at
# the output path is left untouched.
# usage: run_err.sh WHISTLER FILE.wir OUTDIR
set -u
W=$1
SRC=$2
OUT=$3/$(basename "$SRC" .wir)
rm -rf "$OUT"
mkdir -p "$OUT"
fail() { echo "FAIL: $*"; exit 1; }

"$W" compile "$SRC" -o "$OUT/x.o" >"$OUT/stdout" 2>"$OUT/stderr"
rc=$?
cat "$OUT/stderr"
[ $rc = 1 ] || fail "exit status $rc, expected 1"
[ -z "$(ls -A "$OUT" | grep -v '^stdout$\|^stderr$')" ] || fail "files were written: $(ls "$OUT")"
n=0
while IFS= read -r want; do
	[ -n "$want" ] || continue
	n=$((n + 1))
	grep -qF -- "$SRC:$want" "$OUT/stderr" || fail "no diagnostic '$SRC:$want'"
done < <(sed -n 's/^; diag: *//p' "$SRC")
[ $n -gt 0 ] || fail "the file names no expected diagnostic (; diag: LINE:COL: error: TEXT)"

# an existing output file survives a failed compile
echo keep >"$OUT/x.o"
"$W" compile "$SRC" -o "$OUT/x.o" >/dev/null 2>&1
[ "$(cat "$OUT/x.o")" = keep ] || fail "a failed compile replaced the existing output file"
[ "$(ls -A "$OUT" | grep -v '^stdout$\|^stderr$\|^x.o$')" = "" ] || fail "temporary files left: $(ls "$OUT")"
echo "PASS: $(basename "$SRC"): $n located diagnostic(s), exit 1, no output"
