/*
 * pickle.c - the `pickle` analyzer: content probe, concatenated streams,
 * rule metadata. Decoding lives in pickle_vm.c, judging in pickle_policy.c.
 */
#include "formats/pickle/pickle.h"

#include <string.h>

#include "core/util.h"
#include "formats/pickle/pickle_policy.h"
#include "formats/pickle/pickle_vm.h"

#define PK_STD_CWE "CWE-502"
#define PK_STD_OWASP "ML06:2023 AI Supply Chain Attacks"
#define PK_STD_ATLAS "AML.T0010 ML Supply Chain Compromise; AML.T0011 User Execution"
#define PK_STD_NIST "MANAGE 2.3"
#define PK_MAX_STREAMS 4096

static const wt_rule k_rules[] = {
    {"WT-PICKLE-001", "PickleDangerousGlobal", WT_CAT_MODEL, WT_SEV_CRITICAL,
     "Pickle imports or calls a global that executes code or touches the OS, files, network or interpreter",
     "Unpickling runs the call: loading the model is enough to run the attacker's code.", PK_STD_CWE,
     PK_STD_OWASP, PK_STD_ATLAS, PK_STD_NIST},
    {"WT-PICKLE-002", "PickleSuspiciousGlobal", WT_CAT_MODEL, WT_SEV_HIGH,
     "Pickle uses an indirection (attribute walk, computed name, attrgetter/partial) or a global that enables one",
     "Such indirections are how payloads hide from name-based scanners; no known-good model needs them.",
     PK_STD_CWE, PK_STD_OWASP, PK_STD_ATLAS, PK_STD_NIST},
    {"WT-PICKLE-003", "PickleUnknownGlobal", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "Pickle imports a global that is not on the allowlist of globals used by known-good models",
     "Any importable callable runs at load time; an unknown one must be reviewed before the file is trusted.",
     PK_STD_CWE, PK_STD_OWASP, PK_STD_ATLAS, PK_STD_NIST},
    {"WT-PICKLE-004", "PickleMalformedStream", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "Pickle stream is truncated or corrupt (bad opcode, stack underflow, missing STOP)",
     "A loader executes every opcode before the break; broken streams are a known trick to crash scanners "
     "after the payload ran.", PK_STD_CWE, PK_STD_OWASP, PK_STD_ATLAS, PK_STD_NIST},
    {"WT-PICKLE-005", "PickleFrameDivergence", WT_CAT_MODEL, WT_SEV_HIGH,
     "FRAME lengths disagree with the opcodes inside them",
     "Unpicklers and scanners that honour frames differently execute different programs (CPython issue "
     "154848); the pickler never writes such frames.", PK_STD_CWE, PK_STD_OWASP, PK_STD_ATLAS, PK_STD_NIST},
    {"WT-PICKLE-006", "PickleExtensionOpcode", WT_CAT_MODEL, WT_SEV_HIGH,
     "Pickle uses EXT1/EXT2/EXT4 (copyreg extension registry)",
     "The global behind an extension code depends on the loading process and cannot be checked statically.",
     PK_STD_CWE, PK_STD_OWASP, PK_STD_ATLAS, PK_STD_NIST},
    {"WT-PICKLE-007", "PickleNestedPickle", WT_CAT_MODEL, WT_SEV_HIGH,
     "Pickle unpickles embedded bytes (pickle.loads, dill.loads, torch.load ... on data inside the stream)",
     "A second-stage pickle hides its imports from scanners that only read the outer stream; the inner stream is "
     "decoded and reported too.", PK_STD_CWE, PK_STD_OWASP, PK_STD_ATLAS, PK_STD_NIST},
    {"WT-PICKLE-008", "PickleBuildOnGlobal", WT_CAT_MODEL, WT_SEV_HIGH,
     "Pickle BUILD sets state on an imported class, function or module instead of a new instance",
     "Overwriting attributes of imported objects changes code that runs later (monkey-patching at load time).",
     PK_STD_CWE, PK_STD_OWASP, PK_STD_ATLAS, PK_STD_NIST},
};

/* ---------------- probe ---------------- */

/* First opcodes pickle.dumps writes for protocols 0 and 1. */
static bool opener_p0(uint8_t b) {
    return b && strchr("(]})cNILFSVXUTJKMGi", b) != NULL;
}

/* Opcodes of protocols 2-5 that can also start a stream: PROTO is optional and
 * pickle.loads runs b"\x8c\x02os\x8c\x06system\x93..." as is. */
static bool opener_nohdr(uint8_t b) {
    switch (b) {
    case 'B': case 'C':                        /* BINBYTES, SHORT_BINBYTES */
    case 0x82: case 0x83: case 0x84:           /* EXT1/2/4 */
    case 0x88: case 0x89: case 0x8a: case 0x8b: /* NEWTRUE/NEWFALSE, LONG1/LONG4 */
    case 0x8c: case 0x8d: case 0x8e: case 0x8f: /* SHORT_BINUNICODE, BINUNICODE8, BINBYTES8, EMPTY_SET */
    case 0x95: case 0x96:                      /* FRAME, BYTEARRAY8 */
        return true;
    default: return false;
    }
}

/* Openers of a bare scalar: short text often decodes as one ("G" + 8 bytes
 * + "."), so such a stream must be the whole input or be long. */
static bool scalar_opener(uint8_t b) {
    return b && strchr("NILFSVXUTJKMG", b) != NULL;
}

static bool valid_opcode(uint8_t b) {
    if (b >= 0x80 && b <= 0x98) return true;
    return b && strchr("(.012FIJKLMNPQRSTUVXabcdeghijloprstu})]GBC", b) != NULL;
}

bool wt_pickle_looks_like(const uint8_t *buf, size_t len, uint64_t size) {
    if (len < 2) return false;
    bool proto = buf[0] == 0x80;
    if (proto) {
        if (buf[1] > 5) return false;
        if (buf[1] >= 2) return len < 3 || valid_opcode(buf[2]);
    } else if (!opener_p0(buf[0]) && !opener_nohdr(buf[0])) {
        return false;
    }
    /* protocol 0/1 (or an explicit PROTO 0/1): decode the head strictly */
    wt_reader *r = wt_reader_new_mem(buf, len, false);
    if (!r) return false;
    pk_run run;
    memset(&run, 0, sizeof run);
    run.r = r;
    run.end = len;
    pk_bounds_default(&run.bounds);
    run.bounds.max_ops = 4096;
    run.strict = true;
    pk_vm_run(&run);
    wt_reader_unref(r);
    if (run.result == PK_END_STOP) {
        if (run.ops < 2) return false;
        if (!proto && (scalar_opener(buf[0]) || opener_nohdr(buf[0])) && run.pos != size && run.ops < 8) return false;
        return true;
    }
    /* cut by the end of the head: plausible if it decoded a while */
    bool cut = size > len && strstr(run.err, "truncated") != NULL;
    bool eoh = size > len && strstr(run.err, "without STOP") != NULL;
    return (cut || eoh) && run.ops >= 16 && run.pos >= 64;
}

int wt_pickle_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size) {
    (void)name;
    if (headlen < 2) return 0;
    if (!wt_pickle_looks_like(head, headlen, size)) return 0;
    if (head[0] == 0x80 && head[1] >= 2) return 90;
    return 70;
}

/* ---------------- scanning ---------------- */

static int scan(wt_ctx *ctx, wt_reader *r, uint64_t off, uint64_t *consumed, bool many) {
    uint64_t size = wt_reader_size(r);
    uint64_t pos = off, done = off;
    int rc = WT_OK;
    if (ctx && pk_policy_error()) wt_emit_error(ctx, "pickle policy: %s", pk_policy_error());
    for (int n = 0; pos < size; n++) {
        if (n >= PK_MAX_STREAMS) {
            if (ctx) wt_emit_limit(ctx, "concatenated pickle streams", (uint64_t)n, PK_MAX_STREAMS);
            rc = WT_ERR_LIMIT;
            break;
        }
        if (n > 0) {
            uint64_t avail = size - pos;
            size_t hl = avail < WT_PROBE_HEAD ? (size_t)avail : WT_PROBE_HEAD;
            const uint8_t *h = wt_reader_view(r, pos, hl);
            if (!h || !wt_pickle_looks_like(h, hl, avail)) break;
        }
        pk_dedupe *dd = ctx ? pk_dedupe_new() : NULL;
        pk_run run;
        memset(&run, 0, sizeof run);
        run.ctx = ctx;
        run.r = r;
        run.off = pos;
        run.end = size;
        pk_bounds_default(&run.bounds);
        run.emit_malformed = n == 0;
        run.dedupe = dd;
        pk_vm_run(&run);
        if (run.joblib_arrays && ctx) {
            /* joblib.load steps over array bytes, plain pickle.load executes
             * them as opcodes: report what only the second view contains */
            pk_run plain;
            memset(&plain, 0, sizeof plain);
            plain.ctx = ctx;
            plain.r = r;
            plain.off = pos;
            plain.end = size;
            pk_bounds_default(&plain.bounds);
            plain.plain = true;
            plain.dedupe = dd;
            plain.note = "when loaded with plain pickle.load instead of joblib.load: ";
            pk_vm_run(&plain);
        }
        pk_dedupe_free(dd);
        if (run.result == PK_END_LIMIT) {
            rc = WT_ERR_LIMIT;
            break;
        }
        if (run.result == PK_END_MALFORMED) {
            if (n == 0) {
                rc = WT_ERR_FORMAT;
            } else if (ctx && (run.globals || run.findings)) {
                wt_location loc = wt_loc_offset(run.err_off);
                wt_emit(ctx, "WT-PICKLE-004", WT_SEV_NONE, &loc, NULL,
                        "malformed pickle stream #%d (starting at offset %llu): %s; a loader executes every opcode "
                        "before this point", n + 1, (unsigned long long)pos, run.err);
            }
            break;
        }
        done = run.pos;
        pos = run.pos;
        if (!many) break;
    }
    if (consumed) *consumed = done - off;
    return rc;
}

int wt_pickle_scan(wt_ctx *ctx, wt_reader *r, uint64_t off, uint64_t *consumed) {
    return scan(ctx, r, off, consumed, true);
}

int wt_pickle_scan_one(wt_ctx *ctx, wt_reader *r, uint64_t off, uint64_t *consumed) {
    return scan(ctx, r, off, consumed, false);
}

static int pickle_analyze(wt_ctx *ctx, wt_reader *r) {
    wt_ctx_set_kind(ctx, "pickle");
    wt_ctx_set_class(ctx, WT_CLASS_MODEL);
    uint64_t used = 0, size = wt_reader_size(r);
    int rc = scan(ctx, r, 0, &used, true);
    /* pickle + zip polyglot: pickle.load / legacy torch.load run the pickle, zipfile-based
     * loaders (Keras .keras, zipfile.is_zipfile) read the zip at the end. Scan both views.
     * Top-level files get this from the zip-appended analyzer; this covers nested members. */
    if (rc == WT_OK && wt_ctx_depth(ctx) > 0 && used > 0 && used < size && size - used >= 22) {
        /* the end record is within its 22 bytes + a comment of up to 65535 */
        size_t tl = size - used < 22 + 65535 ? (size_t)(size - used) : 22 + 65535;
        const uint8_t *t = wt_reader_view(r, size - tl, tl);
        bool eocd = false;
        for (size_t i = 0; t && i + 22 <= tl && !eocd; i++)
            eocd = t[i] == 'P' && t[i + 1] == 'K' && t[i + 2] == 5 && t[i + 3] == 6;
        if (eocd && wt_analyzer_by_name("zip")) {
            wt_reader *whole = wt_reader_new_sub(r, 0, size);
            wt_scan_child_as(ctx, "<appended zip>", whole, "zip");
            wt_reader_unref(whole);
        }
    }
    return WT_OK; /* malformed streams and limits are findings already */
}

const wt_analyzer wt_pickle_analyzer = {
    .name = "pickle",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = wt_pickle_probe,
    .analyze = pickle_analyze,
    .rules = k_rules,
    .nrules = sizeof k_rules / sizeof k_rules[0],
};
