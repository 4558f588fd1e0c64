/* `whistler btf dump FILE`: print the BTF of an ELF object or of a raw BTF
 * file (/sys/kernel/btf/vmlinux) as bpftool does; --ext adds .BTF.ext. */
#include "btf/btf.h"
#include "driver/commands.h"
#include "util/fileio.h"

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: whistler btf dump [--ext] [--base RAW_BTF] FILE [format raw|c]\n"
		   "  FILE: a BPF ELF object (its .BTF) or a raw BTF file such as\n"
		   "        /sys/kernel/btf/vmlinux; --base names the BTF it is split from\n"
		   "  format c: C declarations (vmlinux.h), as bpftool writes them\n"
		   "  --ext: also print the object's .BTF.ext records\n");
}

static void log_to_stderr(void *ctx, const char *msg)
{
	fprintf(stderr, "whistler: %s: %s\n", (const char *)ctx, msg);
}

/* The .BTF and .BTF.ext sections of an ELF image, pointing into it. The
 * project's ELF reader will take this over. */
static int elf_btf_sections(const void *img, size_t len, struct buf *btf, struct buf *ext)
{
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)img, len);
	size_t shstrndx;
	if (!e || elf_getshdrstrndx(e, &shstrndx)) {
		fprintf(stderr, "whistler: not a valid ELF file: %s\n", elf_errmsg(-1));
		if (e)
			elf_end(e);
		return -1;
	}
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(e, shstrndx, sh.sh_name);
		struct buf *dst = !name			      ? NULL
				  : !strcmp(name, ".BTF")     ? btf
				  : !strcmp(name, ".BTF.ext") ? ext
							      : NULL;
		Elf_Data *d = dst ? elf_getdata(scn, NULL) : NULL;
		if (d && d->d_buf)
			buf_append(dst, d->d_buf, d->d_size);
	}
	elf_end(e);
	return 0;
}

int cmd_btf(int argc, char **argv)
{
	bool ext_too = false, as_c = false;
	const char *base_path = NULL, *path = NULL;
	if (argc < 2 || strcmp(argv[1], "dump")) {
		usage(argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 1;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--ext"))
			ext_too = true;
		else if (!strcmp(argv[i], "--base") && i + 1 < argc)
			base_path = argv[++i];
		else if (!strcmp(argv[i], "format") && i + 1 < argc &&
			 (!strcmp(argv[i + 1], "c") || !strcmp(argv[i + 1], "raw")))
			as_c = !strcmp(argv[++i], "c");
		else if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!path && argv[i][0] != '-')
			path = argv[i];
		else {
			usage(stderr);
			return 1;
		}
	}
	if (!path) {
		usage(stderr);
		return 1;
	}
	wbtf_set_log(log_to_stderr, (void *)path);
	struct buf file = { 0 }, sec = { 0 }, extsec = { 0 }, out = { 0 };
	struct wbtf *base = NULL, *btf = NULL;
	struct wbtf_ext ext = { 0 };
	int rc = 1;
	int err = file_read(path, &file);
	if (err) {
		fprintf(stderr, "whistler: %s: %s\n", path, strerror(-err));
		goto done;
	}
	if (base_path && wbtf_load_raw_file(base_path, NULL, &base))
		goto done;
	bool is_elf = file.len >= 4 && !memcmp(file.data, "\177ELF", 4);
	if (is_elf) {
		if (elf_btf_sections(file.data, file.len, &sec, &extsec))
			goto done;
		if (!sec.len) {
			fprintf(stderr, "whistler: %s: no .BTF section\n", path);
			goto done;
		}
	} else {
		buf_append(&sec, file.data, file.len);
	}
	if (wbtf_parse(sec.data, sec.len, base, &btf))
		goto done;
	if (as_c) {
		if (wbtf_dump_c(btf, &out))
			goto done;
	} else {
		wbtf_dump_text(btf, &out);
	}
	if (ext_too && extsec.len) {
		if (wbtf_ext_parse(extsec.data, extsec.len, btf, &ext))
			goto done;
		wbtf_ext_dump(&ext, btf, &out);
	}
	fwrite(out.data, 1, out.len, stdout);
	rc = 0;
done:
	wbtf_ext_free(&ext);
	wbtf_free(btf);
	wbtf_free(base);
	buf_free(&file);
	buf_free(&sec);
	buf_free(&extsec);
	buf_free(&out);
	return rc;
}
