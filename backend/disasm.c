/* BPF disassembler matching llvm-objdump-19 byte for byte.
 *
 * The decoder follows LLVM's instruction definitions rather than the
 * kernel's rules: a field an LLVM instruction does not define is "don't care"
 * (so `07 21 ...` with a stray src_reg still prints `r1 += ...`), a field it
 * fixes must match, and a register field above r11 makes the whole
 * instruction <unknown>. Every rule here was checked against llvm-objdump-19
 * on random encodings (tests/unit/insn/test_disasm.c keeps checking it). */
#include "backend/disasm.h"

#include "util/util.h"

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Operators of ALU ops by BPF_OP >> 4; NULL for NEG/END (own syntax) and the
 * unassigned 0xe0/0xf0. */
static const char *const alu_ops[16] = {
	"+=", "-=", "*=", "/=", "|=",	"&=", "<<=", ">>=",
	NULL, "%=", "^=", "=",	"s>>=", NULL, NULL,  NULL,
};

/* Conditions of jumps by BPF_OP >> 4; NULL for JA/CALL/EXIT/JCOND/0xf0. */
static const char *const jmp_ops[16] = {
	NULL, "==", ">", ">=", "&",  "!=",  "s>", "s>=",
	NULL, NULL, "<", "<=", "s<", "s<=", NULL, NULL,
};

/* Atomic read-modify-write ops by imm bits 7-4 (BPF_ADD/OR/AND/XOR). */
static const struct {
	uint8_t op;
	const char *sym, *name;
} atomic_ops[] = {
	{ BPF_ADD, "+", "add" },
	{ BPF_OR, "|", "or" },
	{ BPF_AND, "&", "and" },
	{ BPF_XOR, "^", "xor" },
};

/* Type names of loads/stores by BPF_SIZE >> 3 (W H B DW). */
static const char *const utype[4] = { "u32", "u16", "u8", "u64" };
static const char *const stype[4] = { "s32", "s16", "s8", NULL };

/* Where text goes, and whether immediates are hex (llvm-objdump's default,
 * --print-imm-hex) or decimal (--no-print-imm-hex, and clang -S). */
struct pr {
	struct buf *b;
	bool dec;
};

struct fields {
	uint8_t op, dst, src;
	int16_t off;
	int32_t imm;
};

/* llvm's formatImm in hex mode. */
static void put_imm(struct pr *out, int64_t v)
{
	if (out->dec)
		buf_printf(out->b, "%" PRId64, v);
	else if (v < 0)
		buf_printf(out->b, "-0x%" PRIx64, -(uint64_t)v);
	else
		buf_printf(out->b, "0x%" PRIx64, (uint64_t)v);
}

static void put_branch(struct pr *out, int64_t v)
{
	if (v >= 0)
		buf_putc(out->b, '+');
	put_imm(out, v);
}

static void put_reg(struct pr *out, bool w, unsigned r)
{
	char s[4] = { w ? 'w' : 'r', (char)('0' + r % 10), 0, 0 };
	if (r >= 10) /* r10, r11: fields are 4 bits, validated <= 11 */
		s[1] = '1', s[2] = (char)('0' + r - 10);
	buf_puts(out->b, s);
}

/* "rB + 0xOFF" / "rB - 0xOFF" */
static void put_mem(struct pr *out, unsigned base, int16_t off)
{
	buf_printf(out->b, "r%u %c ", base, off < 0 ? '-' : '+');
	put_imm(out, off < 0 ? -(int64_t)off : off);
}

static bool decode_alu(const struct fields *f, struct pr *out)
{
	bool w = BPF_CLASS(f->op) == BPF_ALU, x = BPF_SRC(f->op) == BPF_X;
	unsigned op = BPF_OP(f->op);

	if (f->dst > 11 || (x && f->src > 11 && op != BPF_END && op != BPF_NEG))
		return false;
	if (op == BPF_NEG) {
		if (x || f->dst > 11)
			return false;
		put_reg(out, w, f->dst);
		buf_puts(out->b, " = -");
		put_reg(out, w, f->dst);
		return true;
	}
	if (op == BPF_END) {
		const char *name = !w ? (x ? NULL : "bswap") : (x ? "be" : "le");
		if (!name || (f->imm != 16 && f->imm != 32 && f->imm != 64))
			return false;
		buf_printf(out->b, "r%u = %s%d r%u", f->dst, name, f->imm, f->dst);
		return true;
	}
	if (!alu_ops[op >> 4])
		return false;
	const char *text = alu_ops[op >> 4];
	if (op == BPF_MOV && x && f->off != 0) {
		if (!w && f->off == INSN_OFF_ADDR_SPACE_CAST) {
			buf_printf(out->b, "r%u = addr_space_cast(r%u, ", f->dst, f->src);
			put_imm(out, (uint32_t)f->imm >> 16);
			buf_puts(out->b, ", ");
			put_imm(out, (uint32_t)f->imm & 0xffff);
			buf_putc(out->b, ')');
			return true;
		}
		if (f->off != 8 && f->off != 16 && !(f->off == 32 && !w))
			return false;
		put_reg(out, w, f->dst);
		buf_printf(out->b, " = (s%d)", f->off);
		put_reg(out, w, f->src);
		return true;
	}
	if (f->off == INSN_OFF_SIGNED && (op == BPF_DIV || op == BPF_MOD))
		text = op == BPF_DIV ? "s/=" : "s%=";
	else if (f->off != 0)
		return false;
	put_reg(out, w, f->dst);
	buf_printf(out->b, " %s ", text);
	if (x)
		put_reg(out, w, f->src);
	else
		put_imm(out, f->imm);
	return true;
}

static bool decode_jmp(const struct fields *f, struct pr *out, struct disasm_result *r,
		       uint64_t addr)
{
	bool w = BPF_CLASS(f->op) == BPF_JMP32, x = BPF_SRC(f->op) == BPF_X;
	unsigned op = BPF_OP(f->op);
	int64_t rel = f->off;

	switch (op) {
	case BPF_JA:
		if (x)
			return false;
		if (w) {
			rel = f->imm;
			buf_puts(out->b, "gotol ");
		} else {
			buf_puts(out->b, "goto ");
		}
		break;
	case BPF_CALL:
		if (w)
			return false;
		if (x) {
			if (f->dst > 11)
				return false;
			buf_printf(out->b, "callx r%u", f->dst);
		} else {
			buf_puts(out->b, "call ");
			put_imm(out, f->imm);
		}
		return true;
	case BPF_EXIT:
		if (w || x || f->imm != 0)
			return false;
		buf_puts(out->b, "exit");
		return true;
	case BPF_JCOND:
		if (w || x)
			return false;
		buf_puts(out->b, "may_goto ");
		break;
	default:
		if (!jmp_ops[op >> 4] || f->dst > 11 || (x && f->src > 11))
			return false;
		buf_puts(out->b, "if ");
		put_reg(out, w, f->dst);
		buf_printf(out->b, " %s ", jmp_ops[op >> 4]);
		if (x)
			put_reg(out, w, f->src);
		else
			put_imm(out, f->imm);
		buf_puts(out->b, " goto ");
	}
	put_branch(out, rel);
	r->has_target = true;
	r->target = addr + 8 + (uint64_t)rel * 8;
	return true;
}

static bool decode_atomic(const struct fields *f, bool alu32, struct pr *out)
{
	unsigned size = BPF_SIZE(f->op) >> 3;
	bool dw = BPF_SIZE(f->op) == BPF_DW, w = !dw;
	unsigned lo = (uint32_t)f->imm & 0xff;

	if (f->dst > 11 || f->src > 11)
		return false;
	if (BPF_SIZE(f->op) != BPF_W && !dw)
		return false;
	if (!dw && !alu32) {
		/* only llvm's old XADDW: imm bits 7-4 must be BPF_ADD */
		if ((lo & 0xf0) != BPF_ADD)
			return false;
		buf_printf(out->b, "lock *(u32 *)(");
		put_mem(out, f->dst, f->off);
		buf_printf(out->b, ") += r%u", f->src);
		return true;
	}
	if (lo == (BPF_XCHG & 0xff)) {
		put_reg(out, w, f->src);
		buf_printf(out->b, " = %s(", dw ? "xchg_64" : "xchg32_32");
		put_mem(out, f->dst, f->off);
		buf_puts(out->b, ", ");
		put_reg(out, w, f->src);
		buf_putc(out->b, ')');
		return true;
	}
	if (lo == (BPF_CMPXCHG & 0xff)) {
		buf_printf(out->b, "%s = %s(", w ? "w0" : "r0", dw ? "cmpxchg_64" : "cmpxchg32_32");
		put_mem(out, f->dst, f->off);
		buf_printf(out->b, ", %s, ", w ? "w0" : "r0");
		put_reg(out, w, f->src);
		buf_putc(out->b, ')');
		return true;
	}
	for (size_t i = 0; i < ARRAY_LEN(atomic_ops); i++) {
		if (lo == (atomic_ops[i].op | BPF_FETCH)) {
			put_reg(out, w, f->src);
			buf_printf(out->b, " = atomic_fetch_%s((%s *)(", atomic_ops[i].name,
				   utype[size]);
			put_mem(out, f->dst, f->off);
			buf_puts(out->b, "), ");
			put_reg(out, w, f->src);
			buf_putc(out->b, ')');
			return true;
		}
	}
	/* without BPF_FETCH only bits 7-4 are looked at */
	for (size_t i = 0; i < ARRAY_LEN(atomic_ops); i++) {
		if ((lo & 0xf0) == atomic_ops[i].op) {
			buf_printf(out->b, "lock *(%s *)(", utype[size]);
			put_mem(out, f->dst, f->off);
			buf_printf(out->b, ") %s= ", atomic_ops[i].sym);
			put_reg(out, w, f->src);
			return true;
		}
	}
	return false;
}

static bool decode_mem(const struct fields *f, bool alu32, struct pr *out)
{
	unsigned cls = BPF_CLASS(f->op), mode = BPF_MODE(f->op), size = BPF_SIZE(f->op) >> 3;
	/* llvm's ALU32 decoder table covers 8/16/32-bit LDX/STX loads, stores and atomics */
	bool w = alu32 && BPF_SIZE(f->op) != BPF_DW;

	switch (cls) {
	case BPF_LDX:
		if (f->dst > 11 || f->src > 11)
			return false;
		if (mode == BPF_MEM) {
			put_reg(out, w, f->dst);
			buf_printf(out->b, " = *(%s *)(", utype[size]);
		} else if (mode == BPF_MEMSX && stype[size]) {
			buf_printf(out->b, "r%u = *(%s *)(", f->dst, stype[size]);
		} else {
			return false;
		}
		put_mem(out, f->src, f->off);
		buf_putc(out->b, ')');
		return true;
	case BPF_ST:
		if (mode != BPF_MEM || f->dst > 11)
			return false;
		buf_printf(out->b, "*(%s *)(", utype[size]);
		put_mem(out, f->dst, f->off);
		buf_puts(out->b, ") = ");
		put_imm(out, f->imm);
		return true;
	default: /* BPF_STX */
		if (mode == BPF_ATOMIC)
			return decode_atomic(f, alu32, out);
		if (mode != BPF_MEM || f->dst > 11 || f->src > 11)
			return false;
		buf_printf(out->b, "*(%s *)(", utype[size]);
		put_mem(out, f->dst, f->off);
		buf_puts(out->b, ") = ");
		put_reg(out, w, f->src);
		return true;
	}
}

/* BPF_LD: ld_imm64 (two slots) and the legacy packet loads. */
static bool decode_ld(const struct fields *f, const uint8_t *b, size_t len, struct pr *out,
		      struct disasm_result *r)
{
	unsigned mode = BPF_MODE(f->op), size = BPF_SIZE(f->op) >> 3;

	if (f->op == (BPF_LD | BPF_IMM | BPF_DW)) {
		if (f->off != 0 || f->dst > 11)
			return false;
		if (len < 16) {
			r->size = 0; /* llvm skips a single byte */
			return false;
		}
		r->size = 16;
		uint32_t hi = (uint32_t)b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16 |
			      (uint32_t)b[15] << 24;
		if (f->src == 0) {
			buf_printf(out->b, "r%u = ", f->dst);
			put_imm(out, (int64_t)((uint64_t)hi << 32 | (uint32_t)f->imm));
			buf_puts(out->b, " ll");
		} else {
			buf_printf(out->b, "ld_pseudo\tr%u, ", f->dst);
			put_imm(out, f->src);
			buf_puts(out->b, ", ");
			put_imm(out, (uint32_t)f->imm);
		}
		return true;
	}
	if (size == BPF_DW >> 3)
		return false;
	if (mode == BPF_ABS) {
		buf_printf(out->b, "r0 = *(%s *)skb[", utype[size]);
		put_imm(out, f->imm);
		buf_putc(out->b, ']');
		return true;
	}
	if (mode == BPF_IND && f->src <= 11) {
		buf_printf(out->b, "r0 = *(%s *)skb[r%u]", utype[size], f->src);
		return true;
	}
	return false;
}

struct disasm_result disasm_decode(const void *bytes, size_t len, uint64_t addr, unsigned flags,
				   struct buf *text)
{
	const uint8_t *b = bytes;
	struct pr pr = { text, flags & DISASM_DECIMAL }, *out = &pr;
	struct disasm_result r = { .size = 0 };
	if (len < 8) {
		buf_puts(out->b, "<unknown>");
		return r;
	}
	r.size = 8;
	struct fields f = {
		.op = b[0],
		.dst = b[1] & 0xf,
		.src = b[1] >> 4,
		.off = (int16_t)(uint16_t)(b[2] | b[3] << 8),
		.imm = (int32_t)((uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
				 (uint32_t)b[7] << 24),
	};
	size_t mark = text->len;
	bool ok;
	switch (BPF_CLASS(f.op)) {
	case BPF_ALU:
	case BPF_ALU64:
		ok = decode_alu(&f, out);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		ok = decode_jmp(&f, out, &r, addr);
		break;
	case BPF_LD:
		ok = decode_ld(&f, b, len, out, &r);
		break;
	default:
		ok = decode_mem(&f, flags & DISASM_ALU32, out);
	}
	if (!ok) {
		text->len = mark;
		buf_puts(out->b, "<unknown>");
		r.has_target = false;
	}
	r.valid = ok;
	return r;
}

unsigned disasm_insn(const struct bpf_insn *insns, size_t nslots, size_t idx, unsigned flags,
		     struct buf *out)
{
	W_ASSERT(idx < nslots);
	struct disasm_result r =
		disasm_decode(&insns[idx], (nslots - idx) * sizeof(*insns), idx * 8, flags, out);
	return r.size == 16 ? 2 : 1;
}

void disasm_insns(const struct bpf_insn *insns, size_t nslots, unsigned flags, struct buf *out)
{
	for (size_t i = 0; i < nslots;) {
		buf_printf(out, "%8zu:\t", i);
		i += disasm_insn(insns, nslots, i, flags, out);
		buf_putc(out, '\n');
	}
}

/* ---- section listings ---- */

struct sym_ent {
	uint64_t addr;
	const char *name;
	uint8_t type;
	size_t pos; /* for a stable order */
};

/* llvm-objdump sorts symbols by (address, name, type) and keeps file order
 * among equals. */
static int cmp_sym(const void *a, const void *b)
{
	const struct sym_ent *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

struct rel_ent {
	const struct disasm_reloc *r;
	size_t pos;
};

static int cmp_rel(const void *a, const void *b)
{
	const struct rel_ent *x = a, *y = b;
	if (x->r->offset != y->r->offset)
		return x->r->offset < y->r->offset ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static bool is_data_sym(uint8_t type)
{
	return type == STT_OBJECT || type == STT_COMMON;
}

/* llvm-objdump's dumpELFData: eight bytes a line, hex then printable ASCII. */
static void dump_data(const uint8_t *data, uint64_t index, uint64_t end, struct buf *out)
{
	while (index < end) {
		size_t n = (size_t)MIN((uint64_t)8, end - index);
		buf_printf(out, "%8" PRIx64 ":", index);
		char ascii[9] = { 0 };
		for (size_t i = 0; i < n; i++) {
			uint8_t c = data[index + i];
			buf_printf(out, " %02x", c);
			ascii[i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		buf_printf(out, "%*s         %s\n", (int)(3 * (8 - n)), "", ascii);
		index += n;
	}
}

/* The last symbol (in sorted order) at or before target. */
static const struct sym_ent *sym_before(const struct sym_ent *s, size_t n, uint64_t target)
{
	size_t lo = 0, hi = n; /* partition point of addr <= target */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s[mid].addr <= target)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &s[lo - 1] : NULL;
}

/* Zero bytes llvm-objdump skips at index: runs of at least 8, in multiples of 4. */
static uint64_t skippable_zeros(const uint8_t *p, uint64_t max)
{
	uint64_t n = 0;
	while (n < max && !p[n])
		n++;
	return n < 8 ? 0 : n & ~(uint64_t)3;
}

static void put_raw(struct buf *out, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_reserve(out, 3 * n);
	for (size_t i = 0; i < n; i++) {
		if (i)
			out->data[out->len++] = ' ';
		out->data[out->len++] = (unsigned char)hex[p[i] >> 4];
		out->data[out->len++] = (unsigned char)hex[p[i] & 15];
	}
}

/* Instructions of one chunk [index, end) between symbols. */
static void list_chunk(const struct disasm_section *sec, const struct sym_ent *syms, size_t nsyms,
		       const struct rel_ent *rels, size_t nrels, size_t *rel_cur, uint64_t index,
		       uint64_t end, unsigned flags, struct buf *text, struct buf *out)
{
	bool show_relocs = !(flags & DISASM_NO_RELOCS);

	while (*rel_cur < nrels && rels[*rel_cur].r->offset < index)
		++*rel_cur;
	while (index < end) {
		uint64_t max = end - index;
		if (show_relocs && *rel_cur < nrels)
			max = MIN(rels[*rel_cur].r->offset - index, max);
		uint64_t zeros = skippable_zeros(sec->data + index, max);
		if (zeros) {
			buf_puts(out, "\t\t...\n");
			index += zeros;
			continue;
		}
		buf_printf(out, "%8" PRId64 ":", (int64_t)(index / 8));
		/* like llvm, decode from the rest of the section, not just the chunk */
		text->len = 0;
		struct disasm_result r =
			disasm_decode(sec->data + index, sec->size - index, index, flags, text);
		uint64_t size = r.size ? r.size : 1;
		if (!(flags & DISASM_NO_RAW)) {
			buf_putc(out, '\t');
			put_raw(out, sec->data + index, (size_t)size);
		}
		buf_putc(out, '\t');
		buf_append(out, text->data, text->len);
		if (r.valid && r.has_target) {
			const struct sym_ent *t = sym_before(syms, nsyms, r.target);
			if (t && t->addr == r.target)
				buf_printf(out, " <%s>", t->name);
			else if (t)
				buf_printf(out, " <%s+0x%" PRIx64 ">", t->name, r.target - t->addr);
		}
		buf_putc(out, '\n');
		if (show_relocs) {
			/* the first CO-RE note at exactly this address, as llvm looks it up */
			const struct disasm_note *nt = sec->notes;
			size_t lo = 0, hi = sec->nnotes;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (nt[mid].offset < index)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < sec->nnotes && nt[lo].offset == index)
				buf_printf(out, "\t\t%016" PRIx64 ":  %s\n", index, nt[lo].text);
		}
		while (show_relocs && *rel_cur < nrels) {
			const struct disasm_reloc *rel = rels[*rel_cur].r;
			if (rel->offset >= index + size)
				break;
			if (rel->offset >= index)
				buf_printf(out, "\t\t%016" PRIx64 ":  %s\t%s\n", rel->offset,
					   rel->type, rel->value);
			++*rel_cur;
		}
		index += size;
	}
}

void disasm_section(const struct disasm_section *sec, unsigned flags, struct buf *out)
{
	if (!sec->size)
		return;
	struct sym_ent *syms = xcalloc(sec->nsyms + 1, sizeof(*syms));
	size_t n = 0;
	bool at_start = false;
	for (size_t i = 0; i < sec->nsyms; i++) {
		const struct disasm_sym *s = &sec->syms[i];
		if (!s->name || !*s->name || s->type == STT_SECTION || s->type == STT_FILE)
			continue;
		syms[n] = (struct sym_ent){ s->addr, s->name, s->type, n };
		at_start |= s->addr == 0;
		n++;
	}
	if (!at_start) /* llvm makes up a symbol named after the section */
		syms[n] = (struct sym_ent){ 0, sec->name, STT_FUNC, n }, n++;
	qsort(syms, n, sizeof(*syms), cmp_sym);

	struct rel_ent *rels = xcalloc(sec->nrelocs + 1, sizeof(*rels));
	for (size_t i = 0; i < sec->nrelocs; i++)
		rels[i] = (struct rel_ent){ &sec->relocs[i], i };
	qsort(rels, sec->nrelocs, sizeof(*rels), cmp_rel);
	size_t rel_cur = 0;

	bool printed_header = false;
	struct buf text = { 0 };
	for (size_t si = 0; si < n;) {
		size_t first = si;
		uint64_t start = syms[si].addr;
		while (si < n && syms[si].addr == start)
			si++;
		/* one label per address: the last non-data symbol, else the last */
		size_t shown = si - 1;
		bool as_data = true;
		for (size_t i = first; i < si; i++) {
			if (!is_data_sym(syms[i].type)) {
				as_data = false;
				shown = i;
			}
		}
		uint64_t end = sec->size;
		if (si < n)
			end = MIN(end, syms[si].addr);
		if (start >= end)
			continue;
		if (!printed_header) {
			buf_printf(out, "\nDisassembly of section %s:\n", sec->name);
			printed_header = true;
		}
		buf_printf(out, "\n%016" PRIx64 " <%s>:\n", start, syms[shown].name);
		if (as_data) {
			dump_data(sec->data, start, end, out);
			continue;
		}
		list_chunk(sec, syms, n, rels, sec->nrelocs, &rel_cur, start, end, flags, &text,
			   out);
	}
	buf_free(&text);
	free(rels);
	free(syms);
}
