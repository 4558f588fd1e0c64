#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
struct s { int a; };
#pragma clang attribute pop
#pragma unroll
#pragma GCC diagnostic ignored "-Wunused"
#define DO_PRAGMA(x) _Pragma(#x) int after;
DO_PRAGMA(pack(1))
#pragma push_macro("X")
#define X 1
X
#pragma pop_macro("X")
X
#pragma once
