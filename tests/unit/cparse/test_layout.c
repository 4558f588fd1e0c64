/* Record layouts: the vmlinux.h bpftool writes from /sys/kernel/btf/vmlinux,
 * parsed and laid out by us, against the same records served from BTF
 * (-fwhistler-btf-types): same size, alignment, member names, offsets and
 * bit-field widths, nested anonymous records included.  (Against clang-19,
 * bench/layout-compare checks every record's layout: ctest cc.layouts.) */
#include "helpers.h"

#include "btf/btf.h"
#include "frontend/c/cbtf.h"
#include "util/fileio.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

struct cmp {
	uint64_t members; /* compared, nested ones included */
	char why[512];
};

static const struct ctype *strip_arrays(const struct ctype *t)
{
	while (t->kind == TY_ARRAY)
		t = t->u.arr.elem;
	return t;
}

static bool is_padding(const struct cmember *m)
{
	return !m->name && (m->flags & CMF_BITFIELD); /* bpftool's `long: 64;` */
}

/* Compares record a (from vmlinux.h) with b (served from BTF). */
static bool same_layout(struct cmp *c, struct crecord *a, struct crecord *b, const char *path)
{
	crecord_complete(a);
	crecord_complete(b);
	crecord_layout(a);
	crecord_layout(b);
	if ((a->flags & CRF_UNION) != (b->flags & CRF_UNION) || a->size != b->size ||
	    a->align != b->align) {
		snprintf(c->why, sizeof(c->why),
			 "%s: %s size %llu align %u in vmlinux.h, %s size %llu align %u from BTF",
			 path, a->flags & CRF_UNION ? "union" : "struct",
			 (unsigned long long)a->size, a->align,
			 b->flags & CRF_UNION ? "union" : "struct", (unsigned long long)b->size,
			 b->align);
		return false;
	}
	uint32_t j = 0;
	for (uint32_t i = 0; i < a->nmembers; i++) {
		struct cmember *m = &a->members[i];
		if (is_padding(m))
			continue;
		while (j < b->nmembers && is_padding(&b->members[j]))
			j++;
		if (j >= b->nmembers) {
			snprintf(c->why, sizeof(c->why), "%s: BTF has fewer members", path);
			return false;
		}
		struct cmember *n = &b->members[j++];
		const char *an = m->name ? m->name->name : "", *bn = n->name ? n->name->name : "";
		uint32_t aw = m->flags & CMF_BITFIELD ? m->bit_width : 0;
		uint32_t bw = n->flags & CMF_BITFIELD ? n->bit_width : 0;
		if (strcmp(an, bn) || m->bit_offset != n->bit_offset || aw != bw ||
		    ctype_size(m->type) != ctype_size(n->type) ||
		    ctype_align(m->type) != ctype_align(n->type)) {
			snprintf(c->why, sizeof(c->why),
				 "%s: member '%s' at bit %llu (width %u, size %llu, align %u) in "
				 "vmlinux.h, '%s' at %llu (%u, %llu, %u) from BTF",
				 path, an, (unsigned long long)m->bit_offset, aw,
				 (unsigned long long)ctype_size(m->type), ctype_align(m->type), bn,
				 (unsigned long long)n->bit_offset, bw,
				 (unsigned long long)ctype_size(n->type), ctype_align(n->type));
			return false;
		}
		c->members++;
		const struct ctype *mt = strip_arrays(m->type), *nt = strip_arrays(n->type);
		if (ctype_is_record(mt) && !mt->u.rec->tag && ctype_is_record(nt)) {
			char *sp = xasprintf("%s.%s", path, *an ? an : "(anon)");
			bool ok = same_layout(c, mt->u.rec, nt->u.rec, sp);
			free(sp);
			if (!ok)
				return false;
		}
	}
	while (j < b->nmembers && is_padding(&b->members[j]))
		j++;
	if (j != b->nmembers) {
		snprintf(c->why, sizeof(c->why), "%s: BTF has more members", path);
		return false;
	}
	return true;
}

/* A member (by value, at any depth) whose type this machine's bpftool
 * cannot write: an enum of other than 4 bytes (`enum x : u8`, packed enums)
 * comes out as a plain 4-byte enum, and x86's va_list as BPF's void *.
 * Newer bpftool writes them right, BTF-served types have them right. */
static bool bpftool_quirk(const struct crecord *r)
{
	for (uint32_t i = 0; i < r->nmembers; i++) {
		const struct ctype *t = r->members[i].type;
		for (const struct ctype *s = t; s; s = s->sugar ? s->base : NULL)
			if (s->sugar == CS_TYPEDEF && !strcmp(s->s.tdef->name->name, "va_list"))
				return true;
		t = strip_arrays(t);
		if (t->kind == TY_ENUM && ctype_size(t) != 4)
			return true;
		if (ctype_is_record(t) && bpftool_quirk(t->u.rec))
			return true;
	}
	return false;
}

static void need_kernel_btf(void)
{
	if (access(VMLINUX_BTF, R_OK))
		cr_skip_test("%s is not readable: no kernel BTF to compare with", VMLINUX_BTF);
}

Test(layout, vmlinux_h_and_btf_served_records_agree, .timeout = 600)
{
	need_kernel_btf();
	if (!tp_have("bpftool"))
		cr_skip_test("bpftool is not installed: cannot write vmlinux.h");
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/test_layout.%d", (int)getpid());
	char *cmd = xasprintf("mkdir -p %s && bpftool btf dump file " VMLINUX_BTF
			      " format c >%s/vmlinux.h",
			      dir, dir);
	cr_assert_eq(tp_run(cmd, NULL), 0, "%s failed", cmd);
	free(cmd);
	char *src = xasprintf("%s/t.c", dir);
	const char *text = "#include \"vmlinux.h\"\n";
	cr_assert_eq(file_write_atomic(src, text, strlen(text)), 0);

	struct tparse h, s;
	tp_parse_file(&h, src, NULL, NULL);
	cr_assert_eq(h.d.errors, 0, "vmlinux.h does not parse:\n%.2000s", buf_cstr(&h.errs));
	ctu_complete_records(h.tu);
	struct cparse_options o = { .btf_types = true };
	tp_parse(&s, "int x;\n", &o);
	cr_assert_eq(s.d.errors, 0, "%s", buf_cstr(&s.errs));
	struct cbtf *b = s.tu->btf;
	cr_assert(b);
	struct wbtf *btf;
	cr_assert_eq(wbtf_load_raw_file(VMLINUX_BTF, NULL, &btf), 0, "%s", wbtf_last_error());

	struct cmp c = { 0 };
	uint32_t n = 0, failed = 0, dup = 0, quirks = 0;
	for (uint32_t i = 0; i < h.tu->records.len; i++) {
		struct crecord *r = h.tu->records.data[i];
		if (!r->tag)
			continue; /* reached through the named record holding it */
		const char *name = r->tag->name;
		int kind = r->flags & CRF_UNION ? BTF_KIND_UNION : BTF_KIND_STRUCT;
		int32_t id = wbtf_find_by_name_kind(btf, name, kind);
		if (strstr(name, "___") || id <= 0) {
			dup++; /* bpftool's x___2 for a second `struct x` */
			continue;
		}
		struct ctype *t = cbtf_type(b, (uint32_t)id);
		cr_assert(ctype_is_record(t), "BTF [%d] %s: %s", id, name,
			  cbtf_error(b) ? cbtf_error(b) : "not a record");
		crecord_complete(t->u.rec);
		if (bpftool_quirk(t->u.rec)) {
			quirks++;
			continue;
		}
		n++;
		if (!same_layout(&c, r, t->u.rec, name) && failed++ < 10)
			fprintf(stderr, "layout differs: %s\n", c.why);
	}
	fprintf(stderr,
		"layout: %u named structs/unions of vmlinux.h (%llu members, nested anonymous "
		"records included) have the layout of the same records served from BTF; %u "
		"differ; not compared: %u renamed by bpftool (x___2), %u holding an enum of "
		"other than 4 bytes or a va_list (this bpftool writes them wrong)\n",
		n - failed, (unsigned long long)c.members, failed, dup, quirks);
	cr_assert_eq(failed, 0);
	cr_assert_gt(n, 1000);
	wbtf_free(btf);
	tp_free(&s);
	tp_free(&h);
	cmd = xasprintf("rm -rf %s", dir);
	tp_run(cmd, NULL);
	free(cmd);
	free(src);
}
