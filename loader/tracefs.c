/* tracefs and perf plumbing for the tracing attachers: where tracefs is,
 * tracepoint ids, dynamic PMU types and their retprobe bits, legacy
 * kprobe_events/uprobe_events entries, perf_event_open. */
#include "loader/internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *wl_tracefs_root(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	for (size_t i = 0; i < ARRAY_LEN(roots); i++) {
		char p[64];
		snprintf(p, sizeof(p), "%s/events", roots[i]);
		if (access(p, F_OK) == 0)
			return roots[i];
	}
	return NULL;
}

/* Reads a small text file holding one integer; -errno on failure. */
static long read_long(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	char *end;
	long v = strtol(buf, &end, 10);
	if (end == buf)
		return -EINVAL;
	return v;
}

static bool name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 200)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == '.' || *s == ' ' || *s == '\n')
			return false;
	return true;
}

int wl_tracepoint_id(const char *category, const char *name)
{
	if (!name_ok(category) || !name_ok(name))
		return -EINVAL;
	const char *root = wl_tracefs_root();
	if (!root)
		return -ENOENT;
	char path[512];
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", root, category, name);
	long id = read_long(path);
	return id < 0 ? (int)id : (int)id;
}

int wl_pmu_type(const char *pmu)
{
	char path[256];
	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", pmu);
	long t = read_long(path);
	return (int)t;
}

/* format/retprobe reads "config:0": the bit to set in attr.config. */
int wl_pmu_retprobe_bit(const char *pmu)
{
	char path[256];
	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/format/retprobe", pmu);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = 0;
	int bit;
	if (sscanf(buf, "config:%d", &bit) != 1 || bit < 0 || bit > 63)
		return -EINVAL;
	return bit;
}

int wl_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
		       unsigned long flags)
{
	long fd = syscall(__NR_perf_event_open, attr, pid, cpu, group_fd,
			  flags | PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fd <= 2) {
		int d = wl_dup((int)fd);
		close((int)fd);
		return d;
	}
	return (int)fd;
}

static int append_line(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = strlen(line);
	ssize_t w = write(fd, line, n);
	int e = errno;
	close(fd);
	if (w < 0)
		return -e;
	return (size_t)w == n ? 0 : -EIO;
}

int wl_tracefs_probe_add(const char *file, const char *group, const char *event, const char *line)
{
	const char *root = wl_tracefs_root();
	if (!root)
		return -ENOENT;
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, file);
	if (access(path, F_OK))
		return -ENOENT;
	int r = append_line(path, line);
	if (r < 0)
		return r;
	return wl_tracepoint_id(group, event);
}

int wl_tracefs_probe_remove(const char *file, const char *group, const char *event)
{
	const char *root = wl_tracefs_root();
	if (!root)
		return -ENOENT;
	char path[512], line[512];
	snprintf(path, sizeof(path), "%s/%s", root, file);
	snprintf(line, sizeof(line), "-:%s/%s\n", group, event);
	return append_line(path, line);
}
