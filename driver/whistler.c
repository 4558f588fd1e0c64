/* `whistler`: dispatch to the subcommands listed in commands.def. */
#include "driver/commands.h"

#include <stdio.h>
#include <string.h>

static const struct command {
	const char *name, *summary;
	int (*run)(int argc, char **argv);
} commands[] = {
#define CMD(name, summary) { #name, summary, cmd_##name },
#include "driver/commands.def"
#undef CMD
};

static void usage(FILE *out)
{
	fprintf(out, "usage: whistler COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'whistler COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version"))
		name = "version";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "whistler: error: unknown command '%s'\n", name);
	usage(stderr);
	return 1;
}
