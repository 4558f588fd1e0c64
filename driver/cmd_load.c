/* `whistler load X.o [--pin DIR]`: load every program and map of an object
 * through the verifier and print what was loaded (nothing stays in the
 * kernel unless pinned). */
#include "driver/commands.h"
#include "whistler/object.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: whistler load [options] FILE.o\n\n"
		     "  --pin DIR         pin programs as DIR/NAME and maps as DIR/maps/NAME\n"
		     "  --log-level N     verifier log level (the log is printed)\n"
		     "  --btf FILE        kernel BTF for CO-RE instead of /sys/kernel/btf/vmlinux\n"
		     "  --prepare-only    relocate and link without loading (no bpf(2))\n");
}

static void print_object(const struct wl_object *obj, bool loaded)
{
	size_t np = wl_object_program_count(obj), nm = wl_object_map_count(obj);
	printf("%s %s: %zu program%s, %zu map%s\n", loaded ? "Loaded" : "Prepared",
	       wl_object_name(obj), np, np == 1 ? "" : "s", nm, nm == 1 ? "" : "s");
	for (size_t i = 0; i < np; i++) {
		const struct wl_program *p = wl_object_program(obj, i);
		const char *tn = wl_prog_type_name(wl_program_type(p));
		const char *an = wl_attach_type_name(wl_program_expected_attach_type(p));
		char type[64];
		if (wl_program_expected_attach_type(p) && an)
			snprintf(type, sizeof(type), "%s/%s", tn ? tn : "?", an);
		else
			snprintf(type, sizeof(type), "%s", tn ? tn : "?");
		printf("  prog %-20s %-28s %5zu insns", wl_program_name(p), type,
		       wl_program_insn_count(p));
		if (!wl_program_autoload(p))
			printf("  (not loaded)");
		else if (loaded)
			printf("  %6u verified  %6u bytes jited", wl_program_verified_insns(p),
			       wl_program_jited_size(p));
		printf("  [%s]\n", wl_program_section(p));
		if (loaded && wl_program_log(p))
			printf("%s", wl_program_log(p));
	}
	for (size_t i = 0; i < nm; i++) {
		const struct wl_obj_map *m = wl_object_map(obj, i);
		const char *tn = wl_map_type_name(wl_obj_map_type(m));
		printf("  map  %-20s %-28s key %-4u value %-6u max_entries %u", wl_obj_map_name(m),
		       tn ? tn : "?", wl_obj_map_key_size(m), wl_obj_map_value_size(m),
		       wl_obj_map_max_entries(m));
		if (wl_obj_map_pin_path(m))
			printf("  pinned %s%s", wl_obj_map_pin_path(m),
			       wl_obj_map_reused(m) ? " (reused)" : "");
		printf("\n");
	}
}

static int pin_all(struct wl_object *obj, const char *dir)
{
	char *maps = NULL;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "whistler load: error: cannot create '%s': %s\n", dir,
			strerror(errno));
		return -1;
	}
	if (asprintf(&maps, "%s/maps", dir) < 0)
		return -1;
	int r = mkdir(maps, 0700) && errno != EEXIST ? -errno : 0;
	if (r == 0)
		r = wl_object_pin_programs(obj, dir);
	if (r == 0)
		r = wl_object_pin_maps(obj, maps);
	if (r < 0)
		fprintf(stderr, "whistler load: error: pinning under '%s': %s\n", dir,
			strerror(-r));
	free(maps);
	return r;
}

int cmd_load(int argc, char **argv)
{
	const char *input = NULL, *pin = NULL;
	struct wl_object_opts opts = { 0 };
	bool prepare_only = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--pin") && i + 1 < argc)
			pin = argv[++i];
		else if (!strcmp(a, "--log-level") && i + 1 < argc)
			opts.log_level = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(a, "--btf") && i + 1 < argc)
			opts.btf_custom_path = argv[++i];
		else if (!strcmp(a, "--prepare-only"))
			prepare_only = true;
		else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "whistler load: error: unknown option '%s'\n", a);
			usage(stderr);
			return 1;
		} else if (input) {
			fprintf(stderr, "whistler load: error: more than one object\n");
			return 1;
		} else
			input = a;
	}
	if (!input) {
		fprintf(stderr, "whistler load: error: no object file\n");
		usage(stderr);
		return 1;
	}
	struct wl_object *obj;
	if (wl_object_open_file(input, &opts, &obj) < 0)
		return 1;
	int r = prepare_only ? wl_object_prepare(obj) : wl_object_load(obj);
	if (r == 0 && pin && !prepare_only)
		r = pin_all(obj, pin);
	if (r == 0)
		print_object(obj, !prepare_only);
	wl_object_close(obj);
	return r == 0 ? 0 : 1;
}
