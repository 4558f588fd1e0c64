/* `whistler run FILE.lisp [ARGS...]`: a BPF session from a file — its
 * definitions compiled and loaded in memory, its userspace forms run, and
 * everything detached and closed on exit, on error and on Ctrl-C.  Also the
 * driver of `whistler repl` (cmd_repl.c). */
#include "driver/commands.h"
#include "session/session.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int driver_session_main(int argc, char **argv, bool repl);

static volatile sig_atomic_t *interrupt_flag;

static void on_signal(int sig)
{
	(void)sig;
	if (*interrupt_flag) /* a second Ctrl-C while the first is pending: the
				kernel drops our fd-held attachments */
		_exit(130);
	*interrupt_flag = 1;
}

static void usage(FILE *out, bool repl)
{
	if (repl)
		fprintf(out,
			"usage: whistler repl [options]\n\n"
			"Reads forms from standard input, evaluates them and prints their\n"
			"values.  bpf:map, bpf:prog (defmap, defprog...) are compiled and loaded\n"
			"as they come; redefining a program reloads and re-attaches it, maps\n"
			"keep their contents unless redefined.\n\n");
	else
		fprintf(out,
			"usage: whistler run [options] FILE.lisp [ARGS...]\n\n"
			"Compiles the file's BPF definitions in memory, loads them and runs its\n"
			"userspace forms (bpf:attach, bpf:map-ref, ...); no object file is\n"
			"written.  ARGS go to sb-ext:*posix-argv* after \"whistler\".  Ctrl-C\n"
			"signals sb-sys:interactive-interrupt; everything is detached on exit.\n\n");
	fprintf(out, "  -O0 .. -O3        optimization level (default -O2)\n"
		     "  --btf FILE        kernel BTF instead of /sys/kernel/btf/vmlinux\n"
		     "  -v, --verbose     announce loads, reloads and attachments on stderr\n"
		     "  -q, --quiet       do not announce them (the REPL does by default)\n");
}

/* "path/execve-count.lisp" -> "execve_count": the kernel names of global data */
static char *session_name(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strcspn(base, ".");
	char *out = xstrndup(base, n ? n : strlen(base));
	for (char *p = out; *p; p++)
		if (!isalnum((unsigned char)*p))
			*p = '_';
	return out;
}

int driver_session_main(int argc, char **argv, bool repl)
{
	const char *cmd = repl ? "whistler repl" : "whistler run", *file = NULL;
	struct wsession_options o = { .opt_level = 2, .log = repl ? stderr : NULL };
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, repl);
			return 0;
		} else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
			o.opt_level = a[2] - '0';
		} else if (!strcmp(a, "--btf") && i + 1 < argc) {
			o.btf_path = argv[++i];
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o.log = stderr;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o.log = NULL;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "%s: error: unknown option '%s'\n", cmd, a);
			usage(stderr, repl);
			return 2;
		} else {
			break;
		}
	}
	if (!repl) {
		if (i == argc) {
			fprintf(stderr, "%s: error: no session file\n", cmd);
			usage(stderr, repl);
			return 2;
		}
		file = argv[i++];
	}
	struct srcmgr sm = { 0 };
	struct diag d;
	diag_init(&d, &sm);
	d.error_limit = repl ? 0 : 20;
	uint32_t fid = 0;
	if (file && !(fid = srcmgr_load(&sm, file))) {
		fprintf(stderr, "%s: error: cannot read '%s': %s\n", cmd, file, strerror(errno));
		srcmgr_free(&sm);
		return 1;
	}
	char *name = session_name(file ? file : "repl");
	o.name = name;
	/* printed counts must reach a pipe as they are made */
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct wsession *s = wsession_new(&sm, &d, &o, argc - i, argv + i);
	interrupt_flag = lisp_interrupt_flag(wsession_lisp(s));
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a Ctrl-C ends a blocked read */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	int status;
	if (repl) {
		status = wsession_repl(s, stdin, isatty(0) ? "* " : NULL);
	} else {
		switch (wsession_run_file(s, fid, NULL, NULL)) {
		case WSESSION_OK:
			status = 0;
			break;
		case WSESSION_INTERRUPT:
			status = 130;
			break;
		case WSESSION_EXIT:
			status = wsession_exit_code(s);
			break;
		default:
			status = 1;
			break;
		}
	}
	fflush(stdout);
	wsession_free(s); /* detaches and closes everything */
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	srcmgr_free(&sm);
	free(name);
	return status;
}

int cmd_run(int argc, char **argv)
{
	return driver_session_main(argc, argv, false);
}
