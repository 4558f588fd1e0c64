/* Subcommand entry points of `whistler`, declared from commands.def. */
#ifndef WHISTLER_DRIVER_COMMANDS_H
#define WHISTLER_DRIVER_COMMANDS_H

#define CMD(name, summary) int cmd_##name(int argc, char **argv);
#include "driver/commands.def"
#undef CMD

#endif
