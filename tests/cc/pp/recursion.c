// RUN: -P
#define foo foo bar
#define bar baz foo
foo
#define f(x) g(x)
#define g(x) f(x)
f(1)
#define id(x) x
id(id)(2)
#define AA BB
#define BB AA
AA BB
#define obj(x) x obj
obj(1)(2)
#define lparen (
#define F(x) [x]
F lparen 3)
#define EMPTY
#define G(x) <x>
G EMPTY (4)
