"""Exports a trained SortedLM checkpoint as a Prompt Capsule model package: one ONNX graph
per stage (embedding, each block, head) so that depth k runs k blocks, in fp32 and int8,
with tokenizer.json and manifest.json (format: src/core/onnx/README.md).

  /usr/bin/python3 scripts/model/export_onnx.py --checkpoint build/model/runs/soft/model-1800.pt \
      --corpus build/model --out media/models/capsule-soft

then `node scripts/model/measure-quality.mjs` writes each depth's held-out quality into the manifest.

int8: every MatMul against a weight becomes DynamicQuantizeLinear + MatMulInteger with
per-column symmetric int8 weights (torch 1.13's dynamic quantization cannot be exported).
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch
from onnx import external_data_helper, helper, numpy_helper, TensorProto

sys.path.insert(0, os.path.dirname(__file__))
from soft_model import SortedLM  # noqa: E402

OPSET = 17


class Embed(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        return self.model.embed_tokens(input_ids)


class Head(torch.nn.Module):
    """Surprisal (nats) of each token given the tokens before it, and the entropy of the
    distribution it was drawn from; 0 at position 0, which has no prediction."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, hidden, input_ids):
        logp = torch.log_softmax(self.model.logits(hidden), dim=-1)[:, :-1]
        token = torch.gather(logp, 2, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
        entropy = -(logp.exp() * logp).sum(-1)
        zero = torch.zeros_like(hidden[:, :1, 0])
        return torch.cat([zero, -token], 1), torch.cat([zero, entropy], 1)


def export(module, args, names, outputs, path, dynamic, fold=True):
    torch.onnx.export(
        module, args, path, input_names=names, output_names=outputs, dynamic_axes=dynamic, opset_version=OPSET, do_constant_folding=fold
    )
    onnx.checker.check_model(onnx.load(path))


def share_embedding(paths, shape, location):
    """The head is tied to the token embedding: both graphs read one external file, so the
    table ships once (ORT resolves external data next to the graph file)."""
    written = False
    for path in paths:
        model = onnx.load(path)
        matches = [t for t in model.graph.initializer if list(t.dims) == list(shape)]
        if len(matches) != 1:
            raise SystemExit(f"{path}: expected one {shape} initializer, found {len(matches)}")
        tensor = matches[0]
        data = numpy_helper.to_array(tensor).astype(np.float32)
        if not written:
            data.tofile(os.path.join(os.path.dirname(path), location))
            written = True
        external_data_helper.set_external_data(tensor, location=location, offset=0, length=data.nbytes)
        tensor.ClearField("raw_data")
        tensor.data_location = TensorProto.EXTERNAL
        onnx.save(model, path)
        onnx.checker.check_model(path)


def quantize_matmuls(src, dst):
    """fp32 graph -> int8 weights with dynamic activation quantization."""
    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    nodes = []
    replaced = set()
    for node in graph.node:
        weight = node.input[1] if node.op_type == "MatMul" and len(node.input) == 2 else None
        if weight not in inits or len(inits[weight].dims) != 2:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(inits[weight]).astype(np.float32)
        scale = np.maximum(np.abs(w).max(axis=0), 1e-8) / 127.0
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        base = node.name or weight
        qname, sname, zname = f"{weight}_q", f"{weight}_scale", f"{weight}_zero"
        graph.initializer.extend(
            [numpy_helper.from_array(q, qname), numpy_helper.from_array(scale.astype(np.float32), sname), numpy_helper.from_array(np.zeros((), np.int8), zname)]
        )
        replaced.add(weight)
        x = node.input[0]
        xq, xs, xz = f"{base}_xq", f"{base}_xs", f"{base}_xz"
        nodes.append(helper.make_node("DynamicQuantizeLinear", [x], [xq, xs, xz], name=f"{base}_dql"))
        nodes.append(helper.make_node("MatMulInteger", [xq, qname, xz, zname], [f"{base}_i32"], name=f"{base}_mmi"))
        nodes.append(helper.make_node("Cast", [f"{base}_i32"], [f"{base}_f32"], to=TensorProto.FLOAT, name=f"{base}_cast"))
        nodes.append(helper.make_node("Mul", [xs, sname], [f"{base}_scale"], name=f"{base}_scl"))
        nodes.append(helper.make_node("Mul", [f"{base}_f32", f"{base}_scale"], [node.output[0]], name=f"{base}_out"))
    del graph.node[:]
    graph.node.extend(nodes)
    still_used = {i for n in graph.node for i in n.input}
    keep = [i for i in graph.initializer if i.name not in replaced or i.name in still_used]
    del graph.initializer[:]
    graph.initializer.extend(keep)
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--corpus", default="build/model")
    parser.add_argument("--out", required=True)
    parser.add_argument("--id", default="capsule-soft-6x192")
    args = parser.parse_args()

    state = torch.load(args.checkpoint)
    model = SortedLM(state["config"])
    model.load_state_dict(state["model"])
    model.eval()
    c = state["config"]
    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        if name.endswith(".onnx") or name.endswith(".bin"):
            os.remove(os.path.join(args.out, name))

    ids = torch.randint(0, c["vocab"], (2, 16))
    hidden = model.embed_tokens(ids).detach()
    seq = {0: "batch", 1: "sequence"}
    out = lambda name: os.path.join(args.out, name)  # noqa: E731
    with torch.no_grad():
        export(Embed(model), (ids,), ["input_ids"], ["hidden"], out("embed.onnx"), {"input_ids": seq, "hidden": seq})
        blocks = []
        for k, block in enumerate(model.blocks, start=1):
            name = f"block-{k}"
            export(block, (hidden,), ["hidden"], ["hidden_out"], out(f"{name}.onnx"), {"hidden": seq, "hidden_out": seq})
            quantize_matmuls(out(f"{name}.onnx"), out(f"{name}.int8.onnx"))
            blocks.append({"layers": 1, "fp32": f"{name}.onnx", "int8": f"{name}.int8.onnx"})
        head_axes = {"hidden": seq, "input_ids": seq, "surprisal": seq, "entropy": seq}
        # int8: from a folded graph, where the tied matrix is a plain MatMul weight.
        export(Head(model), (hidden, ids), ["hidden", "input_ids"], ["surprisal", "entropy"], out("head.folded.onnx"), head_axes)
        quantize_matmuls(out("head.folded.onnx"), out("head.int8.onnx"))
        os.remove(out("head.folded.onnx"))
        # fp32: unfolded, so it reads the embedding table as stored (transposed at load time).
        export(Head(model), (hidden, ids), ["hidden", "input_ids"], ["surprisal", "entropy"], out("head.onnx"), head_axes, fold=False)
        share_embedding([out("embed.onnx"), out("head.onnx")], [c["vocab"], c["d_model"]], "embedding.fp32.bin")

    shutil.copy(os.path.join(args.corpus, "tokenizer.json"), out("tokenizer.json"))
    depths = [{"depth": k} for k in range(1, len(blocks) + 1)]  # measure-quality.mjs fills in quality
    manifest = {
        "format": "prompt-capsule-model",
        "version": 1,
        "id": args.id,
        "description": "Small causal language model trained with Sorted Fine-Tuning: every depth is a usable model. Scores each token's surprisal for the capsulator.",
        "kind": "causal-lm",
        "tokenizer": {"type": "huggingface", "file": "tokenizer.json", "vocabSize": c["vocab"]},
        "window": c["context"],
        "overlap": c["context"] // 4,
        "hiddenSize": c["d_model"],
        "stages": {"embed": {"fp32": "embed.onnx", "int8": "embed.onnx"}, "blocks": blocks, "head": {"fp32": "head.onnx", "int8": "head.int8.onnx"}},
        "depths": depths,
        "training": {"method": state["mode"], "steps": state["step"], "seed": state["seed"], "script": "scripts/model/train_soft.py", "corpus": "scripts/model/build-corpus.mjs"},
        "license": "MIT (weights); corpus sources and licences in MODEL_CARD.md",
    }
    json.dump(manifest, open(out("manifest.json"), "w"), indent=2)
    print(json.dumps({n: os.path.getsize(out(n)) for n in sorted(os.listdir(args.out))}, indent=1))


if __name__ == "__main__":
    main()
