/* Assembly text of a BPF object, as `clang -S` writes it for BPF: sections,
 * symbols with their .type/.size, instructions in the pseudo-C syntax, data as
 * .byte/.zero, and .BTF with `# BTF_KIND_X(id = N)` comments on each type
 * record (tools such as bpftool's feature probe look for them). */
#include "backend/object.h"
#include "backend/disasm.h"
#include "elf/elf_bpf.h"
#include "elf/elfr.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
	"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE",
	"CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG",
	"TYPE_TAG", "ENUM64",
};

/* Bytes of a BTF type record (header + kind data). */
static size_t btf_record_size(const struct btf_type *t)
{
	unsigned vlen = BTF_INFO_VLEN(t->info);
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: return sizeof(*t) + 4;
	case BTF_KIND_ARRAY: return sizeof(*t) + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: return sizeof(*t) + vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM: return sizeof(*t) + vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64: return sizeof(*t) + vlen * 12;
	case BTF_KIND_FUNC_PROTO: return sizeof(*t) + vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR: return sizeof(*t) + 4;
	case BTF_KIND_DATASEC: return sizeof(*t) + vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG: return sizeof(*t) + 4;
	default: return sizeof(*t);
	}
}

static void emit_btf(const uint8_t *data, size_t size, struct buf *out)
{
	const struct btf_header *h = (const void *)data;
	buf_puts(out, "\t.section\t.BTF,\"\",@progbits\n");
	if (size < sizeof(*h) || h->hdr_len > size || (uint64_t)h->hdr_len + h->type_off + h->type_len > size) {
		for (size_t i = 0; i < size; i++)
			buf_printf(out, "\t.byte\t%u\n", data[i]);
		return;
	}
	buf_printf(out, "\t.short\t%u\t# 0x%x\n\t.byte\t%u\n\t.byte\t%u\n", h->magic, h->magic, h->version,
		   h->flags);
	for (size_t o = 4; o < h->hdr_len; o += 4)
		buf_printf(out, "\t.long\t%u\n", *(const uint32_t *)(data + o));
	const uint8_t *types = data + h->hdr_len + h->type_off;
	uint32_t id = 1;
	for (size_t o = 0; o + sizeof(struct btf_type) <= h->type_len; id++) {
		const struct btf_type *t = (const void *)(types + o);
		size_t n = btf_record_size(t);
		unsigned kind = BTF_INFO_KIND(t->info);
		for (size_t w = 0; w < n && o + w + 4 <= h->type_len; w += 4) {
			uint32_t v = *(const uint32_t *)(types + o + w);
			buf_printf(out, "\t.long\t%u", v);
			if (w == 0)
				buf_printf(out, "\t# BTF_KIND_%s(id = %u)",
					   kind < ARRAY_LEN(kind_names) ? kind_names[kind] : "UNKN", id);
			else if (v > 9)
				buf_printf(out, "\t# 0x%x", v);
			buf_putc(out, '\n');
		}
		o += n;
	}
	const char *strs = (const char *)data + h->hdr_len + h->str_off;
	for (uint32_t o = 0; o < h->str_len;) {
		size_t n = strnlen(strs + o, h->str_len - o);
		buf_printf(out, "\t.ascii\t\"%.*s\\000\"\t# string offset=%u\n", (int)n, strs + o, o);
		o += (uint32_t)n + 1;
	}
}

int bk_object_asm(const void *obj, size_t len, const char *source, struct buf *out)
{
	struct elfr *r;
	char err[256];
	if (elfr_open(obj, len, &r, err, sizeof(err)))
		return -1;
	buf_puts(out, "\t.text\n");
	if (source)
		buf_printf(out, "\t.file\t\"%s\"\n", source);
	for (size_t si = 1; si < elfr_section_count(r); si++) {
		const struct elfr_section *sec = elfr_section(r, si);
		if (sec->type == SHT_SYMTAB || sec->type == SHT_STRTAB || sec->type == SHT_REL)
			continue;
		if (!strcmp(sec->name, ".BTF")) {
			emit_btf(sec->data, sec->size, out);
			continue;
		}
		bool code = sec->flags & SHF_EXECINSTR;
		buf_printf(out, "\t.section\t%s,\"%s%s%s\",@%s\n", sec->name, sec->flags & SHF_ALLOC ? "a" : "",
			   sec->flags & SHF_WRITE ? "w" : "", code ? "x" : "",
			   sec->type == SHT_NOBITS ? "nobits" : "progbits");
		/* symbols defined in this section, in address order */
		for (uint64_t off = 0; off < sec->size || (off == 0 && sec->size == 0);) {
			const struct elfr_symbol *at = NULL;
			uint64_t next = sec->size;
			for (size_t k = 1; k < elfr_symbol_count(r); k++) {
				const struct elfr_symbol *s = elfr_symbol(r, k);
				if (s->shndx != si || s->type == STT_SECTION || !s->name[0])
					continue;
				if (s->value == off && !at)
					at = s;
				else if (s->value > off && s->value < next)
					next = s->value;
			}
			uint64_t end = at && at->size ? MIN(off + at->size, sec->size) : next;
			if (end <= off)
				end = sec->size;
			if (at) {
				if (at->bind != STB_LOCAL)
					buf_printf(out, "\t.globl\t%s\n", at->name);
				buf_printf(out, "\t.p2align\t3\n\t.type\t%s,@%s\n%s:\n", at->name,
					   at->type == STT_FUNC ? "function" : "object", at->name);
			}
			if (code) {
				const struct bpf_insn *ins = (const void *)(sec->data + off);
				size_t n = (size_t)(end - off) / 8;
				for (size_t i = 0; i < n;) {
					buf_putc(out, '\t');
					i += disasm_insn(ins, n, i, DISASM_ALU32 | DISASM_DECIMAL, out);
					buf_putc(out, '\n');
				}
			} else if (sec->type == SHT_NOBITS || !sec->data) {
				buf_printf(out, "\t.zero\t%llu\n", (unsigned long long)(end - off));
			} else {
				for (uint64_t i = off; i < end; i++)
					buf_printf(out, "\t.byte\t%u\n", sec->data[i]);
			}
			if (at)
				buf_printf(out, "\t.size\t%s, %llu\n", at->name, (unsigned long long)(end - off));
			if (end == off)
				break;
			off = end;
		}
		const struct elfr_reloc *rel;
		size_t nr = elfr_relocs(r, si, &rel);
		for (size_t k = 0; k < nr; k++)
			buf_printf(out, "\t# relocation at %llu: %s %s\n", (unsigned long long)rel[k].offset,
				   elfr_reloc_type_name(rel[k].type), elfr_symbol(r, rel[k].sym)->name);
	}
	elfr_close(r);
	return 0;
}
