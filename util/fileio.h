/* Whole-file reads and crash-safe writes (temp file + rename): a failed
 * compile never leaves a half-written output behind. */
#ifndef WHISTLER_FILEIO_H
#define WHISTLER_FILEIO_H

#include "util/buf.h"

/* Reads all of `path` ("-" is stdin) into b. Returns 0 or -errno. */
int file_read(const char *path, struct buf *b);
/* Writes data to `path` atomically ("-" is stdout): into a temporary file
 * renamed over it, so a failure never leaves half a file. Paths that are not
 * regular files (/dev/null, pipes, symlinks) are written in place. Returns 0
 * or -errno. */
int file_write_atomic(const char *path, const void *data, size_t len);

#endif
