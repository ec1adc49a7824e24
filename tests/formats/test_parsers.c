/*
 * test_parsers.c - the pure parsers behind the model-format analyzers:
 * protobuf wire walker, Python marshal decoder (3.7, 3.8-3.10 and 3.11+
 * code layouts), Jinja template check and safetensors header validation,
 * including truncated, oversized and self-referencing inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/model_formats.h"
#include "formats/protobuf.h"
#include "harness.h"

/* ---- protobuf ---- */
WT_TEST(protobuf_walks_fields_and_rejects_bad_lengths)
{
    const uint8_t ok[] = {0x08, 0x96, 0x01, 0x12, 0x03, 'a', 'b', 'c', 0x1d, 1, 2, 3, 4};
    wt_pb pb;
    wt_pb_field f;
    wt_pb_init(&pb, ok, sizeof ok);
    CHECK_INT(wt_pb_next(&pb, &f), 1);
    CHECK(f.num == 1 && f.wire == WT_PB_VARINT && f.v == 150);
    CHECK_INT(wt_pb_next(&pb, &f), 1);
    CHECK(f.num == 2 && f.len == 3 && memcmp(f.data, "abc", 3) == 0);
    CHECK_INT(wt_pb_next(&pb, &f), 1);
    CHECK(f.num == 3 && f.wire == WT_PB_I32 && f.v == 0x04030201);
    CHECK_INT(wt_pb_next(&pb, &f), 0);

    const uint8_t beyond[] = {0x12, 0x7f, 'a'};
    wt_pb_init(&pb, beyond, sizeof beyond);
    CHECK_INT(wt_pb_next(&pb, &f), -1);
    const uint8_t overlong[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    wt_pb_init(&pb, overlong, sizeof overlong);
    CHECK_INT(wt_pb_next(&pb, &f), -1);
    const uint8_t field0[] = {0x00, 0x01};
    wt_pb_init(&pb, field0, sizeof field0);
    CHECK_INT(wt_pb_next(&pb, &f), -1);
    /* groups: matched end tag ok, unmatched is malformed */
    const uint8_t grp[] = {0x0b, 0x10, 0x01, 0x0c};
    wt_pb_init(&pb, grp, sizeof grp);
    CHECK_INT(wt_pb_next(&pb, &f), 1);
    const uint8_t badgrp[] = {0x0b, 0x10, 0x01, 0x14};
    wt_pb_init(&pb, badgrp, sizeof badgrp);
    CHECK_INT(wt_pb_next(&pb, &f), -1);
    CHECK(!wt_pb_looks_like_message(beyond, sizeof beyond, 4, 0));
    CHECK(wt_pb_looks_like_message(ok, sizeof ok, 4, 0));
}

WT_TEST(protobuf_every_truncation_is_safe)
{
    const uint8_t ok[] = {0x0a, 0x08, 0x0a, 0x01, 'n', 0x12, 0x03, 'o', 'p', 'x', 0x22, 0x02, 0x08, 0x01};
    for (size_t n = 0; n <= sizeof ok; n++) {
        uint8_t *c = malloc(n ? n : 1);
        memcpy(c, ok, n);
        wt_pb pb;
        wt_pb_field f;
        wt_pb_init(&pb, c, n);
        int rc, guard = 0;
        while ((rc = wt_pb_next(&pb, &f)) == 1 && guard++ < 100) {
        }
        CHECK(rc == 0 || rc == -1);
        free(c);
    }
}

/* ---- marshal ---- */
typedef struct mb {
    uint8_t d[512];
    size_t n;
} mb;
static void b1(mb *b, uint8_t v) { b->d[b->n++] = v; }
static void b4(mb *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b1(b, (uint8_t)(v >> (8 * i)));
}
static void bz(mb *b, int t, const char *s)
{
    b1(b, (uint8_t)t);
    b1(b, (uint8_t)strlen(s));
    memcpy(b->d + b->n, s, strlen(s));
    b->n += strlen(s);
}
static void bbytes(mb *b, const char *s)
{
    b1(b, 's');
    b4(b, (uint32_t)strlen(s));
    memcpy(b->d + b->n, s, strlen(s));
    b->n += strlen(s);
}

/* lambda x: os.system('true'), hand-assembled for each code layout */
static void build_code(mb *b, int layout)
{
    b1(b, 'c' | 0x80);
    int nints = layout == 38 ? 6 : 5;
    for (int i = 0; i < nints; i++)
        b4(b, i == 0 ? 1 : 0);
    bbytes(b, "\x74\x00\x64\x01");
    b1(b, ')'); b1(b, 2); b1(b, 'N'); bz(b, 'z', "true");            /* consts */
    b1(b, ')'); b1(b, 2); bz(b, (char)('Z' | 0x80), "os"); bz(b, 'Z', "system"); /* names */
    b1(b, ')'); b1(b, 1); bz(b, 'Z', "x");                            /* varnames|localsplusnames */
    if (layout == 311) {
        bbytes(b, "\x26");                                            /* localspluskinds */
        bz(b, 'z', "<lambda>"); bz(b, 'z', "<lambda>"); bz(b, 'z', "<lambda>");
        b4(b, 1);
        bbytes(b, ""); bbytes(b, "");
    } else {
        b1(b, ')'); b1(b, 0); b1(b, ')'); b1(b, 0);                     /* freevars, cellvars */
        bz(b, 'z', "<lambda>"); bz(b, 'z', "<lambda>");
        b4(b, 1);
        bbytes(b, "");
    }
}

WT_TEST(marshal_lists_names_and_consts_for_every_code_layout)
{
    int layouts[] = {37, 38, 311};
    for (int i = 0; i < 3; i++) {
        mb b = {{0}, 0};
        build_code(&b, layouts[i]);
        wt_marshal_info mi;
        wt_marshal_info_init(&mi);
        CHECK_INT(wt_marshal_scan(b.d, b.n, &mi), 0);
        CHECK_INT(mi.layout, layouts[i]);
        CHECK(mi.names.data && strstr(mi.names.data, "os") && strstr(mi.names.data, "system"));
        CHECK(mi.consts.data && strstr(mi.consts.data, "true"));
        CHECK(mi.dangerous.data && strstr(mi.dangerous.data, "system"));
        wt_marshal_info_fini(&mi);
    }
}

WT_TEST(marshal_refs_resolve_to_earlier_strings)
{
    /* names tuple repeats "os" through a TYPE_REF to slot 1 (slot 0 = the code object) */
    mb b = {{0}, 0};
    build_code(&b, 38);
    const uint8_t needle[] = {')', 2, 'Z' | 0x80, 2, 'o', 's', 'Z', 6};
    uint8_t *p = memmem(b.d, b.n, needle, sizeof needle);
    CHECK(p != NULL);
    if (!p)
        return;
    /* replace `Z 6 "system"` by `r <1>` + pad with a no-op None in a new tuple slot count */
    mb c = {{0}, 0};
    size_t pre = (size_t)(p - b.d);
    memcpy(c.d, b.d, pre);
    c.n = pre;
    b1(&c, ')'); b1(&c, 2); bz(&c, (char)('Z' | 0x80), "os"); b1(&c, 'r'); b4(&c, 1);
    size_t after = pre + sizeof needle + 6;
    memcpy(c.d + c.n, b.d + after, b.n - after);
    c.n += b.n - after;
    wt_marshal_info mi;
    wt_marshal_info_init(&mi);
    CHECK_INT(wt_marshal_scan(c.d, c.n, &mi), 0);
    CHECK(mi.names.data && strcmp(mi.names.data, "os") == 0); /* deduped */
    wt_marshal_info_fini(&mi);
}

WT_TEST(marshal_truncated_self_referencing_and_deep_inputs_are_safe)
{
    mb b = {{0}, 0};
    build_code(&b, 311);
    for (size_t n = 0; n < b.n; n++) {
        uint8_t *c = malloc(n ? n : 1);
        memcpy(c, b.d, n);
        wt_marshal_info mi;
        wt_marshal_info_init(&mi);
        CHECK_INT(wt_marshal_scan(c, n, &mi), -1);
        wt_marshal_info_fini(&mi);
        free(c);
    }
    const uint8_t selfref[] = {')' | 0x80, 1, 'r', 0, 0, 0, 0};
    wt_marshal_info mi;
    wt_marshal_info_init(&mi);
    CHECK_INT(wt_marshal_scan(selfref, sizeof selfref, &mi), -1); /* not a code object */
    wt_marshal_info_fini(&mi);
    const uint8_t badref[] = {'r', 5, 0, 0, 0};
    wt_marshal_info_init(&mi);
    CHECK_INT(wt_marshal_scan(badref, sizeof badref, &mi), -1);
    wt_marshal_info_fini(&mi);
    size_t deep = 100000;
    uint8_t *d = malloc(deep * 2);
    for (size_t i = 0; i < deep; i++) {
        d[2 * i] = ')';
        d[2 * i + 1] = 1;
    }
    wt_marshal_info_init(&mi);
    CHECK_INT(wt_marshal_scan(d, deep * 2, &mi), -1);
    wt_marshal_info_fini(&mi);
    free(d);
    const uint8_t huge[] = {'(', 0xff, 0xff, 0xff, 0x7f};
    wt_marshal_info_init(&mi);
    CHECK_INT(wt_marshal_scan(huge, sizeof huge, &mi), -1);
    wt_marshal_info_fini(&mi);
}

WT_TEST(base64_decoder_accepts_keras_line_breaks_and_rejects_garbage)
{
    size_t n = 0;
    uint8_t *d = wt_fmt_b64_decode("aGVs\nbG8=\n", 10, &n);
    CHECK(d && n == 5 && memcmp(d, "hello", 5) == 0);
    free(d);
    CHECK(wt_fmt_b64_decode("not base64!", 11, &n) == NULL);
    CHECK(wt_fmt_b64_decode("", 0, &n) == NULL);
}

/* ---- Jinja ---- */
static size_t jhits(const char *t, wt_severity *max)
{
    wt_jinja_hit h[16];
    size_t n = wt_jinja_check(t, strlen(t), h, 16);
    *max = WT_SEV_NONE;
    for (size_t i = 0; i < n && i < 16; i++)
        if (h[i].severity > *max)
            *max = h[i].severity;
    return n;
}

WT_TEST(jinja_real_chat_templates_are_clean)
{
    const char *ok[] = {
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
        "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
        "{{- bos_token }}{%- if tools is not none %}{{- tools | tojson(indent=4) }}{%- endif %}"
        "{%- for message in messages %}{%- set content = '<|start_header_id|>' + message['role'] + "
        "'<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' %}{{- content }}{%- endfor %}",
        "{% set ns = namespace(system='') %}{% for m in messages %}{% if m.role == 'system' %}"
        "{% set ns.system = m.content %}{% endif %}{% endfor %}{{ ns.system }}",
        "Literal text mentioning __class__ and os.system outside tags {# and __globals__ in a comment #}",
        "{{ raise_exception('Only user and assistant roles are supported!') }}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        wt_severity m;
        CHECK_INT(jhits(ok[i], &m), 0);
    }
}

WT_TEST(jinja_string_escapes_are_decoded_like_the_jinja_lexer)
{
    /* Jinja decodes literals with Python's unicode-escape: octal and \N{...} too */
    const char *bad[] = {
        "{{ ()['\\137\\137class\\137\\137'] }}",
        "{{ ()|attr('\\N{LOW LINE}\\N{low line}class\\N{LOW LINE}\\N{LOW LINE}') }}",
        "{{ ()|attr('\\N{LOW LINE}_\\N{LATIN SMALL LETTER C}lass__') }}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wt_severity m;
        CHECK(jhits(bad[i], &m) >= 1);
        CHECK(m == WT_SEV_CRITICAL);
    }
    /* escapes that decode to ordinary text stay clean */
    const char *ok[] = {
        "{{ '\\101\\102' + message['content'] }}",
        "{{ '\\N{BULLET} ' + message['content'] }}",
        "{{ '\\n\\t' ~ message['role'] }}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        wt_severity m;
        CHECK_INT(jhits(ok[i], &m), 0);
    }
}

WT_TEST(jinja_dunder_assembled_across_set_tags_is_critical)
{
    const char *bad[] = {
        "{% set a = '__cla' %}{% set b = 'ss__' %}{{ ()[a ~ b] }}",
        "{% set u = '_' %}{% set k = [u,u,'class',u,u]|join %}{{ ()[k] }}",
        "{% set u = '%c'|format(95) %}{% set k = u~u~'class'~u~u %}{{ ()[k] }}",
        "{%- set a = '__class__' -%}{{ ()[a] }}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wt_severity m;
        CHECK(jhits(bad[i], &m) >= 1);
        CHECK(m == WT_SEV_CRITICAL);
    }
    /* variables built for output, or holding a key, are ordinary */
    const char *ok[] = {
        "{% set content = '<|im_start|>' + message['role'] + '\\n' %}{{ content }}{{ tokens[content] }}",
        "{% set role = message['role']|lower %}{{ role_map[role] }}",
        "{% set key = 'content' %}{{ messages[0][key] }}",
        "{% set sep = '_' %}{{ names[sep] }}",
        "{% for m in messages %}{{ messages[loop.index0 + 1]['role'] if not loop.last }}{% endfor %}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        wt_severity m;
        CHECK_INT(jhits(ok[i], &m), 0);
    }
}

WT_TEST(jinja_ssti_gadgets_are_critical)
{
    const char *bad[] = {
        "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum.__globals__['os'].popen('true') }}",
        "{{ ''|attr('__class__') }}",
        "{{ x['__glo' ~ 'bals__'] }}",
        "{{ x['\\x5f\\x5fglobals\\x5f\\x5f'] }}",
        "{%- for c in ().__class__.__base__.__subclasses__() -%}{%- endfor -%}",
        "{{ cycler.__init__.__globals__.os.system('true') }}",
        "{{ ()|attr('%c%cclass%c%c'|format(95,95,95,95)) }}",
        "{{ ()|attr('_'*2 ~ 'class' ~ '_'*2) }}",
        "{% set a = x %}{{ ()|attr(a) }}",
        "{% set u = '_' %}{{ ()[u+u+'class'+u+u] }}",
        "{{ ()[('%c'|format(95))*2 ~ 'class' ~ ('%c'|format(95))*2] }}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wt_severity m;
        size_t n = jhits(bad[i], &m);
        if (n == 0 || m != WT_SEV_CRITICAL)
            fprintf(stderr, "template %zu: %zu hits, max %d\n", i, n, (int)m);
        CHECK(n > 0 && m == WT_SEV_CRITICAL);
    }
    wt_severity m;
    CHECK(jhits("{% import 'macros.j2' as m %}", &m) == 1 && m == WT_SEV_HIGH);
    /* the attr filter with one plain, harmless literal is not reported */
    CHECK(jhits("{{ message|attr('content') }}", &m) == 0);
    /* subscripts with arithmetic but no string, or a plain literal key, are normal */
    CHECK(jhits("{{ messages[loop.index0 + 1]['content'] }}{{ messages[i % 2] }}", &m) == 0);
}

WT_TEST(jinja_unterminated_tags_and_huge_inputs_are_safe)
{
    wt_severity m;
    jhits("{{ ().__class__", &m);
    CHECK(m == WT_SEV_CRITICAL);
    jhits("{% '", &m);
    jhits("{{", &m);
    jhits("{#", &m);
    size_t n = 1 << 20;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = "{{.x'"[i % 5];
    big[n] = 0;
    wt_jinja_hit h[4];
    wt_jinja_check(big, n, h, 4);
    free(big);
}

/* ---- safetensors ---- */
static size_t st_issues(const char *hdr, uint64_t data_len, const char *rule)
{
    wt_st_result r;
    wt_safetensors_validate(hdr, strlen(hdr), data_len, &r);
    size_t n = 0;
    for (size_t i = 0; i < r.nissues; i++)
        if (!rule || strcmp(r.issues[i].rule, rule) == 0)
            n++;
    wt_st_result_fini(&r);
    return n;
}

WT_TEST(safetensors_validator_checks_ranges_dtypes_and_metadata)
{
    CHECK_INT(st_issues("{\"a\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", 12, NULL), 0);
    CHECK_INT(st_issues("{\"a\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]}}", 2, NULL), 0);
    CHECK_INT(st_issues("{}", 0, NULL), 0);
    CHECK_INT(st_issues("{\"a\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", 13, "WT-SAFETENSORS-002"), 1);
    CHECK_INT(st_issues("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "WT-SAFETENSORS-002"), 1);
    CHECK_INT(st_issues("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,4]}}", 4,
                        "WT-SAFETENSORS-002"), 1);
    CHECK_INT(st_issues("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8, "WT-SAFETENSORS-002"), 1);
    CHECK_INT(st_issues("[1,2]", 0, "WT-SAFETENSORS-001"), 1);
    CHECK_INT(st_issues("{\"__metadata__\":{\"a\":{\"b\":1}}}", 0, "WT-SAFETENSORS-003"), 1);
    CHECK_INT(st_issues("{\"a\":\"\xff\xfe\"}", 0, "WT-SAFETENSORS-001"), 1); /* not UTF-8 */
}
