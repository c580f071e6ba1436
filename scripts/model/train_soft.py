"""Trains the bundled local model, with Sorted Fine-Tuning (--mode soft: the loss is the
mean of the next-token losses at every exit depth, through the one shared head) or
normally (--mode normal: the loss at full depth only, the baseline of the SoFT table).

  OMP_NUM_THREADS=1 /usr/bin/python3 scripts/model/train_soft.py --mode soft --steps 2400 \
      --corpus build/model --out build/model/runs/soft

Fixed seed; one thread is faster than two on a 2-core machine (see the README). Writes
log.jsonl (loss, held-out loss per exit every --eval-every steps), model-<step>.pt and
latest.pt (with the optimizer, to resume with --resume).
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from soft_model import DEFAULT_CONFIG, SortedLM

parser = argparse.ArgumentParser()
parser.add_argument("--mode", choices=["soft", "normal"], required=True)
parser.add_argument("--corpus", default="build/model")
parser.add_argument("--out", required=True)
parser.add_argument("--steps", type=int, default=2400)
parser.add_argument("--batch", type=int, default=16)
parser.add_argument("--lr", type=float, default=2e-3)
parser.add_argument("--warmup", type=int, default=100)
parser.add_argument("--eval-every", type=int, default=200)
parser.add_argument("--seed", type=int, default=1234)
parser.add_argument("--resume", action="store_true")
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(args.seed)
os.makedirs(args.out, exist_ok=True)
config = dict(DEFAULT_CONFIG)
context = config["context"]


def load(split):
    return np.memmap(os.path.join(args.corpus, f"{split}.u16"), dtype=np.uint16, mode="r")


train = load("train")
valid = {"prompts": load("valid-prompts"), "text": load("valid-text")}
rng = np.random.default_rng(args.seed)
eval_rng = np.random.default_rng(99)
eval_windows = {
    name: torch.from_numpy(np.stack([data[s : s + context + 1].astype(np.int64) for s in eval_rng.integers(0, len(data) - context - 1, 32)]))
    for name, data in valid.items()
}

model = SortedLM(config)
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95)
)
step = 0
log_path = os.path.join(args.out, "log.jsonl")
if args.resume and os.path.exists(os.path.join(args.out, "latest.pt")):
    state = torch.load(os.path.join(args.out, "latest.pt"))
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    step = state["step"]
    rng = np.random.default_rng(args.seed + step)
    torch.manual_seed(args.seed + step)
layers = config["layers"]
train_exits = list(range(1, layers + 1)) if args.mode == "soft" else [layers]


def lr_at(s):
    if s < args.warmup:
        return args.lr * (s + 1) / args.warmup
    progress = (s - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def losses(batch, exits):
    inputs, targets = batch[:, :-1], batch[:, 1:]
    return [F.cross_entropy(l.reshape(-1, l.shape[-1]), targets.reshape(-1)) for l in model(inputs, exits)]


def evaluate():
    model.eval()
    with torch.no_grad():
        result = {name: [round(l.item(), 4) for l in losses(w, list(range(1, layers + 1)))] for name, w in eval_windows.items()}
    model.train()
    return result


def save(path, with_optimizer):
    state = {"model": model.state_dict(), "config": config, "step": step, "mode": args.mode, "seed": args.seed}
    if with_optimizer:
        state["optimizer"] = optimizer.state_dict()
    torch.save(state, path + ".tmp")
    os.replace(path + ".tmp", path)


started = time.time()
with open(log_path, "a") as log:
    while step < args.steps:
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        starts = rng.integers(0, len(train) - context - 1, args.batch)
        batch = torch.from_numpy(np.stack([train[s : s + context + 1].astype(np.int64) for s in starts]))
        exit_losses = losses(batch, train_exits)
        loss = sum(exit_losses) / len(exit_losses)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        record = {"step": step, "loss": round(loss.item(), 4), "seconds": round(time.time() - started, 1)}
        if step % args.eval_every == 0 or step == args.steps:
            record["heldOutLossPerExit"] = evaluate()
            save(os.path.join(args.out, f"model-{step}.pt"), False)
            save(os.path.join(args.out, "latest.pt"), True)
        if step % 10 == 0 or "heldOutLossPerExit" in record:
            log.write(json.dumps(record) + "\n")
            log.flush()
