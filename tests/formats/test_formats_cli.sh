#!/usr/bin/env bash
# End to end through the CLI: a folder of benign, real-shaped models of every
# non-pickle format scans clean (exit 0, nothing above low, each counted as a
# model), and the malicious fixtures fail the scan with the expected rules.
set -uo pipefail
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$WT_PYTHON" "$WT_SRC/tests/formats/gen_fixtures.py" "$tmp/fx" >/dev/null || { echo "generator failed"; exit 1; }
fx=$tmp/fx
mkdir -p "$tmp/benign/tf"
cp "$fx/keras/benign_dense.h5" "$fx/keras/benign_conv.h5" "$fx/onnx/benign.onnx" "$fx/onnx/contrib_op.onnx" \
   "$fx/gguf/benign.gguf" "$fx/safetensors/valid.safetensors" "$fx/tflite/benign.tflite" \
   "$fx/misc/flax.msgpack" "$fx/misc/xgb.json" "$fx/misc/lgbm.txt" "$fx/keras3/benign.keras" \
   "$fx/torchscript/benign_script.pt" "$tmp/benign/"
cp -r "$fx/tf/benign" "$tmp/benign/tf/saved"

"$WT_BIN" scan "$tmp/benign" --format json --no-reports --fail-on low > "$tmp/benign.json"
rc=$?
if [ $rc -eq 0 ]; then ok "benign models exit 0 with --fail-on low"; else bad "benign models exit $rc"; cat "$tmp/benign.json"; fi
models=$("$WT_PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['scan']['models_found'])" "$tmp/benign.json" 2>/dev/null || echo -1)
# 12 files + one SavedModel directory (its parts are not separate models)
if [ "$models" = "13" ]; then ok "each benign model counted once (SavedModel dir = 1)"; else bad "models counted: $models"; fi

"$WT_BIN" scan "$fx/keras/lambda_bytecode.h5" "$fx/gguf/template_rce.gguf" "$fx/onnx/external_traversal.onnx" \
    "$fx/tf/malicious" --format json --no-reports > "$tmp/bad.json"
rc=$?
if [ $rc -eq 1 ]; then ok "malicious models exit 1"; else bad "malicious models exit $rc"; fi
for rule in WT-KERAS-001 WT-GGUF-001 WT-ONNX-002 WT-TF-001 WT-TF-002; do
  if grep -q "\"$rule\"" "$tmp/bad.json"; then ok "reports $rule"; else bad "missing $rule"; fi
done

# --stats shows that a big sparse safetensors file is scanned by its header only
"$WT_PYTHON" - "$tmp/big.safetensors" <<'PY'
import json, struct, sys
n = 1 << 30
h = json.dumps({"w": {"dtype": "U8", "shape": [n], "data_offsets": [0, n]}}).encode()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    f.truncate(8 + len(h) + n)
PY
out=$("$WT_BIN" scan "$tmp/big.safetensors" --no-reports --stats 2>&1)
read_bytes=$(echo "$out" | grep -oE '\(([0-9.]+ ?[KMG]?i?B) read\)' | head -1)
if echo "$out" | grep -qE '\(([0-9]+ B|[0-9.]+ KB) read\)'; then ok "1 GiB safetensors read only its header $read_bytes"; else bad "bytes read: $out"; fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
