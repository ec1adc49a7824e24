/*
 * marshal.c - a bounded decoder for Python's marshal format, enough to list
 * the names and constants of code objects (Keras Lambda layers store
 * marshal.dumps(func.__code__) base64-encoded). Never executes anything.
 *
 * Code object layouts differ by Python version; the decoder tells them
 * apart structurally: 3.8-3.10 have six leading ints, 3.7 and 3.11+ five;
 * after co_names, 3.11+ has localsplusnames + localspluskinds (bytes) and
 * two trailing objects, older versions a tuple of freevars and one.
 */
#include <string.h>

#include "model_formats.h"

#define M_MAX_DEPTH 64
#define M_MAX_OBJECTS 200000
#define M_MAX_REFS 65536
#define M_MAX_LIST 4096 /* bytes of names/consts text kept */

enum { ROLE_NONE, ROLE_NAMES, ROLE_CONSTS };

typedef struct mref {
    uint8_t type;
    uint32_t off, len; /* string payload */
} mref;

typedef struct mval {
    uint8_t type;      /* normalised type char */
    const uint8_t *s;  /* string payload if a string/bytes */
    uint32_t slen;
} mval;

typedef struct mstate {
    const uint8_t *p;
    size_t len, pos;
    int depth;
    size_t nobj;
    mref refs[M_MAX_REFS];
    size_t nrefs;
    wt_marshal_info *mi;
    const wt_fmt_table *danger;
} mstate;

static bool rd_u8(mstate *m, uint8_t *v)
{
    if (m->pos >= m->len)
        return false;
    *v = m->p[m->pos++];
    return true;
}

static bool rd_i32(mstate *m, int32_t *v)
{
    if (m->len - m->pos < 4 || m->pos > m->len)
        return false;
    const uint8_t *q = m->p + m->pos;
    *v = (int32_t)((uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24);
    m->pos += 4;
    return true;
}

static bool skip(mstate *m, size_t n)
{
    if (m->pos > m->len || m->len - m->pos < n)
        return false;
    m->pos += n;
    return true;
}

static void list_add(wt_buf *b, const uint8_t *s, size_t n)
{
    if (b->len > M_MAX_LIST)
        return;
    char *item = wt_shorten(s, n, 48);
    size_t il = strlen(item);
    /* dedupe: exact item between separators */
    const char *d = b->data;
    while (d && *d) {
        const char *e = strstr(d, ", ");
        size_t l = e ? (size_t)(e - d) : strlen(d);
        if (l == il && memcmp(d, item, il) == 0) {
            free(item);
            return;
        }
        d = e ? e + 2 : NULL;
    }
    if (b->len)
        wt_buf_puts(b, ", ");
    wt_buf_puts(b, item);
    free(item);
}

static void note_string(mstate *m, int role, const uint8_t *s, size_t n)
{
    if (role == ROLE_NONE || n == 0)
        return;
    list_add(role == ROLE_NAMES ? &m->mi->names : &m->mi->consts, s, n);
    if (n < 64 && m->danger->nrows) {
        char tmp[64];
        memcpy(tmp, s, n);
        tmp[n] = 0;
        if (wt_fmt_table_find(m->danger, tmp) >= 0)
            list_add(&m->mi->dangerous, s, n);
    }
}

static int obj(mstate *m, int role, mval *out);

static int code_obj(mstate *m)
{
    int32_t iv;
    for (int i = 0; i < 5; i++)
        if (!rd_i32(m, &iv))
            return -1;
    if (m->pos >= m->len)
        return -1;
    bool six = (m->p[m->pos] & 0x7f) != 's';
    if (six && !rd_i32(m, &iv))
        return -1;
    mval v;
    if (obj(m, ROLE_NONE, &v) < 0) /* co_code */
        return -1;
    m->mi->ncode++;
    if (obj(m, ROLE_CONSTS, &v) < 0)
        return -1;
    if (obj(m, ROLE_NAMES, &v) < 0)
        return -1;
    if (obj(m, ROLE_NONE, &v) < 0) /* varnames | localsplusnames */
        return -1;
    mval b;
    if (obj(m, ROLE_NONE, &b) < 0) /* freevars | localspluskinds */
        return -1;
    bool v311 = !six && b.type == 's';
    m->mi->layout = six ? 38 : (v311 ? 311 : 37);
    for (int i = 0; i < 3; i++) /* cellvars,filename,name | filename,name,qualname */
        if (obj(m, i == 2 ? ROLE_NONE : ROLE_NONE, &v) < 0)
            return -1;
    if (!rd_i32(m, &iv)) /* firstlineno */
        return -1;
    for (int i = 0; i < (v311 ? 2 : 1); i++)
        if (obj(m, ROLE_NONE, &v) < 0)
            return -1;
    return 0;
}

static int container(mstate *m, int role, int64_t n)
{
    if (n < 0 || (uint64_t)n > m->len)
        return -1;
    for (int64_t i = 0; i < n; i++) {
        mval v;
        if (obj(m, role, &v) < 0)
            return -1;
    }
    return 0;
}

static int obj(mstate *m, int role, mval *out)
{
    uint8_t code;
    memset(out, 0, sizeof *out);
    if (++m->nobj > M_MAX_OBJECTS || m->depth > M_MAX_DEPTH)
        return -1;
    if (!rd_u8(m, &code))
        return -1;
    bool flag = code & 0x80;
    uint8_t t = code & 0x7f;
    size_t refidx = (size_t)-1;
    if (flag) {
        if (m->nrefs >= M_MAX_REFS)
            return -1;
        refidx = m->nrefs++;
        m->refs[refidx].type = t;
        m->refs[refidx].off = 0;
        m->refs[refidx].len = 0;
    }
    out->type = t;
    int32_t n = 0;
    int rc = 0;
    m->depth++;
    switch (t) {
    case '0': case 'N': case 'F': case 'T': case 'S': case '.':
        break;
    case 'i':
        rc = rd_i32(m, &n) ? 0 : -1;
        break;
    case 'I':
        rc = skip(m, 8) ? 0 : -1;
        break;
    case 'g':
        rc = skip(m, 8) ? 0 : -1;
        break;
    case 'y':
        rc = skip(m, 16) ? 0 : -1;
        break;
    case 'f': {
        uint8_t l;
        rc = (rd_u8(m, &l) && skip(m, l)) ? 0 : -1;
        break;
    }
    case 'x': {
        uint8_t l;
        rc = (rd_u8(m, &l) && skip(m, l) && rd_u8(m, &l) && skip(m, l)) ? 0 : -1;
        break;
    }
    case 'l':
        if (!rd_i32(m, &n) || n == INT32_MIN) {
            rc = -1;
            break;
        }
        rc = skip(m, (size_t)(n < 0 ? -(int64_t)n : n) * 2) ? 0 : -1;
        break;
    case 's': case 't': case 'u': case 'a': case 'A': case 'z': case 'Z': {
        uint32_t l;
        if (t == 'z' || t == 'Z') {
            uint8_t b;
            if (!rd_u8(m, &b)) {
                rc = -1;
                break;
            }
            l = b;
        } else {
            if (!rd_i32(m, &n) || n < 0) {
                rc = -1;
                break;
            }
            l = (uint32_t)n;
        }
        size_t start = m->pos;
        if (!skip(m, l)) {
            rc = -1;
            break;
        }
        out->type = (t == 's') ? 's' : 'u';
        out->s = m->p + start;
        out->slen = l;
        if (refidx != (size_t)-1) {
            m->refs[refidx].type = out->type;
            m->refs[refidx].off = (uint32_t)start;
            m->refs[refidx].len = l;
        }
        if (out->type == 'u' || role == ROLE_CONSTS)
            note_string(m, role, out->s, l);
        break;
    }
    case '(': case '[': case '<': case '>':
        rc = rd_i32(m, &n) ? container(m, role, n) : -1;
        out->type = '(';
        break;
    case ')': {
        uint8_t b;
        rc = rd_u8(m, &b) ? container(m, role, b) : -1;
        out->type = '(';
        break;
    }
    case '{':
        for (;;) {
            if (m->pos >= m->len) {
                rc = -1;
                break;
            }
            if (m->p[m->pos] == '0') {
                m->pos++;
                break;
            }
            mval k, v;
            if (obj(m, ROLE_NONE, &k) < 0 || obj(m, ROLE_NONE, &v) < 0) {
                rc = -1;
                break;
            }
        }
        break;
    case 'c':
        rc = code_obj(m);
        break;
    case 'r': {
        if (!rd_i32(m, &n) || n < 0 || (size_t)n >= m->nrefs) {
            rc = -1;
            break;
        }
        mref *r = &m->refs[n];
        out->type = r->type;
        if (r->len && (r->type == 's' || r->type == 'u')) {
            out->s = m->p + r->off;
            out->slen = r->len;
            if (r->type == 'u' || role == ROLE_CONSTS)
                note_string(m, role, out->s, out->slen);
        }
        break;
    }
    default:
        rc = -1;
    }
    m->depth--;
    return rc;
}

void wt_marshal_info_init(wt_marshal_info *mi)
{
    memset(mi, 0, sizeof *mi);
    wt_buf_init(&mi->names);
    wt_buf_init(&mi->consts);
    wt_buf_init(&mi->dangerous);
}

void wt_marshal_info_fini(wt_marshal_info *mi)
{
    wt_buf_free(&mi->names);
    wt_buf_free(&mi->consts);
    wt_buf_free(&mi->dangerous);
}

int wt_marshal_scan(const uint8_t *p, size_t len, wt_marshal_info *mi)
{
    mstate *m = wt_xcalloc(1, sizeof *m);
    m->p = p;
    m->len = p ? len : 0;
    m->mi = mi;
    m->danger = wt_fmt_table_get("code_names.tsv", 2);
    mval v;
    int rc = obj(m, ROLE_NONE, &v);
    if (rc == 0 && v.type != 'c')
        rc = -1;
    free(m);
    return rc;
}
