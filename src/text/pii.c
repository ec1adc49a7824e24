/*
 * pii.c - see pii.h.
 */
#include "text/pii.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "text/secrets.h"
#include "text/validators.h"

#define CTX_BEFORE 100
#define HEADER_BYTES 512     /* the buffer's first line(s) count as table header context */
#define MAX_TABLE_ROWS 100000

/* Words that make a match look like documentation or fake data. */
static const char *const neg_words = "example|sample|dummy|fake|placeholder|lorem";

wt_severity wt_pii_severity(wt_severity base, size_t count)
{
    int s = (int)base;
    if (count >= 5)
        s++;
    if (count >= 50)
        s++;
    return s > WT_SEV_CRITICAL ? WT_SEV_CRITICAL : (wt_severity)s;
}

static bool ipv4_public(const char *s, size_t n)
{
    char buf[32];
    if (n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    struct in_addr a;
    if (inet_pton(AF_INET, buf, &a) != 1)
        return false;
    uint32_t v = ntohl(a.s_addr);
    unsigned o1 = v >> 24, o2 = (v >> 16) & 0xff, o3 = (v >> 8) & 0xff;
    if (o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224)
        return false;
    if ((o1 == 172 && o2 >= 16 && o2 <= 31) || (o1 == 192 && o2 == 168) || (o1 == 169 && o2 == 254) ||
        (o1 == 100 && o2 >= 64 && o2 <= 127))
        return false;
    if ((o1 == 192 && o2 == 0 && (o3 == 2 || o3 == 0)) || (o1 == 198 && o2 == 51 && o3 == 100) ||
        (o1 == 203 && o2 == 0 && o3 == 113) || (o1 == 198 && (o2 == 18 || o2 == 19)))
        return false;
    return true;
}

static bool ipv6_public(const char *s, size_t n)
{
    char buf[64];
    if (n >= sizeof buf || n < 6)
        return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    unsigned char a[16];
    if (inet_pton(AF_INET6, buf, a) != 1)
        return false;
    size_t groups = 0;
    for (size_t i = 0; i < n; i++)
        if (isxdigit((unsigned char)s[i]) && (i == 0 || s[i - 1] == ':'))
            groups++;
    if (groups < 3)
        return false;
    static const unsigned char zero[16];
    if (memcmp(a, zero, 15) == 0)
        return false; /* :: and ::1 */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return false; /* link-local */
    if ((a[0] & 0xfe) == 0xfc)
        return false; /* unique local */
    if (a[0] == 0xff)
        return false; /* multicast */
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
        return false; /* documentation */
    if (memcmp(a, zero, 10) == 0 && a[10] == 0xff && a[11] == 0xff) {
        char v4[20];
        snprintf(v4, sizeof v4, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
        return ipv4_public(v4, strlen(v4));
    }
    return true;
}

static bool mac_ok(const char *s, size_t n)
{
    if (n < 2)
        return false;
    int digits_only = 1, zero = 1, ff = 1;
    for (size_t i = 0; i < n; i++) {
        char c = (char)tolower((unsigned char)s[i]);
        if (!isxdigit((unsigned char)c))
            continue;
        if (!isdigit((unsigned char)c))
            digits_only = 0;
        if (c != '0')
            zero = 0;
        if (c != 'f')
            ff = 0;
    }
    (void)digits_only;
    if (zero || ff)
        return false;
    /* Locally administered (container and VM NICs: Docker 02:42:..., random
     * per-network Wi-Fi addresses) or multicast addresses are not a device's
     * burned-in identifier. */
    int hi = isdigit((unsigned char)s[0]) ? s[0] - '0' : tolower((unsigned char)s[0]) - 'a' + 10;
    int lo = isdigit((unsigned char)s[1]) ? s[1] - '0' : tolower((unsigned char)s[1]) - 'a' + 10;
    int first = hi * 16 + lo;
    return (first & 0x03) == 0;
}

/* "scheme://user:pass@host" and "scheme://user@host": the part before '@'
 * is URL userinfo (a credential, reported by the secrets rules), not an
 * e-mail address. */
static bool url_userinfo(const char *text, size_t ss)
{
    size_t lim = ss > 256 ? ss - 256 : 0;
    for (size_t i = ss; i > lim; i--) {
        char ch = text[i - 1];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '"' || ch == '\'' || ch == '<' || ch == '>' || ch == '@')
            return false;
        if (ch == '/' && i >= 3 && text[i - 2] == '/' && text[i - 3] == ':')
            return true;
    }
    return false;
}

/* `pip show` / METADATA lines (Author-email: ..., Maintainer-email: ...): the
 * published contact of a package's maintainers, not data about a person
 * the notebook processes. */
static bool package_metadata(const char *text, size_t at)
{
    size_t ls = at;
    while (ls > 0 && text[ls - 1] != '\n' && at - ls < 200)
        ls--;
    static const char *const keys[] = {"Author-email:", "Maintainer-email:", "Author:", "Maintainer:", NULL};
    for (size_t i = 0; keys[i]; i++)
        if (at - ls >= strlen(keys[i]) && strncmp(text + ls, keys[i], strlen(keys[i])) == 0)
            return true;
    return false;
}

static bool email_ok(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    if (!at)
        return false;
    const char *dom = at + 1;
    size_t dn = n - (size_t)(dom - s), ln = (size_t)(at - s);
    static const char *const bad_dom[] = {"example.com", "example.org", "example.net", "test.com",
                                          "localhost", "domain.com", "email.com", "company.com",
                                          "users.noreply.github.com", "sentry.io",
                                          /* machine accounts, not people */
                                          "gserviceaccount.com", "users.noreply.gitlab.com", NULL};
    for (size_t i = 0; bad_dom[i]; i++) {
        size_t bl = strlen(bad_dom[i]);
        if (dn >= bl && strncasecmp(dom + dn - bl, bad_dom[i], bl) == 0 &&
            (dn == bl || dom[dn - bl - 1] == '.'))
            return false;
    }
    const char *dot = NULL;
    for (size_t i = 0; i < dn; i++)
        if (dom[i] == '.')
            dot = dom + i;
    if (!dot)
        return false;
    size_t tl = dn - (size_t)(dot + 1 - dom);
    /* reserved names (RFC 2606 / 6761): a label "example", TLDs .test .invalid .local... */
    static const char *const reserved_tld[] = {"test",  "example", "invalid",     "localhost", "local", "internal",
                                               "lan",   "home",    "localdomain", "corp",      "intranet", NULL};
    for (size_t i = 0; reserved_tld[i]; i++)
        if (tl == strlen(reserved_tld[i]) && strncasecmp(dot + 1, reserved_tld[i], tl) == 0)
            return false;
    for (size_t i = 0; i + 7 <= dn; i++)
        if ((i == 0 || dom[i - 1] == '.') && strncasecmp(dom + i, "example", 7) == 0 &&
            (i + 7 == dn || dom[i + 7] == '.'))
            return false;
    static const char *const file_tld[] = {"png", "jpg", "jpeg", "gif", "svg", "webp", "py", "js",
                                           "ts", "css", "html", "json", "yaml", "yml", "txt", "md",
                                           "ipynb", "pt", "pth", "bin", "onnx", "ckpt", "h5", NULL};
    for (size_t i = 0; file_tld[i]; i++)
        if (tl == strlen(file_tld[i]) && strncasecmp(dot + 1, file_tld[i], tl) == 0)
            return false;
    if (ln == 3 && strncmp(s, "git", 3) == 0)
        return false; /* git@github.com:org/repo */
    if (ln >= 7 && (strncasecmp(s, "noreply", 7) == 0 || strncasecmp(s, "no-reply", 8) == 0))
        return false;
    /* role mailboxes of an organisation, not of a person */
    static const char *const roles[] = {"info",      "support",   "contact",  "press",   "sales",     "admin",
                                        "hello",     "team",      "help",     "security", "privacy",  "billing",
                                        "marketing", "office",    "hr",       "jobs",    "careers",   "webmaster",
                                        "postmaster", "abuse",    "feedback", "enquiries", "inquiries", "media",
                                        "legal",     "donotreply", "do-not-reply", "notifications", NULL};
    for (size_t i = 0; roles[i]; i++)
        if (ln == strlen(roles[i]) && strncasecmp(s, roles[i], ln) == 0)
            return false;
    return ln >= 1;
}

static int ndigits(const char *s, size_t n)
{
    int d = 0;
    for (size_t i = 0; i < n; i++)
        d += isdigit((unsigned char)s[i]) != 0;
    return d;
}

static bool card_ok(const char *s, size_t n)
{
    if (!wt_card_issuer(s, n) || !wt_luhn_ok(s, n))
        return false;
    /* separators: none, or all the same one between groups of 4 (amex 4-6-5) */
    char sep = 0;
    size_t group = 0, ngroups = 0;
    size_t lens[8];
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '-') {
            if (sep && s[i] != sep)
                return false;
            sep = s[i];
            if (ngroups >= 7)
                return false;
            lens[ngroups++] = group;
            group = 0;
        } else {
            group++;
        }
    }
    if (sep) {
        for (size_t i = 0; i < ngroups; i++)
            if (lens[i] != 4 && !(i == 1 && lens[i] == 6))
                return false;
    }
    /* test numbers made of one repeated digit after the prefix */
    int cnt[10] = {0}, d = 0;
    for (size_t i = 0; i < n; i++)
        if (isdigit((unsigned char)s[i])) {
            cnt[s[i] - '0']++;
            d++;
        }
    for (int i = 0; i < 10; i++)
        if (cnt[i] * 4 >= d * 3)
            return false;
    char dig[24];
    int k = 0;
    for (size_t i = 0; i < n && k < 23; i++)
        if (isdigit((unsigned char)s[i]))
            dig[k++] = s[i];
    dig[k] = '\0';
    /* test numbers published by payment processors (Stripe, PayPal, Braintree docs) */
    static const char *const test_cards[] = {
        "378282246310005",  "371449635398431",  "378734493671000",  "5610591081018250", "30569309025904",
        "38520000023237",   "6011111111111117", "6011000990139424", "3530111333300000", "3566002020360505",
        "5555555555554444", "5105105105105100", "4111111111111111", "4012888888881881", "4222222222222",
        "4242424242424242", "4000056655665556", "5200828282828210", "2223003122003222", "6200000000000005",
        "3056930009020004", "36227206271667",   "6011981111111113", "5454545454545454", "4000000000000002",
        "4000000000009995", "4000002500003155", "4012000033330026", "4217651111111119", "6011000000000004",
        NULL};
    for (int i = 0; test_cards[i]; i++)
        if (strcmp(dig, test_cards[i]) == 0)
            return false;
    return !wt_is_sequential(dig + 1, (size_t)k - 1);
}

/* Is the number at `at` a later group of a space-grouped IBAN
 * ("GB76 NWBK 6782 0866 0690 25")? Walks back over 4-character groups to a
 * country code and check digits. */
static bool in_iban_run(const char *text, size_t at)
{
    size_t p = at;
    for (int g = 0; g < 8 && p >= 5 && text[p - 1] == ' '; g++) {
        const char *q = text + p - 5;
        bool grp = true;
        for (int i = 0; i < 4; i++)
            grp = grp && (isdigit((unsigned char)q[i]) || isupper((unsigned char)q[i]));
        if (!grp || (p >= 6 && isalnum((unsigned char)text[p - 6]) ))
            return false;
        if (isupper((unsigned char)q[0]) && isupper((unsigned char)q[1]) && isdigit((unsigned char)q[2]) &&
            isdigit((unsigned char)q[3]))
            return true;
        p -= 5;
    }
    return false;
}

/* 111-22-3333: every group one repeated digit (documentation samples). */
static bool repeated_groups(const char *s, size_t n)
{
    char prev = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            prev = 0;
            continue;
        }
        if (prev && s[i] != prev)
            ok = false;
        prev = s[i];
    }
    return ok;
}

static bool date_ok(const char *s, size_t n)
{
    int v[3] = {0}, k = 0;
    bool in = false;
    for (size_t i = 0; i < n && k < 3; i++) {
        if (isdigit((unsigned char)s[i])) {
            v[k] = v[k] * 10 + (s[i] - '0');
            in = true;
        } else if (in) {
            k++;
            in = false;
        }
    }
    if (in)
        k++;
    int year = v[k - 1 >= 0 ? k - 1 : 0];
    if (k >= 1 && v[0] > 1000)
        year = v[0];
    if (year < 100)
        return true;
    return year >= 1900 && year <= 2030;
}

/* Validate one candidate; score in *score, false to drop. */
static bool validate(const wt_hs_row *r, const char *text, size_t len, const wt_hs_cand *c, const char *header_end,
                     double *score, bool *ctx_found)
{
    const char *s = text + c->ss;
    size_t n = c->se - c->ss;
    uint32_t k = r->checks;
    double sc = r->score;
    bool validated = false;
    if ((k & WT_CK_LUHN) && (!card_ok(s, n) || in_iban_run(text, c->ss)))
        return false;
    if ((k & WT_CK_AADHAAR) && in_iban_run(text, c->ss))
        return false;
    if (k & WT_CK_LUHN)
        validated = true;
    if ((k & WT_CK_IBAN) && !wt_iban_ok(s, n))
        return false;
    if (k & WT_CK_IBAN)
        validated = true;
    if ((k & WT_CK_SSN) && (!wt_ssn_ok(s, n) || repeated_groups(s, n)))
        return false;
    if ((k & WT_CK_ITIN) && !wt_itin_ok(s, n))
        return false;
    if ((k & WT_CK_NHS) && !wt_nhs_ok(s, n))
        return false;
    if ((k & WT_CK_AADHAAR) && !wt_aadhaar_ok(s, n))
        return false;
    if ((k & WT_CK_PAN) && !wt_pan_ok(s, n))
        return false;
    if ((k & WT_CK_BASE58) && !wt_base58check_ok(s, n))
        return false;
    if ((k & WT_CK_BECH32) && !wt_bech32_ok(s, n))
        return false;
    if (k & (WT_CK_BASE58 | WT_CK_BECH32))
        validated = true;
    if ((k & WT_CK_IPV4) && !ipv4_public(s, n))
        return false;
    if ((k & WT_CK_IPV4) && !(r->nctx && wt_hs_has_ctx(r, text, c->ms > CTX_BEFORE ? c->ms - CTX_BEFORE : 0, c->ss))) {
        /* 2.5.4.3 (OIDs), 3.4.1.3 (section numbers), v1.2.3.4: not addresses */
        int single = 0;
        for (size_t i = 0; i < n; i++)
            single += isdigit((unsigned char)s[i]) && (i == 0 || s[i - 1] == '.') && (i + 1 == n || s[i + 1] == '.');
        if (single >= 3 || s[0] == '0' || ((s[0] == '1' || s[0] == '2') && s[1] == '.'))
            return false; /* 1.x / 2.x: OID arcs far more often than hosts */
        size_t b = c->ss;
        if (b > 0 && (text[b - 1] == 'v' || text[b - 1] == 'V'))
            return false;
    }
    if ((k & WT_CK_IPV6) && !ipv6_public(s, n))
        return false;
    if ((k & WT_CK_MAC) && !mac_ok(s, n))
        return false;
    if ((k & WT_CK_EMAIL) && (!email_ok(s, n) || url_userinfo(text, c->ss) || package_metadata(text, c->ss)))
        return false;
    if (k & WT_CK_PHONE) {
        int d = ndigits(s, n);
        if (d < 8 || d > 15 || wt_is_sequential(s, n))
            return false;
    }
    if ((k & WT_CK_DATE) && !date_ok(s, n))
        return false;
    if ((k & WT_CK_DIGIT) && ndigits(s, n) == 0)
        return false;
    size_t from = c->ms > CTX_BEFORE ? c->ms - CTX_BEFORE : 0;
    bool ctx = r->nctx && (wt_hs_has_ctx(r, text, from, c->ss) ||
                           (header_end && wt_hs_has_ctx(r, text, 0, (size_t)(header_end - text))));
    (void)len;
    if ((k & WT_CK_CTXREQ) && !ctx)
        return false;
    if ((k & WT_CK_CTXSEP) && !ctx) {
        bool sep = memchr(s, ' ', n) || memchr(s, '-', n);
        if (!sep)
            return false;
    }
    if (validated && sc < 0.8)
        sc = 0.8;
    if (ctx) {
        sc += 0.35;
        if (sc < 0.4)
            sc = 0.4;
    }
    if (wt_hs_has_word(text, from, c->ss, neg_words))
        sc -= 0.3;
    if (sc > 1.0)
        sc = 1.0;
    *score = sc;
    *ctx_found = ctx;
    return sc >= WT_PII_MIN_SCORE;
}

/* ---- person names in tables ---- */
static const char *const name_cols[] = {"name", "first_name", "firstname", "first name", "last_name",
                                        "lastname", "last name", "full_name", "fullname", "full name",
                                        "customer", "customer_name", "patient", "patient_name",
                                        "employee", "employee_name", "surname", "given_name",
                                        "family_name", "person", NULL};

typedef struct cell { size_t s, e; } cell;

/* Split text[ls, le) into cells by the separator style: '\t', '|', ',' or
 * runs of >= 2 spaces. Returns the count (max cap). */
static size_t split_cells(const char *t, size_t ls, size_t le, char style, cell *out, size_t cap)
{
    size_t n = 0, i = ls;
    while (i < le && n < cap) {
        if (style == ' ') {
            while (i < le && t[i] == ' ')
                i++;
            if (i >= le)
                break;
            size_t s = i;
            while (i < le && !(t[i] == ' ' && i + 1 < le && t[i + 1] == ' ') && !(t[i] == ' ' && i + 1 == le))
                i++;
            out[n++] = (cell){s, i};
        } else {
            size_t s = i;
            while (i < le && t[i] != style)
                i++;
            size_t a = s, b = i;
            while (a < b && (t[a] == ' ' || t[a] == '"'))
                a++;
            while (b > a && (t[b - 1] == ' ' || t[b - 1] == '"' || t[b - 1] == '\r'))
                b--;
            if (!(style == '|' && n == 0 && a == b))
                out[n++] = (cell){a, b};
            i++;
        }
    }
    if (style == '|' && n && out[n - 1].s == out[n - 1].e)
        n--;
    return n;
}

static bool looks_like_name(const char *s, size_t n)
{
    if (n < 2 || n > 60)
        return false;
    size_t words = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && s[i] == ' ')
            i++;
        if (i >= n)
            break;
        if (!isupper((unsigned char)s[i]))
            return false;
        size_t w = i++;
        size_t lower = 0;
        while (i < n && s[i] != ' ') {
            unsigned char c = (unsigned char)s[i];
            if (islower(c))
                lower++;
            else if (!(c == '\'' || c == '-' || c == '.' || isupper(c)))
                return false;
            i++;
        }
        if (i - w >= 2 && lower == 0)
            return false; /* NAN, NULL, ACME */
        words++;
    }
    if (words < 1 || words > 4)
        return false;
    if ((n == 3 && strncmp(s, "NaN", 3) == 0) || (n == 4 && strncmp(s, "None", 4) == 0) ||
        (n == 4 && strncmp(s, "True", 4) == 0) || (n == 5 && strncmp(s, "False", 5) == 0))
        return false;
    return true;
}

/* ---- other typed columns: the header names the type, the cells must fit it ---- */
static const char *const phone_cols[] = {"phone", "phone_number", "phonenumber", "phone number", "phone_no",
                                         "mobile", "mobile_number", "mobile_phone", "cell_phone",
                                         "cellphone", "tel", "telephone", "contact_number", "contact_no",
                                         "whatsapp", NULL};
static const char *const dob_cols[] = {"dob", "date_of_birth", "dateofbirth", "date of birth", "birth_date",
                                       "birthdate", "birth date", "birthday", NULL};
static const char *const ssn_cols[] = {"ssn", "social_security_number", "social_security",
                                       "social security number", "ssn_number", NULL};

static bool phone_cell_ok(const char *s, size_t n)
{
    if (n < 8 || n > 24 || s[0] == '-')
        return false;
    int d = 0, dots = 0;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)s[i]))
            d++;
        else if (s[i] == '.')
            dots++;
        else if (!strchr("+()- ", s[i]))
            return false;
    }
    if (dots == 1)
        return false; /* 4158234467.0: a float column */
    if ((size_t)d == n && d < 10)
        return false; /* a bare 8-9 digit number is an id more often than a phone */
    return d >= 8 && d <= 15 && !wt_is_sequential(s, n);
}

static bool date_cell_ok(const char *s, size_t n)
{
    size_t m = 0;
    while (m < n && s[m] != ' ' && s[m] != 'T')
        m++; /* a time part may follow */
    int g[3] = {0}, gl[3] = {0}, k = 0;
    char sep = 0;
    for (size_t i = 0; i < m; i++) {
        if (isdigit((unsigned char)s[i])) {
            if (gl[k] >= 4)
                return false;
            g[k] = g[k] * 10 + (s[i] - '0');
            gl[k]++;
        } else if ((s[i] == '-' || s[i] == '/' || s[i] == '.') && k < 2 && gl[k] && (!sep || s[i] == sep)) {
            sep = s[i];
            k++;
        } else {
            return false;
        }
    }
    if (k != 2 || !gl[2])
        return false;
    if (gl[0] == 4) {
        if (gl[1] > 2 || gl[2] > 2 || g[1] < 1 || g[1] > 12 || g[2] < 1 || g[2] > 31)
            return false;
    } else {
        if (gl[0] > 2 || gl[1] > 2 || (gl[2] != 4 && gl[2] != 2) || g[0] < 1 || g[1] < 1 || g[0] > 31 ||
            g[1] > 31 || (g[0] > 12 && g[1] > 12))
            return false;
    }
    return date_ok(s, m);
}

static bool repeated_groups(const char *s, size_t n);

static bool ssn_cell_ok(const char *s, size_t n)
{
    bool shape = false;
    if (n == 9) {
        shape = true;
        for (size_t i = 0; i < n; i++)
            shape = shape && isdigit((unsigned char)s[i]);
    } else if (n == 11 && (s[3] == '-' || s[3] == ' ') && s[6] == s[3]) {
        shape = true;
        for (size_t i = 0; i < n; i++)
            shape = shape && (i == 3 || i == 6 || isdigit((unsigned char)s[i]));
    }
    return shape && wt_ssn_ok(s, n) && !repeated_groups(s, n);
}

typedef struct colkind {
    const char *const *cols;
    bool (*ok)(const char *, size_t);
} colkind;

/* Columns that hold one part of a name: one capitalised word is a name there.
 * Under "name", "customer", "patient"... one word is as often a product, a
 * city or a Pokemon (Kaggle datasets): a person's name needs two words. */
static const char *const name_part_cols[] = {"first_name", "firstname", "first name", "last_name", "lastname",
                                             "last name", "surname", "given_name", "family_name", NULL};

static size_t name_words(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && (i == 0 || s[i - 1] == ' '))
            w++;
    return w;
}

/* Columns that only hold people. */
static const char *const people_cols[] = {"customer", "customer_name", "patient", "patient_name", "employee",
                                          "employee_name", "person", NULL};

static bool in_cols(const char *const *cols, const char *h, size_t hn)
{
    for (size_t i = 0; cols[i]; i++)
        if (hn == strlen(cols[i]) && strncasecmp(h, cols[i], hn) == 0)
            return true;
    return false;
}

/* Does a header cell name an attribute of a person (email, phone, age,
 * gender, birth date, address, salary...)? Compared word by word
 * ("Customer_Age", "e-mail"), never as a substring ("page", "image"). */
static bool person_attribute(const char *h, size_t hn)
{
    static const char *const words[] = {"email", "mail", "phone", "mobile", "tel", "telephone", "age", "gender",
                                        "sex", "dob", "birth", "birthday", "birthdate", "address", "street", "zip",
                                        "zipcode", "postcode", "postal", "ssn", "salary", "income", "card", "iban",
                                        "account", "occupation", "job", "ip", "customer", "patient", "employee",
                                        "user", "username", "nationality", "marital", "passport", NULL};
    size_t i = 0;
    while (i < hn) {
        while (i < hn && !isalnum((unsigned char)h[i]))
            i++;
        size_t a = i;
        while (i < hn && isalnum((unsigned char)h[i]))
            i++;
        if (i > a && in_cols(words, h + a, i - a))
            return true;
    }
    return false;
}

/* Does a header cell name an attribute of a place, product, company or
 * species (population, price, brand, species...)? */
static bool thing_attribute(const char *h, size_t hn)
{
    static const char *const words[] = {"population", "capital", "continent", "country", "region", "area", "gdp",
                                        "price", "brand", "model", "category", "product", "sku", "species", "genus",
                                        "stock", "ticker", "symbol", "sector", "industry", "manufacturer",
                                        "revenue", "founded", "headquarters", "elevation", "latitude", "longitude",
                                        "type", "type1", "type2", "hp", "attack", "defense", "genre", "rating",
                                        "calories", "abv", NULL};
    size_t i = 0;
    while (i < hn) {
        while (i < hn && !isalnum((unsigned char)h[i]))
            i++;
        size_t a = i;
        while (i < hn && isalnum((unsigned char)h[i]))
            i++;
        if (i > a && in_cols(words, h + a, i - a))
            return true;
    }
    return false;
}

/* Is the cell [s, n) valid for the column headed [h, hn)? person: the
 * header says the rows are people (another column names a person's
 * attribute, or none names an attribute of a place, product or species). */
static bool cell_ok(const colkind *k, const char *h, size_t hn, bool person, const char *s, size_t n)
{
    if (!k->ok(s, n))
        return false;
    if (k->ok != looks_like_name)
        return true;
    if (in_cols(name_part_cols, h, hn))
        return true; /* first_name, surname: one word is a name */
    if (name_words(s, n) < 2)
        return false;
    /* "name" next to country and population is a city; next to email or age, a person */
    return person || in_cols(people_cols, h, hn);
}

static const colkind *column_kind(uint32_t checks)
{
    static const colkind names = {name_cols, looks_like_name}, phones = {phone_cols, phone_cell_ok},
                         dates = {dob_cols, date_cell_ok}, ssns = {ssn_cols, ssn_cell_ok};
    if (checks & WT_CK_PHONE)
        return &phones;
    if (checks & WT_CK_DATE)
        return &dates;
    if (checks & WT_CK_SSN)
        return &ssns;
    return &names;
}

static bool header_is(const colkind *k, const char *s, size_t n)
{
    for (size_t w = 0; k->cols[w]; w++)
        if (n == strlen(k->cols[w]) && strncasecmp(s, k->cols[w], n) == 0)
            return true;
    return false;
}

/* Cells counted by a column scan, so the pattern rows do not count them again. */
typedef struct colspans {
    const char *rule_id;
    size_t s, e;
} colspans;

typedef struct colset {
    colspans *v;
    size_t n, cap;
    bool sorted;
} colset;

static void colset_add(colset *cs, const char *rule_id, size_t s, size_t e)
{
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 16;
        cs->v = wt_xrealloc(cs->v, cs->cap * sizeof *cs->v);
    }
    if (cs->n && s < cs->v[cs->n - 1].s)
        cs->sorted = false;
    else if (cs->n == 0)
        cs->sorted = true;
    cs->v[cs->n++] = (colspans){rule_id, s, e};
}

static int colspan_cmp(const void *a, const void *b)
{
    const colspans *x = a, *y = b;
    return x->s < y->s ? -1 : x->s > y->s;
}

/* Cells are disjoint: binary search for the last one starting before e,
 * then look at the few before it that may still overlap. */
static bool colset_has(colset *cs, const char *rule_id, size_t s, size_t e)
{
    if (!cs->sorted) {
        qsort(cs->v, cs->n, sizeof *cs->v, colspan_cmp);
        cs->sorted = true;
    }
    size_t lo = 0, hi = cs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cs->v[mid].s < e)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo, steps = 0; k > 0 && steps < 8; k--, steps++) {
        const colspans *v = &cs->v[k - 1];
        if (v->e <= s)
            continue;
        if (strcmp(v->rule_id, rule_id) == 0)
            return true;
    }
    return false;
}

/* The candidate is a header word: if its line is a table header with a
 * column of this kind, count the valid cells below. Sets *first to the first
 * one; every counted cell goes to *cs. */
static size_t table_column(const char *t, size_t len, size_t at, const colkind *kind, const char *rule_id,
                           colset *cs, size_t *first, size_t *end_out)
{
    size_t ls = at, le = at;
    while (ls > 0 && t[ls - 1] != '\n')
        ls--;
    while (le < len && t[le] != '\n')
        le++;
    *end_out = le;
    const char *line = t + ls;
    size_t ll = le - ls;
    char style = memchr(line, '\t', ll) ? '\t' : memchr(line, '|', ll) ? '|' : memmem(line, ll, "  ", 2) ? ' ' : ',';
    cell hc[64];
    size_t nh = split_cells(t, ls, le, style, hc, 64);
    if (nh < 2)
        return 0;
    size_t col = SIZE_MAX;
    for (size_t j = 0; j < nh && col == SIZE_MAX; j++) {
        if (at < hc[j].s || at >= hc[j].e)
            continue;
        if (header_is(kind, t + hc[j].s, hc[j].e - hc[j].s))
            col = j;
    }
    bool person_attr = false, thing_attr = false;
    for (size_t j = 0; j < nh; j++) {
        if (j == col)
            continue;
        person_attr = person_attr || person_attribute(t + hc[j].s, hc[j].e - hc[j].s);
        thing_attr = thing_attr || thing_attribute(t + hc[j].s, hc[j].e - hc[j].s);
    }
    bool person = person_attr || !thing_attr;
    if (col == SIZE_MAX)
        return 0;
    size_t count = 0, rows = 0, p = le < len ? le + 1 : len;
    *first = SIZE_MAX;
    while (p < len && rows < MAX_TABLE_ROWS) {
        size_t q = p;
        while (q < len && t[q] != '\n')
            q++;
        if (q == p)
            break;
        cell rc[64];
        size_t nr = split_cells(t, p, q, style, rc, 64);
        rows++;
        size_t idx = SIZE_MAX;
        if (style == '|' && nr && t[rc[0].s] == '-')
            idx = SIZE_MAX; /* markdown separator row */
        else if (nr == nh + 1)
            idx = col + 1; /* pandas: index column first */
        else if (nr == nh)
            idx = col;
        else if (style == ' ' && nr > 0 && q - p >= 3 && strncmp(t + p, "...", 3) != 0 && nr < nh)
            break;
        if (idx != SIZE_MAX && idx < nr &&
            cell_ok(kind, t + hc[col].s, hc[col].e - hc[col].s, person, t + rc[idx].s, rc[idx].e - rc[idx].s)) {
            if (*first == SIZE_MAX)
                *first = rc[idx].s;
            colset_add(cs, rule_id, rc[idx].s, rc[idx].e);
            count++;
        }
        p = q < len ? q + 1 : len;
    }
    *end_out = p;
    return count;
}

/* HTML tables (pandas' to_html): rows of <th>/<td> cells in the raw
 * markup. Returns the number of names; *first = raw offset of the first. */
static size_t html_cell(const char *h, size_t len, size_t i, size_t *cs, size_t *ce, size_t *next)
{
    /* i points at "<td" or "<th"; content runs to the next "</t" */
    const char *gt = memchr(h + i, '>', len - i);
    if (!gt)
        return 0;
    size_t a = (size_t)(gt - h) + 1, b = a;
    while (b + 2 < len && !(h[b] == '<' && h[b + 1] == '/' && (h[b + 2] == 't' || h[b + 2] == 'T')))
        b++;
    while (a < b && isspace((unsigned char)h[a]))
        a++;
    size_t e = b;
    while (e > a && isspace((unsigned char)h[e - 1]))
        e--;
    *cs = a;
    *ce = e;
    *next = b + 2;
    return 1;
}

static size_t unmap_offset(const uint32_t *map, size_t len, size_t raw);

static size_t html_table_column(const char *h, size_t len, const colkind *kind, const char *rule_id, colset *cs,
                                const uint32_t *map, size_t slen, size_t *first)
{
    size_t col = SIZE_MAX, count = 0, rows = 0, hs = 0, he = 0;
    bool person = false, header_row = false;
    *first = SIZE_MAX;
    size_t i = 0;
    while (i + 3 < len && rows < MAX_TABLE_ROWS) {
        const char *tr = memmem(h + i, len - i, "<tr", 3);
        if (!tr)
            break;
        size_t rs = (size_t)(tr - h) + 3;
        const char *tre = memmem(h + rs, len - rs, "</tr", 4);
        size_t re = tre ? (size_t)(tre - h) : len;
        size_t j = rs, ncell = 0;
        rows++;
        header_row = col == SIZE_MAX;
        bool row_person = false, row_thing = false;
        while (j + 3 < re) {
            const char *lt = memchr(h + j, '<', re - j);
            if (!lt || (size_t)(lt - h) + 3 > re)
                break;
            size_t k = (size_t)(lt - h);
            if (!(h[k + 1] == 't' || h[k + 1] == 'T') || !(h[k + 2] == 'd' || h[k + 2] == 'h' || h[k + 2] == 'D' || h[k + 2] == 'H')) {
                j = k + 1;
                continue;
            }
            size_t cs0, ce, nx;
            if (!html_cell(h, re, k, &cs0, &ce, &nx))
                break;
            if (header_row) {
                if (col == SIZE_MAX && header_is(kind, h + cs0, ce - cs0)) {
                    col = ncell;
                    hs = cs0;
                    he = ce;
                } else {
                    row_person = row_person || person_attribute(h + cs0, ce - cs0);
                    row_thing = row_thing || thing_attribute(h + cs0, ce - cs0);
                }
            } else if (ncell == col && cell_ok(kind, h + hs, he - hs, person, h + cs0, ce - cs0)) {
                if (*first == SIZE_MAX)
                    *first = cs0;
                if (ce > cs0)
                    colset_add(cs, rule_id, unmap_offset(map, slen, cs0), unmap_offset(map, slen, ce - 1) + 1);
                count++;
            }
            ncell++;
            j = nx;
        }
        if (header_row && col != SIZE_MAX)
            person = row_person || !row_thing;
        i = re + 1;
    }
    return count;
}

/* Stripped offset whose original offset is raw (map is ascending). */
static size_t unmap_offset(const uint32_t *map, size_t len, size_t raw)
{
    size_t lo = 0, hi = len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (map[mid] < raw)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < len ? lo : (len ? len - 1 : 0);
}

/* Printed tables live in outputs, Markdown, HTML and plain text / CSV,
 * not in source code (where `name  = ...` is an assignment). */
static bool tabular_buffer(const wt_text_origin *o)
{
    static const char *const kinds[] = {"output", "html", "markdown", "text", "csv", "tsv", "json", NULL};
    if (!o)
        return true;
    if (o->cell_part && strcmp(o->cell_part, "output") == 0)
        return true;
    if (!o->kind)
        return true;
    for (size_t i = 0; kinds[i]; i++)
        if (strcmp(o->kind, kinds[i]) == 0)
            return true;
    return false;
}

/* ---- aggregation ---- */
typedef struct agg {
    const wt_hs_row *r;
    size_t count;
    size_t first_off, first_len, first_ms;
    double best;
} agg;

static size_t collect(const char *text, size_t len, const wt_text_origin *o, const void *key, agg **out)
{
    size_t nrows;
    const wt_hs_row *rows = wt_hsdb_rows(&nrows);
    const wt_hs_cand *c;
    size_t nc = wt_hsdb_candidates(key, text, len, WT_HS_PII, wt_text_is_config_kind(o ? o->kind : NULL), &c);
    agg *a = NULL;
    size_t na = 0;
    const char *nl = memchr(text, '\n', len < HEADER_BYTES ? len : HEADER_BYTES);
    const char *header_end = nl ? nl : NULL;
    size_t *done = NULL; /* per column row: end of the table already read */
    colset cols = {0};
    bool markers = nc && wt_hs_has_markers(text, len);
    size_t last_end = 0;
    const wt_hs_row *last_row = NULL;
    for (size_t i = 0; i < nc; i++) {
        const wt_hs_row *r = &rows[c[i].row];
        if (r->table != WT_HS_PII)
            continue;
        size_t off = c[i].ss, vlen = c[i].se - c[i].ss, cnt = 1, ms = c[i].ms;
        double score = r->score;
        if (r->checks & WT_CK_COLUMN) {
            size_t ri = c[i].row;
            if (!tabular_buffer(o) || ri >= nrows)
                continue;
            if (!done)
                done = wt_xcalloc(nrows, sizeof *done);
            if (c[i].ss < done[ri])
                continue;
            const colkind *kind = column_kind(r->checks);
            size_t first = 0, end = 0;
            if (o && o->kind && strcmp(o->kind, "html") == 0 && o->orig_text && o->offset_map) {
                /* the markup is read once per column row for this buffer */
                cnt = html_table_column(o->orig_text, o->orig_len, kind, r->meta.id, &cols, o->offset_map, len,
                                        &first);
                done[ri] = SIZE_MAX;
                if (cnt == 0)
                    continue;
                first = unmap_offset(o->offset_map, len, first);
            } else {
                cnt = table_column(text, len, c[i].ss, kind, r->meta.id, &cols, &first, &end);
                done[ri] = end; /* this header line (and its rows) is done either way */
            }
            if (cnt == 0)
                continue;
            off = ms = first;
            vlen = 0;
            while (first + vlen < len && text[first + vlen] != '\n' && vlen < 60 &&
                   !(text[first + vlen] == ' ' && first + vlen + 1 < len && text[first + vlen + 1] == ' '))
                vlen++;
            while (vlen > 0 && text[first + vlen - 1] == ' ')
                vlen--;
            if (kind->ok != looks_like_name)
                score = 0.85; /* the header names the type and every cell fits it */
            else if (cnt >= 3)
                score = 0.85;
        } else {
            bool ctx;
            if (last_row && strcmp(last_row->meta.id, r->meta.id) == 0 && c[i].ss < last_end)
                continue; /* two rows of one rule on the same item */
            if (cols.n && colset_has(&cols, r->meta.id, c[i].ss, c[i].se))
                continue; /* already counted in its table column */
            if (!validate(r, text, len, &c[i], header_end, &score, &ctx))
                continue;
            last_row = r;
            last_end = c[i].se;
        }
        if (markers && wt_hs_line_ignored(text, len, off, r->meta.id))
            continue;
        size_t j = 0;
        while (j < na && strcmp(a[j].r->meta.id, r->meta.id) != 0)
            j++;
        if (j == na) {
            a = wt_xrealloc(a, (na + 1) * sizeof *a);
            a[na++] = (agg){.r = r, .first_off = off, .first_len = vlen, .first_ms = ms, .best = score};
        }
        a[j].count += cnt;
        if (score > a[j].best)
            a[j].best = score;
        if (off < a[j].first_off) {
            a[j].first_off = off;
            a[j].first_len = vlen;
        }
    }
    free(done);
    free(cols.v);
    *out = a;
    return na;
}

static void fill_match(const agg *g, const wt_text_origin *o, wt_text_match *m)
{
    memset(m, 0, sizeof *m);
    m->rule_id = g->r->meta.id;
    m->name = g->r->meta.name;
    m->off = g->first_off;
    m->len = g->first_len;
    m->mstart = g->first_ms;
    m->mend = g->first_off + g->first_len;
    m->count = g->count;
    m->confidence = g->best;
    m->severity = wt_pii_severity(g->r->meta.severity, g->count);
    (void)o;
}

static void scan(wt_ctx *ctx, const char *text, size_t len, const wt_text_origin *o)
{
    agg *a = NULL;
    size_t n = collect(text, len, o, ctx, &a);
    for (size_t i = 0; i < n; i++) {
        wt_text_match m;
        fill_match(&a[i], o, &m);
        char sha[65];
        wt_sha256_hex(text + m.off, m.len, sha);
        char *mask = wt_mask_secret(text + m.off, m.len, 2);
        char *ev = m.count > 1 ? wt_xasprintf("%zu items; first: %s (sha256:%.12s)", m.count, mask, sha)
                               : wt_xasprintf("%s (sha256:%.12s)", mask, sha);
        const char *where = o && o->cell_part && strcmp(o->cell_part, "output") == 0 ? " in a notebook output" : "";
        wt_location loc = wt_text_location(text, len, m.off, o);
        wt_finding *f = wt_emit(ctx, m.rule_id, m.severity, &loc, ev, "%s: %zu found%s", a[i].r->meta.summary,
                                m.count, where);
        if (f) {
            f->confidence = m.confidence;
            if (!f->props)
                f->props = json_object();
            json_object_set_new(f->props, "count", json_integer((json_int_t)m.count));
            json_object_set_new(f->props, "first_sha256", json_string(sha));
            json_object_set_new(f->props, "recognizer", json_string(m.name));
        }
        free(mask);
        free(ev);
    }
    free(a);
}

size_t wt_pii_scan_buffer_for_test(const char *text, size_t len, const char *kind, const char *cell_part,
                                   wt_text_match_fn fn, void *ud)
{
    wt_text_origin o = {.cell = -1, .kind = kind, .cell_part = cell_part, .line_base = 1};
    agg *a = NULL;
    size_t n = collect(text, len, &o, &wt_hsdb_test_key, &a);
    for (size_t i = 0; i < n; i++) {
        wt_text_match m;
        fill_match(&a[i], &o, &m);
        if (fn)
            fn(ud, &m);
    }
    free(a);
    return n;
}

/* ---- rule table ---- */
static size_t rules_get(const wt_rule **out) { return wt_hsdb_rules(WT_HS_PII, out); }

const wt_rule_table wt_pii_rule_table = {.name = "pii", .get = rules_get};
const wt_text_detector wt_pii_detector = {.name = "pii", .scan = scan};
