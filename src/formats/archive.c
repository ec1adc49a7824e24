/*
 * archive.c - tar, 7z/rar (libarchive) and compressed streams (see archive.h).
 */
#include "archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "formats/torch.h"
#include "formats/unpack.h"

#define OWASP_ML06 "ML06:2023 AI Supply Chain Attacks"
#define ATLAS_SC "AML.T0010 ML Supply Chain Compromise"

static const wt_rule archive_rules[] = {
    {"WT-ARCHIVE-001", "ArchiveBomb", WT_CAT_MODEL, WT_SEV_HIGH,
     "An archive member or compressed stream exceeds the compression ratio limit",
     "A decompression bomb exhausts memory or disk of whoever unpacks it; only the part within the limits is "
     "scanned.",
     "CWE-409", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
    {"WT-ARCHIVE-002", "ArchiveMalformed", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "An archive or compressed stream is truncated, corrupt or has bad header checksums",
     "Tools disagree on damaged archives (some stop, some skip, some read on); what could be read was scanned.",
     "CWE-20", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
    {"WT-ARCHIVE-003", "ArchivePathTraversal", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "An archive member name is absolute or climbs out of the extraction folder",
     "Extracting the archive (tarfile.extractall, unzip scripts in model loaders) writes outside the target "
     "folder.",
     "CWE-22", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
    {"WT-ARCHIVE-004", "ArchiveMemberUnscannable", WT_CAT_SCAN, WT_SEV_MEDIUM,
     "An archive member is encrypted or uses an unsupported format and was not scanned",
     "Content the scanner cannot see cannot be called safe; a password-protected model archive hides its pickles.",
     "CWE-20", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
};

static const wt_stream_rules archive_stream_rules = {"WT-ARCHIVE-001", "WT-ARCHIVE-002", "WT-ARCHIVE-004"};

static bool bad_path(const char *name) {
    if (name[0] == '/' || name[0] == '\\') return true;
    const char *p = name;
    while (*p) {
        const char *s = p;
        while (*p && *p != '/' && *p != '\\') p++;
        if (p - s == 2 && s[0] == '.' && s[1] == '.') return true;
        if (*p) p++;
    }
    return false;
}

/* A PyTorch-shaped member layout packed in another archive (nullifAI used
 * 7z): <folder>/data.pkl is a pickle by definition, whatever its bytes look
 * like, so it goes to the pickle analyzer; everything else by content. */
static bool torch_data_pkl(const char *name) {
    const char *slash = strchr(name, '/');
    return slash && slash != name && strcasecmp(slash + 1, "data.pkl") == 0;
}

static void dispatch_member(wt_ctx *ctx, const char *name, wt_reader *r) {
    if (torch_data_pkl(name) && wt_analyzer_by_name("pickle")) wt_scan_child_as(ctx, name, r, "pickle");
    else wt_scan_child(ctx, name, r);
}

/* ---------------- tar ---------------- */
typedef struct tmember {
    char *name;
    uint64_t off, size;
} tmember;

static bool tar_number(const uint8_t *f, size_t n, uint64_t *out) {
    if (f[0] & 0x80) { /* GNU base-256 */
        uint64_t v = f[0] & 0x3f;
        for (size_t i = 1; i < n; i++) {
            if (v >> 56) return false;
            v = v << 8 | f[i];
        }
        *out = v;
        return true;
    }
    size_t i = 0;
    while (i < n && (f[i] == ' ' || f[i] == 0)) i++;
    uint64_t v = 0;
    bool any = false;
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v >> 60) return false;
        v = v * 8 + (uint64_t)(f[i] - '0');
        any = true;
    }
    *out = any ? v : 0;
    return true;
}

static bool tar_checksum_ok(const uint8_t *h) {
    uint64_t want;
    if (!tar_number(h + 148, 8, &want)) return false;
    uint64_t s = 0, ss = 0;
    for (int i = 0; i < 512; i++) {
        uint8_t c = (i >= 148 && i < 156) ? ' ' : h[i];
        s += c;
        ss += (uint64_t)(int64_t)(int8_t)c;
    }
    return s == want || ss == want;
}

static bool all_zero(const uint8_t *h, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (h[i]) return false;
    return true;
}

static char *field_str(const uint8_t *f, size_t n) {
    size_t l = 0;
    while (l < n && f[l]) l++;
    return wt_xstrndup((const char *)f, l);
}

/* pax records "len key=value\n": pick path and size */
static void pax_parse(const uint8_t *d, size_t n, char **path, uint64_t *size, bool *has_size) {
    size_t p = 0;
    while (p < n) {
        size_t q = p;
        uint64_t len = 0;
        while (q < n && d[q] >= '0' && d[q] <= '9' && len < n) len = len * 10 + (uint64_t)(d[q++] - '0');
        if (q >= n || d[q] != ' ' || len == 0 || len > n - p) return;
        const uint8_t *rec = d + q + 1, *end = d + p + len - 1; /* end at '\n' */
        if (rec > end) return;
        const uint8_t *eq = memchr(rec, '=', (size_t)(end - rec));
        if (eq) {
            size_t kl = (size_t)(eq - rec);
            if (kl == 4 && memcmp(rec, "path", 4) == 0) {
                free(*path);
                *path = wt_xstrndup((const char *)eq + 1, (size_t)(end - eq - 1));
            } else if (kl == 4 && memcmp(rec, "size", 4) == 0) {
                uint64_t v = 0;
                for (const uint8_t *c = eq + 1; c < end && *c >= '0' && *c <= '9' && v < (1ull << 60); c++)
                    v = v * 10 + (uint64_t)(*c - '0');
                *size = v;
                *has_size = true;
            }
        }
        p += (size_t)len;
    }
}

static const char *legacy_base(const char *name) {
    if (name[0] == '.' && name[1] == '/') name += 2;
    return name;
}

static void tar_scan_members(wt_ctx *ctx, wt_reader *r, tmember *m, size_t n) {
    bool has_pickle = false, has_other = false;
    for (size_t i = 0; i < n; i++) {
        const char *b = legacy_base(m[i].name);
        if (strcmp(b, "pickle") == 0) has_pickle = true;
        if (strcmp(b, "sys_info") == 0 || strcmp(b, "storages") == 0 || strcmp(b, "tensors") == 0) has_other = true;
    }
    bool legacy = has_pickle && has_other;
    bool have_pickle_an = wt_analyzer_by_name("pickle") != NULL;
    if (legacy) {
        wt_ctx_set_kind(ctx, "pytorch-legacy-tar");
        wt_ctx_set_class(ctx, WT_CLASS_MODEL);
    } else {
        /* a NeMo checkpoint (.nemo) is a tar of model_config.yaml + weights */
        for (size_t i = 0; i < n; i++) {
            if (strcmp(legacy_base(m[i].name), "model_config.yaml") == 0) {
                wt_ctx_set_kind(ctx, "nemo");
                wt_ctx_set_class(ctx, WT_CLASS_MODEL);
                break;
            }
        }
    }
    for (size_t i = 0; i < n && !wt_ctx_expired(ctx); i++) {
        const char *b = legacy_base(m[i].name);
        if (legacy && (strcmp(b, "pickle") == 0 || strcmp(b, "sys_info") == 0) && have_pickle_an) {
            wt_reader *sub = wt_reader_new_sub(r, m[i].off, m[i].size);
            wt_scan_child_as(ctx, m[i].name, sub, "pickle");
            wt_reader_unref(sub);
        } else if (legacy && (strcmp(b, "storages") == 0 || strcmp(b, "tensors") == 0)) {
            /* torch unpickles a count, then one pickle per record between raw data */
            wt_torch_legacy_records(ctx, r, m[i].off, m[i].size, m[i].name, strcmp(b, "storages") == 0);
        } else {
            wt_reader *sub = wt_reader_new_sub(r, m[i].off, m[i].size);
            dispatch_member(ctx, m[i].name, sub);
            wt_reader_unref(sub);
        }
    }
}

static int tar_analyze(wt_ctx *ctx, wt_reader *r) {
    const wt_limits *lim = wt_ctx_limits(ctx);
    uint64_t size = wt_reader_size(r), pos = 0;
    wt_ctx_set_kind(ctx, "tar");
    wt_vec ms = {0};
    char *longname = NULL, *paxpath = NULL;
    uint64_t paxsize = 0;
    bool has_paxsize = false, bad_sum_reported = false, traversal_reported = false, link_reported = false;
    size_t nmem = 0;
    while (!wt_ctx_expired(ctx)) {
        if (pos >= size) break;
        if (size - pos < 512) {
            wt_location loc = wt_loc_offset(pos);
            wt_emit(ctx, "WT-ARCHIVE-002", WT_SEV_LOW, &loc, NULL, "tar ends with %llu bytes of a partial header",
                    (unsigned long long)(size - pos));
            break;
        }
        uint8_t h[512];
        if (wt_reader_read_exact(r, pos, h, 512) != 0) break;
        if (all_zero(h, 512)) break;
        bool magic = memcmp(h + 257, "ustar", 5) == 0;
        if (!tar_checksum_ok(h)) {
            wt_location loc = wt_loc_offset(pos);
            if (!magic) {
                wt_emit(ctx, "WT-ARCHIVE-002", WT_SEV_NONE, &loc, NULL,
                        "tar header at offset %llu is invalid; the rest of the archive is not read",
                        (unsigned long long)pos);
                break;
            }
            if (!bad_sum_reported) {
                wt_emit(ctx, "WT-ARCHIVE-002", WT_SEV_NONE, &loc, NULL,
                        "tar header checksum is wrong at offset %llu (read anyway)", (unsigned long long)pos);
                bad_sum_reported = true;
            }
        }
        uint64_t msize;
        if (!tar_number(h + 124, 12, &msize)) msize = UINT64_MAX;
        if (has_paxsize) msize = paxsize;
        char type = (char)h[156];
        uint64_t data = pos + 512;
        if (msize > size - data) {
            wt_location loc = wt_loc_offset(pos);
            wt_emit(ctx, "WT-ARCHIVE-002", WT_SEV_NONE, &loc, NULL,
                    "tar member at offset %llu claims %llu bytes, only %llu remain (truncated)",
                    (unsigned long long)pos, (unsigned long long)msize, (unsigned long long)(size - data));
            msize = size - data;
        }
        uint64_t next = data + ((msize + 511) & ~(uint64_t)511);
        if (next < data) break;
        if (type == 'L' || type == 'x' || type == 'g' || type == 'K') {
            size_t dl = msize > 65536 ? 65536 : (size_t)msize;
            const uint8_t *d = wt_reader_view(r, data, dl);
            if (d && type == 'L') { free(longname); longname = field_str(d, dl); }
            if (d && type == 'x') pax_parse(d, dl, &paxpath, &paxsize, &has_paxsize);
            pos = next;
            continue;
        }
        char *name;
        if (paxpath) name = wt_xstrdup(paxpath);
        else if (longname) name = wt_xstrdup(longname);
        else {
            char *nm = field_str(h, 100);
            /* the prefix field exists in POSIX ustar ("ustar\0"); GNU tar
             * ("ustar  ") keeps access times there */
            char *pre = magic && h[262] == 0 ? field_str(h + 345, 155) : wt_xstrdup("");
            name = pre[0] ? wt_xasprintf("%s/%s", pre, nm) : wt_xstrdup(nm);
            free(nm);
            free(pre);
        }
        wt_member_name_clean(name);
        free(longname); longname = NULL;
        free(paxpath); paxpath = NULL;
        has_paxsize = false;
        if (!traversal_reported && bad_path(name)) {
            wt_location loc = wt_loc_offset(pos);
            char *ev = wt_shorten(name, strlen(name), 120);
            wt_emit(ctx, "WT-ARCHIVE-003", WT_SEV_NONE, &loc, ev,
                    "tar member %s would be extracted outside the target folder", ev);
            free(ev);
            traversal_reported = true;
        }
        if ((type == '1' || type == '2') && !link_reported) {
            /* a link whose target leaves the folder: extracting it and then a
             * member through it writes anywhere (tarfile before the 3.12 filters) */
            char *target = field_str(h + 157, 100);
            if (bad_path(target)) {
                wt_location loc = wt_loc_offset(pos);
                char *ev = wt_xasprintf("%s -> %s", name, target);
                char *evs = wt_shorten(ev, strlen(ev), 160);
                wt_emit(ctx, "WT-ARCHIVE-003", WT_SEV_NONE, &loc, evs,
                        "tar member %s is a %s to %s, outside the target folder", name,
                        type == '2' ? "symbolic link" : "hard link", target);
                free(evs);
                free(ev);
                link_reported = true;
            }
            free(target);
        }
        if (type == '0' || type == 0 || type == '7' || type == 'S') {
            if (lim->max_members && nmem >= lim->max_members) {
                wt_emit_limit(ctx, "tar members", nmem + 1, lim->max_members);
                free(name);
                break;
            }
            tmember *t = wt_xcalloc(1, sizeof *t);
            t->name = name;
            t->off = data;
            t->size = msize;
            wt_vec_push(&ms, t);
            nmem++;
        } else {
            free(name);
        }
        pos = next;
    }
    free(longname);
    free(paxpath);
    tmember *arr = wt_xcalloc(ms.len ? ms.len : 1, sizeof *arr);
    for (size_t i = 0; i < ms.len; i++) arr[i] = *(tmember *)ms.items[i];
    tar_scan_members(ctx, r, arr, ms.len);
    for (size_t i = 0; i < ms.len; i++) free(arr[i].name);
    free(arr);
    wt_vec_free(&ms, free);
    return WT_OK;
}

/* ---------------- libarchive (7z, rar) ---------------- */
typedef struct la_src {
    wt_reader *r;
    uint64_t pos;
    uint8_t buf[65536];
} la_src;

static la_ssize_t la_read(struct archive *a, void *cd, const void **out) {
    la_src *s = cd;
    long long n = wt_reader_read(s->r, s->pos, s->buf, sizeof s->buf);
    if (n < 0) { archive_set_error(a, EIO, "read error"); return -1; }
    s->pos += (uint64_t)n;
    *out = s->buf;
    return (la_ssize_t)n;
}

static la_int64_t la_seek(struct archive *a, void *cd, la_int64_t off, int whence) {
    la_src *s = cd;
    int64_t size = (int64_t)wt_reader_size(s->r), base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)s->pos : size;
    int64_t np = base + off;
    if (np < 0) return ARCHIVE_FATAL;
    if (np > size) np = size;
    s->pos = (uint64_t)np;
    return np;
}

static la_int64_t la_skip(struct archive *a, void *cd, la_int64_t req) {
    la_src *s = cd;
    uint64_t size = wt_reader_size(s->r);
    if (req < 0) return 0;
    uint64_t n = (uint64_t)req > size - s->pos ? size - s->pos : (uint64_t)req;
    s->pos += n;
    return (la_int64_t)n;
}

static int la_analyze(wt_ctx *ctx, wt_reader *r, const char *kind) {
    const wt_limits *lim = wt_ctx_limits(ctx);
    wt_ctx_set_kind(ctx, kind);
    struct archive *a = archive_read_new();
    archive_read_support_format_7zip(a);
    archive_read_support_format_rar(a);
    archive_read_support_format_rar5(a);
    archive_read_support_format_cpio(a);
    archive_read_support_filter_all(a);
    la_src *s = wt_xcalloc(1, sizeof *s);
    s->r = r;
    archive_read_set_read_callback(a, la_read);
    archive_read_set_seek_callback(a, la_seek);
    archive_read_set_skip_callback(a, la_skip);
    archive_read_set_callback_data(a, s);
    uint64_t archsize = wt_reader_size(r);
    uint64_t maxm = lim->max_member_size ? lim->max_member_size : (1ull << 30);
    if (archive_read_open1(a) != ARCHIVE_OK) {
        wt_emit(ctx, "WT-ARCHIVE-002", WT_SEV_NONE, NULL, NULL, "%s archive cannot be opened: %s", kind,
                archive_error_string(a) ? archive_error_string(a) : "unknown error");
        goto out;
    }
    size_t n = 0;
    bool traversal_reported = false, torch_layout = false;
    for (;;) {
        /* once the decompression budget is spent (a bomb, reported once),
         * even walking headers would inflate the rest of a compressed tar */
        if (wt_ctx_expired(ctx) || wt_ctx_unpack_spent(ctx)) break;
        struct archive_entry *e;
        int rc = archive_read_next_header(a, &e);
        if (rc == ARCHIVE_EOF) break;
        if (rc < ARCHIVE_WARN) {
            wt_emit(ctx, "WT-ARCHIVE-002", WT_SEV_NONE, NULL, NULL, "%s archive is damaged after %zu members: %s", kind, n,
                    archive_error_string(a) ? archive_error_string(a) : "unknown error");
            break;
        }
        const char *nm = archive_entry_pathname(e);
        char *name = wt_member_name_clean(wt_xstrdup(nm ? nm : "(unnamed)"));
        if (!traversal_reported && bad_path(name)) {
            wt_emit(ctx, "WT-ARCHIVE-003", WT_SEV_NONE, NULL, name, "%s member %s would be extracted outside the "
                    "target folder", kind, name);
            traversal_reported = true;
        }
        if (archive_entry_filetype(e) != AE_IFREG) { free(name); continue; }
        /* nullifAI: a PyTorch checkpoint's members packed with 7z instead of zip */
        if (torch_data_pkl(name) && !torch_layout) {
            torch_layout = true;
            char *k = wt_xasprintf("pytorch-%s", kind);
            wt_ctx_set_kind(ctx, k);
            free(k);
            wt_ctx_set_class(ctx, WT_CLASS_MODEL);
        }
        if (lim->max_members && n >= lim->max_members) {
            wt_emit_limit(ctx, "archive members", n + 1, lim->max_members);
            free(name);
            break;
        }
        n++;
        if (archive_entry_is_encrypted(e)) {
            wt_emit(ctx, "WT-ARCHIVE-004", WT_SEV_NONE, NULL, name, "%s member %s is encrypted and was not scanned", kind,
                    name);
            free(name);
            continue;
        }
        wt_buf b;
        wt_buf_init(&b);
        bool stopped = false, bomb = false, damaged = false, too_big = false;
        uint8_t chunk[65536];
        for (;;) {
            la_ssize_t got = archive_read_data(a, chunk, sizeof chunk);
            if (got == 0) break;
            if (got < 0) { damaged = true; break; }
            if (b.len + (size_t)got > maxm) { too_big = true; stopped = true; break; }
            wt_buf_append(&b, chunk, (size_t)got);
            if (!wt_ctx_charge_unpacked(ctx, (uint64_t)got)) { stopped = true; break; }
            if (lim->max_ratio && b.len > (1u << 20) && b.len / (archsize ? archsize : 1) > lim->max_ratio) {
                bomb = true;
                stopped = true;
                break;
            }
            if (wt_ctx_expired(ctx)) { stopped = true; break; }
        }
        if (bomb)
            wt_emit(ctx, "WT-ARCHIVE-001", WT_SEV_NONE, NULL, name,
                    "%s member %s exceeds the compression ratio limit after %zu bytes; only that prefix is scanned",
                    kind, name, b.len);
        if (too_big) wt_emit_limit(ctx, "archive member decompressed size", b.len + 1, maxm);
        if (damaged)
            wt_emit(ctx, "WT-ARCHIVE-002", WT_SEV_NONE, NULL, name, "%s member %s could not be fully decoded: %s", kind,
                    name, archive_error_string(a) ? archive_error_string(a) : "error");
        size_t len = b.len;
        wt_reader *mr = wt_reader_new_mem(wt_buf_steal(&b), len, true);
        dispatch_member(ctx, name, mr);
        wt_reader_unref(mr);
        free(name);
        if (damaged && len == 0) break;
        if (stopped && wt_ctx_expired(ctx)) break;
    }
out:
    archive_read_free(a);
    free(s);
    return WT_OK;
}

/* ---------------- dispatch ---------------- */
static int archive_probe(const char *name, const uint8_t *h, size_t n, uint64_t size) {
    if (n >= 263 && memcmp(h + 257, "ustar", 5) == 0) return 80;
    if (n >= 6 && memcmp(h, "7z\xbc\xaf\x27\x1c", 6) == 0) return 90;
    if (n >= 7 && memcmp(h, "Rar!\x1a\x07", 6) == 0) return 80;
    wt_codec c = wt_codec_sniff(h, n);
    switch (c) {
    case WT_CODEC_GZIP: case WT_CODEC_XZ: case WT_CODEC_ZSTD: return 85;
    case WT_CODEC_BZIP2: return 80;
    case WT_CODEC_LZMA_ALONE: return 40;
    default: return 0;
    }
}

static int archive_analyze(wt_ctx *ctx, wt_reader *r) {
    uint8_t h[512];
    long long n = wt_reader_read(r, 0, h, sizeof h);
    if (n < 0) return WT_ERR_IO;
    size_t hl = (size_t)n;
    if (hl >= 263 && memcmp(h + 257, "ustar", 5) == 0) return tar_analyze(ctx, r);
    if (hl >= 6 && memcmp(h, "7z\xbc\xaf\x27\x1c", 6) == 0) return la_analyze(ctx, r, "7z");
    if (hl >= 7 && memcmp(h, "Rar!\x1a\x07", 6) == 0) return la_analyze(ctx, r, "rar");
    wt_codec c = wt_codec_sniff(h, hl);
    wt_ctx_set_kind(ctx, wt_codec_name(c));
    /* no class here: if the decoded content is a model its analyzer says so,
     * and a model-named stream that decodes to nothing recognisable stays
     * "unscannable model" for the core */
    return wt_unpack_scan_stream(ctx, r, 0, c, &archive_stream_rules);
}

const wt_analyzer wt_archive_analyzer = {
    .name = "archive",
    .klass = WT_CLASS_OTHER,
    .exclusive = true,
    .probe = archive_probe,
    .analyze = archive_analyze,
    .rules = archive_rules,
    .nrules = sizeof archive_rules / sizeof archive_rules[0],
};
