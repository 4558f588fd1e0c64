/* ELF reading for uprobes and USDT, through libelf: symbol to file offset,
 * virtual address to file offset, the .note.stapsdt probe notes and their
 * x86-64 argument specs.  A temporary home until elf/ grows a reader. */
#include "loader/internal.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

struct elf_file {
	int fd;
	Elf *e;
};

static int elf_open(const char *path, struct elf_file *f)
{
	f->e = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	f->e = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!f->e || elf_kind(f->e) != ELF_K_ELF || gelf_getclass(f->e) != ELFCLASS64) {
		if (f->e)
			elf_end(f->e);
		close(f->fd);
		return -ENOEXEC;
	}
	return 0;
}

static void elf_close(struct elf_file *f)
{
	elf_end(f->e);
	close(f->fd);
}

static int vaddr_to_offset(Elf *e, uint64_t va, uint64_t *off)
{
	size_t n;
	if (elf_getphdrnum(e, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (va >= ph.p_vaddr && va < ph.p_vaddr + ph.p_filesz) {
			*off = va - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

int wl_elf_vaddr_to_offset(const char *path, uint64_t va, uint64_t *off)
{
	struct elf_file f;
	int r = elf_open(path, &f);
	if (r < 0)
		return r;
	r = vaddr_to_offset(f.e, va, off);
	elf_close(&f);
	return r;
}

/* Looks `name` up in one symbol table section; 1 found, 0 not, <0 error. */
static int find_in_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, const char *name,
			  GElf_Sym *out)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || !sh->sh_entsize)
		return 0;
	size_t n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym s;
		if (!gelf_getsym(d, (int)i, &s))
			return -ENOEXEC;
		int t = GELF_ST_TYPE(s.st_info);
		if (s.st_shndx == SHN_UNDEF ||
		    (t != STT_FUNC && t != STT_GNU_IFUNC && t != STT_OBJECT && t != STT_NOTYPE))
			continue;
		const char *sn = elf_strptr(e, sh->sh_link, s.st_name);
		if (!sn)
			continue;
		/* versioned dynamic names ("malloc@@GLIBC_2.2.5") match their base */
		size_t len = strlen(name);
		if (!strncmp(sn, name, len) && (sn[len] == 0 || sn[len] == '@')) {
			*out = s;
			return 1;
		}
	}
	return 0;
}

int wl_elf_symbol_offset(const char *path, const char *spec, uint64_t *offset)
{
	/* "name+0x10" or "name+16" */
	char name[256];
	uint64_t add = 0;
	const char *plus = strchr(spec, '+');
	size_t len = plus ? (size_t)(plus - spec) : strlen(spec);
	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, spec, len);
	name[len] = 0;
	if (plus) {
		char *end;
		errno = 0;
		add = strtoull(plus + 1, &end, 0);
		if (errno || *end || end == plus + 1)
			return -EINVAL;
	}
	struct elf_file f;
	int r = elf_open(path, &f);
	if (r < 0)
		return r;
	GElf_Sym sym;
	int found = 0;
	uint32_t kinds[] = { SHT_SYMTAB, SHT_DYNSYM };
	for (int k = 0; k < 2 && !found; k++) {
		Elf_Scn *scn = NULL;
		while (!found && (scn = elf_nextscn(f.e, scn))) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh) || sh.sh_type != kinds[k])
				continue;
			found = find_in_symtab(f.e, scn, &sh, name, &sym);
			if (found < 0) {
				elf_close(&f);
				return found;
			}
		}
	}
	if (!found) {
		elf_close(&f);
		return -ENOENT;
	}
	/* the symbol's section maps its address to a file offset */
	r = -ENOEXEC;
	Elf_Scn *scn = elf_getscn(f.e, sym.st_shndx);
	GElf_Shdr sh;
	if (scn && gelf_getshdr(scn, &sh) && sh.sh_type != SHT_NOBITS &&
	    sym.st_value >= sh.sh_addr && sym.st_value - sh.sh_addr <= sh.sh_size) {
		*offset = sym.st_value - sh.sh_addr + sh.sh_offset + add;
		r = 0;
	} else if (vaddr_to_offset(f.e, sym.st_value, offset) == 0) {
		*offset += add;
		r = 0;
	}
	elf_close(&f);
	return r;
}

/* ---- USDT ---- */

static int parse_one_arg(const char *s, size_t n, struct wl_usdt_arg *a)
{
	char tok[64];
	if (n == 0 || n >= sizeof(tok))
		return -EINVAL;
	memcpy(tok, s, n);
	tok[n] = 0;
	memset(a, 0, sizeof(*a));
	char *at = strchr(tok, '@'), *end;
	if (!at)
		return -EINVAL;
	long sz = strtol(tok, &end, 10);
	if (end != at || sz == 0 || labs(sz) > 8)
		return -EINVAL;
	a->size = (int)sz;
	char *op = at + 1;
	if (*op == '$') {
		errno = 0;
		a->value = strtoll(op + 1, &end, 0);
		if (errno || *end || end == op + 1)
			return -EINVAL;
		a->kind = WL_USDT_ARG_CONST;
		return 0;
	}
	if (*op == '%') {
		size_t rl = strlen(op + 1);
		if (rl == 0 || rl >= sizeof(a->reg))
			return -EINVAL;
		memcpy(a->reg, op + 1, rl + 1);
		a->kind = WL_USDT_ARG_REG;
		return 0;
	}
	/* [disp](%reg) */
	int64_t disp = 0;
	if (*op != '(') {
		errno = 0;
		disp = strtoll(op, &end, 0);
		if (errno || end == op)
			return -EINVAL;
		op = end;
	}
	if (op[0] != '(' || op[1] != '%')
		return -EINVAL;
	char *close_p = strchr(op, ')');
	if (!close_p || close_p[1] || strchr(op, ','))
		return -EINVAL; /* index/scale forms are not produced for x86-64 probes */
	size_t rl = (size_t)(close_p - (op + 2));
	if (rl == 0 || rl >= sizeof(a->reg))
		return -EINVAL;
	memcpy(a->reg, op + 2, rl);
	a->reg[rl] = 0;
	a->value = disp;
	a->kind = WL_USDT_ARG_REG_DEREF;
	return 0;
}

int wl_usdt_parse_args(const char *spec, struct wl_usdt_arg *arg, int max)
{
	int n = 0;
	const char *p = spec;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if (n >= max)
			return -E2BIG;
		if (parse_one_arg(p, (size_t)(e - p), &arg[n]) < 0)
			return -EINVAL;
		n++;
		p = e;
	}
	return n;
}

void wl_usdt_notes_free(struct wl_usdt_note *notes, size_t count)
{
	for (size_t i = 0; notes && i < count; i++) {
		free(notes[i].provider);
		free(notes[i].name);
		free(notes[i].args);
	}
	free(notes);
}

/* NUL-terminated string inside [p, end), or NULL. */
static const char *take_str(const char **p, const char *end)
{
	const char *s = *p, *z = memchr(s, 0, (size_t)(end - s));
	if (!z)
		return NULL;
	*p = z + 1;
	return s;
}

int wl_usdt_notes_read(const char *path, struct wl_usdt_note **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	struct elf_file f;
	int r = elf_open(path, &f);
	if (r < 0)
		return r;
	size_t shstrndx;
	if (elf_getshdrstrndx(f.e, &shstrndx)) {
		elf_close(&f);
		return -ENOEXEC;
	}
	/* .stapsdt.base: where the probes were linked against, to undo prelink moves */
	uint64_t base_addr = 0;
	bool have_base = false;
	Elf_Scn *scn = NULL, *notes_scn = NULL;
	while ((scn = elf_nextscn(f.e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *sn = elf_strptr(f.e, shstrndx, sh.sh_name);
		if (!sn)
			continue;
		if (!strcmp(sn, ".stapsdt.base")) {
			base_addr = sh.sh_addr;
			have_base = true;
		} else if (!strcmp(sn, ".note.stapsdt") && sh.sh_type == SHT_NOTE) {
			notes_scn = scn;
		}
	}
	VEC(struct wl_usdt_note) v = { 0 };
	Elf_Data *d = notes_scn ? elf_getdata(notes_scn, NULL) : NULL;
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	r = 0;
	while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != 3 || nh.n_namesz != 8 ||
		    memcmp((char *)d->d_buf + name_off, "stapsdt", 8))
			continue;
		if (nh.n_descsz < 24 + 3) {
			r = -ENOEXEC;
			break;
		}
		const char *desc = (const char *)d->d_buf + desc_off, *end = desc + nh.n_descsz;
		struct wl_usdt_note n;
		memset(&n, 0, sizeof(n));
		memcpy(&n.pc, desc, 8);
		memcpy(&n.base, desc + 8, 8);
		memcpy(&n.semaphore, desc + 16, 8);
		const char *p = desc + 24;
		const char *prov = take_str(&p, end), *nm = prov ? take_str(&p, end) : NULL;
		const char *args = nm ? take_str(&p, end) : NULL;
		if (!args) {
			r = -ENOEXEC;
			break;
		}
		uint64_t pc = n.pc, sema = n.semaphore;
		if (have_base) {
			pc += base_addr - n.base;
			if (sema)
				sema += base_addr - n.base;
		}
		if (vaddr_to_offset(f.e, pc, &n.pc_offset) < 0 ||
		    (sema && vaddr_to_offset(f.e, sema, &n.sema_offset) < 0)) {
			r = -ENOEXEC;
			break;
		}
		n.provider = xstrdup(prov);
		n.name = xstrdup(nm);
		n.args = xstrdup(args);
		int na = wl_usdt_parse_args(args, n.arg, WL_USDT_MAX_ARGS);
		n.nargs = na < 0 ? -1 : na;
		vec_push(&v, n);
	}
	elf_close(&f);
	if (r < 0) {
		wl_usdt_notes_free(v.data, v.len);
		return r;
	}
	*out = v.data;
	*count = v.len;
	return 0;
}
