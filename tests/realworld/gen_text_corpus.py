#!/usr/bin/env python3
"""Generate a labelled corpus of real-world-looking notebooks and config files.

Usage: gen_text_corpus.py OUTDIR [SEED...]

Each seed gives its own tree OUTDIR/corpus/s<SEED>/.

Writes OUTDIR/corpus/ (the files to scan) and OUTDIR/truth.json (what a
scanner should report). Everything is random per seed: which secret lands in
which cell and which part of a cell (code, markdown, stream output, HTML
output, traceback, JSON output), the secret values themselves (real formats
with valid checksums where the format has one), the PII in DataFrame outputs,
and the surrounding noise that real Kaggle/Colab notebooks carry (base64
plots, pip output, progress bars, hashes, UUIDs, git SHAs, docker digests,
W&B run ids, model ids, vendor documentation example keys, placeholders,
environment lookups...). The noise must not be reported.

truth.json: {"expect": [{file, rule, kind, loc: {cell, cell_part, cell_line} or
{line}, probe, count?}], "values": [every planted secret/PII value, to check
that no report prints one]}.

Nothing here is executed or loaded: payloads in code cells are text.
Standard library only; run with /usr/bin/python3.
"""
import base64
import hashlib
import json
import os
import random
import string
import sys
import zlib

ALNUM = string.ascii_letters + string.digits
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
URLSAFE = ALNUM + "_-"
HEX = "0123456789abcdef"
B32 = string.ascii_uppercase + "234567"

R = random.Random(0)


def rs(alpha, n):
    return "".join(R.choice(alpha) for _ in range(n))


def b62_crc(body):
    v = zlib.crc32(body.encode()) & 0xFFFFFFFF
    out = ""
    for _ in range(6):
        out = B62[v % 62] + out
        v //= 62
    return out


def b64url(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# ---------------------------------------------------------------- secrets
# kind -> (rule id, generator, code templates); {v} is the value.
def g_gh():
    body = rs(ALNUM, 30)
    return R.choice(["ghp_", "gho_", "ghs_"]) + body + b62_crc(body)


def g_npm():
    body = rs(ALNUM, 30)
    return "npm_" + body + b62_crc(body)


def g_openai():
    f = R.choice(["proj", "svcacct", "legacy"])
    if f == "legacy":
        return "sk-" + rs(ALNUM, 20) + "T3BlbkFJ" + rs(ALNUM, 20)
    return "sk-%s-" % f + rs(URLSAFE, 74) + "T3BlbkFJ" + rs(URLSAFE, 74)


def g_jwt():
    hdr = b64url(json.dumps({"alg": R.choice(["HS256", "RS256"]), "typ": "JWT"}).encode())
    pl = b64url(json.dumps({"sub": rs(HEX, 24), "iss": "https://auth.%s.io" % rs(string.ascii_lowercase, 6),
                            "exp": R.randint(1700000000, 1900000000), "scope": "read write"}).encode())
    return hdr + "." + pl + "." + b64url(bytes(R.getrandbits(8) for _ in range(32)))


def g_pem():
    body = base64.b64encode(bytes(R.getrandbits(8) for _ in range(600))).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----\n"


def g_openssh():
    raw = b"openssh-key-v1\x00\x00\x00\x00\x04none" + bytes(R.getrandbits(8) for _ in range(300))
    body = base64.b64encode(raw).decode()
    lines = [body[i:i + 70] for i in range(0, len(body), 70)]
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END OPENSSH PRIVATE KEY-----\n"


def g_password():
    # what people really type: words, digits and a symbol, or a random string
    if R.random() < 0.5:
        w = R.choice(["Tr0ub4dor", "Blue42Moon", "Kestrel", "Orchid", "Granite", "Falcon"])
        return w + R.choice("!#%&*@") + str(R.randint(10, 9999)) + rs(string.ascii_letters, 3)
    # ('#' or ';' first would start a comment in YAML/INI)
    # (a value of letters only reads as an identifier to the generic rules: a known limit)
    return rs(ALNUM, 1) + rs(ALNUM + "!#%*", R.randint(12, 22)) + rs(string.digits, 1)


def g_dburl():
    pw = g_password().replace("@", "#")
    scheme = R.choice(["postgresql", "postgresql+psycopg2", "mysql+pymysql", "mongodb+srv", "redis"])
    host = R.choice(["db.internal.%s.com" % rs(string.ascii_lowercase, 6),
                     "cluster0.%s.mongodb.net" % rs(string.ascii_lowercase + string.digits, 5),
                     "%s.rds.amazonaws.com" % rs(string.ascii_lowercase, 10)])
    return "%s://%s:%s@%s/%s" % (scheme, R.choice(["admin", "etl_user", "analytics", "ml"]), pw, host,
                                 R.choice(["prod", "features", "warehouse"]))


SECRETS = {
    "aws_id": ("WT-SECRET-001", lambda: R.choice(["AKIA", "ASIA"]) + rs(B32, 16),
               ['AWS_ACCESS_KEY_ID = "{v}"', 's3 = boto3.client("s3", aws_access_key_id="{v}")']),
    "aws_secret": ("WT-SECRET-002", lambda: rs(ALNUM + "/+", 40),
                   ['aws_secret_access_key = "{v}"', 'os.environ["AWS_SECRET_ACCESS_KEY"] = "{v}"',
                    '!aws configure set aws_secret_access_key {v}']),
    "pem": ("WT-SECRET-013", lambda: g_pem(),
            ['PRIVATE_KEY = """{v}"""']),
    "gcp_dict": ("WT-SECRET-012", lambda: g_pem().replace("RSA PRIVATE", "PRIVATE").replace("\n", "\\n"),
                 ['creds = service_account.Credentials.from_service_account_info({{"type": "service_account", '
                  '"project_id": "ml-prod", "private_key": "{v}", "client_email": "bq@ml-prod.iam.gserviceaccount.com"}})']),
    "github": ("WT-SECRET-004", g_gh,
               ['GITHUB_TOKEN = "{v}"', '!git clone https://{v}@github.com/acme/private-models.git',
                'g = Github("{v}")']),
    "github_fg": ("WT-SECRET-005", lambda: "github_pat_" + rs(ALNUM, 22) + "_" + rs(ALNUM, 59),
                  ['headers = {{"Authorization": "token {v}"}}']),
    "gitlab": ("WT-SECRET-006", lambda: "glpat-" + rs(URLSAFE, 20),
               ['gl = gitlab.Gitlab("https://gitlab.com", private_token="{v}")']),
    "hf": ("WT-SECRET-007", lambda: "hf_" + rs(string.ascii_letters, 34),
           ['login(token="{v}")', 'HF_TOKEN = "{v}"', '!huggingface-cli login --token {v}',
            'model = AutoModel.from_pretrained("acme/private-llm", token="{v}")']),
    "openai": ("WT-SECRET-009", g_openai,
               ['client = OpenAI(api_key="{v}")', 'headers = {{"Authorization": "Bearer {v}"}}', 'openai.api_key = "{v}"', '%env OPENAI_API_KEY={v}',
                'os.environ["OPENAI_API_KEY"] = "{v}"']),
    "anthropic": ("WT-SECRET-010", lambda: "sk-ant-api03-" + rs(URLSAFE, 93) + "AA",
                  ['client = anthropic.Anthropic(api_key="{v}")']),
    "google": ("WT-SECRET-011", lambda: "AIza" + rs(URLSAFE, 35),
               ['genai.configure(api_key="{v}")', 'GOOGLE_API_KEY = "{v}"']),
    "azure_ad": ("WT-SECRET-015", lambda: rs(ALNUM, 3) + str(R.randint(0, 9)) + "Q~" + rs(ALNUM + "_~.", 34),
                 ['credential = ClientSecretCredential(tenant_id, client_id, "{v}")']),
    "azure_openai": ("WT-SECRET-016", lambda: rs(HEX, 32),
                     ['AZURE_OPENAI_API_KEY = "{v}"']),
    "slack": ("WT-SECRET-017",
              lambda: "xoxb-%d-%d-%s" % (R.randint(10**10, 10**12), R.randint(10**11, 10**13), rs(ALNUM, 24)),
              ['slack = WebClient(token="{v}")']),
    "slack_hook": ("WT-SECRET-018",
                   lambda: "https://hooks.slack.com/services/T%s/B%s/%s" % (rs(B32, 8), rs(B32, 10), rs(ALNUM, 24)),
                   ['requests.post("{v}", json={{"text": "training done"}})']),
    "stripe": ("WT-SECRET-019", lambda: "sk_live_" + rs(ALNUM, 99),
               ['stripe.api_key = "{v}"']),
    "twilio_auth": ("WT-SECRET-021", lambda: rs(HEX, 32),
                    ['TWILIO_AUTH_TOKEN = "{v}"']),
    "sendgrid": ("WT-SECRET-022", lambda: "SG." + rs(URLSAFE, 22) + "." + rs(URLSAFE, 43),
                 ['sg = SendGridAPIClient("{v}")']),
    "npm": ("WT-SECRET-025", g_npm, ['NPM_TOKEN = "{v}"']),
    "pypi": ("WT-SECRET-026", lambda: "pypi-AgEIcHlwaS5vcmc" + rs(URLSAFE, 150),
             ['!twine upload -u __token__ -p {v} dist/*']),
    "databricks": ("WT-SECRET-027", lambda: "dapi" + rs(HEX, 32),
                   ['DATABRICKS_TOKEN = "{v}"']),
    "wandb": ("WT-SECRET-028", lambda: rs(HEX, 40),
              ['wandb.login(key="{v}")', '%env WANDB_API_KEY={v}', '!wandb login {v}']),
    "replicate": ("WT-SECRET-029", lambda: "r8_" + rs(ALNUM, 37),
                  ['os.environ["REPLICATE_API_TOKEN"] = "{v}"']),
    "groq": ("WT-SECRET-030", lambda: "gsk_" + rs(ALNUM, 52),
             ['client = Groq(api_key="{v}")']),
    "pinecone": ("WT-SECRET-032", lambda: "pcsk_" + rs(ALNUM, 6) + "_" + rs(ALNUM, 60),
                 ['pc = Pinecone(api_key="{v}")']),
    "langsmith": ("WT-SECRET-033", lambda: "lsv2_pt_" + rs(HEX, 32) + "_" + rs(HEX, 10),
                  ['os.environ["LANGCHAIN_API_KEY"] = "{v}"']),
    "telegram": ("WT-SECRET-034", lambda: "%d:AA%s" % (R.randint(10**9, 7 * 10**9), rs(URLSAFE, 33)),
                 ['bot = telebot.TeleBot("{v}")']),
    "jwt": ("WT-SECRET-040", g_jwt,
            ['headers = {{"Authorization": "Bearer {v}"}}']),
    "dburl": ("WT-SECRET-041", g_dburl,
              ['engine = create_engine("{v}")', 'client = MongoClient("{v}")']),
    "password": ("WT-SECRET-042", g_password,
                 ['DB_PASSWORD = "{v}"', 'conn = psycopg2.connect(host=HOST, user="etl", password="{v}")',
                  'os.environ["SMTP_PASSWORD"] = "{v}"']),
    "url_key": ("WT-SECRET-042", lambda: rs(ALNUM, 24) + str(R.randint(0, 9)),
                ['resp = requests.get(f"https://newsapi.org/v2/everything?q={{query}}&apiKey={v}")',
                 'print("Unauthorized for url: https://api.acme-corp.io/v1/predict?access_token={v}")']),
    "auth_pair": ("WT-SECRET-042", g_password,
                  ['demo.launch(share=True, auth=("admin", "{v}"))', 'r = requests.get(API, auth=("svc-reader", "{v}"))',
                   'server.login("notifications@acme-corp.com", "{v}")']),
    "env_password": ("WT-SECRET-043", g_password, ['%env DB_PASSWORD={v}', '!export MLFLOW_TRACKING_PASSWORD={v}']),
    "writefile_password": ("WT-SECRET-043", g_password,
                           ['%%writefile .env\nHF_HOME=/content/hf\nDB_USER=etl\nDB_PASSWORD={v}',
                            '%%writefile config.yaml\nmlflow:\n  tracking_uri: https://mlflow.acme-corp.io\n  password: {v}']),
    "dsn": ("WT-SECRET-041", g_password,
            ['conn = psycopg2.connect("host=db.prod.acme.io port=5432 dbname=features user=etl password={v}")',
             'cnxn = pyodbc.connect("Driver={{ODBC Driver 18 for SQL Server}};Server=tcp:acme.database.windows.net,1433;'
             'Database=sales;Uid=analyst;Pwd={v};Encrypt=yes;")']),
    "sas": ("WT-SECRET-055",
            lambda: rs(ALNUM + "+/", 43).replace("+", "%2B").replace("/", "%2F") + "%3D",
            ['url = "https://acmeml.blob.core.windows.net/data/train.parquet?sv=2022-11-02&ss=b&srt=co&sp=rl'
             '&se=2025-12-31T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig={v}"',
             '!azcopy copy "https://acmeml.blob.core.windows.net/ckpt?sp=racwdl&st=2024-05-01T08:00:00Z'
             '&se=2026-05-01T16:00:00Z&spr=https&sv=2022-11-02&sr=c&sig={v}" ./ckpt --recursive']),
    "gocspx": ("WT-SECRET-056", lambda: "GOCSPX-" + rs(URLSAFE, 28),
               ['flow = InstalledAppFlow.from_client_config({{"installed": {{"client_id": "%d-abc.apps.googleusercontent.com", '
                '"client_secret": "{v}"}}}}, SCOPES)' % 123456789012]),
    "bearer": ("WT-SECRET-042", lambda: rs(ALNUM, 40) + str(R.randint(0, 9)),
               ['!curl -s -H "Authorization: Bearer {v}" https://api.acme-corp.io/v1/models',
                'resp = requests.get(API, headers={{"Authorization": "Token {v}"}})']),
    "ngrok": ("WT-SECRET-057", lambda: str(R.randint(1, 9)) + rs(ALNUM, 26) + "_" + rs(ALNUM, 21),
              ['!ngrok config add-authtoken {v}', 'ngrok.set_auth_token("{v}")']),
    "kaggle": ("WT-SECRET-054", lambda: rs(HEX, 32),
               ['os.environ["KAGGLE_KEY"] = "{v}"', 'KAGGLE_KEY = "{v}"',
                """!echo '{{"username":"jdoe","key":"{v}"}}' > ~/.kaggle/kaggle.json"""]),
}

# Output-side contexts (stream, traceback, markdown, html); {v} = value.
OUT_CTX = {
    "stream": ["Using API key: {v}", "export {env}={v}", "token={v}", "Connecting with {v} ..."],
    "markdown": ["Set your key first (mine: `{v}`)", "API key: {v}", "- token: `{v}`"],
    "traceback": ["AuthenticationError: Error code: 401 - invalid credentials {v}",
                  "ValueError: bad token {v}"],
    "html": ["<tr><td>{env}</td><td>{v}</td></tr>",
             "<tr><td>{env}</td><td><a href=\"https://api.acme-corp.io/v1/status?token={v}&amp;verbose=1\" target=\"_blank\">status</a></td></tr>"],
}
ENV_NAME = {"openai": "OPENAI_API_KEY", "hf": "HF_TOKEN", "anthropic": "ANTHROPIC_API_KEY",
            "github": "GITHUB_TOKEN", "google": "GOOGLE_API_KEY", "groq": "GROQ_API_KEY",
            "stripe": "STRIPE_SECRET_KEY", "sendgrid": "SENDGRID_API_KEY", "gitlab": "GITLAB_TOKEN",
            "replicate": "REPLICATE_API_TOKEN", "slack": "SLACK_BOT_TOKEN", "pypi": "PYPI_TOKEN"}
# Self-identifying formats (a prefix or structure): found in any text, even without a key name.
SELF_ID = ["github", "github_fg", "gitlab", "hf", "openai", "anthropic", "google", "slack", "slack_hook",
           "stripe", "sendgrid", "npm", "pypi", "databricks", "replicate", "groq", "langsmith", "jwt",
           "dburl", "aws_id", "telegram", "pinecone"]


# ---------------------------------------------------------------- PII
def luhn_complete(prefix, n):
    digits = prefix + rs(string.digits, n - len(prefix) - 1)
    for c in string.digits:
        s = digits + c
        tot = 0
        for i, d in enumerate(reversed(s)):
            d = int(d)
            if i % 2:
                d *= 2
                if d > 9:
                    d -= 9
            tot += d
        if tot % 10 == 0:
            return s


def g_card():
    p = R.choice(["4", "51", "53", "55", "2221", "37", "6011"])
    n = 15 if p == "37" else 16
    d = luhn_complete(p, n)
    if n == 15:
        return "%s %s %s" % (d[:4], d[4:10], d[10:])
    return " ".join(d[i:i + 4] for i in range(0, 16, 4)) if R.random() < 0.5 else d


def g_iban():
    country, blen = R.choice([("DE", 18), ("GB", None), ("FR", 23), ("NL", None)])
    if country == "GB":
        bban = R.choice(["NWBK", "BARC", "HBUK"]) + rs(string.digits, 14)
    elif country == "NL":
        bban = R.choice(["ABNA", "INGB", "RABO"]) + rs(string.digits, 10)
    else:
        bban = rs(string.digits, blen)
    conv = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(conv) % 97
    iban = "%s%02d%s" % (country, check, bban)
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def g_ssn():
    while True:
        a = R.randint(1, 899)
        if a != 666:
            return "%03d-%02d-%04d" % (a, R.randint(1, 99), R.randint(1, 9999))


def g_ip():
    while True:
        a = R.choice([23, 34, 45, 52, 63, 78, 81, 93, 104, 141, 151, 185, 203, 212])
        ip = "%d.%d.%d.%d" % (a, R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
        if not ip.startswith(("203.0.113.",)):
            return ip


FIRST = ["James", "Maria", "Wei", "Aisha", "Lukas", "Sofia", "Omar", "Priya", "Mateo", "Hannah", "Kenji", "Fatima"]
LAST = ["Smith", "Garcia", "Chen", "Khan", "Muller", "Rossi", "Haddad", "Patel", "Lopez", "Schmidt", "Tanaka", "Okafor"]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "proton.me", "acme-retail.com"]


def g_person():
    f, l = R.choice(FIRST), R.choice(LAST)
    return {"name": "%s %s" % (f, l),
            "email": "%s.%s%d@%s" % (f.lower(), l.lower(), R.randint(1, 99), R.choice(DOMAINS)),
            "phone": R.choice(["+1 %d-%d-%04d" % (R.randint(201, 989), R.randint(201, 989), R.randint(0, 9999)),
                               "+44 7%03d %06d" % (R.randint(100, 999), R.randint(0, 999999)),
                               "(%d) %d-%04d" % (R.randint(201, 989), R.randint(201, 989), R.randint(0, 9999)),
                               "%d-%d-%04d" % (R.randint(201, 989), R.randint(201, 989), R.randint(0, 9999)),
                               "%d.%d.%04d" % (R.randint(201, 989), R.randint(201, 989), R.randint(0, 9999))]),
            "dob": R.choice(["%d-%02d-%02d" % (R.randint(1940, 2005), R.randint(1, 12), R.randint(1, 28)),
                             "%02d/%02d/%d" % (R.randint(1, 12), R.randint(1, 28), R.randint(1940, 2005))]),
            "ssn": g_ssn() if R.random() < 0.7 else g_ssn().replace("-", ""),
            "card": g_card(), "iban": g_iban(), "ip": g_ip()}


PII_RULE = {"email": "WT-PII-001", "phone": "WT-PII-002", "card": "WT-PII-003", "iban": "WT-PII-004",
            "ssn": "WT-PII-005", "ip": "WT-PII-009", "dob": "WT-PII-012", "name": "WT-PII-016"}

# ---------------------------------------------------------------- noise


def sha(n=64):
    return hashlib.sha256(str(R.random()).encode()).hexdigest()[:n]


def png():
    raw = bytes(R.getrandbits(8) for _ in range(R.randint(800, 4000)))
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + raw).decode()


def uuid4():
    h = sha(32)
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:32])


JWT_IO = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2"
          "MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")


def noise_code():
    """Clean code lines real notebooks are full of (must give no finding)."""
    m = R.choice(["bert-base-uncased", "meta-llama/Llama-2-7b-hf", "mistralai/Mistral-7B-Instruct-v0.2",
                  "sentence-transformers/all-MiniLM-L6-v2", "google/flan-t5-base"])
    return R.choice([
        ['import os', 'from getpass import getpass', 'os.environ["OPENAI_API_KEY"] = getpass("OpenAI key: ")'],
        ['from google.colab import userdata', 'HF_TOKEN = userdata.get("HF_TOKEN")', 'login(token=HF_TOKEN)'],
        ['api_key = os.environ.get("OPENAI_API_KEY")', 'client = OpenAI(api_key=api_key)'],
        ['OPENAI_API_KEY = "YOUR_API_KEY"  # replace with your key', 'openai.api_key = OPENAI_API_KEY'],
        ['# AWS docs example credentials', 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"',
         'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"'],
        ['token = "%s"  # example from jwt.io' % JWT_IO, 'decoded = jwt.decode(token, options={"verify_signature": False})'],
        ['tokenizer = AutoTokenizer.from_pretrained("%s")' % m, 'tokens = tokenizer(text, max_length=512, truncation=True)',
         'pad_token_id = tokenizer.pad_token_id', 'max_new_tokens = 256'],
        ['model = AutoModelForCausalLM.from_pretrained("%s", revision="%s")' % (m, sha(40)),
         'model.eval()'],
        ['run = wandb.init(project="llm-finetune", id="%s", resume="allow")' % rs(string.ascii_lowercase + string.digits, 8),
         'wandb.config.update({"lr": 3e-4, "batch_size": 32})'],
        ['EXPECTED_SHA256 = "%s"' % sha(), 'assert hashlib.sha256(data).hexdigest() == EXPECTED_SHA256'],
        ['commit = "%s"' % sha(40), 'run_id = "%s"' % uuid4(), 'secret_key = os.urandom(24)'],
        ['IMAGE = "pytorch/pytorch@sha256:%s"' % sha(), 'session_id = "%s"' % uuid4()],
        ['password = getpass.getpass("DB password: ")', 'conn = psycopg2.connect(dbname="x", user="me", password=password)'],
        ['stripe.api_key = "sk_test_%s"  # test mode' % rs(ALNUM, 24)],
        ['df = pd.read_csv("train.csv")', 'df["email"] = df["email"].str.lower()', 'df.head()'],
        ['DATABASE_URL = "postgresql://postgres:postgres@localhost:5432/postgres"'],
        ['engine = create_engine(f"postgresql://{user}:{password}@{host}/{db}")'],
        ['api_key = None', 'auth_token = api_key or os.getenv("API_TOKEN")', 'secret_name = "prod/db/password"'],
        ['with open("config.yaml") as f:', '    cfg = yaml.safe_load(f)'],
        ['state = torch.load("ckpt.pt", map_location="cpu", weights_only=True)', 'model.load_state_dict(state)'],
        ['GOOGLE_API_KEY = "<your-google-api-key>"', 'HF_TOKEN = "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"'],
        ['password_hash = "%s"' % ("$2b$12$" + rs(ALNUM + "./", 53))],
        ['!kaggle competitions download -c titanic', 'os.environ["KAGGLE_USERNAME"] = "jdoe"'],
        ['# token from the GitHub docs', 'GITHUB_TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"',
         'NPM_TOKEN = "npm_%s"  # made up: its checksum fails' % (rs(ALNUM, 30) + "AAAAAA")],
        ['!pip install git+https://${GITHUB_TOKEN}@github.com/acme/internal-lib.git'],
        ['DB_URL = "mysql://{user}:{pw}@{host}/{db}".format(**cfg)'],
        ['resp = requests.get(url, headers={"Authorization": f"Bearer {token}"})'],
        ['token_type = "bearer"', 'access_token_url = "https://oauth2.googleapis.com/token"',
         'TOKEN_LIMIT = 4096'],
        ['!ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519 -N ""', '!aws configure set region us-east-1'],
        ['conn = psycopg2.connect(f"host={HOST} dbname=features user={USER} password={PASSWORD}")'],
        ['!curl -H "Authorization: Bearer $HF_TOKEN" https://huggingface.co/api/whoami-v2',
         'headers = {"Authorization": f"Bearer {api_token}"}', '# Authorization: Bearer <your-token>'],
        ['SAS_DOC = "https://<account>.blob.core.windows.net/<container>?sv=<version>&sig=<signature>"'],
        ['server.login(SMTP_USER, SMTP_PASSWORD)', 'r = requests.get(url, auth=(user, password))',
         'demo.launch(auth=("admin", "admin"))'],
        ['%env WANDB_PROJECT=llm-finetune', '%env TOKENIZERS_PARALLELISM=false', '%env HF_HUB_ENABLE_HF_TRANSFER=1'],
        ['cnxn = pyodbc.connect("Driver={ODBC Driver 18};Server=localhost;Database=x;Trusted_Connection=yes;")'],
    ])


def noise_stream():
    return R.choice([
        "Collecting transformers==4.40.1\n  Downloading transformers-4.40.1-py3-none-any.whl (9.0 MB)\n"
        "Requirement already satisfied: numpy>=1.17 in /usr/local/lib/python3.10/dist-packages (1.25.2)\n"
        "Successfully installed tokenizers-0.19.1 transformers-4.40.1\n",
        "".join("Epoch %d/%d: 100%%|##########| %d/%d [00:%02d<00:00, %.2fit/s, loss=%.4f]\n"
                % (e, 3, 500, 500, R.randint(10, 59), R.uniform(5, 30), R.uniform(0.1, 2)) for e in range(1, 4)),
        "wandb: Currently logged in as: ml-team. Use `wandb login --relogin` to force relogin\n"
        "wandb: Tracking run with wandb version 0.16.6\nwandb: Run data is saved locally in /content/wandb/run-20240501_101010-%s\n"
        "wandb: View run at https://wandb.ai/ml-team/llm-finetune/runs/%s\n" % ((rs(string.ascii_lowercase + string.digits, 8),) * 2),
        "Downloading (...)model.safetensors: 100%%|##########| 440M/440M [00:04<00:00, 98.1MB/s]\n"
        "Model sha256: %s\ncommit: %s\n" % (sha(), sha(40)),
        "Token is valid (permission: write).\nYour token has been saved to /root/.cache/huggingface/token\nLogin successful\n",
        "openai.AuthenticationError: Incorrect API key provided: sk-proj-********************%s\n" % rs(ALNUM, 4),
        "Server listening on 0.0.0.0:8080 (pid 4242), connected to 127.0.0.1:6379 and 192.168.1.20\n",
        "Training complete. Best checkpoint: outputs/checkpoint-%d (eval_loss=%.4f)\n" % (R.randint(100, 9000), R.random()),
        "Status: Downloaded newer image for nvcr.io/nvidia/pytorch@sha256:%s\n" % sha(),
        "Your identification has been saved in /root/.ssh/id_ed25519\nThe key fingerprint is:\n"
        "SHA256:%s root@%s\n" % (base64.b64encode(bytes(R.getrandbits(8) for _ in range(32))).decode().rstrip("="), sha(12)),
        "torch==2.1.0+cu121\ntransformers @ git+https://github.com/huggingface/transformers@%s\n"
        "NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2\n" % sha(40),
        "Processed 1,234,567 rows in 12.3s; loss=+1.2345e-03; lr=+3.0e-04\n",
        "Name: transformers\nVersion: 4.40.1\nSummary: State-of-the-art Machine Learning for JAX, PyTorch and TensorFlow\n"
        "Home-page: https://github.com/huggingface/transformers\nAuthor: The Hugging Face team (past and future) with the "
        "help of all our contributors\nAuthor-email: transformers@huggingface.co\nLicense: Apache 2.0 License\n",
        "     name   type1  type2  total  hp  attack\n0    Bulbasaur  Grass  Poison  318  45  49\n"
        "1      Ivysaur  Grass  Poison  405  60  62\n2     Venusaur  Grass  Poison  525  80  82\n"
        "3   Charmander   Fire    NaN  309  39  52\n4   Charmeleon   Fire    NaN  405  58  64\n",
        "           name  country  population\n0         Tokyo    Japan    37400068\n1         Delhi    India    28514000\n"
        "2      Shanghai    China    25582000\n3     Sao Paulo   Brazil    21650000\n4   Mexico City   Mexico    21581000\n",
        "wandb: Appending key for api.wandb.ai to your netrc file: /root/.netrc\n"
        "Running on public URL: https://%s.gradio.live\n" % rs(HEX, 18),
        "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        inet 172.28.0.12  netmask 255.255.0.0  "
        "broadcast 172.28.255.255\n        ether 02:42:ac:1c:00:0c  txqueuelen 0  (Ethernet)\n",
        "+-----------------------------------------------------------------------------+\n"
        "| NVIDIA-SMI 525.85.12    Driver Version: 525.85.12    CUDA Version: 12.0     |\n"
        "|   0  Tesla T4            Off  | 00000000:00:04.0 Off |                    0 |\n"
        "| N/A   44C    P8     9W /  70W |      0MiB / 15360MiB |      0%%      Default |\n"
        "GPU 0: Tesla T4 (UUID: GPU-%s)\n" % uuid4(),
        "Model: \"sequential\"\n_________________________________________________________________\n"
        " Layer (type)                Output Shape              Param #   \n"
        " dense (Dense)               (None, 128)               100480    \n"
        " dense_1 (Dense)             (None, 10)                1290      \n"
        "Total params: 101770 (397.54 KB)\n",
        "              precision    recall  f1-score   support\n\n           0       0.98      0.99      0.98      5321\n"
        "           1       0.97      0.95      0.96      2034\n\n    accuracy                           0.97      7355\n"
        "[[5270   51]\n [ 102 1932]]\n",
        "ISBN 978-3-16-148410-0, order 4532015112830366-A, epoch_ms 1699999999999, coords (37.7749, -122.4194)\n"
        "event_id=20240115123456789 card_id=%d batch 2024-01-15T12:34:56+05:30\n" % R.randint(10**11, 10**12),
        "Downloading data files: 100%%|##########| 3/3 [00:02<00:00,  1.20it/s]\nGenerating train split: 25000 examples "
        "[00:01, 18233.71 examples/s]\nrevision %s\n" % sha(40),
    ])


def noise_traceback():
    return ["\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
            "\x1b[0;31mFileNotFoundError\x1b[0m                         Traceback (most recent call last)",
            "File \x1b[0;32m/usr/local/lib/python3.10/dist-packages/torch/serialization.py:%d\x1b[0m, in \x1b[0;36mload\x1b[0;34m(f)\x1b[0m"
            % R.randint(100, 1500),
            "\x1b[0;31mFileNotFoundError\x1b[0m: [Errno 2] No such file or directory: 'ckpt/%s.pt'" % sha(12)]


# ---------------------------------------------------------------- unsafe code
# (rule or None, severity or None, line). None = must not be reported.
CODE_POS = [
    [("import pickle as pkl",), None, ("WT-CODE-001", "high", "data = pkl.load(open('feats.pkl', 'rb'))")],
    [("from pickle import loads as L",), ("WT-CODE-001", "high", "obj = L(blob)")],
    [("WT-CODE-001", "high", "df = pd.read_pickle('train.pkl')")],
    [("WT-CODE-004", "medium", "model = torch.load('model.pt').to(device)")],
    [("WT-CODE-004", "high", "ckpt = torch.load(path, map_location='cpu', weights_only=False)")],
    [("from joblib import load",), ("WT-CODE-002", "high", "clf = load('model.joblib')")],
    [("WT-CODE-002", "high", "pipe = joblib.load(MODEL_PATH)")],
    [("WT-CODE-006", "high", "cfg = yaml.load(f, Loader=yaml.FullLoader)")],
    [("WT-CODE-006", "medium", "cfg = yaml.load(open('params.yaml'))")],
    [("WT-CODE-007", "high", "result = eval(input('expression: '))")],
    [("WT-CODE-007", "high", "exec(response.choices[0].message.content)")],
    [("WT-CODE-009", "high", "subprocess.run(f'unzip {archive} -d {out}', shell=True, check=True)")],
    [("import subprocess as sp",), ("WT-CODE-009", "high", "sp.Popen(cmd, shell=True)")],
    [("WT-CODE-008", "medium", "os.system(f'wget {url} -O data.zip')")],
    [("WT-CODE-011", "medium", "r = requests.get(url, verify=False, timeout=30)")],
    [("WT-CODE-010", "high", "model = AutoModelForCausalLM.from_pretrained(name, trust_remote_code=True)")],
    [("WT-CODE-010", "high", "tok = AutoTokenizer.from_pretrained(\n    'org/model',\n    trust_remote_code=True,\n)")],
    [("WT-CODE-005", "high", "arr = np.load('feats.npy', allow_pickle=True)")],
    [("WT-CODE-015", "high", "!curl -sSL https://install.example.org/setup.sh | bash")],
    [("import dill",), ("WT-CODE-003", "high", "fn = dill.loads(payload)")],
    [("import torch as T",), ("WT-CODE-004", "medium", "sd = T.load(io.BytesIO(resp.content))")],
    [("from yaml import load, Loader",), ("WT-CODE-006", "high", "cfg = load(stream, Loader=Loader)")],
    [("import pickle, base64",), ("WT-CODE-001", "high", "state = pickle.loads(base64.b64decode(blob))")],
    [("import pickle",), ("with open(path, 'rb') as f:",), ("WT-CODE-001", "high", "    model = pickle.load(f)")],
    [("WT-CODE-015", "high", "!wget -qO- https://get.example-tool.io/install.sh | sh")],
    [("WT-CODE-008", "medium", "gpu = os.popen(cmd).read()")],
    [("WT-CODE-009", "medium", "out = subprocess.check_output('nvidia-smi --query-gpu=name --format=csv', shell=True)")],
    [("WT-CODE-007", "low", "exec(open('setup_env.py').read())")],
    [("import ssl",), ("WT-CODE-011", "medium", "ssl._create_default_https_context = ssl._create_unverified_context")],
    [("import requests",), ("s = requests.Session()",), ("WT-CODE-011", "medium", "s.verify = False")],
    [("WT-CODE-010", "medium", "model = torch.hub.load('ultralytics/yolov5', 'yolov5s', pretrained=True)")],
    [("import jsonpickle",), ("WT-CODE-001", "high", "state = jsonpickle.decode(payload)")],
]
CODE_NEG = [
    ["cfg = yaml.safe_load(open('params.yaml'))", "cfg = yaml.load(f, Loader=yaml.SafeLoader)"],
    ["state = torch.load(path, weights_only=True)", "model.eval()"],
    ["# never do: pickle.load(open(path, 'rb'))", "print('use joblib.load(path) only on trusted files')"],
    ["with open('out.pkl', 'wb') as f:", "    pickle.dump(obj, f)"],
    ["subprocess.run(['git', 'rev-parse', 'HEAD'], check=True)", "out = subprocess.check_output(['nvidia-smi'])"],
    ["x = ast.literal_eval(s)", "df.eval('c = a + b', inplace=True)", "val = eval('1 + 2')"],
    ["arr = np.load('feats.npy')", "data = json.load(open('labels.json'))"],
    ["model = AutoModel.from_pretrained(name, trust_remote_code=False)", "r = requests.get(url, timeout=10)"],
    ["!pip install -q transformers==4.40.1 accelerate", "%load_ext autoreload", "%autoreload 2"],
    ["%run utils.py", "%matplotlib inline"],
    ["eval_results = trainer.evaluate()", "metric = evaluate.load('accuracy')", "ds = load_dataset('imdb')"],
    ["model = tf.keras.models.load_model('model.keras')", "df = pd.read_csv('train.csv')", "blob = pickle.dumps(obj)"],
    ["PROMPT = \"Never run os.system('rm -rf /') or eval(user_input)\"", "joblib.dump(clf, 'model.joblib')"],
    ["session.verify = True", "verify = False", "cfg.trust_remote_code = False"],
    ["model = torch.hub.load('./yolov5', 'custom', path='best.pt', source='local')", "payload = jsonpickle.encode(obj)"],
]
CODE_MD_NEG = "Loading checkpoints: `torch.load(path)` unpickles, so we use `weights_only=True`; never `eval(input())`."


# ---------------------------------------------------------------- notebook builder
class Notebook:
    def __init__(self, name):
        self.name = name
        self.cells = []
        self.expect = []

    def _cid(self):
        return sha(8)

    def add(self, cell):
        self.cells.append(cell)
        return len(self.cells) - 1


def jlines(text):
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


class Corpus:
    def __init__(self, root):
        self.root = root
        self.expect = []
        self.values = []
        os.makedirs(root, exist_ok=True)

    def exp(self, file, rule, loc, probe, kind, count=None, severity=None):
        e = {"file": file, "rule": rule, "loc": loc, "probe": probe, "kind": kind}
        if count is not None:
            e["count"] = count
        if severity:
            e["severity"] = severity
        self.expect.append(e)

    def write(self, rel, text):
        p = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)


def secret_probe(kind, v):
    """The start of what the scanner reports as the secret (the finding's column points there)."""
    if kind == "dburl":
        return v.split("://", 1)[1].split("@")[0].split(":", 1)[1][:16]
    if kind == "slack_hook":
        return v.split("://", 1)[1][:16]
    return v.split("\n")[0][:16]


def code_probe(t):
    """Where a code finding's column points: the callee, a shell command, or an assigned name."""
    t = t.strip()
    if t.startswith("!"):
        return t[1:].split()[0]
    head = t.split("(")[0]
    if "(" not in t:
        return t.split()[0]
    if " = " in head:
        return head.split(" = ", 1)[1].strip()[:20]
    return head.strip()[:20]


def secret_value(kind):
    rule, gen, tmpls = SECRETS[kind]
    v = gen()
    # a random value that happens to hold a placeholder run ("xXxX") is rightly ignored: draw again
    while any(w in v.lower() for w in ("xxxx", "0000000", "1234567", "abcdefg", "example", "sample", "dummy")):
        v = gen()
    return rule, v, tmpls


def build_notebook(c, name, plants, pii_tables, code_items):
    """plants: list of (kind, where). Returns the nbformat dict."""
    cells = []
    file = name

    def cell_code(src_lines, outputs=None):
        cells.append({"cell_type": "code", "execution_count": len(cells) + 1, "id": sha(8), "metadata": {},
                      "outputs": outputs or [], "source": jlines("\n".join(src_lines))})
        return len(cells) - 1

    def cell_md(text):
        cells.append({"cell_type": "markdown", "id": sha(8), "metadata": {}, "source": jlines(text)})
        return len(cells) - 1

    cell_md("# %s\n\nFine-tuning notebook (Colab). Run all cells in order." % name.replace("_", " "))
    cell_code(["!pip install -q transformers datasets wandb"],
              [{"name": "stdout", "output_type": "stream", "text": jlines(noise_stream())}])
    for kind, where in plants:
        rule, v, tmpls = secret_value(kind)
        c.values.append(v)
        env = ENV_NAME.get(kind, "API_TOKEN")
        probe = secret_probe(kind, v)
        if kind == "gcp_dict":
            probe = v[:16]
        if where == "code":
            tmpl = R.choice(tmpls)
            line = tmpl.format(v=v, env=env)
            pre = noise_code()
            body = line.split("\n")
            if body[0].startswith("%%"):
                src = body  # a cell magic must be the first line
                ln = next(n for n, l in enumerate(body) if v.split("\n")[0] in l) + 1
            else:
                src = ["import os"] + pre + body
                ln = 1 + len(pre) + 1
            i = cell_code(src)
            c.exp(file, rule, {"cell": i, "cell_part": "source", "cell_line": ln}, probe, kind)
        elif where in ("stream", "markdown", "traceback", "html"):
            tmpl = R.choice(OUT_CTX[where])
            text = tmpl.format(v=v, env=env)
            if where == "markdown":
                i = cell_md("## Setup\n\n" + text + "\n")
                c.exp(file, rule, {"cell": i, "cell_part": "source", "cell_line": 3}, probe, kind)
            elif where == "stream":
                pre = noise_stream().rstrip("\n").split("\n")
                body = "\n".join(pre + [text]) + "\n"
                i = cell_code(["print_config()"], [{"name": "stdout", "output_type": "stream", "text": jlines(body)}])
                c.exp(file, rule, {"cell": i, "cell_part": "output", "cell_line": len(pre) + 1}, probe, kind)
            elif where == "traceback":
                tb = noise_traceback()
                tb.insert(3, "\x1b[0;31m%s\x1b[0m" % text)
                i = cell_code(["resp = client.chat.completions.create(model=MODEL, messages=msgs)"],
                              [{"output_type": "error", "ename": "Error", "evalue": text, "traceback": tb}])
                c.exp(file, rule, {"cell": i, "cell_part": "output", "cell_line": 4}, probe, kind)
            else:
                html = ("<div>\n<table border=\"1\" class=\"dataframe\">\n  <thead>\n    <tr><th>key</th><th>value</th></tr>\n"
                        "  </thead>\n  <tbody>\n    %s\n  </tbody>\n</table>\n</div>" % text)
                i = cell_code(["pd.DataFrame(settings.items(), columns=['key', 'value'])"],
                              [{"output_type": "execute_result", "execution_count": 3, "metadata": {},
                                "data": {"text/html": jlines(html), "text/plain": ["<DataFrame 1 x 2>"]}}])
                c.exp(file, rule, {"cell": i, "cell_part": "output", "cell_line": 7}, probe, kind)
        # noise between plants
        cell_code(noise_code(), [{"name": "stdout", "output_type": "stream", "text": jlines(noise_stream())}]
                  if R.random() < 0.5 else
                  [{"output_type": "display_data", "metadata": {}, "data": {"image/png": png(), "text/plain": ["<Figure size 640x480 with 1 Axes>"]}}])
        if R.random() < 0.5:
            cell_code(["display(HTML(report_html))"],
                      [{"output_type": "display_data", "metadata": {}, "data": {"text/html": jlines(
                          "<div style=\"font-family: monospace; color: #1f77b4\">\n<img src=\"data:image/png;base64,%s\" "
                          "width=\"400\"/>\n<a href=\"https://wandb.ai/ml-team/llm-finetune/runs/%s\">run page</a>\n</div>"
                          % (png(), rs(string.ascii_lowercase + string.digits, 8))), "text/plain": ["<IPython.core.display.HTML object>"]}}])
        if R.random() < 0.3:
            cell_code(["model = load_checkpoint()"],
                      [{"output_type": "error", "ename": "FileNotFoundError", "evalue": "x", "traceback": noise_traceback()}])
    # unsafe code: each group is one cell
    for grp in code_items:
        src = []
        exps = []
        for item in grp:
            if item is None:
                src.append("")
                continue
            text = item[-1]
            ln = len(src) + 1
            src.extend(text.split("\n"))
            if len(item) == 3:
                exps.append((item[0], item[1], ln, text))
        if not any(s.startswith("import ") or s.startswith("from ") for s in src):
            src.insert(0, "import os, subprocess, pickle, joblib, yaml, torch, requests")
            exps = [(r, s, ln + 1, t) for r, s, ln, t in exps]
        i = cell_code(src)
        for r, s, ln, t in exps:
            c.exp(file, r, {"cell": i, "cell_part": "source", "cell_line": ln}, code_probe(t), "code", severity=s)
    if code_items:
        neg = R.sample(CODE_NEG, 4)
        cell_code([l for g in neg for l in g])
        cell_md(CODE_MD_NEG)
    # PII tables
    for style in pii_tables:
        people = [g_person() for _ in range(R.randint(3, 8))]
        cols = R.sample(["email", "phone", "ssn", "card", "iban", "ip", "dob"], 3)
        cols = ["name"] + cols + ["score"]
        if style == "markdown":
            rows = ["|    | " + " | ".join(cols) + " |", "|---:|" + "|".join(":---" for _ in cols) + "|"]
            for n, p in enumerate(people):
                rows.append("| %2d | " % n + " | ".join(p[k] if k != "score" else "%.4f" % R.random() for k in cols) + " |")
            text = "\n".join(rows) + "\n"
            i = cell_code(["print(customers.head(%d).to_markdown())" % len(people)],
                          [{"name": "stdout", "output_type": "stream", "text": jlines(text)}])
        elif style == "plain":
            rows = ["    %-22s %s" % ("", "  ".join("%-24s" % k for k in cols))]
            for n, p in enumerate(people):
                vals = [p[k] if k != "score" else "%.4f" % R.random() for k in cols]
                rows.append("%-4d %s" % (n, "  ".join("%-24s" % v for v in vals)))
            text = "\n".join(rows)
            i = cell_code(["customers = pd.read_sql('SELECT * FROM customers', engine)", "customers.head(%d)" % len(people)],
                          [{"output_type": "execute_result", "execution_count": 4, "metadata": {},
                            "data": {"text/plain": jlines(text)}}])
            first_line = 2
        else:
            head = "<table border=\"1\" class=\"dataframe\">\n  <thead>\n    <tr style=\"text-align: right;\">\n      <th></th>\n" + \
                "".join("      <th>%s</th>\n" % k for k in cols) + "    </tr>\n  </thead>\n  <tbody>\n"
            body = ""
            for n, p in enumerate(people):
                body += "    <tr>\n      <th>%d</th>\n" % n + "".join(
                    "      <td>%s</td>\n" % (p[k] if k != "score" else "%.4f" % R.random()) for k in cols) + "    </tr>\n"
            html = "<div>\n" + head + body + "  </tbody>\n</table>\n</div>"
            hl = html.split("\n")
            i = cell_code(["customers.sample(%d)" % len(people)],
                          [{"output_type": "execute_result", "execution_count": 5, "metadata": {},
                            "data": {"text/html": jlines(html), "text/plain": ["<DataFrame>"]}}])
            text = html
        tl = text.split("\n")
        for k in cols:
            if k == "score":
                continue
            vals = [p[k] for p in people]
            if k != "name":
                c.values.extend(v for v in vals)
            ln = next(n for n, l in enumerate(tl) if vals[0] in l) + 1
            c.exp(file, PII_RULE[k], {"cell": i, "cell_part": "output", "cell_line": ln}, vals[0], "pii",
                  count=len(people))
    if R.random() < 0.6:
        pw = g_password()
        c.values.append(pw)
        yml = "model:\n  name: %s\n  revision: %s\nstorage:\n  bucket: s3://acme-ml/ckpt\n  password: %s\n" % (
            R.choice(["bert-base-uncased", "gpt2"]), sha(40), pw)
        i = cell_code(["!cat configs/train.yaml"], [{"name": "stdout", "output_type": "stream", "text": jlines(yml)}])
        c.exp(file, "WT-SECRET-043", {"cell": i, "cell_part": "output", "cell_line": 6}, pw[:16], "cat_config")
    if R.random() < 0.5:
        pw = g_password()
        c.values.append(pw)
        envout = ("HOSTNAME=%s\nCOLAB_GPU=1\nHOME=/root\nTOKENIZERS_PARALLELISM=false\nMLFLOW_TRACKING_PASSWORD=%s\n"
                  "PATH=/opt/bin:/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin\n" % (sha(12), pw))
        i = cell_code(["!printenv"], [{"name": "stdout", "output_type": "stream", "text": jlines(envout)}])
        c.exp(file, "WT-SECRET-043", {"cell": i, "cell_part": "output", "cell_line": 5}, pw[:16], "printenv")
    cell_code(["!cat requirements.txt"], [{"name": "stdout", "output_type": "stream",
                                           "text": jlines("torch==2.1.0\ntransformers==4.40.1\n# token: see README\n")}])
    cell_code(["%%writefile train.py", "import os", "PASSWORD_MIN_LENGTH = 12", "token = tokenizer(text)"])
    cell_md("## Results\n\nSee the [W&B report](https://wandb.ai/ml-team/llm-finetune/reports/%s) and "
            "model card at https://huggingface.co/acme/%s. Contact: ml-team@example.com." % (rs(ALNUM, 10), name))
    return {"cells": cells,
            "metadata": {"accelerator": "GPU", "colab": {"provenance": []},
                         "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                         "language_info": {"name": "python", "version": "3.10.12"}},
            "nbformat": 4, "nbformat_minor": 5}


# ---------------------------------------------------------------- config files
def line_of(text, probe):
    for n, l in enumerate(text.split("\n")):
        if probe in l:
            return n + 1
    raise ValueError(probe)


def configs(c):
    out = []

    def plant(file, text, items):
        c.write(file, text)
        for rule, v, kind in items:
            c.values.append(v)
            probe = v.split("\n")[0][:16]
            c.exp(file, rule, {"line": line_of(text, probe)}, probe, kind)

    # .env
    oa, hf, pw, aws_id, aws_sec = SECRETS["openai"][1](), SECRETS["hf"][1](), g_password(), \
        SECRETS["aws_id"][1](), SECRETS["aws_secret"][1]()
    dbu = g_dburl()
    env = ("# local settings - do not commit\nTOKENIZERS_PARALLELISM=false\nMAX_TOKENS=2048\nOPENAI_API_KEY=%s\n"
           "HF_TOKEN=%s\nHF_HOME=/data/hf-cache\nDB_PASSWORD=%s\nDATABASE_URL=%s\nAWS_ACCESS_KEY_ID=%s\n"
           "AWS_SECRET_ACCESS_KEY=%s\nAWS_DEFAULT_REGION=eu-west-1\nSECRET_KEY_FILE=/run/secrets/app\n"
           "WANDB_PROJECT=llm-finetune\nMODEL_SHA=%s\nJWT_SECRET=${JWT_SECRET}\n" % (oa, hf, pw, dbu, aws_id, aws_sec, sha()))
    plant("app/.env", env, [("WT-SECRET-009", oa, "openai"), ("WT-SECRET-007", hf, "hf"),
                            ("WT-SECRET-043", pw, "password"), ("WT-SECRET-041", dbu.split("://")[1].split(":")[1].split("@")[0], "dburl"),
                            ("WT-SECRET-001", aws_id, "aws_id"), ("WT-SECRET-002", aws_sec, "aws_secret")])
    # .env.example (all placeholders)
    c.write("app/.env.example", "OPENAI_API_KEY=your_openai_api_key_here\nHF_TOKEN=hf_...\nDB_PASSWORD=changeme\n"
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
            "ANTHROPIC_API_KEY=<your-anthropic-key>\nSTRIPE_KEY=sk_test_%s\n" % rs(ALNUM, 24))
    # yaml
    slack, wb, gpw = SECRETS["slack_hook"][1](), SECRETS["wandb"][1](), g_password()
    y = ("experiment:\n  name: bert-sst2\n  seed: 42\n  run_id: %s\nwandb:\n  project: sst2\n  entity: ml-team\n"
         "  api_key: %s\nnotify:\n  slack_webhook: %s\ndatabase:\n  host: db.prod.internal\n  user: trainer\n"
         "  password: %s\ncheckpoint:\n  sha256: %s\n  url: https://huggingface.co/acme/bert/resolve/%s/model.safetensors\n"
         % (uuid4(), wb, slack, gpw, sha(), sha(40)))
    plant("configs/train.yaml", y, [("WT-SECRET-028", wb, "wandb"), ("WT-SECRET-018", slack.split("https://")[1][:16], "slack_hook"),
                                    ("WT-SECRET-043", gpw, "password")])
    # docker-compose
    pgpw = g_password()
    rpw = g_password()
    dc = ("services:\n  db:\n    image: postgres@sha256:%s\n    environment:\n      POSTGRES_USER: mlflow\n"
          "      POSTGRES_PASSWORD: %s\n  mlflow:\n    image: ghcr.io/mlflow/mlflow:v2.12.1\n    environment:\n"
          "      MLFLOW_TRACKING_PASSWORD: ${MLFLOW_PASSWORD}\n  worker:\n    environment:\n      - REDIS_HOST=redis\n"
          "      - REDIS_PASSWORD=%s\n      - CELERY_TOKEN_FILE=/run/secrets/celery\n" % (sha(), pgpw, rpw))
    plant("docker-compose.yml", dc, [("WT-SECRET-043", pgpw, "password"), ("WT-SECRET-043", rpw, "password")])
    kpw = g_password()
    k8s = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: inference\nspec:\n  template:\n    spec:\n"
           "      containers:\n        - name: server\n          image: acme/llm-server:1.4.2\n          env:\n"
           "            - name: MODEL_ID\n              value: acme/llm-7b\n            - name: DB_PASSWORD\n"
           "              value: \"%s\"\n            - name: HF_TOKEN\n              valueFrom:\n"
           "                secretKeyRef:\n                  name: hf\n                  key: token\n" % kpw)
    plant("deploy/k8s/deployment.yaml", k8s, [("WT-SECRET-043", kpw, "password")])
    # a Kubernetes Secret: values are base64 ("encoded", not encrypted)
    spw, shf = g_password(), SECRETS["hf"][1]()
    b64 = lambda x: base64.b64encode(x.encode()).decode()
    ks = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: inference-secrets\ntype: Opaque\ndata:\n"
          "  DB_HOST: %s\n  DB_PASSWORD: %s\n  HF_TOKEN: %s\n  LOG_LEVEL: %s\n"
          % (b64("db.prod.internal"), b64(spw), b64(shf), b64("info")))
    c.write("deploy/k8s/secret.yaml", ks)
    c.values.extend([spw, shf])
    for rule, v in (("WT-SECRET-043", spw), ("WT-SECRET-007", shf)):
        c.exp("deploy/k8s/secret.yaml", rule, {"line": line_of(ks, b64(v))}, b64(v)[:16], "k8s_secret")
    gsec = SECRETS["gocspx"][1]()
    cs = json.dumps({"installed": {"client_id": "%d-%s.apps.googleusercontent.com" % (R.randint(10**11, 10**12), rs(HEX, 32)),
                                   "project_id": "ml-notebooks", "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                                   "token_uri": "https://oauth2.googleapis.com/token", "client_secret": gsec,
                                   "redirect_uris": ["http://localhost"]}}, indent=2)
    plant("client_secret.json", cs, [("WT-SECRET-056", gsec, "gocspx")])
    # toml
    an, tpw = SECRETS["anthropic"][1](), g_password()
    t = ('[tool.poetry]\nname = "ragbot"\nversion = "0.3.1"\n\n[llm]\nprovider = "anthropic"\napi_key = "%s"\n'
         'max_tokens = 1024\n\n[db]\nurl = "sqlite:///rag.db"\npassword = "%s"\n' % (an, tpw))
    plant("ragbot/settings.toml", t, [("WT-SECRET-010", an, "anthropic"), ("WT-SECRET-043", tpw, "password")])
    # ini
    ipw, gl = g_password(), SECRETS["gitlab"][1]()
    ini = ("[DEFAULT]\ndebug = false\n\n[database]\nhost = 10.0.3.12\nport = 5432\nuser = etl\npassword = %s\n\n"
           "[gitlab]\nurl = https://gitlab.com\nprivate_token = %s\n" % (ipw, gl))
    plant("etl/config.ini", ini, [("WT-SECRET-043", ipw, "password"), ("WT-SECRET-006", gl, "gitlab")])
    # Dockerfile
    gh, pyp = g_gh(), SECRETS["pypi"][1]()
    dpw = g_password()
    dk = ("FROM python:3.11-slim@sha256:%s\nARG GITHUB_TOKEN=%s\nENV PIP_INDEX_URL=https://pypi.org/simple\n"
          "ENV TWINE_PASSWORD=%s\nENV HF_HUB_DISABLE_TELEMETRY=1 TOKENIZERS_PARALLELISM=false\n"
          "ENV DB_PASSWORD %s\nRUN pip install --no-cache-dir -r requirements.txt\n"
          "RUN --mount=type=secret,id=hf_token huggingface-cli login --token $(cat /run/secrets/hf_token)\n"
          'CMD ["python", "serve.py"]\n' % (sha(), gh, pyp, dpw))
    plant("Dockerfile", dk, [("WT-SECRET-004", gh, "github"), ("WT-SECRET-026", pyp, "pypi"),
                             ("WT-SECRET-043", dpw, "password")])
    # .npmrc
    npm = g_npm()
    plant("web/.npmrc", "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=%s\nsave-exact=true\n" % npm,
          [("WT-SECRET-025", npm, "npm")])
    # .pypirc
    pyp2 = SECRETS["pypi"][1]()
    plant("pkg/.pypirc", "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\npassword = %s\n" % pyp2,
          [("WT-SECRET-026", pyp2, "pypi")])
    # pip.conf with credentials in the index URL
    ptok = rs(ALNUM, 32)
    pc = "[global]\ntimeout = 60\nindex-url = https://deploy-bot:%s@pkgs.acme-corp.com/simple/\n" % ptok
    plant("pip.conf", pc, [("WT-SECRET-041", ptok, "dburl")])
    # requirements with hashes (negative)
    c.write("requirements.txt", "".join("%s==%d.%d.%d \\\n    --hash=sha256:%s \\\n    --hash=sha256:%s\n"
                                        % (p, R.randint(0, 4), R.randint(0, 30), R.randint(0, 9), sha(), sha())
                                        for p in ["numpy", "torch", "transformers", "tokenizers"]))
    # GCP service account JSON
    pem = g_pem()
    sa = json.dumps({"type": "service_account", "project_id": "ml-prod-%d" % R.randint(1000, 9999),
                     "private_key_id": sha(40), "private_key": pem,
                     "client_email": "trainer@ml-prod.iam.gserviceaccount.com", "client_id": str(R.randint(10**20, 10**21)),
                     "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                     "token_uri": "https://oauth2.googleapis.com/token"}, indent=2)
    c.write("keys/sa.json", sa)
    c.values.append(pem.split("\n")[1])
    c.exp("keys/sa.json", "WT-SECRET-012", {"line": line_of(sa, "private_key\"")}, "-----BEGIN", "gcp")
    # kaggle.json
    kk = rs(HEX, 32)
    kj = json.dumps({"username": "jdoe%d" % R.randint(1, 99), "key": kk})
    plant("kaggle.json", kj, [("WT-SECRET-054", kk, "kaggle")])
    # OpenSSH key file
    ssh = g_openssh()
    c.write("deploy/id_ed25519", ssh)
    c.values.append(ssh.split("\n")[1])
    c.exp("deploy/id_ed25519", "WT-SECRET-013", {"line": 1}, "-----BEGIN", "pem")
    # AWS credentials file
    aid, asec = SECRETS["aws_id"][1](), SECRETS["aws_secret"][1]()
    cred = "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = us-east-1\n" % (aid, asec)
    plant(".aws/credentials", cred, [("WT-SECRET-001", aid, "aws_id"), ("WT-SECRET-002", asec, "aws_secret")])
    # ~/.netrc written by `wandb login`, ~/.git-credentials
    wk = rs(HEX, 40)
    plant("home/.netrc", "machine api.wandb.ai\n  login user\n  password %s\n" % wk, [("WT-SECRET-028", wk, "wandb")])
    gh2 = g_gh()
    plant("home/.git-credentials", "https://jdoe:%s@github.com\n" % gh2, [("WT-SECRET-004", gh2, "github")])
    # a CSV extract
    people = [g_person() for _ in range(R.randint(3, 9))]
    cols = ["customer_id", "name", "email", "phone", "dob", "ssn", "signup_date"]
    csv = ",".join(cols) + "\n" + "".join(
        ",".join([str(10000 + n), p["name"], p["email"], p["phone"], p["dob"], p["ssn"],
                  "2024-%02d-%02d" % (R.randint(1, 12), R.randint(1, 28))]) + "\n" for n, p in enumerate(people))
    c.write("data/customers_extract.csv", csv)
    for k in ("name", "email", "phone", "dob", "ssn"):
        vals = [p[k] for p in people]
        if k != "name":
            c.values.extend(vals)
        c.exp("data/customers_extract.csv", PII_RULE[k], {"line": line_of(csv, vals[0])}, vals[0], "pii",
              count=len(people))
    # Azure storage connection string in a JSON config
    ak = rs(ALNUM + "+/", 86) + "=="
    az = json.dumps({"IsEncrypted": False, "Values": {
        "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=mlstore%d;AccountKey=%s;EndpointSuffix=core.windows.net"
        % (R.randint(1, 99), ak), "FUNCTIONS_WORKER_RUNTIME": "python"}}, indent=2)
    plant("func/local.settings.json", az, [("WT-SECRET-014", ak, "azure")])


def to_nbformat3(nb):
    """The same notebook as nbformat 3 (worksheets, input, pyout/pyerr, MIME keys by short name)."""
    short = {"text/plain": "text", "text/html": "html", "image/png": "png", "application/json": "json",
             "text/markdown": "markdown", "text/latex": "latex"}
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            cells.append({"cell_type": cell["cell_type"], "metadata": {}, "source": cell["source"]})
            continue
        outs = []
        for o in cell.get("outputs", []):
            t = o["output_type"]
            if t == "stream":
                outs.append({"output_type": "stream", "stream": o.get("name", "stdout"), "text": o["text"]})
            elif t == "error":
                outs.append({"output_type": "pyerr", "ename": o["ename"], "evalue": o["evalue"],
                             "traceback": o["traceback"]})
            else:
                v3 = {"output_type": "pyout" if t == "execute_result" else "display_data", "metadata": {}}
                if t == "execute_result":
                    v3["prompt_number"] = o.get("execution_count") or 1
                for mime, v in o.get("data", {}).items():
                    v3[short.get(mime, mime)] = v
                outs.append(v3)
        cells.append({"cell_type": "code", "collapsed": False, "input": cell["source"], "language": "python",
                      "metadata": {}, "outputs": outs, "prompt_number": cell.get("execution_count")})
    return {"metadata": {"name": "", "signature": "sha256:" + sha()}, "nbformat": 3, "nbformat_minor": 0,
            "worksheets": [{"cells": cells, "metadata": {}}]}


def main():
    out = sys.argv[1]
    seeds = [int(a) for a in sys.argv[2:]] or [1]
    global R
    expect, values = [], []
    for seed in seeds:
        R = random.Random(seed)
        sub = "s%d" % seed
        c = Corpus(os.path.join(out, "corpus", sub))
        kinds = list(SECRETS)
        R.shuffle(kinds)
        # every kind in a code cell; self-identifying kinds also in an output/markdown part
        plants = [(k, "code") for k in kinds]
        for k in SELF_ID:
            plants.append((k, R.choice(["stream", "markdown", "traceback", "html"])))
        R.shuffle(plants)
        nb_count = 5
        groups = [plants[i::nb_count] for i in range(nb_count)]
        code_groups = [CODE_POS[i::nb_count] for i in range(nb_count)]
        for i in range(nb_count):
            name = "%s_%d.ipynb" % (R.choice(["finetune_llm", "eda_customers", "rag_pipeline", "train_classifier",
                                             "kaggle_submission"]), i)
            pii = R.sample(["plain", "html", "markdown"], R.randint(1, 3)) if i % 2 == 0 else []
            nb = build_notebook(c, "notebooks/" + name, groups[i], pii, code_groups[i])
            if i == 4:
                nb = to_nbformat3(nb)
                c.write("notebooks/" + name, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
            elif i == 3:
                # some tools write one line of JSON with every source/output as a single string
                for cell in nb["cells"]:
                    cell["source"] = "".join(cell["source"])
                    for o in cell.get("outputs", []):
                        if isinstance(o.get("text"), list):
                            o["text"] = "".join(o["text"])
                        for k, v in (o.get("data") or {}).items():
                            if isinstance(v, list):
                                o["data"][k] = "".join(v)
                c.write("notebooks/" + name, json.dumps(nb, separators=(",", ":")))
            else:
                c.write("notebooks/" + name, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        configs(c)
        for e in c.expect:
            e["file"] = sub + "/" + e["file"]
        expect += c.expect
        values += c.values
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump({"expect": expect, "values": values}, f, indent=1)


if __name__ == "__main__":
    main()
