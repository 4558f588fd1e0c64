/* Register allocation: iterated register coalescing (George and Appel) over
 * R0-R9, with calls clobbering R0-R5 and the calling convention as
 * precolored registers. Values that do not fit are rematerialized when they
 * are constants or addresses, otherwise spilled to 8-byte stack slots. */
#include "backend/mir.h"

#include <stdlib.h>
#include <string.h>

#define K 10 /* R0..R9 */

enum nstate { N_PRECOLORED, N_INITIAL, N_SIMPLIFY, N_FREEZE, N_SPILL, N_SPILLED, N_COALESCED,
	      N_COLORED, N_SELECT, N_UNUSED };
enum mstate { M_WORKLIST, M_ACTIVE, M_COALESCED, M_CONSTRAINED, M_FROZEN };

struct move {
	uint32_t dst, src;
	uint8_t state;
};

struct rega {
	struct mfunc *mf;
	uint32_t n;
	/* interference edges: a hash set of (low, high) pairs */
	uint64_t *edges;
	uint32_t edge_cap, nedges;
	VEC(uint32_t) *adj;
	uint32_t *degree, *alias, *color;
	uint8_t *state;
	uint32_t *cost;
	bool *no_spill;
	VEC(struct move) moves;
	VEC(uint32_t) *movelist;
	VEC(uint32_t) simplify, freeze, spill, select, worklist_moves;
	VEC(uint32_t) spilled;
};

/* ---- the interference graph --------------------------------------------------- */

static uint64_t edge_key(uint32_t a, uint32_t b)
{
	return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

static bool edge_has(struct rega *g, uint32_t a, uint32_t b)
{
	uint64_t k = edge_key(a, b) + 1;
	for (uint32_t i = (uint32_t)w_hash_u64(k) & (g->edge_cap - 1);; i = (i + 1) & (g->edge_cap - 1)) {
		if (g->edges[i] == k)
			return true;
		if (!g->edges[i])
			return false;
	}
}

static void edge_insert(struct rega *g, uint64_t k)
{
	for (uint32_t i = (uint32_t)w_hash_u64(k) & (g->edge_cap - 1);; i = (i + 1) & (g->edge_cap - 1))
		if (!g->edges[i]) {
			g->edges[i] = k;
			return;
		}
}

static void add_edge(struct rega *g, uint32_t u, uint32_t v)
{
	if (u == v || edge_has(g, u, v))
		return;
	if ((g->nedges + 1) * 2 > g->edge_cap) {
		uint64_t *old = g->edges;
		uint32_t oldcap = g->edge_cap;
		g->edge_cap = oldcap * 2;
		g->edges = xcalloc(g->edge_cap, sizeof(uint64_t));
		for (uint32_t i = 0; i < oldcap; i++)
			if (old[i])
				edge_insert(g, old[i]);
		free(old);
	}
	edge_insert(g, edge_key(u, v) + 1);
	g->nedges++;
	if (g->state[u] != N_PRECOLORED) {
		vec_push(&g->adj[u], v);
		g->degree[u]++;
	}
	if (g->state[v] != N_PRECOLORED) {
		vec_push(&g->adj[v], u);
		g->degree[v]++;
	}
}

static bool allocatable(uint32_t r)
{
	return r != INSN_R10 && r != MIR_NOREG;
}

static void build(struct rega *g)
{
	struct mfunc *mf = g->mf;
	uint32_t words = (mf->nregs + 63) / 64;
	uint64_t *live = xmalloc(sizeof(uint64_t) * words);
	uint32_t defs[8], uses[8];
	for (uint32_t bi = 0; bi < mf->blocks.len; bi++) {
		struct mblock *b = &mf->blocks.data[bi];
		memcpy(live, b->liveout, sizeof(uint64_t) * words);
		for (uint32_t i = b->ins.len; i-- > 0;) {
			struct mi *m = &b->ins.data[i];
			unsigned nd = mi_defs(m, defs), nu = mi_uses(m, uses);
			for (unsigned k = 0; k < nd; k++)
				if (defs[k] >= MIR_VREG0)
					g->cost[defs[k]]++;
			for (unsigned k = 0; k < nu; k++)
				if (uses[k] >= MIR_VREG0)
					g->cost[uses[k]]++;
			if (m->kind == MI_COPY && allocatable(m->src)) {
				live[m->src / 64] &= ~(1ull << (m->src % 64));
				struct move mv = { m->dst, m->src, M_WORKLIST };
				vec_push(&g->moves, mv);
				vec_push(&g->movelist[m->dst], g->moves.len - 1);
				vec_push(&g->movelist[m->src], g->moves.len - 1);
				vec_push(&g->worklist_moves, g->moves.len - 1);
			}
			for (unsigned k = 0; k < nd; k++)
				live[defs[k] / 64] |= 1ull << (defs[k] % 64);
			for (unsigned k = 0; k < nd; k++) {
				if (!allocatable(defs[k]))
					continue;
				for (uint32_t w = 0; w < words; w++)
					for (uint64_t bits = live[w]; bits; bits &= bits - 1) {
						uint32_t l = w * 64 + (uint32_t)__builtin_ctzll(bits);
						if (allocatable(l))
							add_edge(g, l, defs[k]);
					}
			}
			/* results written before all operands are read */
			if (m->kind == MI_SETCC) {
				add_edge(g, m->dst, m->a);
				if (!(m->flags & MF_IMM))
					add_edge(g, m->dst, m->src);
			} else if (m->kind == MI_SELECT) {
				add_edge(g, m->dst, m->a);
				if (!(m->flags & MF_IMMB))
					add_edge(g, m->dst, m->b);
			}
			for (unsigned k = 0; k < nd; k++)
				live[defs[k] / 64] &= ~(1ull << (defs[k] % 64));
			for (unsigned k = 0; k < nu; k++)
				live[uses[k] / 64] |= 1ull << (uses[k] % 64);
			/* mark the registers the program mentions */
			for (unsigned k = 0; k < nd; k++)
				if (g->state[defs[k]] == N_UNUSED)
					g->state[defs[k]] = N_INITIAL;
			for (unsigned k = 0; k < nu; k++)
				if (g->state[uses[k]] == N_UNUSED)
					g->state[uses[k]] = N_INITIAL;
		}
	}
	free(live);
}

/* ---- the worklists -------------------------------------------------------------- */

static bool move_active(struct rega *g, uint32_t m)
{
	uint8_t s = g->moves.data[m].state;
	return s == M_ACTIVE || s == M_WORKLIST;
}

static bool move_related(struct rega *g, uint32_t n)
{
	vec_foreach(&g->movelist[n], m) if (move_active(g, *m)) return true;
	return false;
}

static bool adjacent_live(struct rega *g, uint32_t t)
{
	return g->state[t] != N_SELECT && g->state[t] != N_COALESCED;
}

static void push(struct rega *g, uint32_t n, enum nstate st)
{
	g->state[n] = (uint8_t)st;
	if (st == N_SIMPLIFY)
		vec_push(&g->simplify, n);
	else if (st == N_FREEZE)
		vec_push(&g->freeze, n);
	else if (st == N_SPILL)
		vec_push(&g->spill, n);
}

static void make_worklists(struct rega *g)
{
	for (uint32_t n = MIR_VREG0; n < g->n; n++) {
		if (g->state[n] != N_INITIAL)
			continue;
		if (g->degree[n] >= K)
			push(g, n, N_SPILL);
		else if (move_related(g, n))
			push(g, n, N_FREEZE);
		else
			push(g, n, N_SIMPLIFY);
	}
}

static void enable_moves(struct rega *g, uint32_t n)
{
	vec_foreach(&g->movelist[n], m) if (g->moves.data[*m].state == M_ACTIVE)
	{
		g->moves.data[*m].state = M_WORKLIST;
		vec_push(&g->worklist_moves, *m);
	}
}

static void decrement_degree(struct rega *g, uint32_t m)
{
	if (g->state[m] == N_PRECOLORED)
		return;
	uint32_t d = g->degree[m]--;
	if (d != K)
		return;
	enable_moves(g, m);
	vec_foreach(&g->adj[m], t) if (adjacent_live(g, *t)) enable_moves(g, *t);
	if (g->state[m] == N_SPILL)
		push(g, m, move_related(g, m) ? N_FREEZE : N_SIMPLIFY);
}

static void simplify(struct rega *g)
{
	uint32_t n = vec_pop(&g->simplify);
	if (g->state[n] != N_SIMPLIFY)
		return;
	g->state[n] = N_SELECT;
	vec_push(&g->select, n);
	vec_foreach(&g->adj[n], t) if (adjacent_live(g, *t)) decrement_degree(g, *t);
}

static uint32_t get_alias(struct rega *g, uint32_t n)
{
	uint32_t root = n;
	while (g->state[root] == N_COALESCED)
		root = g->alias[root];
	/* path compression: chains of copies coalesce into long alias chains */
	while (g->state[n] == N_COALESCED && g->alias[n] != root) {
		uint32_t next = g->alias[n];
		g->alias[n] = root;
		n = next;
	}
	return root;
}

static void add_worklist(struct rega *g, uint32_t u)
{
	if (g->state[u] != N_PRECOLORED && !move_related(g, u) && g->degree[u] < K &&
	    g->state[u] == N_FREEZE)
		push(g, u, N_SIMPLIFY);
}

static bool ok(struct rega *g, uint32_t t, uint32_t r)
{
	return g->degree[t] < K || g->state[t] == N_PRECOLORED || edge_has(g, t, r);
}

static bool conservative(struct rega *g, uint32_t u, uint32_t v)
{
	/* Briggs: fewer than K neighbours of significant degree */
	unsigned k = 0;
	uint32_t both[2] = { u, v };
	for (int i = 0; i < 2; i++)
		vec_foreach(&g->adj[both[i]], t)
		{
			if (!adjacent_live(g, *t))
				continue;
			if (i == 1 && edge_has(g, *t, u) && g->state[u] != N_PRECOLORED)
				continue; /* counted already */
			if (g->degree[*t] >= K || g->state[*t] == N_PRECOLORED)
				k++;
		}
	return k < K;
}

static void combine(struct rega *g, uint32_t u, uint32_t v)
{
	g->state[v] = N_COALESCED;
	g->alias[v] = u;
	/* only moves that may still coalesce matter to u; dropping the others
	 * keeps the lists short when long chains of copies merge */
	uint32_t k = 0;
	vec_foreach(&g->movelist[u], m) if (move_active(g, *m)) g->movelist[u].data[k++] = *m;
	g->movelist[u].len = k;
	vec_foreach(&g->movelist[v], m) if (move_active(g, *m)) vec_push(&g->movelist[u], *m);
	enable_moves(g, v);
	for (uint32_t i = 0; i < g->adj[v].len; i++) {
		uint32_t t = g->adj[v].data[i];
		if (!adjacent_live(g, t))
			continue;
		add_edge(g, t, u);
		decrement_degree(g, t);
	}
	if (g->degree[u] >= K && g->state[u] == N_FREEZE)
		push(g, u, N_SPILL);
}

static void coalesce(struct rega *g)
{
	uint32_t mi = vec_pop(&g->worklist_moves);
	struct move *mv = &g->moves.data[mi];
	if (mv->state != M_WORKLIST)
		return;
	uint32_t x = get_alias(g, mv->dst), y = get_alias(g, mv->src), u = x, v = y;
	if (g->state[y] == N_PRECOLORED) {
		u = y;
		v = x;
	}
	if (u == v) {
		mv->state = M_COALESCED;
		add_worklist(g, u);
	} else if (g->state[v] == N_PRECOLORED || edge_has(g, u, v)) {
		mv->state = M_CONSTRAINED;
		add_worklist(g, u);
		add_worklist(g, v);
	} else {
		bool can;
		if (g->state[u] == N_PRECOLORED) {
			can = true;
			vec_foreach(&g->adj[v], t) if (adjacent_live(g, *t) && !ok(g, *t, u)) can = false;
		} else {
			can = conservative(g, u, v);
		}
		if (can) {
			mv->state = M_COALESCED;
			combine(g, u, v);
			add_worklist(g, u);
		} else {
			mv->state = M_ACTIVE;
		}
	}
}

static void freeze_moves(struct rega *g, uint32_t u)
{
	vec_foreach(&g->movelist[u], mp)
	{
		struct move *mv = &g->moves.data[*mp];
		if (!move_active(g, *mp))
			continue;
		uint32_t x = mv->dst, y = mv->src;
		uint32_t v = get_alias(g, y) == get_alias(g, u) ? get_alias(g, x) : get_alias(g, y);
		mv->state = M_FROZEN;
		if (g->state[v] == N_FREEZE && !move_related(g, v))
			push(g, v, N_SIMPLIFY);
	}
}

static void freeze(struct rega *g)
{
	uint32_t u = vec_pop(&g->freeze);
	if (g->state[u] != N_FREEZE)
		return;
	push(g, u, N_SIMPLIFY);
	freeze_moves(g, u);
}

static void select_spill(struct rega *g)
{
	/* the cheapest node to spill: few uses for many neighbours */
	uint32_t best = UINT32_MAX;
	double best_score = 0;
	for (uint32_t i = 0; i < g->spill.len; i++) {
		uint32_t n = g->spill.data[i];
		if (g->state[n] != N_SPILL)
			continue;
		double score = g->no_spill[n] ? 1e30 : (double)g->cost[n] / (double)(g->degree[n] + 1);
		if (best == UINT32_MAX || score < best_score) {
			best = n;
			best_score = score;
		}
	}
	/* drop stale entries */
	uint32_t k = 0;
	for (uint32_t i = 0; i < g->spill.len; i++)
		if (g->state[g->spill.data[i]] == N_SPILL && g->spill.data[i] != best)
			g->spill.data[k++] = g->spill.data[i];
	g->spill.len = k;
	if (best == UINT32_MAX)
		return;
	push(g, best, N_SIMPLIFY);
	freeze_moves(g, best);
}

static void assign_colors(struct rega *g)
{
	while (g->select.len) {
		uint32_t n = vec_pop(&g->select);
		unsigned okc = (1u << K) - 1;
		vec_foreach(&g->adj[n], w)
		{
			uint32_t a = get_alias(g, *w);
			if (g->state[a] == N_COLORED || g->state[a] == N_PRECOLORED)
				okc &= ~(1u << g->color[a]);
		}
		if (!okc) {
			g->state[n] = N_SPILLED;
			vec_push(&g->spilled, n);
			continue;
		}
		g->state[n] = N_COLORED;
		/* prefer the register of a value it is copied to or from */
		unsigned pick = (unsigned)__builtin_ctz(okc);
		vec_foreach(&g->movelist[n], mp)
		{
			struct move *mv = &g->moves.data[*mp];
			uint32_t other = get_alias(g, mv->dst) == get_alias(g, n) ? get_alias(g, mv->src)
									     : get_alias(g, mv->dst);
			if (other != n && (g->state[other] == N_COLORED || g->state[other] == N_PRECOLORED) &&
			    (okc & (1u << g->color[other]))) {
				pick = g->color[other];
				break;
			}
		}
		g->color[n] = pick;
	}
	for (uint32_t n = MIR_VREG0; n < g->n; n++)
		if (g->state[n] == N_COALESCED)
			g->color[n] = g->color[get_alias(g, n)];
}

/* ---- spilling ---------------------------------------------------------------------- */

/* The single instruction defining r, if r is defined once by a constant,
 * an address or a symbol: such values are recomputed instead of spilled. */
static struct mi *remat_def(struct mfunc *mf, uint32_t r)
{
	struct mi *def = NULL;
	uint32_t regs[8];
	vec_foreach(&mf->blocks, b) vec_foreach(&b->ins, m)
	{
		unsigned nd = mi_defs(m, regs);
		for (unsigned k = 0; k < nd; k++)
			if (regs[k] == r) {
				if (def)
					return NULL;
				def = m;
			}
	}
	if (!def)
		return NULL;
	bool cst = (def->kind == MI_ALU && def->op == BPF_MOV && (def->flags & MF_IMM)) ||
		   def->kind == MI_LDIMM64 || def->kind == MI_FRAMEADDR;
	return cst ? def : NULL;
}

static void replace_reg(struct mi *m, uint32_t from, uint32_t to)
{
	if (m->dst == from)
		m->dst = to;
	if (m->src == from)
		m->src = to;
	if (m->a == from)
		m->a = to;
	if (m->b == from)
		m->b = to;
}

static bool mentions(const struct mi *m, uint32_t r, bool def)
{
	uint32_t regs[8];
	unsigned n = def ? mi_defs(m, regs) : mi_uses(m, regs);
	for (unsigned k = 0; k < n; k++)
		if (regs[k] == r)
			return true;
	return false;
}

static void spill_reg(struct rega *g, uint32_t r, uint32_t slot, bool **no_spill_out)
{
	struct mfunc *mf = g->mf;
	struct mi *rd = remat_def(mf, r);
	struct mi def = rd ? *rd : (struct mi){ 0 };
	vec_foreach(&mf->blocks, b)
	{
		VEC(struct mi) out = { 0 };
		vec_reserve(&out, b->ins.len + 4);
		/* A run of adjacent instructions mentioning r shares one temporary:
		 * loaded before the first use, stored after the last definition. */
		uint32_t t = MIR_NOREG;
		bool dirty = false;
		for (uint32_t i = 0; i < b->ins.len; i++) {
			struct mi *m = &b->ins.data[i];
			bool uses = mentions(m, r, false), defs = mentions(m, r, true);
			if (rd && defs)
				continue; /* the definition goes: it is repeated at each use */
			if (!uses && !defs) {
				if (dirty)
					vec_push(&out, ((struct mi){ .kind = MI_STX, .size = 8, .dst = INSN_R10, .src = t,
								     .flags = MF_FRAME | MF_SPILL, .slot = slot,
								     .loc = m->loc }));
				t = MIR_NOREG;
				dirty = false;
				vec_push(&out, *m);
				continue;
			}
			if (t == MIR_NOREG) {
				t = mir_vreg(mf, mf->vwidth.data[r]);
				*no_spill_out = xrealloc(*no_spill_out, mf->nregs);
				(*no_spill_out)[t] = true;
				if (uses) {
					struct mi ld = rd ? def : (struct mi){ .kind = MI_LDX, .size = 8, .src = INSN_R10,
									      .flags = MF_FRAME | MF_SPILL,
									      .slot = slot };
					ld.dst = t;
					ld.loc = m->loc;
					vec_push(&out, ld);
				}
			}
			struct mi c = *m;
			replace_reg(&c, r, t);
			dirty |= defs && !rd;
			if (mi_is_term(&c) && dirty) {
				/* terminators end the block: store before them */
				vec_push(&out, ((struct mi){ .kind = MI_STX, .size = 8, .dst = INSN_R10, .src = t,
							     .flags = MF_FRAME | MF_SPILL, .slot = slot, .loc = m->loc }));
				dirty = false;
			}
			vec_push(&out, c);
			if (m->kind == MI_CALL || m->kind == MI_LDPKT) {
				/* a temporary does not live across a call */
				if (dirty)
					vec_push(&out, ((struct mi){ .kind = MI_STX, .size = 8, .dst = INSN_R10, .src = t,
								     .flags = MF_FRAME | MF_SPILL, .slot = slot,
								     .loc = m->loc }));
				t = MIR_NOREG;
				dirty = false;
			}
		}
		if (dirty)
			vec_push(&out, ((struct mi){ .kind = MI_STX, .size = 8, .dst = INSN_R10, .src = t,
						     .flags = MF_FRAME | MF_SPILL, .slot = slot }));
		vec_free(&b->ins);
		b->ins.data = out.data;
		b->ins.len = out.len;
		b->ins.cap = out.cap;
	}
}

/* Spills this round's nodes, sharing a slot between nodes that do not interfere. */
static void rewrite(struct rega *g, bool **no_spill)
{
	VEC(uint32_t) slots = { 0 };     /* slot of each group */
	VEC(uint32_t) members = { 0 };   /* spilled node -> group, in parallel with g->spilled */
	for (uint32_t i = 0; i < g->spilled.len; i++) {
		uint32_t n = g->spilled.data[i];
		if (remat_def(g->mf, n)) {
			vec_push(&members, UINT32_MAX);
			continue;
		}
		uint32_t group = UINT32_MAX;
		for (uint32_t s = 0; s < slots.len && group == UINT32_MAX; s++) {
			bool clash = false;
			for (uint32_t j = 0; j < i && !clash; j++)
				if (members.data[j] == s && edge_has(g, n, g->spilled.data[j]))
					clash = true;
			if (!clash)
				group = s;
		}
		if (group == UINT32_MAX) {
			vec_push(&slots, mir_slot(g->mf, FS_SPILL, 8, 8));
			group = slots.len - 1;
		}
		vec_push(&members, group);
	}
	for (uint32_t i = 0; i < g->spilled.len; i++)
		spill_reg(g, g->spilled.data[i], members.data[i] == UINT32_MAX ? 0 : slots.data[members.data[i]],
			  no_spill);
	vec_free(&slots);
	vec_free(&members);
}

static void rega_free(struct rega *g)
{
	for (uint32_t n = 0; n < g->n; n++) {
		vec_free(&g->adj[n]);
		vec_free(&g->movelist[n]);
	}
	free(g->adj);
	free(g->movelist);
	free(g->edges);
	free(g->degree);
	free(g->alias);
	free(g->color);
	free(g->state);
	free(g->cost);
	vec_free(&g->moves);
	vec_free(&g->simplify);
	vec_free(&g->freeze);
	vec_free(&g->spill);
	vec_free(&g->select);
	vec_free(&g->worklist_moves);
	vec_free(&g->spilled);
}

/* Rewrites every register through the coloring and drops copies that became
 * no-ops. */
static void apply(struct rega *g)
{
	struct mfunc *mf = g->mf;
	vec_foreach(&mf->blocks, b)
	{
		uint32_t k = 0;
		vec_foreach(&b->ins, m)
		{
			uint32_t *fields[] = { &m->dst, &m->src, &m->a, &m->b };
			for (unsigned i = 0; i < 4; i++)
				if (*fields[i] >= MIR_VREG0 && *fields[i] < g->n)
					*fields[i] = g->color[*fields[i]];
			if (m->kind == MI_COPY && m->dst == m->src)
				continue;
			b->ins.data[k++] = *m;
		}
		b->ins.len = k;
	}
}

int rega_func(struct mfunc *mf)
{
	bool *no_spill = xcalloc(mf->nregs, 1);
	for (unsigned round = 0; round < 64; round++) {
		mir_liveness(mf);
		struct rega g = { .mf = mf, .n = mf->nregs };
		g.edge_cap = 1024;
		g.edges = xcalloc(g.edge_cap, sizeof(uint64_t));
		g.adj = xcalloc(g.n, sizeof(*g.adj));
		g.movelist = xcalloc(g.n, sizeof(*g.movelist));
		g.degree = xcalloc(g.n, sizeof(uint32_t));
		g.alias = xcalloc(g.n, sizeof(uint32_t));
		g.color = xcalloc(g.n, sizeof(uint32_t));
		g.state = xmalloc(g.n);
		g.cost = xcalloc(g.n, sizeof(uint32_t));
		no_spill = xrealloc(no_spill, g.n);
		g.no_spill = no_spill;
		for (uint32_t r = 0; r < g.n; r++) {
			g.state[r] = r < K ? N_PRECOLORED : N_UNUSED;
			g.color[r] = r;
			g.degree[r] = r < K ? UINT32_MAX / 2 : 0;
		}
		build(&g);
		make_worklists(&g);
		while (g.simplify.len || g.worklist_moves.len || g.freeze.len || g.spill.len) {
			if (g.simplify.len)
				simplify(&g);
			else if (g.worklist_moves.len)
				coalesce(&g);
			else if (g.freeze.len)
				freeze(&g);
			else
				select_spill(&g);
		}
		assign_colors(&g);
		if (!g.spilled.len) {
			apply(&g);
			rega_free(&g);
			free(no_spill);
			return 0;
		}
		for (uint32_t i = 0; i < g.spilled.len; i++)
			if (no_spill[g.spilled.data[i]]) {
				/* a spill temporary itself does not fit: nothing more to do */
				rega_free(&g);
				free(no_spill);
				diag_error(mf->diag, ir_ins_srcloc(mf->ir, mf->ir->blocks.data[0]->ins.data),
					   "register allocation failed in $%s: too many values live at once",
					   ir_sym(mf->ir->mod, mf->ir->sym)->name);
				mf->errors++;
				return -1;
			}
		rewrite(&g, &no_spill);
		rega_free(&g);
	}
	free(no_spill);
	W_ICE("register allocation did not converge");
}
