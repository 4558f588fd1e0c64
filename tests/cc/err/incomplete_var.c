struct s;
struct s v;
