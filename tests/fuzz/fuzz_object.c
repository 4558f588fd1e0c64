/* Fuzz target: the object layer without the kernel.  wl_object_open_mem reads
 * the input as a BPF object, wl_object_prepare resolves externs (kconfig
 * from fixed text), CO-RE against the running kernel's BTF (parsed once),
 * links programs and sanitizes BTF; then the accessors are walked.  Seeds:
 * objects from tests/data/obj and `whistler compile`. */
#include "whistler/object.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char kconfig[] = "CONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\nCONFIG_BPF_JIT=m\n"
			      "CONFIG_DEFAULT_HOSTNAME=\"fuzz\"\nCONFIG_NR_CPUS=64\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wl_set_log(NULL);
	struct wl_object_opts o = { .name = "fuzz",
				    .kconfig = kconfig,
				    .pin_root = "/nonexistent" };
	struct wl_object *obj;
	if (wl_object_open_mem(data, size, &o, &obj) < 0)
		return 0;
	for (size_t i = 0; i < wl_object_map_count(obj); i++) {
		struct wl_obj_map *m = wl_object_map(obj, i);
		size_t sz;
		unsigned char *v = wl_obj_map_initial_value(m, &sz);
		if (v && sz)
			v[sz - 1] ^= 1;
		(void)wl_obj_map_name(m);
	}
	(void)wl_object_global(obj, "out", NULL);
	(void)wl_object_global(obj, "CONFIG_HZ", NULL);
	if (wl_object_prepare(obj) == 0) {
		for (size_t i = 0; i < wl_object_program_count(obj); i++) {
			const struct wl_program *p = wl_object_program(obj, i);
			size_t n;
			wl_program_insns(p, &n);
			char *line = wl_program_source_line(p, (uint32_t)(n / 2));
			free(line);
		}
	}
	wl_object_close(obj);
	return 0;
}
