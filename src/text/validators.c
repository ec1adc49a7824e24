/*
 * validators.c - see validators.h.
 */
#include "text/validators.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

/* Copy the digits of s into out (max cap), skipping spaces and dashes.
 * Returns the digit count, or -1 on any other character or overflow. */
static int digits_only(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (k >= cap)
                return -1;
            out[k++] = c;
        } else if (c != ' ' && c != '-') {
            return -1;
        }
    }
    return (int)k;
}

bool wt_luhn_ok(const char *s, size_t n)
{
    char d[32];
    int k = digits_only(s, n, d, sizeof d);
    if (k < 12 || k > 19)
        return false;
    int sum = 0;
    bool dbl = false;
    for (int i = k - 1; i >= 0; i--) {
        int v = d[i] - '0';
        if (dbl) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
        dbl = !dbl;
    }
    return sum % 10 == 0;
}

static bool prefix_in(const char *d, int lo, int hi, int plen)
{
    int v = 0;
    for (int i = 0; i < plen; i++)
        v = v * 10 + (d[i] - '0');
    return v >= lo && v <= hi;
}

const char *wt_card_issuer(const char *s, size_t n)
{
    char d[32];
    int k = digits_only(s, n, d, sizeof d);
    if (k < 12 || k > 19)
        return NULL;
    if (d[0] == '4' && (k == 13 || k == 16 || k == 19))
        return "visa";
    if ((prefix_in(d, 51, 55, 2) || prefix_in(d, 2221, 2720, 4)) && k == 16)
        return "mastercard";
    if ((prefix_in(d, 34, 34, 2) || prefix_in(d, 37, 37, 2)) && k == 15)
        return "amex";
    if ((prefix_in(d, 6011, 6011, 4) || prefix_in(d, 644, 649, 3) || prefix_in(d, 65, 65, 2)) && k >= 16)
        return "discover";
    if (prefix_in(d, 3528, 3589, 4) && k >= 16)
        return "jcb";
    if ((prefix_in(d, 300, 305, 3) || prefix_in(d, 36, 36, 2) || prefix_in(d, 38, 39, 2)) && k >= 14)
        return "diners";
    if (prefix_in(d, 62, 62, 2) && k >= 16)
        return "unionpay";
    if ((prefix_in(d, 50, 50, 2) || prefix_in(d, 56, 58, 2) || prefix_in(d, 6304, 6304, 4) ||
         prefix_in(d, 67, 67, 2)) && k >= 12)
        return "maestro";
    return NULL;
}

/* IBAN lengths from the SWIFT IBAN registry. */
static const struct { char cc[3]; unsigned char len; } iban_len[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

bool wt_iban_ok(const char *s, size_t n)
{
    char v[40];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ')
            continue;
        if (!isalnum((unsigned char)c) || k >= sizeof v)
            return false;
        v[k++] = (char)toupper((unsigned char)c);
    }
    if (k < 15 || !isupper((unsigned char)v[0]) || !isupper((unsigned char)v[1]) ||
        !isdigit((unsigned char)v[2]) || !isdigit((unsigned char)v[3]))
        return false;
    size_t want = 0;
    for (size_t i = 0; i < sizeof iban_len / sizeof iban_len[0]; i++)
        if (iban_len[i].cc[0] == v[0] && iban_len[i].cc[1] == v[1])
            want = iban_len[i].len;
    if (want == 0 || want != k)
        return false;
    unsigned rem = 0;
    for (size_t j = 0; j < k; j++) {
        char c = v[(j + 4) % k];
        if (isdigit((unsigned char)c))
            rem = (rem * 10 + (unsigned)(c - '0')) % 97;
        else
            rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
    }
    return rem == 1;
}

static bool nine_digits(const char *s, size_t n, int *area, int *group, int *serial)
{
    char d[16];
    int k = digits_only(s, n, d, sizeof d);
    if (k != 9)
        return false;
    *area = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
    *group = (d[3] - '0') * 10 + (d[4] - '0');
    *serial = (d[5] - '0') * 1000 + (d[6] - '0') * 100 + (d[7] - '0') * 10 + (d[8] - '0');
    return true;
}

bool wt_ssn_ok(const char *s, size_t n)
{
    int a, g, sr;
    if (!nine_digits(s, n, &a, &g, &sr))
        return false;
    if (a == 0 || a == 666 || a >= 900 || g == 0 || sr == 0)
        return false;
    /* Well-known published samples (Woolworth wallet card, ads, docs). */
    if ((a == 78 && g == 5 && sr == 1120) || (a == 219 && g == 9 && sr == 9999) ||
        (a == 123 && g == 45 && sr == 6789) || (a == 111 && g == 11 && sr == 1111) ||
        (a == 222 && g == 22 && sr == 2222) || (a == 333 && g == 33 && sr == 3333) ||
        (a == 444 && g == 44 && sr == 4444) || (a == 555 && g == 55 && sr == 5555) ||
        (a == 777 && g == 77 && sr == 7777) || (a == 888 && g == 88 && sr == 8888))
        return false;
    return true;
}

bool wt_itin_ok(const char *s, size_t n)
{
    int a, g, sr;
    if (!nine_digits(s, n, &a, &g, &sr))
        return false;
    if (a < 900)
        return false;
    return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99);
}

bool wt_nhs_ok(const char *s, size_t n)
{
    char d[16];
    int k = digits_only(s, n, d, sizeof d);
    if (k != 10)
        return false;
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (d[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10)
        return false;
    bool same = true;
    for (int i = 1; i < 10; i++)
        same = same && d[i] == d[0];
    return !same && check == d[9] - '0';
}

static const unsigned char vh_d[10][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
    {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
    {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
    {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
static const unsigned char vh_p[8][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
    {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
    {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};

bool wt_verhoeff_ok(const char *s, size_t n)
{
    int c = 0;
    size_t seen = 0;
    for (size_t i = n; i-- > 0;) {
        char ch = s[i];
        if (ch == ' ' || ch == '-')
            continue;
        if (ch < '0' || ch > '9')
            return false;
        c = vh_d[c][vh_p[seen % 8][ch - '0']];
        seen++;
    }
    return seen > 1 && c == 0;
}

bool wt_aadhaar_ok(const char *s, size_t n)
{
    char d[20];
    int k = digits_only(s, n, d, sizeof d);
    if (k != 12 || d[0] < '2')
        return false;
    if (wt_is_sequential(d, 12))
        return false;
    return wt_verhoeff_ok(d, 12);
}

bool wt_pan_ok(const char *s, size_t n)
{
    if (n != 10)
        return false;
    for (int i = 0; i < 10; i++) {
        bool letter = s[i] >= 'A' && s[i] <= 'Z', digit = s[i] >= '0' && s[i] <= '9';
        if ((i < 5 || i == 9) ? !letter : !digit)
            return false;
    }
    return strchr("ABCFGHLJPT", s[3]) != NULL;
}

static void sha256(const void *d, size_t n, unsigned char out[32])
{
    unsigned int olen = 0;
    EVP_Digest(d, n, out, &olen, EVP_sha256(), NULL);
}

bool wt_base58check_ok(const char *s, size_t n)
{
    static const char alpha[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    if (n < 26 || n > 35)
        return false;
    unsigned char b[25] = {0};
    for (size_t i = 0; i < n; i++) {
        const char *p = s[i] ? strchr(alpha, s[i]) : NULL;
        if (!p)
            return false;
        unsigned carry = (unsigned)(p - alpha);
        for (int j = 24; j >= 0; j--) {
            carry += 58u * b[j];
            b[j] = (unsigned char)(carry & 0xff);
            carry >>= 8;
        }
        if (carry)
            return false; /* more than 25 bytes */
    }
    /* leading '1's encode leading zero bytes */
    size_t ones = 0;
    while (ones < n && s[ones] == '1')
        ones++;
    size_t zeros = 0;
    while (zeros < 25 && b[zeros] == 0)
        zeros++;
    if (zeros < ones)
        return false;
    if (b[0] != 0x00 && b[0] != 0x05)
        return false;
    unsigned char h1[32], h2[32];
    sha256(b, 21, h1);
    sha256(h1, 32, h2);
    return memcmp(h2, b + 21, 4) == 0;
}

static uint32_t bech32_polymod(const unsigned char *v, size_t n)
{
    static const uint32_t g[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v[i];
        for (int j = 0; j < 5; j++)
            if ((top >> j) & 1)
                chk ^= g[j];
    }
    return chk;
}

bool wt_bech32_ok(const char *s, size_t n)
{
    static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if (n < 14 || n > 90)
        return false;
    size_t sep = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '1')
            sep = i;
    if (sep < 1 || sep + 7 > n)
        return false;
    bool lower = false, upper = false;
    unsigned char v[200];
    size_t k = 0;
    for (size_t i = 0; i < sep; i++) {
        char c = s[i];
        lower |= islower((unsigned char)c);
        upper |= isupper((unsigned char)c);
        v[k++] = (unsigned char)(tolower((unsigned char)c) >> 5);
    }
    v[k++] = 0;
    for (size_t i = 0; i < sep; i++)
        v[k++] = (unsigned char)(tolower((unsigned char)s[i]) & 31);
    for (size_t i = sep + 1; i < n; i++) {
        char c = s[i];
        lower |= islower((unsigned char)c);
        upper |= isupper((unsigned char)c);
        const char *p = c ? strchr(cs, tolower((unsigned char)c)) : NULL;
        if (!p)
            return false;
        v[k++] = (unsigned char)(p - cs);
    }
    if (lower && upper)
        return false;
    if (!((sep == 2 && tolower((unsigned char)s[0]) == 'b' && tolower((unsigned char)s[1]) == 'c') ||
          (sep == 2 && tolower((unsigned char)s[0]) == 't' && tolower((unsigned char)s[1]) == 'b')))
        return false;
    uint32_t pm = bech32_polymod(v, k);
    return pm == 1 || pm == 0x2bc830a3;
}

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t wt_crc32(const void *data, size_t n)
{
    pthread_once(&crc_once, crc_init);
    const unsigned char *p = data;
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

void wt_base62_crc6(uint32_t v, char out[7])
{
    static const char a[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (int i = 5; i >= 0; i--) {
        out[i] = a[v % 62];
        v /= 62;
    }
    out[6] = 0;
}

bool wt_token_crc32_ok(const char *tok, size_t n)
{
    const char *us = memchr(tok, '_', n);
    if (!us)
        return false;
    size_t body = (size_t)(us - tok) + 1;
    if (n - body != 36)
        return false;
    char want[7];
    wt_base62_crc6(wt_crc32(tok + body, 30), want);
    return memcmp(want, tok + body + 30, 6) == 0;
}

double wt_entropy(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned cnt[256] = {0};
    for (size_t i = 0; i < n; i++)
        cnt[(unsigned char)s[i]]++;
    double h = 0;
    for (int i = 0; i < 256; i++) {
        if (!cnt[i])
            continue;
        double p = (double)cnt[i] / (double)n;
        h -= p * log2(p);
    }
    return h;
}

bool wt_is_hex(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

bool wt_is_uuid(const char *s, size_t n)
{
    if (n == 38 && s[0] == '{' && s[37] == '}') {
        s++;
        n -= 2;
    }
    if (n != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

bool wt_is_sequential(const char *s, size_t n)
{
    if (n < 4)
        return false;
    /* repetitive with a short period: aaaa, 1212, abcabc */
    for (size_t p = 1; p <= 4 && p < n; p++) {
        size_t i = p;
        while (i < n && tolower((unsigned char)s[i]) == tolower((unsigned char)s[i - p]))
            i++;
        if (i == n)
            return true;
    }
    /* ascending / descending steps (abcdef, 123456, fedcba, abc123def456) */
    size_t steps = 0;
    for (size_t i = 1; i < n; i++) {
        int d = tolower((unsigned char)s[i]) - tolower((unsigned char)s[i - 1]);
        if (d == 1 || d == -1 || (s[i] == '0' && s[i - 1] == '9'))
            steps++;
    }
    if (steps * 10 >= (n - 1) * 8)
        return true;
    /* keyboard rows */
    static const char *rows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx", "qazwsx"};
    char low[64];
    size_t m = n < sizeof low - 1 ? n : sizeof low - 1;
    for (size_t i = 0; i < m; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[m] = 0;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
        if (m >= 6 && strncmp(low, rows[r], m < strlen(rows[r]) ? m : strlen(rows[r])) == 0 &&
            m <= strlen(rows[r]))
            return true;
    return false;
}

static bool ci_contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k > n)
        return false;
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(s + i, needle, k) == 0)
            return true;
    return false;
}

bool wt_is_placeholder(const char *s, size_t n)
{
    /* Structural placeholders: text that stands for a secret, never is one. */
    static const char *words[] = {
        "example", "sample", "placeholder", "changeme", "change_me", "change-me", "dummy",
        "redacted", "xxxx", "****", "....", "your_", "your-", "yourapi", "yourkey", "yoursecret",
        "yourtoken", "yourpass", "${", "{{", "%(", "fixme", "insert",
        "replace", "enter_", "enter-", "mytoken", "my_token", "my-token", "my_api", "my-api",
        "mysecret", "my_secret", "mypassword", "my_password", "secret_here", "key_here",
        "token_here", "here_", "_here", "foobar", "notreal", "not_real", "not-a-real", "testkey",
        "test_key", "test-key", "testtoken", "test_token", "test-token", "testsecret",
        "test_secret", "testpass", "test_pass", "fortest", "test_only", "testonly",
        "lorem", "ipsum", "0000000", "1234567", "abcdefg", "api_key_", "apikey_",
    };
    /* Whole values that are words, not secrets. */
    static const char *exact[] = {"none", "null", "nil", "undefined", "string", "str", "true", "false"};
    if (n == 0)
        return true;
    char low[257];
    size_t m = n < sizeof low - 1 ? n : sizeof low - 1;
    for (size_t i = 0; i < m; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[m] = 0;
    /* @secret-ref, YAML &anchor / *alias: the sigil and a lower-case name; a
     * password may start with the same characters ("*Xk9fj2L", "&Tr0ub4dor") */
    if ((s[0] == '@' || s[0] == '&' || s[0] == '*') && n > 1) {
        size_t i = 1;
        while (i < n && (islower((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.'))
            i++;
        if (i == n)
            return true;
    }
    /* <your key>, <TOKEN>: a name in angle brackets (a password may hold '<' or '>') */
    const char *lt = memchr(s, '<', n);
    if (lt) {
        const char *gt = memchr(lt + 1, '>', n - (size_t)(lt + 1 - s));
        if (gt && gt > lt + 1) {
            /* letters of one case and separators: <token>, <YOUR_API_KEY> */
            bool lower = false, upper = false;
            const char *q = lt + 1;
            for (; q < gt && (isalpha((unsigned char)*q) || strchr(" _-.:", *q)); q++) {
                lower |= islower((unsigned char)*q) != 0;
                upper |= isupper((unsigned char)*q) != 0;
            }
            if (q == gt && (lower != upper))
                return true;
        }
    }
    /* $VAR, ${VAR}, $(cmd), %VAR%, %(name)s; a password may start with '$' or '%' */
    if (s[0] == '$' && n > 1 && (isalpha((unsigned char)s[1]) || s[1] == '_' || s[1] == '{' || s[1] == '('))
        return true;
    if (s[0] == '%' && n > 1 && (s[n - 1] == '%' || s[1] == '('))
        return true;
    /* printf verbs ("Bearer %s", "%s:%s", "%s@%s"): case-sensitive, followed by the end or
     * a separator (a password such as "HW%s%uDc" or "G%d!w2" is not a template) */
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '%' && (s[i + 1] == 's' || s[i + 1] == 'd') &&
            (i + 2 == n || strchr(" \"',:/)]}@.;&?=", s[i + 2])))
            return true;
    /* short words are placeholders only as words ("fake_key", "TODO"): inside a
     * random token ("nTOdof", "xFAKEq") they are chance */
    static const char *const short_words[] = {"fake", "todo"};
    for (size_t w = 0; w < sizeof short_words / sizeof short_words[0]; w++)
        for (const char *p = strstr(low, short_words[w]); p; p = strstr(p + 1, short_words[w])) {
            size_t at = (size_t)(p - low), e = at + 4;
            if ((at == 0 || !isalpha((unsigned char)low[at - 1])) && (e >= m || !isalpha((unsigned char)low[e])))
                return true;
        }
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(low, exact[i]) == 0)
            return true;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (memchr(low, words[i][0], m) && strstr(low, words[i]))
            return true;
    /* AWS documentation keys end in EXAMPLE / EXAMPLEKEY (covered by "example"). */
    return false;
}

bool wt_is_weak_password(const char *s, size_t n)
{
    /* Passwords from every tutorial and breach list. In a generic
     * `password = "..."` assignment they are almost always sample code; in a
     * connection string to a real host they are a real (and bad) credential. */
    static const char *words[] = {"password", "hunter2", "s3cr3t", "p@ssw0rd", "p4ssw0rd", "passw0rd",
                                  "secret123", "pass1234", "admin123", "qwerty", "test123", "letmein"};
    char low[257];
    size_t m = n < sizeof low - 1 ? n : sizeof low - 1;
    for (size_t i = 0; i < m; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[m] = 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(low, words[i]))
            return true;
    return false;
}

bool wt_is_env_lookup(const char *s, size_t n)
{
    static const char *forms[] = {"os.environ", "getenv(", "process.env", "env[", "environ.get(",
                                  "os.getenv", "userdata.get(", "secrets.get(", "dbutils.secrets",
                                  "getpass(", "keyring.get", "input(", "vault.read", "env::var",
                                  "System.getenv", "ENV.fetch", "config("};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (ci_contains(s, n, forms[i]))
            return true;
    return false;
}
