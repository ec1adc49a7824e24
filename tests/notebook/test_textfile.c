/* Text file analyzer: kinds by name / shebang / content, binary skipping,
 * size limits. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "harness.h"
#include "text/textfile.h"

static const char *kind_of(const wt_scan_result *r, const char *name)
{
    for (size_t i = 0; i < r->ninfos; i++)
        if (strcmp(r->infos[i].name, name) == 0)
            return r->infos[i].kind;
    return NULL;
}

WT_TEST(kinds_by_name)
{
    CHECK_STR(wt_textfile_kind_by_name("src/app.py"), "python");
    CHECK_STR(wt_textfile_kind_by_name("deploy/run.sh"), "shell");
    CHECK_STR(wt_textfile_kind_by_name("Dockerfile"), "dockerfile");
    CHECK_STR(wt_textfile_kind_by_name("docker/Dockerfile.gpu"), "dockerfile");
    CHECK_STR(wt_textfile_kind_by_name(".env"), "env");
    CHECK_STR(wt_textfile_kind_by_name("conf/.env.production"), "env");
    CHECK_STR(wt_textfile_kind_by_name("config.YAML"), "yaml");
    CHECK_STR(wt_textfile_kind_by_name("a.json"), "json");
    CHECK_STR(wt_textfile_kind_by_name("pyproject.toml"), "toml");
    CHECK_STR(wt_textfile_kind_by_name("setup.cfg"), "ini");
    CHECK_STR(wt_textfile_kind_by_name("app.properties"), "ini");
    CHECK_STR(wt_textfile_kind_by_name("home/.npmrc"), "ini");
    CHECK_STR(wt_textfile_kind_by_name(".pypirc"), "ini");
    CHECK_STR(wt_textfile_kind_by_name("etc/pip.conf"), "ini");
    CHECK_STR(wt_textfile_kind_by_name("README.md"), "markdown");
    CHECK_STR(wt_textfile_kind_by_name("notes.txt"), "text");
    CHECK(wt_textfile_kind_by_name("model.bin") == NULL);
    CHECK(wt_textfile_kind_by_name("run") == NULL);
}

WT_TEST(kinds_by_shebang)
{
    CHECK_STR(wt_textfile_kind_by_shebang("#!/usr/bin/env python3\n", 23), "python");
    CHECK_STR(wt_textfile_kind_by_shebang("#!/bin/bash\n", 12), "shell");
    CHECK_STR(wt_textfile_kind_by_shebang("#!/usr/bin/env sh\n", 18), "shell");
    CHECK(wt_textfile_kind_by_shebang("# comment\n", 10) == NULL);
}

WT_TEST(text_detection_rejects_binary)
{
    CHECK(wt_textfile_looks_text((const uint8_t *)"hello\nworld\n", 12));
    CHECK(wt_textfile_looks_text((const uint8_t *)"caf\xc3\xa9 \xe2\x82\xac\n", 10));
    CHECK(!wt_textfile_looks_text((const uint8_t *)"ab\0cd", 5));
    uint8_t junk[256];
    for (int i = 0; i < 256; i++)
        junk[i] = (uint8_t)(0x80 + (i * 37) % 0x7f);
    CHECK(!wt_textfile_looks_text(junk, sizeof junk));
}

WT_TEST(python_file_without_extension_is_found_by_shebang)
{
    const char *src = "#!/usr/bin/env python3\nimport pickle\npickle.load(open('x', 'rb'))\n";
    wt_scan_result *r = wt_t_scan_mem("bin/tool", src, strlen(src));
    const wt_finding *f = wt_t_find(r, "WT-CODE-001");
    CHECK(f != NULL);
    if (f)
        CHECK_INT(f->loc.line, 3);
    CHECK_STR(kind_of(r, "bin/tool"), "python");
    wt_scan_result_free(r);
}

WT_TEST(config_files_are_classified_and_not_code_scanned)
{
    const char *env = "API_URL=https://x\nCMD=eval(x)\n";
    wt_scan_result *r = wt_t_scan_mem(".env", env, strlen(env));
    CHECK_STR(kind_of(r, ".env"), "env");
    CHECK_INT(wt_t_count(r, "WT-CODE-*"), 0);
    CHECK_INT(wt_t_count(r, "WT-SCAN-*"), 0);
    wt_scan_result_free(r);
}

WT_TEST(binary_file_with_a_text_name_is_skipped)
{
    const char bin[] = "\x00\x01\x02pickle.loads(x)\x00";
    wt_scan_result *r = wt_t_scan_mem("data.py", bin, sizeof bin - 1);
    CHECK_INT(wt_t_count(r, "WT-CODE-*"), 0);
    wt_scan_result_free(r);
}

WT_TEST(file_larger_than_max_text_size_is_scanned_up_to_the_limit_and_reported)
{
    wt_buf b;
    wt_buf_init(&b);
    wt_buf_puts(&b, "import pickle\npickle.loads(a)\n");
    while (b.len < 20000)
        wt_buf_puts(&b, "x = 1\n");
    wt_buf_puts(&b, "pickle.loads(b)\n");
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.limits.max_text_size = 8192;
    wt_scan_result *r = NULL;
    char *err = NULL;
    CHECK(wt_scan_memory("big.py", b.data, b.len, &o, &r, &err) == WT_OK);
    if (r) {
        CHECK_INT(wt_t_count(r, "WT-CODE-001"), 1);
        CHECK_INT(wt_t_count(r, "WT-SCAN-002"), 1);
        wt_scan_result_free(r);
    }
    free(err);
    wt_buf_free(&b);
}

WT_TEST(unknown_text_file_is_scanned_as_text)
{
    const char *t = "just some notes\n";
    wt_scan_result *r = wt_t_scan_mem("NOTES", t, strlen(t));
    CHECK_STR(kind_of(r, "NOTES"), "text");
    wt_scan_result_free(r);
}
