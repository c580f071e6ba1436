"""The SoFT table: held-out bits per byte at every exit depth of two checkpoints trained
for the same steps on the same data, one with Sorted Fine-Tuning and one normally (loss at
full depth only, then cut at each depth with the same shared head), as in Sorted LLaMA.

  OMP_NUM_THREADS=1 /usr/bin/python3 scripts/model/eval_depths.py --soft build/model/runs/soft/model-1800.pt \
      --normal build/model/runs/normal/model-1800.pt --corpus build/model --out build/model/soft-table.json
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from soft_model import SortedLM  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--soft", required=True)
parser.add_argument("--normal", required=True)
parser.add_argument("--corpus", default="build/model")
parser.add_argument("--tokens", type=int, default=131072, help="held-out tokens per set (from its start)")
parser.add_argument("--out", required=True)
args = parser.parse_args()
torch.set_num_threads(1)

tokenizer = json.load(open(os.path.join(args.corpus, "tokenizer.json")))
specials = {t["id"] for t in tokenizer["added_tokens"]}
byte_len = np.zeros(len(tokenizer["model"]["vocab"]), dtype=np.int64)
for token, i in tokenizer["model"]["vocab"].items():
    byte_len[i] = 0 if i in specials else len(token)


def evaluate(path):
    state = torch.load(path)
    model = SortedLM(state["config"])
    model.load_state_dict(state["model"])
    model.eval()
    window = state["config"]["context"]
    result = {"checkpoint": os.path.basename(path), "mode": state["mode"], "steps": state["step"], "bitsPerByte": {}}
    for name in ["prompts", "text"]:
        ids = np.fromfile(os.path.join(args.corpus, f"valid-{name}.u16"), dtype=np.uint16)[: args.tokens].astype(np.int64)
        windows = len(ids) // window
        nats = np.zeros(len(model.blocks))
        total_bytes = 0
        with torch.no_grad():
            for w in range(0, windows, 16):
                batch = torch.from_numpy(ids[w * window : min(windows, w + 16) * window].reshape(-1, window))
                targets = batch[:, 1:]
                for k, logits in enumerate(model(batch[:, :-1])):
                    nats[k] += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="sum").item()
                total_bytes += int(byte_len[targets.numpy()].sum())
        result["bitsPerByte"][name] = [round(n / math.log(2) / total_bytes, 4) for n in nats]
    return result


soft = evaluate(args.soft)
normal = evaluate(args.normal)
json.dump({"measuredOn": f"first {args.tokens} tokens of each held-out set (held-out prompts: odd-numbered dev prompts; held-out text: 1 document in 50 of each other source)",
           "soft": soft, "normal": normal}, open(args.out, "w"), indent=2)
print(json.dumps({"soft": soft["bitsPerByte"], "normal": normal["bitsPerByte"]}, indent=1))
