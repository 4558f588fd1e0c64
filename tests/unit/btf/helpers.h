/* Shared by the btf tests: tools (clang-19, bpftool, llvm-objdump-19) run
 * through the shell, ELF sections read and a minimal ELF written with
 * libelf (tests only: the project's ELF code lives in elf/). */
#ifndef WHISTLER_TEST_BTF_HELPERS_H
#define WHISTLER_TEST_BTF_HELPERS_H

#include "btf/btf.h"
#include <linux/bpf.h>
#include "util/buf.h"

#include <stdbool.h>

bool th_have(const char *tool);
/* Runs cmd with sh -c; stdout into out (if non-NULL); returns exit status. */
int th_run(const char *cmd, struct buf *out);
/* A fresh path under a per-process temp dir. */
char *th_tmp(const char *name);
/* inputs/<name> under the source tree. */
char *th_input(const char *name);
/* Compiles inputs/<src> with clang-19 -g -O2 -target bpf; returns the .o path. */
char *th_clang(const char *src, const char *extra_flags);
/* .BTF / .BTF.ext contents of an ELF file (either may stay empty). */
int th_elf_sections(const char *path, struct buf *btf, struct buf *ext);
/* An ET_REL EM_BPF file holding just .BTF (and .BTF.ext if ext_len). */
int th_write_elf(const char *path, const void *btf, size_t len, const void *ext, size_t ext_len);
/* Parses the .BTF of an object; aborts the test on failure. */
struct wbtf *th_load_obj_btf(const char *path, struct wbtf_ext *ext);
/* A type described without ids, recursively (pointers by target name). */
void th_describe(const struct wbtf *btf, uint32_t id, struct buf *out, int depth);
/* Generates vmlinux.h for the running kernel once (NULL if impossible). */
const char *th_vmlinux_h_dir(void);

#endif
