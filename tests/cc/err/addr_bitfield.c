struct s { int b : 3; };
int *f(struct s *p) { return &p->b; }
