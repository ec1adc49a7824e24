/* Scan core: discovery, classification fallbacks, budgets, locations. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/analyzer.h"
#include "core/util.h"
#include "harness.h"
#include "sources/source.h"

WT_TEST(unknown_model_extension_is_unscannable) {
    wt_scan_result *r = wt_t_scan_mem("weights.pt", "\x01\x02\x03 not a model", 16);
    CHECK_INT(wt_t_count(r, "WT-SCAN-003"), 1);
    CHECK_INT(r->models_found, 1);
    wt_scan_result_free(r);
}

WT_TEST(plain_text_file_has_no_core_findings) {
    wt_scan_result *r = wt_t_scan_mem("notes.txt", "hello\n", 6);
    CHECK_INT(wt_t_count(r, "WT-SCAN-*"), 0);
    CHECK_INT(r->models_found, 0);
    wt_scan_result_free(r);
}

WT_TEST(empty_model_file_is_not_reported_unscannable) {
    wt_scan_result *r = wt_t_scan_mem("empty.pkl", "", 0);
    CHECK_INT(wt_t_count(r, "WT-SCAN-003"), 0);
    wt_scan_result_free(r);
}

WT_TEST(folder_walk_is_sorted_skips_git_and_honours_ignore_files) {
    const char *d = wt_t_tmpdir();
    char *root = wt_xasprintf("%s/walk", d);
    free(wt_t_write(root, "b/model.pt", "zz", 2));
    free(wt_t_write(root, "a/model.pt", "zz", 2));
    free(wt_t_write(root, ".git/objects/x.pt", "zz", 2));
    free(wt_t_write(root, "skipme/x.pt", "zz", 2));
    free(wt_t_write(root, "c/data.bin", "zz", 2));
    free(wt_t_write(root, ".watchtowerignore", "skipme/\n*.bin\n", 14));
    wt_scan_result *r = wt_t_scan_path(root);
    CHECK_INT(r->artifacts, 3); /* a/model.pt, b/model.pt, .watchtowerignore */
    CHECK_INT(r->ninfos, 3);
    CHECK_STR(r->infos[0].name, ".watchtowerignore");
    CHECK_STR(r->infos[1].name, "a/model.pt");
    CHECK_STR(r->infos[2].name, "b/model.pt");
    wt_scan_result_free(r);
    free(root);
}

WT_TEST(symlink_leaving_root_is_not_followed) {
    const char *d = wt_t_tmpdir();
    char *outside = wt_t_write(d, "outside/secret.pt", "zz", 2);
    char *root = wt_xasprintf("%s/linkroot", d);
    free(wt_t_write(root, "inside.txt", "x", 1));
    char *link = wt_xasprintf("%s/escape", root);
    char *target = wt_xasprintf("%s/outside", d);
    CHECK(symlink(target, link) == 0);
    char *link2 = wt_xasprintf("%s/self", root);
    CHECK(symlink(root, link2) == 0); /* loop back to the root */
    wt_scan_result *r = wt_t_scan_path(root);
    CHECK_INT(r->artifacts, 1);
    wt_scan_result_free(r);
    free(outside); free(root); free(link); free(target); free(link2);
}

WT_TEST(exclude_globs_match_gitignore_style) {
    wt_ignore *ig = wt_ignore_new();
    wt_ignore_add_pattern(ig, "*.ckpt", "");
    wt_ignore_add_pattern(ig, "/top.bin", "");
    wt_ignore_add_pattern(ig, "docs/**/*.md", "");
    wt_ignore_add_pattern(ig, "!keep.ckpt", "");
    CHECK(wt_ignore_match(ig, "a/b/c.ckpt", false));
    CHECK(!wt_ignore_match(ig, "a/keep.ckpt", false));
    CHECK(wt_ignore_match(ig, "top.bin", false));
    CHECK(!wt_ignore_match(ig, "sub/top.bin", false));
    CHECK(wt_ignore_match(ig, "docs/x/y/z.md", false));
    CHECK(wt_ignore_match(ig, "docs/z.md", false));
    CHECK(!wt_ignore_match(ig, "src/z.md", false));
    wt_ignore_free(ig);
}

WT_TEST(targets_are_recognised) {
    wt_target t;
    char *err = NULL;
    CHECK_INT(wt_target_parse("https://github.com/org/repo/tree/dev/models/x", NULL, &t, &err), WT_OK);
    CHECK_INT(t.kind, WT_TARGET_GIT);
    CHECK(t.is_github);
    CHECK_STR(t.location, "https://github.com/org/repo.git");
    CHECK_STR(t.ref, "dev");
    CHECK_STR(t.subpath, "models/x");
    wt_target_fini(&t);
    CHECK_INT(wt_target_parse("hf://datasets/org/name", NULL, &t, &err), WT_OK);
    CHECK_INT(t.kind, WT_TARGET_HUGGINGFACE);
    CHECK_STR(t.hf_type, "datasets");
    CHECK_STR(t.location, "org/name");
    wt_target_fini(&t);
    CHECK_INT(wt_target_parse("https://huggingface.co/org/model", NULL, &t, &err), WT_OK);
    CHECK_STR(t.hf_type, "models");
    wt_target_fini(&t);
    CHECK_INT(wt_target_parse("s3://bucket/some/prefix", NULL, &t, &err), WT_OK);
    CHECK_INT(t.kind, WT_TARGET_S3);
    CHECK_STR(t.location, "bucket");
    CHECK_STR(t.subpath, "some/prefix");
    wt_target_fini(&t);
    CHECK(wt_target_parse("/definitely/not/here", NULL, &t, &err) != WT_OK);
    free(err);
    err = NULL;
    CHECK(wt_target_parse("s3://bucket", "github", &t, &err) != WT_OK);
    free(err);
}

WT_TEST(text_location_maps_notebook_raw_lines) {
    const char *text = "a = 1\nkey = 'x'\n";
    uint32_t raw[] = {10, 11, 12};
    wt_text_origin o = {.cell = 3, .cell_id = "abc", .cell_part = "source", .raw_lines = raw, .nraw_lines = 3};
    wt_location l = wt_text_location(text, strlen(text), 8, &o);
    CHECK_INT(l.cell, 3);
    CHECK_INT(l.cell_line, 2);
    CHECK_INT(l.line, 11);
    CHECK_INT(l.column, 3);
    wt_text_origin plain = {.cell = -1, .line_base = 1};
    l = wt_text_location(text, strlen(text), 8, &plain);
    CHECK_INT(l.line, 2);
    CHECK_INT(l.cell, -1);
}

WT_TEST(inline_ignore_markers) {
    const char *t = "x = 1\ntoken = 'abc'  # watchtower:ignore\ny = 'q' # watchtower:ignore WT-SECRET-002\n";
    CHECK(wt_text_line_ignored(t, strlen(t), 10, "WT-SECRET-001"));
    CHECK(!wt_text_line_ignored(t, strlen(t), 2, "WT-SECRET-001"));
    size_t y = (size_t)(strstr(t, "y =") - t);
    CHECK(wt_text_line_ignored(t, strlen(t), y, "WT-SECRET-002"));
    CHECK(!wt_text_line_ignored(t, strlen(t), y, "WT-SECRET-003"));
    const char *above = "# watchtower:ignore\npassword = 'hunter2'\n";
    CHECK(wt_text_line_ignored(above, strlen(above), 25, "WT-SECRET-009"));
}

WT_TEST(findings_are_deterministic_and_fingerprinted) {
    wt_scan_result *a = wt_t_scan_mem("m.pkl", "garbage!", 8);
    wt_scan_result *b = wt_t_scan_mem("m.pkl", "garbage!", 8);
    CHECK_INT(a->nfindings, b->nfindings);
    for (size_t i = 0; i < a->nfindings && i < b->nfindings; i++)
        CHECK_STR(a->findings[i]->fingerprint, b->findings[i]->fingerprint);
    CHECK(wt_rule_find("WT-SCAN-003") != NULL);
    wt_scan_result_free(a);
    wt_scan_result_free(b);
}

WT_TEST(bytes_read_counts_each_byte_once) {
    const char *d = wt_t_tmpdir();
    /* a protocol-2 pickle that every probe and the pickle analyzer look at */
    static const char pkl[] = "\x80\x02}q\x00X\x01\x00\x00\x00aq\x01K\x01s.";
    char *root = wt_xasprintf("%s/once", d);
    free(wt_t_write(root, "a.pkl", pkl, sizeof pkl - 1));
    free(wt_t_write(root, "notes.txt", "plain text\n", 11));
    wt_scan_result *r = wt_t_scan_path(root);
    CHECK(r->bytes_read > 0);
    CHECK(r->bytes_read <= r->bytes_total);
    wt_scan_result_free(r);
    free(root);
}
