# The run limits trtllm-bench 1.0 chose for each row of TensorRT-LLM 1.0's perf-overview table
# (max_batch_size, max_num_tokens, chunked prefill), written into the rows' scenarios.
# Idempotent; run it again after scripts/dev/add-published-rows.py (whose 405B rows copy a 70B
# row's note). Run from the repository root: python3 scripts/dev/set-trtllm10-bench-settings.py
#
# The table's command (`trtllm-bench ... throughput --backend pytorch --extra_llm_api_options`,
# whose yaml sets only cuda_graph_config) passes neither --max_batch_size nor --max_num_tokens,
# so trtllm-bench's get_settings() (tensorrt_llm/bench/benchmark/utils/general.py) takes them
# from get_benchmark_engine_settings() -> calc_engine_setting() and finetune_setting()
# (tensorrt_llm/bench/build/build.py, tuning.py). That heuristic, for FP8 checkpoints (1 byte
# per weight, FP8 KV cache per the checkpoint's kv_cache_quant_algo):
#   KV GiB per token = 2 * layers * max(tp, kv heads) * head size * 1 B / 2^30
#   requests         = (nvml total GiB * tp - params * 1 B / 2^30) * kv fraction / (KV per token * (ISL + OSL))
#   raw batch        = min(requests, 4096); raw tokens = min(raw batch * (1 + ISL / OSL), 32768)
#   max_batch_size   = max(64, 32-step ceiling) below 256, 128-steps below 1024, else 256-steps
#   max_num_tokens   = max(2048, 256-step ceiling) below 4096, 512-steps below 8192, else 1024-steps
# and, chunked prefill being off unless the yaml enables it (it does not),
#   max_num_tokens   = max(max_num_tokens, longest ISL + max_batch_size).
# kv fraction: 0.95, the value the document says it used "in many cases" (the CLI default is
# 0.90; it changes a bucket on 18 of the 60 rows, by one step). nvml totals: gpus.json memoryGiB.
import json
import math

PATH = 'src/core/sim/data/validation.json'
MODELS = 'src/core/sim/data/models.json'
GPUS = 'src/core/sim/data/gpus.json'
SOURCE = (
    'trtllm-bench 1.0 get_settings() -> calc_engine_setting()/finetune_setting(), '
    'https://github.com/NVIDIA/TensorRT-LLM/blob/main/tensorrt_llm/bench/build/tuning.py'
)
KV_FRACTION = 0.95
OLD = 'max_batch_size and max_num_tokens are not stated (trtllm-bench tunes them): 2048 and 8192 assumed.'
MARK = 'max_batch_size '

models = {m['id']: m for m in json.load(open(MODELS))['models']}
gpus = {g['id']: g for g in json.load(open(GPUS))['gpus']}


def round_up_in_tiers(value, tiers):
    """Round up to the step of the first tier whose limit the value is below."""
    for limit, step in tiers:
        if value < limit:
            return step * math.ceil(value / step)
    raise ValueError(value)


def bench_settings(model, gpu, tp, isl, osl):
    m = models[model]
    kv_gib_per_token = 2 * m['layers'] * max(tp, m['kvHeads']) * m['headDim'] * 1.0 / 2**30
    weights_gib = m['paramsB'] * 1e9 * 1.0 / 2**30
    available = gpus[gpu]['memoryGiB'] * tp - weights_gib
    requests = available * KV_FRACTION / (kv_gib_per_token * (isl + osl))
    raw_batch = min(requests, 4096)
    raw_tokens = min(raw_batch * (1 + isl / osl), 32768)
    # finetune_setting's floors (64, 2048) apply in its first tier only; the later tiers are
    # above them, so applying them throughout is the same.
    batch = max(64, round_up_in_tiers(raw_batch, ((256, 32), (1024, 128), (math.inf, 256))))
    tokens = max(2048, round_up_in_tiers(raw_tokens, ((4096, 256), (8192, 512), (math.inf, 1024))))
    return batch, max(tokens, isl + batch)


text = open(PATH).read()
data = json.loads(text)
changed = 0
for r in data['rows']:
    if r.get('engineProfile') != 'tensorrt-llm':
        continue
    s = r['scenario']
    batch, tokens = bench_settings(r['model'], r['gpu'], r['tp'], s['input'], s['output'])
    s['maxBatch'], s['maxNumTokens'], s['chunkedPrefill'] = batch, tokens, False
    note = (
        f'max_batch_size {batch} and max_num_tokens {tokens}, prompts not chunked: what trtllm-bench 1.0 sets when the command'
        f' states neither ({SOURCE}; kv fraction {KV_FRACTION}, chunked prefill off, so max_num_tokens >= ISL + max_batch_size).'
    )
    notes = r['assumptions']
    if OLD in notes:
        notes = notes.replace(OLD, note)
    else:
        # A rerun: replace the note an earlier run wrote.
        start = notes.index(MARK)
        end = notes.index('max_batch_size).', start) + len('max_batch_size).')
        notes = notes[:start] + note + notes[end:]
    r['assumptions'] = notes
    changed += 1
out = json.dumps(data, indent=1) + '\n'
if out != text:
    open(PATH, 'w').write(out)
print(changed, 'rows')
