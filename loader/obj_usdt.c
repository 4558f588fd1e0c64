/* USDT probes for programs written with libbpf's usdt.bpf.h: each probe
 * site gets a uprobe whose BPF cookie is the index of an argument spec
 * (where each argument lives: a constant, a register, memory at register +
 * offset) that this file writes into the object's __bpf_usdt_specs map.
 * The layout of a spec is usdt.bpf.h's; registers are x86-64's pt_regs. */
#include "loader/obj.h"

#include <string.h>

enum { USDT_CONST, USDT_REG, USDT_REG_DEREF }; /* enum __bpf_usdt_arg_type */

struct usdt_arg_spec {
	uint64_t val_off;
	uint32_t arg_type;
	int16_t reg_off;
	uint8_t arg_signed;
	int8_t arg_bitshift;
};

struct usdt_spec {
	struct usdt_arg_spec args[WL_USDT_MAX_ARGS];
	uint64_t usdt_cookie;
	int16_t arg_cnt;
};

/* struct pt_regs offsets on x86-64, by every name of each register. */
static int reg_offset(const char *r)
{
	static const struct {
		const char *names[4];
		int off;
	} regs[] = {
		{ { "rax", "eax", "ax", "al" }, 80 },
		{ { "rbx", "ebx", "bx", "bl" }, 40 },
		{ { "rcx", "ecx", "cx", "cl" }, 88 },
		{ { "rdx", "edx", "dx", "dl" }, 96 },
		{ { "rsi", "esi", "si", "sil" }, 104 },
		{ { "rdi", "edi", "di", "dil" }, 112 },
		{ { "rbp", "ebp", "bp", "bpl" }, 32 },
		{ { "rsp", "esp", "sp", "spl" }, 152 },
		{ { "r8", "r8d", "r8w", "r8b" }, 72 },
		{ { "r9", "r9d", "r9w", "r9b" }, 64 },
		{ { "r10", "r10d", "r10w", "r10b" }, 56 },
		{ { "r11", "r11d", "r11w", "r11b" }, 48 },
		{ { "r12", "r12d", "r12w", "r12b" }, 24 },
		{ { "r13", "r13d", "r13w", "r13b" }, 16 },
		{ { "r14", "r14d", "r14w", "r14b" }, 8 },
		{ { "r15", "r15d", "r15w", "r15b" }, 0 },
		{ { "rip", "eip", "ip", "" }, 128 },
	};
	for (size_t i = 0; i < ARRAY_LEN(regs); i++)
		for (int k = 0; k < 4; k++)
			if (*regs[i].names[k] && !strcmp(r, regs[i].names[k]))
				return regs[i].off;
	return -1;
}

static int make_spec(const struct wl_program *p, const struct wl_usdt_note *n, struct usdt_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->arg_cnt = (int16_t)n->nargs;
	for (int i = 0; i < n->nargs; i++) {
		const struct wl_usdt_arg *a = &n->arg[i];
		struct usdt_arg_spec *as = &s->args[i];
		int size = a->size < 0 ? -a->size : a->size;
		as->arg_signed = a->size < 0;
		as->arg_bitshift = (int8_t)(64 - size * 8);
		as->val_off = (uint64_t)a->value;
		if (a->kind == WL_USDT_ARG_CONST) {
			as->arg_type = USDT_CONST;
			continue;
		}
		int off = reg_offset(a->reg);
		if (off < 0) {
			wl_warn("prog '%s': usdt %s:%s argument %d: register '%%%s' unknown",
				p->name, n->provider, n->name, i + 1, a->reg);
			return -EINVAL;
		}
		as->reg_off = (int16_t)off;
		as->arg_type = a->kind == WL_USDT_ARG_REG ? USDT_REG : USDT_REG_DEREF;
	}
	return 0;
}

int obj_attach_usdt_specs(struct wl_program *p, const char *path, const char *prov,
			  const char *name, struct wl_link **out)
{
	struct wl_object *obj = p->obj;
	struct wl_obj_map *specs = wl_object_find_map(obj, "__bpf_usdt_specs");
#if !defined(__x86_64__)
	wl_warn("prog '%s': USDT argument specs are only known for x86-64", p->name);
	return -EOPNOTSUPP;
#endif
	if (!specs->map || wl_obj_map_value_size(specs) != sizeof(struct usdt_spec)) {
		wl_warn("prog '%s': map '__bpf_usdt_specs' is not usdt.bpf.h's (value size %u, "
			"expected %zu)",
			p->name, wl_obj_map_value_size(specs), sizeof(struct usdt_spec));
		return -EINVAL;
	}
	if (wl_probe_helper(BPF_PROG_TYPE_KPROBE, 174 /* bpf_get_attach_cookie */) <= 0) {
		wl_warn("prog '%s': USDT argument specs need BPF cookies (Linux 5.15+)", p->name);
		return -EOPNOTSUPP;
	}
	struct wl_usdt_note *notes;
	size_t n;
	int r = wl_usdt_notes_read(path, &notes, &n);
	if (r < 0) {
		wl_warn("prog '%s': usdt notes of '%s': %s", p->name, path, wl_errstr(r));
		return r;
	}
	VEC(struct wl_link *) links = { 0 };
	for (size_t i = 0; i < n && r == 0; i++) {
		if (strcmp(notes[i].provider, prov) || strcmp(notes[i].name, name))
			continue;
		struct usdt_spec spec;
		if ((r = make_spec(p, &notes[i], &spec)) < 0)
			break;
		uint32_t id = obj->usdt_next_spec;
		if (id >= wl_obj_map_max_entries(specs)) {
			wl_warn("prog '%s': more than %u USDT sites for '__bpf_usdt_specs'",
				p->name, wl_obj_map_max_entries(specs));
			r = -E2BIG;
			break;
		}
		if ((r = wl_map_update(specs->map, &id, &spec, 0)) < 0) {
			wl_warn("prog '%s': writing USDT spec %u: %s", p->name, id, wl_errstr(r));
			break;
		}
		obj->usdt_next_spec++;
		struct wl_uprobe_opts o = { .ref_ctr_offset = notes[i].sema_offset, .cookie = id };
		struct wl_link *l;
		if ((r = wl_attach_uprobe(p->prog, path, NULL, notes[i].pc_offset, &o, &l)) == 0)
			vec_push(&links, l);
	}
	wl_usdt_notes_free(notes, n);
	if (r == 0 && !links.len) {
		wl_warn("prog '%s': no USDT probe %s:%s in '%s'", p->name, prov, name, path);
		r = -ENOENT;
	}
	for (uint32_t i = 0; i < links.len; i++) {
		if (r < 0)
			wl_link_destroy(links.data[i]);
		else if (i == 0)
			*out = links.data[0];
		else
			wl_program_adopt_link(p, links.data[i]);
	}
	vec_free(&links);
	return r;
}
