/* `whistler lisp [-e EXPR]... [FILE [ARGS...]]`: evaluates plain Common Lisp
 * forms with Whistler's evaluator and prints results; a developer tool and
 * the driver of the Lisp golden tests. */
#include "driver/commands.h"
#include "frontend/lisp/lisp.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t *interrupt_flag;

static void on_sigint(int sig)
{
	(void)sig;
	if (*interrupt_flag) /* a second Ctrl-C while the first is pending */
		_exit(130);
	*interrupt_flag = 1;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: whistler lisp [OPTIONS] [-e EXPR]... [FILE [ARGS...]]\n"
		     "\n"
		     "Evaluates Common Lisp forms: those of each -e EXPR, printing their\n"
		     "values like a REPL, then those of FILE ('-' for standard input).\n"
		     "ARGS go to sb-ext:*posix-argv* after the program name.\n"
		     "\n"
		     "  -e EXPR         evaluate the forms of EXPR, print their values\n"
		     "  -p, --print     print the values of every top-level form of FILE\n"
		     "  --steps N       evaluation step budget per top-level form\n"
		     "  --depth N       nesting limit for evaluation\n"
		     "  -h, --help      this text\n");
}

static void print_values(struct lisp_ctx *ctx, lv v)
{
	int n = lisp_values_count(ctx);
	for (int i = 0; i < n; i++) {
		lv x = n == 1 ? v : lisp_value_n(ctx, i);
		char *s = lisp_print_to_cstring(ctx, x, true);
		printf("%s\n", s);
		free(s);
	}
	fflush(stdout);
}

static void each_form(struct lisp_ctx *ctx, lv form, lv value, void *data)
{
	(void)form;
	(void)data;
	print_values(ctx, value);
}

static int finish(struct lisp_ctx *ctx, int rc)
{
	int code = 0;
	if (rc == 0)
		return -1;
	if (lisp_exit_requested(ctx, &code))
		return code;
	lv c = lisp_last_condition(ctx);
	if (c && !strcmp(lisp_symbol_name(lisp_condition_type(c)), "INTERACTIVE-INTERRUPT"))
		return 130;
	return 1;
}

int cmd_lisp(int argc, char **argv)
{
	const char *exprs[64];
	int nexprs = 0, i;
	bool print_all = false;
	struct lisp_limits lim = { 0 };
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-e") && i + 1 < argc) {
			if (nexprs == (int)(sizeof(exprs) / sizeof(exprs[0]))) {
				fprintf(stderr, "whistler lisp: error: too many -e options\n");
				return 2;
			}
			exprs[nexprs++] = argv[++i];
		} else if (!strcmp(a, "-p") || !strcmp(a, "--print")) {
			print_all = true;
		} else if (!strcmp(a, "--steps") && i + 1 < argc) {
			lim.max_steps = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(a, "--depth") && i + 1 < argc) {
			lim.max_depth = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "whistler lisp: error: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	const char *file = i < argc ? argv[i++] : NULL;
	if (!file && !nexprs) {
		usage(stderr);
		return 2;
	}

	struct srcmgr sm = { 0 };
	struct diag d;
	diag_init(&d, &sm);
	d.error_limit = 0;
	struct lisp_ctx *ctx = lisp_new(&sm, &d);
	lisp_set_limits(ctx, &lim);
	interrupt_flag = lisp_interrupt_flag(ctx);
	signal(SIGINT, on_sigint);

	/* *posix-argv*: the program name, then the arguments after FILE */
	lv args = LISP_NIL;
	for (int k = argc - 1; k >= i; k--)
		args = lisp_cons(ctx, lisp_make_cstring(ctx, argv[k]), args);
	args = lisp_cons(ctx, lisp_make_cstring(ctx, "whistler"), args);
	lisp_set_symbol_value(ctx, lisp_intern(ctx, "sb-ext:*posix-argv*"), args);

	int status = 0;
	for (int k = 0; k < nexprs && !status; k++) {
		char name[32];
		snprintf(name, sizeof(name), "<-e %d>", k + 1);
		int rc = lisp_load_string(ctx, name, exprs[k], each_form, NULL);
		int code = finish(ctx, rc);
		if (code >= 0)
			status = code;
	}
	if (!status && file) {
		int rc = lisp_load_file(ctx, file, print_all ? each_form : NULL, NULL);
		int code = finish(ctx, rc);
		if (code >= 0)
			status = code;
	}
	lisp_free(ctx);
	srcmgr_free(&sm);
	return status;
}
