"""The bundled local model: a small causal transformer whose every depth is a usable
model (Sorted Fine-Tuning, SoFT, as in Sorted LLaMA): one shared final norm and one
shared output head read the hidden state after any block.

Pre-norm GPT blocks, learned positions, head tied to the token embedding.
Used by train_soft.py and export_onnx.py.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_CONFIG = {"vocab": 2048, "d_model": 192, "heads": 4, "layers": 6, "ffn": 576, "context": 256}


class Block(nn.Module):
    def __init__(self, d_model, heads, ffn):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.up = nn.Linear(d_model, ffn)
        self.down = nn.Linear(ffn, d_model)

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.norm1(x)).split(d, dim=2)
        q = q.view(b, t, h, d // h).transpose(1, 2)
        k = k.view(b, t, h, d // h).transpose(1, 2)
        v = v.view(b, t, h, d // h).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d // h)
        # Built from the actual length inside forward: a stored mask would bloat the ONNX file.
        causal = torch.ones(t, t, device=x.device).tril()
        scores = scores.masked_fill(causal == 0, float("-inf"))
        attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(attended)
        return x + self.down(F.gelu(self.up(self.norm2(x))))


class SortedLM(nn.Module):
    def __init__(self, config=None):
        super().__init__()
        c = dict(DEFAULT_CONFIG, **(config or {}))
        self.config = c
        self.embed = nn.Embedding(c["vocab"], c["d_model"])
        self.position = nn.Embedding(c["context"], c["d_model"])
        self.blocks = nn.ModuleList(Block(c["d_model"], c["heads"], c["ffn"]) for _ in range(c["layers"]))
        self.norm = nn.LayerNorm(c["d_model"])
        self.apply(self._init)
        for block in self.blocks:  # GPT-2's scaled init of the residual projections
            nn.init.normal_(block.proj.weight, std=0.02 / math.sqrt(2 * c["layers"]))
            nn.init.normal_(block.down.weight, std=0.02 / math.sqrt(2 * c["layers"]))

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def embed_tokens(self, ids):
        positions = torch.arange(ids.shape[1], device=ids.device)
        return self.embed(ids) + self.position(positions)

    def logits(self, hidden):
        return self.norm(hidden) @ self.embed.weight.t()

    def forward(self, ids, exits=None):
        """Logits at each requested exit depth (1-based); all depths by default."""
        exits = exits or list(range(1, len(self.blocks) + 1))
        x = self.embed_tokens(ids)
        out = []
        for depth, block in enumerate(self.blocks, start=1):
            x = block(x)
            if depth in exits:
                out.append(self.logits(x))
        return out
