_Static_assert(sizeof(int) == 8, "int is 8 bytes");
