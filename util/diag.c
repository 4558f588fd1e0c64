/* Source manager and diagnostic printing in clang's format. */
#include "util/diag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint32_t srcmgr_add(struct srcmgr *sm, const char *path, const char *text, size_t len)
{
	struct src_file *f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	if (text) {
		f->text = xmalloc(len + 1);
		memcpy(f->text, text, len);
		f->text[len] = 0;
		f->len = len;
	}
	vec_push(&sm->files, f);
	return sm->files.len;
}

uint32_t srcmgr_load(struct srcmgr *sm, const char *path)
{
	for (uint32_t i = 0; i < sm->files.len; i++)
		if (!strcmp(sm->files.data[i]->path, path) && strcmp(path, "-"))
			return i + 1;
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!fp)
		return 0;
	struct buf b = { 0 };
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_append(&b, tmp, n);
	int err = ferror(fp) ? EIO : 0;
	if (fp != stdin)
		fclose(fp);
	if (err) {
		buf_free(&b);
		errno = err;
		return 0;
	}
	uint32_t id = srcmgr_add(sm, path, (const char *)(b.data ? b.data : (unsigned char *)""),
				 b.len);
	buf_free(&b);
	return id;
}

struct src_file *srcmgr_file(const struct srcmgr *sm, uint32_t id)
{
	if (!sm || id == 0 || id > sm->files.len)
		return NULL;
	return sm->files.data[id - 1];
}

static void index_lines(struct src_file *f)
{
	uint32_t n = 1;
	for (size_t i = 0; i < f->len; i++)
		n += f->text[i] == '\n';
	f->line_start = xmalloc(sizeof(uint32_t) * (n + 1));
	f->line_start[0] = 0;
	uint32_t k = 1;
	for (size_t i = 0; i < f->len; i++)
		if (f->text[i] == '\n')
			f->line_start[k++] = (uint32_t)i + 1;
	f->nlines = n;
}

const char *srcmgr_line(const struct srcmgr *sm, uint32_t id, uint32_t line, size_t *len)
{
	struct src_file *f = srcmgr_file(sm, id);
	if (!f || !f->text || line == 0)
		return NULL;
	if (!f->line_start)
		index_lines(f);
	if (line > f->nlines)
		return NULL;
	const char *s = f->text + f->line_start[line - 1];
	const char *e = memchr(s, '\n', (size_t)(f->text + f->len - s));
	size_t n = e ? (size_t)(e - s) : (size_t)(f->text + f->len - s);
	if (n && s[n - 1] == '\r')
		n--;
	*len = n;
	return s;
}

void srcmgr_free(struct srcmgr *sm)
{
	vec_foreach(&sm->files, f)
	{
		free((*f)->path);
		free((*f)->text);
		free((*f)->line_start);
		free(*f);
	}
	vec_free(&sm->files);
}

void diag_init(struct diag *d, struct srcmgr *sm)
{
	memset(d, 0, sizeof(*d));
	d->sm = sm;
	d->out = stderr;
	d->tool = "whistler";
	d->error_limit = 20;
}

static void emit(struct diag *d, const char *s, size_t n)
{
	if (d->capture)
		buf_append(d->capture, s, n);
	else
		fwrite(s, 1, n, d->out ? d->out : stderr);
}

static const char *const level_name[] = {
	[DIAG_NOTE] = "note", [DIAG_HINT] = "hint", [DIAG_WARNING] = "warning",
	[DIAG_ERROR] = "error", [DIAG_FATAL] = "fatal error",
};

/* The line with a gutter and a caret under the column, as clang 19 prints it. */
static void caret(struct diag *d, struct buf *b, struct srcloc loc)
{
	size_t n;
	const char *s = srcmgr_line(d->sm, loc.file, loc.line, &n);
	if (!s)
		return;
	buf_printf(b, "%5u | ", loc.line);
	for (size_t i = 0; i < n; i++)
		buf_putc(b, s[i] == '\t' ? ' ' : s[i]);
	buf_puts(b, "\n      | ");
	for (uint32_t i = 1; i < loc.col && i <= n; i++)
		buf_putc(b, ' ');
	buf_puts(b, "^\n");
}

void diag_vreport(struct diag *d, enum diag_level lvl, struct srcloc loc, const char *fmt,
		  va_list ap)
{
	if (lvl == DIAG_WARNING && d->werror)
		lvl = DIAG_ERROR;
	if ((lvl == DIAG_NOTE || lvl == DIAG_HINT) && d->suppress_notes)
		return;
	d->suppress_notes = false;
	if (lvl >= DIAG_ERROR) {
		if (d->limit_reached) {
			d->suppress_notes = true;
			return;
		}
		d->errors++;
	} else if (lvl == DIAG_WARNING) {
		d->warnings++;
	}

	struct buf b = { 0 };
	if (lvl == DIAG_HINT) {
		buf_puts(&b, "hint: ");
		buf_vprintf(&b, fmt, ap);
		buf_putc(&b, '\n');
		emit(d, (const char *)b.data, b.len);
		buf_free(&b);
		return;
	}
	struct src_file *f = srcmgr_file(d->sm, loc.file);
	if (f) {
		buf_puts(&b, f->path);
		if (loc.line) {
			buf_printf(&b, ":%u", loc.line);
			if (loc.col)
				buf_printf(&b, ":%u", loc.col);
		}
		buf_puts(&b, ": ");
	} else if (d->tool) {
		buf_printf(&b, "%s: ", d->tool);
	}
	buf_printf(&b, "%s: ", level_name[lvl]);
	buf_vprintf(&b, fmt, ap);
	buf_putc(&b, '\n');
	if (f && loc.line && loc.col && !d->no_caret)
		caret(d, &b, loc);
	if (lvl >= DIAG_ERROR && d->error_limit && d->errors >= d->error_limit) {
		d->limit_reached = true;
		buf_printf(&b, "%s: fatal error: too many errors emitted, stopping now "
			       "[-ferror-limit=]\n",
			   d->tool ? d->tool : "whistler");
	}
	emit(d, (const char *)b.data, b.len);
	buf_free(&b);
}

#define REPORT(lvl)                                                                                \
	va_list ap;                                                                                \
	va_start(ap, fmt);                                                                         \
	diag_vreport(d, lvl, loc, fmt, ap);                                                        \
	va_end(ap)

void diag_error(struct diag *d, struct srcloc loc, const char *fmt, ...)
{
	REPORT(DIAG_ERROR);
}

void diag_warning(struct diag *d, struct srcloc loc, const char *fmt, ...)
{
	REPORT(DIAG_WARNING);
}

void diag_note(struct diag *d, struct srcloc loc, const char *fmt, ...)
{
	REPORT(DIAG_NOTE);
}

void diag_hint(struct diag *d, const char *fmt, ...)
{
	struct srcloc loc = { 0 };
	REPORT(DIAG_HINT);
}

const char *diag_suggest(const char *name, const char *const *cands, size_t n)
{
	const char *best = NULL;
	unsigned bestd = ~0u;
	for (size_t i = 0; i < n; i++) {
		unsigned dist = w_edit_distance(name, cands[i]);
		if (dist < bestd) {
			bestd = dist;
			best = cands[i];
		}
	}
	size_t len = strlen(name);
	unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	return bestd <= limit ? best : NULL;
}
