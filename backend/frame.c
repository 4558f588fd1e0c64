/* Frame layout: stack slots for allocas and spills below R10, aligned, and
 * the 512-byte limit as a located diagnostic with a breakdown. */
#include "backend/mir.h"

int frame_layout(struct mfunc *mf)
{
	uint32_t cur = 0, allocas = 0, spills = 0;
	/* allocas first, in order, so that the frame reads like clang's */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 1; i < mf->slots.len; i++) {
			struct frame_slot *s = &mf->slots.data[i];
			if ((pass == 0) != (s->kind == FS_ALLOCA))
				continue;
			uint32_t align = s->align ? s->align : 1;
			cur = ALIGN_UP(cur + s->size, align);
			s->offset = -(int32_t)cur;
			if (s->kind == FS_ALLOCA)
				allocas += s->size;
			else
				spills += s->size;
		}
	mf->stack_size = ALIGN_UP(cur, 8);
	uint32_t limit = mf->stack_limit ? mf->stack_limit : 512;
	if (mf->stack_size > limit) {
		struct ir_func *f = mf->ir;
		struct srcloc loc = f->blocks.len && f->blocks.data[0]->ins.len
					    ? ir_ins_srcloc(f, &f->blocks.data[0]->ins.data[0])
					    : (struct srcloc){ f->mod->text_file, ir_sym(f->mod, f->sym)->pos, 1 };
		diag_error(mf->diag, loc,
			   "$%s needs %u bytes of stack, more than the BPF limit of %u (%u bytes of local "
			   "variables, %u bytes of spilled registers)",
			   ir_sym(f->mod, f->sym)->name, mf->stack_size, limit, allocas, spills);
		diag_hint(mf->diag, "move large buffers into a per-CPU array map and use its value");
		mf->errors++;
		return -1;
	}
	return 0;
}
