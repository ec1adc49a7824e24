/*
 * test_secrets.c - every secret rule: a true positive (with its line and
 * column), a near miss that must not fire, and the false-positive filters.
 * Test tokens are assembled at run time from obviously fake bodies so no
 * literal live-looking secret is committed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyzer.h"
#include "harness.h"
#include "text/hsdb.h"
#include "text/secrets.h"
#include "text/validators.h"

#define MAXM 64
typedef struct coll {
    wt_text_match m[MAXM];
    size_t n;
} coll;

static void on_match(void *ud, const wt_text_match *m)
{
    coll *c = ud;
    if (c->n < MAXM)
        c->m[c->n++] = *m;
}

static coll scan(const char *text, const char *kind)
{
    coll c = {0};
    wt_secrets_scan_buffer_for_test(text, strlen(text), kind, on_match, &c);
    return c;
}

static const wt_text_match *find(const coll *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->m[i].rule_id, id) == 0)
            return &c->m[i];
    return NULL;
}

/* Deterministic pseudo-random string over an alphabet. */
static char pool[64][1024];
static int pooli;
static const char *rnd(const char *alpha, size_t n, uint32_t seed)
{
    char *p = pool[pooli++ % 64];
    size_t al = strlen(alpha);
    uint32_t x = seed * 2654435761u + 12345u;
    for (size_t i = 0; i < n && i < 1023; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = alpha[x % al];
    }
    p[n < 1023 ? n : 1023] = 0;
    return p;
}
static const char *cat3(const char *a, const char *b, const char *c)
{
    char tmp[1024];
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    if (la + lb + lc >= sizeof tmp)
        lc = lb = 0;
    memcpy(tmp, a, la);
    memcpy(tmp + la, b, lb);
    memcpy(tmp + la + lb, c, lc);
    tmp[la + lb + lc] = 0;
    char *p = pool[pooli++ % 64];
    memcpy(p, tmp, la + lb + lc + 1);
    return p;
}
static const char *cat(const char *a, const char *b) { return cat3(a, b, ""); }

#define B62 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define B64 B62 "+/"
#define B64U B62 "-_"
#define HEX "0123456789abcdef"
#define UP32 "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#define LET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/* GitHub / npm style token with a valid (or broken) CRC32-base62 tail. */
static const char *crc_token(const char *prefix, uint32_t seed, bool valid)
{
    const char *body = rnd(B62, 30, seed);
    char crc[7];
    wt_base62_crc6(wt_crc32(body, 30) ^ (valid ? 0 : 1), crc);
    return cat3(prefix, body, crc);
}

/* Put `secret` on line 3 of a small file after `lead`; expect rule id at
 * line 3, column strlen(lead)+1 + value_shift. */
static void expect_hit(const char *id, const char *lead, const char *secret, const char *tail, const char *kind,
                       size_t value_shift)
{
    char text[4096];
    snprintf(text, sizeof text, "# settings\nimport os\n%s%s%s\nprint('done')\n", lead, secret, tail);
    coll c = scan(text, kind);
    const wt_text_match *m = find(&c, id);
    if (!m) {
        wt_test_fail(__FILE__, __LINE__, "%s did not fire on: %s", id, text);
        return;
    }
    wt_text_origin o = {.cell = -1, .line_base = 1};
    wt_location loc = wt_text_location(text, strlen(text), m->off, &o);
    if (loc.line != 3 || loc.column != strlen(lead) + 1 + value_shift)
        wt_test_fail(__FILE__, __LINE__, "%s at %u:%u, expected 3:%zu", id, loc.line, loc.column,
                     strlen(lead) + 1 + value_shift);
    CHECK(m->confidence > 0 && m->confidence <= 1);
}

static void expect_miss(const char *id, const char *text, const char *kind)
{
    coll c = scan(text, kind);
    if (find(&c, id))
        wt_test_fail(__FILE__, __LINE__, "%s fired on near miss: %s", id, text);
}

WT_TEST(rule_tables_load_without_errors)
{
    const char *err = NULL;
    size_t n = wt_hsdb_errors(&err);
    if (n)
        wt_test_fail(__FILE__, __LINE__, "%zu rule errors, first: %s", n, err);
    size_t nrows;
    wt_hsdb_rows(&nrows);
    CHECK(nrows > 70);
    const wt_rule *rules;
    size_t nr = wt_secrets_rule_table.get(&rules);
    CHECK(nr >= 45);
    for (size_t i = 0; i < nr; i++) {
        CHECK(rules[i].summary && rules[i].why && rules[i].cwe);
        CHECK(wt_rule_find(rules[i].id) != NULL);
    }
}

WT_TEST(aws_access_key_id)
{
    expect_hit("WT-SECRET-001", "key_id = \"", cat("AKIA", rnd(UP32, 16, 1)), "\"", "python", 0);
    expect_miss("WT-SECRET-001", "key_id = 'AKIAIOSFODNN7EXAMPLE'\n", "python");
    expect_miss("WT-SECRET-001", cat3("k = 'AKIA", rnd(UP32, 15, 1), "'\n"), "python");
}

WT_TEST(aws_secret_key_with_keyword_or_key_id)
{
    const char *sec = cat3(rnd(B64, 18, 2), "/9", rnd(B64, 20, 3));
    expect_hit("WT-SECRET-002", "aws_secret_access_key = \"", sec, "\"", "python", 0);
    char t[512];
    snprintf(t, sizeof t, "creds = (\"AKIA%s\",\n  \"%s\")\n", rnd(UP32, 16, 4), sec);
    coll c = scan(t, "python");
    CHECK(find(&c, "WT-SECRET-002") != NULL);
    CHECK(find(&c, "WT-SECRET-001") != NULL);
    expect_miss("WT-SECRET-002", "aws_secret_access_key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'\n", "python");
    expect_miss("WT-SECRET-002", cat3("aws_secret_access_key = '", rnd(HEX, 40, 5), "'\n"), "python");
    expect_miss("WT-SECRET-002", "aws_secret_access_key = os.environ['AWS_SECRET_ACCESS_KEY']\n", "python");
}

WT_TEST(aws_session_token)
{
    expect_hit("WT-SECRET-003", "aws_session_token = \"", cat("FwoGZXIvYXdzE", rnd(B64, 140, 6)), "\"", "python", 0);
    expect_miss("WT-SECRET-003", cat3("aws_session_token = '", rnd(B64, 60, 6), "'\n"), "python");
}

WT_TEST(github_classic_token_checksum_is_required)
{
    const char *good = crc_token("ghp_", 7, true);
    expect_hit("WT-SECRET-004", "GH = \"", good, "\"", "python", 0);
    coll c = scan(cat3("t = '", good, "'\n"), "python");
    CHECK(find(&c, "WT-SECRET-004") && find(&c, "WT-SECRET-004")->confidence > 0.98);
    /* a checksum mismatch is a made-up or documentation value: not reported, not even generically */
    expect_miss("WT-SECRET-004", cat3("t = '", crc_token("gho_", 7, false), "'\n"), "python");
    expect_miss("WT-SECRET-042", cat3("GITHUB_TOKEN = '", crc_token("ghp_", 7, false), "'\n"), "python");
    expect_miss("WT-SECRET-004", cat3("t = 'ghp_", rnd(B62, 35, 8), "'\n"), "python");
    expect_miss("WT-SECRET-004", "t = 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n", "python");
}

WT_TEST(github_fine_grained)
{
    expect_hit("WT-SECRET-005", "tok: ", cat3(cat("github_pat_", rnd(B62, 22, 9)), "_", rnd(B62, 59, 10)), "", "yaml", 0);
    expect_miss("WT-SECRET-005", cat3(cat("tok: github_pat_", rnd(B62, 22, 9)), "_", rnd(B62, 58, 10)), "yaml");
}

WT_TEST(gitlab_token)
{
    expect_hit("WT-SECRET-006", "GITLAB = '", cat("glpat-", rnd(B62, 20, 11)), "'", "python", 0);
    expect_miss("WT-SECRET-006", "GITLAB = 'glpat-xxxxxxxxxxxxxxxxxxxx'\n", "python");
    expect_miss("WT-SECRET-006", cat3("GITLAB = 'glpat-", rnd(B62, 19, 11), "'\n"), "python");
}

WT_TEST(hugging_face_tokens)
{
    expect_hit("WT-SECRET-007", "login(token=\"", cat("hf_", rnd(LET, 34, 12)), "\")", "python", 0);
    expect_miss("WT-SECRET-007", cat3("login(token='hf_", rnd(LET, 33, 12), "')\n"), "python");
    expect_miss("WT-SECRET-007", "login(token='hf_YOUR_TOKEN_GOES_HERE_PLEASE_xxxxxxx')\n", "python");
    expect_hit("WT-SECRET-008", "org = '", cat("api_org_", rnd(LET, 34, 13)), "'", "python", 0);
    expect_miss("WT-SECRET-008", cat3("org = 'api_org_", rnd(LET, 30, 13), "'\n"), "python");
}

WT_TEST(openai_and_anthropic_keys)
{
    expect_hit("WT-SECRET-009", "openai.api_key = \"",
               cat3(cat("sk-proj-", rnd(B62, 40, 14)), "T3BlbkFJ", rnd(B62, 40, 15)), "\"", "python", 0);
    expect_miss("WT-SECRET-009", cat3("openai.api_key = 'sk-proj-", rnd(B62, 88, 14), "'\n"), "python");
    expect_hit("WT-SECRET-010", "client = Anthropic(api_key=\"",
               cat3("sk-ant-api03-", rnd(B64U, 93, 16), "AA"), "\")", "python", 0);
    expect_miss("WT-SECRET-010", cat3("k = 'sk-ant-api03-", rnd("bcdefghijk0123456789", 93, 16), "Ab'\n"), "python");
}

WT_TEST(google_api_key_and_service_account)
{
    expect_hit("WT-SECRET-011", "GOOGLE_API_KEY=", cat("AIza", rnd(B64U, 35, 17)), "", "env", 0);
    expect_miss("WT-SECRET-011", cat3("GOOGLE_API_KEY=AIza", rnd(B64U, 34, 17), "\n"), "env");
    char sa[2048];
    snprintf(sa, sizeof sa,
             "{\n  \"type\": \"service_account\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n%s\\n%s\\n-----END PRIVATE KEY-----\\n\",\n"
             "  \"client_email\": \"bot@proj.iam.gserviceaccount.com\"\n}\n",
             rnd(B64, 64, 18), rnd(B64, 64, 19));
    coll c = scan(sa, "json");
    const wt_text_match *m = find(&c, "WT-SECRET-012");
    CHECK(m != NULL);
    CHECK(find(&c, "WT-SECRET-013") == NULL); /* one finding for one key */
    if (m) {
        wt_text_origin o = {.cell = -1, .line_base = 1};
        wt_location l = wt_text_location(sa, strlen(sa), m->off, &o);
        CHECK_INT(l.line, 3);
        CHECK_INT(l.column, 19);
        CHECK_STR(m->rule_id, "WT-SECRET-012");
    }
    /* no service-account context: only the private key rule */
    char *p = strstr(sa, "service_account");
    memcpy(p, "xxxxxxx_xxxxxxx", 15);
    p = strstr(sa, "client_email");
    memcpy(p, "client_xxxxx", 12);
    coll d = scan(sa, "json");
    CHECK(find(&d, "WT-SECRET-012") == NULL);
    CHECK(find(&d, "WT-SECRET-013") != NULL);
}

WT_TEST(private_key_blocks)
{
    char pem[2048];
    snprintf(pem, sizeof pem, "-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n%s\n-----END OPENSSH PRIVATE KEY-----", rnd(B64, 70, 20),
             rnd(B64, 70, 21));
    expect_hit("WT-SECRET-013", "", pem, "", "text", 0);
    expect_miss("WT-SECRET-013", "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n", "text");
    expect_miss("WT-SECRET-013", cat3("-----BEGIN PUBLIC KEY-----\n", rnd(B64, 64, 22), "\n-----END PUBLIC KEY-----\n"), "text");
    /* different keys sharing a PKCS#8 prefix get different fingerprints */
    char a[1024], b[1024], sha_a[65], sha_b[65];
    snprintf(a, sizeof a, "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC%s\n-----END PRIVATE KEY-----\n", rnd(B64, 64, 23));
    snprintf(b, sizeof b, "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC%s\n-----END PRIVATE KEY-----\n", rnd(B64, 64, 24));
    coll ca = scan(a, "text"), cb = scan(b, "text");
    CHECK(ca.n == 1 && cb.n == 1);
    (void)sha_a;
    (void)sha_b;
}

WT_TEST(azure_secrets)
{
    expect_hit("WT-SECRET-014", "conn = \"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=",
               cat(rnd(B64, 86, 25), "=="), ";EndpointSuffix=core.windows.net\"", "python", 0);
    expect_miss("WT-SECRET-014", cat3("conn = 'AccountKey=", rnd(B64, 85, 25), "=='\n"), "python");
    expect_hit("WT-SECRET-015", "client_secret = \"", cat3(rnd(B62, 3, 26), "8Q~", rnd(B62, 34, 27)), "\"", "python", 0);
    expect_miss("WT-SECRET-015", cat3("client_secret = '", rnd(B62, 3, 26), cat("8Q-", rnd(B62, 34, 27))), "python");
    expect_hit("WT-SECRET-016", "AZURE_OPENAI_API_KEY = \"", rnd(HEX, 32, 28), "\"", "python", 0);
    expect_miss("WT-SECRET-016", cat3("AZURE_OPENAI_API_KEY = '", rnd(HEX, 31, 28), "'\n"), "python");
}

WT_TEST(slack_tokens_and_webhooks)
{
    expect_hit("WT-SECRET-017", "SLACK = \"", cat3("xoxb-7731", "98225431-", cat("5412776391245-", rnd(B62, 24, 29))), "\"", "python", 0);
    expect_miss("WT-SECRET-017", "SLACK = 'xoxb-your-bot-token-here'\n", "python");
    expect_hit("WT-SECRET-018", "url = \"https://", cat3("hooks.slack.com/services/T0", rnd(UP32, 8, 30), cat("/B0", cat3(rnd(UP32, 8, 31), "/", rnd(B62, 24, 32)))), "\"", "python", 0);
    expect_miss("WT-SECRET-018", "url = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'\n", "python");
}

WT_TEST(payment_and_messaging_providers)
{
    expect_hit("WT-SECRET-019", "stripe.api_key = \"", cat("sk_live_", rnd(B62, 24, 33)), "\"", "python", 0);
    expect_miss("WT-SECRET-019", cat3("stripe.api_key = 'sk_test_", rnd(B62, 24, 33), "'\n"), "python");
    expect_hit("WT-SECRET-020", "from twilio.rest import Client; k = \"", cat("SK", rnd(HEX, 32, 34)), "\"", "python", 0);
    expect_miss("WT-SECRET-020", cat3("k = 'SK", rnd(HEX, 32, 34), "'\n"), "python");
    expect_hit("WT-SECRET-021", "TWILIO_AUTH_TOKEN = \"", rnd(HEX, 32, 35), "\"", "python", 0);
    expect_miss("WT-SECRET-021", "TWILIO_AUTH_TOKEN = os.environ['TWILIO_AUTH_TOKEN']\n", "python");
    expect_hit("WT-SECRET-022", "SENDGRID = \"", cat3(cat("SG.", rnd(B64U, 22, 36)), ".", rnd(B64U, 43, 37)), "\"", "python", 0);
    expect_miss("WT-SECRET-022", cat3(cat("SENDGRID = 'SG.", rnd(B64U, 21, 36)), ".", rnd(B64U, 43, 37)), "python");
    expect_hit("WT-SECRET-023", "mailgun_domain = 'mg.x.org'; k = \"", cat("key-", rnd(HEX, 32, 38)), "\"", "python", 0);
    expect_miss("WT-SECRET-023", cat3("k = 'key-", rnd(HEX, 32, 38), "'\n"), "python");
    expect_hit("WT-SECRET-023", "MAILGUN_API_KEY = \"", cat3(rnd(HEX, 32, 39), "-", cat3(rnd(HEX, 8, 40), "-", rnd(HEX, 8, 41))), "\"", "python", 0);
    expect_hit("WT-SECRET-024", "MC = \"", cat(rnd(HEX, 32, 42), "-us14"), "\"", "python", 0);
    expect_miss("WT-SECRET-024", cat3("MC = '", rnd(HEX, 31, 42), "-us14'\n"), "python");
}

WT_TEST(package_registry_tokens)
{
    expect_hit("WT-SECRET-025", "//registry.npmjs.org/:_authToken=", crc_token("npm_", 43, true), "", "npmrc", 0);
    coll c = scan(cat("x = ", crc_token("npm_", 43, true)), "python");
    CHECK(find(&c, "WT-SECRET-025") && find(&c, "WT-SECRET-025")->confidence > 0.98);
    expect_miss("WT-SECRET-025", cat("x = npm_", rnd(B62, 35, 43)), "python");
    expect_hit("WT-SECRET-026", "password = ", cat("pypi-AgEIcHlwaS5vcmc", rnd(B64U, 80, 44)), "", "pypirc", 0);
    expect_miss("WT-SECRET-026", cat("password = pypi-AgEIcHlwaS5vcmc", rnd(B64U, 30, 44)), "pypirc");
}

WT_TEST(ml_platform_tokens)
{
    expect_hit("WT-SECRET-027", "DATABRICKS_TOKEN = \"", cat("dapi", rnd(HEX, 32, 45)), "\"", "python", 0);
    expect_miss("WT-SECRET-027", cat3("DATABRICKS_TOKEN = 'dapi", rnd(HEX, 31, 45), "'\n"), "python");
    expect_hit("WT-SECRET-028", "wandb.login(key=\"", rnd(HEX, 40, 46), "\")", "python", 0);
    expect_miss("WT-SECRET-028", cat3("git_sha = '", rnd(HEX, 40, 46), "'\n"), "python");
    expect_miss("WT-SECRET-028", "wandb.login(key=os.environ['WANDB_API_KEY'])\n", "python");
    expect_hit("WT-SECRET-029", "REPLICATE_API_TOKEN = \"", cat("r8_", rnd(B62, 37, 47)), "\"", "python", 0);
    expect_miss("WT-SECRET-029", cat3("REPLICATE_API_TOKEN = 'r8_", rnd(B62, 36, 47), "'\n"), "python");
    expect_hit("WT-SECRET-030", "client = Groq(api_key=\"", cat("gsk_", rnd(B62, 52, 48)), "\")", "python", 0);
    expect_miss("WT-SECRET-030", cat3("client = Groq(api_key='gsk_", rnd(B62, 51, 48), "')\n"), "python");
    expect_hit("WT-SECRET-031", "co = cohere.Client(\"", cat3(rnd(LET, 20, 49), "7", rnd(B62, 19, 50)), "\")", "python", 0);
    expect_miss("WT-SECRET-031", cat3("co = cohere.Client('", rnd(LET, 40, 49), "')\n"), "python");
    expect_hit("WT-SECRET-032", "pc = Pinecone(api_key=\"", cat("pcsk_", rnd(B62, 60, 51)), "\")", "python", 0);
    expect_miss("WT-SECRET-032", cat3("pc = Pinecone(api_key='pcsk_", rnd(B62, 40, 51), "')\n"), "python");
    expect_hit("WT-SECRET-032", "PINECONE_API_KEY = \"", "3f1c2b9e-8d4a-4e7b-9c61-5a2f0d8e7b14", "\"", "python", 0);
    expect_miss("WT-SECRET-032", "pinecone_index_id = '3f1c2b9e-8d4a-4e7b-9c61-5a2f0d8e7b14'\n", "python");
    expect_hit("WT-SECRET-033", "LANGCHAIN_API_KEY=", cat3(cat("lsv2_pt_", rnd(HEX, 32, 52)), "_", rnd(HEX, 10, 53)), "", "env", 0);
    expect_miss("WT-SECRET-033", cat3(cat("LANGCHAIN_API_KEY=lsv2_pt_", rnd(HEX, 31, 52)), "_", rnd(HEX, 10, 53)), "env");
}

WT_TEST(chat_bot_tokens)
{
    expect_hit("WT-SECRET-034", "BOT = \"", cat("7318204655:AA", rnd(B64U, 33, 54)), "\"", "python", 0);
    expect_miss("WT-SECRET-034", cat3("BOT = '7318204655:AB", rnd(B64U, 33, 54), "'\n"), "python");
    const char *dtok = cat3(cat("MTA5", rnd(B64U, 20, 55)), ".", cat3(rnd(B64U, 6, 56), ".", rnd(B64U, 38, 57)));
    expect_hit("WT-SECRET-035", "client = discord.Client(); client.run(\"", dtok, "\")", "python", 0);
    expect_miss("WT-SECRET-035", cat3("run('", dtok, "')\n"), "python");
    expect_hit("WT-SECRET-036", "hook = \"https://", cat3("discord.com/api/webhooks/1234509876543219876/", rnd(B64U, 68, 58), ""), "\"", "python", 0);
    expect_miss("WT-SECRET-036", cat3("hook = 'https://discord.com/api/webhooks/1234509876543219876/", rnd(B64U, 30, 58), "'\n"), "python");
}

WT_TEST(commerce_cloud_and_vault_tokens)
{
    expect_hit("WT-SECRET-037", "SHOPIFY = \"", cat("shpat_", rnd(HEX, 32, 59)), "\"", "python", 0);
    expect_miss("WT-SECRET-037", cat3("SHOPIFY = 'shpat_", rnd(HEX, 31, 59), "'\n"), "python");
    expect_hit("WT-SECRET-038", "DO = \"", cat("dop_v1_", rnd(HEX, 64, 60)), "\"", "python", 0);
    expect_miss("WT-SECRET-038", cat3("DO = 'dop_v1_", rnd(HEX, 63, 60), "'\n"), "python");
    expect_hit("WT-SECRET-039", "VAULT_TOKEN=", cat("hvs.", rnd(B64U, 95, 61)), "", "env", 0);
    expect_miss("WT-SECRET-039", cat("VAULT_TOKEN=hvs.", rnd(B64U, 50, 61)), "env");
    expect_hit("WT-SECRET-039", "vault_token = \"", cat3("s.", rnd(B62, 20, 62), "7aB3"), "\"", "python", 0);
}

WT_TEST(jwt_needs_a_json_header_with_alg)
{
    const char *jwt = cat3("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwicm9sZSI6ImFkbWluIn0.",
                           rnd(B64U, 43, 63), "");
    expect_hit("WT-SECRET-040", "headers = {'Authorization': 'Bearer ", jwt, "'}", "python", 0);
    expect_miss("WT-SECRET-040", cat3("t = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ1c2VyLTQyIn0.", rnd(B64U, 43, 63), "'\n"), "python");
}

WT_TEST(url_with_password)
{
    expect_hit("WT-SECRET-041", "engine = create_engine(\"postgresql://admin:", "Vq8kLz2mWp9t", "@db.internal:5432/prod\")", "python", 0);
    expect_miss("WT-SECRET-041", "engine = create_engine('postgresql://user:password@localhost/db')\n", "python");
    expect_miss("WT-SECRET-041", "engine = create_engine(f'postgresql://user:${DB_PASS}@db/x')\n", "python");
    expect_miss("WT-SECRET-041", "see https://example.org/a:b@c for details\n", "python");
}

WT_TEST(generic_assignments)
{
    expect_hit("WT-SECRET-042", "db_password = \"", "Vq8kLz2mWp3xT", "\"", "python", 0);
    coll c = scan("db_password = \"Vq8kLz2mWp3xT\"\n", "python");
    CHECK(find(&c, "WT-SECRET-042") && find(&c, "WT-SECRET-042")->severity == WT_SEV_MEDIUM);
    expect_miss("WT-SECRET-042", "tokenizer_name = \"bert-base-uncased\"\n", "python");
    expect_miss("WT-SECRET-042", "pad_token = \"<|endoftext|>\"\n", "python");
    expect_miss("WT-SECRET-042", "password = \"changeme123\"\n", "python");
    expect_miss("WT-SECRET-042", "api_key = \"${OPENAI_API_KEY}\"\n", "python");
    expect_miss("WT-SECRET-042", "secret = \"{{ vault_secret }}\"\n", "python");
    expect_miss("WT-SECRET-042", "token = \"%(token)s\"\n", "python");
    expect_miss("WT-SECRET-042", "api_key = \"abcdefghijklmnop\"\n", "python");
    expect_miss("WT-SECRET-042", "secret_key = \"3f1c2b9e-8d4a-4e7b-9c61-5a2f0d8e7b14\"\n", "python");
    /* a specific rule wins over the generic one */
    coll d = scan(cat3("api_key = \"", crc_token("ghp_", 64, true), "\"\n"), "python");
    CHECK(find(&d, "WT-SECRET-004") && !find(&d, "WT-SECRET-042"));
    expect_hit("WT-SECRET-043", "API_SECRET=", "Vq8kLz2mWp3xT9", "", "env", 0);
    expect_miss("WT-SECRET-043", "API_SECRET=Vq8kLz2mWp3xT9\n", "python");
    expect_miss("WT-SECRET-043", "API_SECRET=${API_SECRET}\n", "env");
}

WT_TEST(more_llm_and_saas_providers)
{
    expect_hit("WT-SECRET-044", "XAI_API_KEY=", cat("xai-", rnd(B62, 80, 65)), "", "env", 0);
    expect_miss("WT-SECRET-044", cat("XAI_API_KEY=xai-", rnd(B62, 60, 65)), "env");
    expect_hit("WT-SECRET-045", "OPENROUTER=", cat("sk-or-v1-", rnd(HEX, 64, 66)), "", "env", 0);
    expect_miss("WT-SECRET-045", cat("OPENROUTER=sk-or-v1-", rnd(HEX, 60, 66)), "env");
    expect_hit("WT-SECRET-046", "PPLX=", cat("pplx-", rnd(B62, 48, 67)), "", "env", 0);
    expect_miss("WT-SECRET-046", cat("PPLX=pplx-", rnd(B62, 40, 67)), "env");
    expect_hit("WT-SECRET-047", "NOTION=", cat3("ntn_", "50817394628", rnd(B62, 35, 68)), "", "env", 0);
    expect_miss("WT-SECRET-047", cat("NOTION=ntn_", rnd(LET, 46, 68)), "env");
    expect_hit("WT-SECRET-048", "LINEAR=", cat("lin_api_", rnd(B62, 40, 69)), "", "env", 0);
    expect_miss("WT-SECRET-048", cat("LINEAR=lin_api_", rnd(B62, 30, 69)), "env");
    expect_hit("WT-SECRET-049", "HEROKU=", cat("HRKU-AA", rnd(B64U, 58, 70)), "", "env", 0);
    expect_miss("WT-SECRET-049", cat("HEROKU=HRKU-AB", rnd(B64U, 58, 70)), "env");
}

WT_TEST(inline_ignore_markers_suppress)
{
    const char *tok = cat("hf_", rnd(LET, 34, 71));
    CHECK(scan(cat3("t = '", tok, "'  # watchtower:ignore\n"), "python").n == 0);
    CHECK(scan(cat3("t = '", tok, "'  # pragma: allowlist secret\n"), "python").n == 0);
    CHECK(scan(cat3("t = '", tok, "'  # gitleaks:allow\n"), "python").n == 0);
    CHECK(scan(cat3("# noqa: secret\nt = '", tok, "'\n"), "python").n == 0);
    CHECK(scan(cat3("t = '", tok, "'  # watchtower:ignore WT-SECRET-999\n"), "python").n == 1);
}

WT_TEST(evidence_is_masked_with_fingerprint)
{
    char sha[65];
    const char *tok = crc_token("ghp_", 72, true);
    char *ev = wt_secret_evidence(tok, strlen(tok), sha);
    CHECK(strncmp(ev, "ghp_*", 5) == 0);
    CHECK(strstr(ev, tok + 4) == NULL);
    CHECK(strstr(ev, "sha256:") != NULL);
    CHECK(strlen(sha) == 64);
    free(ev);
}

WT_TEST(every_rule_is_documented)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/rules-secrets.md", wt_t_env("WT_SRC", "."));
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    static char doc[200000];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = 0;
    fclose(f);
    size_t nrows;
    const wt_hs_row *rows = wt_hsdb_rows(&nrows);
    for (size_t i = 0; i < nrows; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "| %s | %s |", rows[i].meta.id, rows[i].meta.name);
        if (!strstr(doc, needle))
            wt_test_fail(__FILE__, __LINE__, "%s (%s) missing from docs/rules-secrets.md", rows[i].meta.id,
                         rows[i].meta.name);
    }
}

WT_TEST(network_webhook_observability_and_api_client_tokens)
{
    expect_hit("WT-SECRET-050", "TS_AUTHKEY=", cat3(cat("tskey-auth-", rnd(B62, 12, 80)), "-", rnd(B62, 30, 81)), "", "env", 0);
    expect_miss("WT-SECRET-050", cat3(cat("TS_AUTHKEY=tskey-auth-", rnd(B62, 12, 80)), "-", rnd(B62, 10, 81)), "env");
    expect_hit("WT-SECRET-051", "STRIPE_WEBHOOK_SECRET=", cat("whsec_", rnd(B62, 32, 82)), "", "env", 0);
    expect_miss("WT-SECRET-051", cat("STRIPE_WEBHOOK_SECRET=whsec_", rnd(B62, 20, 82)), "env");
    expect_hit("WT-SECRET-052", "GRAFANA_TOKEN=", cat3(cat("glsa_", rnd(B62, 32, 83)), "_", rnd(HEX, 8, 84)), "", "env", 0);
    expect_miss("WT-SECRET-052", cat3(cat("GRAFANA_TOKEN=glsa_", rnd(B62, 31, 83)), "_", rnd(HEX, 8, 84)), "env");
    expect_hit("WT-SECRET-053", "POSTMAN_API_KEY=", cat3(cat("PMAK-", rnd(HEX, 24, 85)), "-", rnd(HEX, 34, 86)), "", "env", 0);
    expect_miss("WT-SECRET-053", cat3(cat("POSTMAN_API_KEY=PMAK-", rnd(HEX, 24, 85)), "-", rnd(HEX, 30, 86)), "env");
}
