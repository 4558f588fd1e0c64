#define neg -
#define plus +
#define id(x) x
-neg 1 plus+2 id(-)-3 id(+)id(+) a id(b) .id(5) id(x)id(y)
#define EMPTY
a EMPTY b EMPTY
    indented
   x \
   continued
/* comment */ after_comment // line comment
"string with // not a comment" 'c'
