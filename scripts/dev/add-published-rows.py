# Adds three sets of published rows to data/validation.json as role=holdout (no fit reads them;
# the cross-validation predicts them with fits that never saw them); set 2's calibration setups
# are then marked by scripts/dev/select-engine-calibration.py, and a rerun keeps the roles.
# Idempotent: rows with these ids are replaced. Run from the repository root:
#   python3 scripts/dev/add-published-rows.py
#
# 1. TensorRT-LLM v0.5.0 performance.md, High Throughput table, A100 GPUs (FP16): the Llama
#    rows (the H100 rows of the same table were already in; these eight were missed). GPT-J 6B
#    and Falcon 180B are not in the model catalog.
# 2. TensorRT-LLM v0.11.0 perf-overview.md, Throughput Measurements table: a source no row used
#    before. Read at commit bca9a33b022dc6a924bf7913137feed3d28b602d of the main history
#    ("Update TensorRT-LLM (#2008)", 2024-07-23), whose table says "All data in the table below
#    was generated using version 0.11.0". Its method section is the one the 0.12 profile's rows
#    were run with: gptManagerBenchmark --type IFB --scheduler_policy guaranteed_no_evict
#    --kv_cache_free_gpu_mem_fraction 0.99 --request_rate -1.0 --enable_chunked_context, one
#    engine per model and TP with the max_batch_size / max_num_tokens of its tables (the same
#    values as trtllm-bench's benchmark_config.yml for 0.12), $num_requests per length pair.
#    The rows take their own profile, tensorrt-llm-0.11 (one profile per TensorRT-LLM version:
#    the versions disagree on the same setup; here 0.11 is 10-17% below 0.12 on every 70B TP8
#    build). scripts/dev/select-engine-calibration.py marks its calibration setups by the same
#    rule as the other versions; the rest stay held out. GH200 and L40S columns, GPT-J, Mixtral
#    and Falcon rows are left out (not in the catalogs).
# 3. TensorRT-LLM 1.0 perf-overview.md (the document the tensorrt-llm profile's 40 rows come
#    from), its Llama 3.1 405B table: H200 and H100 at TP8 in FP8, 10 length pairs each (20 rows,
#    held out: the selection rule's calibration setups are the 8B and 70B ones, and the profile
#    had no TP8 row until now). B200, GB200 and RTX 6000 columns are not in the GPU catalog.
import json
import re

PATH = 'src/core/sim/data/validation.json'

V05_URL = 'https://raw.githubusercontent.com/NVIDIA/TensorRT-LLM/release/0.5.0/docs/source/performance.md'
# The table's Llama lines (its A100 GPUs (FP16) section): model, batch, TP, input, output, out tok/s.
V05_A100_TABLE = """| LLaMA 7B                     | 64         | 1         | 128          | 128           |                  3,486 |
| LLaMA 7B                     | 32         | 1         | 128          | 2048          |                  1,459 |
| LLaMA 7B                     | 32         | 1         | 2048         | 128           |                    529 |
| LLaMA 7B                     | 16         | 1         | 2048         | 2048          |                    592 |
| LLaMA 70B                    | 64         | 4         | 128          | 128           |                  1,237 |
| LLaMA 70B                    | 64         | 4         | 128          | 2048          |                  1,181 |
| LLaMA 70B                    | 64         | 4         | 2048         | 128           |                    272 |
| LLaMA 70B                    | 64         | 4         | 2048         | 2048          |                    738 |"""
V05_MODELS = {'LLaMA 7B': 'llama-2-7b', 'LLaMA 70B': 'llama-2-70b'}

V011_URL = 'https://github.com/NVIDIA/TensorRT-LLM/blob/v0.11.0/docs/source/performance/perf-overview.md'
V011_TABLE = """
**All data in the table below was generated using version 0.11.0 and presents token throughput in tokens/second.**

|              |                          |               |                 |             |                |                |                |          |
| ------------ | ------------------------ | ------------- | --------------- | ----------- | -------------- | -------------- | -------------- | -------- |
|              |                          | **GPU**       | H200 141GB HBM3 | GH200 120GB | H100 80GB HBM3 | H100 80GB HBM3 | A100-SXM4-80GB | L40S     |
|              |                          | **Precision** | FP8             | FP8         | FP8            | FP16           | FP16           | FP8      |
| **Model**    | **Input/Output Lengths** | **TP**        |                 |             |                |                |                |          |
| GPTJ 6B      | 128/128                  | 1             | 25116.54        | 24998.09    | 24456.84       | 13328.96       | 6168.8         | 7737.44  |
|              | 2048/128                 | 1             | 2845.4          | 2840.46     | 2781.11        | 1410.81        | 662            | 83.46    |
|              | 128/2048                 | 1             | 8165.91         | 7936.16     | 7643.02        | 3503.41        | 2213.44        | 1927.91  |
|              | 2048/2048                | 1             | 3560.37         | 3197.21     | 3081.26        | 1326.79        | 893.43         |          |
| LLaMA v2 7B  | 128/128                  | 1             | 19695.41        | 19509.49    | 17684.88       | 11605.69       | 5286.1         | 6655.52  |
|              | 2048/128                 | 1             | 2471.89         | 2401.29     | 2342.71        | 1173.81        | 558.56         | 644.72   |
|              | 128/2048                 | 1             | 7867.28         | 6689.51     | 6814.72        | 3074.4         | 1813.79        | 1591.51  |
|              | 2048/2048                | 1             | 3215.63         | 3015.84     | 2820.31        | 1289.87        | 716.55         | 653.19   |
| LLaMA v3 8B  | 128/128                  | 1             | 29084.05        | 29197.48    | 27781.28       | 15225.75       | 6450.88        | 8929.6   |
|              | 2048/128                 | 1             | 3699.64         | 3780.47     | 3555.57        | 1844.38        | 775.18         | 1052.3   |
|              | 128/2048                 | 1             | 23723.81        | 22055.94    | 17894.85       | 8415.67        | 4837.47        | 4497.21  |
|              | 2048/2048                | 1             | 11193.29        | 8877.13     | 8398.71        | 3996.93        | 2271.65        | 1911.63  |
| Mistral 7B   | 128/128                  | 1             | 31618.59        | 31868.45    | 30400.21       | 16108.11       | 6749.91        | 10237.23 |
|              | 2048/128                 | 1             | 3791.1          | 3795.27     | 3618.11        | 1896.76        | 783.94         | 1126.08  |
|              | 128/2048                 | 1             | 25646.02        | 20491.88    | 20518.75       | 10018.54       | 5358.28        | 5441.98  |
|              | 2048/2048                | 1             | 12068.11        | 9462.96     | 9504.59        | 4383.42        | 2465.77        | 2213.69  |
| LLaMA v2 70B | 128/128                  | 2             | 6652.29         | 5619.41     | 6502.44        |                |                |          |
|              |                          | 4             | 10921.65        | 11043       | 10448.46       | 6219.11        | 2487.78        | 1549.09  |
|              |                          | 8             | 15878.34        |             | 14781.66       | 10093.27       | 4233.24        | 1497.68  |
|              | 2048/128                 | 2             | 766.38          | 647.73      | 747.14         |                |                |          |
|              |                          | 4             | 1296.75         | 1298.94     | 1231.26        | 714.07         | 285.9          | 179.19   |
|              |                          | 8             | 1930.16         |             | 1808.02        | 1230.66        | 494.29         | 176.24   |
|              | 128/2048                 | 2             | 7014.86         | 4844.17     | 5267.56        |                |                |          |
|              |                          | 4             | 13365.86        | 11596.55    | 9202.42        | 3787.24        | 2267.02        | 1772.45  |
|              |                          | 8             | 18861.53        |             | 17085.82       | 7846.64        | 5096.52        | 2290.99  |
|              | 2048/2048                | 2             | 3554.71         | 2843.31     | 2457.73        |                |                |          |
|              |                          | 4             | 6604.37         | 5969.11     | 4586.99        | 1994.1         | 1137.22        | 890.83   |
|              |                          | 8             | 10034.12        |             | 7647.54        | 4347.09        | 2152.35        | 1130.36  |
| LLaMA v3 70B | 128/128                  | 4             |                 | 9872.81     |                |                |                |          |
|              |                          | 8             | 15255           |             | 13853.05       |                | 4033.42        |          |
|              | 2048/128                 | 4             |                 | 1284.88     |                |                |                |          |
|              |                          | 8             | 1918.47         |             | 1738.94        |                | 476.42         |          |
|              | 128/2048                 | 4             |                 | 9996.88     |                |                |                |          |
|              |                          | 8             | 19071.39        |             | 10887.34       |                | 3373.71        |          |
|              | 2048/2048                | 4             |                 | 4985.31     |                |                |                |          |
|              |                          | 8             | 9387.81         |             | 6029.39        |                | 1824.06        |          |
| Mixtral 8x7B | 128/128                  | 2             | 26317.73        | 21768.19    | 24770.44       | 11821.14       | 5522.43        |          |
|              | 2048/128                 | 2             | 3181.76         | 2545.52     | 2973.11        | 1391.28        | 636.77         |          |
|              | 128/2048                 | 2             | 30105.61        | 23643.33    | 22120.85       | 6337.02        | 3698.23        |          |
|              | 2048/2048                | 2             | 15002.42        | 11683.11    | 11486.66       | 3024.95        | 1710.53        |          |
| Falcon 180B  | 128/128                  | 4             | 5647.01         |             | 5568.91        |                |                |          |
|              |                          | 8             | 9304.06         |             | 8885.39        |                | 2171.78        |          |
|              | 2048/128                 | 4             | 670.99          | 693.82      | 667.8          |                |                |          |
|              |                          | 8             | 1103.18         |             | 1065.16        |                | 238.61         |          |
|              | 128/2048                 | 4             | 8358.01         | 6655.38     | 6376.89        |                |                |          |
|              |                          | 8             | 14514.24        |             | 12447.25       |                | 2657.9         |          |
|              | 2048/2048                | 4             | 4169.39         | 3415.05     | 3412.09        |                |                |          |
|              |                          | 8             | 7524.11         |             | 6326.46        |                | 1392.31        |          |

*TP stands for Tensor Parallelism*

## Reproducing Benchmarked Results

### Building the TensorRT-LLM Container

---
In order to benchmark TensorRT-LLM, you will need to follow the [Quick Start](../../README.md#quick-start)
build process to create a baseline container for building a wheel. Additionally, the development
container needs a copy of the source code to build the wheel and the benchmarking script. Create the
right build environment, use the following :"""
V011_MODELS = {
    'LLaMA v2 7B': 'llama-2-7b',
    'LLaMA v3 8B': 'llama-3.1-8b',
    'Mistral 7B': 'mistral-7b',
    'LLaMA v2 70B': 'llama-2-70b',
    'LLaMA v3 70B': 'llama-3.1-70b',
}
V011_GPUS = {'H200 141GB HBM3': 'h200', 'H100 80GB HBM3': 'h100-sxm', 'A100-SXM4-80GB': 'a100-80gb'}
# The document's "Network Configuration Files and Settings" tables: (max_batch_size,
# max_num_tokens) per model and TP, 'General' unless an ISL/OSL pair has its own line.
V011_BUILDS = {
    ('llama-2-7b', 1): {'General': (4096, 8192)},
    ('llama-3.1-8b', 1): {'General': (2048, 8192)},
    ('mistral-7b', 1): {'General': (4098, 8192)},
    ('llama-2-70b', 2): {'General': (2048, 2048)},
    ('llama-2-70b', 4): {'General': (4096, 8192), '128/4096': (256, 8192)},
    ('llama-2-70b', 8): {'General': (8192, 16384), '128/2048': (1024, 16384)},
    ('llama-3.1-70b', 4): {'General': (2048, 1024)},
    ('llama-3.1-70b', 8): {'General': (8192, 16384)},
}
V011_REQUESTS = {'128/128': 30000, '128/2048': 3000, '128/4096': 1500, '2048/128': 3000, '2048/2048': 1500}


V10_URL = 'https://raw.githubusercontent.com/NVIDIA/TensorRT-LLM/00f37686aa854010d68bcbd0f4ab000221541ca6/docs/source/performance/perf-overview.md'
V10_405B_HEADER = '| Sequence Length (ISL/OSL) | B200<br/>TP4 (FP4) | GB200<br/>TP4 (FP4) | H200<br/>TP8 (FP8) | H100<br/>TP8 (FP8) |'
V10_405B_TABLE = """| 128/128 | 6,281 | 6,740 | 3,814 | 3,627 |
| 128/2048 | 8,020 | 8,151 | 5,348 | 4,340 |
| 128/4096 | 6,345 | 6,608 | 4,741 | 3,116 |
| 500/2000 | 6,244 | 6,540 | 4,724 | 3,994 |
| 1000/1000 | 5,209 | 5,389 | 3,330 | 2,919 |
| 1000/2000 | 4,933 | 5,135 | 3,722 | 2,895 |
| 2048/128 | 749 | 797 | 456 | 453 |
| 2048/2048 | 4,212 | 4,407 | 2,948 | 2,296 |
| 5000/500 | 1,048 | 1,112 | 650 | 610 |
| 20000/2000 | 672 | 739 | 505 | 345 |"""
# The document's $num_requests table.
V10_REQUESTS = {
    '128/128': 30000, '128/2048': 3000, '128/4096': 1500, '1000/2000': 1500, '2048/128': 3000,
    '2048/2048': 1500, '5000/500': 1500, '1000/1000': 3000, '500/2000': 3000, '20000/2000': 1000,
}


def v10_405b_rows(template):
    """Rows shaped like the profile's existing ones (template: its 70B H200 128/128 row)."""
    rows = []
    for line in V10_405B_TABLE.split('\n'):
        cells = [c.strip() for c in line.split('|')[1:-1]]
        lengths = cells[0]
        isl, osl = (int(x) for x in lengths.split('/'))
        for gpu, column, value in (('h200', 'H200<br/>TP8 (FP8)', cells[3]), ('h100-sxm', 'H100<br/>TP8 (FP8)', cells[4])):
            rows.append({
                'id': f'trtllm10-llama-3.1-405b-{gpu}-tp8-{isl}-{osl}',
                'source': f'TensorRT-LLM perf-overview.md (1.0 docs: "(NEW for v1.0)"), Llama 3.1 405B table, column {column}',
                'url': V10_URL,
                'engine': template['engine'],
                'model': 'llama-3.1-405b',
                'gpu': gpu,
                'precision': 'fp8',
                'tp': 8,
                'scenario': {
                    'kind': 'offline',
                    'requests': V10_REQUESTS[lengths],
                    'input': isl,
                    'output': osl,
                    'schedulerPolicy': 'guaranteed-no-evict',
                },
                'metric': 'outputTokensPerSec',
                'measured': float(value.replace(',', '')),
                'role': 'holdout',
                'assumptions': template['assumptions'].replace(
                    'Model is nvidia/Llama-3.3-70B-Instruct-FP8, mapped to llama-3.1-70b (same architecture).',
                    'Model is nvidia/Llama-3.1-405B-Instruct-FP8 (llama-3.1-405b).',
                ) + ' Added on 2026-12-07 (scripts/dev/add-published-rows.py).',
                'engineProfile': 'tensorrt-llm',
                'quote': f"Llama 3.1 405B: '{line}' column '{column}'; header: {V10_405B_HEADER}",
                'engineSettings': template['engineSettings'],
            })
    return rows


def v05_rows(template):
    rows = []
    for line in V05_A100_TABLE.split('\n'):
        name, batch, tp, isl, osl, measured = (c.strip() for c in line.split('|')[1:-1])
        model = V05_MODELS[name]
        batch, tp, isl, osl, measured = int(batch), int(tp), int(isl), int(osl), int(measured.replace(',', ''))
        row = {
            'id': f'trtllm05-tput-{model}-a100-80gb-tp{tp}-b{batch}-{isl}-{osl}',
            'source': 'TensorRT-LLM v0.5 performance.md, High Throughput table, A100 GPUs (FP16)',
            'url': V05_URL,
            'engine': 'TensorRT-LLM 0.5 (gptSessionBenchmark, static batch)',
            'model': model,
            'gpu': 'a100-80gb',
            'precision': 'fp16',
            'tp': tp,
            'scenario': {'kind': 'static-batch', 'batch': batch, 'input': isl, 'output': osl},
            'metric': 'outputTokensPerSec',
            'measured': measured,
            'role': 'holdout',
            'assumptions': (
                "Throughput is output tokens/s of the whole tensor-parallel group; one static batch: all prompts "
                "prefilled together, then decoded together. 'LLaMA 7B/70B' read as Llama-2-7B/70B (the document's "
                "build commands use Llama-2 checkpoints); A100 rows are 16-bit weights and cache (the same "
                "document: remove --enable_fp8 --fp8_kv_cache on A100). Added on 2026-12-07 "
                "(scripts/dev/add-published-rows.py)."
            ),
            'engineProfile': 'tensorrt-llm-0.5',
            'quote': line,
        }
        if 'engineTraits' in template.get(model, {}):
            row['engineTraits'] = template[model]['engineTraits']
        rows.append(row)
    return rows


def v011_rows():
    lines = V011_TABLE.split('\n')
    header_at = next(i for i, l in enumerate(lines) if '**GPU**' in l)
    gpus = [c.strip() for c in lines[header_at].split('|')[4:-1]]
    precisions = [c.strip() for c in lines[header_at + 1].split('|')[4:-1]]
    header = lines[header_at] + '\n' + lines[header_at + 1]
    rows = []
    model_name = lengths = None
    for line in lines[header_at + 3:]:
        if not line.startswith('|'):
            break
        cells = [c.strip() for c in line.split('|')[1:-1]]
        if cells[0]:
            model_name = cells[0].replace('*', '')
        if cells[1]:
            lengths = cells[1]
        tp = int(cells[2])
        model = V011_MODELS.get(model_name)
        for gpu_name, precision_name, value in zip(gpus, precisions, cells[3:]):
            gpu = V011_GPUS.get(gpu_name)
            if not model or not gpu or not value:
                continue
            precision = 'fp8' if precision_name == 'FP8' else 'fp16'
            isl, osl = (int(x) for x in lengths.split('/'))
            builds = V011_BUILDS[(model, tp)]
            key = lengths if lengths in builds else 'General'
            max_batch, max_tokens = builds[key]
            assumptions = (
                "Total output-token throughput of the TP group ('token throughput in tokens/second'). Requests of "
                f"exactly {isl}/{osl} tokens (prepare_dataset.py token-norm-dist, stdev 0), {V011_REQUESTS[lengths]} "
                "of them per the document's $num_requests table, sent at an infinite rate. gptManagerBenchmark "
                "--type IFB --scheduler_policy guaranteed_no_evict --kv_cache_free_gpu_mem_fraction 0.99 "
                f"--enable_chunked_context; engine built with max_batch_size {max_batch} and max_num_tokens "
                f"{max_tokens} (the document's settings table for this model at TP{tp}, '{key}')."
            )
            if precision == 'fp16':
                assumptions += ' FP16 column: no quantization (16-bit weights and cache, the document\'s A100 notes).'
            else:
                assumptions += ' FP8 column: FP8 weights and FP8 KV cache (quant_algo and kv_cache_quant_algo FP8 in its configs).'
            if model_name.startswith('LLaMA v3'):
                assumptions += (
                    ' Meta-Llama-3-8B/70B mapped to llama-3.1-8b/70b (same architecture and vocabulary; 3.1 adds RoPE '
                    'scaling for long context only).'
                )
            assumptions += (
                " Engine profile: tensorrt-llm-0.11 (this version's in-flight batching; fitted on its own calibration "
                'rows, scripts/dev/select-engine-calibration.py). Added on 2026-12-07 (scripts/dev/add-published-rows.py).'
            )
            rows.append({
                'id': f'trtllm011-ifb-{model}-{gpu}-{precision}-tp{tp}-{isl}-{osl}',
                'source': f'TensorRT-LLM v0.11.0 perf-overview.md, Throughput Measurements table ({gpu_name}, {precision_name}, TP{tp})',
                'url': V011_URL,
                'engine': 'TensorRT-LLM 0.11.0 (in-flight batching, offline max-throughput)',
                'model': model,
                'gpu': gpu,
                'precision': precision,
                'tp': tp,
                'scenario': {
                    'kind': 'offline',
                    'requests': V011_REQUESTS[lengths],
                    'input': isl,
                    'output': osl,
                    'schedulerPolicy': 'guaranteed-no-evict',
                    'kvFreeMemoryFraction': 0.99,
                    'maxBatch': max_batch,
                    'maxNumTokens': max_tokens,
                },
                'metric': 'outputTokensPerSec',
                'measured': float(value),
                'role': 'holdout',
                'assumptions': assumptions,
                'engineProfile': 'tensorrt-llm-0.11',
                'quote': (
                    f"row '{line}' under model '{model_name}', lengths '{lengths}', column '{gpu_name} / {precision_name}'; "
                    f'header: {header}'
                ),
                'engineSettings': {
                    'batching': 'in-flight (gptManagerBenchmark --type IFB)',
                    'maxBatchSize': max_batch,
                    'maxNumTokens': max_tokens,
                    'maxInputLen': 2048,
                    'chunkedPrefill': True,
                    'pagedKvCache': True,
                    'pagedContextFmha': True,
                    'multipleProfiles': True,
                    'kvCache': precision,
                    'kvCacheFreeGpuMemFraction': 0.99,
                    'schedulerPolicy': 'guaranteed_no_evict',
                    'requestRate': 'infinite (-1)',
                },
            })
    return rows


def main():
    data = json.loads(open(PATH).read())
    rows = data['rows']
    ours = re.compile(r'^(trtllm011-ifb-|trtllm05-tput-[^-]+(-[^-]+)*-a100-80gb-|trtllm10-llama-3\.1-405b-)')
    # Keep the role select-engine-calibration.py gave a row (calibration setups) across reruns.
    roles = {r['id']: r['role'] for r in rows if ours.match(r['id'])}
    rows[:] = [r for r in rows if not ours.match(r['id'])]
    h100 = {r['model']: r for r in rows if r['id'].startswith('trtllm05-tput-') and r['gpu'] == 'h100-sxm'}
    added_v05 = v05_rows(h100)
    last_v05 = max(i for i, r in enumerate(rows) if r['id'].startswith('trtllm05-tput-'))
    rows[last_v05 + 1:last_v05 + 1] = added_v05
    added_v011 = v011_rows()
    last_v012 = max(i for i, r in enumerate(rows) if r['id'].startswith('trtllm012-'))
    rows[last_v012 + 1:last_v012 + 1] = added_v011
    template = next(r for r in rows if r['id'] == 'trtllm10-llama-3.1-70b-h200-tp1-128-128')
    assert 'Model is nvidia/Llama-3.3-70B-Instruct-FP8, mapped to llama-3.1-70b (same architecture).' in template['assumptions']
    added_v10 = v10_405b_rows(template)
    last_v10 = max(i for i, r in enumerate(rows) if r['id'].startswith('trtllm10-'))
    rows[last_v10 + 1:last_v10 + 1] = added_v10
    for r in added_v05 + added_v011 + added_v10:
        r['role'] = roles.get(r['id'], r['role'])
    ids = [r['id'] for r in rows]
    assert len(ids) == len(set(ids)), 'duplicate ids'
    open(PATH, 'w').write(json.dumps(data, indent=1) + '\n')
    print(len(added_v05), 'v0.5.0 A100 rows,', len(added_v011), 'v0.11.0 rows,', len(added_v10), '1.0 Llama-3.1-405B rows,', len(rows), 'rows in all')


main()
