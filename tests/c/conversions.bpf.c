/* Integer conversions and promotions on random inputs: narrow signed and
 * unsigned types widened, narrowed and mixed, variable shifts, compound
 * assignments on narrow lvalues, comparisons across signedness, ternaries
 * of mixed types; the builds must agree on every input. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct in {
	signed char c1, c2;
	unsigned char u1, u2;
	short s1;
	unsigned short us1;
	int i1, i2;
	unsigned int ui1;
	long long l1;
	unsigned long long ul1;
};

SEC("syscall")
int conversions(struct in *x)
{
	signed char c = x->c1;
	unsigned char u = x->u1;
	short s = x->s1;
	unsigned short us = x->us1;
	int i = x->i1;
	unsigned int ui = x->ui1;
	long long l = x->l1;
	unsigned long long ul = x->ul1;
	unsigned long long h = 0;

	h = h * 31 + (c + u);
	h = h * 31 + (unsigned char)(c * 3 + 100);
	h = h * 31 + (signed char)(u + 7);
	h = h * 31 + (short)(us << 3);
	h = h * 31 + (unsigned short)(s >> 1);
	h = h * 31 + (c < u) + (i < ui) * 2 + (l < ul) * 4 + (s > us) * 8;
	h = h * 31 + (ui >> (x->u2 & 31)) + (i >> (x->u2 & 31));
	h = h * 31 + (ul >> (x->u2 & 63)) + (unsigned long long)(l >> (x->u2 & 63));
	h = h * 31 + (unsigned int)(l) + (int)(ul >> 7);
	c += x->c2;
	u -= x->c2;
	s *= x->c2;
	us |= (unsigned short)x->i2;
	h = h * 31 + c + u + s + us;
	i = x->c1 ? x->i2 : x->u2;
	l = ui ? (long long)i : (long long)ui;
	h = h * 31 + (unsigned long long)l;
	h = h * 31 + (ul % 1000) + (ui % 7) + (us / 3);
	h = h * 31 + (unsigned long long)(c * u * s);
	_Bool b = x->i2;
	h = h * 31 + b + !x->l1 + (x->c2 == -1);
	return (int)(h ^ (h >> 32));
}

char LICENSE[] SEC("license") = "GPL";

// run: conversions ctx=x"00000000000000000000000000000000000000000000000000000000000000000000000000000000"
// run: conversions ctx=x"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
// run: conversions ctx=x"80808080808080808080808080808080808080808080808080808080808080808080808080808080"
// run: conversions ctx=x"73dd8fdbecc7777382da96302fcd8379a19dcb2f18724d241789cfe3b1a20a98fb65f673a7bd9da6"
// run: conversions ctx=x"289f03d487100f0930e13d9907c776537097d732843ba34b7f01a91575a74768ff8dfeeed715b541"
// run: conversions ctx=x"50c23a8349071190c41b661bd84a6211f504d8af003635ede90d7860fab5656b1290a132c7ac4556"
// run: conversions ctx=x"164f5503f668c2ec1e223fb419020f77cc7c2dae8f30728230fcbbc4216ba4621d656bfd360045dd"
// run: conversions ctx=x"f8f9cd974dffe205352f64feda9aa493190afd2536714202c59c54d44b621213173595a23e03995e"
// run: conversions ctx=x"5f9f7420f5967bd59322dd622ea0274fe83ad19c3fb93028bda1f08d32aff363e17b9a146b0c1a1b"
// run: conversions ctx=x"0983f6413dbdb464416bd2e7987d4b852cedb8fa11203a7a8fa7da9d9d124736eaea34bf04114469"
// run: conversions ctx=x"723f0f0b2d485e8792f921175c23e473fb54a8bbb08595f2239708ec0479e95bb34ff6080599a213"
// run: conversions ctx=x"7b11bb4f5122ff1213738b5ebc0be6efbcbcb421cbf6ea575a15af79e613dfdb6af1ca07dd7f9203"
// run: conversions ctx=x"9fa9616195039b121417a31dfe41e16aba5463efbcb194757076d68a1584c083074f99167b053af5"
// run: conversions ctx=x"b21c7fc79da8eb7c41e5025e4d24ad9c33842bc0e757a8ee717fe43d5367aa4032a26ecdcec1ea33"
// run: conversions ctx=x"e136623895eb513522227f59d6e5d90ab610f3fa46d22b1c737846ec36d46961a0857eac50b7d6d7"
// run: conversions ctx=x"fb9f735213d40847df9b0aadb547925a4fa6ca9004a42267743006c4d4443cc724cb0cfba11d721b"
// run: conversions ctx=x"a189a7a3ce5ef513af3233d279412db602c17888b6092d3945c7588ab2f285809dffc12864d9cab3"
// run: conversions ctx=x"e7391669eee4b86321737432a0e3e801608c91a7e180cbd1f1577653a6fb3419b8ddd1cca4ecb71f"
// run: conversions ctx=x"363ee663fb16fa4f89facaee5243e8b7db045981150970578c6bc4467ceb0737cfde106dcc082c88"
// run: conversions ctx=x"55afc9ea237826ff84e6b984d7adb070f2e17e94f2b016c23870868f4ad4ba8fa32a8583d7e88f41"
// run: conversions ctx=x"4fab61f4d8dee69c354dd924f78b8645927f3369891d80019a600789f80b84ea668bcdfd901f7d17"
// run: conversions ctx=x"b02a10ee897569ebf4ccec67443f797e20566fe6d0efe6eb7986511b316b9e07ec4221b3c7fa0509"
// run: conversions ctx=x"31273a03af4852b95a3e9e7f1a7fbb951fda829f40b732b387e06f0560a269d3879d288934dda188"
// run: conversions ctx=x"a3378737d98a9c96db223beabda0cf58e72e509a50e4ec3137c7ff31e31822e33d21ba164263186f"
