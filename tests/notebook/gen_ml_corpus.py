#!/usr/bin/env python3
"""Generate a corpus of real-looking, clean ML notebooks and sources.

Usage: gen_ml_corpus.py OUTDIR [NOTEBOOKS] [SEED]

Everything here is the ordinary stuff of ML repositories that a scanner must
NOT flag above low: safe loading APIs (torch.load(weights_only=True),
yaml.safe_load, np.load without pickles, subprocess without a shell), model
ids, URLs, UUIDs, git SHAs and sha256 digests, base64 images, DataFrame
outputs, progress bars, tracebacks, `%pip install` lines. Notebooks are
nbformat 4 JSON written with json.dumps, like Jupyter does. Deterministic for
a given seed. Standard library only.
"""
import base64
import hashlib
import json
import os
import random
import sys
import uuid

MODEL_IDS = [
    "bert-base-uncased", "distilbert-base-uncased-finetuned-sst-2-english", "gpt2", "t5-small",
    "sentence-transformers/all-MiniLM-L6-v2", "meta-llama/Llama-2-7b-hf", "mistralai/Mistral-7B-v0.1",
    "google/vit-base-patch16-224", "openai/clip-vit-base-patch32", "facebook/bart-large-cnn",
    "microsoft/resnet-50", "stabilityai/stable-diffusion-2-1",
]
URLS = [
    "https://huggingface.co/{m}/resolve/main/config.json",
    "https://pytorch.org/docs/stable/generated/torch.load.html",
    "https://github.com/huggingface/transformers/blob/main/README.md",
    "https://storage.googleapis.com/download.tensorflow.org/data/mnist.npz",
    "https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data",
    "https://arxiv.org/abs/1706.03762",
]
COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species", "label", "score",
           "epoch", "loss", "accuracy", "f1"]


def lines(text):
    """Split like Jupyter: every line keeps its newline except the last."""
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def uuid(self):
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def sha(self, n=64):
        return hashlib.sha256(str(self.r.random()).encode()).hexdigest()[:n]

    def png(self):
        raw = bytes(self.r.getrandbits(8) for _ in range(self.r.randint(300, 3000)))
        return base64.b64encode(b"\x89PNG\r\n\x1a\n" + raw).decode()

    def cell_id(self):
        return self.sha(8)

    def code(self, src, outputs=None, n=None):
        return {"cell_type": "code", "execution_count": n, "id": self.cell_id(), "metadata": {},
                "outputs": outputs or [], "source": lines(src)}

    def md(self, src):
        return {"cell_type": "markdown", "id": self.cell_id(), "metadata": {}, "source": lines(src)}

    def stream(self, text, name="stdout"):
        return {"name": name, "output_type": "stream", "text": lines(text)}

    def result(self, data, n):
        return {"data": data, "execution_count": n, "metadata": {}, "output_type": "execute_result"}

    def display(self, data):
        return {"data": data, "metadata": {}, "output_type": "display_data"}

    def dataframe(self, rows):
        cols = self.r.sample(COLUMNS, 4)
        vals = [[round(self.r.uniform(0, 10), 3) for _ in cols] for _ in range(rows)]
        plain = "    " + "  ".join(f"{c:>12}" for c in cols) + "\n"
        plain += "\n".join(f"{i:<4}" + "  ".join(f"{v:>12}" for v in row) for i, row in enumerate(vals))
        html = ['<div>\n', '<style scoped>\n', '    .dataframe tbody tr th:only-of-type {\n',
                '        vertical-align: middle;\n', '    }\n', '</style>\n',
                '<table border="1" class="dataframe">\n', '  <thead>\n',
                '    <tr style="text-align: right;">\n', '      <th></th>\n']
        html += [f"      <th>{c}</th>\n" for c in cols]
        html += ['    </tr>\n', '  </thead>\n', '  <tbody>\n']
        for i, row in enumerate(vals):
            html.append('    <tr>\n')
            html.append(f'      <th>{i}</th>\n')
            html += [f'      <td>{v}</td>\n' for v in row]
            html.append('    </tr>\n')
        html += ['  </tbody>\n', '</table>\n', f'<p>{rows} rows × {len(cols)} columns</p>\n', '</div>']
        return {"text/html": html, "text/plain": lines(plain)}

    def progress(self, epochs):
        out = []
        for e in range(epochs):
            loss = self.r.uniform(0.1, 2.0)
            out.append(f"Epoch {e + 1}/{epochs}: 100%|██████████| 469/469 [00:{self.r.randint(10, 59)}<00:00, "
                       f"{self.r.uniform(20, 90):.2f}it/s, loss={loss:.4f}]")
        return "\n".join(out) + "\n"

    def traceback(self):
        return {"ename": "RuntimeError", "evalue": "CUDA out of memory. Tried to allocate 2.00 GiB",
                "output_type": "error", "traceback": [
                    "\u001b[0;31m---------------------------------------------------------------------------\u001b[0m",
                    "\u001b[0;31mRuntimeError\u001b[0m                              Traceback (most recent call last)",
                    "Cell \u001b[0;32mIn[7], line 3\u001b[0m\n\u001b[1;32m      1\u001b[0m \u001b[38;5;28;01mfor\u001b[39;00m batch \u001b[38;5;129;01min\u001b[39;00m loader:\n",
                    "\u001b[0;31mRuntimeError\u001b[0m: CUDA out of memory. Tried to allocate 2.00 GiB"]}

    def notebook(self, i):
        r = self.r
        model = r.choice(MODEL_IDS)
        url = r.choice(URLS).format(m=model)
        digest = self.sha()
        commit = self.sha(40)
        run_id = self.uuid()
        cells = [
            self.md(f"# Experiment {i}: fine-tuning `{model}`\n\nRun id `{run_id}`, code at commit `{commit}`.\n"
                    f"See [{url}]({url}) and the paper https://arxiv.org/abs/{r.randint(1000, 2400)}.{r.randint(10000, 99999)}.\n"
                    f"\n| metric | value |\n|---|---|\n| accuracy | {r.uniform(0.7, 0.99):.3f} |\n"),
            self.code("%pip install -q transformers datasets accelerate\n%matplotlib inline", n=1,
                      outputs=[self.stream("Note: you may need to restart the kernel to use updated packages.\n")]),
            self.code("import os\nimport json\nimport yaml\nimport subprocess\nimport numpy as np\nimport pandas as pd\n"
                      "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader\n"
                      "from transformers import AutoTokenizer, AutoModelForSequenceClassification\n"
                      "from sklearn.metrics import accuracy_score, f1_score\n", n=2),
            self.code(f"MODEL_ID = \"{model}\"\nREVISION = \"{commit}\"\nEXPECTED_SHA256 = \"{digest}\"\n"
                      f"RUN_ID = \"{run_id}\"\nDATA_URL = \"{url}\"\n"
                      "tokenizer = AutoTokenizer.from_pretrained(MODEL_ID, revision=REVISION)\n"
                      "model = AutoModelForSequenceClassification.from_pretrained(MODEL_ID, revision=REVISION, num_labels=2)\n"
                      "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\nmodel.to(device)", n=3,
                      outputs=[self.stream("Some weights of the model checkpoint were not used when initializing.\n",
                                           "stderr")]),
            self.code("with open('config.yaml') as f:\n    cfg = yaml.safe_load(f)\n"
                      "params = json.loads(open('params.json').read())\n"
                      "df = pd.read_csv('data/train.csv')\ndf.head()", n=4,
                      outputs=[self.result(self.dataframe(5), 4)]),
            self.code("embeddings = np.load('cache/embeddings.npy')\nlabels = np.load('cache/labels.npz')['y']\n"
                      "state = torch.load('checkpoints/best.pt', map_location=device, weights_only=True)\n"
                      "model.load_state_dict(state)\nmodel.eval()\n"
                      "commit = subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True).stdout\n"
                      "print(commit)", n=5, outputs=[self.stream(commit + "\n")]),
            self.code("optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)\nfor epoch in range(3):\n"
                      "    model.train()\n    for batch in loader:\n        optimizer.zero_grad()\n"
                      "        out = model(**batch)\n        out.loss.backward()\n        optimizer.step()\n"
                      "    print(f'epoch {epoch} loss {out.loss.item():.4f}')", n=6,
                      outputs=[self.stream(self.progress(3))]),
            self.code("import matplotlib.pyplot as plt\nplt.plot(history['loss'])\nplt.title('loss')\nplt.show()", n=7,
                      outputs=[self.display({"image/png": self.png(), "text/plain": ["<Figure size 640x480 with 1 Axes>"]})]),
            self.code("preds = model(batch_big)", n=8, outputs=[self.traceback()]),
            {"attachments": {"arch.png": {"image/png": self.png()}}, "cell_type": "markdown",
             "id": self.cell_id(), "metadata": {},
             "source": lines("Architecture:\n\n![arch](attachment:arch.png)\n\n"
                             f"<img src=\"data:image/png;base64,{self.png()[:400]}\" width=200>\n")},
            self.code("from IPython.display import HTML\nHTML(render_samples(val_ds))", n=11,
                      outputs=[self.result({"text/html": [f'<img src="data:image/jpeg;base64,{self.png()[:2000]}"/>\n',
                                                          f'<p>sample {self.uuid()}</p>'],
                                            "text/plain": ["<IPython.core.display.HTML object>"]}, 11)]),
            self.code("!nvidia-smi --query-gpu=name,memory.total --format=csv\n!pip freeze | head -5", n=12,
                      outputs=[self.stream("name, memory.total [MiB]\nNVIDIA A100-SXM4-40GB, 40960 MiB\n"
                                           "accelerate==0.27.2\naiohttp==3.9.3\nnumpy==1.26.4\n"
                                           f"torch @ file:///home/conda/feedstock_root/build_artifacts/pytorch_{self.sha(12)}/work\n"
                                           f"wandb: Syncing run {self.uuid()[:8]}\n"
                                           f"wandb: View run at https://wandb.ai/team-ml/sentiment/runs/{self.sha(8)}\n")]),
            self.code("results = {'accuracy': acc, 'f1': f1, 'run': RUN_ID}\nresults", n=9,
                      outputs=[self.result({"application/json": {"accuracy": round(r.random(), 4), "run": run_id,
                                                                  "sha256": digest},
                                            "text/plain": [f"{{'accuracy': 0.91, 'run': '{run_id}'}}"]}, 9)]),
            self.code("torch.save(model.state_dict(), 'checkpoints/final.pt')\n"
                      "model.save_pretrained('out/model')\ntokenizer.save_pretrained('out/model')\n"
                      "with tarfile.open('out.tgz', 'w:gz') as tar:\n    tar.add('out/model')", n=10),
        ]
        return {"cells": cells,
                "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                            "name": "python3"},
                             "language_info": {"name": "python", "version": "3.11.7"}},
                "nbformat": 4, "nbformat_minor": 5}

    def source(self, i):
        model = self.r.choice(MODEL_IDS)
        return (f'"""Training entry point {i}. Model: {model}. Digest {self.sha()}."""\n'
                "import argparse\nimport logging\nimport subprocess\nimport tarfile\n\nimport torch\nimport yaml\n\n"
                "log = logging.getLogger(__name__)\n\n\n"
                "def load_config(path):\n    with open(path) as f:\n        return yaml.safe_load(f)\n\n\n"
                "def load_weights(model, path):\n"
                "    model.load_state_dict(torch.load(path, map_location='cpu', weights_only=True))\n"
                "    model.eval()\n    return model\n\n\n"
                "def unpack(archive, dest):\n    with tarfile.open(archive) as tar:\n"
                "        tar.extractall(dest, filter='data')\n\n\n"
                "def git_rev():\n    return subprocess.check_output(['git', 'rev-parse', 'HEAD'], text=True).strip()\n\n\n"
                "def main():\n    p = argparse.ArgumentParser()\n    p.add_argument('--config', default='config.yaml')\n"
                "    args = p.parse_args()\n    cfg = load_config(args.config)\n"
                f"    log.info('run %s model %s', '{self.uuid()}', '{model}')\n"
                "    # never use pickle.load or eval(user_input) here\n"
                "    expr = \"eval(x) and os.system('ls')\"\n    return cfg, expr\n\n\n"
                "if __name__ == '__main__':\n    main()\n")


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
    g = Gen(seed)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, f"experiment_{i:03d}.ipynb"), "w") as f:
            f.write(json.dumps(g.notebook(i), indent=1, ensure_ascii=False) + "\n")
        with open(os.path.join(out, f"train_{i:03d}.py"), "w") as f:
            f.write(g.source(i))


if __name__ == "__main__":
    main()
