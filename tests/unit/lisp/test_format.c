/* FORMAT directives and the printer, with the strings SBCL prints. */
#include "lisp_test.h"

TestSuite(format, .init = lt_setup, .fini = lt_teardown);

/* (format nil CONTROL args...) where `call` is the Lisp text of the call */
#define FMT(call, expected) EV("(format nil " call ")", "\"" expected "\"")

Test(format, a_and_s_with_padding)
{
	FMT("\"~a\" \"str\"", "str");
	FMT("\"~s\" \"str\"", "\\\"str\\\"");
	FMT("\"~a ~s\" 'sym :kw", "SYM :KW");
	FMT("\"~a\" '(1 \"two\" #\\3)", "(1 two 3)");
	FMT("\"~s\" '(1 \"two\" #\\3)", "(1 \\\"two\\\" #\\\\3)");
	FMT("\"~a|~:a\" nil nil", "NIL|()");
	FMT("\"~10a|\" \"ab\"", "ab        |");
	FMT("\"~10@a|\" \"ab\"", "        ab|");
	FMT("\"~16a|\" \"COUNT\"", "COUNT           |");
	FMT("\"~3a|\" \"toolong\"", "toolong|");
	FMT("\"~5,,,'-a|\" 1", "1----|");
	FMT("\"~a\" 1.5", "1.5");
	FMT("\"~a ~a ~a\" 100.0 0.001 1e10", "100.0 0.001 1.0e10");
	FMT("\"~a\" #xffffffffffffffff", "18446744073709551615");
}

Test(format, integers)
{
	FMT("\"~d\" 42", "42");
	FMT("\"~8d|\" 42", "      42|");
	FMT("\"~5,'0d\" 42", "00042");
	FMT("\"~:d\" 1234567", "1,234,567");
	FMT("\"~:d\" -1234", "-1,234");
	FMT("\"~@d ~@d\" 5 -5", "+5 -5");
	FMT("\"~,,'.,4:d\" 123456789", "1.2345.6789");
	FMT("\"~x ~b ~o\" 255 5 8", "FF 101 10");
	FMT("\"~8,'0x\" 255", "000000FF");
	FMT("\"~(~x~)\" 48879", "beef");
	FMT("\"~16r ~2r ~36r\" 255 5 35", "FF 101 Z");
	FMT("\"~d\" \"not a number\"", "not a number");
	FMT("\"~5d|\" 'ab", "   AB|");
	FMT("\"~vd|\" 6 42", "    42|");
	FMT("\"~x\" (- (expt 2 64))", "-10000000000000000");
}

Test(format, characters_newlines_tilde)
{
	FMT("\"~c~c\" #\\a #\\Space", "a ");
	FMT("\"~:c ~:c\" #\\Space #\\a", "Space a");
	FMT("\"~@c\" #\\a", "#\\\\a");
	FMT("\"a~%b~2%c\"", "a\nb\n\nc");
	FMT("\"~&a~&~&b\"", "a\nb");
	FMT("\"~~ ~3~\"", "~ ~~~");
	FMT("\"a~\n     b\"", "ab");
	FMT("\"a~:\n  b\"", "a  b");
	FMT("\"a~@\n     b\"", "a\nb");
}

Test(format, iteration_and_conditionals)
{
	FMT("\"~{~a~^, ~}\" '(1 2 3)", "1, 2, 3");
	FMT("\"~{~a=~a~^ ~}\" '(a 1 b 2)", "A=1 B=2");
	FMT("\"~:{~a:~a ~}\" '((a 1) (b 2))", "A:1 B:2 ");
	FMT("\"~@{~a~^-~}\" 1 2 3", "1-2-3");
	FMT("\"~{~}\" \"<~a>\" '(1 2)", "<1><2>");
	FMT("\"~2{~a~}\" '(1 2 3)", "12");
	FMT("\"~{x~:}\" nil", "x");
	FMT("\"[~{~a~}]\" nil", "[]");
	FMT("\"~[zero~;one~;two~]\" 1", "one");
	FMT("\"~[zero~;one~]|\" 5", "|");
	FMT("\"~[a~;b~:;other~]\" 5", "other");
	FMT("\"~:[no~;yes~] ~:[no~;yes~]\" nil 7", "no yes");
	FMT("\"~@[val=~a~]|~@[val=~a~]\" 3 nil", "val=3|");
	FMT("\"~{~a~#[~;, and ~:;, ~]~}\" '(1 2 3)", "1, 2, and 3");
	FMT("\"~a ~* ~a\" 1 2 3", "1  3");
	FMT("\"~a ~:*~a\" 1", "1 1");
	FMT("\"~a ~a ~0@*~a\" 1 2", "1 2 1");
	FMT("\"~d item~:p, ~d item~:p\" 1 2", "1 item, 2 items");
	FMT("\"~d famil~:@p\" 2", "2 families");
	FMT("\"~? ~a\" \"<~a>\" '(1) 2", "<1> 2");
	FMT("\"~@? ~a\" \"<~a>\" 1 2", "<1> 2");
}

Test(format, case_floats_tabs)
{
	FMT("\"~(Hello World~)\"", "hello world");
	FMT("\"~:(hello world-wide~)\"", "Hello World-Wide");
	FMT("\"~@(hello WORLD~)\"", "Hello world");
	FMT("\"~:@(hello~)\"", "HELLO");
	FMT("\"~,2f\" 3.14159", "3.14");
	FMT("\"~,2f\" 2", "2.00");
	FMT("\"~8,3f|\" 3.14159", "   3.142|");
	FMT("\"~f\" 1.5", "1.5");
	FMT("\"~$\" 3.14159", "3.14");
	FMT("\"~e\" 1234.5", "1.2345e+3");
	FMT("\"ab~10tc\"", "ab        c");
	FMT("\"~a~8t~a~16t~a\" \"x\" \"yy\" \"z\"", "x       yy      z");
	FMT("\"abcdefghij~4tx\"", "abcdefghij x");
	FMT("\"~3@tx\"", "   x");
}

Test(format, errors_are_conditions)
{
	cr_assert(strstr(ev("(format nil \"~a ~a\" 1)"), "FORMAT: not enough arguments"));
	cr_assert(strstr(ev("(format nil \"~z\")"), "FORMAT: unknown directive ~z"));
	cr_assert(strstr(ev("(format nil \"~{~a\" '(1))"), "FORMAT: missing ~}"));
	cr_assert(strstr(ev("(format nil \"~)\")"), "FORMAT: ~) without its opening directive"));
	cr_assert(strstr(ev("(format nil \"~<x~>\")"), "justification is not supported"));
	EV("(handler-case (format nil \"~d ~d\" 1) (error () 'caught))", "CAUGHT");
}

Test(format, destinations_and_columns)
{
	EV("(format t \"hello ~a~%\" 'world)", "NIL");
	cr_assert_str_eq(out(), "hello WORLD\n");
	EV("(progn (format t \"x\") (format t \"~&y~&\") (format t \"~&z~%\"))", "NIL");
	cr_assert_str_eq(out(), "x\ny\nz\n");
	EV("(let ((s (make-array 0 :element-type 'character :adjustable t :fill-pointer 0))) "
	   "(format s \"~a+~a\" 1 2) s)",
	   "\"1+2\"");
	EV("(with-output-to-string (s) (format s \"ab\") (fresh-line s) (fresh-line s) (princ 1 s))",
	   "\"ab\n1\"");
	EV("(progn (princ \"a\") (prin1 \"b\") (print 'c) (terpri) (write-line \"d\") "
	   "(write-string \"ef\" *standard-output* :start 1) (write-char #\\g) (pprint 'h) nil)",
	   "NIL");
	cr_assert_str_eq(out(), "a\"b\"\nC \nd\nfg\nH");
	EV("(format *error-output* \"to stderr~%\")", "NIL");
	cr_assert_str_eq(out(), "to stderr\n");
}

Test(format, printer)
{
	EV("(prin1-to-string \"a\\\"b\\\\\")", "\"\\\"a\\\\\\\"b\\\\\\\\\\\"\"");
	EV("(princ-to-string \"a\\\"b\")", "\"a\\\"b\"");
	EV("(list 'abc '|abc| '|A B| '|a| 'foo-bar (intern \"12\") (intern \"\"))",
	   "(ABC |abc| |A B| |a| FOO-BAR |12| ||)");
	EV("(list :kw (make-symbol \"U\") 'bpf:map 'sb-ext:*posix-argv*)",
	   "(:KW #:U BPF:MAP SB-EXT:*POSIX-ARGV*)");
	EV("(princ-to-string (list :kw (make-symbol \"U\") 'bpf:map))", "\"(KW U MAP)\"");
	EV("(list #\\a #\\Space #\\Newline #\\Tab (code-char 0) (code-char 127))",
	   "(#\\a #\\Space #\\Newline #\\Tab #\\Nul #\\Rubout)");
	EV("(list 1.0 -0.5 1.5e7 1.0e-5 123.456 (/ 1.0 3))",
	   "(1.0 -0.5 1.5e7 1.0e-5 123.456 0.3333333333333333)");
	EV("(list (expt 2 100) (- (expt 2 100)))",
	   "(1267650600228229401496703205376 -1267650600228229401496703205376)");
	EV("'(a (b . c) #(1 2) \"s\" (quote q) (function f))", "(A (B . C) #(1 2) \"s\" 'Q #'F)");
	EV("(defun named-fn () 1) (list #'named-fn #'car)",
	   "(#<FUNCTION NAMED-FN> #<FUNCTION CAR>)");
	EV("(lambda (x) x)", "#<FUNCTION (LAMBDA (X))>");
	EV("(write-to-string 255 :base 16)", "\"FF\"");
	EV("(let ((*print-base* 2)) (prin1-to-string 5))", "\"101\"");
	EV("(find-package :cl)", "#<PACKAGE \"WHISTLER\">");
	EV("(make-string-output-stream)", "#<STRING-OUTPUT-STREAM>");
	EV("(make-condition 'simple-error :format-control \"x ~a\" :format-arguments '(1))",
	   "#<SIMPLE-ERROR \"x 1\">");
}
