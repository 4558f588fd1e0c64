/* `whistler version` */
#include "driver/commands.h"

#include <stdio.h>

int cmd_version(int argc, char **argv)
{
	printf("whistler %s\n", WHISTLER_VERSION);
	return 0;
}
