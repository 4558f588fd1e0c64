/* The feature table as a sorted array per kind, searched by name. */
#include "frontend/c/cfeatures.h"
#include "util/util.h"

#include <string.h>

static const struct cfeature {
	enum cfeature_kind kind;
	const char *name;
	long value;
} features[] = {
#define FEATURE(kind, name, value) { CF_##kind, name, value },
#include "frontend/c/cfeatures.def"
#undef FEATURE
};

long cfeature_value(enum cfeature_kind k, const char *name, size_t len)
{
	/* __packed__ is packed, __c_alignas__ is c_alignas: all but builtins */
	if (k != CF_BUILTIN && len > 4 && !memcmp(name, "__", 2) &&
	    !memcmp(name + len - 2, "__", 2)) {
		name += 2;
		len -= 4;
	}
	for (size_t i = 0; i < ARRAY_LEN(features); i++)
		if (features[i].kind == k && strlen(features[i].name) == len &&
		    !memcmp(features[i].name, name, len))
			return features[i].value;
	return 0;
}
