/* Fuzz target: the loader's readers of untrusted bytes: raw BTF name
 * search, ELF symbol lookup and .note.stapsdt parsing (through libelf, on a
 * memfd), USDT argument specs. */
#include "loader/internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wl_set_log(NULL);
	wl_btf_find_in(data, size, "task_struct", 4);
	wl_btf_find_in(data, size, "", 1);

	char spec[256];
	size_t n = size < sizeof(spec) - 1 ? size : sizeof(spec) - 1;
	memcpy(spec, data, n);
	spec[n] = 0;
	struct wl_usdt_arg args[WL_USDT_MAX_ARGS];
	wl_usdt_parse_args(spec, args, WL_USDT_MAX_ARGS);

	int fd = memfd_create("fuzz_elf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		uint64_t off;
		wl_elf_symbol_offset(path, "main", &off);
		wl_elf_vaddr_to_offset(path, 0x401000, &off);
		struct wl_usdt_note *notes;
		size_t cnt;
		if (wl_usdt_notes_read(path, &notes, &cnt) == 0)
			wl_usdt_notes_free(notes, cnt);
	}
	close(fd);
	return 0;
}
