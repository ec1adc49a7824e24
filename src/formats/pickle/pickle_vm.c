/*
 * pickle_vm.c - streaming opcode decoder and bounded symbolic VM.
 *
 * The VM mirrors CPython's C unpickler: a stack with mark fences, a memo,
 * linear opcode reading (FRAME only checked, like the C implementation).
 * Values are symbolic: scalars, strings with a short kept prefix (and their
 * offset when their bytes are raw in the stream), containers with their
 * first few items, references to imported objects ("REF": a dotted
 * qualified name) and call results. Calls through getattr, attrgetter,
 * methodcaller, partial, reduce, import_module, resolve_name and the like
 * are followed according to the semantic column of the policy table.
 */
#include "formats/pickle/pickle_vm.h"

#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "formats/pickle/pickle.h"
#include "formats/pickle/pickle_policy.h"

#define PK_CHUNK (64u * 1024u)      /* window size asked from the reader */
#define PK_PFX 256u                 /* prefix kept of raw strings/bytes */
#define PK_PFX_BIG (64u * 1024u)    /* prefix kept of escaped (protocol 0) strings */
#define PK_PFX_BUDGET (32u << 20)   /* live prefix bytes before falling back to PK_PFX */
#define PK_FULL_MAX (16u << 20)     /* largest embedded blob decoded (nested pickle, base64) */
#define PK_DECODE_BUDGET (64u << 20) /* embedded bytes decoded per stream beyond twice its size */
#define PK_KEEP 16u                 /* container items kept for evidence */
#define PK_SEEN_CAP 8192u           /* distinct globals tracked per stream */
#define PK_EV_MAX 240u              /* evidence length */
#define PK_CALL_DEPTH 8             /* nested symbolic call resolution */
#define PK_SPARSE_MAX (1u << 16)    /* memo entries outside the dense window */
#define PK_MINOR_MAX 64u            /* unknown/low globals listed per stream */
#define PK_RULE_MAX 100u            /* findings per rule per stream */
#define PK_NRULES 10

void pk_bounds_default(pk_bounds *b) {
    b->max_ops = 0; /* 0 = take ctx limits, else unlimited */
    b->max_stack = 1u << 18;
    b->max_marks = 1u << 20;
    b->max_memo = 1u << 18;
    b->max_values = 1u << 20;
    b->max_nested = 3;
}

enum {
    V_NONE, V_BOOL, V_INT, V_BIGINT, V_FLOAT, V_STR, V_BYTES, V_TUPLE, V_LIST, V_DICT, V_SET,
    V_FROZENSET, V_REF, V_CALL, V_PERSID, V_EXT, V_BUF, V_UNKNOWN
};
/* F_NEWOBJ: made by INST/OBJ/NEWOBJ/NEWOBJ_EX; F_TYPEINST: made by NEWOBJ/NEWOBJ_EX,
 * which the unpickler only runs on a type (cls.__new__(cls, ...)): an instance of it */
enum { F_RAW = 1, F_NEWOBJ = 2, F_LIVE = 4, F_BYTEARRAY = 8, F_INLINE = 16, F_GLOBALNAME = 32, F_BIGKIDS = 64,
       F_TYPEINST = 128 };
#define PK_SMALL 4 /* first item array size; grows to PK_KEEP */
#define PK_INLINE 24 /* strings shorter than this live inside the value */

typedef struct pv {
    uint32_t rc;
    uint8_t kind;
    uint8_t flags;
    uint16_t nkids;
    uint32_t tlen;      /* kept text bytes */
    uint64_t n;         /* full length (str/bytes) or item count (containers) */
    union {
        int64_t i;
        double f;
        uint64_t src;   /* F_RAW: offset of the bytes in the reader */
        uint64_t mlen;  /* V_REF: length of the module part of text (0 = unknown root) */
    } u;
    char *text;         /* str/bytes prefix, or V_REF qualified name; NUL-terminated */
    struct pv **kids;   /* containers: first items; V_CALL: callee, args, kwargs; V_PERSID: pid */
    char inl[PK_INLINE];
} pv;

#define SLAB 4096u

typedef struct seen {
    char *qual;
    uint32_t mlen;
    uint32_t hash;
    pk_verdict v;
    bool reported;
    uint64_t off;
    /* getattr-like globals: times pushed on the stack, and times called with a
     * target that resolves to a judged global (see getattr_target) */
    uint32_t pushes, resolved;
    /* a name reached through a resolved getattr/_ufunc_reconstruct (1/2): calling
     * it while loading is reported as the call it is (bound methods and enum
     * members are never called by benign pickles) */
    uint8_t via;
    bool via_reported;
    bool walk_reported; /* a called method walk through an allowlisted class was reported */
} seen;

typedef struct memo_slot {
    uint64_t key1; /* key + 1; 0 = empty */
    pv *v;
} memo_slot;

typedef struct vm {
    pk_run *run;
    wt_ctx *ctx;
    /* input */
    wt_reader *r;
    uint64_t pos, end;
    const uint8_t *win;
    uint64_t woff;
    size_t wlen;
    /* frames */
    bool in_frame;
    uint64_t frame_end;
    bool frame_reported;
    /* state */
    pv **stack;          /* physical slots for virtual indices [sbase, sp) */
    uint32_t sp, sbase, scap;
    uint32_t *marks;
    uint32_t mp, mcap;
    uint64_t marks_elided; /* oldest marks dropped past max_marks (they still fence the stack for CPython) */
    memo_slot *memo;     /* sparse keys */
    uint32_t mhcap, nhash;
    pv **dense;          /* keys [dbase, dbase + dcap): picklers number from 0 */
    uint64_t dbase;
    uint32_t dcap;
    uint64_t mlogical;   /* len(memo) as the unpickler sees it (MEMOIZE key) */
    bool memo_evicted;
    /* value pool */
    pv **slabs;
    size_t nslabs;
    pv *freelist;
    pv **kfree;          /* recycled item arrays (PK_SMALL slots) */
    pv **kfree_big;      /* recycled item arrays (PK_KEEP slots) */
    uint32_t live;
    uint64_t pfx_live;
    pv **work;           /* unref worklist */
    size_t nwork, capwork;
    /* globals */
    seen *seen;
    uint32_t nseen, seencap;
    bool ext_reported, build_reported;
    uint64_t decoded;      /* embedded bytes decoded so far (PK_DECODE_BUDGET) */
    bool decode_reported;
    uint32_t nminor;                /* unknown/low globals reported or counted */
    uint32_t nemitted[PK_NRULES], nsuppressed[PK_NRULES];
    wt_severity supp_sev[PK_NRULES];
    uint64_t supp_off[PK_NRULES];
    uint64_t minor_first_dropped;
    /* status */
    bool failed, limited;
    int proto;
    wt_buf line;
} vm;

/* ---------------- findings ---------------- */

static uint64_t rep_off(vm *m, uint64_t off) {
    return m->run->fixed_offset ? m->run->report_base : m->run->report_base + off;
}

static void emit(vm *m, const char *rule, wt_severity sev, uint64_t off, const char *evidence, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
struct pk_dedupe {
    wt_vec keys;
};

pk_dedupe *pk_dedupe_new(void) { return wt_xcalloc(1, sizeof(pk_dedupe)); }

void pk_dedupe_free(pk_dedupe *d) {
    if (!d) return;
    wt_vec_free(&d->keys, free);
    free(d);
}

/* true if key was already there (else adds it) */
static bool dedupe_seen(pk_dedupe *d, char *key) {
    for (size_t i = 0; i < d->keys.len; i++)
        if (strcmp(d->keys.items[i], key) == 0) { free(key); return true; }
    if (d->keys.len < 4096) wt_vec_push(&d->keys, key);
    else free(key);
    return false;
}

static void emit(vm *m, const char *rule, wt_severity sev, uint64_t off, const char *evidence, const char *fmt, ...) {
    if (!m->ctx) return;
    /* per-rule cap: a crafted stream must not flood the report */
    bool ours = strncmp(rule, "WT-PICKLE-00", 12) == 0; /* rule[12] exists only then */
    int ri = ours && rule[12] >= '0' && rule[12] <= '9' ? rule[12] - '0' : 0; /* WT-PICKLE-00N */
    if (ours && ri > 0 && ri < PK_NRULES) {
        if (m->nemitted[ri] >= PK_RULE_MAX) {
            m->nsuppressed[ri]++;
            wt_severity s2 = sev ? sev : WT_SEV_MEDIUM;
            if (s2 > m->supp_sev[ri]) m->supp_sev[ri] = s2;
            if (!m->supp_off[ri]) m->supp_off[ri] = off;
            return;
        }
        m->nemitted[ri]++;
    }
    if (m->run->dedupe) {
        char *key = evidence ? wt_xasprintf("%s|%s", rule, evidence)
                             : wt_xasprintf("%s|@%llu", rule, (unsigned long long)off);
        if (dedupe_seen(m->run->dedupe, key)) return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = wt_xvasprintf(fmt, ap);
    va_end(ap);
    wt_location loc = wt_loc_offset(rep_off(m, off));
    wt_emit(m->ctx, rule, sev, &loc, evidence, "%s%s", m->run->note ? m->run->note : "", msg);
    m->run->findings++;
    free(msg);
}

static void fail(vm *m, uint64_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(vm *m, uint64_t off, const char *fmt, ...) {
    if (m->failed || m->limited) return;
    m->failed = true;
    m->run->err_off = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->run->err, sizeof m->run->err, fmt, ap);
    va_end(ap);
}

static void limit(vm *m, const char *what, uint64_t value, uint64_t lim) {
    if (m->failed || m->limited) return;
    m->limited = true;
    if (m->ctx) wt_emit_limit(m->ctx, what, value, lim);
}

/* ---------------- input ---------------- */

/* Pointer to n bytes at pos, advancing pos; NULL (and failure) at EOF. */
static const uint8_t *in_get(vm *m, size_t n) {
    if (m->pos >= m->woff && m->pos + n <= m->woff + m->wlen) {
        const uint8_t *p = m->win + (m->pos - m->woff);
        m->pos += n;
        return p;
    }
    uint64_t avail = m->end - m->pos;
    if (n > avail) {
        fail(m, m->pos, "truncated stream: %zu byte(s) needed at offset %llu, %llu left", n,
             (unsigned long long)m->pos, (unsigned long long)avail);
        return NULL;
    }
    size_t want = avail < PK_CHUNK ? (size_t)avail : PK_CHUNK;
    if (want < n) want = n;
    const uint8_t *w = wt_reader_view(m->r, m->pos, want);
    if (!w) {
        fail(m, m->pos, "read error at offset %llu", (unsigned long long)m->pos);
        return NULL;
    }
    m->win = w;
    m->woff = m->pos;
    m->wlen = want;
    m->pos += n;
    return w;
}

static void in_invalidate(vm *m) { m->wlen = 0; m->win = NULL; }

static bool in_skip(vm *m, uint64_t n) {
    if (n > m->end - m->pos) {
        fail(m, m->pos, "truncated stream: argument of %llu bytes runs past the end", (unsigned long long)n);
        return false;
    }
    m->pos += n;
    return true;
}

/* Read a protocol-0 line (without '\n') into m->line, keeping at most
 * `keep` bytes; *full gets the full length. */
static bool in_line(vm *m, size_t keep, uint64_t *full) {
    m->line.len = 0;
    if (m->line.data) m->line.data[0] = 0;
    uint64_t total = 0;
    for (;;) {
        if (m->pos >= m->end) {
            fail(m, m->pos, "truncated stream: unterminated line argument");
            return false;
        }
        if (!(m->pos >= m->woff && m->pos < m->woff + m->wlen)) {
            uint64_t avail = m->end - m->pos;
            size_t want = avail < PK_CHUNK ? (size_t)avail : PK_CHUNK;
            const uint8_t *w = wt_reader_view(m->r, m->pos, want);
            if (!w) {
                fail(m, m->pos, "read error at offset %llu", (unsigned long long)m->pos);
                return false;
            }
            m->win = w;
            m->woff = m->pos;
            m->wlen = want;
        }
        const uint8_t *p = m->win + (m->pos - m->woff);
        size_t avail = (size_t)(m->woff + m->wlen - m->pos);
        const uint8_t *nl = memchr(p, '\n', avail);
        size_t take = nl ? (size_t)(nl - p) : avail;
        if (m->line.len < keep) {
            size_t k = keep - m->line.len;
            wt_buf_append(&m->line, p, take < k ? take : k);
        }
        total += take;
        m->pos += take;
        if (nl) {
            m->pos += 1;
            *full = total;
            return true;
        }
        if (m->ctx && wt_ctx_expired(m->ctx)) { /* the core reports the budget */
            m->limited = true;
            return false;
        }
    }
}

/* ---------------- values ---------------- */

/* Item arrays have PK_SMALL or PK_KEEP slots and are recycled through two
 * free lists (a container per tuple would otherwise cost malloc/free). */
static pv **kids_alloc(vm *m, bool big) {
    pv ***fl = big ? &m->kfree_big : &m->kfree;
    pv **k = *fl;
    size_t n = big ? PK_KEEP : PK_SMALL;
    if (k) {
        *fl = (pv **)k[0];
        memset(k, 0, n * sizeof *k);
        return k;
    }
    return wt_xcalloc(n, sizeof *k);
}

static void kids_free(vm *m, pv **k, bool big) {
    if (!k) return;
    pv ***fl = big ? &m->kfree_big : &m->kfree;
    k[0] = (pv *)*fl;
    *fl = k;
}

static void memo_evict_window(vm *m);
static void stack_elide(vm *m);

static pv *v_new(vm *m, int kind) {
    if (m->live >= m->run->bounds.max_values && m->dense) memo_evict_window(m);
    for (int i = 0; i < 4 && m->live >= m->run->bounds.max_values && m->sp - m->sbase > 1; i++) stack_elide(m);
    if (m->live >= m->run->bounds.max_values) {
        limit(m, "pickle symbolic values", m->live, m->run->bounds.max_values);
        return NULL;
    }
    if (!m->freelist) {
        pv *slab = wt_xcalloc(SLAB, sizeof *slab);
        m->slabs = wt_xrealloc(m->slabs, (m->nslabs + 1) * sizeof *m->slabs);
        m->slabs[m->nslabs++] = slab;
        for (size_t i = SLAB; i-- > 0;) {
            slab[i].kids = (pv **)m->freelist;
            m->freelist = &slab[i];
        }
    }
    pv *v = m->freelist;
    m->freelist = (pv *)v->kids;
    memset(v, 0, offsetof(pv, inl));
    v->rc = 1;
    v->kind = (uint8_t)kind;
    v->flags = F_LIVE;
    m->live++;
    return v;
}

static pv *v_ref(pv *v) {
    if (v) v->rc++;
    return v;
}

static void v_release_one(vm *m, pv *v) {
    for (uint16_t i = 0; i < v->nkids; i++) {
        if (v->kids[i]) {
            if (m->nwork == m->capwork) {
                m->capwork = m->capwork ? m->capwork * 2 : 64;
                m->work = wt_xrealloc(m->work, m->capwork * sizeof *m->work);
            }
            m->work[m->nwork++] = v->kids[i];
        }
    }
    if (v->text) {
        if (v->kind == V_STR || v->kind == V_BYTES) m->pfx_live -= v->tlen;
        if (!(v->flags & F_INLINE)) free(v->text);
    }
    kids_free(m, v->kids, v->flags & F_BIGKIDS);
    v->text = NULL;
    v->flags = 0;
    v->kids = (pv **)m->freelist;
    m->freelist = v;
    m->live--;
}

static void v_unref(vm *m, pv *v) {
    if (!v || --v->rc > 0) return;
    size_t base = m->nwork;
    v_release_one(m, v);
    while (m->nwork > base) {
        pv *k = m->work[--m->nwork];
        if (--k->rc == 0) v_release_one(m, k);
    }
}

static void v_set_text(vm *m, pv *v, const void *p, size_t n) {
    if (n < PK_INLINE) {
        v->text = v->inl;
        v->flags |= F_INLINE;
    } else {
        v->text = wt_xmalloc(n + 1);
    }
    if (n) memcpy(v->text, p, n);
    v->text[n] = 0;
    v->tlen = (uint32_t)n;
    if (v->kind == V_STR || v->kind == V_BYTES) m->pfx_live += n;
}

static bool v_complete(const pv *v) {
    return (v->kind == V_STR || v->kind == V_BYTES) && v->text && v->tlen == v->n;
}

/* Add an item to a container, keeping only the first PK_KEEP. */
static void c_add(vm *m, pv *c, pv *item) {
    c->n++;
    if (c->nkids < PK_KEEP && item) {
        if (!c->kids) {
            c->kids = kids_alloc(m, false);
        } else if (c->nkids == PK_SMALL && !(c->flags & F_BIGKIDS)) {
            pv **big = kids_alloc(m, true);
            memcpy(big, c->kids, PK_SMALL * sizeof *big);
            kids_free(m, c->kids, false);
            c->kids = big;
            c->flags |= F_BIGKIDS;
        }
        c->kids[c->nkids++] = item;
    } else {
        v_unref(m, item);
    }
}

static pv *kid(const pv *c, size_t i) {
    if (!c || (c->kind != V_TUPLE && c->kind != V_LIST) || i >= c->nkids) return NULL;
    return c->kids[i];
}

static const char *str_of(const pv *v) { return v && v_complete(v) && v->kind == V_STR ? v->text : NULL; }

/* ---------------- rendering (evidence) ---------------- */

static void r_str(wt_buf *b, const pv *v) {
    if (v->kind == V_BYTES) wt_buf_putc(b, 'b');
    wt_buf_putc(b, '\'');
    size_t n = v->tlen < 48 ? v->tlen : 48;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v->text[i];
        if (c == '\'' || c == '\\') {
            wt_buf_putc(b, '\\');
            wt_buf_putc(b, (char)c);
        } else if (c >= 0x20 && c < 0x7f) {
            wt_buf_putc(b, (char)c);
        } else if (c >= 0x80 && v->kind == V_STR) {
            wt_buf_putc(b, (char)c);
        } else {
            wt_buf_printf(b, "\\x%02x", c);
        }
    }
    wt_buf_putc(b, '\'');
    if (v->n > n) wt_buf_printf(b, "...(%llu bytes)", (unsigned long long)v->n);
}

static void render(wt_buf *b, const pv *v, int depth);

static void r_items(wt_buf *b, const pv *v, size_t from, int depth, bool dict) {
    for (size_t i = from; i < v->nkids; i++) {
        if (b->len > PK_EV_MAX) break;
        if (i > from) wt_buf_puts(b, dict && ((i - from) & 1) ? ": " : ", ");
        render(b, v->kids[i], depth + 1);
    }
    size_t shown = v->nkids - from;
    if (v->n > shown && !dict) wt_buf_puts(b, ", ...");
    if (dict && v->n * 2 > shown) wt_buf_puts(b, ", ...");
}

static void render(wt_buf *b, const pv *v, int depth) {
    if (b->len > PK_EV_MAX) return;
    if (!v) { wt_buf_puts(b, "?"); return; }
    if (depth > 4) { wt_buf_puts(b, "..."); return; }
    switch (v->kind) {
    case V_NONE: wt_buf_puts(b, "None"); break;
    case V_BOOL: wt_buf_puts(b, v->u.i ? "True" : "False"); break;
    case V_INT: wt_buf_printf(b, "%lld", (long long)v->u.i); break;
    case V_BIGINT: wt_buf_printf(b, "<int of %llu bytes>", (unsigned long long)v->n); break;
    case V_FLOAT: wt_buf_printf(b, "%g", v->u.f); break;
    case V_STR:
    case V_BYTES:
        if (v->flags & F_BYTEARRAY) wt_buf_puts(b, "bytearray(");
        r_str(b, v);
        if (v->flags & F_BYTEARRAY) wt_buf_putc(b, ')');
        break;
    case V_TUPLE: wt_buf_putc(b, '('); r_items(b, v, 0, depth, false); if (v->n == 1) wt_buf_putc(b, ','); wt_buf_putc(b, ')'); break;
    case V_LIST: wt_buf_putc(b, '['); r_items(b, v, 0, depth, false); wt_buf_putc(b, ']'); break;
    case V_DICT: wt_buf_putc(b, '{'); r_items(b, v, 0, depth, true); wt_buf_putc(b, '}'); break;
    case V_SET: case V_FROZENSET:
        wt_buf_puts(b, v->kind == V_SET ? "{" : "frozenset({"); r_items(b, v, 0, depth, false);
        wt_buf_puts(b, v->kind == V_SET ? "}" : "})"); break;
    case V_REF: wt_buf_puts(b, v->text); break;
    case V_CALL:
        render(b, v->kids[0], depth + 1);
        wt_buf_putc(b, '(');
        if (v->kids[1] && (v->kids[1]->kind == V_TUPLE || v->kids[1]->kind == V_LIST)) r_items(b, v->kids[1], 0, depth + 1, false);
        else if (v->kids[1]) { wt_buf_putc(b, '*'); render(b, v->kids[1], depth + 1); }
        if (v->nkids > 2 && v->kids[2]) { wt_buf_puts(b, ", **"); render(b, v->kids[2], depth + 1); }
        wt_buf_putc(b, ')');
        break;
    case V_PERSID: wt_buf_puts(b, "persistent_load("); render(b, v->nkids ? v->kids[0] : NULL, depth + 1); wt_buf_putc(b, ')'); break;
    case V_EXT: wt_buf_printf(b, "copyreg.extension[%lld]", (long long)v->u.i); break;
    case V_BUF: wt_buf_puts(b, "<out-of-band buffer>"); break;
    default: wt_buf_puts(b, "?"); break;
    }
}

static char *render_str(const pv *v) {
    wt_buf b;
    wt_buf_init(&b);
    render(&b, v, 0);
    if (b.len > PK_EV_MAX + 16) {
        b.len = PK_EV_MAX;
        b.data[b.len] = 0;
        wt_buf_puts(&b, "...");
    }
    return wt_buf_steal(&b);
}

/* ---------------- stack, marks, memo ---------------- */

/* The stack is virtual: indices below sbase were elided (dropped) when it
 * outgrew max_stack. A huge tuple or a stack-filling prefix is legal for the
 * unpickler; stopping there would hide whatever follows, so the oldest half
 * is dropped instead and reads of it give unknown values. */
static pv *sat(const vm *m, uint32_t i) { return i < m->sbase ? NULL : m->stack[i - m->sbase]; }

static void stack_elide(vm *m) {
    uint32_t live = m->sp - m->sbase, half = live / 2;
    for (uint32_t i = 0; i < half; i++) v_unref(m, m->stack[i]);
    memmove(m->stack, m->stack + half, (size_t)(live - half) * sizeof *m->stack);
    m->sbase += half;
}

static void count_push(vm *m, const pv *v);

static bool push(vm *m, pv *v) {
    if (!v) return false;
    if (m->sp >= UINT32_MAX - 1) {
        limit(m, "pickle stack depth", m->sp, UINT32_MAX - 1);
        v_unref(m, v);
        return false;
    }
    if (m->sp - m->sbase >= m->run->bounds.max_stack) stack_elide(m);
    if (m->sp - m->sbase == m->scap) {
        m->scap = m->scap ? m->scap * 2 : 256;
        m->stack = wt_xrealloc(m->stack, m->scap * sizeof *m->stack);
    }
    m->stack[m->sp++ - m->sbase] = v;
    if (v->kind == V_REF) count_push(m, v);
    return true;
}

static uint32_t fence(const vm *m) { return m->mp ? m->marks[m->mp - 1] : 0; }

static pv *pop(vm *m, uint64_t off) {
    if (m->sp <= fence(m)) {
        fail(m, off, "stack underflow at offset %llu", (unsigned long long)off);
        return NULL;
    }
    if (m->sp - 1 < m->sbase) {
        m->sp--;
        m->sbase = m->sp;
        return v_new(m, V_UNKNOWN);
    }
    return m->stack[--m->sp - m->sbase];
}

static pv *top(vm *m, uint64_t off) {
    if (m->sp <= fence(m)) {
        fail(m, off, "stack underflow at offset %llu", (unsigned long long)off);
        return NULL;
    }
    if (m->sp - 1 < m->sbase) { /* materialize an elided top */
        pv *u = v_new(m, V_UNKNOWN);
        if (!u) return NULL;
        if (!m->scap) {
            m->scap = 256;
            m->stack = wt_xrealloc(m->stack, m->scap * sizeof *m->stack);
        }
        m->sbase = m->sp - 1;
        m->stack[0] = u;
    }
    return m->stack[m->sp - 1 - m->sbase];
}

static bool push_mark(vm *m) {
    if (m->mp >= m->run->bounds.max_marks) {
        /* CPython has no mark limit: stopping here would hide what follows
         * (MARK padding). Forget the oldest half like the stack does; popping an
         * elided mark later fences at the elided part of the stack. */
        if (!m->marks_elided && m->ctx) {
            wt_location loc = wt_loc_offset(rep_off(m, m->pos));
            wt_emit(m->ctx, "WT-SCAN-002", WT_SEV_NONE, &loc, NULL,
                    "Scan budget exceeded (pickle mark-stack depth, limit %llu): the oldest marks were dropped and "
                    "decoding went on", (unsigned long long)m->run->bounds.max_marks);
        }
        uint32_t half = m->mp / 2 ? m->mp / 2 : 1;
        memmove(m->marks, m->marks + half, (size_t)(m->mp - half) * sizeof *m->marks);
        m->mp -= half;
        m->marks_elided += half;
    }
    if (m->mp == m->mcap) {
        m->mcap = m->mcap ? m->mcap * 2 : 64;
        m->marks = wt_xrealloc(m->marks, m->mcap * sizeof *m->marks);
    }
    m->marks[m->mp++] = m->sp;
    return true;
}

/* Pop to the last mark: returns the index of the first item, -1 on error. */
static long pop_mark(vm *m, uint64_t off) {
    if (!m->mp && m->marks_elided) {
        m->marks_elided--;
        return (long)m->sbase;
    }
    if (!m->mp) {
        fail(m, off, "could not find MARK at offset %llu", (unsigned long long)off);
        return -1;
    }
    return (long)m->marks[--m->mp];
}

static void drop_to(vm *m, uint32_t k) {
    while (m->sp > k && m->sp > m->sbase) v_unref(m, m->stack[--m->sp - m->sbase]);
    if (m->sp > k) m->sp = k;
    if (m->sbase > m->sp) m->sbase = m->sp;
}

/* Move stack[k..sp) into container c (takes the stack's references);
 * elided items are only counted. */
static void move_items(vm *m, pv *c, uint32_t k) {
    uint32_t from = k;
    if (from < m->sbase) {
        c->n += m->sbase - from;
        from = m->sbase;
    }
    for (uint32_t i = from; i < m->sp; i++) c_add(m, c, m->stack[i - m->sbase]);
    m->sp = k;
    if (m->sbase > k) m->sbase = k;
}

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static memo_slot *hash_find(vm *m, uint64_t key) {
    if (!m->mhcap) return NULL;
    uint32_t mask = m->mhcap - 1;
    for (uint32_t i = (uint32_t)mix64(key) & mask;; i = (i + 1) & mask) {
        if (m->memo[i].key1 == key + 1) return &m->memo[i];
        if (m->memo[i].key1 == 0) return NULL;
    }
}

static void hash_insert(vm *m, uint64_t key, pv *v) {
    if ((m->nhash + 1) * 2 > m->mhcap) {
        uint32_t ncap = m->mhcap ? m->mhcap * 2 : 256;
        memo_slot *old = m->memo;
        uint32_t ocap = m->mhcap;
        m->memo = wt_xcalloc(ncap, sizeof *m->memo);
        m->mhcap = ncap;
        for (uint32_t i = 0; i < ocap; i++) {
            if (!old[i].key1) continue;
            uint32_t j = (uint32_t)mix64(old[i].key1 - 1) & (ncap - 1);
            while (m->memo[j].key1) j = (j + 1) & (ncap - 1);
            m->memo[j] = old[i];
        }
        free(old);
    }
    uint32_t mask = m->mhcap - 1;
    uint32_t i = (uint32_t)mix64(key) & mask;
    while (m->memo[i].key1) i = (i + 1) & mask;
    m->memo[i].key1 = key + 1;
    m->memo[i].v = v;
    m->nhash++;
}

static bool in_window(const vm *m, uint64_t key) { return key >= m->dbase && key - m->dbase < m->dcap; }

static pv *memo_get(vm *m, uint64_t key) {
    if (in_window(m, key)) return m->dense[key - m->dbase];
    memo_slot *s = hash_find(m, key);
    return s ? s->v : NULL;
}

static pk_sem sem_of(vm *m, const pv *callee);

/* What survives a memo eviction at a given stage: references to imported
 * objects, callables built from them by attrgetter & co, and strings that
 * already served as a STACK_GLOBAL module or name (picklers GET them again
 * for the next global of the same module). */
static bool memo_keep(vm *m, const pv *v, int stage) {
    if (!v || stage >= 2) return false;
    if (v->kind == V_REF || (v->flags & F_GLOBALNAME)) return true;
    return stage == 0 && v->kind == V_CALL && v->kids[0] && v->kids[0]->kind == V_REF && sem_of(m, v->kids[0]) != PK_SEM_NONE;
}

/* Sparse part full: drop what is not worth keeping, in stages. */
static void sparse_evict(vm *m) {
    for (int stage = 0; stage < 3 && m->nhash >= PK_SPARSE_MAX / 2; stage++) {
        memo_slot *old = m->memo;
        uint32_t ocap = m->mhcap;
        m->memo = NULL;
        m->mhcap = 0;
        m->nhash = 0;
        for (uint32_t i = 0; i < ocap; i++) {
            if (!old[i].key1) continue;
            if (memo_keep(m, old[i].v, stage)) hash_insert(m, old[i].key1 - 1, old[i].v);
            else v_unref(m, old[i].v);
        }
        free(old);
    }
    m->memo_evicted = true;
}

static void sparse_put(vm *m, uint64_t key, pv *v) {
    if (m->nhash >= PK_SPARSE_MAX) sparse_evict(m);
    hash_insert(m, key, v);
}

/* Real pickles memoize every string and container, so a large benign pickle
 * reaches any fixed memo bound, and stopping there would let a payload hide
 * behind a memo-filling prefix. The memo is therefore a window over the most
 * recent max_memo keys (picklers number them sequentially from 0) plus a
 * small sparse table: entries that leave the window are dropped unless worth
 * keeping (memo_keep). A GET of a dropped entry yields an unknown value; a
 * global built from it is reported as computed (WT-PICKLE-002). */
static void window_slide(vm *m, uint64_t key) {
    /* keep the newest half of the window */
    uint64_t nbase = key + 1 >= m->dcap / 2 ? key + 1 - m->dcap / 2 : 0;
    uint64_t shift = nbase - m->dbase;
    for (uint64_t i = 0; i < m->dcap; i++) {
        pv *v = m->dense[i];
        if (!v) continue;
        if (i < shift) {
            m->dense[i] = NULL;
            if (memo_keep(m, v, 0)) sparse_put(m, m->dbase + i, v);
            else { v_unref(m, v); m->memo_evicted = true; }
        }
    }
    if (shift < m->dcap) {
        memmove(m->dense, m->dense + shift, (size_t)(m->dcap - shift) * sizeof *m->dense);
        memset(m->dense + (m->dcap - shift), 0, (size_t)shift * sizeof *m->dense);
    } else {
        memset(m->dense, 0, (size_t)m->dcap * sizeof *m->dense);
    }
    m->dbase = nbase;
}

/* Too many live values: empty the memo window (values it alone kept alive
 * are freed) rather than stop. */
static void memo_evict_window(vm *m) {
    for (uint32_t i = 0; i < m->dcap; i++) {
        pv *v = m->dense[i];
        if (!v) continue;
        m->dense[i] = NULL;
        if (memo_keep(m, v, 0) && m->nhash < PK_SPARSE_MAX / 2) sparse_put(m, m->dbase + i, v);
        else v_unref(m, v);
    }
    m->memo_evicted = true;
}

static bool memo_put(vm *m, uint64_t key, pv *v, uint64_t off) {
    if (key == UINT64_MAX) { fail(m, off, "memo key out of range"); return false; }
    uint32_t maxw = m->run->bounds.max_memo ? m->run->bounds.max_memo : 1;
    if (!m->dense) {
        m->dcap = maxw < 256 ? maxw : 256;
        m->dense = wt_xcalloc(m->dcap, sizeof *m->dense);
    }
    /* grow the window (up to max_memo) before sliding it */
    while (key >= m->dbase + m->dcap && key < m->dbase + 2 * (uint64_t)maxw && m->dcap < maxw) {
        uint32_t ncap = m->dcap * 2 > maxw ? maxw : m->dcap * 2;
        m->dense = wt_xrealloc(m->dense, (size_t)ncap * sizeof *m->dense);
        memset(m->dense + m->dcap, 0, (size_t)(ncap - m->dcap) * sizeof *m->dense);
        m->dcap = ncap;
    }
    pv *old = memo_get(m, key);
    if (old) {
        if (in_window(m, key)) m->dense[key - m->dbase] = v_ref(v);
        else hash_find(m, key)->v = v_ref(v);
        v_unref(m, old);
        return true;
    }
    m->mlogical++;
    /* the next sequential key just past the window: slide it forward */
    if (key >= m->dbase + m->dcap && key < m->dbase + 2 * (uint64_t)m->dcap) window_slide(m, key);
    if (in_window(m, key)) m->dense[key - m->dbase] = v_ref(v);
    else sparse_put(m, key, v_ref(v));
    return true;
}

/* GET: push memo[key]. */
static void op_get(vm *m, uint64_t key, uint64_t off) {
    pv *v = memo_get(m, key);
    if (v) { push(m, v_ref(v)); return; }
    if (m->memo_evicted) { push(m, v_new(m, V_UNKNOWN)); return; }
    fail(m, off, "memo key %llu not found at offset %llu", (unsigned long long)key, (unsigned long long)off);
}

/* ---------------- globals: judging and reporting ---------------- */

static uint32_t hash_str(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* The seen-table entry for a qualified name (created and judged once). */
/* Grow the seen table (pointers into it are never held across a
 * seen_get call). */
static void seen_grow(vm *m) {
    uint32_t ncap = m->seencap ? m->seencap * 2 : 64;
    seen *old = m->seen;
    uint32_t ocap = m->seencap;
    m->seen = wt_xcalloc(ncap, sizeof *m->seen);
    m->seencap = ncap;
    for (uint32_t i = 0; i < ocap; i++) {
        if (!old[i].qual) continue;
        uint32_t j = old[i].hash & (ncap - 1);
        while (m->seen[j].qual) j = (j + 1) & (ncap - 1);
        m->seen[j] = old[i];
    }
    free(old);
}

static seen *seen_get(vm *m, const char *qual, uint32_t mlen) {
    if (!m->seen || ((m->nseen + 1) * 2 > m->seencap && m->seencap < PK_SEEN_CAP * 2)) seen_grow(m);
    uint32_t h = hash_str(qual);
    uint32_t mask = m->seencap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        seen *s = &m->seen[i];
        if (!s->qual) {
            if (m->nseen >= PK_SEEN_CAP) return NULL;
            s->qual = wt_xstrdup(qual);
            s->mlen = mlen;
            s->hash = h;
            m->nseen++;
            if (mlen == 0) {
                /* attribute of an object we could not resolve: only the
                 * attribute names can be judged */
                const char *d = strchr(qual, '.');
                pk_policy_judge("<object>", d ? d + 1 : qual, &s->v);
                if (s->v.level == PK_LVL_MEDIUM && !s->v.known) s->v.level = PK_LVL_ALLOW;
            } else {
                char *mod = wt_xstrndup(qual, mlen);
                const char *name = qual[mlen] == '.' ? qual + mlen + 1 : "";
                pk_policy_judge(mod, name, &s->v);
                free(mod);
            }
            return s;
        }
        if (s->hash == h && strcmp(s->qual, qual) == 0) return s;
    }
}

static const char *rule_for(pk_level l) {
    return l >= PK_LVL_CRITICAL ? "WT-PICKLE-001" : l >= PK_LVL_HIGH ? "WT-PICKLE-002" : "WT-PICKLE-003";
}

static const char *level_word(pk_level l) {
    return l >= PK_LVL_CRITICAL ? "dangerous" : l >= PK_LVL_HIGH ? "suspicious" : l >= PK_LVL_MEDIUM ? "unknown" : "low-risk";
}

static void report_seen(vm *m, seen *s, uint64_t off, const char *evidence, bool called, const char *how) {
    if (!s || s->reported || s->v.level == PK_LVL_ALLOW) return;
    s->reported = true;
    /* unknown / low globals: list the first ones, count the rest */
    if (s->v.level < PK_LVL_HIGH && ++m->nminor > PK_MINOR_MAX) {
        if (!m->minor_first_dropped) m->minor_first_dropped = off;
        return;
    }
    emit(m, rule_for(s->v.level), pk_level_severity(s->v.level), off, evidence ? evidence : s->qual,
         "pickle %s %s global %s%s: %s", called ? "calls" : "imports", level_word(s->v.level), s->qual, how ? how : "",
         s->v.reason);
}

static pv *make_ref(vm *m, const char *qual, size_t mlen, uint64_t off) {
    pv *v = v_new(m, V_REF);
    if (!v) return NULL;
    size_t ql = strlen(qual);
    if (ql > 1024) ql = 1024;
    v_set_text(m, v, qual, ql);
    v->u.mlen = mlen > ql ? ql : mlen;
    m->run->globals++;
    seen *s = seen_get(m, v->text, (uint32_t)v->u.mlen);
    if (s && !s->off) s->off = off;
    if (!s && m->nseen >= PK_SEEN_CAP) {
        /* table full: still report anything dangerous right away */
        seen tmp = {0};
        char *mod = wt_xstrndup(v->text, v->u.mlen);
        pk_policy_judge(mod, v->u.mlen < v->tlen ? v->text + v->u.mlen + 1 : "", &tmp.v);
        free(mod);
        tmp.qual = v->text;
        if (tmp.v.level >= PK_LVL_HIGH) report_seen(m, &tmp, off, NULL, false, NULL);
    }
    return v;
}

static pv *make_global(vm *m, const char *module, const char *name, uint64_t off) {
    char *q = *name ? wt_xasprintf("%s.%s", module, name) : wt_xstrdup(module);
    pv *v = make_ref(m, q, strlen(module), off);
    free(q);
    return v;
}

/* obj.attr as a reference (resolved when obj is a reference). */
static pv *make_attr(vm *m, const pv *obj, const char *attr, uint64_t off) {
    char *q;
    size_t mlen = 0;
    if (obj && obj->kind == V_REF) {
        q = wt_xasprintf("%s.%s", obj->text, attr);
        mlen = obj->u.mlen;
    } else {
        q = wt_xasprintf("<object>.%s", attr);
    }
    pv *v = make_ref(m, q, mlen, off);
    free(q);
    return v;
}

static pk_sem sem_of(vm *m, const pv *callee) {
    if (!callee || callee->kind != V_REF) return PK_SEM_NONE;
    seen *s = seen_get(m, callee->text, (uint32_t)callee->u.mlen);
    return s ? s->v.sem : PK_SEM_NONE;
}

/* Every appearance of a getattr-like global on the stack (import, memo GET, DUP,
 * call result) is counted, so that the end of the stream can tell whether each
 * one was consumed by a resolved call (and nothing else used it as a value). */
static void count_push(vm *m, const pv *v) {
    if (m->nseen == 0) return;
    seen *s = seen_get(m, v->text, (uint32_t)v->u.mlen);
    if (s && (s->v.sem == PK_SEM_GETATTR || s->v.sem == PK_SEM_RESOLVE2 || s->v.sem == PK_SEM_PARTIAL) &&
        s->pushes < UINT32_MAX)
        s->pushes++;
}

/* The global that getattr(obj, attr) statically reaches, or NULL: obj must be an
 * imported global (module or class: getattr(IntervalStrategy, 'STEPS') is what
 * Python 3.11+ pickles enum members as), or an instance that NEWOBJ made from an
 * imported class, or copyreg's helpers made (getattr(inst, 'method') is how a bound
 * method pickles: C.method, plus instance attributes that BUILD set from values
 * already judged in this stream). Instances returned by arbitrary calls are not
 * resolved: getattr(ndarray, 'tofile') is not an attribute of the function that
 * built the array. */
static const pv *getattr_target(const pv *obj) {
    if (!obj) return NULL;
    if (obj->kind == V_REF) return obj->u.mlen > 0 ? obj : NULL;
    if (obj->kind != V_CALL || obj->nkids < 2) return NULL;
    const pv *callee = obj->kids[0];
    if (!callee || callee->kind != V_REF || callee->u.mlen == 0) return NULL;
    if (obj->flags & F_TYPEINST) return callee;
    static const char *const makers[] = {"copyreg.__newobj__", "copy_reg.__newobj__", "copyreg.__newobj_ex__",
                                         "copy_reg.__newobj_ex__", "copyreg._reconstructor",
                                         "copy_reg._reconstructor", NULL};
    for (int i = 0; makers[i]; i++) {
        if (strcmp(callee->text, makers[i]) == 0) {
            const pv *cls = kid(obj->kids[1], 0);
            return cls && cls->kind == V_REF && cls->u.mlen > 0 ? cls : NULL;
        }
    }
    return NULL;
}

/* ---------------- embedded bytes ---------------- */

/* Full bytes of a str/bytes value (malloc'd), reading raw ones from the
 * stream; NULL if not recoverable or larger than PK_FULL_MAX. */
/* The same big blob decoded again and again (memo GET + b64decode in a loop) must not
 * turn a small file into minutes of work: past the budget, blobs are not followed.
 * Well-formed streams decode each blob once (protocol 2 writes every bytes object as
 * _codecs.encode), so the budget grows with the stream. */
static bool decode_budget(vm *m, uint64_t n) {
    uint64_t span = m->end > m->run->off ? m->end - m->run->off : 0;
    uint64_t budget = PK_DECODE_BUDGET + (span < (UINT64_MAX - PK_DECODE_BUDGET) / 2 ? 2 * span : UINT64_MAX / 2);
    if (m->decoded + n <= budget) {
        m->decoded += n;
        return true;
    }
    if (!m->decode_reported && m->ctx) {
        m->decode_reported = true;
        wt_location loc = wt_loc_offset(rep_off(m, m->pos));
        wt_emit(m->ctx, "WT-SCAN-002", WT_SEV_NONE, &loc, NULL,
                "Scan budget exceeded (embedded bytes decoded, limit %llu bytes): further base64/encoded/nested blobs "
                "of this stream were not followed (the opcodes still were)", (unsigned long long)budget);
    }
    return false;
}

static uint8_t *full_bytes(vm *m, const pv *v, size_t *len) {
    if (!v || (v->kind != V_STR && v->kind != V_BYTES)) return NULL;
    if (!decode_budget(m, v_complete(v) ? v->tlen : v->n)) return NULL;
    if (v_complete(v)) {
        uint8_t *b = wt_xmalloc(v->tlen + 1);
        memcpy(b, v->text, v->tlen);
        *len = v->tlen;
        return b;
    }
    if (!(v->flags & F_RAW) || v->n > PK_FULL_MAX) return NULL;
    uint8_t *b = wt_xmalloc((size_t)v->n + 1);
    in_invalidate(m);
    if (wt_reader_read_exact(m->r, v->u.src, b, (size_t)v->n) != 0) {
        free(b);
        return NULL;
    }
    *len = (size_t)v->n;
    return b;
}

static pv *make_bytes_owned(vm *m, uint8_t *data, size_t n) {
    pv *v = v_new(m, V_BYTES);
    if (!v) { free(data); return NULL; }
    data = wt_xrealloc(data, n + 1);
    data[n] = 0;
    v->text = (char *)data;
    v->tlen = (uint32_t)n;
    v->n = n;
    m->pfx_live += n;
    return v;
}

/* UTF-8 -> latin-1 (codecs.encode(s, "latin1") as protocol 2 writes bytes). */
static pv *sem_encode(vm *m, const pv *s, const pv *enc) {
    const char *e = str_of(enc);
    size_t n = 0;
    uint8_t *in = full_bytes(m, s, &n);
    if (!in) return NULL;
    bool utf8 = e && (strcmp(e, "utf-8") == 0 || strcmp(e, "utf8") == 0 || strcmp(e, "UTF-8") == 0);
    if (utf8 || s->kind == V_BYTES) return make_bytes_owned(m, in, n);
    uint8_t *out = wt_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint8_t c = in[i];
        if (c < 0x80) { out[o++] = c; i++; }
        else if ((c & 0xE0) == 0xC0 && i + 1 < n && c <= 0xC3) { out[o++] = (uint8_t)(((c & 0x1F) << 6) | (in[i + 1] & 0x3F)); i += 2; }
        else { free(in); free(out); return NULL; }
    }
    free(in);
    return make_bytes_owned(m, out, o);
}

static int b64v(uint8_t c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

static pv *sem_b64(vm *m, const pv *s) {
    size_t n = 0;
    uint8_t *in = full_bytes(m, s, &n);
    if (!in) return NULL;
    uint8_t *out = wt_xmalloc(n / 4 * 3 + 4);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int d = b64v(in[i]);
        if (d < 0) {
            if (in[i] == '=') break;
            continue;
        }
        acc = (acc << 6) | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    free(in);
    return make_bytes_owned(m, out, o);
}

static void nested_loads(vm *m, const pv *call_ev, const pv *data, uint64_t off);

/* ---------------- calls ---------------- */

static pv *args_slice(vm *m, const pv *t, size_t from) {
    pv *a = v_new(m, V_TUPLE);
    if (!a) return NULL;
    if (t)
        for (size_t i = from; i < t->nkids; i++) c_add(m, a, v_ref(t->kids[i]));
    return a;
}

static pv *make_call(vm *m, pv *callee, pv *args, pv *kwargs, int flags) {
    pv *v = v_new(m, V_CALL);
    if (!v) {
        v_unref(m, callee); v_unref(m, args); v_unref(m, kwargs);
        return NULL;
    }
    v->kids = kids_alloc(m, false);
    v->kids[0] = callee;
    v->kids[1] = args;
    v->kids[2] = kwargs;
    v->nkids = 3;
    v->flags |= (uint8_t)flags;
    return v;
}

/* module + Head.rest where module + Head is allowed by a row. */
static bool allowlisted_head(const pv *ref) {
    if (ref->kind != V_REF || ref->u.mlen == 0 || ref->u.mlen >= ref->tlen) return false;
    const char *name = ref->text + ref->u.mlen + 1;
    const char *dot = strchr(name, '.');
    if (!dot) return false;
    char *mod = wt_xstrndup(ref->text, ref->u.mlen);
    char *head = wt_xstrndup(name, (size_t)(dot - name));
    pk_verdict v;
    pk_policy_eval(mod, head, &v);
    free(mod);
    free(head);
    return v.known && v.level == PK_LVL_ALLOW;
}

/* Symbolically call callee(*args, **kwargs). Takes ownership of all three
 * and returns the (owned) result. */
static pv *do_call(vm *m, pv *callee, pv *args, pv *kwargs, uint64_t off, int flags, int depth) {
    if (!callee || !args) {
        v_unref(m, callee); v_unref(m, args); v_unref(m, kwargs);
        return NULL;
    }
    m->run->globals++;
    /* Callables built by attrgetter / methodcaller / partial. */
    if (callee->kind == V_CALL && depth < PK_CALL_DEPTH) {
        pv *inner = callee->kids[0], *iargs = callee->kids[1];
        pk_sem s = sem_of(m, inner);
        const char *nm = str_of(kid(iargs, 0));
        if (s == PK_SEM_ATTRGETTER && nm) {
            pv *res = make_attr(m, kid(args, 0), nm, off);
            v_unref(m, callee); v_unref(m, args); v_unref(m, kwargs);
            return res;
        }
        if (s == PK_SEM_METHODCALLER && nm) {
            pv *target = make_attr(m, kid(args, 0), nm, off);
            pv *margs = args_slice(m, iargs, 1);
            v_unref(m, callee); v_unref(m, args); v_unref(m, kwargs);
            return do_call(m, target, margs, NULL, off, 0, depth + 1);
        }
        if (s == PK_SEM_PARTIAL && kid(iargs, 0)) {
            /* building a partial is how one pickles (silent when it wraps a global);
             * calling one while loading is an indirection that hides the call */
            if (inner->kind == V_REF) report_seen(m, seen_get(m, inner->text, (uint32_t)inner->u.mlen), off, NULL, true, NULL);
            pv *fn = v_ref(kid(iargs, 0));
            pv *nargs = args_slice(m, iargs, 1);
            if (nargs && (args->kind == V_TUPLE || args->kind == V_LIST))
                for (size_t i = 0; i < args->nkids; i++) c_add(m, nargs, v_ref(args->kids[i]));
            v_unref(m, callee); v_unref(m, args); v_unref(m, kwargs);
            return do_call(m, fn, nargs, NULL, off, 0, depth + 1);
        }
    }
    pv *res = make_call(m, v_ref(callee), v_ref(args), v_ref(kwargs), flags);
    if (!res) { v_unref(m, callee); v_unref(m, args); v_unref(m, kwargs); return NULL; }
    /* getattr(global, 'name') adds nothing to what GLOBAL 'module global.name' can
     * reach: the resolved name is judged (below) instead of getattr itself */
    const pv *gtarget = NULL;
    bool resolved = false;
    pk_sem csem = callee->kind == V_REF ? sem_of(m, callee) : PK_SEM_NONE;
    if (csem != PK_SEM_NONE && str_of(kid(args, 1)) && !kwargs && args->kind == V_TUPLE && args->n == 2) {
        if (csem == PK_SEM_GETATTR) resolved = (gtarget = getattr_target(kid(args, 0))) != NULL;
        /* likewise _ufunc_reconstruct('numpy', 'log1p') is GLOBAL numpy log1p */
        else if (csem == PK_SEM_RESOLVE2) resolved = str_of(kid(args, 0)) != NULL;
    }
    /* functools.partial(fn) of an imported fn (how a partial pickles: the arguments
     * follow in BUILD) is a value standing for fn: fn is judged as imported, and a
     * call of the partial inside the stream is followed to fn (above) */
    if (csem == PK_SEM_PARTIAL && args->kind == V_TUPLE && args->n >= 1 && kid(args, 0) &&
        kid(args, 0)->kind == V_REF && kid(args, 0)->u.mlen > 0)
        resolved = true;
    if (callee->kind == V_REF && resolved) {
        seen *s = seen_get(m, callee->text, (uint32_t)callee->u.mlen);
        if (s && s->resolved < UINT32_MAX) s->resolved++;
    } else if (callee->kind == V_REF) {
        seen *s = seen_get(m, callee->text, (uint32_t)callee->u.mlen);
        /* protocols < 4 pickle a nested class as getattr(Outer, 'Inner') and a classmethod
         * as getattr(Class, 'name'): instantiating a class (NEWOBJ, or a capitalised
         * name) is not a method call... */
        const char *last = strrchr(callee->text, '.');
        bool classlike = (flags & F_TYPEINST) || (last && last[1] >= 'A' && last[1] <= 'Z');
        /* ...nor is a constructor that a row allows by name (ZoneInfo._unpickle) */
        if (s && s->via && !s->via_reported && !classlike && s->v.level != PK_LVL_ALLOW) {
            s->via_reported = true;
            char *ev = render_str(res);
            emit(m, "WT-PICKLE-001", WT_SEV_CRITICAL, off, ev,
                 "pickle calls %s, which it fetched with %s while loading (a method of a rebuilt object or "
                 "module called at load time: ndarray.tofile, DataFrame.to_pickle... write files)",
                 callee->text, s->via == 1 ? "getattr" : "an import-by-name helper");
            free(ev);
        }
        /* a method of an allowlisted class named directly by a dotted GLOBAL and
         * called while loading (pathlib + Path.write_text, numpy + ndarray.tofile,
         * pandas.core.frame + DataFrame.to_csv): the allowlist vouches for building
         * the object, not for calling its methods with pickle-chosen arguments */
        if (s && !s->via && !s->walk_reported && !classlike && s->v.level < PK_LVL_HIGH &&
            s->v.level != PK_LVL_ALLOW && allowlisted_head(callee)) {
            s->walk_reported = true;
            char *ev = render_str(res);
            emit(m, "WT-PICKLE-002", WT_SEV_HIGH, off, ev,
                 "pickle calls %s, a method reached through an allowlisted class: the allowlist covers building the "
                 "object, not calling its methods while loading (Path.write_text, ndarray.tofile write files)",
                 callee->text);
            free(ev);
        }
        if (s && !s->reported && s->v.level != PK_LVL_ALLOW) {
            char *ev = render_str(res);
            report_seen(m, s, off, ev, true, (flags & F_NEWOBJ) ? " (instantiated)" : NULL);
            free(ev);
        }
    }
    pk_sem sem = sem_of(m, callee);
    pv *a0 = kid(args, 0), *a1 = kid(args, 1);
    pv *alt = NULL;
    bool have_alt = true;
    switch (sem) {
    case PK_SEM_RESOLVE2:
        if (str_of(a0) && str_of(a1)) alt = make_global(m, str_of(a0), str_of(a1), off);
        else have_alt = false;
        break;
    case PK_SEM_GETATTR:
        if (str_of(a1)) alt = make_attr(m, gtarget ? gtarget : a0, str_of(a1), off);
        else if (a1) {
            emit(m, "WT-PICKLE-002", WT_SEV_HIGH, off, NULL, "pickle calls getattr with a computed attribute name");
            have_alt = false;
        } else have_alt = false;
        break;
    case PK_SEM_IMPORT:
        if (str_of(a0)) {
            /* __import__('a.b') returns package a unless a fromlist is given;
             * import_module('a.b') returns a.b */
            const char *q = str_of(a0);
            size_t ql = strlen(q);
            const pv *fromlist = kid(args, 3);
            bool dunder = callee->kind == V_REF && callee->tlen >= 10 &&
                          strcmp(callee->text + callee->tlen - 10, "__import__") == 0;
            if (dunder && (!fromlist || fromlist->kind == V_NONE || fromlist->n == 0)) {
                const char *dot = strchr(q, '.');
                if (dot) ql = (size_t)(dot - q);
            }
            char *mod = wt_xstrndup(q, ql);
            alt = make_ref(m, mod, ql, off);
            free(mod);
        } else have_alt = false;
        break;
    case PK_SEM_RESOLVE:
        if (str_of(a0)) {
            const char *q = str_of(a0);
            const char *colon = strchr(q, ':');
            if (colon) {
                char *mod = wt_xstrndup(q, (size_t)(colon - q));
                alt = make_global(m, mod, colon + 1, off);
                free(mod);
            } else {
                const char *dot = strchr(q, '.');
                alt = make_ref(m, q, dot ? (size_t)(dot - q) : strlen(q), off);
            }
        } else have_alt = false;
        break;
    case PK_SEM_GETITEM:
        if (a0 && a0->kind == V_REF && str_of(a1) && strcmp(a0->text + a0->u.mlen, ".modules") == 0 &&
            a0->u.mlen == 3 && strncmp(a0->text, "sys", 3) == 0)
            alt = make_ref(m, str_of(a1), strlen(str_of(a1)), off);
        else if (a0 && a0->kind == V_REF && str_of(a1))
            alt = make_attr(m, a0, str_of(a1), off);
        else have_alt = false;
        break;
    case PK_SEM_CALL:
        if (a0) alt = do_call(m, v_ref(a0), args_slice(m, args, 1), v_ref(kwargs), off, 0, depth + 1);
        else have_alt = false;
        break;
    case PK_SEM_REDUCE:
        if (a0 && depth < PK_CALL_DEPTH) {
            pv *seq = a1 ? args_slice(m, a1, 0) : NULL;
            if (seq && kid(args, 2)) c_add(m, seq, v_ref(kid(args, 2)));
            if (seq) alt = do_call(m, v_ref(a0), seq, NULL, off, 0, depth + 1);
            else have_alt = false;
        } else have_alt = false;
        break;
    case PK_SEM_LOADS: nested_loads(m, res, a0, off); have_alt = false; break;
    case PK_SEM_PASSBYTES:
        if (a0 && (a0->kind == V_BYTES || a0->kind == V_STR)) alt = v_ref(a0);
        else have_alt = false;
        break;
    case PK_SEM_ENCODE: alt = sem_encode(m, a0, a1); if (!alt) have_alt = false; break;
    case PK_SEM_B64DECODE: alt = sem_b64(m, a0); if (!alt) have_alt = false; break;
    default: {
        /* X.__getattribute__('n') / X.__getattr__('n') is X.n (a bound method of any
         * module or object, e.g. builtins.__getattribute__('eval')); on a type it is
         * unbound: T.__getattribute__(obj, 'n') is obj.n. */
        const char *dunder = callee->kind == V_REF ? strrchr(callee->text, '.') : NULL;
        have_alt = false;
        if (dunder && (size_t)(dunder - callee->text) >= callee->u.mlen &&
            (strcmp(dunder, ".__getattribute__") == 0 || strcmp(dunder, ".__getattr__") == 0)) {
            if (str_of(a0)) {
                char *q = wt_xasprintf("%.*s.%s", (int)(dunder - callee->text), callee->text, str_of(a0));
                alt = make_ref(m, q, callee->u.mlen, off);
                free(q);
            } else if (a0 && a0->kind == V_REF && str_of(a1)) alt = make_attr(m, a0, str_of(a1), off);
            have_alt = alt != NULL;
        }
        break;
    }
    }
    if (resolved && alt && alt->kind == V_REF && (sem == PK_SEM_GETATTR || sem == PK_SEM_RESOLVE2)) {
        seen *as = seen_get(m, alt->text, (uint32_t)alt->u.mlen);
        if (as && !as->via) as->via = sem == PK_SEM_GETATTR ? 1 : 2;
    }
    v_unref(m, callee); v_unref(m, args); v_unref(m, kwargs);
    if (have_alt && alt) {
        v_unref(m, res);
        return alt;
    }
    return res;
}

/* ---------------- nested pickles ---------------- */

static void nested_loads(vm *m, const pv *call_ev, const pv *data, uint64_t off) {
    char *ev = render_str(call_ev);
    const char *fn = call_ev->kids[0] && call_ev->kids[0]->kind == V_REF ? call_ev->kids[0]->text : "a loader";
    if (m->run->nested_depth + 1 > (int)m->run->bounds.max_nested) {
        emit(m, "WT-PICKLE-007", WT_SEV_HIGH, off, ev,
             "pickle passes embedded bytes to %s (nested pickle; nesting deeper than %u levels not decoded)", fn,
             m->run->bounds.max_nested);
        free(ev);
        return;
    }
    if (data && data->kind == V_STR && !(data->tlen >= 2 && wt_pickle_looks_like((const uint8_t *)data->text,
                                                                                data->tlen, data->n))) {
        emit(m, "WT-PICKLE-007", WT_SEV_HIGH, off, ev,
             "pickle calls %s on a string (a file path or URL loaded at unpickling time)", fn);
        free(ev);
        return;
    }
    if (data && (data->kind == V_BYTES || data->kind == V_STR) &&
        !decode_budget(m, v_complete(data) ? data->tlen : data->n)) {
        emit(m, "WT-PICKLE-007", WT_SEV_HIGH, off, ev,
             "pickle unpickles embedded bytes with %s (nested pickle; not decoded: decode budget spent)", fn);
        free(ev);
        return;
    }
    wt_reader *sub = NULL;
    uint64_t base = rep_off(m, off);
    bool fixed = true;
    if (data && (data->kind == V_BYTES || data->kind == V_STR) && (data->flags & F_RAW)) {
        sub = wt_reader_new_sub(m->r, data->u.src, data->n);
        base = rep_off(m, data->u.src);
        fixed = m->run->fixed_offset;
    } else if (data && v_complete(data)) {
        sub = wt_reader_new_mem(wt_xstrndup(data->text, data->tlen), data->tlen, true);
    }
    if (!sub) {
        emit(m, "WT-PICKLE-007", WT_SEV_HIGH, off, ev,
             "pickle passes data to %s (nested pickle) whose bytes cannot be recovered statically", fn);
        free(ev);
        return;
    }
    emit(m, "WT-PICKLE-007", WT_SEV_HIGH, off, ev,
         "pickle unpickles embedded bytes with %s (nested pickle, decoded below)", fn);
    free(ev);
    pk_run r2;
    memset(&r2, 0, sizeof r2);
    r2.ctx = m->ctx;
    r2.r = sub;
    r2.off = 0;
    r2.end = wt_reader_size(sub);
    r2.bounds = m->run->bounds;
    r2.nested_depth = m->run->nested_depth + 1;
    r2.report_base = base;
    r2.fixed_offset = fixed;
    char *note = wt_xasprintf("%snested pickle passed to %s at offset %llu: ", m->run->note ? m->run->note : "", fn,
                              (unsigned long long)rep_off(m, off));
    r2.note = note;
    r2.emit_malformed = true;
    r2.dedupe = m->run->dedupe;
    r2.plain = m->run->plain;
    pk_vm_run(&r2);
    m->run->findings += r2.findings;
    free(note);
    wt_reader_unref(sub);
    in_invalidate(m);
    if (r2.result == PK_END_LIMIT) m->limited = true;
}

/* ---------------- protocol-0 argument parsing ---------------- */

static bool parse_int_text(const char *s, size_t n, int64_t *out, bool *big) {
    /* int(s, 0): optional spaces, sign, 0x/0o/0b, digits with '_' */
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    int base = 10;
    if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) { base = 16; i += 2; }
    else if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'o' || s[i + 1] == 'O')) { base = 8; i += 2; }
    else if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'B')) { base = 2; i += 2; }
    if (i >= n) return false;
    unsigned __int128 acc = 0;
    bool digits = false, overflow = false;
    for (; i < n; i++) {
        char c = s[i];
        int d;
        if (c == '_' && digits) continue;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return false;
        if (d >= base) return false;
        digits = true;
        if (!overflow) {
            acc = acc * (unsigned)base + (unsigned)d;
            if (acc > ((unsigned __int128)1 << 63)) overflow = true;
        }
    }
    if (!digits) return false;
    *big = overflow || (!neg && acc == ((unsigned __int128)1 << 63));
    *out = neg ? -(int64_t)(acc - 1) - 1 : (int64_t)acc;
    if (*big) *out = 0;
    return true;
}

static void put_utf8(wt_buf *b, uint32_t cp) {
    char t[4];
    if (cp < 0x80) { wt_buf_putc(b, (char)cp); return; }
    if (cp < 0x800) { t[0] = (char)(0xC0 | (cp >> 6)); t[1] = (char)(0x80 | (cp & 0x3F)); wt_buf_append(b, t, 2); return; }
    if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12)); t[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[2] = (char)(0x80 | (cp & 0x3F));
        wt_buf_append(b, t, 3); return;
    }
    t[0] = (char)(0xF0 | (cp >> 18)); t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (char)(0x80 | (cp & 0x3F));
    wt_buf_append(b, t, 4);
}

static int hexv(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Python string-escape decoding of a STRING argument (bytes). */
static void unescape_string(const char *s, size_t n, wt_buf *out) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) { wt_buf_putc(out, s[i]); continue; }
        char c = s[++i];
        switch (c) {
        case 'n': wt_buf_putc(out, '\n'); break;
        case 't': wt_buf_putc(out, '\t'); break;
        case 'r': wt_buf_putc(out, '\r'); break;
        case 'a': wt_buf_putc(out, '\a'); break;
        case 'b': wt_buf_putc(out, '\b'); break;
        case 'f': wt_buf_putc(out, '\f'); break;
        case 'v': wt_buf_putc(out, '\v'); break;
        case '\n': break;
        case 'x':
            if (i + 2 < n && hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0) {
                wt_buf_putc(out, (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2])));
                i += 2;
            } else wt_buf_putc(out, 'x');
            break;
        default:
            if (c >= '0' && c <= '7') {
                int v = c - '0', k = 0;
                while (k < 2 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7') { v = v * 8 + (s[++i] - '0'); k++; }
                wt_buf_putc(out, (char)(v & 0xFF));
            } else { wt_buf_putc(out, '\\'); wt_buf_putc(out, c); }
        }
    }
}

/* raw-unicode-escape decoding of a UNICODE argument, to UTF-8. */
static void unescape_raw_unicode(const char *s, size_t n, wt_buf *out) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' && i + 1 < n && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
            size_t k = s[i + 1] == 'u' ? 4 : 8;
            if (i + 1 + k < n) { /* digits at s[i+2 .. i+1+k] */
                uint32_t cp = 0;
                bool ok = true;
                for (size_t j = 0; ok && j < k; j++) {
                    int h = hexv(s[i + 2 + j]);
                    if (h < 0) ok = false; else cp = cp * 16 + (uint32_t)h;
                }
                if (ok && cp <= 0x10FFFF) { put_utf8(out, cp); i += 1 + k; continue; }
            }
        }
        put_utf8(out, c);
    }
}

/* ---------------- the decoder loop ---------------- */

static pv *new_str(vm *m, int kind, uint64_t full, const void *pfx, size_t keep, uint64_t src, bool raw) {
    pv *v = v_new(m, kind);
    if (!v) return NULL;
    v_set_text(m, v, pfx, keep);
    v->n = full;
    if (raw) { v->flags |= F_RAW; v->u.src = src; }
    return v;
}

/* Counted string/bytes argument of len bytes at pos. */
static pv *read_counted(vm *m, int kind, uint64_t len) {
    uint64_t src = m->pos;
    size_t keep = len < PK_PFX ? (size_t)len : PK_PFX;
    if (len > m->end - m->pos) {
        fail(m, m->pos, "truncated stream: %llu-byte argument runs past the end", (unsigned long long)len);
        return NULL;
    }
    const uint8_t *p = in_get(m, keep);
    if (!p) return NULL;
    pv *v = new_str(m, kind, len, p, keep, src, true);
    if (!v) return NULL;
    if (!in_skip(m, len - keep)) { v_unref(m, v); return NULL; }
    return v;
}

static uint32_t rd_u32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd_u64(const uint8_t *p) { return (uint64_t)rd_u32(p) | (uint64_t)rd_u32(p + 4) << 32; }

static pv *make_int(vm *m, int64_t i) {
    pv *v = v_new(m, V_INT);
    if (v) v->u.i = i;
    return v;
}

static pv *make_long_bytes(vm *m, const uint8_t *p, size_t n, uint64_t full) {
    if (full <= 8) {
        uint64_t x = 0;
        for (size_t i = 0; i < n; i++) x |= (uint64_t)p[i] << (8 * i);
        if (n && n < 8 && (p[n - 1] & 0x80)) x |= ~(uint64_t)0 << (8 * n);
        return make_int(m, (int64_t)x);
    }
    pv *v = v_new(m, V_BIGINT);
    if (v) v->n = full;
    return v;
}

static bool ident_path(const char *s) {
    if (!*s || *s == '.' || (*s >= '0' && *s <= '9')) return false;
    for (; *s; s++) {
        char c = *s;
        if (!(c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return false;
    }
    return true;
}

/* Read a GLOBAL/INST argument pair of lines. */
static bool read_two_lines(vm *m, char **mod, char **name) {
    uint64_t full;
    if (!in_line(m, 1024, &full)) return false;
    *mod = wt_xstrndup(m->line.data ? m->line.data : "", m->line.len);
    if (!in_line(m, 1024, &full)) { free(*mod); return false; }
    *name = wt_xstrndup(m->line.data ? m->line.data : "", m->line.len);
    if (m->run->strict && (!ident_path(*mod) || !ident_path(*name))) {
        fail(m, m->pos, "GLOBAL/INST argument is not an identifier");
        free(*mod);
        free(*name);
        return false;
    }
    return true;
}

/* Report a BUILD/APPEND/SETITEM-style hidden call on an imported object. */
static void hidden_method_call(vm *m, pv *target, const char *method, uint64_t off, const char *what) {
    if (!target || target->kind != V_REF) return;
    pv *attr = make_attr(m, target, method, off);
    if (!attr) return;
    seen *s = seen_get(m, attr->text, (uint32_t)attr->u.mlen);
    if (s && s->v.level >= PK_LVL_HIGH) report_seen(m, s, off, NULL, true, what);
    v_unref(m, attr);
}

/* Value of key in a dict value (kept items only), or NULL. */
static pv *dict_get(const pv *d, const char *key) {
    if (!d || d->kind != V_DICT) return NULL;
    for (uint16_t i = 0; i + 1 < d->nkids; i += 2) {
        const char *k = str_of(d->kids[i]);
        if (k && strcmp(k, key) == 0) return d->kids[i + 1];
    }
    return NULL;
}

/* Item size of a numpy dtype as pickled: dtype('f8', False, True). Returns 0
 * if unknown, SIZE_MAX for object dtypes. */
static size_t np_itemsize(const pv *dt) {
    if (!dt || dt->kind != V_CALL || !dt->kids[0] || dt->kids[0]->kind != V_REF) return 0;
    const char *q = dt->kids[0]->text;
    if (strcmp(q, "numpy.dtype") != 0 && strcmp(q, "numpy.core.multiarray.dtype") != 0) return 0;
    const char *s = str_of(kid(dt->kids[1], 0));
    if (!s || !*s) return 0;
    if (*s == '<' || *s == '>' || *s == '|' || *s == '=') s++;
    if (strncmp(s, "object", 6) == 0) return SIZE_MAX; /* np.dtype('object') */
    char kind = *s++;
    if (kind == 'O') return SIZE_MAX;
    char *end = NULL;
    unsigned long n = strtoul(s, &end, 10);
    if (!end || *end || !n || n > (1ul << 30)) return 0;
    if (kind == 'U') return (size_t)n * 4;
    return strchr("biufcVSMm", kind) ? (size_t)n : 0;
}

/* joblib's NumpyUnpickler reads an array's bytes from the file right after
 * BUILD of a NumpyArrayWrapper (raw data, or a protocol-2 pickle for object
 * arrays). Step over them the same way so the opcodes after line up. */
static void joblib_array(vm *m, const pv *inst, const pv *state, uint64_t off) {
    if (m->run->plain || !inst || inst->kind != V_CALL || !inst->kids[0] || inst->kids[0]->kind != V_REF) return;
    const char *q = inst->kids[0]->text;
    size_t ql = strlen(q);
    static const char suffix[] = "joblib.numpy_pickle.NumpyArrayWrapper";
    if (ql < sizeof suffix - 1 || strcmp(q + ql - (sizeof suffix - 1), suffix) != 0) return;
    m->run->joblib_arrays++;
    /* joblib commits the frame before writing the array: raw bytes follow
     * the frame, they are not opcodes inside it */
    if (m->in_frame && m->pos == m->frame_end) m->in_frame = false;
    pv *shape = dict_get(state, "shape");
    size_t isz = np_itemsize(dict_get(state, "dtype"));
    if (!shape || shape->kind != V_TUPLE || shape->n > shape->nkids || !isz) {
        fail(m, off, "joblib array wrapper with a shape or dtype that cannot be followed");
        return;
    }
    if (isz == SIZE_MAX) { /* object array: a whole pickle follows */
        if (m->run->nested_depth + 1 > (int)m->run->bounds.max_nested) {
            limit(m, "joblib object-array pickle nesting", (uint64_t)m->run->nested_depth + 1, m->run->bounds.max_nested);
            return;
        }
        pk_run r2;
        memset(&r2, 0, sizeof r2);
        r2.ctx = m->ctx;
        r2.r = m->r;
        r2.off = m->pos;
        r2.end = m->end;
        r2.bounds = m->run->bounds;
        r2.nested_depth = m->run->nested_depth + 1;
        r2.report_base = m->run->report_base;
        r2.fixed_offset = m->run->fixed_offset;
        r2.note = m->run->note;
        r2.dedupe = m->run->dedupe;
        pk_vm_run(&r2);
        m->run->joblib_arrays += r2.joblib_arrays;
        m->run->findings += r2.findings;
        m->run->globals += r2.globals;
        in_invalidate(m);
        if (r2.result == PK_END_LIMIT) { m->limited = true; return; }
        if (r2.result != PK_END_STOP) {
            fail(m, r2.err_off, "joblib object array: %s", r2.err);
            return;
        }
        m->pos = r2.pos;
        return;
    }
    uint64_t count = 1;
    for (uint16_t i = 0; i < shape->nkids; i++) {
        const pv *d = shape->kids[i];
        if (!d || d->kind != V_INT || d->u.i < 0 || !wt_mul_ok(count, (uint64_t)d->u.i, &count)) {
            fail(m, off, "joblib array wrapper with an invalid shape");
            return;
        }
    }
    pv *align = dict_get(state, "numpy_array_alignment_bytes");
    if (align && align->kind != V_NONE) {
        const uint8_t *p = in_get(m, 1);
        if (!p || !in_skip(m, p[0])) return;
    }
    uint64_t bytes;
    if (!wt_mul_ok(count, isz, &bytes)) { fail(m, off, "joblib array size overflows"); return; }
    in_skip(m, bytes);
}

static void op_build(vm *m, uint64_t off) {
    pv *state = pop(m, off);
    if (!state) return;
    pv *inst = top(m, off);
    if (!inst) { v_unref(m, state); return; }
    if (inst->kind == V_REF && !m->build_reported) {
        m->build_reported = true;
        wt_buf b;
        wt_buf_init(&b);
        wt_buf_printf(&b, "%s.__setstate__(", inst->text);
        render(&b, state, 1);
        wt_buf_putc(&b, ')');
        emit(m, "WT-PICKLE-008", WT_SEV_HIGH, off, b.data,
             "pickle BUILD applies state directly to the imported object %s (overwrites attributes of a class, "
             "function or module)", inst->text);
        wt_buf_free(&b);
    }
    hidden_method_call(m, inst, "__setstate__", off, " (via BUILD)");
    joblib_array(m, inst, state, off);
    v_unref(m, state);
}

static void op_stack_global(vm *m, uint64_t off) {
    pv *name = pop(m, off);
    if (!name) return;
    pv *mod = pop(m, off);
    if (!mod) { v_unref(m, name); return; }
    const char *ms = str_of(mod), *ns = str_of(name);
    pv *g;
    if (ms && ns && strlen(ms) == mod->tlen && strlen(ns) == name->tlen) {
        mod->flags |= F_GLOBALNAME;
        name->flags |= F_GLOBALNAME;
        g = make_global(m, ms, ns, off);
    } else {
        char *a = render_str(mod), *b = render_str(name);
        char *ev = wt_xasprintf("STACK_GLOBAL(%s, %s)", a, b);
        emit(m, "WT-PICKLE-002", WT_SEV_HIGH, off, ev,
             "pickle imports a global whose module or name is not a literal string (computed at load time)");
        free(a); free(b); free(ev);
        g = make_ref(m, "<computed>", 0, off);
    }
    v_unref(m, name);
    v_unref(m, mod);
    push(m, g);
}

static void frame_divergence(vm *m, uint64_t off, const char *why) {
    if (m->frame_reported) return;
    m->frame_reported = true;
    emit(m, "WT-PICKLE-005", WT_SEV_HIGH, off, NULL,
         "pickle FRAME layout disagrees with the opcodes inside it (%s): unpicklers and scanners that honour frames "
         "differently see different programs", why);
}

static int step(vm *m) {
    uint64_t off = m->pos;
    if (m->in_frame && off >= m->frame_end) m->in_frame = false;
    const uint8_t *p = in_get(m, 1);
    if (!p) {
        m->run->err_off = off;
        snprintf(m->run->err, sizeof m->run->err, "stream ends at offset %llu without STOP", (unsigned long long)off);
        return -1;
    }
    uint8_t op = *p;
    uint64_t full;
    pv *v, *w;
    long k;
    switch (op) {
    case '(': push_mark(m); break;
    case '.': break; /* handled by caller */
    case '0':
        if (m->sp > fence(m)) v_unref(m, pop(m, off));
        else if ((k = pop_mark(m, off)) >= 0) drop_to(m, (uint32_t)k);
        break;
    case '1': if ((k = pop_mark(m, off)) >= 0) drop_to(m, (uint32_t)k); break;
    case '2': if ((v = top(m, off))) push(m, v_ref(v)); break;
    case 'N': push(m, v_new(m, V_NONE)); break;
    case 0x88: case 0x89:
        if ((v = v_new(m, V_BOOL))) { v->u.i = op == 0x88; push(m, v); }
        break;
    case 'I': case 'L': {
        if (!in_line(m, 128, &full)) break;
        const char *s = m->line.data ? m->line.data : "";
        size_t n = m->line.len;
        if (full > 128) { push(m, (v = v_new(m, V_BIGINT)) ? (v->n = full, v) : NULL); break; }
        if (op == 'I' && n == 2 && s[0] == '0' && (s[1] == '0' || s[1] == '1')) {
            if ((v = v_new(m, V_BOOL))) { v->u.i = s[1] == '1'; push(m, v); }
            break;
        }
        if (op == 'L' && n && s[n - 1] == 'L') n--;
        int64_t x;
        bool big;
        if (!parse_int_text(s, n, &x, &big)) { fail(m, off, "invalid %s literal at offset %llu", op == 'I' ? "INT" : "LONG", (unsigned long long)off); break; }
        if (big) { if ((v = v_new(m, V_BIGINT))) { v->n = n; push(m, v); } }
        else push(m, make_int(m, x));
        break;
    }
    case 'F': {
        if (!in_line(m, 128, &full)) break;
        char *end = NULL;
        const char *s = m->line.data ? m->line.data : "";
        double d = strtod(s, &end);
        if (!m->line.len || full > 128 || (end && *end && *end != ' ' && *end != '\r')) { fail(m, off, "invalid FLOAT literal at offset %llu", (unsigned long long)off); break; }
        if ((v = v_new(m, V_FLOAT))) { v->u.f = d; push(m, v); }
        break;
    }
    case 'G':
        if ((p = in_get(m, 8))) {
            uint64_t bits = 0;
            for (int i = 0; i < 8; i++) bits = bits << 8 | p[i];
            double d;
            memcpy(&d, &bits, sizeof d);
            if ((v = v_new(m, V_FLOAT))) { v->u.f = d; push(m, v); }
        }
        break;
    case 'J': if ((p = in_get(m, 4))) push(m, make_int(m, (int32_t)rd_u32(p))); break;
    case 'K': if ((p = in_get(m, 1))) push(m, make_int(m, p[0])); break;
    case 'M': if ((p = in_get(m, 2))) push(m, make_int(m, p[0] | p[1] << 8)); break;
    case 0x8a:
        if ((p = in_get(m, 1))) {
            size_t n = p[0];
            if ((p = in_get(m, n))) push(m, make_long_bytes(m, p, n, n));
        }
        break;
    case 0x8b:
        if ((p = in_get(m, 4))) {
            int32_t n = (int32_t)rd_u32(p);
            if (n < 0) { fail(m, off, "LONG4 byte count < 0"); break; }
            if (n <= 8) { if ((p = in_get(m, (size_t)n))) push(m, make_long_bytes(m, p, (size_t)n, (size_t)n)); }
            else if (in_skip(m, (uint64_t)n)) push(m, make_long_bytes(m, NULL, 0, (uint64_t)n));
        }
        break;
    case 'S': case 'V': {
        size_t keep = m->pfx_live < PK_PFX_BUDGET ? PK_PFX_BIG : PK_PFX;
        if (!in_line(m, keep + 2, &full)) break;
        const char *s = m->line.data ? m->line.data : "";
        size_t n = m->line.len;
        wt_buf dec;
        wt_buf_init(&dec);
        bool complete = full == n;
        if (op == 'S') {
            if (full < 2 || !(s[0] == '\'' || s[0] == '"') || (complete && s[n - 1] != s[0])) {
                wt_buf_free(&dec);
                fail(m, off, "the STRING opcode argument must be quoted (offset %llu)", (unsigned long long)off);
                break;
            }
            unescape_string(s + 1, complete ? n - 2 : n - 1, &dec);
        } else {
            unescape_raw_unicode(s, n, &dec);
        }
        uint64_t flen = complete ? dec.len : full; /* approximate when cut */
        if (!complete && flen <= dec.len) flen = dec.len + 1;
        v = new_str(m, V_STR, flen, dec.data ? dec.data : "", dec.len, 0, false);
        wt_buf_free(&dec);
        push(m, v);
        break;
    }
    case 'T':
        if ((p = in_get(m, 4))) {
            int32_t n = (int32_t)rd_u32(p);
            if (n < 0) { fail(m, off, "BINSTRING pickle has negative byte count"); break; }
            push(m, read_counted(m, V_STR, (uint64_t)n));
        }
        break;
    case 'U': case 'C': case 0x8c:
        if ((p = in_get(m, 1))) push(m, read_counted(m, op == 'C' ? V_BYTES : V_STR, p[0]));
        break;
    case 'X': case 'B':
        if ((p = in_get(m, 4))) push(m, read_counted(m, op == 'B' ? V_BYTES : V_STR, rd_u32(p)));
        break;
    case 0x8d: case 0x8e: case 0x96:
        if ((p = in_get(m, 8))) {
            uint64_t n = rd_u64(p);
            v = read_counted(m, op == 0x8d ? V_STR : V_BYTES, n);
            if (v && op == 0x96) v->flags |= F_BYTEARRAY;
            push(m, v);
        }
        break;
    case 0x97: push(m, v_new(m, V_BUF)); break;
    case 0x98: top(m, off); break;
    case ')': push(m, v_new(m, V_TUPLE)); break;
    case ']': push(m, v_new(m, V_LIST)); break;
    case '}': push(m, v_new(m, V_DICT)); break;
    case 0x8f: push(m, v_new(m, V_SET)); break;
    case 't': case 'l': case 0x91:
        if ((k = pop_mark(m, off)) >= 0 && (v = v_new(m, op == 't' ? V_TUPLE : op == 'l' ? V_LIST : V_FROZENSET))) {
            move_items(m, v, (uint32_t)k);
            push(m, v);
        }
        break;
    case 'd':
        if ((k = pop_mark(m, off)) >= 0) {
            if ((m->sp - (uint32_t)k) & 1) { fail(m, off, "odd number of items for DICT"); break; }
            if ((v = v_new(m, V_DICT))) { move_items(m, v, (uint32_t)k); v->n /= 2; push(m, v); }
        }
        break;
    case 0x85: case 0x86: case 0x87: {
        uint32_t n = (uint32_t)(op - 0x84);
        if (m->sp < fence(m) + n) { fail(m, off, "stack underflow at offset %llu", (unsigned long long)off); break; }
        if ((v = v_new(m, V_TUPLE))) { move_items(m, v, m->sp - n); push(m, v); }
        break;
    }
    case 'a':
        if (!(w = pop(m, off))) break;
        if (!(v = top(m, off))) { v_unref(m, w); break; }
        if (v->kind == V_LIST) c_add(m, v, w);
        else { hidden_method_call(m, v, "append", off, " (via APPEND)"); v_unref(m, w); }
        break;
    case 'e': case 0x90:
        if ((k = pop_mark(m, off)) < 0) break;
        if (k == 0) { fail(m, off, "stack underflow at offset %llu", (unsigned long long)off); break; }
        v = sat(m, (uint32_t)k - 1);
        if (v && v->kind == (op == 'e' ? V_LIST : V_SET)) move_items(m, v, (uint32_t)k);
        else {
            hidden_method_call(m, v, op == 'e' ? "extend" : "add", off, op == 'e' ? " (via APPENDS)" : " (via ADDITEMS)");
            drop_to(m, (uint32_t)k);
        }
        break;
    case 's':
        if (m->sp < fence(m) + 3) { fail(m, off, "stack underflow at offset %llu", (unsigned long long)off); break; }
        v = sat(m, m->sp - 3);
        if (v && v->kind == V_DICT) {
            w = pop(m, off);
            pv *key = pop(m, off);
            c_add(m, v, key); c_add(m, v, w); v->n--;
        } else {
            hidden_method_call(m, v, "__setitem__", off, " (via SETITEM)");
            drop_to(m, m->sp - 2);
        }
        break;
    case 'u':
        if ((k = pop_mark(m, off)) < 0) break;
        if (k == 0) { fail(m, off, "stack underflow at offset %llu", (unsigned long long)off); break; }
        if ((m->sp - (uint32_t)k) & 1) { fail(m, off, "odd number of items for SETITEMS"); break; }
        v = sat(m, (uint32_t)k - 1);
        if (v && v->kind == V_DICT) {
            uint64_t before = v->n;
            move_items(m, v, (uint32_t)k);
            v->n = before + (v->n - before) / 2;
        } else {
            hidden_method_call(m, v, "__setitem__", off, " (via SETITEMS)");
            drop_to(m, (uint32_t)k);
        }
        break;
    case 'g':
        if (!in_line(m, 32, &full)) break;
        {
            int64_t x; bool big;
            if (full > 32 || !parse_int_text(m->line.data ? m->line.data : "", m->line.len, &x, &big) || big || x < 0) { fail(m, off, "invalid GET argument"); break; }
            op_get(m, (uint64_t)x, off);
        }
        break;
    case 'h': case 'j':
        if ((p = in_get(m, op == 'h' ? 1 : 4))) {
            uint64_t key = op == 'h' ? p[0] : rd_u32(p);
            op_get(m, key, off);
        }
        break;
    case 'p':
        if (!in_line(m, 32, &full)) break;
        {
            int64_t x; bool big;
            if (full > 32 || !parse_int_text(m->line.data ? m->line.data : "", m->line.len, &x, &big) || big || x < 0) { fail(m, off, "invalid PUT argument"); break; }
            if ((v = top(m, off))) memo_put(m, (uint64_t)x, v, off);
        }
        break;
    case 'q': case 'r':
        if ((p = in_get(m, op == 'q' ? 1 : 4))) {
            uint64_t key = op == 'q' ? p[0] : rd_u32(p);
            if ((v = top(m, off))) memo_put(m, key, v, off);
        }
        break;
    case 0x94:
        if ((v = top(m, off))) memo_put(m, m->mlogical, v, off);
        break;
    case 'c': case 'i': {
        char *mod = NULL, *name = NULL;
        if (!read_two_lines(m, &mod, &name)) break;
        pv *g = make_global(m, mod, name, off);
        free(mod); free(name);
        if (!g) break;
        if (op == 'c') { push(m, g); break; }
        if ((k = pop_mark(m, off)) < 0) { v_unref(m, g); break; }
        if (!(v = v_new(m, V_TUPLE))) { v_unref(m, g); break; }
        move_items(m, v, (uint32_t)k);
        push(m, do_call(m, g, v, NULL, off, F_NEWOBJ, 0));
        break;
    }
    case 'o':
        if ((k = pop_mark(m, off)) < 0) break;
        if (m->sp <= (uint32_t)k) { fail(m, off, "OBJ with no class at offset %llu", (unsigned long long)off); break; }
        {
            pv *cls = sat(m, (uint32_t)k);
            cls = cls ? v_ref(cls) : v_new(m, V_UNKNOWN);
            if (!cls || !(v = v_new(m, V_TUPLE))) { v_unref(m, cls); break; }
            move_items(m, v, (uint32_t)k + 1);
            drop_to(m, (uint32_t)k);
            push(m, do_call(m, cls, v, NULL, off, F_NEWOBJ, 0));
        }
        break;
    case 0x93: op_stack_global(m, off); break;
    case 'R':
        if (!(w = pop(m, off))) break;
        if (!(v = pop(m, off))) { v_unref(m, w); break; }
        push(m, do_call(m, v, w, NULL, off, 0, 0));
        break;
    case 0x81:
        if (!(w = pop(m, off))) break;
        if (!(v = pop(m, off))) { v_unref(m, w); break; }
        push(m, do_call(m, v, w, NULL, off, F_NEWOBJ | F_TYPEINST, 0));
        break;
    case 0x92: {
        pv *kw = pop(m, off);
        if (!kw) break;
        if (!(w = pop(m, off))) { v_unref(m, kw); break; }
        if (!(v = pop(m, off))) { v_unref(m, kw); v_unref(m, w); break; }
        push(m, do_call(m, v, w, kw, off, F_NEWOBJ | F_TYPEINST, 0));
        break;
    }
    case 'b': op_build(m, off); break;
    case 'P':
        if (!in_line(m, PK_PFX, &full)) break;
        if (m->run->strict) {
            bool printable = full == m->line.len;
            for (size_t i = 0; printable && i < m->line.len; i++)
                printable = m->line.data[i] >= 0x20 && m->line.data[i] < 0x7f;
            if (!printable) { fail(m, off, "PERSID argument is not printable"); break; }
        }
        if ((w = new_str(m, V_STR, full, m->line.data ? m->line.data : "", m->line.len, 0, false)) && (v = v_new(m, V_PERSID))) {
            v->kids = kids_alloc(m, false); v->kids[0] = w; v->nkids = 1; push(m, v);
        } else v_unref(m, w);
        break;
    case 'Q':
        if (!(w = pop(m, off))) break;
        if ((v = v_new(m, V_PERSID))) { v->kids = kids_alloc(m, false); v->kids[0] = w; v->nkids = 1; push(m, v); }
        else v_unref(m, w);
        break;
    case 0x82: case 0x83: case 0x84:
        if ((p = in_get(m, op == 0x82 ? 1 : op == 0x83 ? 2 : 4))) {
            int64_t code = op == 0x82 ? p[0] : op == 0x83 ? (p[0] | p[1] << 8) : (int32_t)rd_u32(p);
            if (code <= 0) { fail(m, off, "EXT specifies code <= 0"); break; }
            if (!m->ext_reported) {
                m->ext_reported = true;
                char ev[64];
                snprintf(ev, sizeof ev, "EXT%d %lld", op == 0x82 ? 1 : op == 0x83 ? 2 : 4, (long long)code);
                emit(m, "WT-PICKLE-006", WT_SEV_HIGH, off, ev,
                     "pickle uses the copyreg extension registry (EXT opcode): the imported global depends on the "
                     "loading process and cannot be checked statically");
            }
            if ((v = v_new(m, V_EXT))) { v->u.i = code; push(m, v); }
        }
        break;
    case 0x80:
        if ((p = in_get(m, 1))) {
            if (p[0] > 5) { fail(m, off, "unsupported pickle protocol: %u", p[0]); break; }
            m->proto = p[0];
            if (p[0] > m->run->max_proto) m->run->max_proto = p[0];
        }
        break;
    case 0x95:
        if ((p = in_get(m, 8))) {
            uint64_t n = rd_u64(p);
            if (m->in_frame && off < m->frame_end) frame_divergence(m, off, "a new FRAME starts before the current frame ends");
            if (n > m->end - m->pos) {
                /* the C unpickler stops here, but pickle.py's _Unframer buffers the
                 * short rest and runs it: keep decoding it linearly */
                frame_divergence(m, off, "a FRAME runs past the end of the stream");
                m->in_frame = false;
                break;
            }
            m->in_frame = true;
            m->frame_end = m->pos + n;
        }
        break;
    default:
        fail(m, off, "invalid opcode 0x%02x at offset %llu", op, (unsigned long long)off);
        break;
    }
    if (m->in_frame && off < m->frame_end && m->pos > m->frame_end && !m->failed)
        frame_divergence(m, off, "an opcode straddles the end of its frame");
    return op;
}

static void vm_free(vm *m) {
    drop_to(m, 0);
    for (uint32_t i = 0; i < m->mhcap; i++)
        if (m->memo[i].key1) v_unref(m, m->memo[i].v);
    for (uint32_t i = 0; i < m->dcap; i++) v_unref(m, m->dense[i]);
    free(m->dense);
    /* cycles (a list appended to itself) survive refcounting: free whatever
     * is still live slab by slab */
    for (size_t s = 0; s < m->nslabs; s++) {
        for (size_t i = 0; i < SLAB; i++) {
            pv *v = &m->slabs[s][i];
            if (v->flags & F_LIVE) {
                if (!(v->flags & F_INLINE)) free(v->text);
                free(v->kids);
            }
        }
        free(m->slabs[s]);
    }
    free(m->slabs);
    for (int big = 0; big < 2; big++) {
        pv ***fl = big ? &m->kfree_big : &m->kfree;
        while (*fl) {
            pv **k = *fl;
            *fl = (pv **)k[0];
            free(k);
        }
    }
    free(m->stack);
    free(m->marks);
    free(m->memo);
    free(m->work);
    if (m->seen) {
        for (uint32_t i = 0; i < m->seencap; i++) free(m->seen[i].qual);
        free(m->seen);
    }
    wt_buf_free(&m->line);
}

/* Emit import findings for globals that were imported but never called. */
static int seen_cmp(const void *a, const void *b) {
    const seen *x = *(const seen *const *)a, *y = *(const seen *const *)b;
    if (x->off != y->off) return x->off < y->off ? -1 : 1;
    return strcmp(x->qual, y->qual);
}

/* Emit import findings for globals that were imported but never called,
 * in order of first appearance (deterministic). */
static void flush_seen(vm *m) {
    if (!m->seen) return;
    seen **list = wt_xmalloc((m->nseen + 1) * sizeof *list);
    size_t n = 0;
    for (uint32_t i = 0; i < m->seencap; i++) {
        seen *s = &m->seen[i];
        /* a getattr every appearance of which was a resolved call was judged through
         * the names it resolved to */
        if (s->qual && !s->reported && s->v.level != PK_LVL_ALLOW && !(s->pushes && s->pushes == s->resolved))
            list[n++] = s;
    }
    qsort(list, n, sizeof *list, seen_cmp);
    for (size_t i = 0; i < n; i++) report_seen(m, list[i], list[i]->off, NULL, false, NULL);
    free(list);
    for (int ri = 1; ri < PK_NRULES; ri++) {
        if (!m->nsuppressed[ri]) continue;
        char rule[16], ev[64];
        snprintf(rule, sizeof rule, "WT-PICKLE-00%d", ri);
        snprintf(ev, sizeof ev, "%u more", m->nsuppressed[ri]);
        uint32_t n = m->nsuppressed[ri];
        m->nsuppressed[ri] = 0;
        m->nemitted[ri] = 0; /* let the summary itself through */
        emit(m, rule, m->supp_sev[ri], m->supp_off[ri], ev,
             "%u more %s findings in this stream are not listed (only the first %u are)", n, rule, PK_RULE_MAX);
    }
    if (m->nminor > PK_MINOR_MAX) {
        char ev[64];
        snprintf(ev, sizeof ev, "%u more", m->nminor - PK_MINOR_MAX);
        emit(m, "WT-PICKLE-003", WT_SEV_MEDIUM, m->minor_first_dropped, ev,
             "pickle imports %u more unknown or low-risk globals (only the first %u are listed)",
             m->nminor - PK_MINOR_MAX, PK_MINOR_MAX);
    }
}

void pk_vm_run(pk_run *run) {
    vm m;
    memset(&m, 0, sizeof m);
    m.run = run;
    m.ctx = run->ctx;
    m.r = run->r;
    m.pos = run->off;
    m.end = run->end;
    wt_buf_init(&m.line);
    if (!run->bounds.max_stack) pk_bounds_default(&run->bounds);
    uint64_t max_ops = run->bounds.max_ops;
    if (!max_ops && run->ctx) {
        const wt_limits *l = wt_ctx_limits(run->ctx);
        if (l && l->max_pickle_ops) max_ops = l->max_pickle_ops;
    }
    if (!max_ops) max_ops = UINT64_MAX;
    run->result = PK_END_MALFORMED;
    run->err[0] = 0;
    bool stopped = false;
    while (!m.failed && !m.limited) {
        if (run->ops >= max_ops) {
            limit(&m, "pickle opcodes", run->ops, max_ops);
            break;
        }
        if ((run->ops & 0xFFF) == 0xFFF && m.ctx && wt_ctx_expired(m.ctx)) {
            m.limited = true; /* the core reports the time budget */
            break;
        }
        uint64_t off = m.pos;
        if (off >= m.end) {
            fail(&m, off, "stream ends at offset %llu without STOP", (unsigned long long)off);
            break;
        }
        int op = step(&m);
        run->ops++;
        if (m.failed || m.limited) break;
        if (op == '.') {
            pv *res = pop(&m, off);
            if (!res) break;
            v_unref(&m, res);
            stopped = true;
            break;
        }
    }
    run->pos = m.pos;
    if (stopped) run->result = PK_END_STOP;
    else if (m.limited) run->result = PK_END_LIMIT;
    else run->result = PK_END_MALFORMED;
    flush_seen(&m);
    if (run->result == PK_END_MALFORMED && run->emit_malformed) {
        emit(&m, "WT-PICKLE-004", WT_SEV_NONE, run->err_off, NULL,
             "malformed pickle stream (%s); a loader executes every opcode before this point", run->err);
    }
    vm_free(&m);
}
