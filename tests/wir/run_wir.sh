#!/usr/bin/env bash
# One program of the suite, end to end: `whistler compile` it; compare
# `whistler objdump` with `llvm-objdump-19 -d -r` line for line; dump its BTF
# with bpftool (and `whistler btf dump`, which must print the same; check
# `; btf:` / `; section:` / `; asm-contains:` shape lines); link it with `bpftool gen object`; load it with
# `bpftool prog loadall` into a fresh bpffs directory; then load, run, attach
# and check it with libbpf (wir_load).  Programs named by `; expect-skip:` may
# be refused by the kernel: that is reported as a loud skip (exit 77).
# usage: run_wir.sh WHISTLER WIR_LOAD FILE.wir OUTDIR
set -u
W=$1
LOADER=$2
SRC=$3
OUT=$4
name=$(basename "$SRC" .wir)
obj="$OUT/$name.o"
mkdir -p "$OUT"
rm -f "$obj"
status=0
skips=()
fail() { echo "FAIL: $name: $*"; status=1; }
skip() { echo "SKIP: $name: $*"; skips+=("$*"); }
directives() { sed -n "s/^; $1: *//p" "$SRC"; }

# 1. compile
flags=$(directives compile)
# shellcheck disable=SC2086
if ! "$W" compile $flags "$SRC" -o "$obj"; then
	echo "FAIL: $name: whistler compile"
	exit 1
fi

# 2. the disassembly, ours and LLVM's
if command -v llvm-objdump-19 >/dev/null; then
	"$W" objdump -d -r "$obj" >"$OUT/$name.ours.s" 2>&1 || fail "whistler objdump failed"
	llvm-objdump-19 -d -r "$obj" >"$OUT/$name.llvm.s" 2>&1 || fail "llvm-objdump-19 failed"
	if ! diff -u "$OUT/$name.llvm.s" "$OUT/$name.ours.s" >"$OUT/$name.objdump.diff"; then
		fail "whistler objdump and llvm-objdump-19 -d -r differ:"
		head -40 "$OUT/$name.objdump.diff"
	else
		echo "  objdump -d -r: $(grep -c '^ *[0-9]*:' "$OUT/$name.ours.s") lines agree with llvm-objdump-19"
	fi
	# and as v3/v4 code is usually read: 32-bit memory operations on w registers
	"$W" objdump -d -r --mattr=+alu32 "$obj" >"$OUT/$name.ours32.s" 2>&1
	llvm-objdump-19 -d -r --mattr=+alu32 "$obj" >"$OUT/$name.llvm32.s" 2>&1
	if ! diff -u "$OUT/$name.llvm32.s" "$OUT/$name.ours32.s" >"$OUT/$name.objdump32.diff"; then
		fail "whistler objdump and llvm-objdump-19 -d -r --mattr=+alu32 differ:"
		head -40 "$OUT/$name.objdump32.diff"
	else
		echo "  objdump -d -r --mattr=+alu32: agrees with llvm-objdump-19"
	fi
	while IFS= read -r sec; do
		[ -n "$sec" ] || continue
		llvm-objdump-19 -h "$obj" | awk '{print $2}' | grep -qxF -- "$sec" ||
			fail "no section '$sec' in the object"
	done < <(directives section)
	# `; asm-contains: TEXT`: the disassembly shows TEXT
	while IFS= read -r text; do
		[ -n "$text" ] || continue
		grep -qF -- "$text" "$OUT/$name.ours.s" || fail "the disassembly does not contain '$text'"
	done < <(directives asm-contains)
else
	skip "llvm-objdump-19 is not installed: disassembly not compared"
fi

have_bpftool=1
command -v bpftool >/dev/null || { have_bpftool=0; skip "bpftool is not installed: BTF dump and loadall not run"; }
if [ "$(id -u)" != 0 ]; then
	skip "not root: nothing can be loaded"
	exit 77
fi

# 3. BTF as bpftool reads it
if [ $have_bpftool = 1 ]; then
	if bpftool btf dump file "$obj" >"$OUT/$name.btf" 2>&1; then
		echo "  bpftool btf dump: $(grep -c '^\[' "$OUT/$name.btf") types"
	else
		fail "bpftool btf dump file rejects the object:"
		cat "$OUT/$name.btf"
	fi
	# our reader prints the same text
	if ! "$W" btf dump "$obj" | diff -u "$OUT/$name.btf" - >"$OUT/$name.btf.diff"; then
		fail "whistler btf dump and bpftool btf dump file differ:"
		head -20 "$OUT/$name.btf.diff"
	fi
	while IFS= read -r want; do
		[ -n "$want" ] || continue
		grep -qF -- "$want" "$OUT/$name.btf" || fail "BTF lacks: $want"
	done < <(directives btf)
fi

# 3b. libbpf's static linker (bpftool gen object) takes it, deterministically
if [ $have_bpftool = 1 ]; then
	if bpftool gen object "$OUT/$name.linked.o" "$obj" >"$OUT/$name.link.log" 2>&1 &&
		bpftool gen object "$OUT/$name.linked2.o" "$obj" >>"$OUT/$name.link.log" 2>&1; then
		cmp -s "$OUT/$name.linked.o" "$OUT/$name.linked2.o" || fail "bpftool gen object is not deterministic on it"
		echo "  bpftool gen object: linked"
	else
		fail "bpftool gen object rejects the object:"
		tail -5 "$OUT/$name.link.log"
	fi
fi

# 4. bpftool prog loadall, into a directory of its own
if [ $have_bpftool = 1 ]; then
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	pin="/sys/fs/bpf/wir_${name}_$$"
	rm -rf "$pin"
	if bpftool prog loadall "$obj" "$pin" >"$OUT/$name.loadall" 2>&1; then
		echo "  bpftool prog loadall: $(ls "$pin" | wc -l) programs pinned"
	else
		expected=$(directives expect-skip | awk '{print $1}' | sed 's/^\$//')
		refused=$(sed -n "s/^libbpf: prog '\([^']*\)': BPF program load failed: \(.*\)/\1: \2/p" "$OUT/$name.loadall")
		prog=${refused%%:*}
		if [ -n "$refused" ] && grep -qxF -- "$prog" <<<"$expected"; then
			skip "bpftool prog loadall: the kernel refuses $refused (expected)"
		else
			fail "bpftool prog loadall rejects the object:"
			grep -v '^Warning\|^If it used\|^$' "$OUT/$name.loadall" | tail -40
		fi
	fi
	rm -rf "$pin"
fi

# 5. libbpf: load, run, attach, check
if [ -x "$LOADER" ]; then
	"$LOADER" "$SRC" "$obj"
	rc=$?
else
	echo "SKIP: $name: libbpf-dev was not found at configure time: not loaded with libbpf"
	rc=77
fi
case $rc in
0) ;;
77) skips+=("libbpf") ;;
*) status=1 ;;
esac

if [ $status != 0 ]; then
	echo "FAIL: $name"
	exit 1
fi
if [ ${#skips[@]} != 0 ]; then
	echo "$name: everything else passed; skipped parts are listed above"
	exit 77
fi
echo "PASS: $name"
