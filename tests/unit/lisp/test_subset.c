/* The userspace subset session files use (shared/DSL.md, "Sessions"): each
 * form in the shape real session files write it, with SBCL's results. */
#include "lisp_test.h"

TestSuite(subset, .init = lt_setup, .fini = lt_teardown);

Test(subset, iteration_and_binding)
{
	EV("(let ((n 0)) (loop (incf n) (when (= n 4) (return n))))", "4");
	EV("(loop for i from 0 below 4 collect (* i i))", "(0 1 4 9)");
	EV("(loop repeat 3 count t)", "3");
	EV("(let (acc) (dolist (x '(1 2 3) acc) (push x acc)))", "(3 2 1)");
	EV("(let ((s 0)) (dotimes (i 5 s) (incf s i)))", "10");
	EV("(let* ((a 2) (b (* a 3))) (list a b))", "(2 6)");
	EV("(let ((v (list 1 2))) (setf (first v) 9 (second v) 8) v)", "(9 8)");
}

Test(subset, sequences)
{
	EV("(sort (list '(3 c) '(1 a) '(2 b)) #'< :key #'first)", "((1 A) (2 B) (3 C))");
	EV("(sort (list (list 5 \"x\") (list 9 \"y\")) #'> :key #'car)", "((9 \"y\") (5 \"x\"))");
	EV("(subseq \"hello\" 1 3)", "\"el\"");
	EV("(subseq #(1 2 3 4) 2)", "#(3 4)");
	EV("(position 0 #(7 7 0 7))", "2");
	EV("(position 0 #(7 7 7 7 0) :end 3)", "NIL");
	EV("(map 'string #'code-char (subseq #(104 105 0 0) 0 2))", "\"hi\"");
	EV("(map 'list #'1+ '(1 2))", "(2 3)");
	EV("(aref #(10 20 30) 2)", "30");
	EV("(cdr (assoc \"b\" '((\"a\" . 1) (\"b\" . 2)) :test #'string=))", "2");
	EV("(assoc 'y '((x . 1) (y . 2)))", "(Y . 2)");
	EV("(list (string= \"ab\" \"ab\") (string= \"ab\" \"AB\"))", "(T NIL)");
}

Test(subset, output)
{
	EV("(format nil \"~a ~d ~s ~x\" \"a\" 42 \"s\" 255)", "\"a 42 \\\"s\\\" FF\"");
	EV("(format nil \"~10a|~8d|\" \"COUNT\" 3)", "\"COUNT     |       3|\"");
	EV("(format nil \"x~%~&y~&~&z\")", "\"x\ny\nz\"");
	EV("(with-output-to-string (s) (dotimes (i 3) (when (plusp i) (write-string \", \" s)) "
	   "(format s \"~d\" i)))",
	   "\"0, 1, 2\"");
	ev("(format t \"count: ~d~%\" 7)");
	cr_assert_str_eq(out(), "count: 7\n");
}

Test(subset, values_case_and_conditions)
{
	EV("(multiple-value-bind (a b) (values 1 2) (+ a b))", "3");
	EV("(multiple-value-bind (a b) (floor 7 2) (list a b))", "(3 1)");
	EV("(case 3 (1 'one) ((2 3) 'few) (otherwise 'many))", "FEW");
	EV("(case 9 (1 'one) (t 'many))", "MANY");
	EV("(handler-case (error \"boom ~d\" 1) (error (e) (format nil \"caught: ~a\" e)))",
	   "\"caught: boom 1\"");
	EV("(handler-case (progn (signal 'sb-sys:interactive-interrupt) 'not-caught)"
	   " (sb-sys:interactive-interrupt () 'caught))",
	   "CAUGHT");
	EV("(handler-case (progn (signal 'sb-sys:interactive-interrupt) 'not-caught)"
	   " (interrupt () 'caught-too))",
	   "CAUGHT-TOO");
}
