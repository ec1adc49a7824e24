/*
 * test_realtext.c - one behaviour each for the real-world precision/recall
 * fixes (tests/realworld/test_realworld_text.sh measures them on a corpus):
 * each positive has a near miss that must stay silent.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "harness.h"
#include "text/notebook.h"

static size_t count_in(const char *name, const char *text, const char *rule)
{
    wt_scan_result *r = wt_t_scan_mem(name, text, strlen(text));
    size_t n = wt_t_count(r, rule);
    wt_scan_result_free(r);
    return n;
}

/* jwt.io's sample: header {"alg":"HS256","typ":"JWT"}, claims John Doe / 1234567890 */
#define JWT_IO_HDR "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
#define JWT_IO_PAY "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
/* {"sub":"9f2c41d07a","iss":"https://auth.acme-corp.io","exp":1893456000} */
#define JWT_REAL_PAY "eyJzdWIiOiI5ZjJjNDFkMDdhIiwiaXNzIjoiaHR0cHM6Ly9hdXRoLmFjbWUtY29ycC5pbyIsImV4cCI6MTg5MzQ1NjAwMH0"
#define JWT_SIG "Qm9vN3pLcTJ2WGw4cE1uUjR0WWE1Y0Q2ZkdoSjlrTDA"

WT_TEST(jwt_io_sample_token_is_not_a_secret)
{
    const char *t = "token = \"" JWT_IO_HDR "." JWT_IO_PAY "." JWT_SIG "\"\n";
    CHECK_INT(count_in("a.py", t, "WT-SECRET-040"), 0);
    CHECK_INT(count_in("a.py", t, "WT-SECRET-042"), 0);
}

WT_TEST(jwt_with_real_claims_is_reported)
{
    const char *t = "headers = {\"Authorization\": \"Bearer " JWT_IO_HDR "." JWT_REAL_PAY "." JWT_SIG "\"}\n";
    CHECK_INT(count_in("a.py", t, "WT-SECRET-040"), 1);
}

WT_TEST(environ_subscript_assignment_is_a_key_name)
{
    const char *t = "os.environ[\"AWS_SECRET_ACCESS_KEY\"] = \"q8Zt2vLk+9XwRb3Jm/Yp4Nc7Hd1Sf6Ga0Ue5Ki2O\"\n";
    CHECK_INT(count_in("a.py", t, "WT-SECRET-002"), 1);
    const char *lookup = "os.environ[\"AWS_SECRET_ACCESS_KEY\"] = os.environ[\"PROD_AWS_SECRET\"]\n";
    CHECK_INT(count_in("a.py", lookup, "WT-SECRET-002"), 0);
}

WT_TEST(toml_quoted_password_is_a_config_secret)
{
    const char *t = "[db]\nurl = \"sqlite:///rag.db\"\npassword = \"Kestrel@7981abc\"\n";
    CHECK_INT(count_in("settings.toml", t, "WT-SECRET-043"), 1);
    CHECK_INT(count_in("settings.toml", t, "WT-SECRET-042"), 0);
    const char *ph = "[db]\npassword = \"${DB_PASSWORD}\"\n";
    CHECK_INT(count_in("settings.toml", ph, "WT-SECRET-043"), 0);
}

WT_TEST(hash_inside_a_config_value_is_not_a_comment)
{
    CHECK_INT(count_in("docker-compose.yml", "    environment:\n      POSTGRES_PASSWORD: Orchid#642HTx\n",
                       "WT-SECRET-043"), 1);
    CHECK_INT(count_in("docker-compose.yml", "      POSTGRES_PASSWORD: # set in .env\n", "WT-SECRET-043"), 0);
}

WT_TEST(percent_in_a_password_is_not_a_printf_verb)
{
    CHECK_INT(count_in(".env", "DB_PASSWORD=DRwm%S9oRpB1\n", "WT-SECRET-043"), 1);
    CHECK_INT(count_in(".env", "DB_PASSWORD=%UWHX860HxAB\n", "WT-SECRET-043"), 1);
    CHECK_INT(count_in(".env", "DB_PASSWORD=%DB_PASSWORD%\n", "WT-SECRET-043"), 0);
    CHECK_INT(count_in("a.py", "auth_token = \"Bearer %s\" % tok\n", "WT-SECRET-042"), 0);
}

WT_TEST(stripe_test_key_is_not_a_generic_secret)
{
    CHECK_INT(count_in("a.py", "stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"\n", "WT-SECRET-042"), 0);
    CHECK_INT(count_in("a.py", "stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"\n", "WT-SECRET-019"), 0);
}

WT_TEST(wandb_key_in_yaml_section_netrc_and_cli)
{
    const char *hex = "3f9a0c27d18e4b56a9c0e1f2d3b4a5968778695a";
    char buf[512];
    snprintf(buf, sizeof buf, "wandb:\n  project: sst2\n  entity: ml-team\n  api_key: %s\n", hex);
    CHECK_INT(count_in("train.yaml", buf, "WT-SECRET-028"), 1);
    snprintf(buf, sizeof buf, "machine api.wandb.ai\n  login user\n  password %s\n", hex);
    CHECK_INT(count_in(".netrc", buf, "WT-SECRET-028"), 1);
    snprintf(buf, sizeof buf, "!wandb login --relogin %s\n", hex);
    CHECK_INT(count_in("a.py", buf, "WT-SECRET-028"), 1);
    /* a 40-hex api_key with no W&B anywhere near is not a W&B key */
    snprintf(buf, sizeof buf, "service:\n  api_key: %s\n", hex);
    CHECK_INT(count_in("svc.yaml", buf, "WT-SECRET-028"), 0);
}

WT_TEST(netrc_password_is_a_config_secret)
{
    CHECK_INT(count_in(".netrc", "machine pypi.acme-corp.com\n  login deploy\n  password Zq8!vN3kLp0xW2\n",
                       "WT-SECRET-043"),
              1);
    CHECK_INT(count_in(".netrc", "machine ftp.gnu.org login anonymous password anonymous\n", "WT-SECRET-043"), 0);
}

WT_TEST(kaggle_json_and_kaggle_key)
{
    const char *kj = "{\"username\":\"jdoe42\",\"key\":\"5d1c0e9f7a2b48c3b6e1d0f9a8c7b6e5\"}";
    CHECK_INT(count_in("kaggle.json", kj, "WT-SECRET-054"), 1);
    CHECK_INT(count_in("a.py", "os.environ['KAGGLE_KEY'] = '5d1c0e9f7a2b48c3b6e1d0f9a8c7b6e5'\n", "WT-SECRET-054"), 1);
    CHECK_INT(count_in("a.py", "os.environ['KAGGLE_USERNAME'] = 'jdoe42'\n", "WT-SECRET-054"), 0);
    /* a 32-hex "key" in an unrelated JSON document (a cache entry) */
    CHECK_INT(count_in("cache.json", "{\"key\": \"5d1c0e9f7a2b48c3b6e1d0f9a8c7b6e5\", \"size\": 12}", "WT-SECRET-054"), 0);
}

WT_TEST(amex_grouped_4_6_5_is_found)
{
    CHECK_INT(count_in("cards.csv", "name,credit_card\nAna,3741 403610 73465\n", "WT-PII-003"), 1);
    CHECK_INT(count_in("cards.csv", "name,credit_card\nAna,3741 403610 73466\n", "WT-PII-003"), 0); /* Luhn fails */
}

WT_TEST(digits_inside_an_iban_are_not_a_card_or_aadhaar)
{
    /* valid GB IBAN whose groups "6782 0866 0690 25" pass Luhn as a Maestro-like number */
    const char *t = "name  iban\nAisha Garcia  GB76 NWBK 6782 0866 0690 25\n";
    CHECK_INT(count_in("t.txt", t, "WT-PII-003"), 0);
    CHECK_INT(count_in("t.txt", t, "WT-PII-014"), 0);
    CHECK_INT(count_in("t.txt", t, "WT-PII-004"), 1);
    /* the last three groups of a card number are not an Aadhaar number */
    CHECK_INT(count_in("t.txt", "card: 5300 8620 0505 3029\n", "WT-PII-014"), 0);
}

WT_TEST(machine_and_reserved_emails_are_not_pii)
{
    CHECK_INT(count_in("sa.json", "{\"client_email\": \"trainer@ml-prod.iam.gserviceaccount.com\"}", "WT-PII-001"), 0);
    CHECK_INT(count_in("a.txt", "contact: ops@build.internal or qa@shop.test\n", "WT-PII-001"), 0);
    CHECK_INT(count_in("a.txt", "contact: maria.chen49@gmail.com\n", "WT-PII-001"), 1);
}

WT_TEST(pd_means_pandas_without_import)
{
    CHECK_INT(count_in("a.py", "df = pd.read_pickle('train.pkl')\n", "WT-CODE-001"), 1);
    CHECK_INT(count_in("a.py", "df = pd.read_csv('train.csv')\n", "WT-CODE-001"), 0);
    CHECK_INT(count_in("a.py", "import polars as pd\ndf = pd.read_pickle('x')\n", "WT-CODE-001"), 0);
}

WT_TEST(aws_configure_set_secret_is_found)
{
    const char *t = "!aws configure set aws_secret_access_key q8Zt2vLk+9XwRb3Jm/Yp4Nc7Hd1Sf6Ga0Ue5Ki2O\n";
    CHECK_INT(count_in("a.py", t, "WT-SECRET-002"), 1);
    CHECK_INT(count_in("a.py", "!aws configure set aws_secret_access_key $AWS_SECRET\n", "WT-SECRET-002"), 0);
}

WT_TEST(env_magic_and_shell_export_passwords)
{
    CHECK_INT(count_in("a.py", "%env DB_PASSWORD=Falcon*5673e\n", "WT-SECRET-043"), 1);
    CHECK_INT(count_in("a.py", "!export MLFLOW_TRACKING_PASSWORD=v%65LSCtCCHU\n", "WT-SECRET-043"), 1);
    CHECK_INT(count_in("a.py", "%env TOKENIZERS_PARALLELISM=false\n%env DB_PASSWORD=$DB_PASSWORD\n", "WT-SECRET-043"), 0);
    /* outside a notebook magic or shell escape, a bare assignment in code is not a config line */
    CHECK_INT(count_in("a.py", "x = 1\nDB_PASSWORD=compute()\n", "WT-SECRET-043"), 0);
}

WT_TEST(libpq_and_odbc_connection_string_passwords)
{
    CHECK_INT(count_in("a.py",
                       "conn = psycopg2.connect(\"host=db.prod.acme.io port=5432 dbname=features user=etl password=Kestrel%3204x\")\n",
                       "WT-SECRET-041"),
              1);
    CHECK_INT(count_in("a.py",
                       "cnxn = pyodbc.connect(\"Driver={ODBC Driver 18};Server=tcp:acme.database.windows.net,1433;"
                       "Database=sales;Uid=analyst;Pwd=Orchid&8394E;Encrypt=yes;\")\n",
                       "WT-SECRET-041"),
              1);
    CHECK_INT(count_in("a.py", "conn = psycopg2.connect(f\"host={HOST} dbname=x user={USER} password={PASSWORD}\")\n",
                       "WT-SECRET-041"),
              0);
    CHECK_INT(count_in("a.py", "cnxn = pyodbc.connect(\"Driver={ODBC Driver 18};Server=localhost;Database=x;Trusted_Connection=yes;\")\n",
                       "WT-SECRET-041"),
              0);
    CHECK_INT(count_in("a.py", "conn = connect(\"host=h user=u password=%s\" % pw)\n", "WT-SECRET-041"), 0);
    /* another `password=` nearby must not pull an f-string placeholder in */
    CHECK_INT(count_in("a.py",
                       "conn = psycopg2.connect(f\"host={HOST} dbname=x user={USER} password={PASSWORD}\")\n"
                       "conn2 = psycopg2.connect(dbname=\"x\", user=\"me\", password=password)\n",
                       "WT-SECRET-041"),
              0);
}

WT_TEST(locally_administered_mac_is_not_a_device_id)
{
    CHECK_INT(count_in("a.txt", "eth0 ether 02:42:ac:1c:00:0c  txqueuelen 0  (Ethernet)\n", "WT-PII-010"), 0);
    CHECK_INT(count_in("a.txt", "device mac: 3c:22:fb:1a:9e:47\n", "WT-PII-010"), 1);
}

/* a notebook with one display_data output holding `html` */
static size_t count_in_html_output(const char *html, const char *rule)
{
    char nb[4096];
    snprintf(nb, sizeof nb,
             "{\"cells\": [{\"cell_type\": \"code\", \"execution_count\": 1, \"metadata\": {}, \"source\": [\"show()\"],"
             " \"outputs\": [{\"output_type\": \"display_data\", \"metadata\": {}, \"data\": {\"text/html\": [\"%s\"]}}]}],"
             " \"metadata\": {\"kernelspec\": {\"language\": \"python\", \"name\": \"python3\"}},"
             " \"nbformat\": 4, \"nbformat_minor\": 5}",
             html);
    return count_in("h.ipynb", nb, rule);
}

WT_TEST(secret_in_an_html_attribute_is_found)
{
    CHECK_INT(count_in_html_output("<a href=\\\"https://deploy:Zq8vN3kLp0xW2rT@pkgs.acme-corp.com/simple/\\\">index</a>",
                                   "WT-SECRET-041"),
              1);
    CHECK_INT(count_in_html_output("<img src=\\\"https://maps.googleapis.com/maps/api/staticmap?center=Paris&amp;"
                                   "key=AIzaSyB7x9Kq2LmN4pR6sT8vW0yZ1aC3eF5gH7j\\\">",
                                   "WT-SECRET-011"),
              1);
    /* inline images and styles are not text */
    CHECK_INT(count_in_html_output("<img style=\\\"x: ghp_0123\\\" src=\\\"data:image/png;base64,"
                                   "QUtJQVo3Vk1YNEtMMlEzUDVSNlQ=AKIAZ7VMX4KL2Q3P5R6T\\\">",
                                   "WT-SECRET-001"),
              0);
}

WT_TEST(html_stripping_stays_in_bounds_with_ascending_map)
{
    /* random markup from a hostile alphabet: output never longer than input,
     * offsets strictly ascending and inside the input */
    static const char alpha[] = "<>\"'= \n&a!-/:dsty;";
    char in[256], out[256];
    uint32_t map[256];
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % sizeof in;
        for (; n < len; n++) {
            seed = seed * 1103515245u + 12345u;
            in[n] = alpha[(seed >> 16) % (sizeof alpha - 1)];
        }
        size_t o = wt_nb_strip_html(in, len, out, map);
        CHECK(o <= len);
        for (size_t i = 0; i < o; i++) {
            CHECK(map[i] < len);
            if (i)
                CHECK(map[i] > map[i - 1]);
        }
    }
}

WT_TEST(attribute_assignments_that_disable_tls)
{
    CHECK_INT(count_in("a.py", "import ssl\nssl._create_default_https_context = ssl._create_unverified_context\n",
                       "WT-CODE-011"),
              1);
    CHECK_INT(count_in("a.py", "import requests\ns = requests.Session()\ns.verify = False\n", "WT-CODE-011"), 1);
    CHECK_INT(count_in("a.py", "import requests\ns = requests.Session()\ns.verify = '/etc/ssl/ca.pem'\n", "WT-CODE-011"), 0);
    CHECK_INT(count_in("a.py", "import requests\nverify = False\nif s.verify == False:\n    pass\n", "WT-CODE-011"), 0);
    CHECK_INT(count_in("a.py", "self.verify = False  # no HTTP library here\n", "WT-CODE-011"), 0);
    CHECK_INT(count_in("a.py", "import ssl\nctx = ssl.create_default_context()\n", "WT-CODE-011"), 0);
}

WT_TEST(torch_hub_load_and_jsonpickle)
{
    CHECK_INT(count_in("a.py", "import torch\nm = torch.hub.load('ultralytics/yolov5', 'yolov5s')\n", "WT-CODE-010"), 1);
    CHECK_INT(count_in("a.py", "import torch\nm = torch.hub.load('./yolov5', 'custom', source='local')\n", "WT-CODE-010"), 0);
    CHECK_INT(count_in("a.py", "import jsonpickle\nobj = jsonpickle.decode(s)\n", "WT-CODE-001"), 1);
    CHECK_INT(count_in("a.py", "import jsonpickle\ns = jsonpickle.encode(obj)\n", "WT-CODE-001"), 0);
}

WT_TEST(table_columns_named_phone_dob_ssn_are_validated_and_counted)
{
    const char *csv = "id,full_name,phone,dob,ssn\n"
                      "1,Maria Chen,415-823-4467,1987-03-14,457-55-5462\n"
                      "2,James Smith,(312) 555-0199,11/02/1990,536224589\n"
                      "3,Wei Tanaka,212.736.5000,1979-07-23,401-23-9876\n";
    wt_scan_result *r = wt_t_scan_mem("people.csv", csv, strlen(csv));
    const wt_finding *f = wt_t_find(r, "WT-PII-002");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(json_integer_value(json_object_get(f->props, "count")), 3); /* (312) once, not twice */
        CHECK_INT(f->loc.line, 2);
    }
    f = wt_t_find(r, "WT-PII-012");
    CHECK(f && json_integer_value(json_object_get(f->props, "count")) == 3);
    f = wt_t_find(r, "WT-PII-005");
    CHECK(f && json_integer_value(json_object_get(f->props, "count")) == 3);
    wt_scan_result_free(r);
}

WT_TEST(typed_columns_reject_cells_of_another_shape)
{
    const char *t = "id,model,phone,dob,ssn\n"
                    "1,a,iPhone 12,1990,N/A\n"
                    "2,b,4158234467.0,unknown,12345\n"
                    "3,c,12345678,2023-13-45,000-12-3456\n";
    CHECK_INT(count_in("devices.csv", t, "WT-PII-002"), 0);
    CHECK_INT(count_in("devices.csv", t, "WT-PII-012"), 0);
    CHECK_INT(count_in("devices.csv", t, "WT-PII-005"), 0);
    /* a "cell" column (biology) is not a phone column; the word in code is not a table */
    CHECK_INT(count_in("counts.csv", "gene,cell,count\nACTB,12345678901,3\n", "WT-PII-002"), 0);
    CHECK_INT(count_in("a.py", "phone,dob = row\nx = 1\n", "WT-PII-002"), 0);
}

/* a notebook with one code cell (source lines given as a JSON array body) and
 * an optional stream output */
static size_t count_in_cell(const char *source_json, const char *stream_json, const char *rule)
{
    char nb[4096];
    snprintf(nb, sizeof nb,
             "{\"cells\": [{\"cell_type\": \"code\", \"execution_count\": 1, \"metadata\": {}, \"source\": [%s],"
             " \"outputs\": [%s%s%s]}],"
             " \"metadata\": {\"kernelspec\": {\"language\": \"python\", \"name\": \"python3\"}},"
             " \"nbformat\": 4, \"nbformat_minor\": 5}",
             source_json, stream_json ? "{\"name\": \"stdout\", \"output_type\": \"stream\", \"text\": [" : "",
             stream_json ? stream_json : "", stream_json ? "]}" : "");
    return count_in("c.ipynb", nb, rule);
}

WT_TEST(writefile_cell_is_read_as_the_file_it_writes)
{
    CHECK_INT(count_in_cell("\"%%writefile .env\\n\", \"DB_USER=etl\\n\", \"DB_PASSWORD=Kestrel@7981abc\\n\"", NULL,
                            "WT-SECRET-043"),
              1);
    CHECK_INT(count_in_cell("\"%%writefile config.yaml\\n\", \"db:\\n\", \"  password: Kestrel@7981abc\\n\"", NULL,
                            "WT-SECRET-043"),
              1);
    /* a Python file keeps Python rules: an unquoted assignment is not a config line */
    CHECK_INT(count_in_cell("\"%%writefile train.py\\n\", \"DB_PASSWORD=compute()\\n\"", NULL, "WT-SECRET-043"), 0);
}

WT_TEST(printed_config_file_is_read_as_config)
{
    CHECK_INT(count_in_cell("\"!cat configs/train.yaml\"", "\"db:\\n\", \"  password: Kestrel@7981abc\\n\"",
                            "WT-SECRET-043"),
              1);
    /* the same text printed by any other command is prose */
    CHECK_INT(count_in_cell("\"print(notes)\"", "\"db:\\n\", \"  password: Kestrel@7981abc\\n\"", "WT-SECRET-043"), 0);
    CHECK_INT(count_in_cell("\"!cat notes.txt\"", "\"db:\\n\", \"  password: Kestrel@7981abc\\n\"", "WT-SECRET-043"), 0);
}

WT_TEST(authorization_header_tokens)
{
    CHECK_INT(count_in("a.py", "!curl -s -H \"Authorization: Bearer Zq8vN3kLp0xW2rT5yU7iO9pA1sD3fG5hJ7kL9\" https://api.acme.io\n",
                       "WT-SECRET-042"),
              1);
    CHECK_INT(count_in("a.py", "!curl -H \"Authorization: Bearer $HF_TOKEN\" https://huggingface.co/api/whoami-v2\n",
                       "WT-SECRET-042"),
              0);
    CHECK_INT(count_in("a.py", "headers = {\"Authorization\": f\"Bearer {api_token}\"}\n", "WT-SECRET-042"), 0);
    CHECK_INT(count_in("a.md", "Authorization: Bearer YOUR_ACCESS_TOKEN_HERE\n", "WT-SECRET-042"), 0);
}

WT_TEST(compose_list_and_kubernetes_env_passwords)
{
    CHECK_INT(count_in("docker-compose.yml", "    environment:\n      - REDIS_PASSWORD=Kestrel@7981abc\n", "WT-SECRET-043"), 1);
    CHECK_INT(count_in("docker-compose.yml", "    environment:\n      - \"REDIS_PASSWORD=Kestrel@7981abc\"\n", "WT-SECRET-043"), 1);
    const char *k8s = "          env:\n            - name: DB_PASSWORD\n              value: \"Kestrel@7981abc\"\n"
                      "            - name: HF_TOKEN\n              valueFrom:\n                secretKeyRef:\n"
                      "                  name: hf\n";
    CHECK_INT(count_in("deploy.yaml", k8s, "WT-SECRET-043"), 1);
}

WT_TEST(azure_sas_and_google_oauth_client_secret)
{
    CHECK_INT(count_in("a.py",
                       "url = \"https://acct.blob.core.windows.net/c/f.parquet?sv=2022-11-02&ss=b&srt=co&sp=rl"
                       "&se=2025-12-31T00:00:00Z&spr=https&sig=q8Zt2vLk%2B9XwRb3Jm%2FYp4Nc7Hd1Sf6Ga0Ue5Ki2Ox7%3D\"\n",
                       "WT-SECRET-055"),
              1);
    CHECK_INT(count_in("a.md", "https://<account>.blob.core.windows.net/<container>?sv=<version>&sig=<signature>\n",
                       "WT-SECRET-055"),
              0);
    CHECK_INT(count_in("client_secret.json", "{\"installed\": {\"client_secret\": \"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\"}}",
                       "WT-SECRET-056"),
              1);
    CHECK_INT(count_in("a.py", "CLIENT_SECRET = \"GOCSPX-xxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n", "WT-SECRET-056"), 0);
}

WT_TEST(connection_string_user_password_and_local_host)
{
    /* password equal to the user: a tutorial default, like postgres://postgres:postgres@... */
    CHECK_INT(count_in("a.py", "c = connect(\"host=localhost dbname=test user=postgres password=postgres\")\n",
                       "WT-SECRET-041"),
              0);
    const char *odbc = "c = pyodbc.connect(\"Driver={ODBC Driver 18};Server=localhost;Uid=sa;Pwd=Kestrel@7981abc;\")\n";
    wt_scan_result *r = wt_t_scan_mem("a.py", odbc, strlen(odbc));
    const wt_finding *f = wt_t_find(r, "WT-SECRET-041");
    CHECK(f && f->severity == WT_SEV_MEDIUM); /* local host */
    wt_scan_result_free(r);
    const char *pq = "c = connect(\"dbname=x user=etl password=Kestrel@7981abc host=db.prod.acme.io\")\n";
    r = wt_t_scan_mem("a.py", pq, strlen(pq));
    f = wt_t_find(r, "WT-SECRET-041");
    CHECK(f && f->severity == WT_SEV_HIGH);
    wt_scan_result_free(r);
}

WT_TEST(ngrok_authtoken_and_package_metadata_emails)
{
    CHECK_INT(count_in("a.py", "!ngrok config add-authtoken 2NYS1TMd9ZTY8xs1fRzNGJ2pL6d_7ZSaHQ2xVNRqZ5mR9LxKx\n", "WT-SECRET-057"), 1);
    CHECK_INT(count_in("a.py", "ngrok.set_auth_token(\"2bQxR7mLpW3zK9vT1yN5cH8dF2g_4sJ6uE1rA9wX3zQ7pL2ab\")\n", "WT-SECRET-057"), 1);
    CHECK_INT(count_in("a.py", "!ngrok authtoken $NGROK_AUTHTOKEN\n", "WT-SECRET-057"), 0);
    /* the same shape without ngrok on the line is not an ngrok token */
    CHECK_INT(count_in("a.py", "run_id = '2NYS1TMd9ZTY8xs1fRzNGJ2pL6d_7ZSaHQ2xVNRqZ5mR9LxKx'\n", "WT-SECRET-057"), 0);
    CHECK_INT(count_in("out.txt", "Name: transformers\nAuthor-email: transformers@huggingface.co\n", "WT-PII-001"), 0);
    CHECK_INT(count_in("out.txt", "Name: transformers\ncontact: maria.chen49@gmail.com\n", "WT-PII-001"), 1);
}

WT_TEST(printed_environment_and_dockerfile_env)
{
    CHECK_INT(count_in_cell("\"!printenv\"", "\"HOME=/root\\n\", \"DB_PASSWORD=Kestrel@7981abc\\n\"", "WT-SECRET-043"), 1);
    CHECK_INT(count_in_cell("\"!env | grep -c X\"", "\"DB_PASSWORD=Kestrel@7981abc\\n\"", "WT-SECRET-043"), 0);
    const char *df = "FROM python:3.11\nENV DB_PASSWORD=Kestrel@7981abc\nARG API_TOKEN=Zq8vN3kLp0xW2rT5yU7i\n"
                     "ENV SMTP_PASSWORD Falcon*5673eX\nENV PIP_NO_CACHE_DIR=1\nENV TOKENIZERS_PARALLELISM=false\n"
                     "ENV HF_TOKEN_PATH /run/secrets/hf\n";
    CHECK_INT(count_in("Dockerfile", df, "WT-SECRET-043"), 3);
}

WT_TEST(one_word_values_under_a_name_column_are_not_people)
{
    /* Kaggle's Pokemon, cars, countries...: a "name" column of single words */
    const char *poke = "   #        name type1  total\n0  1   Bulbasaur  Grass    318\n1  2     Ivysaur  Grass    405\n"
                       "2  3    Venusaur  Grass    525\n3  4  Charmander   Fire    309\n4  5  Charmeleon   Fire    405\n";
    CHECK_INT(count_in("pokemon.txt", poke, "WT-PII-016"), 0);
    /* first-name columns hold one word */
    CHECK_INT(count_in("people.csv", "id,first_name,age\n1,Maria,34\n2,James,29\n", "WT-PII-016"), 1);
    CHECK_INT(count_in("people.csv", "id,name,age\n1,Maria Chen,34\n2,James Smith,29\n", "WT-PII-016"), 1);
}

WT_TEST(two_word_names_of_places_are_not_people)
{
    const char *cities = "           name  country  population\n0         Tokyo    Japan    37400068\n"
                         "1      Sao Paulo   Brazil    21650000\n2    Mexico City   Mexico    21581000\n";
    CHECK_INT(count_in("cities.txt", cities, "WT-PII-016"), 0);
    /* the same names next to a person's attribute are people */
    CHECK_INT(count_in("people.csv", "name,country,email\nMaria Chen,Brazil,mc@gmail.com\nJames Smith,Japan,js@gmail.com\n",
                       "WT-PII-016"),
              1);
    CHECK_INT(count_in("people.csv", "name,city\nMaria Chen,Oslo\nJames Smith,Rome\n", "WT-PII-016"), 1);
}

WT_TEST(published_test_cards_and_private_tlds)
{
    CHECK_INT(count_in("pay.txt", "card: 3782 822463 10005\ncard: 4012 8888 8888 1881\n", "WT-PII-003"), 0);
    CHECK_INT(count_in("pay.txt", "card: 3741 403610 73465\n", "WT-PII-003"), 1);
    CHECK_INT(count_in("keys.txt", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG jdoe@macbook-pro.lan\n", "WT-PII-001"), 0);
}

WT_TEST(role_mailboxes_are_not_personal)
{
    CHECK_INT(count_in("out.txt", "Contact: press@openai.com or support@acme-corp.com\n", "WT-PII-001"), 0);
    CHECK_INT(count_in("out.txt", "Contact: maria.press@acme-corp.com\n", "WT-PII-001"), 1);
}

WT_TEST(published_development_keys_are_not_secrets)
{
    const char *azurite = "AzureWebJobsStorage=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
                          "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
                          "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;\n";
    CHECK_INT(count_in("local.env", azurite, "WT-SECRET-014"), 0);
    CHECK_INT(count_in("local.env", azurite, "WT-SECRET-043"), 0);
    const char *real = "AzureWebJobsStorage=DefaultEndpointsProtocol=https;AccountName=mlstore7;AccountKey="
                       "q8Zt2vLk9XwRb3Jm/Yp4Nc7Hd1Sf6Ga0Ue5Ki2Ox7bT3rW9sQ1eY5uI7oP2aS4dF6gH8jK0lZ2xC4vB6nM8qW0==;"
                       "EndpointSuffix=core.windows.net\n";
    CHECK_INT(count_in("local.env", real, "WT-SECRET-014"), 1);
}

WT_TEST(literal_user_password_pairs)
{
    CHECK_INT(count_in("a.py", "demo.launch(share=True, auth=(\"admin\", \"Kestrel@7981abc\"))\n", "WT-SECRET-042"), 1);
    CHECK_INT(count_in("a.py", "r = requests.get(url, auth=HTTPBasicAuth('svc', 'Falcon*5673eX'))\n", "WT-SECRET-042"), 1);
    CHECK_INT(count_in("a.py", "server.login('maria.chen49@gmail.com', 'qzvx mfkd pwle hrtn')\n", "WT-SECRET-042"), 1);
    CHECK_INT(count_in("a.py", "server.login(SMTP_USER, SMTP_PASSWORD)\nr = requests.get(u, auth=(user, pw))\n",
                       "WT-SECRET-042"),
              0);
    CHECK_INT(count_in("a.py", "ftp.login('anonymous', 'guest@example.com')\ndemo.launch(auth=('admin', 'admin'))\n",
                       "WT-SECRET-042"),
              0);
}

WT_TEST(api_keys_in_url_query_strings)
{
    CHECK_INT(count_in("a.txt", "HTTPError: 401 Client Error: Unauthorized for url: "
                                "https://newsapi.org/v2/top-headlines?country=us&apiKey=q8Zt2vLk9XwRb3JmYp4Nc7Hd\n",
                       "WT-SECRET-042"),
              1);
    CHECK_INT(count_in("a.py", "u = f\"https://api.acme.io/v1?api_key={API_KEY}&page=2\"\n"
                               "u2 = \"https://api.acme.io/v1?api_key=YOUR_API_KEY_HERE_1234\"\n",
                       "WT-SECRET-042"),
              0);
    /* a Google key in a URL is the Google rule's, not a generic one */
    const char *g = "u = \"https://maps.googleapis.com/maps/api/geocode/json?key=AIzaSyB7x9Kq2LmN4pR6sT8vW0yZ1aC3eF5gH7j\"\n";
    CHECK_INT(count_in("a.py", g, "WT-SECRET-011"), 1);
    CHECK_INT(count_in("a.py", g, "WT-SECRET-042"), 0);
}

WT_TEST(short_placeholder_words_inside_random_tokens)
{
    /* "nTOdof" inside a SendGrid key is chance, not a TODO */
    CHECK_INT(count_in("a.py", "sg = SendGridAPIClient('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')\n",
                       "WT-SECRET-022"),
              1);
    CHECK_INT(count_in("a.py", "API_TOKEN = 'fake_token_for_tests_9f8e7d'\nSECRET = 'TODO-fill-in-later-42'\n", "WT-SECRET-042"), 0);
    CHECK_INT(count_in("settings.toml", "password = \"HW%s%uDcUjUx9\"\n", "WT-SECRET-043"), 1);
}

WT_TEST(kubernetes_secret_values_are_decoded)
{
    /* DB_PASSWORD: base64("Kestrel@7981abc"); TOKEN: base64("changeme-please") (a placeholder) */
    const char *sec = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n"
                      "  DB_PASSWORD: S2VzdHJlbEA3OTgxYWJj\n  API_TOKEN: Y2hhbmdlbWUtcGxlYXNl\n"
                      "  DB_HOST: ZGIucHJvZC5pbnRlcm5hbA==\n";
    wt_scan_result *r = wt_t_scan_mem("secret.yaml", sec, strlen(sec));
    CHECK_INT(wt_t_count(r, "WT-SECRET-043"), 1); /* the decoded password, not its encoding */
    const wt_finding *f = wt_t_find(r, "WT-SECRET-043");
    CHECK(f && f->loc.line == 7 && strstr(f->message, "Kubernetes Secret"));
    CHECK(f && strncmp(f->evidence, "Kest", 4) == 0);
    wt_scan_result_free(r);
    /* a ConfigMap's data is plain text: nothing is decoded */
    const char *cm = "apiVersion: v1\nkind: ConfigMap\ndata:\n  GREETING: S2VzdHJlbEA3OTgxYWJj\n";
    CHECK_INT(count_in("cm.yaml", cm, "WT-SECRET-004"), 0);
}

WT_TEST(hostile_kubernetes_secrets_stay_in_bounds)
{
    /* "  KEY: VALUE" lines whose values are base64-ish of any length (up to past the
     * 8 KiB decode cap), with quotes, padding and stray bytes */
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\"'\x01 ";
    static char buf[60000];
    unsigned seed = 777;
    size_t decoded_lines = 0;
    for (int round = 0; round < 60; round++) {
        size_t n = (size_t)snprintf(buf, sizeof buf, "kind: Secret\ndata:\n");
        while (n + 12100 < sizeof buf) {
            seed = seed * 1103515245u + 12345u;
            size_t vl = (seed >> 8) % (seed & 1 ? 40 : 12000);
            n += (size_t)snprintf(buf + n, sizeof buf - n, "  K%u_PASSWORD: ", seed % 100);
            if (seed & 2) {
                /* valid base64 of printable text, some past the decode cap */
                static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                size_t tl = vl * 3 / 4;
                for (size_t i = 0; i + 3 <= tl; i += 3) {
                    unsigned char t[3];
                    for (int q = 0; q < 3; q++) {
                        seed = seed * 1103515245u + 12345u;
                        t[q] = (unsigned char)(0x20 + (seed >> 16) % 95);
                    }
                    unsigned v = (unsigned)t[0] << 16 | (unsigned)t[1] << 8 | t[2];
                    buf[n++] = tab[v >> 18 & 63];
                    buf[n++] = tab[v >> 12 & 63];
                    buf[n++] = tab[v >> 6 & 63];
                    buf[n++] = tab[v & 63];
                }
            } else {
                for (size_t i = 0; i < vl; i++) {
                    seed = seed * 1103515245u + 12345u;
                    buf[n++] = b64[(seed >> 16) % ((seed & 7) ? 64 : sizeof b64 - 1)];
                }
            }
            buf[n++] = '\n';
            decoded_lines++;
        }
        wt_scan_result *r = wt_t_scan_mem("s.yaml", buf, n);
        CHECK(r != NULL);
        wt_scan_result_free(r);
    }
    CHECK(decoded_lines > 100);
}

static wt_severity sev_of(const char *name, const char *text, const char *rule)
{
    wt_scan_result *r = wt_t_scan_mem(name, text, strlen(text));
    const wt_finding *f = wt_t_find(r, rule);
    wt_severity s = f ? f->severity : WT_SEV_NONE;
    wt_scan_result_free(r);
    return s;
}

WT_TEST(hex_keys_under_key_names_are_medium_digests_low)
{
    CHECK(sev_of("a.py", "API_KEY = \"3f9a0c27d18e4b56a9c0e1f2d3b4a596\"\n", "WT-SECRET-042") == WT_SEV_MEDIUM);
    CHECK(sev_of("a.py", "app.config['SECRET_KEY'] = 'b7e1c9a04f3d2e8a6c5b4a39281706f5e4d3c2b1a0f9e8d7'\n", "WT-SECRET-042") ==
          WT_SEV_MEDIUM);
    /* a digest under a key-ish name stays low */
    CHECK(sev_of("a.py", "token_sha256 = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\n",
                 "WT-SECRET-042") == WT_SEV_LOW);
}
