/*
 * test_pii.c - every PII recognizer: a true positive with its location, a
 * near miss, context scoring and count-based severity.
 */
#include <stdlib.h>
#include <string.h>

#include "core/analyzer.h"
#include "harness.h"
#include "text/pii.h"
#include "text/validators.h"

#define MAXM 32
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

static coll scan_part(const char *text, const char *kind, const char *part)
{
    coll c = {0};
    wt_pii_scan_buffer_for_test(text, strlen(text), kind, part, on_match, &c);
    return c;
}

static const wt_text_match *find(const coll *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->m[i].rule_id, id) == 0)
            return &c->m[i];
    return NULL;
}

static void expect_at(const char *id, const char *text, unsigned line, unsigned col)
{
    coll c = scan_part(text, "text", NULL);
    const wt_text_match *m = find(&c, id);
    if (!m) {
        wt_test_fail(__FILE__, __LINE__, "%s did not fire on: %s", id, text);
        return;
    }
    wt_text_origin o = {.cell = -1, .line_base = 1};
    wt_location l = wt_text_location(text, strlen(text), m->off, &o);
    if (l.line != line || l.column != col)
        wt_test_fail(__FILE__, __LINE__, "%s at %u:%u, expected %u:%u", id, l.line, l.column, line, col);
    CHECK(m->confidence >= WT_PII_MIN_SCORE);
}

static void expect_none(const char *id, const char *text)
{
    coll c = scan_part(text, "text", NULL);
    if (find(&c, id))
        wt_test_fail(__FILE__, __LINE__, "%s fired on near miss: %s", id, text);
}

WT_TEST(email)
{
    expect_at("WT-PII-001", "Contact\nwrite to jane.doe@acme-corp.io today\n", 2, 10);
    expect_none("WT-PII-001", "see user@example.com and logo@2x.png and git@github.com:org/repo\n");
}

WT_TEST(phone_numbers_need_format_or_context)
{
    expect_at("WT-PII-002", "x\ncall +44 20 7946 0958 now\n", 2, 6);
    expect_at("WT-PII-002", "x\nphone: 415-555-0132\n", 2, 8);
    expect_none("WT-PII-002", "x\nversion 415-555-0132\n");
}

WT_TEST(credit_cards_luhn_and_issuer)
{
    expect_at("WT-PII-003", "order\ncard 4539 1488 0343 6467 exp 12/29\n", 2, 6);
    expect_none("WT-PII-003", "card 4539 1488 0343 6468\n");      /* Luhn fails */
    expect_none("WT-PII-003", "id 9539148803436467\n");            /* no issuer */
    expect_none("WT-PII-003", "card 4111 1111 1111 1111\n");       /* test number */
    expect_none("WT-PII-003", "card 4242 4242 4242 4242\n");       /* Stripe test number */
    expect_none("WT-PII-003", "card 5555 5555 5555 4444\n");       /* Mastercard test number */
    expect_none("WT-PII-003", "card 3782 822463 10005\n");         /* Amex test number */
    expect_none("WT-PII-003", "ts 4539.1488034364670\n");
}

WT_TEST(iban_mod97)
{
    expect_at("WT-PII-004", "pay to\nIBAN GB82 WEST 1234 5698 7654 32 please\n", 2, 6);
    expect_none("WT-PII-004", "IBAN GB82 WEST 1234 5698 7654 33\n");
    expect_none("WT-PII-004", "IBAN GB82WEST123456987654\n");
}

WT_TEST(us_ssn_invalid_ranges_excluded)
{
    expect_at("WT-PII-005", "row\nssn 536-22-8147\n", 2, 5);
    expect_none("WT-PII-005", "ssn 666-22-8147\n");
    expect_none("WT-PII-005", "ssn 536-00-8147\n");
    expect_none("WT-PII-005", "ssn 536-22-0000\n");
    expect_none("WT-PII-005", "ssn 000-22-8147\n");
    expect_none("WT-PII-005", "ssn 078-05-1120\n");
    expect_none("WT-PII-005", "ssn 111-22-3333\n");
    expect_at("WT-PII-005", "x\nSocial Security Number: 536228147\n", 2, 25);
    expect_none("WT-PII-005", "order 536228147\n");
}

WT_TEST(us_itin)
{
    expect_at("WT-PII-006", "x\nITIN 912-71-1234\n", 2, 6);
    expect_none("WT-PII-006", "ITIN 912-45-1234\n");
}

WT_TEST(passport_and_driver_licence_need_context)
{
    expect_at("WT-PII-007", "x\npassport number: X1234567\n", 2, 18);
    expect_none("WT-PII-007", "x\nserial: X1234567\n");
    expect_none("WT-PII-007", "passport office: ABCDEFGH\n");
    expect_at("WT-PII-008", "x\ndriver's license: D1234-5678-9012\n", 2, 19);
    expect_none("WT-PII-008", "x\nlicense: MIT-2024\n");
}

WT_TEST(ip_addresses_exclude_private_and_documentation)
{
    expect_at("WT-PII-009", "x\nclient ip 81.2.69.142 connected\n", 2, 11);
    expect_none("WT-PII-009", "hosts 10.0.0.1 192.168.1.20 127.0.0.1 172.16.5.4 169.254.1.1 192.0.2.7 203.0.113.9\n");
    expect_none("WT-PII-009", "version 1.2.3.4.5 and 1.10.2.3.post1\n");
    expect_none("WT-PII-009", "OID 2.5.4.3 2.5.29.14 1.3.101.112 and RFC section 3.4.1.3 and v1.22.3.14\n");
    expect_at("WT-PII-009", "x\nremote addr 2a00:1450:4009:81f::200e\n", 2, 13);
    expect_none("WT-PII-009", "addrs ::1 fe80::1ff:fe23:4567:890a 2001:db8::ff00:42:8329 std::vector\n");
}

WT_TEST(mac_address)
{
    expect_at("WT-PII-010", "x\ndevice mac 3c:22:fb:9a:10:5e\n", 2, 12);
    expect_none("WT-PII-010", "mac 00:00:00:00:00:00 ff:ff:ff:ff:ff:ff 3c:22-fb:9a:10:5e\n");
}

WT_TEST(crypto_wallets_checksummed)
{
    expect_at("WT-PII-011", "x\nbtc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\n", 2, 5);
    expect_none("WT-PII-011", "btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3\n");
    expect_at("WT-PII-011", "x\nwallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\n", 2, 8);
    expect_none("WT-PII-011", "wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx\n");
    expect_at("WT-PII-011", "x\neth wallet 0x52908400098527886E0F7030069857D2E4169EE7\n", 2, 12);
    expect_none("WT-PII-011", "commit 0x52908400098527886E0F7030069857D2E4169EE7\n");
}

WT_TEST(date_of_birth_with_context)
{
    expect_at("WT-PII-012", "x\nDate of birth: 1984-07-23\n", 2, 16);
    expect_none("WT-PII-012", "x\nrelease date: 1984-07-23\n");
    expect_none("WT-PII-012", "x\ndob: 1700-01-01\n");
}

WT_TEST(uk_nhs_mod11)
{
    expect_at("WT-PII-013", "x\nNHS number 943 476 5919\n", 2, 12);
    expect_none("WT-PII-013", "x\nNHS number 943 476 5918\n");
}

WT_TEST(aadhaar_verhoeff_and_pan)
{
    char num[16] = "23412341234";
    /* find the Verhoeff check digit for the test number */
    char full[16];
    for (char d = '0'; d <= '9'; d++) {
        snprintf(full, sizeof full, "%s%c", num, d);
        if (wt_verhoeff_ok(full, 12))
            break;
    }
    char text[128], bad[128];
    snprintf(text, sizeof text, "x\naadhaar %.4s %.4s %.4s\n", full, full + 4, full + 8);
    expect_at("WT-PII-014", text, 2, 9);
    full[11] = full[11] == '9' ? '0' : (char)(full[11] + 1);
    snprintf(bad, sizeof bad, "x\naadhaar %.4s %.4s %.4s\n", full, full + 4, full + 8);
    expect_none("WT-PII-014", bad);
    expect_at("WT-PII-015", "x\nPAN: ABCPE1234F\n", 2, 6);
    expect_none("WT-PII-015", "x\nPAN: ABCDE1234F\n");
    expect_none("WT-PII-015", "x\ncode ABCPE1234F\n");
}

WT_TEST(person_names_in_dataframe_output)
{
    const char *df = "         name                email  age\n"
                     "0  John Smith   jsmith@mailbox.org   34\n"
                     "1  Maria Garcia  mgarcia@mailbox.org  29\n"
                     "2  Wei Chen      wchen@mailbox.org    41\n";
    coll c = scan_part(df, "output", "output");
    const wt_text_match *m = find(&c, "WT-PII-016");
    CHECK(m != NULL);
    if (m) {
        CHECK_INT(m->count, 3);
        wt_text_origin o = {.cell = -1, .line_base = 1};
        wt_location l = wt_text_location(df, strlen(df), m->off, &o);
        CHECK_INT(l.line, 2);
        CHECK_INT(l.column, 4);
    }
    const wt_text_match *e = find(&c, "WT-PII-001");
    CHECK(e && e->count == 3);
    /* code that merely mentions a name column is not a table of names */
    coll d = scan_part("df = pd.DataFrame({'name': names, 'email': mails})\nprint(df.name)\n", "python", "source");
    CHECK(find(&d, "WT-PII-016") == NULL);
    /* aligned assignments in source code are not a table */
    coll py = scan_part("name        = 'Foxpro'\naliases     = ['FoxPro', 'Fox Pro']\nfilenames   = ['*.prg']\n", "python", NULL);
    CHECK(find(&py, "WT-PII-016") == NULL);
    /* markdown table */
    coll md = scan_part("| id | customer | city |\n|----|----------|------|\n| 1 | Ann Lee | Oslo |\n| 2 | Bob Ray | Rome |\n",
                        "markdown", "source");
    CHECK(find(&md, "WT-PII-016") && find(&md, "WT-PII-016")->count == 2);
}

WT_TEST(severity_rises_with_count)
{
    CHECK(wt_pii_severity(WT_SEV_LOW, 1) == WT_SEV_LOW);
    CHECK(wt_pii_severity(WT_SEV_LOW, 5) == WT_SEV_MEDIUM);
    CHECK(wt_pii_severity(WT_SEV_HIGH, 5) == WT_SEV_CRITICAL);
    CHECK(wt_pii_severity(WT_SEV_HIGH, 500) == WT_SEV_CRITICAL);
    char buf[4096] = "   ssn\n";
    const char *ssns[] = {"536-22-8147", "412-38-1290", "219-77-3456", "301-45-7788", "145-62-9031", "623-18-4402"};
    for (int i = 0; i < 6; i++) {
        char row[64];
        snprintf(row, sizeof row, "%d  %s\n", i, ssns[i]);
        strcat(buf, row);
    }
    coll c = scan_part(buf, "output", "output");
    const wt_text_match *m = find(&c, "WT-PII-005");
    CHECK(m && m->count == 6 && m->severity == WT_SEV_CRITICAL);
    coll one = scan_part("\"\"\"Contact: jane.doe@acme-corp.io\"\"\"\n", "python", "source");
    CHECK(find(&one, "WT-PII-001") && find(&one, "WT-PII-001")->severity == WT_SEV_LOW);
}

WT_TEST(context_words_raise_and_negative_words_lower_scores)
{
    coll a = scan_part("x\nphone +1 415 555 0132\n", "text", NULL);
    coll b = scan_part("x\nvalue +1 415 555 0132\n", "text", NULL);
    CHECK(find(&a, "WT-PII-002") && find(&b, "WT-PII-002"));
    if (find(&a, "WT-PII-002") && find(&b, "WT-PII-002"))
        CHECK(find(&a, "WT-PII-002")->confidence > find(&b, "WT-PII-002")->confidence);
    coll n = scan_part("x\nfor example +1 415 555 0132\n", "text", NULL);
    CHECK(find(&n, "WT-PII-002") == NULL);
}

WT_TEST(lines_with_model_test_if_are_not_skipped)
{
    coll c = scan_part("if model.test: send_to('jane.doe@acme-corp.io')\n", "python", "source");
    CHECK(find(&c, "WT-PII-001") != NULL);
}

WT_TEST(inline_ignore)
{
    coll c = scan_part("mail jane.doe@acme-corp.io  # watchtower:ignore\n", "python", "source");
    CHECK(find(&c, "WT-PII-001") == NULL);
}

/* One huge line packed with matches must stay linear (inline-ignore and
 * table checks are bounded); a quadratic path would time this test out. */
WT_TEST(dense_single_line_buffers_stay_linear)
{
    static const char *const units[] = {"a@b.co ", "eyJhbGciOiJIUzI1NiJ9.", "name  ", "536-22-8147 ",
                                        "password = \"Vq8kLz2mWp3xT\" "};
    size_t n = 1 << 20;
    char *buf = malloc(n + 1);
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t ul = strlen(units[u]);
        for (size_t i = 0; i < n; i++)
            buf[i] = units[u][i % ul];
        buf[n] = 0;
        coll c = scan_part(buf, "output", "output");
        CHECK(c.n <= 16);
    }
    free(buf);
}

WT_TEST(one_item_matched_by_two_rows_counts_once)
{
    coll c = scan_part("x\nssn: 536-22-8147\n", "text", NULL);
    const wt_text_match *m = find(&c, "WT-PII-005");
    CHECK(m && m->count == 1);
}
