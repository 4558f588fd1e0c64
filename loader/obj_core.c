/* CO-RE: every .BTF.ext relocation of a code section resolved against the
 * target kernel's BTF (btf/core.c) and patched into its instruction: the
 * immediate of an ALU op or ld_imm64, the offset (and size) of a memory
 * access.  Unresolvable ones are poisoned as libbpf documents: a call of the
 * nonexistent helper 0xbad2310, harmless if the verifier proves it dead. */
#include "loader/obj.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POISON_HELPER 0xbad2310 /* "bad relo" */

static void poison(struct bpf_insn *in)
{
	memset(in, 0, sizeof(*in));
	in->code = BPF_JMP | BPF_CALL;
	in->imm = POISON_HELPER;
}

static int size_code(uint32_t bytes)
{
	switch (bytes) {
	case 1:
		return BPF_B;
	case 2:
		return BPF_H;
	case 4:
		return BPF_W;
	case 8:
		return BPF_DW;
	}
	return -1;
}

static uint32_t size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B:
		return 1;
	case BPF_H:
		return 2;
	case BPF_W:
		return 4;
	}
	return 8;
}

static int core_fail(struct wl_object *obj, const struct obj_code *c, uint32_t i,
		     const struct wbtf_core_relo *rec, const char *fmt, unsigned long long a,
		     unsigned long long b)
{
	char why[160];
	snprintf(why, sizeof(why), fmt, a, b);
	obj_warn(obj, "section '%s': CO-RE %s relocation of [%u] '%s' at insn %u: %s", c->name,
		 wbtf_core_kind_name(rec->kind), rec->type_id, wbtf_name(obj->btf, rec->type_id), i,
		 why);
	return -EINVAL;
}

/* Whether the access string ends at a bitfield: the compiler and the loader
 * may then choose different load sizes, so its value is not checked. */
static bool ends_in_bitfield(const struct wbtf *btf, uint32_t type_id, const char *acc)
{
	uint32_t id = type_id;
	const struct btf_type *t = wbtf_skip_mods_typedefs(btf, id, &id);
	const char *s = acc ? strchr(acc, ':') : NULL; /* the first index is the root's */
	while (t && s && *s == ':') {
		char *end;
		unsigned long idx = strtoul(s + 1, &end, 10);
		bool last = !*end;
		if (wbtf_is_composite(t)) {
			if (idx >= wbtf_vlen(t))
				return false;
			uint32_t mid = wbtf_members(t)[idx].type;
			const struct btf_type *mt = wbtf_skip_mods_typedefs(btf, mid, NULL);
			if (last)
				return wbtf_member_bitfield_size(t, (unsigned)idx) ||
				       wbtf_member_bit_offset(t, (unsigned)idx) % 8 ||
				       (mt && wbtf_kind(mt) == BTF_KIND_INT &&
					(wbtf_int_offset(mt) || wbtf_int_bits(mt) != mt->size * 8));
			t = mt;
		} else if (wbtf_kind(t) == BTF_KIND_ARRAY) {
			t = wbtf_skip_mods_typedefs(btf, wbtf_array(t)->type, NULL);
		} else {
			return false;
		}
		s = end;
	}
	return false;
}

/* Writes res into instruction i (checking it holds the compiled value). */
static int patch(struct wl_object *obj, struct obj_code *c, uint32_t i,
		 const struct wbtf_core_relo *rec, const struct wbtf_core_res *res)
{
	struct bpf_insn *in = &c->insns[i];
	uint8_t cls = BPF_CLASS(in->code);
	bool check =
		!ends_in_bitfield(obj->btf, rec->type_id, wbtf_str(obj->btf, rec->access_str_off));
	if (res->poison || res->fail_memsz_adjust) {
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (i + 1 >= c->n)
				return core_fail(obj, c, i, rec, "ld_imm64 cut off", 0, 0);
			poison(in + 1);
		}
		poison(in);
		obj_debug(obj, "section '%s': insn %u poisoned (CO-RE %s of '%s' unresolved)",
			  c->name, i, wbtf_core_kind_name(rec->kind),
			  wbtf_name(obj->btf, rec->type_id));
		return 0;
	}
	if ((cls == BPF_ALU || cls == BPF_ALU64) && BPF_SRC(in->code) == BPF_K) {
		if (check && (uint32_t)in->imm != (uint32_t)res->orig_val)
			return core_fail(obj, c, i, rec, "instruction has imm %llu, expected %llu",
					 (unsigned)in->imm, res->orig_val);
		if (res->new_val > UINT32_MAX)
			return core_fail(obj, c, i, rec, "value %llu does not fit imm32",
					 res->new_val, 0);
		in->imm = (int32_t)(uint32_t)res->new_val;
		return 0;
	}
	if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX) {
		if (check && (int64_t)in->off != (int64_t)res->orig_val)
			return core_fail(obj, c, i, rec,
					 "instruction has offset %lld, expected %llu",
					 (unsigned long long)(int64_t)in->off, res->orig_val);
		if (res->new_val > INT16_MAX)
			return core_fail(obj, c, i, rec, "offset %llu does not fit off16",
					 res->new_val, 0);
		in->off = (int16_t)res->new_val;
		if (rec->kind == BPF_CORE_FIELD_BYTE_OFFSET && res->new_sz != res->orig_sz) {
			int sc = size_code(res->new_sz);
			if ((check && size_bytes(in->code) != res->orig_sz) || sc < 0)
				return core_fail(obj, c, i, rec,
						 "access size cannot follow the field from %llu to "
						 "%llu bytes",
						 res->orig_sz, res->new_sz);
			in->code = (uint8_t)(BPF_MODE(in->code) | sc | cls);
		}
		return 0;
	}
	if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		if (i + 1 >= c->n)
			return core_fail(obj, c, i, rec, "ld_imm64 cut off", 0, 0);
		uint64_t v = (uint32_t)in[0].imm | ((uint64_t)(uint32_t)in[1].imm << 32);
		if (check && v != res->orig_val)
			return core_fail(obj, c, i, rec,
					 "instruction has imm64 %llu, expected %llu", v,
					 res->orig_val);
		in[0].imm = (int32_t)(uint32_t)res->new_val;
		in[1].imm = (int32_t)(uint32_t)(res->new_val >> 32);
		return 0;
	}
	return core_fail(obj, c, i, rec, "instruction (opcode 0x%llx) cannot be relocated",
			 in->code, 0);
}

int obj_apply_core(struct wl_object *obj, struct obj_code *c)
{
	if (c->core_done || !c->ext || !c->ext->nr_core)
		return 0;
	if (!obj->kbtf) {
		obj_warn(obj,
			 "section '%s': CO-RE relocations need the kernel's BTF "
			 "(/sys/kernel/btf/vmlinux or btf_custom_path)",
			 c->name);
		return -ENOENT;
	}
	for (uint32_t k = 0; k < c->ext->nr_core; k++) {
		const struct wbtf_core_relo *rec = &c->ext->core[k];
		uint32_t i = rec->insn_off / 8;
		struct wbtf_core_res res;
		int r = wbtf_core_resolve(obj->btf, rec, obj->kbtf, &res);
		if (r < 0) {
			obj_warn(obj, "section '%s': CO-RE relocation at insn %u: %s", c->name, i,
				 wbtf_last_error());
			return r;
		}
		r = patch(obj, c, i, rec, &res);
		if (r < 0)
			return r;
	}
	c->core_done = true;
	return 0;
}
