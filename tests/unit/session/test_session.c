/* Sessions in-process, in the real kernel: load and attach, map access from
 * Lisp, reloads that keep maps, with-bpf-session cleanup on exit, error and
 * interrupt, ring and perf consumers, global variables, program arrays across
 * reloads, located errors, and the REPL reader — with every fd of the process
 * counted before and after. */
#include "session/session.h"
#include "whistler/loader.h"

#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

static struct srcmgr sm;
static struct diag d;
static struct buf diags, out;
static struct wsession *S;
static int fds_at_start;
static char last[4096];

static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;
	while (dir && readdir(dir))
		n++;
	if (dir)
		closedir(dir);
	return n;
}

static void kernel_or_skip(void)
{
	struct wl_map *m;
	struct wl_map_opts o = { .name = "probe",
				 .type = 2 /* array */,
				 .key_size = 4,
				 .value_size = 8,
				 .max_entries = 1 };
	wl_log_fn prev = wl_set_log(NULL);
	int r = wl_map_create(&o, &m);
	wl_set_log(prev);
	if (r == -EPERM || r == -ENOSYS)
		cr_skip_test("the kernel refuses BPF here: %s", strerror(-r));
	cr_assert_eq(r, 0, "map create: %s", strerror(-r));
	wl_map_destroy(m);
	if (access("/sys/kernel/tracing/events/syscalls/sys_enter_getppid/id", R_OK))
		cr_skip_test("no syscall tracepoints in /sys/kernel/tracing");
}

static void setup(void)
{
	kernel_or_skip();
	fds_at_start = count_fds();
	memset(&sm, 0, sizeof(sm));
	diag_init(&d, &sm);
	d.capture = &diags;
	d.error_limit = 0;
	S = wsession_new(&sm, &d, &(struct wsession_options){ .name = "t_session" }, 0, NULL);
	lisp_set_output(wsession_lisp(S), NULL, &out, 0);
}

static void teardown(void)
{
	if (S)
		wsession_free(S);
	S = NULL;
	srcmgr_free(&sm);
	buf_free(&diags);
	buf_free(&out);
}

TestSuite(session, .init = setup, .fini = teardown);

static void keep(struct wsession *s, lv v, void *data)
{
	char *t = lisp_print_to_cstring(wsession_lisp(s), v, true);
	snprintf(last, sizeof(last), "%s", t);
	free(t);
}

/* Runs `src` as a session file; the printed value of its last form, or
 * "ERROR" / "INTERRUPT" / "EXIT". */
static const char *run(const char *src)
{
	snprintf(last, sizeof(last), "<none>");
	diags.len = 0;
	uint32_t f = srcmgr_add(&sm, "t.lisp", src, strlen(src));
	switch (wsession_run_file(S, f, keep, NULL)) {
	case WSESSION_OK:
		return last;
	case WSESSION_INTERRUPT:
		return "INTERRUPT";
	case WSESSION_EXIT:
		return "EXIT";
	default:
		return "ERROR";
	}
}

#define RUN(src, expected)                                                                        \
	do {                                                                                      \
		const char *got_ = run(src);                                                      \
		cr_assert_str_eq(got_, expected, "%s\n got: %s\n%.*s", src, got_, (int)diags.len, \
				 diags.data ? (char *)diags.data : "");                           \
	} while (0)

static const char *diag_text(void)
{
	buf_cstr(&diags);
	return diags.data ? (const char *)diags.data : "";
}

static void getppid_n(int n)
{
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/* A counter of this process's getppid() calls: map `hits`, program `tick`
 * adding DELTA to slot SLOT. */
static char *tick_prog(int slot, int delta)
{
	return xasprintf("(bpf:prog tick (:type :tracepoint :section "
			 "\"tracepoint/syscalls/sys_enter_getppid\")\n"
			 "  (when (= (>> (get-current-pid-tgid) 32) %d)\n"
			 "    (incf (getmap hits %d) %d))\n"
			 "  0)\n",
			 (int)getpid(), slot, delta);
}

static const char hits_map[] =
	"(bpf:map hits :type :array :key-size 4 :value-size 8 :max-entries 4)\n";

static volatile sig_atomic_t *alarm_flag;

static void on_alarm(int sig)
{
	(void)sig;
	*alarm_flag = 1;
}

/* Ctrl-C in 0.2 s, as the SIGINT handler of `whistler run` gives it. */
static void interrupt_soon(void)
{
	alarm_flag = lisp_interrupt_flag(wsession_lisp(S));
	signal(SIGALRM, on_alarm);
	struct itimerval it = { .it_value = { 0, 200000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static void stats_are(unsigned programs, unsigned links, unsigned objects)
{
	struct wsession_stats st;
	wsession_stats(S, &st);
	cr_assert_eq(st.programs, programs, "programs: %u, want %u", st.programs, programs);
	cr_assert_eq(st.links, links, "links: %u, want %u", st.links, links);
	cr_assert_eq(st.objects, objects, "objects: %u, want %u", st.objects, objects);
}

Test(session, attach_count_and_read_maps)
{
	char *p = tick_prog(0, 1);
	run(hits_map);
	RUN(p, "TICK");
	RUN("(bpf:attach tick)", "\"prog 'tick' on tracepoint 'syscalls/sys_enter_getppid'\"");
	getppid_n(3);
	RUN("(bpf:map-ref hits 0)", "3");
	RUN("(list (bpf:map-ref hits 1) (bpf:map-ref 'hits 0) (bpf:map-ref \"hits\" 0))",
	    "(0 3 3)");
	RUN("(setf (bpf:map-ref hits 2) 40) (incf (bpf:map-ref hits 2) 2) (bpf:map-ref hits 2)",
	    "42");
	/* a variable holding the map, lexical or global */
	RUN("(let ((m (bpf-session-map 'hits))) (bpf:map-ref m 2))", "42");
	RUN("(defvar *m* (bpf:map-ref hits)) (setf (bpf:map-ref *m* 3) 7) (bpf:map-ref *m* 3)",
	    "7");
	RUN("(setf (bpf:map-ref hits 3) nil) (bpf:map-ref hits 3)", "0");
	RUN("(decode-int-value (map-lookup (bpf-session-map 'hits) 2))", "42");
	RUN("(map-lookup 'hits (encode-int-key 2 4))", "#(42 0 0 0 0 0 0 0)");
	RUN("(map-get-next-key 'hits nil)", "#(0 0 0 0)");
	RUN("(map-get-next-key 'hits 3)", "NIL");
	RUN("(mapcar (lambda (e) (decode-int-value (cdr e))) (map-entries 'hits))", "(3 0 42 0)");
	RUN("(map-delete 'hits 0)", "ERROR"); /* arrays have no deletes */
	RUN("(mapcar #'car (bpf-session-maps *bpf-session*))", "(\"hits\")");
	RUN("(decode-int-value #(255 255) t)", "-1");
	RUN("(decode-int-value #(0 0 0 0 0 0 0 0 1))", "18446744073709551616");
	stats_are(1, 1, 1);
	RUN("(bpf:detach tick)", "T");
	getppid_n(2);
	RUN("(bpf:map-ref hits 0)", "3");
	stats_are(1, 0, 1);
	free(p);
}

Test(session, redefined_programs_reload_and_keep_maps)
{
	char *v1 = tick_prog(0, 1), *v2 = tick_prog(1, 10);
	run(hits_map);
	run(v1);
	run("(bpf:attach tick \"tracepoint/syscalls/sys_enter_getppid\")");
	getppid_n(3);
	RUN("(bpf:map-ref hits 0)", "3");
	run(v2); /* reloaded at the next use, re-attached where v1 was */
	RUN("(bpf:load)", "T");
	stats_are(1, 1, 1);
	getppid_n(2);
	RUN("(list (bpf:map-ref hits 0) (bpf:map-ref hits 1))", "(3 20)");
	RUN("(length (bpf:attachments))", "1");
	/* a redefined map is a new, empty one, and the program moves onto it */
	run(hits_map);
	getppid_n(1);
	RUN("(list (bpf:map-ref hits 0) (bpf:map-ref hits 1))", "(0 10)");
	struct wsession_stats st;
	wsession_stats(S, &st);
	cr_assert_eq(st.loads, 4, "map+prog, v1... loads: %u", st.loads);
	stats_are(1, 1, 1);
	free(v1);
	free(v2);
}

Test(session, with_bpf_session_cleans_up_on_exit_error_and_interrupt)
{
	char *p = tick_prog(0, 1);
	char *body = xasprintf("(with-bpf-session ()\n%s%s (bpf:attach tick)", hits_map, p);
	/* normal exit: the value of the body, then nothing is left */
	char *src = xasprintf("%s (sb-posix:getppid) (bpf:map-ref hits 0))", body);
	int fds = count_fds();
	RUN(src, "1");
	stats_are(0, 0, 0);
	cr_assert_eq(count_fds(), fds, "fds: %d before, %d after", fds, count_fds());
	free(src);
	/* an error inside */
	src = xasprintf("%s (error \"stop here\"))", body);
	RUN(src, "ERROR");
	cr_assert(strstr(diag_text(), "t.lisp:7:20: error: stop here"), "%s", diag_text());
	stats_are(0, 0, 0);
	cr_assert_eq(count_fds(), fds);
	free(src);
	/* Ctrl-C, caught inside: the handler still sees the maps */
	src = xasprintf("%s (sb-posix:getppid) (handler-case (loop (sleep 0.01))"
			" (sb-sys:interactive-interrupt () (list 'counted (bpf:map-ref hits 0)))))",
			body);
	interrupt_soon();
	RUN(src, "(COUNTED 1)");
	stats_are(0, 0, 0);
	cr_assert_eq(count_fds(), fds);
	free(src);
	/* uncaught: the session unwinds */
	src = xasprintf("%s (sb-posix:getppid) (loop (sleep 0.01)))", body);
	interrupt_soon();
	RUN(src, "INTERRUPT");
	stats_are(0, 0, 0);
	cr_assert_eq(count_fds(), fds);
	free(src);
	free(body);
	free(p);
}

Test(session, everything_is_closed_after_free)
{
	char *p = tick_prog(0, 1);
	run(hits_map);
	run(p);
	RUN("(bpf:attach tick) (open-ring-consumer (bpf:map-ref hits) #'print) 1", "ERROR");
	cr_assert(strstr(diag_text(), "map 'hits' is not a ring buffer"), "%s", diag_text());
	stats_are(1, 1, 1);
	cr_assert_gt(count_fds(), fds_at_start);
	wsession_free(S);
	S = NULL;
	cr_assert_eq(count_fds(), fds_at_start, "fds: %d at the start, %d after free", fds_at_start,
		     count_fds());
	free(p);
}

Test(session, globals_and_struct_keys_survive_reloads)
{
	char *src = xasprintf(
		"(defglobal calls u64)\n"
		"(defstruct who (pid u32) (slot u32))\n"
		"(bpf:map seen :type :hash :key-type who :value-size 8 :max-entries 8)\n"
		"(defmacro tick-body (slot)\n"
		"  `(when (= (>> (get-current-pid-tgid) 32) %d)\n"
		"     (setf calls (+ calls 1))\n"
		"     (let ((k (make-who)))\n"
		"       (setf (who-pid k) %d (who-slot k) ,slot)\n"
		"       (setf (getmap seen k) calls))))\n"
		"(bpf:prog tick (:type :tracepoint :section \"tracepoint/syscalls/sys_enter_getppid\")\n"
		"  (tick-body 1) 0)\n"
		"(bpf:attach tick)\n",
		(int)getpid(), (int)getpid());
	run(src);
	getppid_n(2);
	RUN("(bpf:prog tick (:type :tracepoint :section \"tracepoint/syscalls/sys_enter_getppid\")"
	    " (tick-body 2) 0) (bpf:load)",
	    "T");
	getppid_n(3);
	char *q = xasprintf("(list (bpf:map-ref seen (make-who-record :pid %d :slot 1))"
			    " (bpf:map-ref seen (make-who-record :pid %d :slot 2))"
			    " (sort (mapcar (lambda (k) (who-record-slot (decode-who k)))"
			    "               (map-keys 'seen)) #'<))",
			    (int)getpid(), (int)getpid());
	/* .bss (calls) was reused: the second version counts on from 2 */
	RUN(q, "(2 5 (1 2))");
	free(q);
	free(src);
}

Test(session, percpu_values_are_summed)
{
	char *src = xasprintf(
		"(bpf:map per :type :percpu-array :key-size 4 :value-size 4 :max-entries 1)\n"
		"(bpf:prog tick (:type :tracepoint :section \"tracepoint/syscalls/sys_enter_getppid\")\n"
		"  (when (= (>> (get-current-pid-tgid) 32) %d) (incf (getmap per 0))) 0)\n"
		"(bpf:attach tick)\n",
		(int)getpid());
	run(src);
	getppid_n(4);
	RUN("(bpf:map-ref per 0)", "4");
	RUN("(setf (bpf:map-ref per 0) 1) (bpf:map-ref per 0)", "1");
	free(src);
}

Test(session, ring_buffer_consumers)
{
	char *src = xasprintf(
		"(defstruct ev (pid u32) (n u32))\n"
		"(bpf:map events :type :ringbuf :max-entries 4096)\n"
		"(bpf:map n :type :array :key-size 4 :value-size 4 :max-entries 1)\n"
		"(bpf:prog tick (:type :tracepoint :section \"tracepoint/syscalls/sys_enter_getppid\")\n"
		"  (when (= (>> (get-current-pid-tgid) 32) %d)\n"
		"    (incf (getmap n 0))\n"
		"    (with-ringbuf (e events (sizeof ev))\n"
		"      (setf (ev-pid e) %d (ev-n e) (getmap n 0))))\n"
		"  0)\n"
		"(bpf:attach tick)\n"
		"(defvar *got* nil)\n"
		"(defvar *c* (open-decoding-ring-consumer 'events #'decode-ev\n"
		"             (lambda (e) (push (ev-record-n e) *got*))))\n",
		(int)getpid(), (int)getpid());
	run(src);
	getppid_n(3);
	RUN("(ring-poll *c* :timeout-ms 1000)", "3");
	RUN("(list (ring-poll *c* :timeout-ms 10) (reverse *got*))", "(0 (1 2 3))");
	RUN("(close-ring-consumer *c*) (ring-poll *c* :timeout-ms 10)", "ERROR");
	cr_assert(strstr(diag_text(), "the consumer of map 'events' is closed"), "%s", diag_text());
	RUN("(ring-poll 'events)", "ERROR");
	cr_assert(strstr(diag_text(), "expected a ring consumer"), "%s", diag_text());
	free(src);
}

Test(session, located_errors)
{
	run(hits_map);
	RUN("(bpf:map-ref hitz 0)", "ERROR");
	cr_assert(strstr(diag_text(), "t.lisp:1:1: error: bpf:map-ref: no map 'hitz' in the "
				      "session (maps: hits)"),
		  "%s", diag_text());
	RUN("(bpf:attach nope)", "ERROR");
	cr_assert(strstr(diag_text(), "no program 'nope' in the session"), "%s", diag_text());
	RUN("(bpf:map-ref hits (list 1 2))", "ERROR");
	cr_assert(strstr(diag_text(), "the key must be an integer, a byte vector, a string or a "
				      "defstruct record, not (1 2)"),
		  "%s", diag_text());
	RUN("(bpf:map-ref hits #(1 2 3 4 5))", "ERROR");
	cr_assert(strstr(diag_text(), "the key has 5 bytes, the map's key has 4"), "%s",
		  diag_text());
	/* a program that does not compile: reported where it is; with maps
	 * loaded already, the file stops there */
	RUN("(bpf:prog broken (:type :xdp) (+ 1 nosuch))\n(bpf:attach broken \"lo\")", "ERROR");
	cr_assert(strstr(diag_text(), "t.lisp:1:36: error: unknown variable 'nosuch'"), "%s",
		  diag_text());
	cr_assert(strstr(diag_text(), "t.lisp:1:1: error: the BPF definitions do not compile "
				      "(errors above)"),
		  "%s", diag_text());
	/* ... and waits for a redefinition instead of failing every use */
	RUN("(bpf:map-ref hits 0)", "0");
	RUN("(bpf:attach broken \"lo\")", "ERROR");
	cr_assert(strstr(diag_text(), "program 'broken' is not loaded (its load failed"), "%s",
		  diag_text());
	/* kprobes on a kernel without them: the loader's reason */
	RUN("(bpf:prog kp (:type :kprobe :section \"kprobe/do_sys_openat2\") 0) (bpf:attach kp)",
	    "ERROR");
	if (access("/sys/bus/event_source/devices/kprobe", F_OK) &&
	    access("/sys/kernel/tracing/kprobe_events", F_OK))
		cr_assert(strstr(diag_text(), "this kernel has no kprobes"), "%s", diag_text());
}

Test(session, repl_reads_forms_across_lines)
{
	char *p = tick_prog(0, 1);
	char *text = xasprintf("%s%s(bpf:attach tick)\n"
			       "(list \"(not a list\" #\\( ; a comment (\n"
			       "  #| block ( |# 'x)\n"
			       "(sb-posix:getppid) (bpf:map-ref\n hits 0)\n"
			       "(values 1 2)\n"
			       "`(a\n ,(+ 1 2) #(1\n 2) #+whistler\n x |a\nb| #|\n|# \"c\n\")\n"
			       "(car 1)\n"
			       "(bpf:map-ref hits 0)\n"
			       "(exit :code 4)\n"
			       "(bpf:map-ref hits 0)\n",
			       hits_map, p);
	FILE *in = fmemopen(text, strlen(text), "r");
	int status = wsession_repl(S, in, NULL);
	fclose(in);
	cr_assert_eq(status, 4);
	char *want = xasprintf("HITS\nTICK\n\"prog 'tick' on tracepoint "
			       "'syscalls/sys_enter_getppid'\"\n(\"(not a list\" #\\( X)\n"
			       "%d\n1\n1\n2\n(A 3 #(1 2) X |a\nb| \"c\n\")\n1\n",
			       (int)getppid());
	cr_assert_str_eq(buf_cstr(&out), want);
	cr_assert(strstr(diag_text(), "<repl>:1:1: error: The value 1 is not of type LIST."), "%s",
		  diag_text());
	free(want);
	free(text);
	free(p);
}

/* XDP and tc (egress) on the loopback of a network namespace of our own:
 * three UDP datagrams to a bound port are seen once by each. */
Test(session, xdp_and_tc_on_an_interface)
{
	if (unshare(CLONE_NEWNET))
		cr_skip_test("cannot make a network namespace: %s", strerror(errno));
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	cr_assert_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0, "lo up: %s", strerror(errno));
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(9999),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int rx = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_eq(bind(rx, (struct sockaddr *)&a, sizeof(a)), 0);
	RUN("(bpf:map pk :type :array :key-size 4 :value-size 8 :max-entries 2)\n"
	    "(bpf:prog xc (:type :xdp) (incf (getmap pk 0)) XDP_PASS)\n"
	    "(bpf:prog tcc (:type :tc) (incf (getmap pk 1)) TC_ACT_OK)\n"
	    "(list (bpf:attach xc \"lo\") (bpf:attach tcc 'lo :egress))",
	    "(\"prog 'xc' xdp link on lo\" \"prog 'tcc' tcx_egress link on lo\")");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)), 1);
	RUN("(list (bpf:map-ref pk 0) (bpf:map-ref pk 1))", "(3 3)");
	RUN("(bpf:attach xc \"no-such-if0\")", "ERROR");
	cr_assert(strstr(diag_text(), "no network interface 'no-such-if0'"), "%s", diag_text());
	close(rx);
	close(s);
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	bool ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

/* cgroup_skb on a cgroup v2 directory made for the test, with this process
 * in it: its three datagrams are counted on egress; a non-cgroup directory
 * is refused by name. */
Test(session, cgroup_programs_on_a_directory)
{
	char root[512] = "", line[1024], dev[256], dir[512], type[64];
	FILE *m = fopen("/proc/self/mounts", "r");
	while (m && fgets(line, sizeof(line), m))
		if (sscanf(line, "%255s %511s %63s", dev, dir, type) == 3 &&
		    !strcmp(type, "cgroup2"))
			snprintf(root, sizeof(root), "%s", dir);
	if (m)
		fclose(m);
	if (!*root)
		cr_skip_test("no cgroup v2 mount");
	if (unshare(CLONE_NEWNET))
		cr_skip_test("cannot make a network namespace: %s", strerror(errno));
	char *cg = xasprintf("%s/whistler-session-%d", root, (int)getpid());
	char *procs = xasprintf("%s/cgroup.procs", cg),
	     *root_procs = xasprintf("%s/cgroup.procs", root);
	char pid[32];
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	cr_assert(mkdir(cg, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", cg, strerror(errno));
	cr_assert(write_file(procs, pid), "join %s", cg);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(9998),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int rx = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_eq(bind(rx, (struct sockaddr *)&a, sizeof(a)), 0);
	char *src = xasprintf("(bpf:map eg :type :array :key-size 4 :value-size 8 :max-entries 1)\n"
			      "(bpf:prog cgp (:type :cgroup-skb :section \"cgroup_skb/egress\")\n"
			      "  (incf (getmap eg 0)) 1)\n"
			      "(bpf:attach cgp \"%s\")\n",
			      cg);
	RUN(src, "\"prog 'cgp' cgroup_inet_egress link on cgroup\"");
	for (int i = 0; i < 3; i++)
		sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
	RUN("(bpf:map-ref eg 0)", "3");
	RUN("(bpf:attach cgp \"/proc\")", "ERROR");
	cr_assert(strstr(diag_text(), "'/proc' is not a cgroup v2 directory"), "%s", diag_text());
	write_file(root_procs, pid);
	wsession_unload(S);
	rmdir(cg);
	close(rx);
	close(s);
	free(src);
	free(cg);
	free(procs);
	free(root_procs);
}

/* defglobal variables from Lisp: a .rodata filter set before the load
 * decides what the program counts into a .bss global; .bss is read and
 * written in place after the load, .rodata refuses; redefining the filter
 * reloads the program with its new (default) value, and .bss starts over. */
Test(session, globals_read_and_set_from_lisp)
{
	/* a file: set before the programs' first use, read back from the initial contents */
	char *src = xasprintf(
		"(defglobal target u32 0 :section :rodata)\n"
		"(defglobal hits u64)\n"
		"(defglobal last (array u16 2))\n"
		"(bpf:prog tick (:type :tracepoint :section \"tracepoint/syscalls/sys_enter_getppid\")\n"
		"  (when (= (>> (get-current-pid-tgid) 32) target)\n"
		"    (incf hits))\n"
		"  0)\n"
		"(setf target %d)\n"
		"(defvar *before* (list (= target %d) hits (length (bpf:attachments))))\n"
		"(bpf:attach tick) (sb-posix:getppid) (sb-posix:getppid)\n"
		"(list *before* (bpf:global-ref hits))\n",
		(int)getpid(), (int)getpid());
	RUN(src, "((T 0 0) 2)");
	getppid_n(1);
	RUN("(list hits (bpf:global-ref \"hits\"))", "(3 3)");
	/* written in place: the program counts on from there */
	RUN("(setf hits 40) (incf hits) (setf (bpf:global-ref hits) (+ hits 1)) hits", "42");
	getppid_n(1);
	RUN("hits", "43");
	RUN("(setf last #(7 65535)) (list last (let ((last 1)) last))", "(#(7 65535) 1)");
	RUN("(setf target 1)", "ERROR");
	cr_assert(strstr(diag_text(), "global 'target' is in .rodata, frozen since the programs "
				      "were loaded"),
		  "%s", diag_text());
	RUN("(bpf:global-ref nosuch)", "ERROR");
	cr_assert(strstr(diag_text(), "no global 'nosuch' in the session (globals: target, hits, "
				      "last)"),
		  "%s", diag_text());
	RUN("(setf hits \"123456789\")", "ERROR");
	cr_assert(strstr(diag_text(), "global 'hits' has 8 bytes, the value 9"), "%s", diag_text());
	/* the filter back to 0: nothing counts any more */
	RUN("(defglobal target u32 0 :section :rodata) (bpf:load) (list target hits)", "(0 0)");
	stats_are(1, 1, 1);
	getppid_n(2);
	RUN("hits", "0");
	free(src);
}

/* A perf event array consumer (one CPU, so one buffer: records in order):
 * five records come in order; a burst into a one-page buffer loses some, and
 * the loss is reported (the kernel writes it with the next record after the
 * buffer drained): records + lost = sent. */
Test(session, perf_event_array_consumers)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	cr_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0, "%s", strerror(errno));
	char *src = xasprintf(
		"(defstruct ev (seq u64) (pad (array u8 48)))\n"
		"(defglobal seq u64)\n"
		"(bpf:map out :type :perf-event-array :max-entries 1024)\n"
		"(bpf:prog tick (:type :tracepoint :section \"tracepoint/syscalls/sys_enter_getppid\")\n"
		"  (when (= (>> (get-current-pid-tgid) 32) %d)\n"
		"    (incf seq)\n"
		"    (let ((e (make-ev)))\n"
		"      (setf (ev-seq e) seq)\n"
		"      (perf-event-output out e (sizeof ev))))\n"
		"  0)\n"
		"(bpf:attach tick)\n"
		"(defvar *got* nil)\n"
		"(defvar *lost* 0)\n"
		"(defvar *c* (open-decoding-perf-consumer 'out #'decode-ev\n"
		"             (lambda (e) (push (ev-record-seq e) *got*))\n"
		"             :lost (lambda (n) (incf *lost* n)) :pages 1))\n"
		"(defun drain () (loop while (> (perf-poll *c* :timeout-ms 20) 0)))\n",
		(int)getpid());
	run(src);
	getppid_n(5);
	RUN("(list (perf-poll *c* :timeout-ms 1000) (reverse *got*) (perf-lost *c*))",
	    "(5 (1 2 3 4 5) 0)");
	RUN("(setf *got* nil) (dotimes (i 500) (sb-posix:getppid)) (drain)"
	    " (sb-posix:getppid) (drain)"
	    " (list (+ (length *got*) *lost*) (= *lost* (perf-lost *c*)) (> *lost* 0)"
	    "       (equal (reverse *got*) (sort (copy-list *got*) #'<)) (car *got*))",
	    "(501 T T T 506)");
	RUN("(close-perf-consumer *c*) (perf-poll *c* :timeout-ms 10)", "ERROR");
	cr_assert(strstr(diag_text(), "perf-poll: the consumer of map 'out' is closed"), "%s",
		  diag_text());
	RUN("(open-perf-consumer 'out #'print :pages 3)", "ERROR");
	cr_assert(strstr(diag_text(), ":pages must be a power of two, not 3"), "%s", diag_text());
	RUN("(bpf:map rb :type :ringbuf :max-entries 4096) (open-perf-consumer 'rb #'print)",
	    "ERROR");
	cr_assert(strstr(diag_text(), "map 'rb' is not a perf event array"), "%s", diag_text());
	free(src);
}

/* Program arrays take programs by name or handle and read back as them; a
 * redefined callee is reloaded into every slot that held it, so the
 * attached dispatcher's tail call reaches the new version. */
Test(session, prog_array_slots_follow_reloads)
{
	char *callee[3];
	for (int i = 0; i < 3; i++)
		callee[i] = xasprintf("(bpf:prog callee (:type :tracepoint :section "
				      "\"tracepoint/syscalls/sys_enter_getppid\")\n"
				      "  (setf (getmap out 0) %d) 0)\n",
				      i + 1);
	char *src =
		xasprintf("(bpf:map jt :type :prog-array :max-entries 4)\n"
			  "(bpf:map out :type :array :key-size 4 :value-size 8 :max-entries 1)\n"
			  "%s"
			  "(bpf:prog dispatch (:type :tracepoint :section "
			  "\"tracepoint/syscalls/sys_enter_getppid\")\n"
			  "  (when (= (>> (get-current-pid-tgid) 32) %d)\n"
			  "    (tail-call jt 0)\n"
			  "    (setf (getmap out 0) 99))\n"
			  "  0)\n"
			  "(setf (bpf:map-ref jt 0) 'callee)\n"
			  "(bpf:attach dispatch)\n"
			  "(list (bpf:map-ref jt 0) (bpf:map-ref jt 1))\n",
			  callee[0], (int)getpid());
	RUN(src, "(#<bpf-prog callee> NIL)");
	getppid_n(1);
	RUN("(bpf:map-ref out 0)", "1");
	run(callee[1]);
	RUN("(bpf:load) (sb-posix:getppid) (bpf:map-ref out 0)", "2");
	stats_are(2, 1, 2); /* dispatch in the first object, callee in its own */
	/* by handle, through map-update; both slots follow the next version */
	RUN("(map-update 'jt 2 (bpf-session-prog 'callee)) (bpf:map-ref jt 2)",
	    "#<bpf-prog callee>");
	run(callee[2]);
	RUN("(bpf:load) (sb-posix:getppid)"
	    " (list (bpf:map-ref out 0) (eq (bpf:map-ref jt 0) (bpf:map-ref jt 2)))",
	    "(3 T)");
	RUN("(setf (bpf:map-ref jt 0) nil) (sb-posix:getppid) (bpf:map-ref out 0)", "99");
	RUN("(setf (bpf:map-ref jt 1) \"nosuch\")", "ERROR");
	cr_assert(strstr(diag_text(), "no program 'nosuch' in the session"), "%s", diag_text());
	for (int i = 0; i < 3; i++)
		free(callee[i]);
	free(src);
}
