/* Macros: backquote edge cases, hygiene, macro-defining macros, DSL-style
 * definers checked by their expansions, locations of expansions, LOOP. */
#include "lisp_test.h"

TestSuite(macros, .init = lt_setup, .fini = lt_teardown);

Test(macros, backquote_edge_cases)
{
	EV("(let ((a 1) (b '(2 3)) (c 4)) `((,a) ,@b ,c))", "((1) 2 3 4)");
	EV("`(a ,@nil b)", "(A B)");
	EV("`(,@'(1 2) . 3)", "(1 2 . 3)");
	EV("(let ((x 5)) `(a . ,x))", "(A . 5)");
	EV("(let ((x '(1 2))) `(a ,@x))", "(A 1 2)");
	EV("(let ((x (list 1 2)) (y (list 3))) `(,.x ,.y 4))", "(1 2 3 4)");
	EV("(let ((x 2)) `#(1 ,x 3))", "#(1 2 3)");
	EV("`#(1 (2 3))", "#(1 (2 3))");
	EV("(let ((x 'v)) `(quote ,x))", "'V");
	EV("(let ((x 1)) `',x)", "'1");
	EV("(let ((l '(1 2))) `(f ,@(mapcar (lambda (x) `(g ,x)) l)))", "(F (G 1) (G 2))");
	/* nested backquotes: ,, and ,', */
	EV("(let ((x 1)) (eval ``(a ,,x)))", "(A 1)");
	EV("(let ((x 'foo)) (eval ``(a ,',x)))", "(A FOO)");
	EV("(let ((x '(1 2))) (eval ``(a ,@',x)))", "(A 1 2)");
	EV("(let ((y 'inner)) (defvar inner 7) (eval ``(b ,,y)))", "(B 7)");
	/* the template's constant parts are not copied, the rest is fresh */
	EV("(defun tmpl (x) `(a (b c) ,x)) (eq (second (tmpl 1)) (second (tmpl 2)))", "T");
	EV("(eq (tmpl 1) (tmpl 1))", "NIL");
	cr_assert(strstr(ev("(let ((x 1)) `,@x)"), "',@' right after a backquote"));
}

Test(macros, hygiene_with_gensym)
{
	EV("(defmacro my-or2 (a b) (let ((g (gensym))) `(let ((,g ,a)) (if ,g ,g ,b)))) "
	   "(let ((g 5)) (my-or2 nil g))",
	   "5");
	EV("(defmacro swap (a b) (let ((tmp (gensym \"TMP\"))) `(let ((,tmp ,a)) (setf ,a ,b ,b ,tmp)))) "
	   "(let ((tmp 1) (other 2)) (swap tmp other) (list tmp other))",
	   "(2 1)");
	EV("(setf *gensym-counter* 1) (macroexpand-1 '(swap x y))",
	   "(LET ((#:TMP1 X)) (SETF X Y Y #:TMP1))");
	EV("(macroexpand '(my-or2 a b))", "(LET ((#:G2 A)) (IF #:G2 #:G2 B))");
	EV("(multiple-value-list (macroexpand-1 '(not-a-macro 1)))", "((NOT-A-MACRO 1) NIL)");
}

Test(macros, macros_defining_macros)
{
	EV("(defmacro def-getter (name key) `(defmacro ,name (obj) `(getf ,obj ,',key))) "
	   "(def-getter get-a :a) (list (get-a '(:a 1 :b 2)) (macroexpand-1 '(get-a x)))",
	   "(1 (GETF X :A))");
	EV("(defmacro defalias (new old) `(defmacro ,new (&rest args) `(,',old ,@args))) "
	   "(defalias plus +) (plus 1 2 3)",
	   "6");
	EV("(defmacro make-adder-macro (name n) `(defmacro ,name (x) `(+ ,x ,,n))) "
	   "(make-adder-macro add10 10) (list (add10 5) (macroexpand-1 '(add10 y)))",
	   "(15 (+ Y 10))");
}

Test(macros, body_with_docstrings_and_declarations)
{
	EV("(defmacro with-x ((var val) &body body) \"Bind VAR.\" (declare (ignorable var)) "
	   "`(let ((,var ,val)) ,@body)) "
	   "(with-x (y 3) (declare (type fixnum y)) (* y 2))",
	   "6");
	EV("(defmacro m (&body body) `(list ,@body)) (m \"doc is data here\" 1)",
	   "(\"doc is data here\" 1)");
	EV("(defmacro opt (a &optional (b 'dflt) &key (c 3)) `(list ',a ',b ,c)) (opt x y :c 4)",
	   "(X Y 4)");
}

/* A guard macro shaped like the DSL's with-packet: one bounds check, an
 * early return, and gensyms that keep the user's names free. */
static const char *with_packet =
	"(defmacro with-packet ((data data-end &key (min-size 14)) &body body)\n"
	"  (let ((start (gensym \"START\")))\n"
	"    `(let* ((,start (xdp-data))\n"
	"            (,data ,start)\n"
	"            (,data-end (xdp-data-end)))\n"
	"       (if (> (+ ,data ,min-size) ,data-end)\n"
	"           (return xdp-pass)\n"
	"           (progn ,@body)))))\n";

Test(macros, dsl_guard_macro_expansion)
{
	ev(with_packet);
	EV("(setf *gensym-counter* 1) (macroexpand-1 '(with-packet (d e :min-size 34) (foo d) (bar e)))",
	   "(LET* ((#:START1 (XDP-DATA)) (D #:START1) (E (XDP-DATA-END))) "
	   "(IF (> (+ D 34) E) (RETURN XDP-PASS) (PROGN (FOO D) (BAR E))))");
	EV("(macroexpand-1 '(with-packet (p end)))",
	   "(LET* ((#:START2 (XDP-DATA)) (P #:START2) (END (XDP-DATA-END))) "
	   "(IF (> (+ P 14) END) (RETURN XDP-PASS) (PROGN)))");
	cr_assert(strstr(ev("(macroexpand-1 '(with-packet (p) 1))"),
			 "WITH-PACKET: too few arguments"));
}

/* A defstruct-like definer: accessor names made with FORMAT and INTERN,
 * nested backquote to emit the accessor macros, a size constant. */
static const char *define_header =
	"(defmacro define-header (name &rest fields)\n"
	"  (let ((offset 0) (forms nil))\n"
	"    (dolist (f fields)\n"
	"      (destructuring-bind (fname size &key (net-order nil)) f\n"
	"        (let ((acc (intern (format nil \"~a-~a\" name fname)))\n"
	"              (type (case size (1 'u8) (2 'u16) (4 'u32) (t 'u64))))\n"
	"          (push `(defmacro ,acc (ptr)\n"
	"                   ,(if net-order\n"
	"                        ``(ntoh (load ,',type ,ptr ,,offset))\n"
	"                        ``(load ,',type ,ptr ,,offset)))\n"
	"                forms)\n"
	"          (incf offset size))))\n"
	"    `(progn ,@(nreverse forms)\n"
	"            (defconstant ,(intern (format nil \"+~a-SIZE+\" name)) ,offset)\n"
	"            ',name)))\n";

Test(macros, defstruct_like_definer)
{
	ev(define_header);
	EV("(define-header eth (dst 6) (src 6) (proto 2 :net-order t))", "ETH");
	EV("+eth-size+", "14");
	EV("(macroexpand-1 '(eth-proto p))", "(NTOH (LOAD U16 P 12))");
	EV("(macroexpand-1 '(eth-src (+ p 1)))", "(LOAD U64 (+ P 1) 6)");
	EV("(fboundp 'eth-dst)", "T");
	EV("(second (macroexpand-1 '(define-header ip (ver 1) (len 2))))",
	   "(DEFMACRO IP-VER (PTR) (LIST 'LOAD 'U8 PTR 0))");
}

Test(macros, expansions_are_located_at_the_call)
{
	ev(with_packet);
	const char *src = "(with-packet (d e)\n  (foo d)\n  (bar e))";
	uint32_t id = srcmgr_add(&lt_sm, "dsl.lisp", src, strlen(src));
	struct lisp_reader r;
	lisp_reader_init(&r, L, id);
	lv form, exp;
	bool expanded;
	cr_assert_eq(lisp_read(&r, &form), 1);
	cr_assert_eq(lisp_macroexpand_1(L, form, LISP_NIL, &exp, &expanded), 0);
	cr_assert(expanded);
	struct srcloc l = lisp_loc(exp);
	cr_assert(l.file == id && l.line == 1 && l.col == 1, "expansion at the call: %u:%u", l.line,
		  l.col);
	/* (if ...) was made by the macro: the call site; (foo d) is the user's */
	lv body = lisp_caddr(exp);
	cr_assert_eq(lisp_loc(body).line, 1);
	lv progn = lisp_car(lisp_cdr(lisp_cddr(body)));
	lv foo = lisp_cadr(progn);
	cr_assert_str_eq(lt_keep(lisp_print_to_cstring(L, foo, true)), "(FOO D)");
	cr_assert(lisp_loc(foo).line == 2 && lisp_loc(foo).col == 3, "user form keeps 2:3");
	cr_assert(lisp_loc(lisp_caddr(progn)).line == 3);
	/* not a macro */
	cr_assert_eq(lisp_macroexpand(L, foo, LISP_NIL, &exp, &expanded), 0);
	cr_assert(!expanded && exp == foo);
	/* errors in expanders are reported at the call */
	ev("(defmacro picky (x) (if (numberp x) x (error \"picky wants a number, not ~s\" x)))");
	const char *src2 = "\n  (picky \"str\")";
	id = srcmgr_add(&lt_sm, "dsl2.lisp", src2, strlen(src2));
	lisp_reader_init(&r, L, id);
	cr_assert_eq(lisp_read(&r, &form), 1);
	lt_diags.len = 0;
	cr_assert_eq(lisp_macroexpand_1(L, form, LISP_NIL, &exp, &expanded), -1);
	cr_assert(strstr(diags(), "dsl2.lisp:2:3: error: picky wants a number, not \"str\""), "%s",
		  diags());
}

Test(macros, loop_clauses)
{
	EV("(loop for x in '(1 2 3) collect (* x x))", "(1 4 9)");
	EV("(loop for x in '(a b c d) by #'cddr collect x)", "(A C)");
	EV("(loop for (k . v) in '((a . 1) (b . 2)) collect (list v k))", "((1 A) (2 B))");
	EV("(loop for (a (b c)) in '((1 (2 3)) (4 (5 6))) sum (+ a b c))", "21");
	EV("(loop for l on '(1 2 3) by #'cddr collect l)", "((1 2 3) (3))");
	EV("(loop for i from 1 to 3 collect i)", "(1 2 3)");
	EV("(loop for i upfrom 5 below 8 collect i)", "(5 6 7)");
	EV("(loop for i from 5 downto 3 collect i)", "(5 4 3)");
	EV("(loop for i downfrom 3 above 0 collect i)", "(3 2 1)");
	EV("(loop for i from 0 to 10 by 5 collect i)", "(0 5 10)");
	EV("(loop for i fixnum from 1 to 2 collect i)", "(1 2)");
	EV("(loop for c across \"abc\" collect (char-upcase c))", "(#\\A #\\B #\\C)");
	EV("(loop for x = 1 then (* 2 x) while (< x 100) collect x)", "(1 2 4 8 16 32 64)");
	EV("(loop for x in '(1 2 3) for y = (* x 10) collect y)", "(10 20 30)");
	EV("(loop for x in '(1 2 3) and y from 10 collect (+ x y))", "(11 13 15)");
	EV("(loop for x in '(1 2 3 4 5) for i from 0 collect (cons i x))",
	   "((0 . 1) (1 . 2) (2 . 3) (3 . 4) (4 . 5))");
	EV("(loop with acc = 0 for x in '(1 2 3) do (incf acc x) finally (return acc))", "6");
	EV("(loop with a = 1 and b = 2 return (list a b))", "(1 2)");
	EV("(loop repeat 3 collect 'x)", "(X X X)");
	EV("(loop repeat 0 collect 'x)", "NIL");
	EV("(loop for x in '(1 2 3) append (list x 0))", "(1 0 2 0 3 0)");
	EV("(loop for x in '((1) (2)) nconc (copy-list x))", "(1 2)");
	EV("(loop for x in '(1 2 3) sum x into s count t into n finally (return (list s n)))",
	   "(6 3)");
	EV("(loop for x in '(5 2 8) maximize x)", "8");
	EV("(loop for x in '(5 2 8) minimize x)", "2");
	EV("(loop for x in nil maximize x)", "NIL");
	EV("(loop for x in '(1 2 3) count (oddp x))", "2");
	EV("(loop for x in '(1 2 3 4) when (evenp x) collect x into evens "
	   "else collect x into odds finally (return (list evens odds)))",
	   "((2 4) (1 3))");
	EV("(loop for x in '(1 2 3 4 5) unless (= x 3) collect x)", "(1 2 4 5)");
	EV("(loop for x in '(1 2 3 4) if (evenp x) collect x and sum x into s end "
	   "finally (return s))",
	   "6");
	EV("(loop for x in '(1 nil 2) when x collect it)", "(1 2)");
	EV("(loop for x in '(1 2 3) thereis (and (> x 1) (* x 10)))", "20");
	EV("(loop for x in '(2 4) always (evenp x))", "T");
	EV("(loop for x in '(2 5) never (> x 4))", "NIL");
	EV("(loop for i from 1 until (> (* i i) 20) collect i)", "(1 2 3 4)");
	EV("(loop for i from 1 to 10 when (> i 3) return i)", "4");
	EV("(loop named outer for i from 1 to 3 do (loop for j from 1 to 3 "
	   "when (= (* i j) 6) do (return-from outer (list i j))))",
	   "(2 3)");
	EV("(let ((h (make-hash-table))) (setf (gethash 'a h) 1 (gethash 'b h) 2) "
	   "(list (loop for k being the hash-keys of h collect k) "
	   "(loop for v being each hash-value in h using (hash-key k) collect (cons k v))))",
	   "((A B) ((A . 1) (B . 2)))");
	EV("(loop for x in '(1 2 3) initially (princ \"<\") do (princ x) finally (princ \">\"))",
	   "NIL");
	cr_assert_str_eq(out(), "<123>");
	EV("(let ((n 0)) (loop (incf n) (when (= n 3) (return (* n 10)))))", "30");
	EV("(loop for x in '(1 2 3) do (when (= x 2) (loop-finish)) collect x)", "(1)");
	cr_assert(strstr(ev("(loop for x frob '(1))"), "LOOP: unknown FOR clause keyword FROB"));
	cr_assert(strstr(ev("(loop for x in '(1) bogus 3)"),
			 "LOOP: unknown or misplaced clause BOGUS"));
}

Test(macros, standard_macros)
{
	EV("(let ((x 0)) (when (= x 0) (incf x) (incf x)) x)", "2");
	EV("(unless nil 1 2)", "2");
	EV("(cond ((= 1 2) 'a) ((assoc 'b '((b . 2)))) (t 'c))", "(B . 2)");
	EV("(and 1 2 3)", "3");
	EV("(and)", "T");
	EV("(or nil (values 1 2))", "1");
	EV("(multiple-value-list (or nil (values 1 2)))", "(1 2)");
	EV("(case 'b ((a b) 'ab) (c 'c) (otherwise 'other))", "AB");
	EV("(case 9 ((1 2) 'low) (t 'high))", "HIGH");
	EV("(case nil ((nil) 'was-nil))", "WAS-NIL");
	cr_assert(strstr(ev("(ecase 7 (1 'one) (2 'two))"),
			 "7 fell through ECASE expression.\nWanted one of (1 2)."));
	EV("(typecase 1.5 (integer 'i) (float 'f))", "F");
	cr_assert(strstr(ev("(etypecase 'x (integer 1) (string 2))"),
			 "X fell through ETYPECASE expression.\nWanted one of (INTEGER STRING)."));
	EV("(prog1 1 2 3)", "1");
	EV("(prog2 1 2 3)", "2");
	EV("(do ((i 0 (1+ i)) (acc nil (cons i acc))) ((= i 3) acc))", "(2 1 0)");
	EV("(do* ((i 0 (1+ i)) (j i i)) ((= i 2) j))", "2");
	EV("(let ((r nil)) (dotimes (i 3 r) (push i r)))", "(2 1 0)");
	EV("(let ((s 0)) (dolist (x '(1 2 3) s) (incf s x)))", "6");
	EV("(prog ((x 1)) (return (+ x 1)))", "2");
	EV("(with-output-to-string (s) (format s \"~a-~a\" 1 2))", "\"1-2\"");
	EV("(with-input-from-string (s \"line1\nline2\") (list (read-line s) (read-line s)))",
	   "(\"line1\" \"line2\")");
	EV("(funcall (constantly 7) 1 2)", "7");
	EV("(funcall (complement #'evenp) 3)", "T");
	EV("(with-gensyms (a (b \"BEE\")) (list (symbol-package a) (search \"BEE\" (symbol-name b))))",
	   "(NIL 0)");
}
