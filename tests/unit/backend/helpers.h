/* Shared by the backend's unit tests: compile IR text to an object in memory. */
#ifndef WHISTLER_TEST_BACKEND_HELPERS_H
#define WHISTLER_TEST_BACKEND_HELPERS_H

#include "backend/object.h"
#include "elf/elfr.h"

struct compiled {
	struct buf obj;	  /* the ELF object, empty on failure */
	struct buf diags; /* diagnostics, without carets */
	struct elfr *elf; /* a reader over obj, NULL on failure */
	int rc;		  /* bk_write_object's result, or -1 when parsing failed */
};

/* Parses, verifies and writes `text` (named "t.wir"); g0 drops line info. */
void compile_text(const char *text, bool g0, struct compiled *c);
void compiled_free(struct compiled *c);
/* A section's bytes (cr_assert that it exists). */
const struct elfr_section *section(const struct compiled *c, const char *name);

#endif
