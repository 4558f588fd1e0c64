/* The extension API (builtins, special forms, C macros, setf places, foreign
 * objects), evaluation limits, interrupts, and the collector. */
#include "lisp_test.h"

#include <signal.h>
#include <sys/time.h>

TestSuite(runtime, .init = lt_setup, .fini = lt_teardown);

static int calls;

static lv twice_builtin(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	(*(int *)data)++;
	int64_t n;
	if (!lisp_int_to_i64(argv[0], &n))
		lisp_type_error(ctx, argv[0], "integer");
	return lisp_make_int(ctx, 2 * n);
}

static lv call_twice(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	lv x = lisp_call1(ctx, argv[0], argv[1]);
	return lisp_call1(ctx, argv[0], x);
}

static lv seen_form;

/* (defprog NAME (options) body...): records the unevaluated form */
static lv defprog_special(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	lv name = lisp_cadr(form);
	if (!lisp_symbolp(name))
		lisp_error_at(ctx, form, "defprog: the name must be a symbol");
	seen_form = form;
	return name;
}

static lv twice_macro(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	lv x = lisp_cadr(form);
	return lisp_list(ctx, 3, lisp_intern(ctx, "progn"), x, x);
}

struct node {
	int64_t value;
};

static int finalized;

static void node_finalize(void *p)
{
	finalized++;
	free(p);
}

static lv make_node(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	struct node *n = calloc(1, sizeof(*n));
	return lisp_make_foreign(ctx, "node", n, node_finalize, lisp_make_cstring(ctx, "n1"));
}

static struct node *node_arg(struct lisp_ctx *ctx, lv v)
{
	if (!lisp_foreignp(v, "node"))
		lisp_type_error(ctx, v, "system::node");
	return lisp_foreign_ptr(v);
}

static lv node_value(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	return lisp_make_int(ctx, node_arg(ctx, argv[0])->value);
}

static lv set_node_value(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	int64_t v;
	if (!lisp_int_to_i64(argv[1], &v))
		lisp_type_error(ctx, argv[1], "integer");
	node_arg(ctx, argv[0])->value = v;
	return argv[1];
}

static lv fire(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	lisp_interrupt(ctx);
	return LISP_NIL;
}

static lv try_special(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	lv v;
	int rc = lisp_eval(ctx, lisp_cadr(form), &v);
	return lisp_make_int(ctx, rc);
}

static lv raise_verifier(struct lisp_ctx *ctx, int argc, lv *argv, void *data)
{
	lisp_signal_error(ctx,
			  lisp_make_condition(ctx, "bpf:verifier-error",
					      "verifier rejected the program: R%d invalid", 3));
}

static void register_all(void)
{
	calls = 0;
	lisp_defbuiltin(L, "bpf:double", 1, 1, twice_builtin, &calls);
	lisp_defbuiltin(L, "call-twice", 2, 2, call_twice, NULL);
	lisp_defspecial(L, "defprog", defprog_special, NULL);
	lisp_defmacro_c(L, "twice", twice_macro, NULL);
	lisp_defbuiltin(L, "make-node", 0, 0, make_node, NULL);
	lisp_defbuiltin(L, "node-value", 1, 1, node_value, NULL);
	lisp_defsetter(L, "node-value", 2, 2, set_node_value, NULL);
	lisp_defbuiltin(L, "test:fire", 0, 0, fire, NULL);
	lisp_defspecial(L, "test:try", try_special, NULL);
	lisp_defbuiltin(L, "bpf:verify", 0, 0, raise_verifier, NULL);
}

Test(runtime, extension_builtins_and_specials)
{
	register_all();
	EV("(bpf:double 21)", "42");
	EV("(mapcar #'bpf:double '(1 2))", "(2 4)");
	cr_assert_eq(calls, 3);
	cr_assert(strstr(ev("(double 1)"), "The function DOUBLE is undefined"),
		  "bpf:double is not double");
	EV("(call-twice (lambda (x) (* x 3)) 2)", "18");
	EV("(defprog xdp-drop (:type :xdp) (let ((x 1)) (declare (type u32 x)) x))", "XDP-DROP");
	cr_assert_str_eq(lt_keep(lisp_print_to_cstring(
				 L, lisp_caddr(lisp_car(lisp_cdr(lisp_cddr(seen_form)))), true)),
			 "(DECLARE (TYPE U32 X))");
	cr_assert_eq(lisp_loc(seen_form).line, 1);
	cr_assert(lisp_special_formp(L, lisp_intern(L, "defprog")));
	cr_assert(strstr(ev("\n (defprog \"x\")"), "defprog: the name must be a symbol"));
	cr_assert(strstr(diags(), "test.lisp:2:2: error: defprog: the name must be a symbol"));
	EV("(let ((n 0)) (twice (incf n)) n)", "2");
	EV("(macroexpand-1 '(twice (f)))", "(PROGN (F) (F))");
	cr_assert(lisp_macrop(L, lisp_intern(L, "twice"), LISP_NIL));
	EV("(let ((n (make-node))) (setf (node-value n) 5) (incf (node-value n) 2) (node-value n))",
	   "7");
	EV("(make-node)", "#<node n1>");
	cr_assert(strstr(ev("(node-value 3)"), "The value 3 is not of type SYSTEM:NODE."));
	EV("(define-condition bpf:verifier-error (error) ()) "
	   "(handler-case (bpf:verify) (bpf:verifier-error (e) (princ-to-string e)))",
	   "\"verifier rejected the program: R3 invalid\"");
	/* a protected call inside evaluation keeps its errors to itself */
	lisp_set_report(L, false);
	EV("(handler-case (test:try (error \"inner\")) (error () 'outer))", "-1");
	lisp_set_report(L, true);
}

/* A wrapper around a special form, as sessions wrap the DSL's definitions:
 * it counts the calls and hands the form to the original. */
struct wrapped {
	lisp_special_fn fn;
	void *data;
	int calls;
};

static lv counting_special(struct lisp_ctx *ctx, lv form, lv env, void *data)
{
	struct wrapped *w = data;
	w->calls++;
	return w->fn(ctx, form, env, w->data);
}

Test(runtime, special_forms_can_be_wrapped)
{
	register_all();
	struct wrapped w = { 0 };
	lv sym = lisp_intern(L, "defprog");
	cr_assert(lisp_special_form(L, sym, &w.fn, &w.data));
	cr_assert_eq(w.fn, defprog_special);
	lisp_defspecial(L, "defprog", counting_special, &w);
	EV("(list (defprog a ()) (defprog b ()))", "(A B)");
	cr_assert_eq(w.calls, 2);
	cr_assert(strstr(ev("(defprog \"x\")"), "defprog: the name must be a symbol"));
	cr_assert_eq(w.calls, 3);
	lisp_special_fn fn;
	void *data;
	cr_assert_not(lisp_special_form(L, lisp_intern(L, "car"), &fn, &data));
	cr_assert(lisp_special_form(L, lisp_intern(L, "if"), &fn, &data), "built-in ones too");
}

Test(runtime, calling_lisp_from_c)
{
	ev("(defun add3 (a b c) (+ a b c))");
	lv fn = lisp_symbol_function(L, lisp_intern(L, "add3"));
	cr_assert(fn);
	lv args[3] = { lisp_make_int(L, 1), lisp_make_int(L, 2), lisp_make_uint(L, UINT64_MAX) };
	lv r;
	cr_assert_eq(lisp_pcall(L, fn, 3, args, &r), 0);
	uint64_t u;
	cr_assert(!lisp_int_to_u64(r, &u), "2^64 + 2 does not fit");
	cr_assert_eq(lisp_int_low64(r), 2);
	cr_assert_eq(lisp_pcall(L, lisp_intern(L, "add3"), 2, args, &r), -1);
	cr_assert(strstr(diags(), "ADD3: too few arguments"));
	lv form = lisp_read_string(L, "(values 1 (+ 1 1) 3)");
	cr_assert_eq(lisp_eval(L, form, &r), 0);
	cr_assert_eq(lisp_values_count(L), 3);
	cr_assert_eq(lisp_value_n(L, 2), lisp_fixnum(3));
	cr_assert_eq(lisp_symbol_value(L, lisp_intern(L, "*no-such*")), NULL);
	lisp_set_symbol_value(L, lisp_intern(L, "*from-c*"), lisp_make_cstring(L, "set in C"));
	EV("*from-c*", "\"set in C\"");
	size_t len;
	cr_assert_str_eq(lisp_string_data(lisp_read_string(L, "\"abc\""), &len), "abc");
	cr_assert_eq(len, 3);
	int64_t i;
	cr_assert(lisp_int_to_i64(lisp_read_string(L, "-9223372036854775808"), &i));
	cr_assert_eq(i, INT64_MIN);
	cr_assert(!lisp_int_to_i64(lisp_read_string(L, "9223372036854775808"), &i));
	cr_assert(lisp_int_to_u64(lisp_read_string(L, "#xffffffffffffffff"), &u));
	cr_assert_eq(u, UINT64_MAX);
	cr_assert_eq(lisp_int_low64(lisp_read_string(L, "-1")), UINT64_MAX);
}

Test(runtime, step_budget)
{
	struct lisp_limits lim = { .max_steps = 10000 };
	lisp_set_limits(L, &lim);
	cr_assert_str_eq(ev("(loop)"), "ERROR: evaluation step limit exceeded (10000 steps)");
	cr_assert_str_eq(ev("(handler-case (loop) (error () 'caught))"),
			 "ERROR: evaluation step limit exceeded (10000 steps)");
	cr_assert_str_eq(ev("(handler-case (loop) (serious-condition () 'caught))"),
			 "ERROR: evaluation step limit exceeded (10000 steps)");
	cr_assert_str_eq(ev("(loop (ignore-errors (loop)))"),
			 "ERROR: evaluation step limit exceeded (10000 steps)");
	cr_assert_str_eq(ev("(let ((l (list 1))) (setf (cdr l) l) (length l))"),
			 "ERROR: LENGTH: the list is circular");
	cr_assert_str_eq(ev("(let ((l (list 1))) (setf (cdr l) l) (prin1-to-string l))"),
			 "ERROR: evaluation step limit exceeded (10000 steps)");
	cr_assert_str_eq(ev("(let ((l (list 1))) (setf (cdr l) l) (mapcar #'1+ l))"),
			 "ERROR: evaluation step limit exceeded (10000 steps)");
	EV("(+ 1 2)", "3"); /* the budget is per top-level evaluation */
	cr_assert(lisp_steps_used(L) < 100);
	EV("(let ((n 0)) (dotimes (i 100) (incf n)) n)", "100");
}

Test(runtime, depth_and_stack_limits)
{
	struct lisp_limits lim = { .max_depth = 300 };
	lisp_set_limits(L, &lim);
	ev("(defun down (n) (if (= n 0) 0 (1+ (down (1- n)))))");
	EV("(down 10)", "10");
	cr_assert_str_eq(ev("(down 100000)"),
			 "ERROR: evaluation nested too deeply (the limit is 300 levels)");
	EV("(handler-case (down 100000) (storage-condition () 'too-deep))", "TOO-DEEP");
	EV("(handler-case (down 100000) (error () 'not-an-error) (stack-exhausted () 'exhausted))",
	   "EXHAUSTED");
	/* with no depth limit the C stack guard still stops runaway recursion */
	struct lisp_limits none = { 0 };
	lisp_set_limits(L, &none);
	ev("(defun forever (n) (+ 1 (forever n)))");
	cr_assert(strstr(ev("(forever 1)"), "ERROR: control stack exhausted"));
	EV("(down 500)", "500");
	/* deeply nested data: reader, printer and EQUAL refuse instead of crashing */
	EV("(let ((x nil)) (dotimes (i 100000) (setq x (list x))) (handler-case (equal x x) "
	   "(error () 'refused)))",
	   "T");
	EV("(let ((x nil) (y nil)) (dotimes (i 100000) (setq x (list x) y (list y))) "
	   "(handler-case (equal x y) (error (e) (princ-to-string e))))",
	   "\"structure nested too deeply to compare\"");
	EV("(let ((x nil)) (dotimes (i 10000) (setq x (list x))) (length (prin1-to-string x)))",
	   "4003");
}

Test(runtime, interrupts)
{
	register_all();
	EV("(handler-case (progn (test:fire) (loop)) (sb-sys:interactive-interrupt () 'stopped))",
	   "STOPPED");
	EV("(handler-case (progn (test:fire) (loop)) (interrupt () 'also-stopped))",
	   "ALSO-STOPPED");
	EV("(let ((log nil)) (handler-case (unwind-protect (progn (test:fire) (loop)) "
	   "(push 'detached log)) (interrupt () (push 'interrupted log))) log)",
	   "(INTERRUPTED DETACHED)");
	cr_assert_str_eq(ev("(handler-case (progn (test:fire) (loop)) (error () 'error-clause))"),
			 "ERROR: Interactive interrupt");
	cr_assert_str_eq(lisp_symbol_name(lisp_condition_type(lisp_last_condition(L))),
			 "INTERACTIVE-INTERRUPT");
	EV("(typep (make-condition 'sb-sys:interactive-interrupt) 'serious-condition)", "T");
	EV("(typep (make-condition 'sb-sys:interactive-interrupt) 'error)", "NIL");
}

static struct lisp_ctx *alarm_ctx;

static void on_alarm(int sig)
{
	(void)sig;
	*lisp_interrupt_flag(alarm_ctx) = 1;
}

Test(runtime, sleep_is_interruptible_by_a_signal)
{
	alarm_ctx = L;
	signal(SIGALRM, on_alarm);
	struct itimerval it = { .it_value = { 0, 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	EV("(handler-case (progn (sleep 30) 'slept) (interrupt () 'woken))", "WOKEN");
	signal(SIGALRM, SIG_DFL);
}

Test(runtime, collector_keeps_memory_bounded)
{
	/* a session-like loop: format and allocate forever, keep little */
	ev("(defun tick (i) (let ((l (make-list 50 :initial-element i))) "
	   "(length (format nil \"~a ~d\" l i))))");
	ev("(dotimes (i 20000) (tick i))");
	struct lisp_gc_stats a, b;
	lisp_gc_stats(L, &a);
	ev("(dotimes (i 60000) (tick i))");
	lisp_gc_stats(L, &b);
	cr_assert_gt(b.collections, a.collections);
	cr_assert_lt(b.heap_bytes, (size_t)64 << 20, "heap %zu bytes", b.heap_bytes);
	cr_assert_leq(b.heap_bytes, a.heap_bytes * 2 + (8u << 20), "heap grew %zu -> %zu",
		      a.heap_bytes, b.heap_bytes);
	/* live data survives collections */
	EV("(defvar *keep* (loop for i below 5000 collect (format nil \"~d\" i))) "
	   "(dotimes (i 20000) (tick i)) (list (length *keep*) (nth 4321 *keep*))",
	   "(5000 \"4321\")");
}

static void mark_slot(struct lisp_ctx *ctx, void *data)
{
	lisp_gc_mark(ctx, *(lv *)data);
}

Test(runtime, roots_held_by_c)
{
	lv on_stack = lisp_read_string(L, "(kept on the c stack)");
	lv *heap_slot = malloc(sizeof(lv));
	*heap_slot = lisp_read_string(L, "(kept by gc-protect)");
	lisp_gc_protect(L, heap_slot);
	static lv marked_slot;
	lv *marked = &marked_slot;
	*marked = lisp_read_string(L, "(kept by a marker)");
	lisp_gc_add_marker(L, mark_slot, marked);
	for (int i = 0; i < 3; i++) {
		ev("(dotimes (i 30000) (make-list 20))");
		lisp_gc_collect(L);
	}
	cr_assert_str_eq(lt_keep(lisp_print_to_cstring(L, on_stack, true)),
			 "(KEPT ON THE C STACK)");
	cr_assert_str_eq(lt_keep(lisp_print_to_cstring(L, *heap_slot, true)),
			 "(KEPT BY GC-PROTECT)");
	cr_assert_str_eq(lt_keep(lisp_print_to_cstring(L, *marked, true)), "(KEPT BY A MARKER)");
	lisp_gc_unprotect(L, heap_slot);
	free(heap_slot);
	lisp_gc_inhibit(L, true);
	struct lisp_gc_stats a, b;
	lisp_gc_stats(L, &a);
	ev("(dotimes (i 100000) (make-list 20))");
	lisp_gc_stats(L, &b);
	cr_assert_eq(a.collections, b.collections, "inhibited");
	lisp_gc_inhibit(L, false);
	lisp_gc_collect(L);
	cr_assert_str_eq(lt_keep(lisp_print_to_cstring(L, *marked, true)), "(KEPT BY A MARKER)");
}

Test(runtime, finalizers_run_when_collected)
{
	register_all();
	finalized = 0;
	ev("(dotimes (i 100) (make-node))");
	ev("(dotimes (i 30000) (make-list 20))");
	lisp_gc_collect(L);
	cr_assert_gt(finalized, 50, "only %d finalized", finalized);
	ev("(defvar *node* (make-node))");
	int before = finalized;
	lisp_free(L);
	cr_assert_geq(finalized, before + 1, "freeing the context finalizes the rest");
	L = lisp_new(&lt_sm, &lt_diag);
	lisp_set_output(L, NULL, &lt_out, 0);
}

Test(runtime, sandbox_and_exit)
{
	lisp_set_sandbox(L, true);
	EV("(progn (sleep 100) 'awake)", "AWAKE");
	cr_assert(strstr(ev("(load \"/etc/hostname\")"), "LOAD is disabled here"));
	cr_assert(strstr(ev("(read-line)"), "reading standard input is disabled"));
	cr_assert(strstr(ev("(exit)"), "EXIT is disabled here"));
	lisp_set_sandbox(L, false);
	int code = 0;
	lt_diags.len = 0;
	ev("(progn (exit :code 3) (error \"not reached\"))");
	cr_assert(lisp_exit_requested(L, &code));
	cr_assert_eq(code, 3);
	cr_assert_eq(lt_diags.len, 0, "exiting is not an error: %s", diags());
	ev("(+ 1 1)");
	cr_assert(!lisp_exit_requested(L, NULL) || lisp_last_condition(L) == NULL);
}

Test(runtime, two_contexts)
{
	struct lisp_ctx *other = lisp_new(NULL, NULL);
	lisp_set_output(other, NULL, &lt_out, 0);
	lv r;
	cr_assert_eq(lisp_eval(other, lisp_read_string(other, "(defvar *who* 'other)"), &r), 0);
	EV("(defvar *who* 'main) *who*", "MAIN");
	cr_assert_eq(lisp_eval(other, lisp_read_string(other, "*who*"), &r), 0);
	cr_assert_str_eq(lt_keep(lisp_print_to_cstring(other, r, true)), "OTHER");
	lisp_free(other);
	EV("*who*", "MAIN");
}

Test(runtime, checkpoint_and_rollback)
{
	EV("(defvar *base* 1) (defun base-fn () 'base) (setf (get 'base-fn 'p) 1) t", "T");
	lisp_checkpoint(L);
	EV("(setq *base* 2) (defun base-fn () 'changed) (defun new-fn () 1) "
	   "(defvar *new* 1) (setf (get 'base-fn 'p) 2) (defmacro car (x) x) "
	   "(list *base* (base-fn) (get 'base-fn 'p) (car 5))",
	   "(2 CHANGED 2 5)");
	lisp_rollback(L);
	EV("(list *base* (base-fn) (get 'base-fn 'p) (car '(5)) (fboundp 'new-fn) (boundp '*new*))",
	   "(1 BASE 1 5 NIL NIL)");
	EV("(loop for i below 3 collect i)", "(0 1 2)");
}

Test(runtime, api_for_the_dsl_and_sessions)
{
	/* byte vectors as map keys and values */
	const unsigned char key[4] = { 1, 2, 0xff, 0 };
	lv bytes = lisp_make_bytes(L, key, sizeof(key));
	lisp_set_symbol_value(L, lisp_intern(L, "*key*"), bytes);
	EV("(list *key* (aref *key* 2) (position 0 *key*))", "(#(1 2 255 0) 255 3)");
	unsigned char out4[4] = { 0 };
	cr_assert_eq(lisp_bytes_copy(bytes, out4, sizeof(out4)), 4);
	cr_assert_eq(memcmp(out4, key, 4), 0);
	cr_assert_eq(lisp_bytes_copy(lisp_read_string(L, "#(1 300)"), out4, 4), -1);
	cr_assert_eq(lisp_bytes_copy(lisp_read_string(L, "\"ab\""), out4, 1), 2);
	cr_assert_eq(out4[0], 'a');
	/* plists */
	lv opts = lisp_read_string(L, "(:type :hash :max-entries 1024)");
	cr_assert_eq(lisp_getf(opts, lisp_intern(L, ":max-entries"), NULL), lisp_fixnum(1024));
	cr_assert_eq(lisp_getf(opts, lisp_intern(L, ":key-size"), NULL), NULL);
	/* condition types from C */
	lisp_define_condition(L, "bpf:load-error", "error");
	EV("(handler-case (error 'bpf:load-error) (error (e) (type-of e)))", "BPF:LOAD-ERROR");
	EV("(subtypep 'bpf:load-error 'error)", "T");
	/* lexical macros and symbol macros built by the DSL compiler */
	lv m = lisp_make_macro(L, lisp_intern(L, "dbl"), lisp_read_string(L, "(x)"),
			       lisp_read_string(L, "((list '+ x x))"), LISP_NIL);
	lv env = lisp_env_bind_macro(L, LISP_NIL, lisp_intern(L, "dbl"), m);
	env = lisp_env_bind_symbol_macro(L, env, lisp_intern(L, "ctx-len"),
					 lisp_read_string(L, "(ctx-load u32 0)"));
	lv exp;
	bool expanded;
	cr_assert_eq(lisp_macroexpand_1(L, lisp_read_string(L, "(dbl 4)"), env, &exp, &expanded),
		     0);
	cr_assert(expanded);
	cr_assert_str_eq(lt_keep(lisp_print_to_cstring(L, exp, true)), "(+ 4 4)");
	cr_assert_eq(lisp_macroexpand(L, lisp_intern(L, "ctx-len"), env, &exp, &expanded), 0);
	cr_assert_str_eq(lt_keep(lisp_print_to_cstring(L, exp, true)), "(CTX-LOAD U32 0)");
	cr_assert_eq(
		lisp_macroexpand_1(L, lisp_read_string(L, "(dbl 4)"), LISP_NIL, &exp, &expanded),
		0);
	cr_assert(!expanded, "only in that environment");
}
