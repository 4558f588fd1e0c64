/* FORMAT directives: ~A ~S ~D ~B ~O ~X ~R ~C ~F ~E ~G ~$ ~% ~& ~| ~~ ~T ~P
 * ~* ~? ~newline, and the nesting ones ~{ ~} ~[ ~; ~] ~( ~) with ~^, each
 * with the parameters and : @ modifiers CL defines, printing like SBCL. */
#include "frontend/lisp/internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 8

struct fmt {
	struct lisp_ctx *ctx;
	struct buf *out;
	size_t out_start;
	uint32_t col_base;
	const char *s; /* control string */
	lv *args;
	int nargs, argi;
	int depth;
};

struct directive {
	size_t start, end; /* of the whole directive text */
	char ch;	   /* upper-cased directive character */
	bool colon, at;
	int nparams;
	lv params[MAX_PARAMS]; /* NULL: omitted; integer or character */
};

static W_NORETURN W_PRINTF(2, 3) void ferr(struct fmt *f, const char *msg, ...)
{
	va_list ap;
	va_start(ap, msg);
	struct buf *b = lisp_temp_buf(f->ctx);
	buf_puts(b, "FORMAT: ");
	buf_vprintf(b, msg, ap);
	va_end(ap);
	lv s = lisp_temp_buf_string(f->ctx, b);
	lisp_error(f->ctx, "%s", lisp_str(s));
}

static lv next_arg(struct fmt *f)
{
	if (f->argi >= f->nargs)
		ferr(f, "not enough arguments for the directives");
	return f->args[f->argi++];
}

static uint32_t column(const struct fmt *f)
{
	for (size_t i = f->out->len; i > f->out_start; i--)
		if (f->out->data[i - 1] == '\n')
			return (uint32_t)(f->out->len - i);
	return f->col_base + (uint32_t)(f->out->len - f->out_start);
}

/* Parses the directive starting at s[pos] == '~'. */
static size_t parse_directive(struct fmt *f, size_t pos, size_t end, struct directive *d)
{
	memset(d, 0, sizeof(*d));
	d->start = pos++;
	for (;;) {
		if (pos >= end)
			ferr(f, "control string ends inside a directive");
		char c = f->s[pos];
		lv p = NULL;
		if (c == '\'') {
			if (pos + 1 >= end)
				ferr(f, "control string ends inside a directive");
			p = lisp_char((unsigned char)f->s[pos + 1]);
			pos += 2;
		} else if (c == 'v' || c == 'V') {
			lv a = next_arg(f);
			p = a == LISP_NIL ? NULL : a;
			pos++;
		} else if (c == '#') {
			p = lisp_fixnum(f->nargs - f->argi);
			pos++;
		} else if (isdigit((unsigned char)c) || ((c == '-' || c == '+') && pos + 1 < end &&
							 isdigit((unsigned char)f->s[pos + 1]))) {
			size_t q = pos + 1;
			while (q < end && isdigit((unsigned char)f->s[q]))
				q++;
			if (q - pos > 15)
				ferr(f, "parameter too large");
			char tmp[20];
			memcpy(tmp, f->s + pos, q - pos);
			tmp[q - pos] = 0;
			p = lisp_fixnum(strtoll(tmp, NULL, 10));
			pos = q;
		} else if (c != ',') {
			break;
		}
		if (p || f->s[pos] == ',') {
			if (d->nparams >= MAX_PARAMS)
				ferr(f, "too many parameters");
			d->params[d->nparams++] = p;
		}
		if (pos < end && f->s[pos] == ',')
			pos++;
		else
			break;
	}
	while (pos < end && (f->s[pos] == ':' || f->s[pos] == '@')) {
		if (f->s[pos] == ':')
			d->colon = true;
		else
			d->at = true;
		pos++;
	}
	if (pos >= end)
		ferr(f, "control string ends inside a directive");
	d->ch = (char)toupper((unsigned char)f->s[pos]);
	d->end = pos + 1;
	return d->end;
}

static int64_t iparam(struct fmt *f, const struct directive *d, int i, int64_t def)
{
	if (i >= d->nparams || !d->params[i])
		return def;
	lv p = d->params[i];
	if (!lisp_fixnump(p))
		ferr(f, "the parameter of ~%c must be an integer", d->ch);
	return lisp_fixnum_value(p);
}

static char cparam(struct fmt *f, const struct directive *d, int i, char def)
{
	if (i >= d->nparams || !d->params[i])
		return def;
	if (!lisp_charp(d->params[i]))
		ferr(f, "the parameter of ~%c must be a character", d->ch);
	return (char)lisp_char_code(d->params[i]);
}

/* Finds the directive closing the one that ends at `pos` (e.g. ~} for ~{),
 * recording ~; separators.  Returns the closing directive. */
static void find_close(struct fmt *f, size_t pos, size_t end, char close, struct directive *cl,
		       size_t *seps, int *nseps, bool *default_last)
{
	int level = 0;
	if (nseps)
		*nseps = 0;
	while (pos < end) {
		if (f->s[pos] != '~') {
			pos++;
			continue;
		}
		/* scan with dummy arguments: V and # must not consume real ones */
		struct directive d;
		struct fmt scan = *f;
		lv dummy[MAX_PARAMS];
		for (int i = 0; i < MAX_PARAMS; i++)
			dummy[i] = LISP_NIL;
		scan.args = dummy;
		scan.nargs = MAX_PARAMS;
		scan.argi = 0;
		pos = parse_directive(&scan, pos, end, &d);
		if (strchr("{[(<", d.ch)) {
			level++;
		} else if (strchr("}])>", d.ch)) {
			if (level == 0) {
				if (d.ch != close)
					ferr(f, "~%c does not match the directive it closes", d.ch);
				*cl = d;
				return;
			}
			level--;
		} else if (d.ch == ';' && level == 0 && seps) {
			if (*nseps >= 64)
				ferr(f, "too many ~; clauses");
			seps[(*nseps)++] = d.start;
			seps[(*nseps)++] = d.end;
			if (default_last)
				*default_last = d.colon;
		}
	}
	ferr(f, "missing ~%c", close);
}

static int run(struct fmt *f, size_t pos, size_t end);

static void pad(struct buf *b, char c, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		buf_putc(b, c);
}

/* ~mincol,colinc,minpad,padcharA: text padded to mincol, on the left with @ */
static void padded(struct fmt *f, const struct directive *d, const char *text, size_t n, bool left)
{
	int64_t mincol = iparam(f, d, 0, 0), colinc = iparam(f, d, 1, 1),
		minpad = iparam(f, d, 2, 0);
	char pc = cparam(f, d, 3, ' ');
	if (colinc < 1)
		colinc = 1;
	if (mincol > 100000 || minpad > 100000)
		ferr(f, "column width too large");
	int64_t len = (int64_t)n + minpad;
	int64_t extra = minpad;
	while (len < mincol) {
		len += colinc;
		extra += colinc;
	}
	if (left)
		pad(f->out, pc, extra);
	buf_append(f->out, text, n);
	if (!left)
		pad(f->out, pc, extra);
}

static void print_arg(struct fmt *f, const struct directive *d, lv a, bool escape)
{
	struct buf *t = lisp_temp_buf(f->ctx);
	if (a == LISP_NIL && d->colon)
		buf_puts(t, "()");
	else
		lisp_prin(f->ctx, t, a, escape);
	padded(f, d, (const char *)t->data, t->len, d->at);
	lisp_temp_buf_free(f->ctx, t);
}

static void print_integer(struct fmt *f, const struct directive *d, lv a, unsigned radix)
{
	int off = d->ch == 'R' ? 1 : 0;
	int64_t mincol = iparam(f, d, off, 0);
	char pc = cparam(f, d, off + 1, ' ');
	char comma = cparam(f, d, off + 2, ',');
	int64_t interval = iparam(f, d, off + 3, 3);
	if (mincol > 100000 || interval < 1)
		ferr(f, "bad parameters for ~%c", d->ch);
	struct buf *t = lisp_temp_buf(f->ctx);
	if (!lisp_integerp(a)) {
		lv base = SYM(f->ctx->s.print_base)->value;
		SYM(f->ctx->s.print_base)->value = lisp_fixnum(10);
		lisp_prin(f->ctx, t, a, false);
		SYM(f->ctx->s.print_base)->value = base;
	} else {
		struct buf *digits = lisp_temp_buf(f->ctx);
		lisp_int_print(f->ctx, digits, a, radix);
		const char *p = (const char *)digits->data;
		size_t n = digits->len;
		bool neg = n && p[0] == '-';
		if (neg) {
			p++;
			n--;
		}
		if (neg)
			buf_putc(t, '-');
		else if (d->at)
			buf_putc(t, '+');
		for (size_t i = 0; i < n; i++) {
			if (d->colon && i && (n - i) % (size_t)interval == 0)
				buf_putc(t, comma);
			buf_putc(t, p[i]);
		}
		lisp_temp_buf_free(f->ctx, digits);
	}
	if ((int64_t)t->len < mincol)
		pad(f->out, pc, mincol - (int64_t)t->len);
	buf_append(f->out, t->data, t->len);
	lisp_temp_buf_free(f->ctx, t);
}

static double float_arg(struct fmt *f, lv a)
{
	if (lisp_floatp(a))
		return lisp_float_value(a);
	if (lisp_integerp(a))
		return lisp_int_to_double(a);
	lisp_type_error(f->ctx, a, "real");
}

/* ~w,d,k,ovf,padF and ~d,n,w,pad$ */
static void print_fixed(struct fmt *f, const struct directive *d, lv a)
{
	if (!lisp_numberp(a)) {
		print_arg(f, d, a, false);
		return;
	}
	double x = float_arg(f, a);
	int64_t w, digits;
	char pc;
	struct buf *t = lisp_temp_buf(f->ctx);
	if (d->ch == '$') {
		digits = iparam(f, d, 0, 2);
		int64_t n = iparam(f, d, 1, 1);
		w = iparam(f, d, 2, 0);
		pc = cparam(f, d, 3, ' ');
		if (digits > 50 || n > 50)
			ferr(f, "bad parameters for ~$");
		char tmp[400];
		snprintf(tmp, sizeof(tmp), "%.*f", (int)digits, fabs(x));
		char *dot = strchr(tmp, '.');
		int64_t intlen = dot ? dot - tmp : (int64_t)strlen(tmp);
		if (x < 0 || signbit(x))
			buf_putc(t, '-');
		else if (d->at)
			buf_putc(t, '+');
		pad(t, '0', n - intlen);
		buf_puts(t, tmp);
	} else {
		w = iparam(f, d, 0, -1);
		digits = iparam(f, d, 1, -1);
		int64_t k = iparam(f, d, 2, 0);
		pc = cparam(f, d, 4, ' ');
		if (digits > 50 || w > 1000 || k > 50 || k < -50)
			ferr(f, "bad parameters for ~F");
		x *= pow(10, (double)k);
		if (x < 0 || (x == 0 && signbit(x)))
			buf_putc(t, '-');
		else if (d->at)
			buf_putc(t, '+');
		if (digits >= 0) {
			char tmp[400];
			snprintf(tmp, sizeof(tmp), "%.*f", (int)digits, fabs(x));
			buf_puts(t, tmp);
		} else {
			struct buf *p = lisp_temp_buf(f->ctx);
			lisp_print_float(p, fabs(x));
			buf_putc(p, 0);
			const char *s = (const char *)p->data;
			if (strchr(s, 'e')) {
				char tmp[400];
				snprintf(tmp, sizeof(tmp), "%.17g", fabs(x));
				if (!strchr(tmp, '.'))
					strcat(tmp, ".0");
				buf_puts(t, tmp);
			} else {
				buf_puts(t, s);
			}
			lisp_temp_buf_free(f->ctx, p);
		}
	}
	if (w > 0 && (int64_t)t->len < w)
		pad(f->out, pc, w - (int64_t)t->len);
	buf_append(f->out, t->data, t->len);
	lisp_temp_buf_free(f->ctx, t);
}

static void print_exponential(struct fmt *f, const struct directive *d, lv a)
{
	double x = float_arg(f, a);
	int64_t digits = iparam(f, d, 1, -1);
	char tmp[64];
	if (digits > 30)
		ferr(f, "bad parameters for ~E");
	if (digits >= 0) {
		snprintf(tmp, sizeof(tmp), "%.*e", (int)digits, x);
	} else {
		int prec;
		for (prec = 0; prec < 17; prec++) {
			snprintf(tmp, sizeof(tmp), "%.*e", prec, x);
			if (strtod(tmp, NULL) == x)
				break;
		}
		if (!strchr(tmp, '.')) {
			char *e = strchr(tmp, 'e');
			memmove(e + 2, e, strlen(e) + 1);
			e[0] = '.';
			e[1] = '0';
		}
	}
	/* C prints e+05, CL prints e+5 */
	char *e = strchr(tmp, 'e');
	if (e) {
		char sign = e[1];
		int ex = atoi(e + 2);
		snprintf(e, sizeof(tmp) - (size_t)(e - tmp), "e%c%d", sign, ex);
	}
	if (d->at && x >= 0)
		buf_putc(f->out, '+');
	buf_puts(f->out, tmp);
}

static void case_convert(struct buf *b, size_t from, bool colon, bool at)
{
	bool first_word = true, in_word = false;
	for (size_t i = from; i < b->len; i++) {
		int c = b->data[i];
		bool alnum = isalnum(c);
		if (colon && at)
			c = toupper(c);
		else if (colon)
			c = alnum && !in_word ? toupper(c) : tolower(c);
		else if (at)
			c = alnum && !in_word && first_word ? toupper(c) : tolower(c);
		else
			c = tolower(c);
		if (!alnum && in_word)
			first_word = false;
		in_word = alnum;
		b->data[i] = (unsigned char)c;
	}
}

/* Runs the body of ~{...~} over the arguments in `items`. */
static int iterate(struct fmt *f, const struct directive *d, size_t body, size_t body_end, lv items,
		   bool at_least_once)
{
	int64_t max = iparam(f, d, 0, INT64_MAX);
	struct fmt sub = *f;
	lv vec;
	if (d->at) {
		sub.args = f->args;
		sub.nargs = f->nargs;
		sub.argi = f->argi;
		vec = NULL;
	} else {
		if (!lisp_listp(items))
			lisp_type_error(f->ctx, items, "list");
		size_t n = lisp_list_length(items);
		vec = lisp_make_vector(f->ctx, n, LISP_NIL);
		size_t i = 0;
		for (lv l = items; lisp_consp(l) && i < n; l = lisp_cdr(l))
			lisp_vector_data(vec)[i++] = lisp_car(l);
		sub.args = lisp_vector_data(vec);
		sub.nargs = (int)n;
		sub.argi = 0;
	}
	for (int64_t it = 0; it < max; it++) {
		lisp_tick(f->ctx);
		if (sub.argi >= sub.nargs && !(at_least_once && it == 0))
			break;
		if (d->colon) {
			/* each argument is the argument list of one step */
			lv step = sub.args[sub.argi++];
			if (!lisp_listp(step))
				lisp_type_error(f->ctx, step, "list");
			struct fmt one = sub;
			size_t n = lisp_list_length(step);
			lv sv = lisp_make_vector(f->ctx, n, LISP_NIL);
			size_t i = 0;
			for (lv l = step; lisp_consp(l) && i < n; l = lisp_cdr(l))
				lisp_vector_data(sv)[i++] = lisp_car(l);
			one.args = lisp_vector_data(sv);
			one.nargs = (int)n;
			one.argi = 0;
			int r = run(&one, body, body_end);
			if (r == 2)
				break; /* ~:^ */
		} else {
			int r = run(&sub, body, body_end);
			if (r)
				break;
		}
	}
	if (d->at)
		f->argi = sub.argi;
	(void)vec;
	return 0;
}

/* Returns 0, or 1 when ~^ ended the enclosing construct (2 for ~:^). */
static int run(struct fmt *f, size_t pos, size_t end)
{
	struct lisp_ctx *ctx = f->ctx;
	if (++f->depth > 50)
		ferr(f, "directives nested too deeply");
	while (pos < end) {
		if (f->s[pos] != '~') {
			const char *t = memchr(f->s + pos, '~', end - pos);
			size_t n = t ? (size_t)(t - (f->s + pos)) : end - pos;
			buf_append(f->out, f->s + pos, n);
			pos += n;
			continue;
		}
		struct directive d;
		pos = parse_directive(f, pos, end, &d);
		lisp_tick(ctx);
		switch (d.ch) {
		case 'A':
			print_arg(f, &d, next_arg(f), false);
			break;
		case 'S':
		case 'W':
			print_arg(f, &d, next_arg(f), true);
			break;
		case 'D':
			print_integer(f, &d, next_arg(f), 10);
			break;
		case 'B':
			print_integer(f, &d, next_arg(f), 2);
			break;
		case 'O':
			print_integer(f, &d, next_arg(f), 8);
			break;
		case 'X':
			print_integer(f, &d, next_arg(f), 16);
			break;
		case 'R': {
			int64_t radix = iparam(f, &d, 0, -1);
			if (radix < 2 || radix > 36)
				ferr(f, "~R without a radix (English or Roman numerals) is not "
					"supported");
			print_integer(f, &d, next_arg(f), (unsigned)radix);
			break;
		}
		case 'C': {
			lv c = next_arg(f);
			if (!lisp_charp(c))
				lisp_type_error(ctx, c, "character");
			const char *name = lisp_char_name(lisp_char_code(c));
			if (d.at)
				lisp_prin(ctx, f->out, c, true);
			else if (d.colon && name)
				buf_puts(f->out, name);
			else
				lisp_prin(ctx, f->out, c, false);
			break;
		}
		case 'F':
		case '$':
		case 'G':
			print_fixed(f, &d, next_arg(f));
			break;
		case 'E':
			print_exponential(f, &d, next_arg(f));
			break;
		case '%':
			pad(f->out, '\n',
			    iparam(f, &d, 0, 1) > 10000 ? 10000 : iparam(f, &d, 0, 1));
			break;
		case '&': {
			int64_t n = iparam(f, &d, 0, 1);
			if (n > 0 && column(f) != 0)
				buf_putc(f->out, '\n');
			pad(f->out, '\n', MIN(n - 1, 10000));
			break;
		}
		case '|':
			pad(f->out, '\f', MIN(iparam(f, &d, 0, 1), 10000));
			break;
		case '~':
			pad(f->out, '~', MIN(iparam(f, &d, 0, 1), 10000));
			break;
		case '\n':
			if (d.at)
				buf_putc(f->out, '\n');
			if (!d.colon)
				while (pos < end && (f->s[pos] == ' ' || f->s[pos] == '\t' ||
						     f->s[pos] == '\n' || f->s[pos] == '\r'))
					pos++;
			break;
		case 'T': {
			int64_t a = iparam(f, &d, 0, 1), b = iparam(f, &d, 1, 1);
			if (a > 10000 || b > 10000 || a < 0 || b < 0)
				ferr(f, "bad parameters for ~T");
			int64_t col = column(f);
			if (d.at) {
				pad(f->out, ' ', a);
				col += a;
				if (b > 1 && col % b)
					pad(f->out, ' ', b - col % b);
			} else if (col < a) {
				pad(f->out, ' ', a - col);
			} else if (b > 0) {
				pad(f->out, ' ', b - (col - a) % b);
			}
			break;
		}
		case 'P': {
			if (d.colon) {
				if (f->argi == 0)
					ferr(f, "~:P has no previous argument");
				f->argi--;
			}
			lv a = next_arg(f);
			bool one = lisp_eql(a, lisp_fixnum(1));
			buf_puts(f->out, d.at ? (one ? "y" : "ies") : (one ? "" : "s"));
			break;
		}
		case '*': {
			int64_t n = iparam(f, &d, 0, d.at ? 0 : 1);
			int64_t to = d.at ? n : d.colon ? f->argi - n : f->argi + n;
			if (to < 0 || to > f->nargs)
				ferr(f, "~* moved outside the arguments");
			f->argi = (int)to;
			break;
		}
		case '?': {
			lv control = next_arg(f);
			if (!lisp_stringp(control))
				lisp_type_error(ctx, control, "string");
			struct fmt sub = *f;
			sub.s = lisp_str(control);
			if (d.at) {
				int r = run(&sub, 0, STR(control)->len);
				f->argi = sub.argi;
				(void)r;
			} else {
				lv list = next_arg(f);
				size_t n = lisp_list_length(lisp_arg_list(ctx, list)), i = 0;
				lv vec = lisp_make_vector(ctx, n, LISP_NIL);
				for (lv l = list; lisp_consp(l) && i < n; l = lisp_cdr(l))
					lisp_vector_data(vec)[i++] = lisp_car(l);
				sub.args = lisp_vector_data(vec);
				sub.nargs = (int)n;
				sub.argi = 0;
				run(&sub, 0, STR(control)->len);
			}
			break;
		}
		case '^': {
			bool stop;
			if (d.nparams >= 2)
				stop = iparam(f, &d, 0, 0) == iparam(f, &d, 1, 0);
			else if (d.nparams == 1)
				stop = iparam(f, &d, 0, 0) == 0;
			else
				stop = f->argi >= f->nargs;
			if (stop) {
				f->depth--;
				return d.colon ? 2 : 1;
			}
			break;
		}
		case '{': {
			struct directive cl;
			find_close(f, pos, end, '}', &cl, NULL, NULL, NULL);
			size_t body = pos, body_end = cl.start;
			pos = cl.end;
			struct fmt use = *f;
			lv control = NULL;
			if (body == body_end) {
				control = next_arg(f);
				if (!lisp_stringp(control))
					lisp_type_error(ctx, control, "string");
			}
			lv items = d.at ? LISP_NIL : next_arg(f);
			if (control) {
				use.s = lisp_str(control);
				body = 0;
				body_end = STR(control)->len;
			}
			use.argi = f->argi;
			iterate(&use, &d, body, body_end, items, cl.colon);
			f->argi = use.argi;
			break;
		}
		case '[': {
			struct directive cl;
			size_t seps[64];
			int nseps;
			bool def = false;
			find_close(f, pos, end, ']', &cl, seps, &nseps, &def);
			int nclauses = nseps / 2 + 1;
			size_t cs[33], ce[33];
			for (int i = 0; i < nclauses; i++) {
				cs[i] = i == 0 ? pos : seps[2 * i - 1];
				ce[i] = i == nclauses - 1 ? cl.start : seps[2 * i];
			}
			pos = cl.end;
			int pick = -1;
			if (d.at) {
				lv a = next_arg(f);
				if (a != LISP_NIL) {
					f->argi--;
					pick = 0;
				}
			} else if (d.colon) {
				pick = next_arg(f) != LISP_NIL ? 1 : 0;
				if (nclauses != 2)
					ferr(f, "~:[ needs exactly two clauses");
			} else {
				int64_t k;
				if (d.nparams && d.params[0])
					k = iparam(f, &d, 0, 0);
				else {
					lv a = next_arg(f);
					if (!lisp_integerp(a) || !lisp_int_to_i64(a, &k))
						lisp_type_error(ctx, a, "integer");
				}
				if (k >= 0 && k < nclauses - (def ? 1 : 0))
					pick = (int)k;
				else if (def)
					pick = nclauses - 1;
			}
			if (pick >= 0 && run(f, cs[pick], ce[pick])) {
				f->depth--;
				return 1;
			}
			break;
		}
		case '(': {
			struct directive cl;
			find_close(f, pos, end, ')', &cl, NULL, NULL, NULL);
			size_t from = f->out->len;
			int r = run(f, pos, cl.start);
			case_convert(f->out, from, d.colon, d.at);
			pos = cl.end;
			if (r) {
				f->depth--;
				return r;
			}
			break;
		}
		case ';':
		case '}':
		case ']':
		case ')':
			ferr(f, "~%c without its opening directive", d.ch);
		case '_':
		case 'I':
			break; /* pretty-printing newlines and indentation: not pretty-printing */
		case '<':
			ferr(f, "~< justification is not supported");
		default:
			ferr(f, "unknown directive ~%c", f->s[d.end - 1]);
		}
	}
	f->depth--;
	return 0;
}

void lisp_format(struct lisp_ctx *ctx, struct buf *out, lv control, int argc, lv *argv,
		 uint32_t start_col)
{
	struct fmt f = {
		.ctx = ctx,
		.out = out,
		.out_start = out->len,
		.col_base = start_col,
		.s = lisp_str(control),
		.args = argv,
		.nargs = argc,
	};
	run(&f, 0, STR(control)->len);
}
