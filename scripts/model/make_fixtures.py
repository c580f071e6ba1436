"""Tiny generated model packages for the tests, one per kind (test/fixtures/models/):

  causal-byte       causal-lm, byte tokenizer, 2 blocks, fp32 + int8, plus full.onnx (the
                    whole model as one graph, for the stage-chaining test)
  masked-bpe        masked-lm (bidirectional), a small byte-level BPE tokenizer.json
  classifier-wordpiece  token-classifier (LLMLingua-2 style keep probabilities), a WordPiece
                    tokenizer.json and [CLS]/[SEP] around every window
  causal-wide       like causal-byte with another hidden size (for the wrong-shape test)

  /usr/bin/python3 scripts/model/make_fixtures.py
Random weights with a fixed seed: the tests check plumbing, not quality.
"""
import json
import math
import os
import shutil
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from export_onnx import quantize_matmuls, OPSET  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "models")


class TinyBlock(nn.Module):
    def __init__(self, d, causal):
        super().__init__()
        self.causal = causal
        self.norm = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ff = nn.Linear(d, d)

    def forward(self, x):
        q, k, v = self.qkv(self.norm(x)).split(x.shape[-1], dim=2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(x.shape[-1])
        if self.causal:
            t = x.shape[1]
            scores = scores.masked_fill(torch.ones(t, t).tril() == 0, float("-inf"))
        x = x + self.out(scores.softmax(-1) @ v)
        return x + self.ff(torch.relu(x))


class TinyEmbed(nn.Module):
    def __init__(self, vocab, d, window):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(window, d)

    def forward(self, input_ids):
        return self.tok(input_ids) + self.pos(torch.arange(input_ids.shape[1]))


class LmHead(nn.Module):
    """surprisal (nats) of each token: causal reads position t-1, masked reads position t."""

    def __init__(self, vocab, d, causal):
        super().__init__()
        self.causal = causal
        self.norm = nn.LayerNorm(d)
        self.proj = nn.Linear(d, vocab)

    def forward(self, hidden, input_ids):
        logp = torch.log_softmax(self.proj(self.norm(hidden)), -1)
        if self.causal:
            token = torch.gather(logp[:, :-1], 2, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
            zero = torch.zeros_like(hidden[:, :1, 0])
            entropy = -(logp.exp() * logp).sum(-1)[:, :-1]
            return torch.cat([zero, -token], 1), torch.cat([zero, entropy], 1)
        token = torch.gather(logp, 2, input_ids.unsqueeze(-1)).squeeze(-1)
        return -token, -(logp.exp() * logp).sum(-1)


class KeepHead(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.proj = nn.Linear(d, 2)

    def forward(self, hidden):
        return torch.softmax(self.proj(hidden), -1)[..., 1]


class Full(nn.Module):
    def __init__(self, embed, blocks, head):
        super().__init__()
        self.embed, self.blocks, self.head = embed, nn.ModuleList(blocks), head

    def forward(self, input_ids):
        x = self.embed(input_ids)
        for b in self.blocks:
            x = b(x)
        return self.head(x, input_ids)[0]


def export(module, args, inputs, outputs, path):
    seq = {0: "batch", 1: "sequence"}
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, opset_version=OPSET,
                      dynamic_axes={n: seq for n in inputs + outputs})


def bpe_tokenizer():
    chars = [chr(c) for c in range(33, 127)] + [chr(c) for c in range(161, 173)] + [chr(c) for c in range(174, 256)]
    table = {}
    extra = 0
    for b in range(256):
        table[b] = chr(b) if chr(b) in chars else chr(256 + extra)
        if chr(b) not in chars:
            extra += 1
    vocab = {"<|endoftext|>": 0}
    for b in range(256):
        vocab[table[b]] = len(vocab)
    merges = [["Ġ", "t"], ["h", "e"], ["Ġt", "he"], ["i", "n"], ["Ġ", "a"], ["e", "r"], ["o", "n"], ["Ġ", "s"]]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": 0, "content": "<|endoftext|>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False, "vocab": vocab, "merges": merges},
    }


def wordpiece_tokenizer():
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "a", "you", "are", "an", "assistant", "reply", "in", "json", "keep", "order",
             "number", "summar", "##ize", "##s", "email", "customer", ".", ",", ":", "{", "}", "1", "2", "3", "4", "5", "##5", "##4", "##3"]
    vocab = {w: i for i, w in enumerate(words)}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
                         for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": None,
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab},
    }, vocab


def package(name, kind, vocab, d, blocks_n, window, overlap, tokenizer, seed, full=False, prefix=None, suffix=None):
    torch.manual_seed(seed)
    out = os.path.join(ROOT, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    causal = kind == "causal-lm"
    embed = TinyEmbed(vocab, d, window).eval()
    blocks = [TinyBlock(d, causal).eval() for _ in range(blocks_n)]
    head = (KeepHead(d) if kind == "token-classifier" else LmHead(vocab, d, causal)).eval()
    ids = torch.randint(0, vocab, (2, 8))
    hidden = embed(ids).detach()
    with torch.no_grad():
        export(embed, (ids,), ["input_ids"], ["hidden"], os.path.join(out, "embed.onnx"))
        stage_list = []
        for k, block in enumerate(blocks, start=1):
            export(block, (hidden,), ["hidden"], ["hidden_out"], os.path.join(out, f"block-{k}.onnx"))
            quantize_matmuls(os.path.join(out, f"block-{k}.onnx"), os.path.join(out, f"block-{k}.int8.onnx"))
            stage_list.append({"layers": 1, "fp32": f"block-{k}.onnx", "int8": f"block-{k}.int8.onnx"})
        if kind == "token-classifier":
            export(head, (hidden,), ["hidden"], ["keep_probability"], os.path.join(out, "head.onnx"))
        else:
            export(head, (hidden, ids), ["hidden", "input_ids"], ["surprisal", "entropy"], os.path.join(out, "head.onnx"))
        quantize_matmuls(os.path.join(out, "head.onnx"), os.path.join(out, "head.int8.onnx"))
        if full:
            export(Full(embed, blocks, head), (ids,), ["input_ids"], ["surprisal"], os.path.join(out, "full.onnx"))
    tok = {"type": "byte"}
    if tokenizer is not None:
        json.dump(tokenizer, open(os.path.join(out, "tokenizer.json"), "w"))
        tok = {"type": "huggingface", "file": "tokenizer.json", "vocabSize": vocab}
        if prefix is not None:
            tok["windowPrefix"] = prefix
            tok["windowSuffix"] = suffix
    manifest = {
        "format": "prompt-capsule-model", "version": 1, "id": f"fixture-{name}", "kind": kind, "tokenizer": tok,
        "window": window, "overlap": overlap,
        "stages": {"embed": {"fp32": "embed.onnx", "int8": "embed.onnx"}, "blocks": stage_list, "head": {"fp32": "head.onnx", "int8": "head.int8.onnx"}},
        "depths": [{"depth": k, "quality": {"relative": round(0.5 + 0.5 * k / blocks_n, 3), "int8Relative": round(0.49 + 0.5 * k / blocks_n, 3)}} for k in range(1, blocks_n + 1)],
        "qualityMeasuredOn": "made-up figures for the selector tests",
    }
    json.dump(manifest, open(os.path.join(out, "manifest.json"), "w"), indent=2)


def main():
    package("causal-byte", "causal-lm", 256, 8, 2, 16, 4, None, 1, full=True)
    package("causal-wide", "causal-lm", 256, 12, 2, 16, 4, None, 2)
    package("masked-bpe", "masked-lm", 265, 8, 2, 16, 4, bpe_tokenizer(), 3)
    wp, vocab = wordpiece_tokenizer()
    package("classifier-wordpiece", "token-classifier", len(vocab), 8, 3, 12, 3, wp, 4, prefix=[vocab["[CLS]"]], suffix=[vocab["[SEP]"]])
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(ROOT) for f in fs)
    print(f"fixtures: {total} bytes")


if __name__ == "__main__":
    main()
