/* `whistler attach X.o [PROG] [TARGET] [--duration SEC]`: load an object,
 * attach its programs as their sections say (or PROG to TARGET), keep them
 * attached until Ctrl-C or the duration ends, then detach everything. */
#include "driver/commands.h"
#include "whistler/object.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: whistler attach [options] FILE.o [PROG] [TARGET]\n\n"
		"Attaches every program of FILE.o as its section says, or only PROG (to\n"
		"TARGET: an interface, cgroup directory, function, PATH:FUNC, ...).\n\n"
		"  --duration SEC    detach after SEC seconds (default: at Ctrl-C)\n"
		"  --btf FILE        kernel BTF for CO-RE instead of /sys/kernel/btf/vmlinux\n");
}

static int attach_one(struct wl_program *p, const char *target)
{
	struct wl_link *l;
	if (wl_program_attach_to(p, target, &l) < 0) {
		fprintf(stderr,
			"whistler attach: error: prog '%s' (section '%s') was not attached\n",
			wl_program_name(p), wl_program_section(p));
		return -1;
	}
	printf("Attached %s (%s)\n", wl_link_desc(l), wl_link_kind(l));
	return 0;
}

static void wait_until_stopped(double duration)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!stop) {
		struct timespec tick = { 0, 100 * 1000 * 1000 };
		nanosleep(&tick, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		double el =
			(double)(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
		if (duration > 0 && el >= duration)
			break;
	}
}

int cmd_attach(int argc, char **argv)
{
	const char *pos[3] = { 0 };
	int npos = 0;
	double duration = 0;
	struct wl_object_opts opts = { 0 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--duration") && i + 1 < argc) {
			char *end;
			duration = strtod(argv[++i], &end);
			if (*end || duration <= 0) {
				fprintf(stderr, "whistler attach: error: bad duration '%s'\n",
					argv[i]);
				return 1;
			}
		} else if (!strcmp(a, "--btf") && i + 1 < argc) {
			opts.btf_custom_path = argv[++i];
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "whistler attach: error: unknown option '%s'\n", a);
			usage(stderr);
			return 1;
		} else if (npos == 3) {
			fprintf(stderr, "whistler attach: error: too many arguments\n");
			return 1;
		} else {
			pos[npos++] = a;
		}
	}
	if (!npos) {
		fprintf(stderr, "whistler attach: error: no object file\n");
		usage(stderr);
		return 1;
	}
	struct wl_object *obj;
	if (wl_object_open_file(pos[0], &opts, &obj) < 0)
		return 1;
	/* [PROG] [TARGET]: a lone argument is a program name if one has it,
	 * else the target of the object's only program */
	struct wl_program *only = NULL;
	const char *target = NULL;
	if (npos >= 2) {
		only = wl_object_find_program(obj, pos[1]);
		if (only)
			target = pos[2];
		else if (npos == 2 && wl_object_program_count(obj) == 1) {
			only = wl_object_program(obj, 0);
			target = pos[1];
		} else {
			fprintf(stderr, "whistler attach: error: no program '%s' in '%s'\n", pos[1],
				pos[0]);
			wl_object_close(obj);
			return 1;
		}
		for (size_t i = 0; i < wl_object_program_count(obj); i++)
			if (wl_object_program(obj, i) != only)
				wl_program_set_autoload(wl_object_program(obj, i), false);
	}
	int rc = 1;
	if (wl_object_load(obj) < 0)
		goto out;
	size_t attached = 0;
	for (size_t i = 0; i < wl_object_program_count(obj); i++) {
		struct wl_program *p = wl_object_program(obj, i);
		if (!wl_program_autoload(p))
			continue;
		if (attach_one(p, p == only ? target : NULL) < 0)
			goto out;
		attached++;
	}
	printf("%zu program%s attached; %s\n", attached, attached == 1 ? "" : "s",
	       duration > 0 ? "detaching when the duration ends" : "Ctrl-C detaches");
	fflush(stdout);
	wait_until_stopped(duration);
	printf("Detached\n");
	rc = 0;
out:
	wl_object_close(obj);
	return rc;
}
