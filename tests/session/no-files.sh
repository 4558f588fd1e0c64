#!/bin/bash
# No file is created: no-files.lisp (maps, a global, a struct key, a
# tracepoint program attached, reloaded and read back) runs under strace,
# which must show no open for writing or creating outside /dev, bpffs and
# tracefs, and no creat/rename/mkdir/link/symlink/unlink/mknod at all.
# usage: no-files.sh WHISTLER SOURCE_DIR
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "strace is not installed (scripts/deps.sh installs it)"

# LeakSanitizer cannot run under ptrace
ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$TMP/trace" \
	-e trace=open,openat,openat2,creat,rename,renameat,renameat2,mkdir,mkdirat,link,linkat,symlink,symlinkat,unlink,unlinkat,truncate,mknod,mknodat \
	"$WHISTLER" run "$SRC/tests/session/no-files.lisp" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "the session failed"; }
cat "$TMP/out"
grep -qx "calls: 2 5" "$TMP/out" || fail "expected 'calls: 2 5' (2 calls by version 1, 5 in all)"
grep -q 'no-files.lisp", O_RDONLY' "$TMP/trace" || fail "strace did not see the session file opened"
bad=$(python3 - "$TMP/trace" <<'PY'
import re, sys
allowed = ("/dev/", "/sys/fs/bpf/", "/sys/kernel/tracing/", "/sys/kernel/debug/tracing/")
for line in open(sys.argv[1]):
    m = re.match(r"\d+\s+(\w+)\((.*)", line)
    if not m:
        continue
    call, args = m.groups()
    if call.startswith("open"):
        path = re.search(r'"([^"]*)"', args)
        writes = re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_TMPFILE", args)
        if writes and not (path and path.group(1).startswith(allowed)):
            print(line.strip())
    else:
        print(line.strip())
PY
)
[ -z "$bad" ] || fail "files written or created: $bad"
echo "PASS: $(grep -c . "$TMP/trace") traced calls, none creating or writing a file"
