#include "guard.h"
#include "guard.h"
#define HDR "guard.h"
#include HDR
#if __INCLUDE_LEVEL__ == 0
top __FILE__ __BASE_FILE__
#endif
