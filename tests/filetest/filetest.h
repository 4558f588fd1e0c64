/* The filetest runner's view of one test file, shared with its commands. */
#ifndef WHISTLER_FILETEST_H
#define WHISTLER_FILETEST_H

#include "util/buf.h"
#include "util/util.h"

enum ft_check_kind { FT_CHECK, FT_NEXTLN, FT_NOT };
struct ft_check {
	enum ft_check_kind kind;
	char *text;
};
struct ft_error {
	uint32_t line;
	char *text;
	bool seen;
};

struct ft_test {
	const char *path;
	const char *text; /* the whole file */
	char *command;    /* "opt fold,dce" */
	const char *args; /* "fold,dce" */
	VEC(char *) requires;
	VEC(struct ft_check) checks;
	VEC(struct ft_error) errors;
	bool has_output;
	uint32_t output_line;
	struct buf expect_output;
	/* filled by the command */
	struct buf output; /* what check lines and `; output:` are compared with */
	struct buf diags;  /* diagnostics, matched against `; error:` lines */
	struct buf report; /* why the test failed (or was skipped) */
};

/* A command returns 0 when it ran (the runner then compares outputs and
 * errors), 1 on a failure it explains in t->report, 77 to skip. */
struct ft_command {
	const char *name;
	int (*run)(struct ft_test *t);
};

#define FT_COMMAND(name, fn, summary) int fn(struct ft_test *t);
#include "tests/filetest/commands.def"
#undef FT_COMMAND

#endif
