/* CO-RE relocation descriptions, as llvm-objdump-19 -d -r prints them (the
 * expected strings are what it printed for the same BTF built by clang). */
#include "backend/disasm.h"
#include "btf/btf.h"

#include <criterion/criterion.h>
#include <string.h>

static struct wbtf *btf;
static int32_t t_int, t_uint, t_foo, t_foo_t, t_enum, t_const_foo, t_anon_u, t_arr, t_neg;

/* struct foo { int a; struct { int x; int y; } s; int arr[4]; unsigned bf:3, bg:5;
 *              union { long u1; char u2; }; };  typedef struct foo foo_t;
 * enum e { E1 = 1, E2 = 2 };  enum n { M = -1 } (signed) and an unsigned twin */
static void setup(void)
{
	btf = wbtf_new();
	t_int = wbtf_add_int(btf, "int", 4, BTF_INT_SIGNED);
	t_uint = wbtf_add_int(btf, "unsigned int", 4, 0);
	int32_t idx = wbtf_add_int(btf, "__ARRAY_SIZE_TYPE__", 4, 0);
	int32_t t_long = wbtf_add_int(btf, "long", 8, BTF_INT_SIGNED);
	int32_t s = wbtf_add_struct(btf, NULL, 8);
	wbtf_add_member(btf, "x", (uint32_t)t_int, 0, 0);
	wbtf_add_member(btf, "y", (uint32_t)t_int, 32, 0);
	t_arr = wbtf_add_array(btf, (uint32_t)t_int, (uint32_t)idx, 4);
	t_anon_u = wbtf_add_union(btf, NULL, 8);
	wbtf_add_member(btf, "u1", (uint32_t)t_long, 0, 0);
	t_foo = wbtf_add_struct(btf, "foo", 40);
	wbtf_add_member(btf, "a", (uint32_t)t_int, 0, 0);
	wbtf_add_member(btf, "s", (uint32_t)s, 32, 0);
	wbtf_add_member(btf, "arr", (uint32_t)t_arr, 96, 0);
	wbtf_add_member(btf, "bf", (uint32_t)t_uint, 224, 3);
	wbtf_add_member(btf, "bg", (uint32_t)t_uint, 227, 5);
	wbtf_add_member(btf, NULL, (uint32_t)t_anon_u, 256, 0);
	t_foo_t = wbtf_add_typedef(btf, "foo_t", (uint32_t)t_foo);
	t_enum = wbtf_add_enum(btf, "e", 4, false);
	wbtf_add_enum_value(btf, "E1", 1);
	wbtf_add_enum_value(btf, "E2", 2);
	t_neg = wbtf_add_enum(btf, "n", 4, true);
	wbtf_add_enum_value(btf, "M", -1);
	t_const_foo = wbtf_add_const(btf, (uint32_t)wbtf_add_volatile(btf, (uint32_t)t_foo));
}

static void teardown(void)
{
	wbtf_free(btf);
}

static void expect(int32_t id, const char *access, uint32_t kind, const char *want)
{
	struct buf b = { 0 };
	disasm_core_describe(btf, (uint32_t)id, access, kind, &b);
	cr_expect_str_eq(buf_cstr(&b), want);
	buf_free(&b);
}

TestSuite(disasm_core, .init = setup, .fini = teardown);

Test(disasm_core, fields)
{
	expect(t_foo, "0:1:1", BPF_CORE_FIELD_BYTE_OFFSET,
	       "CO-RE <byte_off> [8] struct foo::s.y (0:1:1)");
	expect(t_foo, "0:2:2", BPF_CORE_FIELD_BYTE_SIZE,
	       "CO-RE <byte_sz> [8] struct foo::arr[2] (0:2:2)");
	expect(t_foo, "0:3", BPF_CORE_FIELD_EXISTS,
	       "CO-RE <field_exists> [8] struct foo::bf (0:3)");
	expect(t_foo, "0:4", BPF_CORE_FIELD_SIGNED, "CO-RE <signed> [8] struct foo::bg (0:4)");
	expect(t_foo, "0:4", BPF_CORE_FIELD_LSHIFT_U64,
	       "CO-RE <lshift_u64> [8] struct foo::bg (0:4)");
	expect(t_foo, "0:4", BPF_CORE_FIELD_RSHIFT_U64,
	       "CO-RE <rshift_u64> [8] struct foo::bg (0:4)");
	/* through a typedef, into an anonymous union */
	expect(t_foo_t, "0:5:0", BPF_CORE_FIELD_BYTE_OFFSET,
	       "CO-RE <byte_off> [9] typedef foo_t::<anon 5>.u1 (0:5:0)");
	/* a first index other than 0 */
	expect(t_foo, "7:1", BPF_CORE_FIELD_BYTE_OFFSET,
	       "CO-RE <byte_off> [8] struct foo::[7].s (7:1)");
	/* modifiers on the root */
	expect(t_const_foo, "0:0", BPF_CORE_FIELD_EXISTS,
	       "CO-RE <field_exists> [13] const volatile struct foo::a (0:0)");
}

Test(disasm_core, types_and_enums)
{
	expect(t_foo, "0", BPF_CORE_TYPE_ID_LOCAL, "CO-RE <local_type_id> [8] struct foo");
	expect(t_foo, "0", BPF_CORE_TYPE_ID_TARGET, "CO-RE <target_type_id> [8] struct foo");
	expect(t_foo, "0", BPF_CORE_TYPE_EXISTS, "CO-RE <type_exists> [8] struct foo");
	expect(t_foo_t, "0", BPF_CORE_TYPE_SIZE, "CO-RE <type_size> [9] typedef foo_t");
	expect(t_foo, "0", BPF_CORE_TYPE_MATCHES, "CO-RE <type_matches> [8] struct foo");
	expect(t_int, "0", BPF_CORE_TYPE_SIZE, "CO-RE <type_size> [1] int");
	expect(t_enum, "1", BPF_CORE_ENUMVAL_EXISTS, "CO-RE <enumval_exists> [10] enum e::E2 = 2");
	expect(t_enum, "0", BPF_CORE_ENUMVAL_VALUE, "CO-RE <enumval_value> [10] enum e::E1 = 1");
	expect(t_neg, "0", BPF_CORE_ENUMVAL_VALUE, "CO-RE <enumval_value> [11] enum n::M = -1");
	expect(t_anon_u, "0", BPF_CORE_TYPE_SIZE, "CO-RE <type_size> [7] union <anon 7>");
}

Test(disasm_core, malformed)
{
	expect(t_foo, "", BPF_CORE_TYPE_EXISTS,
	       "CO-RE <type_exists> [8] '' <unexpected type-based relocation spec: should be '0'>");
	expect(t_foo, "0:x", BPF_CORE_FIELD_BYTE_OFFSET,
	       "CO-RE <byte_off> [8] '0:x' <spec string is not a number>");
	expect(t_foo, "0:9", BPF_CORE_FIELD_BYTE_OFFSET,
	       "CO-RE <byte_off> [8] '0:9' <member index 9 for spec sub-string 1 is out of range>");
	expect(99, "0", BPF_CORE_TYPE_SIZE, "CO-RE <type_size> [99] '0' <unknown type id: 99>");
	expect(t_foo, "0", 42, "CO-RE <reloc kind #42> [8] '0' <unknown relocation kind: 42>");
}
