/* The loader's small shared pieces: the log callback, names of the kernel's
 * enums (from the .def tables), fd hygiene, the possible-CPU count. */
#include "loader/internal.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void log_stderr(enum wl_log_level level, const char *msg)
{
	if (level == WL_LOG_WARN)
		fprintf(stderr, "whistler: %s\n", msg);
}

static wl_log_fn log_fn = log_stderr;

wl_log_fn wl_set_log(wl_log_fn fn)
{
	wl_log_fn old = log_fn;
	log_fn = fn;
	return old;
}

void wl_log(enum wl_log_level level, const char *fmt, ...)
{
	if (!log_fn)
		return;
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) >= 0) {
		size_t n = strlen(msg);
		while (n && msg[n - 1] == '\n')
			msg[--n] = 0;
		log_fn(level, msg);
		free(msg);
	}
	va_end(ap);
	errno = saved;
}

const char *wl_errstr(int neg_errno)
{
	static __thread char buf[64];
	const char *s = strerror_r(-neg_errno, buf, sizeof(buf));
	return s;
}

void wl_close(int fd)
{
	if (fd > 0) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
}

int wl_dup(int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return d < 0 ? -errno : d;
}

/* ---- names ---- */

struct name_entry {
	uint32_t id;
	const char *name;
};

static const struct name_entry map_names[] = {
#define NEED_NONE 0
#define MAP_TYPE(id, name, k, v, m, f, need) { id, name },
#include "loader/map_types.def"
#undef MAP_TYPE
};

static const struct name_entry prog_names[] = {
#define PROG_TYPE(id, name, att, need) { id, name },
#include "loader/prog_types.def"
#undef PROG_TYPE
};

static const struct name_entry attach_names[] = {
#define ATTACH_TYPE(id, name) { id, name },
#include "loader/attach_types.def"
#undef ATTACH_TYPE
};

static const struct name_entry link_names[] = {
#define LINK_TYPE(id, name) { id, name },
#include "loader/attach_types.def"
#undef LINK_TYPE
};

static const char *name_of(const struct name_entry *t, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].id == id)
			return t[i].name;
	return NULL;
}

static int id_of(const struct name_entry *t, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(t[i].name, name))
			return (int)t[i].id;
	return -ENOENT;
}

const char *wl_map_type_name(uint32_t type)
{
	return name_of(map_names, ARRAY_LEN(map_names), type);
}

const char *wl_prog_type_name(uint32_t type)
{
	return name_of(prog_names, ARRAY_LEN(prog_names), type);
}

const char *wl_attach_type_name(uint32_t type)
{
	return name_of(attach_names, ARRAY_LEN(attach_names), type);
}

const char *wl_link_type_name(uint32_t type)
{
	return name_of(link_names, ARRAY_LEN(link_names), type);
}

int wl_map_type_by_name(const char *name)
{
	return id_of(map_names, ARRAY_LEN(map_names), name);
}

int wl_prog_type_by_name(const char *name)
{
	return id_of(prog_names, ARRAY_LEN(prog_names), name);
}

int wl_attach_type_by_name(const char *name)
{
	return id_of(attach_names, ARRAY_LEN(attach_names), name);
}

/* /sys/devices/system/cpu/possible is a list like "0-3,5,7-8". */
int wl_num_possible_cpus(void)
{
	static int cached;
	if (cached > 0)
		return cached;
	int fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	int count = 0;
	for (char *p = buf; *p && *p != '\n';) {
		char *end;
		long a = strtol(p, &end, 10), b = a;
		if (end == p)
			return -EINVAL;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (b < a)
			return -EINVAL;
		count += (int)(b - a + 1);
		p = *end == ',' ? end + 1 : end;
	}
	if (count <= 0)
		return -EINVAL;
	cached = count;
	return count;
}
