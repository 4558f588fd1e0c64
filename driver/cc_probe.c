/* The probes builds run against their C compiler: --version, -dumpversion,
 * -print-file-name, -print-resource-dir, --print-prog-name, -print-targets,
 * --print-supported-cpus / -mcpu=help, --help. */
#include "driver/cc_options.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static void exe_dir(char *out, size_t n)
{
	ssize_t k = readlink("/proc/self/exe", out, n - 1);
	if (k <= 0) {
		snprintf(out, n, ".");
		return;
	}
	out[k] = 0;
	char *slash = strrchr(out, '/');
	if (slash)
		*slash = 0;
}

static void banner(const struct cc_options *o, FILE *out)
{
	char dir[PATH_MAX];
	exe_dir(dir, sizeof(dir));
	/* CMake, meson, sed and Rust parse "clang version X.Y.Z" off the first line */
	fprintf(out, "clang version %s (Whistler %s)\n", WHISTLER_CLANG_VERSION, WHISTLER_VERSION);
	fprintf(out, "Target: %s\n", o->triple);
	fprintf(out, "Thread model: posix\n");
	fprintf(out, "InstalledDir: %s\n", dir);
}

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* NAME found in PATH, or NULL. */
static char *in_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || strchr(name, '/'))
		return NULL;
	while (*path) {
		size_t n = strcspn(path, ":");
		char *cand = xasprintf("%.*s/%s", (int)n, path, name);
		if (n && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		path += n + (path[n] == ':');
	}
	return NULL;
}

int cc_run_probe(const struct cc_options *o)
{
	switch (o->action) {
	case CC_ACT_VERSION:
		banner(o, stdout);
		return 0;
	case CC_ACT_DUMPVERSION:
		printf("%s\n", WHISTLER_CLANG_VERSION);
		return 0;
	case CC_ACT_DUMPMACHINE:
		printf("%s\n", o->triple);
		return 0;
	case CC_ACT_PRINT_RESOURCE_DIR:
		printf("%s\n", cc_resource_dir());
		return 0;
	case CC_ACT_PRINT_FILE_NAME: {
		char *p = xasprintf("%s/%s", cc_resource_dir(), o->action_arg);
		printf("%s\n", exists(p) ? p : o->action_arg);
		free(p);
		return 0;
	}
	case CC_ACT_PRINT_PROG_NAME: {
		/* our own stand-ins (whistler-llc …) first, then PATH */
		char dir[PATH_MAX];
		exe_dir(dir, sizeof(dir));
		char *own = xasprintf("%s/whistler-%s", dir, o->action_arg);
		char *found = exists(own) ? own : in_path(o->action_arg);
		printf("%s\n", found ? found : o->action_arg);
		if (found != own)
			free(found);
		free(own);
		return 0;
	}
	case CC_ACT_PRINT_SEARCH_DIRS: {
		/* the shape of clang's answer: where programs and the resource
		 * directory are */
		char dir[PATH_MAX];
		exe_dir(dir, sizeof(dir));
		printf("programs: =%s\nlibraries: =%s\n", dir, cc_resource_dir());
		return 0;
	}
	case CC_ACT_PRINT_TARGETS:
		printf("\n  Registered Targets:\n");
		printf("    bpf         - BPF (host endian)\n");
		printf("    bpfeb       - BPF (big endian)\n");
		printf("    bpfel       - BPF (little endian)\n");
		return 0;
	case CC_ACT_PRINT_CPUS:
		banner(o, stderr);
		fprintf(stderr, "Available CPUs for this target:\n\n");
		fprintf(stderr, "\tgeneric\n\tprobe\n\tv1\n\tv2\n\tv3\n\tv4\n\n");
		fprintf(stderr, "Use -mcpu or -mtune to specify the target's processor.\n");
		fprintf(stderr, "For example, clang --target=aarch64-unknown-linux-gnu "
				"-mcpu=cortex-a35\n");
		return 0;
	case CC_ACT_HELP:
		printf("OVERVIEW: whistlercc, a drop-in for clang -target bpf (Whistler %s)\n\n",
		       WHISTLER_VERSION);
		printf("USAGE: %s [options] file...\n\n", o->prog);
		printf("Takes clang's options: -c -S -E -fsyntax-only -o -x -M* -D -U -I -iquote\n"
		       "-isystem -idirafter -include -nostdinc -std= -O -g -mcpu= -target bpf\n"
		       "-W... -w -v --version -dM -print-file-name= -print-resource-dir.\n");
		return 0;
	case CC_ACT_RUN:
		break;
	}
	return 0;
}
