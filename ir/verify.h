/* Internals shared by the two halves of the IR verifier. */
#ifndef WHISTLER_IR_VERIFY_H
#define WHISTLER_IR_VERIFY_H

#include "ir/ir.h"

struct vfy_fact; /* a null or packet-bounds check and the block it guards */
struct vfy_seen { uint32_t root; struct vfy_seen *next; }; /* pointers already reported */

struct vfy {
	struct ir_func *f;
	struct diag *d;
	unsigned errors;
	uint32_t blk; /* block of the instruction being checked */
	struct ir_defsite *defs;
	struct vfy_fact *facts;
	uint32_t nfacts;
	bool facts_ready;
	struct vfy_seen *null_seen;
	struct arena scratch;
};

W_PRINTF(3, 4) void vfy_error(struct vfy *v, const struct ir_ins *in, const char *fmt, ...);
/* A load-time rule of the kernel's verifier: an error, or a warning or
 * nothing as the module's kernel_rules says.  False when nothing was said. */
W_PRINTF(3, 4) bool vfy_rule(struct vfy *v, const struct ir_ins *in, const char *fmt, ...);
const char *vfy_name(struct vfy *v, ir_ref r);
ir_vt vfy_type(struct vfy *v, ir_ref r);

/* verify_bpf.c */
void vfy_check_ptr_arith(struct vfy *v, const struct ir_ins *in);
void vfy_check_access(struct vfy *v, const struct ir_ins *in);
void vfy_check_helper_call(struct vfy *v, const struct ir_ins *in);
void vfy_check_bpf(struct vfy *v);

#endif
