#include "h.h"
#include <s.h>
#include "inc/x y.h"
#include "inc/long_directory_name_to_force_line_wrapping/another_long_header_name.h"
#include <stddef.h>
