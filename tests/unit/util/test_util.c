/* util: arenas, vectors, hash maps, string tables, diagnostics, atomic writes. */
#include "util/arena.h"
#include "util/diag.h"
#include "util/fileio.h"
#include "util/hmap.h"
#include "util/strtab.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

Test(arena, zeroed_aligned_and_large)
{
	struct arena a = { 0 };
	char *p = arena_alloc(&a, 3);
	cr_assert_eq(((uintptr_t)p) % 16, 0);
	cr_assert_eq(p[0] | p[1] | p[2], 0);
	char *big = arena_alloc(&a, 1 << 20);
	big[(1 << 20) - 1] = 1;
	char *q = arena_alloc(&a, 5);
	cr_assert_eq((uintptr_t)q - (uintptr_t)p, 16, "small allocations stay in the first chunk");
	cr_assert_str_eq(arena_printf(&a, "%d-%s", 42, "x"), "42-x");
	arena_free(&a);
}

Test(vec, push_pop)
{
	VEC(int) v = { 0 };
	for (int i = 0; i < 1000; i++)
		vec_push(&v, i * 2);
	cr_assert_eq(v.len, 1000);
	cr_assert_eq(vec_last(&v), 1998);
	cr_assert_eq(vec_pop(&v), 1998);
	int sum = 0;
	vec_foreach(&v, it) sum += *it;
	cr_assert_eq(sum, 999 * 998);
	vec_free(&v);
}

Test(hmap, insert_find_grow)
{
	struct hmap m = { 0 };
	char keys[500][8];
	for (int i = 0; i < 500; i++) {
		snprintf(keys[i], 8, "k%d", i);
		hmap_put(&m, keys[i], strlen(keys[i]), (uintptr_t)i);
	}
	uintptr_t v;
	cr_assert(hmap_gets(&m, "k377", &v));
	cr_assert_eq(v, 377);
	cr_assert_not(hmap_gets(&m, "k500", &v));
	cr_assert_eq(m.count, 500);
	hmap_free(&m);
}

Test(strtab, dedup_offsets)
{
	struct strtab t;
	strtab_init(&t);
	cr_assert_eq(strtab_add(&t, ""), 0);
	uint32_t a = strtab_add(&t, "abc");
	uint32_t b = strtab_add(&t, "de");
	cr_assert_eq(a, 1);
	cr_assert_eq(b, 5);
	cr_assert_eq(strtab_add(&t, "abc"), 1);
	cr_assert_eq(t.data.len, 8);
	strtab_free(&t);
}

Test(diag, located_error_with_caret_and_hint)
{
	struct srcmgr sm = { 0 };
	struct diag d;
	struct buf out = { 0 };
	diag_init(&d, &sm);
	d.capture = &out;
	uint32_t f = srcmgr_add(&sm, "a.wir", "first\n\tsecond line\n", 19);
	diag_error(&d, (struct srcloc){ f, 2, 2 }, "bad %s", "thing");
	diag_hint(&d, "try %d", 3);
	cr_assert_str_eq(buf_cstr(&out), "a.wir:2:2: error: bad thing\n"
					 "    2 |  second line\n"
					 "      |  ^\n"
					 "hint: try 3\n");
	cr_assert_eq(d.errors, 1);
	buf_free(&out);
	srcmgr_free(&sm);
}

Test(diag, error_limit_and_werror)
{
	struct srcmgr sm = { 0 };
	struct diag d;
	struct buf out = { 0 };
	diag_init(&d, &sm);
	d.capture = &out;
	d.error_limit = 2;
	d.werror = true;
	diag_warning(&d, (struct srcloc){ 0 }, "w");
	diag_error(&d, (struct srcloc){ 0 }, "e");
	diag_error(&d, (struct srcloc){ 0 }, "dropped");
	cr_assert(d.limit_reached);
	cr_assert_eq(d.errors, 2);
	cr_assert_null(strstr(buf_cstr(&out), "dropped"));
	cr_assert_not_null(strstr(buf_cstr(&out), "too many errors"));
	buf_free(&out);
}

Test(diag, suggestions)
{
	const char *c[] = { "map_lookup_elem", "map_update_elem", "ktime_get_ns" };
	cr_assert_str_eq(diag_suggest("map_lookup_elm", c, 3), "map_lookup_elem");
	cr_assert_null(diag_suggest("zzz", c, 3));
}

Test(fileio, atomic_write_replaces)
{
	char dir[] = "/tmp/wtestXXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/out.o", dir);
	cr_assert_eq(file_write_atomic(path, "hello", 5), 0);
	struct buf b = { 0 };
	cr_assert_eq(file_read(path, &b), 0);
	cr_assert_eq(b.len, 5);
	cr_assert_eq(memcmp(b.data, "hello", 5), 0);
	cr_assert_lt(file_write_atomic("/nonexistent-dir/x.o", "x", 1), 0);
	buf_free(&b);
	unlink(path);
	rmdir(dir);
}

Test(fileio, devices_and_symlinks_stay)
{
	/* Our own nodes, not the machine's /dev/null: a test must not be
	 * able to break the host it runs on. */
	char dir[] = "/tmp/wlinkXXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct stat st;
	char dev[64];
	snprintf(dev, sizeof(dev), "%s/null", dir);
	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0) {
		cr_assert_eq(file_write_atomic(dev, "x", 1), 0);
		cr_assert_eq(lstat(dev, &st), 0);
		cr_assert(S_ISCHR(st.st_mode), "the device node is still a device");
		unlink(dev);
	}
	char fifo[64];
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	int rd = open(fifo, O_RDONLY | O_NONBLOCK);
	cr_assert_geq(rd, 0);
	cr_assert_eq(file_write_atomic(fifo, "xyz", 3), 0);
	cr_assert_eq(lstat(fifo, &st), 0);
	cr_assert(S_ISFIFO(st.st_mode), "the pipe is still a pipe");
	char got[4] = { 0 };
	cr_assert_eq(read(rd, got, sizeof(got)), 3);
	cr_assert_str_eq(got, "xyz");
	close(rd);
	unlink(fifo);
	char target[64], link[64];
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	cr_assert_eq(symlink(target, link), 0);
	cr_assert_eq(file_write_atomic(link, "abc", 3), 0);
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "the symlink is kept");
	struct buf b = { 0 };
	cr_assert_eq(file_read(target, &b), 0);
	cr_assert_eq(b.len, 3);
	buf_free(&b);
	unlink(link);
	unlink(target);
	rmdir(dir);
}
