#!/usr/bin/env python3
"""Differential test of the backend against BPF semantics: random XDP
programs (arithmetic of every kind at both widths, comparisons, selects,
conversions and byte swaps, sign-extending and stack loads, diamonds with
phis, helper and five-argument subprogram calls) over packet bytes are
compiled for -mcpu=v1..v4 at -O0 and -O2, run in the kernel with
BPF_PROG_TEST_RUN by wir_load, and every intermediate value (stored to a
.bss array) is compared with what this script computes.

usage: difftest.py WHISTLER WIR_LOAD OUTDIR [FIRST_SEED COUNT]
A failing program is kept as OUTDIR/fail_SEED_vCPU_OPT.wir (a reproducer
that wir_load checks by itself). Exit 0, 1 (a mismatch), or 77 (no root).
"""
import os
import random
import subprocess
import sys

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1


def mask(w):
    return M32 if w == 32 else M64


def signed(x, w):
    x &= mask(w)
    return x - (1 << w) if x >> (w - 1) else x


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def binop(op, w, a, b):
    """BPF semantics: x / 0 == 0, x % 0 == x, shift counts masked."""
    m = mask(w)
    if op == 'add': return (a + b) & m
    if op == 'sub': return (a - b) & m
    if op == 'mul': return (a * b) & m
    if op == 'and': return a & b
    if op == 'or': return a | b
    if op == 'xor': return a ^ b
    if op == 'udiv': return 0 if b == 0 else a // b
    if op == 'urem': return a if b == 0 else a % b
    sa, sb = signed(a, w), signed(b, w)
    if op == 'sdiv': return 0 if sb == 0 else trunc_div(sa, sb) & m
    if op == 'srem': return a if sb == 0 else (sa - trunc_div(sa, sb) * sb) & m
    if op == 'shl': return (a << (b & (w - 1))) & m
    if op == 'lshr': return a >> (b & (w - 1))
    if op == 'ashr': return (signed(a, w) >> (b & (w - 1))) & m
    raise ValueError(op)


CMP = {
    'eq': lambda a, b, w: a == b, 'ne': lambda a, b, w: a != b,
    'ult': lambda a, b, w: a < b, 'ule': lambda a, b, w: a <= b,
    'ugt': lambda a, b, w: a > b, 'uge': lambda a, b, w: a >= b,
    'slt': lambda a, b, w: signed(a, w) < signed(b, w),
    'sle': lambda a, b, w: signed(a, w) <= signed(b, w),
    'sgt': lambda a, b, w: signed(a, w) > signed(b, w),
    'sge': lambda a, b, w: signed(a, w) >= signed(b, w),
}

CONSTS = [0, 1, 2, 3, 7, 31, 32, 63, -1, -2, 0x7fffffff, -0x80000000, 0xffffffff,
          0x80000000, 0x100000000, -0x8000000000000000, 255, 65535]

MIX5 = '''func $mix5(%a:i64, %b:i64, %c:i64, %d:i64, %e:i64) -> i64 {
@entry
	%1:i64 = mul %a, 3
	%2:i64 = xor %1, %b
	%3:i64 = sub %2, %c
	%4:i64 = lshr %d, 3
	%5:i64 = add %3, %4
	%6:i64 = and %e, 255
	%7:i64 = add %5, %6
	ret %7
}
'''


class Program:
    def __init__(self, seed, cpu, n=70):
        self.r = random.Random(seed)
        self.cpu = cpu
        self.pkt = [self.r.choice([0, 1, 0xff, 0x7f, 0x80, self.r.randrange(256)]) for _ in range(32)]
        self.lines, self.vals, self.width = [], {}, {}
        self.results, self.late = [], []
        for i in range(4):
            v = int.from_bytes(bytes(self.pkt[i * 8:i * 8 + 8]), 'little')
            self.emit(f'%x{i}:i64 = load.u64 %data, {i * 8}')
            self.define(f'%x{i}', 64, v)
            self.emit(f'%y{i}:i32 = trunc %x{i}')
            self.define(f'%y{i}', 32, v)
        kinds = [(self.arith, 30), (self.compare, 12), (self.convert, 10), (self.select, 8),
                 (self.diamond, 10), (self.packet_load, 8), (self.stack_round_trip, 8),
                 (self.call, 6)]
        fns, weights = zip(*kinds)
        for k in range(1, n + 1):
            w = self.r.choice([32, 64])
            self.r.choices(fns, weights)[0](f'%t{k}', w, k)

    def emit(self, text):
        self.lines.append(text if text.startswith('@') else '\t' + text)

    def define(self, name, w, v):
        self.vals[name] = v & mask(w)
        self.width[name] = w
        if name.startswith('%t'):
            self.results.append(name)
            # most results are stored at once; the rest stay live to the end
            # (across calls: spills), within the 512-byte stack
            if self.r.random() < 0.8:
                self.store(len(self.results) - 1, name, self.lines)
            else:
                self.late.append(len(self.results) - 1)

    def store(self, i, name, lines):
        src = name
        if self.width[name] == 32:
            lines.append(f'\t%z{i}:i64 = zext {name}')
            src = f'%z{i}'
        lines.append(f'\tstore.u64 $out, {8 * i}, {src}')

    def operand(self, w, allow_const=True):
        if allow_const and self.r.random() < 0.25:
            c = self.r.choice(CONSTS) & mask(w)
            return str(c), c
        name = self.r.choice([n for n in self.vals if self.width[n] == w])
        return name, self.vals[name]

    @staticmethod
    def ty(w):
        return 'i32' if w == 32 else 'i64'

    def arith(self, d, w, k):
        ops = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'udiv', 'urem', 'shl', 'lshr', 'ashr', 'neg']
        if self.cpu >= 4:
            ops += ['sdiv', 'srem']
        op = self.r.choice(ops)
        a, av = self.operand(w, allow_const=False)
        if op == 'neg':
            self.emit(f'{d}:{self.ty(w)} = neg {a}')
            return self.define(d, w, -av)
        b, bv = self.operand(w)
        if op in ('shl', 'lshr', 'ashr') and not b.startswith('%'):
            bv %= w  # constant shift counts must be below the width
            b = str(bv)
        self.emit(f'{d}:{self.ty(w)} = {op} {a}, {b}')
        self.define(d, w, binop(op, w, av, bv))

    def compare(self, d, w, k):
        cc = self.r.choice(list(CMP))
        a, av = self.operand(w, allow_const=False)
        b, bv = self.operand(w)
        if self.r.random() < 0.3:  # the constant on the left, as text allows
            a, av, b, bv = b, bv, a, av
        self.emit(f'{d}:i32 = {cc} {a}, {b}')
        self.define(d, 32, 1 if CMP[cc](av, bv, w) else 0)

    def convert(self, d, w, k):
        op = self.r.choice(['sext8', 'sext16', 'sext32', 'bswap16', 'bswap32', 'bswap64',
                            'be16', 'be32', 'be64', 'le16', 'le32', 'le64'])
        bits = int(op[-2:]) if op[-2:].isdigit() else int(op[-1])
        if bits == 64 or op == 'sext32':
            w = 64
        a, av = self.operand(w, allow_const=False)
        low = av & ((1 << bits) - 1)
        if op.startswith('sext'):
            v = low - (1 << bits) if low >> (bits - 1) else low
        elif op.startswith('le'):
            v = low
        else:
            v = int.from_bytes(low.to_bytes(bits // 8, 'little'), 'big')
        self.emit(f'{d}:{self.ty(w)} = {op} {a}')
        self.define(d, w, v)

    def select(self, d, w, k):
        c, cv = self.operand(32, allow_const=False)
        a, av = self.operand(w)
        b, bv = self.operand(w)
        self.emit(f'{d}:{self.ty(w)} = select {c}, {a}, {b}')
        self.define(d, w, av if cv else bv)

    def diamond(self, d, w, k):
        cc = self.r.choice(list(CMP))
        a, av = self.operand(w, allow_const=False)
        b, bv = self.operand(w)
        x, xv = self.operand(w, allow_const=False)
        y, yv = self.operand(w, allow_const=False)
        t = self.ty(w)
        self.emit(f'br.{cc} {a}, {b}, @T{k}, @F{k}')
        self.emit(f'@T{k}')
        self.emit(f'%p{k}a:{t} = add {x}, 1')
        self.emit(f'jmp @J{k}')
        self.emit(f'@F{k}')
        self.emit(f'%p{k}b:{t} = sub {y}, 1')
        self.emit(f'jmp @J{k}')
        self.emit(f'@J{k}')
        self.emit(f'{d}:{t} = phi @T{k} %p{k}a, @F{k} %p{k}b')
        self.define(d, w, xv + 1 if CMP[cc](av, bv, w) else yv - 1)

    def packet_load(self, d, w, k):
        size = self.r.choice([1, 2, 4] + ([8] if w == 64 else []))
        off = self.r.randrange(0, 32 - size + 1)
        raw = int.from_bytes(bytes(self.pkt[off:off + size]), 'little')
        sign = size < 8 and not (size == 4 and w == 32) and self.r.random() < 0.5
        if sign and raw >> (8 * size - 1):
            raw -= 1 << (8 * size)
        self.emit(f'{d}:{self.ty(w)} = load.{"s" if sign else "u"}{8 * size} %data, {off}')
        self.define(d, w, raw)

    def stack_round_trip(self, d, w, k):
        a, av = self.operand(w, allow_const=False)
        size = self.r.choice([1, 2, 4] + ([8] if w == 64 else []))
        sign = size < 8 and not (size == 4 and w == 32) and self.r.random() < 0.5
        self.emit(f'%s{k}:ptr.stack = alloca 8, 8')
        self.emit(f'store.u64 %s{k}, 0, 0')
        self.emit(f'store.u{8 * size} %s{k}, 0, {a}')
        self.emit(f'{d}:{self.ty(w)} = load.{"s" if sign else "u"}{8 * size} %s{k}, 0')
        raw = av & ((1 << (8 * size)) - 1)
        if sign and raw >> (8 * size - 1):
            raw -= 1 << (8 * size)
        self.define(d, w, raw)

    def call(self, d, w, k):
        if self.r.random() < 0.4:
            self.emit(f'%h{k}:i64 = call get_prandom_u32()')  # clobbers R0-R5
            return
        args = [self.operand(64) for _ in range(5)]
        self.emit(f'{d}:i64 = call $mix5({", ".join(a for a, _ in args)})')
        a, b, c, dd, e = (v for _, v in args)
        self.define(d, 64, (((a * 3) & M64) ^ b) - c + (dd >> 3) + (e & 0xff))

    def text(self):
        results = self.results
        body = list(self.lines)
        for i in self.late:
            self.store(i, results[i], body)
        out = [f'; differential test program (difftest.py), -mcpu=v{self.cpu}',
               f'target v{self.cpu}', 'license "GPL"', '', MIX5,
               f'global $out : [{max(1, len(results))} x u64] section=".bss"', '',
               'prog $f(%ctx:ptr.ctx) -> i32 type=xdp section="xdp" {', '@entry',
               '\t%data:ptr.pkt = load.u32 %ctx, 0', '\t%end:ptr.pkt_end = load.u32 %ctx, 4',
               '\tchkpkt %data, 32, %end, @go, @short', '@go']
        out += body + ['\tret 1', '@short', '\tret 0', '}']
        out.append('; run: $f data=x"%s" -> 1' % ''.join('%02x' % b for b in self.pkt))
        out += [f'; global: $out[{i}] -> {self.vals[n]}' for i, n in enumerate(results)]
        return '\n'.join(out) + '\n'


def main():
    whistler, loader, outdir = sys.argv[1:4]
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 12
    if os.geteuid() != 0:
        print('SKIP: difftest: not root, nothing can be loaded')
        return 77
    if not os.access(loader, os.X_OK):
        print('SKIP: difftest: wir_load was not built (no libbpf-dev at configure time)')
        return 77
    os.makedirs(outdir, exist_ok=True)
    runs = failures = 0
    for seed in range(first, first + count):
        for cpu in (1, 2, 3, 4):
            text = Program(seed, cpu).text()
            for opt in ('-O0', '-O2'):
                src = os.path.join(outdir, 'diff.wir')
                obj = os.path.join(outdir, 'diff.o')
                with open(src, 'w') as f:
                    f.write(text)
                c = subprocess.run([whistler, 'compile', opt, src, '-o', obj], capture_output=True, text=True)
                ok = c.returncode == 0
                why = c.stderr
                if ok:
                    r = subprocess.run([loader, src, obj], capture_output=True, text=True)
                    ok = r.returncode == 0
                    why = r.stderr
                runs += 1
                if not ok:
                    failures += 1
                    keep = os.path.join(outdir, f'fail_{seed}_v{cpu}{opt}.wir')
                    with open(keep, 'w') as f:
                        f.write(f'; compile: {opt}\n' + text)
                    print(f'FAIL: seed {seed} -mcpu=v{cpu} {opt}: {keep}')
                    print('\n'.join(why.splitlines()[:12]))
    print(f'difftest: {runs} compilations run in the kernel, {failures} failed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
