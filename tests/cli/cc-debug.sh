#!/usr/bin/env bash
# whistlercc's -g as clang's: BTF (.BTF, .BTF.ext) only with -g; without it
# preserve_access_index records are read at fixed offsets, and the CO-RE
# builtins, which need BTF, are an error.
set -u
CC=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
sections() { # the section names of an ELF object, from its header table
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
shoff, = struct.unpack_from("<Q", d, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3a)
strs = struct.unpack_from("<QQ", d, shoff + shstrndx * shentsize + 0x18)
for i in range(shnum):
    name, = struct.unpack_from("<I", d, shoff + i * shentsize)
    end = d.index(b"\0", strs[0] + name)
    print(d[strs[0] + name:end].decode())
PY
}

cat >"$tmp/rec.c" <<'C'
struct task { int pad[3]; int pid; } __attribute__((preserve_access_index));
__attribute__((section("raw_tp/sys_enter"), used)) int f(struct task **ctx)
{
	return ctx[1]->pid;
}
C
"$CC" -target bpf -O2 -c "$tmp/rec.c" -o "$tmp/nog.o" || fail "without -g"
"$CC" -target bpf -O2 -g -c "$tmp/rec.c" -o "$tmp/g.o" || fail "with -g"
s=$(sections "$tmp/nog.o")
grep -q '^raw_tp/sys_enter$' <<<"$s" || fail "no program section: $s"
! grep -q '^\.BTF' <<<"$s" || fail "BTF without -g: $s"
s=$(sections "$tmp/g.o")
grep -q '^\.BTF$' <<<"$s" && grep -q '^\.BTF\.ext$' <<<"$s" || fail "no BTF with -g: $s"
# -g: the access is relocated (an offset in .BTF.ext), so the bytes differ
cmp -s "$tmp/nog.o" "$tmp/g.o" && fail "-g made no difference"

cat >"$tmp/core.c" <<'C'
struct task { int pad[3]; int pid; };
__attribute__((section("raw_tp/sys_enter"), used)) int f(struct task **ctx)
{
	return __builtin_preserve_access_index(ctx[1]->pid);
}
C
err=$("$CC" -target bpf -O2 -c "$tmp/core.c" -o "$tmp/core.o" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "CO-RE builtin without -g: exit $rc"
grep -q "core.c:4:.*error: a CO-RE relocation .* needs BTF: compile with -g" <<<"$err" ||
	fail "CO-RE builtin without -g: $err"
[ ! -e "$tmp/core.o" ] || fail "an object was written"
echo "PASS"
