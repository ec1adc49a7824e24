/*
 * zip.c - lenient ZIP reader and the "zip" analyzer (see zip.h).
 */
#include "zip.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/util.h"
#include "formats/torch.h"
#include "formats/unpack.h"

#define OWASP_ML06 "ML06:2023 AI Supply Chain Attacks"
#define ATLAS_SC "AML.T0010 ML Supply Chain Compromise"
#define NIST_M "MANAGE 2.3"

const wt_rule wt_zip_rules[] = {
    {"WT-ZIP-001", "ZipLocalCentralMismatch", WT_CAT_MODEL, WT_SEV_HIGH,
     "Local and central ZIP headers disagree (name, size, method or CRC)",
     "Readers that trust the central directory (torch, zipfile) and readers that walk local headers see "
     "different members; this is how scanners were bypassed (CVE-2025-1944). Both variants are scanned.",
     "CWE-20", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-002", "ZipIntegrityMismatch", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "A ZIP member's CRC-32 or decompressed size does not match its headers",
     "torch.load ignores CRCs while strict scanners reject the member and skip it (CVE-2025-10156); an "
     "honest writer never produces this. The member is scanned anyway.",
     "CWE-20", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-003", "ZipEncryptionFlag", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "A ZIP member's flag bits claim encryption or an unsupported feature",
     "zipfile refuses such members but torch reads them as plain data, so a scanner built on zipfile "
     "misses the payload (CVE-2025-1945). The member is scanned as if the flag were clear.",
     "CWE-20", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-004", "ZipHiddenLocalEntry", WT_CAT_MODEL, WT_SEV_HIGH,
     "A local ZIP entry is not referenced by the central directory",
     "Streaming readers see a member that central-directory readers do not: a classic way to smuggle "
     "content past a scanner. The hidden member is scanned.",
     "CWE-20", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-005", "ZipOverlappingEntries", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "ZIP entries overlap in the file",
     "Overlapping members are the basis of non-recursive zip bombs and of content that differs between "
     "readers; no normal writer overlaps entries.",
     "CWE-409", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-006", "ZipBomb", WT_CAT_MODEL, WT_SEV_HIGH,
     "A ZIP member exceeds the decompression ratio limit",
     "A decompression bomb exhausts memory or disk of whoever loads it (denial of service); only the "
     "part within the limits is scanned. A member that is merely larger than the size limit is a budget "
     "finding (WT-SCAN-002) instead.",
     "CWE-409", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-007", "ZipEntryOutOfBounds", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "A ZIP entry points outside the file or is truncated",
     "The file is damaged or crafted; readers disagree on what such entries contain. The bytes present "
     "are scanned.",
     "CWE-20", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-008", "ZipMalformed", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "The ZIP structure is malformed (no or inconsistent end of central directory, bad counts)",
     "Lenient loaders may still read what a strict scanner rejects; members found by walking local "
     "headers are scanned.",
     "CWE-20", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-009", "ZipPrependedData", WT_CAT_MODEL, WT_SEV_LOW,
     "Data precedes the first ZIP entry",
     "zipfile accepts a zip after arbitrary leading bytes (self-extracting style) while torch.load and np.load "
     "need it at offset 0; harmless by itself but a polyglot hint, so it is only low.",
     "CWE-20", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-010", "ZipMemberUnscannable", WT_CAT_SCAN, WT_SEV_MEDIUM,
     "A ZIP member could not be decompressed and was not scanned",
     "An unknown method, real encryption or corrupt compressed data hides the member's content from the "
     "scanner; what cannot be seen cannot be called safe.",
     "CWE-20", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-011", "ZipDuplicateName", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "Several ZIP members have the same name",
     "Readers pick different duplicates (first, last, sorted); the scanner and the loader may look at "
     "different bytes. Every duplicate is scanned.",
     "CWE-20", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-012", "ZipPathTraversal", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "A ZIP member name is absolute or climbs out of the extraction folder",
     "Loaders that extract archives (Keras, some hubs) would write outside the target folder (zip slip).",
     "CWE-22", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-013", "ZipAppendedToOtherFormat", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "A zip archive is hidden at the end of a file that starts as another format (polyglot)",
     "zipfile-based loaders (Keras .keras, zipfile.is_zipfile) open the zip while tools that look at the first "
     "bytes see a pickle or an image: two files in one, a way to slip content past one of them. The zip's "
     "members are scanned.",
     "CWE-434", OWASP_ML06, ATLAS_SC, NIST_M},
    {"WT-ZIP-014", "ZipNulInMemberName", WT_CAT_MODEL, WT_SEV_HIGH,
     "A ZIP member name contains a NUL byte",
     "Python's zipfile (Keras .keras, numpy .npz) cuts the name at the NUL ('config.json\\0.txt' is config.json) "
     "while other readers keep the whole name: the loader and a scanner see different members. Only crafted "
     "files do this; the member is handled under the name zipfile gives it.",
     "CWE-158", OWASP_ML06, ATLAS_SC, NIST_M},
};
const size_t wt_zip_nrules = sizeof wt_zip_rules / sizeof wt_zip_rules[0];

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define SIG_DD 0x08074b50u
#define EOCD_LEN 22
#define EOCD_SEARCH (65535 + EOCD_LEN)
#define CRC_MAX (64u << 20)          /* pickle-looking members up to this size get their CRC checked */
#define CRC_SMALL (1u << 20)         /* any member up to this size gets its CRC checked */
#define GAP_SEARCH_MAX (32u << 20)   /* bytes searched for hidden local headers */
#define CD_MAX (64u << 20)

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

typedef struct zent {
    char *cname, *lname;       /* NUL-safe copies (NUL bytes replaced) */
    uint16_t cflags, lflags, cmethod, lmethod;
    uint32_t ccrc, lcrc;
    uint64_t ccsize, cusize, lcsize, lusize;
    uint64_t loff, doff, end;  /* local header, data start, data end (central sizes) */
    bool local_ok, local_sizes;
    bool hidden;
    uint8_t *craw;             /* central name bytes as stored (compared raw) */
    uint16_t crawlen;
    bool name_diff;            /* local name bytes differ from the central ones */
} zent;

typedef struct zscan {
    wt_ctx *ctx;
    wt_reader *r;
    uint64_t size;
    zent *e;
    size_t n;
    wt_torch_layout torch;
    uint64_t gap_searched;
    size_t hidden;
    size_t members_done;
    bool limit_reported;
    bool appended;             /* zip found at the end of another format */
} zscan;

long wt_zip_find_eocd(const uint8_t *tail, size_t n) {
    if (n < EOCD_LEN) return -1;
    long fallback = -1;
    for (size_t i = n - EOCD_LEN + 1; i-- > 0;) {
        if (tail[i] != 'P' || rd32(tail + i) != SIG_EOCD) continue;
        uint16_t clen = rd16(tail + i + 20);
        if (i + EOCD_LEN + clen == n) return (long)i;
        if (fallback < 0) fallback = (long)i; /* comment length lies: still a candidate */
    }
    return fallback;
}

/* A member name as Python's zipfile sees it: cut at the first NUL byte
 * (ZipInfo does this), so 'config.json\0.txt' is routed as config.json. */
static char *dup_name(const uint8_t *p, size_t n) {
    const uint8_t *nul = memchr(p, 0, n);
    if (nul) n = (size_t)(nul - p);
    char *s = wt_xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = 0;
    return wt_member_name_clean(s);
}

/* ZIP64 extended information extra field: values present only for the
 * fields that are saturated in the fixed header, in this order. */
static void parse_zip64_extra(const uint8_t *x, size_t xlen, uint64_t *usize, uint64_t *csize, uint64_t *off) {
    size_t p = 0;
    while (p + 4 <= xlen) {
        uint16_t id = rd16(x + p), sz = rd16(x + p + 2);
        if (p + 4 + sz > xlen) break;
        if (id == 0x0001) {
            const uint8_t *d = x + p + 4;
            size_t q = 0;
            if (usize && *usize == 0xffffffffu && q + 8 <= sz) { *usize = rd64(d + q); q += 8; }
            if (csize && *csize == 0xffffffffu && q + 8 <= sz) { *csize = rd64(d + q); q += 8; }
            if (off && *off == 0xffffffffu && q + 8 <= sz) { *off = rd64(d + q); q += 8; }
            return;
        }
        p += 4 + sz;
    }
}

static bool read_local(zscan *z, zent *e) {
    uint8_t h[30];
    if (e->loff > z->size || z->size - e->loff < 30 || wt_reader_read_exact(z->r, e->loff, h, 30) != 0) return false;
    if (rd32(h) != SIG_LOCAL) return false;
    e->lflags = rd16(h + 6);
    e->lmethod = rd16(h + 8);
    e->lcrc = rd32(h + 14);
    e->lcsize = rd32(h + 18);
    e->lusize = rd32(h + 22);
    uint16_t nlen = rd16(h + 26), xlen = rd16(h + 28);
    uint64_t after = e->loff + 30;
    const uint8_t *nx = (uint64_t)nlen + xlen <= z->size - after ? wt_reader_view(z->r, after, (size_t)nlen + xlen) : NULL;
    if (!nx) return false;
    e->lname = dup_name(nx, nlen);
    e->name_diff = e->craw && (nlen != e->crawlen || memcmp(nx, e->craw, nlen) != 0);
    if (e->lcsize == 0xffffffffu || e->lusize == 0xffffffffu)
        parse_zip64_extra(nx + nlen, xlen, &e->lusize, &e->lcsize, NULL);
    e->doff = after + nlen + xlen;
    e->local_ok = true;
    /* bit 3: sizes and CRC come after the data; zeros here are expected */
    e->local_sizes = !((e->lflags & 8) && e->lcsize == 0 && e->lusize == 0);
    return true;
}

static void emit_at(zscan *z, const char *rule, wt_severity sev, uint64_t off, const char *evidence, const char *msg) {
    wt_location loc = wt_loc_offset(off);
    wt_emit(z->ctx, rule, sev, &loc, evidence, "%s", msg);
}

static wt_codec method_codec(uint16_t m) {
    switch (m) {
    case 8: return WT_CODEC_DEFLATE_RAW;
    case 12: return WT_CODEC_BZIP2;
    case 14: return WT_CODEC_LZMA_ZIP;
    case 93: return WT_CODEC_ZSTD;
    case 95: return WT_CODEC_XZ;
    default: return WT_CODEC_NONE;
    }
}

static uint32_t crc_of_reader(wt_reader *r, uint64_t off, uint64_t len, bool *ok) {
    uLong crc = crc32(0, NULL, 0);
    *ok = true;
    while (len) {
        size_t n = len > (1u << 20) ? (1u << 20) : (size_t)len;
        const uint8_t *p = wt_reader_view(r, off, n);
        if (!p) { *ok = false; break; }
        crc = crc32_z(crc, p, n);
        off += n;
        len -= n;
    }
    return (uint32_t)crc;
}

/* torch.load unpickles <top>/data.pkl (and TorchScript's constants.pkl)
 * whatever the bytes look like: force those through the pickle analyzer. */
static bool small_plain_text(wt_reader *r) {
    uint64_t n = wt_reader_size(r);
    if (n > 256) return false;
    uint8_t b[256];
    if (wt_reader_read_exact(r, 0, b, (size_t)n) != 0) return false;
    for (uint64_t i = 0; i < n; i++)
        if (b[i] < 0x20 ? !(b[i] == '\n' || b[i] == '\r' || b[i] == '\t') : b[i] > 0x7e) return false;
    return true;
}

static void dispatch(zscan *z, const char *name, wt_reader *r) {
    /* torch reads its small metadata records as plain values; when they are
     * short printable text there is nothing to classify (anything else is) */
    if (wt_torch_is_metadata_member(&z->torch, name) && small_plain_text(r)) return;
    if (z->torch.is_torch && wt_torch_is_loaded_pickle(&z->torch, name) && wt_analyzer_by_name("pickle"))
        wt_scan_child_as(z->ctx, name, r, "pickle");
    else
        wt_scan_child(z->ctx, name, r);
}

/* Verifying a CRC means reading the whole member: do it for small members
 * and for pickles (the members a bad CRC hides from strict scanners,
 * CVE-2025-10156), not for big weights nobody else reads in full. */
static bool worth_crc(wt_reader *r, uint64_t size) {
    if (size <= CRC_SMALL) return true;
    if (size > CRC_MAX) return false;
    uint8_t h[2];
    return wt_reader_read_exact(r, 0, h, 2) == 0 && h[0] == 0x80 && h[1] >= 2 && h[1] <= 5;
}

/* Scan one variant of a member: data at doff, compressed size csize,
 * declared size usize, method, expected crc (check_crc=false to skip). */
static void scan_member(zscan *z, const char *name, uint64_t doff, uint64_t csize, uint64_t usize, uint16_t method,
                        uint32_t crc, bool check_crc, uint16_t flags) {
    wt_ctx *ctx = z->ctx;
    if (doff > z->size) {
        char *m = wt_xasprintf("member %s starts at %llu, past the end of the file (%llu bytes)", name,
                               (unsigned long long)doff, (unsigned long long)z->size);
        emit_at(z, "WT-ZIP-007", WT_SEV_NONE, doff, name, m);
        free(m);
        return;
    }
    if (csize > z->size - doff) {
        char *m = wt_xasprintf("member %s claims %llu compressed bytes but the file ends after %llu", name,
                               (unsigned long long)csize, (unsigned long long)(z->size - doff));
        emit_at(z, "WT-ZIP-007", WT_SEV_NONE, doff, name, m);
        free(m);
        csize = z->size - doff;
        check_crc = false;
    }
    const wt_limits *lim = wt_ctx_limits(ctx);
    if (method == 0) {
        wt_reader *sub = wt_reader_new_sub(z->r, doff, csize);
        dispatch(z, name, sub);
        if (check_crc && worth_crc(sub, csize)) {
            bool ok;
            uint32_t got = crc_of_reader(sub, 0, csize, &ok);
            if (ok && got != crc) {
                char *m = wt_xasprintf("CRC-32 of %s is %08x, headers say %08x (scanned anyway)", name, got, crc);
                emit_at(z, "WT-ZIP-002", WT_SEV_NONE, doff, name, m);
                free(m);
            }
        }
        wt_reader_unref(sub);
        return;
    }
    wt_codec codec = method_codec(method);
    if (codec == WT_CODEC_NONE) {
        char *m = wt_xasprintf("member %s uses compression method %u, which cannot be decoded; not scanned", name,
                               method);
        emit_at(z, "WT-ZIP-010", WT_SEV_NONE, doff, name, m);
        free(m);
        return;
    }
    uint64_t maxm = lim->max_member_size ? lim->max_member_size : (1ull << 30);
    /* a ratio beyond the limit is a bomb; a merely large member is a budget */
    bool ratio_bomb = lim->max_ratio && usize > (1u << 20) && (csize == 0 || usize / csize > lim->max_ratio);
    if (ratio_bomb) {
        char *m = wt_xasprintf("member %s declares %llu bytes from %llu compressed (ratio %llu, limit %u); only the "
                               "part within the limits is scanned",
                               name, (unsigned long long)usize, (unsigned long long)csize,
                               (unsigned long long)(csize ? usize / csize : usize), lim->max_ratio);
        emit_at(z, "WT-ZIP-006", WT_SEV_NONE, doff, name, m);
        free(m);
    } else if (usize > maxm) {
        wt_emit_limit(ctx, "zip member decompressed size", usize, maxm);
    }
    bool reported = ratio_bomb || usize > maxm;
    bool known = usize != 0 && usize != 0xffffffffu;
    wt_unpacker *u = wt_unpacker_new(ctx, z->r, doff, csize, codec, known ? (usize < maxm ? usize + 1 : maxm) : 0);
    wt_reader *child;
    if (known) {
        child = wt_unpacker_lazy_reader(u, usize < maxm ? usize : maxm);
    } else {
        wt_unpacker_fill_all(u);
        size_t len;
        const uint8_t *d = wt_unpacker_data(u, &len);
        child = wt_reader_new_mem(d ? (const void *)d : (const void *)"", len, false);
    }
    dispatch(z, name, child);
    /* Finish the stream (bounded) when it is small enough to verify. */
    bool verify = known && worth_crc(child, usize);
    if (verify) wt_unpacker_fill(u, usize + 1);
    wt_unpack_state st = wt_unpacker_state(u);
    size_t outlen;
    const uint8_t *out = wt_unpacker_data(u, &outlen);
    if (wt_unpack_state_is_cap(st) && !(known && st == WT_UNPACK_CAP_MEMBER && outlen == usize + 1)) {
        if (reported || st == WT_UNPACK_CAP_TOTAL) goto done; /* already reported */
        if (st == WT_UNPACK_CAP_MEMBER) {
            wt_emit_limit(ctx, "zip member decompressed size", outlen, maxm);
            goto done;
        }
        char *m = wt_xasprintf("member %s: %s after %zu decompressed bytes from %llu compressed; the rest is not "
                               "scanned", name, wt_unpack_state_text(st), outlen, (unsigned long long)csize);
        emit_at(z, "WT-ZIP-006", WT_SEV_NONE, doff, name, m);
        free(m);
    } else if (st == WT_UNPACK_CORRUPT || st == WT_UNPACK_TRUNCATED || st == WT_UNPACK_UNSUPPORTED) {
        bool enc = flags & 1;
        char *m = wt_xasprintf("member %s: %s%s%s after %zu bytes%s", name, wt_unpack_state_text(st),
                               wt_unpacker_error(u)[0] ? ": " : "", wt_unpacker_error(u), outlen,
                               enc ? " (the member may really be encrypted)" : "");
        emit_at(z, outlen ? "WT-ZIP-002" : "WT-ZIP-010", WT_SEV_NONE, doff, name, m);
        free(m);
    } else if (known && (st == WT_UNPACK_END || (st == WT_UNPACK_CAP_MEMBER && outlen == usize + 1)) &&
               verify) {
        if (outlen != usize) {
            char *m = wt_xasprintf("member %s decompresses to %s bytes than the %llu declared", name,
                                   outlen > usize ? "more" : "fewer", (unsigned long long)usize);
            emit_at(z, "WT-ZIP-002", WT_SEV_NONE, doff, name, m);
            free(m);
        } else if (check_crc) {
            uint32_t got = (uint32_t)crc32_z(crc32(0, NULL, 0), out, outlen);
            if (got != crc) {
                char *m = wt_xasprintf("CRC-32 of %s is %08x, headers say %08x (scanned anyway)", name, got, crc);
                emit_at(z, "WT-ZIP-002", WT_SEV_NONE, doff, name, m);
                free(m);
            }
        }
    }
done:
    wt_reader_unref(child); /* a lazy reader frees u */
    if (!known) wt_unpacker_free(u);
}

static bool is_dir_entry(const char *name, uint64_t usize) {
    size_t n = strlen(name);
    return n && name[n - 1] == '/' && usize == 0;
}

static bool bad_path(const char *name) {
    if (name[0] == '/' || name[0] == '\\') return true;
    if (name[0] && name[1] == ':') return true;
    const char *p = name;
    while (*p) {
        const char *s = p;
        while (*p && *p != '/' && *p != '\\') p++;
        if (p - s == 2 && s[0] == '.' && s[1] == '.') return true;
        if (*p) p++;
    }
    return false;
}

static void check_flags(zscan *z, zent *e) {
    /* bit 0 encrypted, bit 5 patched data, bit 6 strong encryption, bit 13
     * masked central directory: zipfile refuses these, torch ignores them */
    uint16_t odd = (e->cflags | (e->local_ok ? e->lflags : 0)) & (1u | 0x20u | 0x40u | 0x2000u);
    if (!odd) return;
    char *m = wt_xasprintf("member %s has flag bits 0x%04x (%s%s%s%s); torch reads it as plain data, so it is scanned "
                           "as if the flag were clear", e->cname, odd, odd & 1 ? "encrypted " : "",
                           odd & 0x20 ? "patched " : "", odd & 0x40 ? "strong-encryption " : "",
                           odd & 0x2000 ? "masked-directory " : "");
    emit_at(z, "WT-ZIP-003", WT_SEV_NONE, e->loff, e->cname, m);
    free(m);
}

static bool limit_members(zscan *z) {
    const wt_limits *lim = wt_ctx_limits(z->ctx);
    if (lim->max_members && z->members_done >= lim->max_members) {
        if (!z->limit_reported) {
            wt_emit_limit(z->ctx, "zip members", z->members_done + 1, lim->max_members);
            z->limit_reported = true;
        }
        return true;
    }
    z->members_done++;
    return false;
}

/* Scan a central-directory entry: the central view, and the local view if
 * it differs. */
static void scan_entry(zscan *z, zent *e) {
    if (!e->local_ok) {
        char *m = wt_xasprintf("member %s: no local header at offset %llu", e->cname, (unsigned long long)e->loff);
        emit_at(z, e->loff >= z->size ? "WT-ZIP-007" : "WT-ZIP-008", WT_SEV_NONE, e->loff, e->cname, m);
        free(m);
        return;
    }
    bool name_diff = e->name_diff;
    bool method_diff = e->cmethod != e->lmethod;
    bool size_diff = e->local_sizes && (e->lcsize != e->ccsize || e->lusize != e->cusize);
    bool crc_diff = e->local_sizes && !(e->lflags & 8) && e->lcrc != e->ccrc;
    if (name_diff || method_diff || size_diff || crc_diff) {
        wt_buf b;
        wt_buf_init(&b);
        wt_buf_printf(&b, "local and central headers of %s disagree:", e->cname);
        if (name_diff) wt_buf_printf(&b, " name (local \"%s\")", e->lname);
        if (method_diff) wt_buf_printf(&b, " method (central %u, local %u)", e->cmethod, e->lmethod);
        if (size_diff)
            wt_buf_printf(&b, " sizes (central %llu/%llu, local %llu/%llu)", (unsigned long long)e->ccsize,
                          (unsigned long long)e->cusize, (unsigned long long)e->lcsize, (unsigned long long)e->lusize);
        if (crc_diff) wt_buf_printf(&b, " crc (central %08x, local %08x)", e->ccrc, e->lcrc);
        wt_buf_puts(&b, "; every variant is scanned");
        char *ev = wt_shorten(e->lname, strlen(e->lname), 120);
        emit_at(z, "WT-ZIP-001", WT_SEV_NONE, e->loff, ev, b.data);
        free(ev);
        wt_buf_free(&b);
    }
    if (e->craw && memchr(e->craw, 0, e->crawlen)) {
        char *raw = wt_shorten((const char *)e->craw, e->crawlen, 120);
        char *m = wt_xasprintf("member name contains a NUL byte: Python's zipfile reads it as \"%s\"", e->cname);
        emit_at(z, "WT-ZIP-014", WT_SEV_NONE, e->loff, raw, m);
        free(m);
        free(raw);
    }
    if (bad_path(e->cname) || (name_diff && bad_path(e->lname))) {
        char *m = wt_xasprintf("member name %s would be extracted outside the target folder", e->cname);
        emit_at(z, "WT-ZIP-012", WT_SEV_NONE, e->loff, e->cname, m);
        free(m);
    }
    check_flags(z, e);
    if (is_dir_entry(e->cname, e->cusize) && e->ccsize == 0) return;
    /* torch copies raw storages and never unpickles them: do not read them,
     * unless the headers disagree about what this member is */
    if (z->torch.is_torch && !name_diff && !method_diff && !size_diff && wt_torch_is_storage_member(&z->torch, e->cname))
        return;
    if (limit_members(z)) return;
    scan_member(z, e->cname, e->doff, e->ccsize, e->cusize, e->cmethod, e->ccrc, true, e->cflags);
    if (method_diff || size_diff || name_diff) {
        if (!method_diff && !size_diff) return; /* same bytes: already scanned */
        char *vname = name_diff ? wt_xstrdup(e->lname) : wt_xasprintf("%s@local", e->cname);
        if (!limit_members(z))
            scan_member(z, vname, e->doff, e->local_sizes ? e->lcsize : e->ccsize, e->local_sizes ? e->lusize : e->cusize,
                        e->lmethod, e->lcrc, e->local_sizes && !(e->lflags & 8), e->lflags);
        free(vname);
    }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_loff(const void *a, const void *b) {
    const zent *x = *(const zent *const *)a, *y = *(const zent *const *)b;
    return x->loff < y->loff ? -1 : x->loff > y->loff;
}

/* Parse and scan a local entry that no central record covers (hidden, or
 * every entry when the central directory is unusable). Returns the offset
 * after it, or pos+4 if it cannot be parsed. */
static uint64_t scan_local_at(zscan *z, uint64_t pos, uint64_t end, bool hidden) {
    zent e = {0};
    e.loff = pos;
    if (!read_local(z, &e)) { free(e.lname); return pos + 4; }
    uint64_t csize = e.lcsize, usize = e.lusize;
    bool know_size = e.local_sizes;
    if (!know_size) {
        /* data descriptor follows the data: find where the data ends */
        if (e.lmethod == 0) {
            csize = end > e.doff ? end - e.doff : 0;
            uint64_t p = e.doff;
            while (p + 4 <= end && p - e.doff < GAP_SEARCH_MAX) {
                size_t n = end - p > 65536 ? 65536 : (size_t)(end - p);
                const uint8_t *v = wt_reader_view(z->r, p, n);
                if (!v) break;
                const uint8_t *hit = memmem(v, n, "PK\x07\x08", 4);
                if (hit) { csize = p + (uint64_t)(hit - v) - e.doff; break; }
                if (n < 4) break;
                p += n - 3;
            }
            usize = csize;
        } else if (method_codec(e.lmethod) != WT_CODEC_NONE) {
            wt_unpacker *u = wt_unpacker_new(z->ctx, z->r, e.doff, end > e.doff ? end - e.doff : 0,
                                             method_codec(e.lmethod), 0);
            usize = wt_unpacker_fill_all(u);
            csize = wt_unpacker_consumed(u);
            wt_unpacker_free(u);
        }
    }
    if (hidden) {
        char *m = wt_xasprintf("local entry %s at offset %llu is not in the central directory; scanned", e.lname,
                               (unsigned long long)pos);
        emit_at(z, "WT-ZIP-004", WT_SEV_NONE, pos, e.lname, m);
        free(m);
    }
    e.cname = e.lname;
    e.cflags = e.lflags;
    check_flags(z, &e);
    e.cname = NULL;
    if (!is_dir_entry(e.lname, usize) && !limit_members(z)) {
        char *name = hidden ? wt_xasprintf("%s@%llu", e.lname, (unsigned long long)pos) : wt_xstrdup(e.lname);
        scan_member(z, name, e.doff, csize, usize, e.lmethod, e.lcrc, know_size, e.lflags);
        free(name);
    }
    free(e.lname);
    uint64_t next = e.doff + csize;
    if (next <= pos) next = pos + 4;
    return next;
}

/* Search [a, b) for local headers no central record covers. */
static void search_gap(zscan *z, uint64_t a, uint64_t b) {
    const wt_limits *lim = wt_ctx_limits(z->ctx);
    uint64_t p = a;
    while (p + 30 <= b && !wt_ctx_expired(z->ctx)) {
        if (z->gap_searched >= GAP_SEARCH_MAX) {
            wt_emit_limit(z->ctx, "bytes searched for hidden zip entries", z->gap_searched + (b - p), GAP_SEARCH_MAX);
            z->gap_searched = UINT64_MAX / 2;
            return;
        }
        size_t n = b - p > 65536 ? 65536 : (size_t)(b - p);
        const uint8_t *v = wt_reader_view(z->r, p, n);
        if (!v) return;
        const uint8_t *hit = memmem(v, n, "PK\x03\x04", 4);
        if (!hit) {
            z->gap_searched += n;
            if (n < 30) return;
            p += n - 3;
            continue;
        }
        uint64_t at = p + (uint64_t)(hit - v);
        z->gap_searched += at - p + 4;
        if (lim->max_members && z->hidden >= lim->max_members) return;
        z->hidden++;
        p = scan_local_at(z, at, b, true);
        if (p > b) return;
    }
}

/* No usable central directory: walk local headers from the first one. */
static void walk_locals(zscan *z) {
    uint64_t p = 0;
    size_t n = 0;
    while (p + 30 <= z->size && !wt_ctx_expired(z->ctx)) {
        uint8_t sig[4];
        if (wt_reader_read_exact(z->r, p, sig, 4) != 0) break;
        if (rd32(sig) == SIG_LOCAL) {
            p = scan_local_at(z, p, z->size, false);
            if (++n > 1000000) break;
            continue;
        }
        /* skip a data descriptor, stop at the central directory */
        if (rd32(sig) == SIG_DD) { p += 16; continue; }
        if (rd32(sig) == SIG_CENTRAL || rd32(sig) == SIG_EOCD) break;
        search_gap(z, p, z->size);
        break;
    }
}

static void set_kind(zscan *z, const char *kind) {
    if (!z->appended) wt_ctx_set_kind(z->ctx, kind); /* the format at the start names the artifact */
}

static void detect_kind(zscan *z) {
    const char **names = wt_xcalloc(z->n ? z->n : 1, sizeof *names);
    size_t npy = 0, files = 0;
    bool keras_cfg = false, keras_meta = false;
    for (size_t i = 0; i < z->n; i++) {
        names[i] = z->e[i].cname;
        if (is_dir_entry(z->e[i].cname, z->e[i].cusize)) continue;
        files++;
        if (wt_str_endswith_ci(z->e[i].cname, ".npy")) npy++;
        if (strcmp(z->e[i].cname, "config.json") == 0) keras_cfg = true;
        if (strcmp(z->e[i].cname, "metadata.json") == 0) keras_meta = true;
    }
    wt_torch_zip_layout(names, z->n, &z->torch);
    free(names);
    if (z->torch.is_torch) {
        set_kind(z, z->torch.is_torchscript ? "torchscript-zip" : "pytorch-zip");
        wt_ctx_set_class(z->ctx, WT_CLASS_MODEL);
        wt_torch_zip_report(z->ctx, &z->torch);
    } else if (files && npy == files) {
        set_kind(z, "numpy-npz");
        wt_ctx_set_class(z->ctx, WT_CLASS_MODEL);
    } else if (keras_cfg && keras_meta) {
        set_kind(z, "keras-v3");
        wt_ctx_set_class(z->ctx, WT_CLASS_MODEL);
    } else {
        set_kind(z, "zip");
        if (wt_is_model_extension(wt_ctx_name(z->ctx))) wt_ctx_set_class(z->ctx, WT_CLASS_MODEL);
    }
}

static void free_entries(zscan *z) {
    for (size_t i = 0; i < z->n; i++) {
        free(z->e[i].cname);
        free(z->e[i].lname);
        free(z->e[i].craw);
    }
    free(z->e);
}

/* Locate the central directory. Returns false when there is none usable. */
static bool find_cd(zscan *z, uint64_t *cd_off, uint64_t *cd_size, uint64_t *count, uint64_t *concat) {
    uint64_t size = z->size;
    size_t tl = size < 1024 ? (size_t)size : 1024;
    const uint8_t *tail = wt_reader_view(z->r, size - tl, tl);
    long at = tail ? wt_zip_find_eocd(tail, tl) : -1;
    if (at < 0 && tl < size) {
        tl = size < EOCD_SEARCH ? (size_t)size : EOCD_SEARCH;
        tail = wt_reader_view(z->r, size - tl, tl);
        at = tail ? wt_zip_find_eocd(tail, tl) : -1;
    }
    if (at < 0) return false;
    uint64_t eocd = size - tl + (uint64_t)at;
    uint8_t h[EOCD_LEN];
    if (wt_reader_read_exact(z->r, eocd, h, EOCD_LEN) != 0) return false;
    *count = rd16(h + 10);
    *cd_size = rd32(h + 12);
    *cd_off = rd32(h + 16);
    uint64_t cd_end = eocd;
    /* ZIP64 locator just before the EOCD */
    uint8_t loc[20];
    if (eocd >= 20 && wt_reader_read_exact(z->r, eocd - 20, loc, 20) == 0 && rd32(loc) == SIG_LOC64) {
        uint64_t z64 = rd64(loc + 8);
        uint8_t r64[56];
        /* the locator's offset ignores prepended data; try it, then the record just before the locator */
        uint64_t cands[2] = {z64, eocd >= 20 + 56 ? eocd - 20 - 56 : UINT64_MAX};
        for (int i = 0; i < 2; i++) {
            if (cands[i] == UINT64_MAX || cands[i] > size || size - cands[i] < 56) continue;
            if (wt_reader_read_exact(z->r, cands[i], r64, 56) != 0 || rd32(r64) != SIG_EOCD64) continue;
            *count = rd64(r64 + 32);
            *cd_size = rd64(r64 + 40);
            *cd_off = rd64(r64 + 48);
            cd_end = cands[i];
            break;
        }
    }
    *concat = 0;
    if (*cd_size <= cd_end) {
        uint64_t real = cd_end - *cd_size;
        if (real > *cd_off) *concat = real - *cd_off;
    }
    if (*cd_size > cd_end || *cd_off + *concat > size || *cd_size > size - (*cd_off + *concat)) return false;
    return true;
}

static int zip_scan(wt_ctx *ctx, wt_reader *r, bool appended) {
    zscan z = {.ctx = ctx, .r = r, .size = wt_reader_size(r), .appended = appended};
    const wt_limits *lim = wt_ctx_limits(ctx);
    uint64_t cd_off = 0, cd_size = 0, count = 0, concat = 0;
    if (z.size < 22 || !find_cd(&z, &cd_off, &cd_size, &count, &concat)) {
        emit_at(&z, "WT-ZIP-008", WT_SEV_NONE, 0, NULL,
                "no usable end of central directory; members are read by walking local headers");
        wt_ctx_set_kind(ctx, "zip");
        walk_locals(&z);
        return WT_OK;
    }
    if (cd_size > CD_MAX) {
        wt_emit_limit(ctx, "zip central directory bytes", cd_size, CD_MAX);
        cd_size = CD_MAX;
    }
    const uint8_t *cd = cd_size ? wt_reader_view(r, cd_off + concat, (size_t)cd_size) : (const uint8_t *)"";
    if (!cd) { wt_emit_error(ctx, "cannot read the zip central directory"); return WT_OK; }
    /* copy: later views may invalidate this one */
    uint8_t *cdc = wt_xmalloc(cd_size ? (size_t)cd_size : 1);
    memcpy(cdc, cd, (size_t)cd_size);
    size_t cap = 16;
    z.e = wt_xcalloc(cap, sizeof *z.e);
    uint64_t p = 0;
    bool truncated_cd = false;
    uint32_t max_members = lim->max_members ? lim->max_members : 100000;
    while (p + 46 <= cd_size && rd32(cdc + p) == SIG_CENTRAL) {
        if (z.n >= max_members) {
            wt_emit_limit(ctx, "zip central directory entries", count > z.n ? count : z.n + 1, max_members);
            z.limit_reported = true;
            break;
        }
        const uint8_t *c = cdc + p;
        uint16_t nlen = rd16(c + 28), xlen = rd16(c + 30), clen = rd16(c + 32);
        if (p + 46 + nlen + xlen + clen > cd_size) { truncated_cd = true; break; }
        if (z.n == cap) { cap *= 2; z.e = wt_xrealloc(z.e, cap * sizeof *z.e); }
        zent *e = &z.e[z.n++];
        memset(e, 0, sizeof *e);
        e->cflags = rd16(c + 8);
        e->cmethod = rd16(c + 10);
        e->ccrc = rd32(c + 16);
        e->ccsize = rd32(c + 20);
        e->cusize = rd32(c + 24);
        e->loff = rd32(c + 42);
        e->cname = dup_name(c + 46, nlen);
        e->craw = wt_xmalloc(nlen ? nlen : 1);
        memcpy(e->craw, c + 46, nlen);
        e->crawlen = nlen;
        parse_zip64_extra(c + 46 + nlen, xlen, &e->cusize, &e->ccsize, &e->loff);
        if (e->loff <= UINT64_MAX - concat) e->loff += concat;
        p += 46 + nlen + xlen + clen;
    }
    free(cdc);
    if (truncated_cd || (z.n != count && !z.limit_reported)) {
        char *m = wt_xasprintf("central directory lists %zu readable entries, the end record says %llu", z.n,
                               (unsigned long long)count);
        emit_at(&z, "WT-ZIP-008", WT_SEV_LOW, cd_off + concat, NULL, m);
        free(m);
    }
    for (size_t i = 0; i < z.n; i++) {
        read_local(&z, &z.e[i]);
        zent *e = &z.e[i];
        e->end = e->local_ok ? e->doff + e->ccsize : e->loff;
    }
    detect_kind(&z);
    /* layout: prepended data, duplicates, overlaps */
    zent **order = wt_xcalloc(z.n ? z.n : 1, sizeof *order);
    for (size_t i = 0; i < z.n; i++) order[i] = &z.e[i];
    qsort(order, z.n, sizeof *order, cmp_loff);
    if (!appended && (concat > 0 || (z.n && order[0]->loff > 0 && order[0]->loff < z.size))) {
        uint64_t first = z.n ? order[0]->loff : concat;
        char *m = wt_xasprintf("%llu bytes precede the first zip entry", (unsigned long long)first);
        emit_at(&z, "WT-ZIP-009", WT_SEV_NONE, 0, NULL, m);
        free(m);
    }
    size_t overlaps = 0;
    uint64_t maxend = 0;
    const zent *ov_first = NULL;
    for (size_t i = 0; i < z.n; i++) {
        if (i && order[i]->local_ok && order[i]->loff < maxend) { overlaps++; if (!ov_first) ov_first = order[i]; }
        if (order[i]->end > maxend) maxend = order[i]->end;
    }
    if (overlaps) {
        char *m = wt_xasprintf("%zu zip entries overlap earlier entries (first: %s)", overlaps, ov_first->cname);
        emit_at(&z, "WT-ZIP-005", WT_SEV_NONE, ov_first->loff, ov_first->cname, m);
        free(m);
    }
    {
        char **nm = wt_xcalloc(z.n ? z.n : 1, sizeof *nm);
        for (size_t i = 0; i < z.n; i++) nm[i] = z.e[i].cname;
        qsort(nm, z.n, sizeof *nm, cmp_str);
        size_t dups = 0;
        const char *first = NULL;
        for (size_t i = 1; i < z.n; i++)
            if (strcmp(nm[i], nm[i - 1]) == 0 && !is_dir_entry(nm[i], 0)) { dups++; if (!first) first = nm[i]; }
        if (dups) {
            char *m = wt_xasprintf("%zu zip members repeat an earlier name (first: %s); every copy is scanned", dups,
                                   first);
            emit_at(&z, "WT-ZIP-011", WT_SEV_NONE, 0, first, m);
            free(m);
        }
        free(nm);
    }
    /* scan every central entry */
    for (size_t i = 0; i < z.n && !wt_ctx_expired(ctx); i++) scan_entry(&z, &z.e[i]);
    /* hidden local entries in the gaps between covered ranges (not when the
     * member limit cut the directory short: the rest would look hidden) */
    uint64_t pos = 0;
    bool cut = z.limit_reported;
    for (size_t i = 0; i < z.n && !cut && !wt_ctx_expired(ctx); i++) {
        zent *e = order[i];
        if (!e->local_ok) continue;
        if (e->loff > pos && e->loff - pos >= 30) search_gap(&z, pos, e->loff);
        uint64_t end = e->end > z.size ? z.size : e->end;
        if (e->cflags & 8) {
            /* skip the data descriptor */
            uint8_t d[4];
            if (end + 4 <= z.size && wt_reader_read_exact(r, end, d, 4) == 0 && rd32(d) == SIG_DD) end += 16;
            else end += 12;
        }
        if (end > pos) pos = end;
    }
    uint64_t cd_start = cd_off + concat;
    if (!cut && cd_start > pos && cd_start - pos >= 30) search_gap(&z, pos, cd_start);
    free(order);
    free_entries(&z);
    return WT_OK;
}

static int zip_analyze(wt_ctx *ctx, wt_reader *r) { return zip_scan(ctx, r, false); }

/* ---- a zip at the end of another format (polyglot) ----
 * zipfile (and so Keras, zipfile.is_zipfile) finds a zip by its end record,
 * whatever precedes it; torch and numpy look at the first bytes. When the
 * start of a file is something else (a pickle, an image), the zip behind it
 * is a second view that must be scanned too. */
static int tail_probe(const char *name, const uint8_t *h, size_t n, uint64_t size) {
    if (size < EOCD_LEN + 30) return 0;
    if (n >= 4 && (rd32(h) == SIG_LOCAL || rd32(h) == SIG_EOCD)) return 0;
    if (size <= n) {
        /* all bytes are in the head: only if an end record is there */
        long at = wt_zip_find_eocd(h, n);
        if (at < 0 || (size_t)at + EOCD_LEN + rd16(h + at + 20) != n) return 0;
    }
    /* the zip analyzer itself handles what it wins */
    return wt_classify(name, h, n, size) == &wt_zip_analyzer ? 0 : 1;
}

static int tail_analyze(wt_ctx *ctx, wt_reader *r) {
    /* top-level artifacts only: for members the end may sit behind a
     * decompressor, and reading it would inflate the whole member */
    if (wt_ctx_depth(ctx) > 0) return WT_OK;
    zscan z = {.ctx = ctx, .r = r, .size = wt_reader_size(r)};
    uint64_t cd_off, cd_size, count, concat;
    if (!find_cd(&z, &cd_off, &cd_size, &count, &concat)) return WT_OK;
    /* require a real central directory where the end record says */
    uint8_t sig[4];
    if (count == 0 || cd_size < 46 || wt_reader_read_exact(r, cd_off + concat, sig, 4) != 0 || rd32(sig) != SIG_CENTRAL)
        return WT_OK;
    uint8_t c[46];
    if (wt_reader_read_exact(r, cd_off + concat, c, 46) != 0) return WT_OK;
    uint64_t first = (uint64_t)rd32(c + 42) + concat;
    char *m = wt_xasprintf("a zip archive starts at offset %llu, after content of another format; zipfile-based "
                           "loaders open it, tools that read the start do not (its members are scanned)",
                           (unsigned long long)first);
    emit_at(&z, "WT-ZIP-013", WT_SEV_NONE, first, NULL, m);
    free(m);
    return zip_scan(ctx, r, true);
}

const wt_analyzer wt_zip_tail_analyzer = {
    .name = "zip-appended",
    .klass = WT_CLASS_OTHER,
    .exclusive = false,
    .probe = tail_probe,
    .analyze = tail_analyze,
    .rules = NULL,
    .nrules = 0,
};

static int zip_probe(const char *name, const uint8_t *h, size_t n, uint64_t size) {
    if (n >= 4 && rd32(h) == SIG_LOCAL) return 90;
    if (n >= 4 && rd32(h) == SIG_EOCD) return 60; /* empty zip */
    /* prepended data: accept if an end of central directory sits at the end
     * of a small file we were fully shown */
    if (size >= EOCD_LEN && size == n) {
        long at = wt_zip_find_eocd(h, n);
        if (at >= 0 && (size_t)at + EOCD_LEN + rd16(h + at + 20) == n) return 40;
    }
    /* a short prefix before the first local header */
    if (n >= 34 && memmem(h, n, "PK\x03\x04", 4)) {
        const uint8_t *at = memmem(h, n, "PK\x03\x04", 4);
        size_t left = n - (size_t)(at - h);
        if (left >= 30 && rd16(at + 4) <= 63 && (rd16(at + 8) == 0 || rd16(at + 8) == 8)) return 30;
    }
    return 0;
}

const wt_analyzer wt_zip_analyzer = {
    .name = "zip",
    .klass = WT_CLASS_OTHER,
    .exclusive = true,
    .probe = zip_probe,
    .analyze = zip_analyze,
    .rules = wt_zip_rules,
    .nrules = sizeof wt_zip_rules / sizeof wt_zip_rules[0],
};
