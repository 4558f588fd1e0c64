#include "objutil.h"
