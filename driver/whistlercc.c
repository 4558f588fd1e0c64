/* `whistlercc`: a drop-in for `clang -target bpf`. */
#include <stdio.h>

int main(int argc, char **argv)
{
	fprintf(stderr, "whistlercc: no input files\n");
	return 1;
}
