// initialisers normalised to the shape of their type
struct point { int x, y; };
struct line { struct point a, b; int w; };
struct line l1 = { 1, 2, 3, 4 };
struct line l2 = { .b.y = 9, .a = { 5 }, .w = 1 };
int arr[] = { [4] = 1, [1] = 2, 3 };
char name[8] = "bpf";
char exact[] = "map";
int nested[2][3] = { { 1 }, 2, 3 };
union u { int i; char c[4]; } un = { .c = { 1, 2 } };
static struct point pts[] = { ((struct point){ 1, 2 }), (struct point){ .y = 3 } };
