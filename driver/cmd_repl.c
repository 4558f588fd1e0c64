/* `whistler repl`: a BPF session read from standard input (see cmd_run.c,
 * which drives both). */
#include "driver/commands.h"

#include <stdbool.h>

int driver_session_main(int argc, char **argv, bool repl);

int cmd_repl(int argc, char **argv)
{
	return driver_session_main(argc, argv, true);
}
