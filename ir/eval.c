/* Constant evaluation of arithmetic, conversions and comparisons with BPF's
 * semantics (x / 0 == 0, x % 0 == x, shifts masked to the width). */
#include "ir/ir.h"

static int64_t wrap(unsigned cls, uint64_t v)
{
	return cls == IR_I32 ? (int64_t)(uint32_t)v : (int64_t)v;
}

static uint64_t bswap(uint64_t v, unsigned bytes)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < bytes; i++)
		r = r << 8 | ((v >> (8 * i)) & 0xff);
	return r;
}

bool ir_eval_cc(enum ir_cc cc, unsigned cls, int64_t a, int64_t b)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	int64_t sa = a, sb = b;
	if (cls == IR_I32) {
		ua = (uint32_t)ua;
		ub = (uint32_t)ub;
		sa = (int32_t)(uint32_t)a;
		sb = (int32_t)(uint32_t)b;
	}
	switch (cc) {
	case CC_EQ: return ua == ub;
	case CC_NE: return ua != ub;
	case CC_ULT: return ua < ub;
	case CC_ULE: return ua <= ub;
	case CC_UGT: return ua > ub;
	case CC_UGE: return ua >= ub;
	case CC_SLT: return sa < sb;
	case CC_SLE: return sa <= sb;
	case CC_SGT: return sa > sb;
	case CC_SGE: return sa >= sb;
	case CC_SET: return (ua & ub) != 0;
	}
	return false;
}

bool ir_eval(unsigned op, unsigned cls, int64_t a, int64_t b, int64_t *out)
{
	unsigned bits = cls == IR_I32 ? 32 : 64;
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	if (cls == IR_I32) {
		ua = (uint32_t)ua;
		ub = (uint32_t)ub;
	}
	int64_t sa = cls == IR_I32 ? (int32_t)(uint32_t)ua : a;
	int64_t sb = cls == IR_I32 ? (int32_t)(uint32_t)ub : b;
	uint64_t r;
	if (ir_op_is(op, OP_CMP)) {
		*out = ir_eval_cc((enum ir_cc)ir_ops[op].param, cls, a, b);
		return true;
	}
	switch (op) {
	case IR_ADD: r = ua + ub; break;
	case IR_SUB: r = ua - ub; break;
	case IR_MUL: r = ua * ub; break;
	case IR_UDIV: r = ub ? ua / ub : 0; break;
	case IR_UREM: r = ub ? ua % ub : ua; break;
	case IR_SDIV:
		/* BPF: INT_MIN / -1 == INT_MIN, like the wrapped two's complement result */
		r = !sb ? 0 : (sb == -1) ? (uint64_t)0 - (uint64_t)sa : (uint64_t)(sa / sb);
		break;
	case IR_SREM:
		r = !sb ? (uint64_t)sa : (sb == -1) ? 0 : (uint64_t)(sa % sb);
		break;
	case IR_AND: r = ua & ub; break;
	case IR_OR: r = ua | ub; break;
	case IR_XOR: r = ua ^ ub; break;
	case IR_SHL: r = ua << (ub & (bits - 1)); break;
	case IR_LSHR: r = ua >> (ub & (bits - 1)); break;
	case IR_ASHR: r = (uint64_t)(sa >> (ub & (bits - 1))); break;
	case IR_NEG: r = (uint64_t)0 - ua; break;
	case IR_ZEXT: r = (uint32_t)a; break;
	case IR_TRUNC: r = (uint32_t)a; break;
	case IR_SEXT8: r = (uint64_t)(int64_t)(int8_t)a; break;
	case IR_SEXT16: r = (uint64_t)(int64_t)(int16_t)a; break;
	case IR_SEXT32: r = (uint64_t)(int64_t)(int32_t)a; break;
	case IR_BSWAP16: case IR_BE16: r = bswap(ua, 2); break;
	case IR_BSWAP32: case IR_BE32: r = bswap(ua, 4); break;
	case IR_BSWAP64: case IR_BE64: r = bswap((uint64_t)a, 8); break;
	case IR_LE16: r = (uint16_t)ua; break;
	case IR_LE32: r = (uint32_t)ua; break;
	case IR_LE64: r = (uint64_t)a; break;
	default: return false;
	}
	*out = wrap(cls, r);
	return true;
}
