/* The ffi_call tracker test's target: 3 libffi calls of int(int, int), then 2
 * of double(double), through ffi_call. */
#include <ffi.h>
#include <stdio.h>
static int add(int a, int b) { return a + b; }
static double twice(double x) { return 2 * x; }
int main(void)
{
	ffi_cif cif2, cif1;
	ffi_type *ii[2] = { &ffi_type_sint, &ffi_type_sint }, *d[1] = { &ffi_type_double };
	if (ffi_prep_cif(&cif2, FFI_DEFAULT_ABI, 2, &ffi_type_sint, ii) != FFI_OK ||
	    ffi_prep_cif(&cif1, FFI_DEFAULT_ABI, 1, &ffi_type_double, d) != FFI_OK)
		return 1;
	ffi_arg r;
	double dr;
	for (int i = 0; i < 3; i++) {
		int a = i, b = 10;
		void *args[2] = { &a, &b };
		ffi_call(&cif2, FFI_FN(add), &r, args);
		printf("add(%d, %d) = %d\n", a, b, (int)r);
	}
	for (int i = 0; i < 2; i++) {
		double x = i + 0.5;
		void *args[1] = { &x };
		ffi_call(&cif1, FFI_FN(twice), &dr, args);
		printf("twice(%g) = %g\n", x, dr);
	}
	return 0;
}
