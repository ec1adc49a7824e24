# Realistic ML notebook cell sources with no secrets (false-positive corpus).
import os, json, hashlib, uuid
from transformers import AutoTokenizer, AutoModelForCausalLM, TrainingArguments
from huggingface_hub import login, hf_hub_download
import wandb

HF_TOKEN = os.environ["HF_TOKEN"]
login(token=os.getenv("HF_TOKEN"))
api_key = os.environ.get("OPENAI_API_KEY")
openai_api_key = os.getenv('OPENAI_API_KEY', None)
token = userdata.get('HF_TOKEN')
password = getpass.getpass("DB password: ")
wandb.login(key=os.environ["WANDB_API_KEY"])
wandb.init(project="llama-sft", entity="ml-team", config={"lr": 2e-5})

model_id = "meta-llama/Llama-2-7b-chat-hf"
revision = "08751db2aca9bf2f7f80d2e516117a53d7450235"
tokenizer = AutoTokenizer.from_pretrained(model_id, revision=revision, use_fast=True)
tokenizer.pad_token = tokenizer.eos_token
pad_token = "<|endoftext|>"
eos_token = "</s>"
tokenizer_name = "sentence-transformers/all-MiniLM-L6-v2"
max_tokens = 4096
token_type_ids = None
special_tokens = {"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]}
model = AutoModelForCausalLM.from_pretrained(model_id, torch_dtype="auto", device_map="auto")

path = hf_hub_download(repo_id="openai/whisper-large-v3", filename="model.safetensors",
                       revision="1ecca609f9a5ae2cd97a576a9725bc714c022a93")
expected_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
assert hashlib.sha256(open(path, "rb").read()).hexdigest() == expected_sha256
run_id = str(uuid.uuid4())  # e.g. 3f1c2b9e-8d4a-4e7b-9c61-5a2f0d8e7b14
experiment_id = "0a6b2f1e-3c4d-4e5f-8a9b-1c2d3e4f5a6b"
secret_name = "projects/ml-prod/secrets/db-password/versions/latest"
secret_key_ref = "MLFLOW_TRACKING_PASSWORD"
key_path = "/home/user/.ssh/id_ed25519"
public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host"
api_base = "https://api.openai.com/v1"
api_version = "2024-02-15-preview"
DATABASE_URL = "postgresql://user:password@localhost:5432/mlflow"
MLFLOW_URI = "postgresql://mlflow:${MLFLOW_DB_PASSWORD}@db:5432/mlflow"
url = "https://huggingface.co/datasets/squad/resolve/main/plain_text/train-00000-of-00001.parquet"
repo = "git@github.com:huggingface/transformers.git"
commit = "a5e1b7c9d3f2e4a6b8c0d1e2f3a4b5c6d7e8f9a0"
args = TrainingArguments(output_dir="out", learning_rate=2e-5, per_device_train_batch_size=8,
                         report_to=["wandb"], hub_model_id="my-org/llama-sft", push_to_hub=False)
if model.config.model_type == "llama" and not test_mode:
    print("using rope scaling", model.config.rope_scaling)
# Example keys from the docs (never real):
# AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
# AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
# OPENAI_API_KEY=sk-...your key here...
# HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
client = OpenAI(api_key="YOUR_API_KEY")
headers = {"Authorization": f"Bearer {token}"}
config = {"api_key": "<your-api-key>", "secret": "{{ secrets.API_SECRET }}", "password": "%(db_password)s"}
checksum = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
etag = "\"d41d8cd98f00b204e9800998ecf8427e\""
numbers = [123456789, 987654321, 1700000000, 1699999999, 4096, 65536]
print(f"step={step} loss={loss:.4f} lr={lr:.2e} tokens/s={tps:.1f}")
