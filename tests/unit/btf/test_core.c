/* CO-RE: relocations of a clang object resolved against the running kernel's
 * BTF and checked against member offsets read from bpftool's text dump of it;
 * every relocation kind on hand-built local/target pairs (flavours, anonymous
 * members, arrays, bitfields, enums, missing targets, ambiguity); the access
 * string builder. */
#include "helpers.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- bpftool's text as an independent view of the kernel's types ---- */

struct text_btf {
	char *text;
	char **line; /* by type id: the "[id] ..." line (members follow) */
	uint32_t n;
};

static void text_load(struct text_btf *tb)
{
	struct buf out = { 0 };
	cr_assert_eq(th_run("bpftool btf dump file /sys/kernel/btf/vmlinux", &out), 0);
	tb->text = buf_steal(&out);
	tb->line = xcalloc(1 << 20, sizeof(char *));
	for (char *p = tb->text; p && *p;) {
		char *next = strchr(p, '\n');
		if (next)
			*next++ = 0; /* first: sscanf would scan the whole rest */
		unsigned id;
		if (*p == '[' && sscanf(p, "[%u]", &id) == 1 && id < (1 << 20)) {
			tb->line[id] = p;
			tb->n = MAX(tb->n, id + 1);
		}
		p = next;
	}
}

static uint32_t text_find(struct text_btf *tb, const char *kind, const char *name)
{
	char want[256];
	snprintf(want, sizeof(want), "%s '%s'", kind, name);
	for (uint32_t id = 1; id < tb->n; id++)
		if (tb->line[id] && !strncmp(strchr(tb->line[id], ' ') + 1, want, strlen(want)) &&
		    strchr(tb->line[id], ' ')[1 + strlen(want)] == ' ')
			return id;
	return 0;
}

static unsigned field(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	cr_assert(p, "'%s' in '%s'", key, line);
	return (unsigned)strtoul(p + strlen(key), NULL, 10);
}

/* Byte size of a type from its text line (typedefs, modifiers, arrays). */
static uint64_t text_size(struct text_btf *tb, uint32_t id)
{
	const char *l = tb->line[id];
	char kind[32];
	sscanf(strchr(l, ' ') + 1, "%31s", kind);
	if (!strcmp(kind, "PTR"))
		return 8;
	if (!strcmp(kind, "TYPEDEF") || !strcmp(kind, "CONST") || !strcmp(kind, "VOLATILE"))
		return text_size(tb, field(l, "type_id="));
	if (!strcmp(kind, "ARRAY"))
		return field(l, "nr_elems=") * text_size(tb, field(l, "type_id="));
	return field(l, "size=");
}

/* The member line "\t'name' type_id=.. bits_offset=.." of struct id. */
static const char *text_member(struct text_btf *tb, uint32_t id, const char *name)
{
	char want[128];
	snprintf(want, sizeof(want), "\t'%s' ", name);
	const char *p = tb->line[id];
	unsigned vlen = field(p, "vlen=");
	for (unsigned i = 0; i < vlen; i++) {
		p += strlen(p) + 1;
		if (!strncmp(p, want, strlen(want)))
			return p;
	}
	return NULL;
}

Test(core, clang_object_against_running_kernel)
{
	if (!th_have("clang-19") || !th_have("bpftool") || !th_vmlinux_h_dir())
		cr_skip_test("needs clang-19, bpftool and /sys/kernel/btf/vmlinux");
	char *obj = th_clang("core.c", NULL);
	struct wbtf_ext ext;
	struct wbtf *local = th_load_obj_btf(obj, &ext), *kern;
	cr_assert_eq(wbtf_load_vmlinux(&kern), 0, "%s", wbtf_last_error());
	struct text_btf tb = { 0 };
	text_load(&tb);
	uint32_t task = text_find(&tb, "STRUCT", "task_struct");
	uint32_t pidt = text_find(&tb, "ENUM", "pid_type");
	cr_assert(task && pidt);

	unsigned checked = 0;
	const struct wbtf_ext_sec *sec = &ext.secs[0];
	for (uint32_t i = 0; i < sec->nr_core; i++) {
		const struct wbtf_core_relo *r = &sec->core[i];
		struct wbtf_core_res res;
		int rc = wbtf_core_resolve(local, r, kern, &res);
		const char *acc = wbtf_str(local, r->access_str_off);
		const char *lname = wbtf_name(local, r->type_id);
		uint64_t want;
		cr_assert_geq(rc, 0, "relo %u (%s %s %s): %s", i, wbtf_core_kind_name(r->kind),
			      lname, acc, wbtf_last_error());
		if (r->kind <= BPF_CORE_FIELD_RSHIFT_U64) {
			/* "0:N": member N of the local struct, looked up by name */
			unsigned n;
			cr_assert_eq(sscanf(acc, "0:%u", &n), 1);
			const struct btf_type *lt = wbtf_type_by_id(local, r->type_id);
			const char *mname = wbtf_str(local, wbtf_members(lt)[n].name_off);
			const char *m = text_member(&tb, task, mname);
			if (r->kind == BPF_CORE_FIELD_EXISTS) {
				cr_assert_eq(res.new_val, m != NULL, "%s.%s exists", lname, mname);
				checked++;
				continue;
			}
			cr_assert(m, "kernel task_struct has '%s'", mname);
			uint64_t bit_off = field(m, "bits_offset="), bit_sz = 0;
			uint64_t type_sz = text_size(&tb, field(m, "type_id="));
			uint64_t byte_sz = type_sz, byte_off = bit_off / 8;
			if (strstr(m, "bitfield_size=")) {
				bit_sz = field(m, "bitfield_size=");
				byte_off = bit_off / 8 / byte_sz * byte_sz;
				while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
					byte_sz *= 2;
					byte_off = bit_off / 8 / byte_sz * byte_sz;
				}
			} else {
				bit_sz = byte_sz * 8;
			}
			switch (r->kind) {
			case BPF_CORE_FIELD_BYTE_OFFSET:
				want = byte_off;
				break;
			case BPF_CORE_FIELD_BYTE_SIZE:
				want = byte_sz;
				break;
			case BPF_CORE_FIELD_LSHIFT_U64:
				want = 64 - (bit_off + bit_sz - byte_off * 8);
				break;
			case BPF_CORE_FIELD_RSHIFT_U64:
				want = 64 - bit_sz;
				break;
			default: /* signed: in_execve is unsigned */
				want = 0;
			}
			cr_assert_eq(res.new_val, want, "%s %s.%s: %llu, kernel text says %llu",
				     wbtf_core_kind_name(r->kind), lname, mname,
				     (unsigned long long)res.new_val, (unsigned long long)want);
		} else if (r->kind == BPF_CORE_TYPE_ID_TARGET) {
			cr_assert_eq(res.new_val, task);
		} else if (r->kind == BPF_CORE_TYPE_ID_LOCAL) {
			cr_assert_eq(res.new_val, r->type_id);
		} else if (r->kind == BPF_CORE_TYPE_SIZE) {
			cr_assert_eq(res.new_val, field(tb.line[task], "size="));
		} else if (r->kind == BPF_CORE_TYPE_EXISTS) {
			cr_assert_eq(res.new_val, 1, "%s %s", wbtf_core_kind_name(r->kind), lname);
		} else if (r->kind == BPF_CORE_TYPE_MATCHES) {
			/* clang names ints "unsigned long", the kernel "long unsigned
			 * int": whole vmlinux.h structs need not match by name */
			cr_assert_leq(res.new_val, 1);
		} else if (r->kind == BPF_CORE_ENUMVAL_VALUE) {
			const char *m = text_member(&tb, pidt, "PIDTYPE_SID");
			cr_assert_eq(res.new_val, field(m, "val="));
		} else if (r->kind == BPF_CORE_ENUMVAL_EXISTS) {
			cr_assert_eq(res.new_val, 1,
				     "%s: flavoured enum matches by essential names", lname);
		}
		cr_assert_eq(res.poison, false);
		checked++;
	}
	cr_assert_geq(checked, 20);
	free(tb.text);
	free(tb.line);
	free(obj);
	wbtf_ext_free(&ext);
	wbtf_free(local);
	wbtf_free(kern);
}

/* ---- hand-built local and target ---- */

struct pair {
	struct wbtf *l, *t;
	int32_t foo, bar, e, foo_t, e_t, bar_t;
};

/* local:  struct foo { int a; struct { char b[10]; union { int c; unsigned d:3; }; };
 *                      long e; unsigned f:5; enum E g; int zz; };
 *         struct bar___v2 { int x; };  enum E { X = 1, Y = 2, Q = 3 };
 * target: struct foo { long pad; long e; struct { union { unsigned d:3; int c; };
 *                      char b[20]; }; int a; unsigned long long f:12; enum E g; };
 *         struct bar { int x; long y; };  enum E (ENUM64) { Y = -7, X = 1 } */
static struct pair make_pair(void)
{
	struct pair p;
	struct wbtf *l = p.l = wbtf_new();
	int32_t li = wbtf_add_int(l, "int", 4, BTF_INT_SIGNED),
		lu = wbtf_add_int(l, "unsigned int", 4, 0);
	int32_t lc = wbtf_add_int(l, "char", 1, BTF_INT_CHAR),
		ll = wbtf_add_int(l, "long", 8, BTF_INT_SIGNED);
	int32_t la = wbtf_add_array(l, (uint32_t)lc, (uint32_t)li, 10);
	p.e = wbtf_add_enum(l, "E", 4, false);
	wbtf_add_enum_value(l, "X", 1);
	wbtf_add_enum_value(l, "Y", 2);
	wbtf_add_enum_value(l, "Q", 3);
	int32_t lun = wbtf_add_union(l, NULL, 4);
	wbtf_add_member(l, "c", (uint32_t)li, 0, 0);
	wbtf_add_member(l, "d", (uint32_t)lu, 0, 3);
	int32_t lan = wbtf_add_struct(l, NULL, 16);
	wbtf_add_member(l, "b", (uint32_t)la, 0, 0);
	wbtf_add_member(l, NULL, (uint32_t)lun, 96, 0);
	p.foo = wbtf_add_struct(l, "foo", 48);
	wbtf_add_member(l, "a", (uint32_t)li, 0, 0);
	wbtf_add_member(l, NULL, (uint32_t)lan, 32, 0);
	wbtf_add_member(l, "e", (uint32_t)ll, 192, 0);
	wbtf_add_member(l, "f", (uint32_t)lu, 256, 5);
	wbtf_add_member(l, "g", (uint32_t)p.e, 288, 0);
	wbtf_add_member(l, "zz", (uint32_t)li, 320, 0);
	p.bar = wbtf_add_struct(l, "bar___v2", 4);
	wbtf_add_member(l, "x", (uint32_t)li, 0, 0);
	cr_assert_eq(wbtf_validate(l), 0, "%s", wbtf_last_error());

	struct wbtf *t = p.t = wbtf_new();
	int32_t ti = wbtf_add_int(t, "int", 4, BTF_INT_SIGNED),
		tu = wbtf_add_int(t, "unsigned int", 4, 0);
	int32_t tc = wbtf_add_int(t, "char", 1, BTF_INT_CHAR),
		tl = wbtf_add_int(t, "long", 8, BTF_INT_SIGNED);
	int32_t tull = wbtf_add_int(t, "unsigned long long", 8, 0);
	int32_t ta = wbtf_add_array(t, (uint32_t)tc, (uint32_t)ti, 20);
	p.e_t = wbtf_add_enum64(t, "E", 8, true);
	wbtf_add_enum_value(t, "Y", -7);
	wbtf_add_enum_value(t, "X", 1);
	int32_t tun = wbtf_add_union(t, NULL, 4);
	wbtf_add_member(t, "d", (uint32_t)tu, 0, 3);
	wbtf_add_member(t, "c", (uint32_t)ti, 0, 0);
	int32_t tan = wbtf_add_struct(t, NULL, 24);
	wbtf_add_member(t, NULL, (uint32_t)tun, 0, 0);
	wbtf_add_member(t, "b", (uint32_t)ta, 32, 0);
	int32_t cst = wbtf_add_const(t, (uint32_t)tan);
	p.foo_t = wbtf_add_struct(t, "foo", 64);
	wbtf_add_member(t, "pad", (uint32_t)tl, 0, 0);
	wbtf_add_member(t, "e", (uint32_t)tl, 64, 0);
	wbtf_add_member(t, NULL, (uint32_t)cst, 128, 0);
	wbtf_add_member(t, "a", (uint32_t)ti, 320, 0);
	wbtf_add_member(t, "f", (uint32_t)tull, 358, 12);
	wbtf_add_member(t, "g", (uint32_t)p.e_t, 384, 0);
	p.bar_t = wbtf_add_struct(t, "bar", 16);
	wbtf_add_member(t, "x", (uint32_t)ti, 0, 0);
	wbtf_add_member(t, "y", (uint32_t)tl, 64, 0);
	cr_assert_eq(wbtf_validate(t), 0, "%s", wbtf_last_error());
	return p;
}

static int resolve(struct pair *p, uint32_t type, const char *acc, unsigned kind,
		   struct wbtf_core_res *res)
{
	struct wbtf_core_relo r = { 0, type, (uint32_t)wbtf_add_str(p->l, acc), kind };
	return wbtf_core_resolve(p->l, &r, p->t, res);
}

static uint64_t val(struct pair *p, uint32_t type, const char *acc, unsigned kind)
{
	struct wbtf_core_res res;
	int rc = resolve(p, type, acc, kind, &res);
	cr_assert_eq(rc, 0, "%s %s: %d %s", wbtf_core_kind_name(kind), acc, rc, wbtf_last_error());
	return res.new_val;
}

Test(core, fields)
{
	struct pair p = make_pair();
	uint32_t foo = (uint32_t)p.foo;
	cr_assert_eq(val(&p, foo, "0:0", BPF_CORE_FIELD_BYTE_OFFSET), 40);     /* a */
	cr_assert_eq(val(&p, foo, "0:1:0", BPF_CORE_FIELD_BYTE_OFFSET), 20);   /* b */
	cr_assert_eq(val(&p, foo, "0:1:0:3", BPF_CORE_FIELD_BYTE_OFFSET), 23); /* b[3] */
	cr_assert_eq(val(&p, foo, "0:1:0", BPF_CORE_FIELD_BYTE_SIZE), 20);
	cr_assert_eq(val(&p, foo, "0:1:1:0", BPF_CORE_FIELD_BYTE_OFFSET), 16); /* c */
	cr_assert_eq(val(&p, foo, "0:1:1:0", BPF_CORE_FIELD_SIGNED), 1);
	cr_assert_eq(val(&p, foo, "0:2", BPF_CORE_FIELD_BYTE_OFFSET), 8);      /* e */
	cr_assert_eq(val(&p, foo, "1:2", BPF_CORE_FIELD_BYTE_OFFSET), 64 + 8); /* foo[1].e */
	cr_assert_eq(val(&p, foo, "0:2", BPF_CORE_FIELD_EXISTS), 1);
	cr_assert_eq(val(&p, foo, "0:4", BPF_CORE_FIELD_SIGNED), 1); /* g: signed enum64 */
	cr_assert_eq(val(&p, foo, "0:4", BPF_CORE_FIELD_BYTE_SIZE), 8);
	/* bitfield d: 3 bits at bit 128 of target (16 bytes in), in a 4-byte unit */
	cr_assert_eq(val(&p, foo, "0:1:1:1", BPF_CORE_FIELD_BYTE_OFFSET), 16);
	cr_assert_eq(val(&p, foo, "0:1:1:1", BPF_CORE_FIELD_BYTE_SIZE), 4);
	cr_assert_eq(val(&p, foo, "0:1:1:1", BPF_CORE_FIELD_LSHIFT_U64), 61);
	cr_assert_eq(val(&p, foo, "0:1:1:1", BPF_CORE_FIELD_RSHIFT_U64), 61);
	cr_assert_eq(val(&p, foo, "0:1:1:1", BPF_CORE_FIELD_SIGNED), 0);
	/* bitfield f: 12 bits at bit 358 of an 8-byte unit: byte 40, shifts */
	cr_assert_eq(val(&p, foo, "0:3", BPF_CORE_FIELD_BYTE_OFFSET), 40);
	cr_assert_eq(val(&p, foo, "0:3", BPF_CORE_FIELD_BYTE_SIZE), 8);
	cr_assert_eq(val(&p, foo, "0:3", BPF_CORE_FIELD_LSHIFT_U64), 64 - (358 + 12 - 320));
	cr_assert_eq(val(&p, foo, "0:3", BPF_CORE_FIELD_RSHIFT_U64), 52);
	/* the local (compiler) values come along */
	struct wbtf_core_res res;
	cr_assert_eq(resolve(&p, foo, "0:1:0:3", BPF_CORE_FIELD_BYTE_OFFSET, &res), 0);
	cr_assert_eq(res.orig_val, 7);
	cr_assert_eq(res.nr_cands, 1);
	/* a missing field: exists = 0, offset unresolvable (poison) */
	cr_assert_eq(val(&p, foo, "0:5", BPF_CORE_FIELD_EXISTS), 0);
	cr_assert_eq(resolve(&p, foo, "0:5", BPF_CORE_FIELD_BYTE_OFFSET, &res),
		     WBTF_CORE_UNRESOLVED);
	cr_assert(res.poison);
	/* an index past the target's array: no match */
	cr_assert_eq(resolve(&p, foo, "0:1:0:9", BPF_CORE_FIELD_BYTE_OFFSET, &res), 0);
	cr_assert_eq(resolve(&p, foo, "0:1:0:10", BPF_CORE_FIELD_BYTE_OFFSET, &res), -EINVAL,
		     "past the local array");
	/* malformed access strings */
	cr_assert_eq(resolve(&p, foo, "0:9", BPF_CORE_FIELD_BYTE_OFFSET, &res), -EINVAL);
	cr_assert(strstr(wbtf_last_error(), "member index out of range"), "%s", wbtf_last_error());
	cr_assert_eq(resolve(&p, foo, "0:x", BPF_CORE_FIELD_BYTE_OFFSET, &res), -EINVAL);
	cr_assert_eq(resolve(&p, foo, "0:0:1", BPF_CORE_FIELD_BYTE_OFFSET, &res), -EINVAL);
	wbtf_free(p.l);
	wbtf_free(p.t);
}

Test(core, memsz_adjust_flag)
{
	struct pair p = make_pair();
	struct wbtf_core_res res;
	/* e: long in both, same size */
	cr_assert_eq(resolve(&p, (uint32_t)p.foo, "0:2", BPF_CORE_FIELD_BYTE_OFFSET, &res), 0);
	cr_assert_eq(res.orig_sz, 8);
	cr_assert_eq(res.new_sz, 8);
	cr_assert(!res.fail_memsz_adjust);
	/* g: 4-byte enum locally, 8-byte enum64 in the target: not an int */
	cr_assert_eq(resolve(&p, (uint32_t)p.foo, "0:4", BPF_CORE_FIELD_BYTE_OFFSET, &res), 0);
	cr_assert_eq(res.new_sz, 8);
	cr_assert(res.fail_memsz_adjust);
	wbtf_free(p.l);
	wbtf_free(p.t);
}

Test(core, types_and_enums)
{
	struct pair p = make_pair();
	uint32_t bar = (uint32_t)p.bar, e = (uint32_t)p.e;
	struct wbtf_core_res res;
	cr_assert_eq(val(&p, bar, "0", BPF_CORE_TYPE_EXISTS), 1, "bar___v2 finds bar");
	cr_assert_eq(val(&p, bar, "0", BPF_CORE_TYPE_SIZE), 16);
	cr_assert_eq(val(&p, bar, "0", BPF_CORE_TYPE_ID_TARGET), (uint64_t)p.bar_t);
	cr_assert_eq(val(&p, bar, "0", BPF_CORE_TYPE_ID_LOCAL), bar);
	cr_assert_eq(val(&p, bar, "0", BPF_CORE_TYPE_MATCHES), 1, "x exists with a matching int");
	cr_assert_eq(val(&p, (uint32_t)p.foo, "0", BPF_CORE_TYPE_MATCHES), 0,
		     "zz is missing in the target");
	cr_assert_eq(val(&p, (uint32_t)p.foo, "0", BPF_CORE_TYPE_EXISTS), 1);
	cr_assert_eq(val(&p, e, "1", BPF_CORE_ENUMVAL_EXISTS), 1);
	cr_assert_eq((int64_t)val(&p, e, "1", BPF_CORE_ENUMVAL_VALUE), -7,
		     "Y in the target enum64");
	cr_assert_eq(val(&p, e, "0", BPF_CORE_ENUMVAL_VALUE), 1);
	cr_assert_eq(val(&p, e, "2", BPF_CORE_ENUMVAL_EXISTS), 0, "Q is missing");
	cr_assert_eq(resolve(&p, e, "2", BPF_CORE_ENUMVAL_VALUE, &res), WBTF_CORE_UNRESOLVED);
	cr_assert_eq(resolve(&p, e, "3", BPF_CORE_ENUMVAL_VALUE, &res), -EINVAL);
	cr_assert_eq(resolve(&p, bar, "1", BPF_CORE_TYPE_SIZE, &res), -EINVAL);
	/* a type that is nowhere in the target */
	int32_t q = wbtf_add_struct(p.l, "nowhere", 4);
	cr_assert_eq(val(&p, (uint32_t)q, "0", BPF_CORE_TYPE_EXISTS), 0);
	cr_assert_eq(val(&p, (uint32_t)q, "0", BPF_CORE_TYPE_MATCHES), 0);
	cr_assert_eq(resolve(&p, (uint32_t)q, "0", BPF_CORE_TYPE_SIZE, &res), WBTF_CORE_UNRESOLVED);
	cr_assert_eq(resolve(&p, (uint32_t)q, "0", BPF_CORE_TYPE_ID_TARGET, &res),
		     WBTF_CORE_UNRESOLVED);
	/* anonymous local roots can't be matched */
	int32_t anon = wbtf_add_struct(p.l, NULL, 4);
	cr_assert_eq(resolve(&p, (uint32_t)anon, "0", BPF_CORE_TYPE_EXISTS, &res), -EINVAL);
	wbtf_free(p.l);
	wbtf_free(p.t);
}

Test(core, ambiguous_candidates)
{
	struct pair p = make_pair();
	/* a second flavour of foo in the target, with a elsewhere */
	int32_t ti = wbtf_find_by_name_kind(p.t, "int", BTF_KIND_INT);
	wbtf_add_struct(p.t, "foo___other", 8);
	wbtf_add_member(p.t, "a", (uint32_t)ti, 32, 0);
	struct wbtf_core_res res;
	cr_assert_eq(resolve(&p, (uint32_t)p.foo, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, &res),
		     -EINVAL);
	cr_assert(strstr(wbtf_last_error(), "disagree"), "%s", wbtf_last_error());
	/* existence too: the candidates disagree on where the field is */
	cr_assert_eq(resolve(&p, (uint32_t)p.foo, "0:0", BPF_CORE_FIELD_EXISTS, &res), -EINVAL);
	/* only foo has e: one candidate, resolved */
	cr_assert_eq(val(&p, (uint32_t)p.foo, "0:2", BPF_CORE_FIELD_BYTE_OFFSET), 8);
	wbtf_free(p.l);
	wbtf_free(p.t);
}

Test(core, access_builder)
{
	struct pair p = make_pair();
	struct wbtf_access a;
	struct wbtf_access_step b3[] = { { "b", 0 }, { NULL, 3 } };
	cr_assert_eq(wbtf_core_access(p.l, (uint32_t)p.foo, b3, 2, &a), 0, "%s", wbtf_last_error());
	cr_assert_str_eq(a.str, "0:1:0:3");
	cr_assert_eq(a.bit_offset, 7 * 8);
	cr_assert_eq(a.byte_size, 1);
	struct wbtf_access_step d[] = { { NULL, 2 }, { "d", 0 } };
	cr_assert_eq(wbtf_core_access(p.l, (uint32_t)p.foo, d, 2, &a), 0);
	cr_assert_str_eq(a.str, "2:1:1:1");
	cr_assert_eq(a.bit_offset, 2 * 48 * 8 + 32 + 96);
	cr_assert_eq(a.bitfield_size, 3);
	cr_assert_eq(a.byte_size, 4);
	struct wbtf_access_step g[] = { { "g", 0 } };
	cr_assert_eq(wbtf_core_access(p.l, (uint32_t)p.foo, g, 1, &a), 0);
	cr_assert_str_eq(a.str, "0:4");
	cr_assert_eq(a.type_id, (uint32_t)p.e);
	/* the builder's strings resolve to its own offsets on the local BTF */
	const char *paths[] = { "0:1:0:3", "0:4", "0:2" };
	for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
		struct wbtf_core_relo r = { 0, (uint32_t)p.foo,
					    (uint32_t)wbtf_add_str(p.l, paths[i]),
					    BPF_CORE_FIELD_BYTE_OFFSET };
		struct wbtf_core_res res;
		cr_assert_eq(wbtf_core_resolve(p.l, &r, p.l, &res), 0);
		cr_assert_eq(res.new_val, res.orig_val);
	}
	struct wbtf_access_step bad[] = { { "nope", 0 } };
	cr_assert_eq(wbtf_core_access(p.l, (uint32_t)p.foo, bad, 1, &a), -ENOENT);
	cr_assert(strstr(wbtf_last_error(), "no member 'nope'"), "%s", wbtf_last_error());
	struct wbtf_access_step idx[] = { { "a", 0 }, { NULL, 1 } };
	cr_assert_eq(wbtf_core_access(p.l, (uint32_t)p.foo, idx, 2, &a), -EINVAL);
	struct wbtf_access_step past[] = { { "b", 0 }, { NULL, 10 } };
	cr_assert_eq(wbtf_core_access(p.l, (uint32_t)p.foo, past, 2, &a), -ERANGE);
	wbtf_free(p.l);
	wbtf_free(p.t);
}

/* Kernel type lookups the frontends will make for import-kernel-struct. */
Test(core, access_builder_on_kernel_types)
{
	struct wbtf *k;
	if (wbtf_load_vmlinux(&k))
		cr_skip_test("no /sys/kernel/btf/vmlinux");
	int32_t task = wbtf_find_by_name_kind(k, "task_struct", BTF_KIND_STRUCT);
	cr_assert_gt(task, 0);
	struct wbtf_access a;
	struct wbtf_access_step comm[] = { { "comm", 0 }, { NULL, 2 } };
	cr_assert_eq(wbtf_core_access(k, (uint32_t)task, comm, 2, &a), 0, "%s", wbtf_last_error());
	struct wbtf_core_relo r = { 0, (uint32_t)task, (uint32_t)wbtf_add_str(k, a.str),
				    BPF_CORE_FIELD_BYTE_OFFSET };
	struct wbtf_core_res res;
	cr_assert_eq(wbtf_core_resolve(k, &r, k, &res), 0, "%s", wbtf_last_error());
	cr_assert_eq(res.new_val, a.bit_offset / 8);
	cr_assert_eq(a.byte_size, 1);
	wbtf_free(k);
}

/* TYPE_MATCHES looks through anonymous members by their types (task_struct
 * has anonymous unions): struct u { union { int a; long b; }; int c; }. */
Test(core, type_matches_anonymous_members)
{
	struct wbtf *l = wbtf_new(), *t = wbtf_new();
	struct wbtf *both[2] = { l, t };
	int32_t root[2];
	for (int k = 0; k < 2; k++) {
		int32_t i = wbtf_add_int(both[k], "int", 4, BTF_INT_SIGNED);
		int32_t lg = wbtf_add_int(both[k], "long", 8, BTF_INT_SIGNED);
		int32_t un = wbtf_add_union(both[k], NULL, 8);
		wbtf_add_member(both[k], "a", (uint32_t)i, 0, 0);
		wbtf_add_member(both[k], "b", (uint32_t)lg, 0, 0);
		root[k] = wbtf_add_struct(both[k], "u", 16);
		wbtf_add_member(both[k], NULL, (uint32_t)un, 0, 0);
		wbtf_add_member(both[k], "c", (uint32_t)i, 64, 0);
	}
	struct wbtf_core_relo r = { 0, (uint32_t)root[0], (uint32_t)wbtf_add_str(l, "0"), BPF_CORE_TYPE_MATCHES };
	struct wbtf_core_res res;
	cr_assert_eq(wbtf_core_resolve(l, &r, t, &res), 0, "%s", wbtf_last_error());
	cr_assert_eq(res.new_val, 1, "the anonymous unions match by type");
	/* a target whose anonymous member has another shape does not match */
	struct wbtf *t2 = wbtf_new();
	int32_t i2 = wbtf_add_int(t2, "int", 4, BTF_INT_SIGNED);
	int32_t s2 = wbtf_add_struct(t2, NULL, 4);
	wbtf_add_member(t2, "z", (uint32_t)i2, 0, 0);
	wbtf_add_struct(t2, "u", 8);
	wbtf_add_member(t2, NULL, (uint32_t)s2, 0, 0);
	wbtf_add_member(t2, "c", (uint32_t)i2, 32, 0);
	cr_assert_eq(wbtf_core_resolve(l, &r, t2, &res), 0, "%s", wbtf_last_error());
	cr_assert_eq(res.new_val, 0);
	wbtf_free(l);
	wbtf_free(t);
	wbtf_free(t2);
}
