# The engine limits trtllm-bench v0.12 built each TensorRT-LLM v0.12.0 table row with
# (max_batch_size, max_num_tokens), written into the rows' scenarios. Idempotent.
# Run from the repository root: python3 scripts/dev/set-trtllm012-builds.py
#
# Source: tensorrt_llm/bench/build/benchmark_config.yml of NVIDIA/TensorRT-LLM in August 2024
# (the version with Meta-Llama-3-70B tp1/tp2 entries, commit 8fcf9fc; the v0.12.0 table has
# LLaMA v3 70B rows at TP2, which the file without them rejects). trtllm-bench build picks
# configs[model][f"tp{tp}_pp1"].get(max_seq_len) else ["general"], max_seq_len being the
# dataset's longest input + output (an exact match, not a bucket). Llama-3.1-70B rows are the
# table's "LLaMA v3 70B" (Meta-Llama-3-70B entries; same shape and vocabulary).
import json

PATH = 'src/core/sim/data/validation.json'
SOURCE = 'https://github.com/NVIDIA/TensorRT-LLM/blob/8fcf9fc/tensorrt_llm/bench/build/benchmark_config.yml'
CONFIG = {
    ('llama-2-7b', 1): {'general': (4096, 8192)},
    ('mistral-7b', 1): {'general': (4098, 8192)},
    ('llama-3.1-8b', 1): {'general': (2048, 8192)},
    ('llama-2-70b', 2): {'general': (2048, 2048)},
    ('llama-2-70b', 4): {'general': (4096, 8192), 4224: (256, 8192)},
    ('llama-2-70b', 8): {'general': (8192, 16384), 2176: (1024, 16384)},
    ('llama-3.1-70b', 1): {'general': (2048, 2048)},
    ('llama-3.1-70b', 2): {'general': (256, 1024), 4096: (2048, 1024)},
    ('llama-3.1-70b', 4): {'general': (2048, 1024)},
    ('llama-3.1-70b', 8): {'general': (8192, 16384)},
}
OLD = 'max_batch_size and max_num_tokens are not stated (trtllm-bench tunes them): 2048 and 8192 assumed.'

data = json.loads(open(PATH).read())
changed = 0
for r in data['rows']:
    if r.get('engineProfile') != 'tensorrt-llm-0.12':
        continue
    s = r['scenario']
    entries = CONFIG[(r['model'], r['tp'])]
    seq = s['input'] + s['output']
    key = seq if seq in entries else 'general'
    batch, tokens = entries[key]
    s['maxBatch'], s['maxNumTokens'] = batch, tokens
    note = (
        f"max_batch_size {batch} and max_num_tokens {tokens}: trtllm-bench's tuned build for this model at TP{r['tp']}"
        f" (benchmark_config.yml entry '{key}', max_seq_len {seq}; {SOURCE})."
    )
    text = r['assumptions'].replace(OLD, note)
    if note not in text:
        # A rerun: replace the note an earlier run wrote.
        start = text.index("max_batch_size ")
        end = text.index('benchmark_config.yml).', start) + len('benchmark_config.yml).')
        text = text[:start] + note + text[end:]
    r['assumptions'] = text
    changed += 1
open(PATH, 'w').write(json.dumps(data, indent=1) + '\n')
print(changed, 'rows')
