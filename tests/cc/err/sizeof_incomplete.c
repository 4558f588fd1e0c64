struct s; int n = sizeof(struct s);
