// RUN: -P
#define cat(a, b) a ## b
#define cat3(a, b, c) a ## b ## c
cat(1, 2) cat(x, y) cat(<, <) cat(<<, =) cat(, ) cat(a, ) cat(, b)
cat3(a, , c) cat3(, , ) cat(., 5) cat(1e, +) cat(-, >) cat(%:, %:)
cat(L, 'a') cat(u8, "s") cat(__LI, NE__)
#define s(x) #x
#define xs(x) s(x)
s("a\n" 'b' \ c) xs(cat(a, b)) s(  a   +   b  ) s(@)
