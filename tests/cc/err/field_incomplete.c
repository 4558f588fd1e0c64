struct s; struct t { struct s inner; };
