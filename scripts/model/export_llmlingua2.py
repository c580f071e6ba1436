"""Exports an LLMLingua-2 token classifier to a Prompt Capsule model package, for users who
want a stronger local model than the bundled one. Run it once on a machine with internet
(it downloads the model from the Hugging Face Hub; the extension itself never downloads):

  pip install torch transformers onnx
  python scripts/model/export_llmlingua2.py \
      --model microsoft/llmlingua-2-bert-base-multilingual-cased-meetingbank --out ~/models/llmlingua2
  # or microsoft/llmlingua-2-xlm-roberta-large-meetingbank (Apache-2.0, both)

then set promptCapsule.localModel.folder (or `capsule compress --backend onnx --model-dir`) to
the folder. The package is a token-classifier: the head gives each token's probability of
being kept, the runtime averages it over each word's tokens (LLMLingua-2's word-level
aggregation), and the capsulator keeps its protections and budget rules on top.

Stages: the embeddings, the encoder layers in --groups groups (default 1: LLMLingua-2 was
not trained for early exits, so shallower depths are not offered unless you ask and
measure them), and the classifier. [CLS] and [SEP] go around every window of --window tokens.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from export_onnx import OPSET, quantize_matmuls  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="microsoft/llmlingua-2-bert-base-multilingual-cased-meetingbank")
    parser.add_argument("--out", required=True)
    parser.add_argument("--groups", type=int, default=1, help="encoder layer groups = depths offered")
    parser.add_argument("--window", type=int, default=512)
    args = parser.parse_args()

    from transformers import AutoModelForTokenClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForTokenClassification.from_pretrained(args.model).eval()
    base = getattr(model, model.base_model_prefix)
    layers = list(base.encoder.layer)
    if len(layers) % args.groups:
        raise SystemExit(f"{len(layers)} layers do not split into {args.groups} equal groups")
    per = len(layers) // args.groups
    os.makedirs(args.out, exist_ok=True)

    class Embed(torch.nn.Module):
        def forward(self, input_ids):
            return base.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))

    class Group(torch.nn.Module):
        def __init__(self, group):
            super().__init__()
            self.group = torch.nn.ModuleList(group)

        def forward(self, hidden):
            # No padding ever reaches the model (windows of one length are batched), so no mask.
            for layer in self.group:
                hidden = layer(hidden)[0]
            return hidden

    class Head(torch.nn.Module):
        def forward(self, hidden):
            # Label 1 is "keep" in LLMLingua-2's classifiers.
            return torch.softmax(model.classifier(model.dropout(hidden)), -1)[..., 1]

    seq = {0: "batch", 1: "sequence"}
    ids = torch.tensor([tokenizer("Keep the order number 12345.")["input_ids"]])
    out = lambda name: os.path.join(args.out, name)  # noqa: E731
    with torch.no_grad():
        hidden = Embed()(ids)
        torch.onnx.export(Embed(), (ids,), out("embed.onnx"), input_names=["input_ids"], output_names=["hidden"], dynamic_axes={"input_ids": seq, "hidden": seq}, opset_version=OPSET)
        blocks = []
        for g in range(args.groups):
            group = Group(layers[g * per : (g + 1) * per])
            name = f"block-{g + 1}"
            torch.onnx.export(group, (hidden,), out(f"{name}.onnx"), input_names=["hidden"], output_names=["hidden_out"], dynamic_axes={"hidden": seq, "hidden_out": seq}, opset_version=OPSET)
            quantize_matmuls(out(f"{name}.onnx"), out(f"{name}.int8.onnx"))
            blocks.append({"layers": per, "fp32": f"{name}.onnx", "int8": f"{name}.int8.onnx"})
            hidden = group(hidden)
        torch.onnx.export(Head(), (hidden,), out("head.onnx"), input_names=["hidden"], output_names=["keep_probability"], dynamic_axes={"hidden": seq, "keep_probability": seq}, opset_version=OPSET)
        quantize_matmuls(out("head.onnx"), out("head.int8.onnx"))

    tokenizer.save_pretrained(args.out)  # tokenizer.json (fast tokenizer) and its config
    manifest = {
        "format": "prompt-capsule-model",
        "version": 1,
        "id": args.model.split("/")[-1],
        "description": f"LLMLingua-2 token classifier {args.model} (keep probability per token), exported by scripts/model/export_llmlingua2.py",
        "kind": "token-classifier",
        "tokenizer": {
            "type": "huggingface",
            "file": "tokenizer.json",
            "configFile": "tokenizer_config.json",
            "vocabSize": len(tokenizer),
            "windowPrefix": [tokenizer.cls_token_id],
            "windowSuffix": [tokenizer.sep_token_id],
        },
        "window": args.window,
        "overlap": args.window // 8,
        "stages": {"embed": {"fp32": "embed.onnx", "int8": "embed.onnx"}, "blocks": blocks, "head": {"fp32": "head.onnx", "int8": "head.int8.onnx"}},
        # Only the full model has a known quality (1 by definition); measure shallower groups before trusting them.
        "depths": [{"depth": k + 1} for k in range(args.groups)],
        "license": "Apache-2.0 (the exported model's licence)",
    }
    json.dump(manifest, open(out("manifest.json"), "w"), indent=2)
    print(f"wrote {args.out}: {args.groups} depth(s), fp32 and int8")


if __name__ == "__main__":
    main()
