/* Test helpers for the btf tests: tools, temp files, libelf glue. */
#include "helpers.h"
#include "util/fileio.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool th_have(const char *tool)
{
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", tool);
	int rc = system(cmd);
	free(cmd);
	return rc == 0;
}

int th_run(const char *cmd, struct buf *out)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), p)) > 0)
		if (out)
			buf_append(out, tmp, n);
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char tmp_dir[64];

/* Each test runs in a process of its own: its scratch folder goes with it. */
static void remove_tmp_dir(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmp_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp_dir);
	free(cmd);
}

char *th_tmp(const char *name)
{
	char *dir = tmp_dir;
	if (!dir[0]) {
		snprintf(dir, sizeof(tmp_dir), "/tmp/whistler-btf-test-%d", (int)getpid());
		mkdir(dir, 0700);
		atexit(remove_tmp_dir);
	}
	return xasprintf("%s/%s", dir, name);
}

char *th_input(const char *name)
{
	const char *src = getenv("WHISTLER_SOURCE_DIR");
	return xasprintf("%s/tests/unit/btf/inputs/%s", src ? src : WHISTLER_SOURCE_DIR, name);
}

const char *th_vmlinux_h_dir(void)
{
	static char *dir;
	if (dir)
		return dir;
	if (!th_have("bpftool") || access("/sys/kernel/btf/vmlinux", R_OK))
		return NULL;
	char *path = th_tmp("vmlinux.h");
	char *cmd = xasprintf("bpftool btf dump file /sys/kernel/btf/vmlinux format c > %s", path);
	int rc = th_run(cmd, NULL);
	free(cmd);
	free(path);
	if (rc)
		return NULL;
	path = th_tmp("");
	dir = path;
	return dir;
}

char *th_clang(const char *src, const char *extra)
{
	char *in = th_input(src);
	char *out = th_tmp(src);
	strcpy(out + strlen(out) - 1, "o"); /* x.c -> x.o */
	const char *vh = th_vmlinux_h_dir();
	char *cmd = xasprintf("clang-19 -g -O2 -target bpf -D__TARGET_ARCH_x86 "
			      "-I/usr/include/$(uname -m)-linux-gnu %s%s %s -c %s -o %s 2>&1",
			      vh ? "-I" : "", vh ? vh : "", extra ? extra : "", in, out);
	struct buf log = { 0 };
	int rc = th_run(cmd, &log);
	cr_assert_eq(rc, 0, "%s failed:\n%s", cmd, buf_cstr(&log));
	buf_free(&log);
	free(cmd);
	free(in);
	return out;
}

int th_elf_sections(const char *path, struct buf *btf, struct buf *ext)
{
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	if (!e || elf_getshdrstrndx(e, &shstrndx)) {
		close(fd);
		return -1;
	}
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		const char *name = elf_strptr(e, shstrndx, sh.sh_name);
		struct buf *dst = !strcmp(name, ".BTF")	      ? btf
				  : !strcmp(name, ".BTF.ext") ? ext
							      : NULL;
		Elf_Data *d = dst ? elf_getdata(scn, NULL) : NULL;
		if (d && d->d_buf)
			buf_append(dst, d->d_buf, d->d_size);
	}
	elf_end(e);
	close(fd);
	return 0;
}

static void add_section(Elf *e, const char *data, size_t len, uint32_t name, uint32_t type)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *d = elf_newdata(scn);
	d->d_buf = (void *)data;
	d->d_size = len;
	d->d_align = type == SHT_STRTAB ? 1 : 4;
	d->d_type = ELF_T_BYTE;
	GElf_Shdr sh;
	gelf_getshdr(scn, &sh);
	sh.sh_name = name;
	sh.sh_type = type;
	sh.sh_addralign = d->d_align;
	gelf_update_shdr(scn, &sh);
}

int th_write_elf(const char *path, const void *btf, size_t len, const void *ext, size_t ext_len)
{
	static const char shstr[] = "\0.shstrtab\0.BTF\0.BTF.ext";
	elf_version(EV_CURRENT);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		return -1;
	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	Elf64_Ehdr *eh = elf64_newehdr(e);
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_REL;
	eh->e_machine = EM_BPF;
	eh->e_version = EV_CURRENT;
	add_section(e, shstr, sizeof(shstr), 1, SHT_STRTAB);
	add_section(e, btf, len, 11, SHT_PROGBITS);
	if (ext_len)
		add_section(e, ext, ext_len, 16, SHT_PROGBITS);
	eh->e_shstrndx = 1;
	int rc = elf_update(e, ELF_C_WRITE) < 0 ? -1 : 0;
	elf_end(e);
	close(fd);
	return rc;
}

struct wbtf *th_load_obj_btf(const char *path, struct wbtf_ext *ext)
{
	struct buf b = { 0 }, x = { 0 };
	cr_assert_eq(th_elf_sections(path, &b, &x), 0, "can't read ELF %s", path);
	cr_assert(b.len > 0, "%s has no .BTF", path);
	struct wbtf *btf;
	int err = wbtf_parse(b.data, b.len, NULL, &btf);
	cr_assert_eq(err, 0, "%s: %s", path, wbtf_last_error());
	if (ext) {
		cr_assert(x.len > 0, "%s has no .BTF.ext", path);
		err = wbtf_ext_parse(x.data, x.len, btf, ext);
		cr_assert_eq(err, 0, "%s: %s", path, wbtf_last_error());
	}
	buf_free(&b);
	buf_free(&x);
	return btf;
}

void th_describe(const struct wbtf *btf, uint32_t id, struct buf *out, int depth)
{
	const struct btf_type *t = wbtf_type_by_id(btf, id);
	if (!t) {
		buf_puts(out, "?");
		return;
	}
	unsigned k = wbtf_kind(t);
	buf_printf(out, "%s'%s'", wbtf_kind_name(k), wbtf_name(btf, id));
	if (depth > 6)
		return;
	switch (k) {
	case BTF_KIND_INT:
		buf_printf(out, "(%u,%u,%u)", t->size, wbtf_int_bits(t), wbtf_int_encoding(t));
		break;
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_VAR:
		buf_puts(out, "->");
		th_describe(btf, t->type, out, depth + 1);
		break;
	case BTF_KIND_ARRAY:
		buf_printf(out, "[%u]", wbtf_array(t)->nelems);
		th_describe(btf, wbtf_array(t)->type, out, depth + 1);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		buf_printf(out, "(%u){", t->size);
		for (unsigned i = 0; i < wbtf_vlen(t); i++) {
			buf_printf(out, "%s@%u:", wbtf_str(btf, wbtf_members(t)[i].name_off),
				   wbtf_member_bit_offset(t, i));
			th_describe(btf, wbtf_members(t)[i].type, out, depth + 1);
			buf_puts(out, ";");
		}
		buf_puts(out, "}");
		break;
	case BTF_KIND_FUNC_PROTO:
		buf_puts(out, "(");
		for (unsigned i = 0; i < wbtf_vlen(t); i++) {
			th_describe(btf, wbtf_params(t)[i].type, out, depth + 1);
			buf_puts(out, ",");
		}
		buf_puts(out, ")->");
		th_describe(btf, t->type, out, depth + 1);
		break;
	}
}
