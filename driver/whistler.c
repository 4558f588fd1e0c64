/* `whistler`: the toolbox's subcommands. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("whistler %s\n", WHISTLER_VERSION);
		return 0;
	}
	fprintf(stderr, "usage: whistler COMMAND ...\n");
	return 1;
}
