# Adds SGLang's published serving runs to data/validation.json under the `sglang` engine
# profile, and drops them from data/pending-validation.json (which held the 70B ones until the
# simulator could take their length distributions). Idempotent: rows with these ids are
# replaced. Run from the repository root:
#   python3 scripts/dev/add-sglang-rows.py
#
# Source: DataCrunch's h200-benchmarks (MIT), sglang.bench_serving output lines copied to
# scripts/dev/sources/datacrunch-h200-benchmarks/ (its README says what ran). Two builds:
# Llama-3.3-70B-Instruct in bf16 on 4 x H200 (offline runs and Poisson runs at 1-16 req/s) and
# Llama-3.1-405B-Instruct in bf16 on 8 x H200 (Poisson runs at 1-8 req/s). Only the
# random-dataset lines: the ShareGPT lines need the dataset's length distribution, which the
# simulator does not bundle.
#
# Which figures become rows, and why:
# - offline runs (request rate inf): output throughput. Their TTFT and E2E say in which order
#   the engine happened to admit thousands of queued requests, not how fast it serves.
# - Poisson runs the engine kept up with (output throughput at least 90% of the offered output
#   tokens per second): median TTFT, median ITL and mean E2E; there, throughput equals the
#   offered load whatever the engine does, so it would test nothing.
# - Poisson runs the engine fell behind: output throughput only, the engine's capacity. Their
#   latencies are those of a queue that grows as long as the client keeps sending (the 70B
#   build's mean E2E is 13 s at 4 req/s, 52 s at 8 and 149 s at 16): they measure the length of
#   the run, not the engine.
# - The offline 4096/1024 run is in the file twice (two runs, 1655.0 and 1652.9 tok/s): two rows.
# Each row replays the run's own requests (scenario.benchServingDraws): bench_serving drew its
# lengths and send times from NumPy's legacy generator with its default seed 1, which
# src/core/sim/benchServing.ts draws again; the 405B build ran with --mem-frac 0.87
# (scenario.memoryFraction; docker_dev_commands.txt, copied to the sources folder).
# Roles: about a third of each build's rows calibrate the profile (offline throughput at three
# length pairs and first token and decode gap at 2 req/s for the 70B build; first token and
# decode gap at 1 req/s and throughput at 4 req/s for the 405B one); the rest are held out.
# Cross-validation leaves each build out in turn, so each is predicted by a fit on the other's.
import json
import os

VALIDATION = 'src/core/sim/data/validation.json'
PENDING = 'src/core/sim/data/pending-validation.json'
SOURCES = 'scripts/dev/sources/datacrunch-h200-benchmarks'
COMMIT = 'c091ef530a525d2e788bc41c39a4450b09c9f2ad'

BUILDS = [
    {
        'files': ['llama_3_3_70b_offline_output.jsonl', 'llama_3_3_70b_online_output.jsonl'],
        'hf': 'Llama-3.3-70B-Instruct',
        'tag': 'llama-3.3-70b',
        'model': 'llama-3.1-70b',
        'tp': 4,
        'launch': 'python3 -m sglang.launch_server --model-path meta-llama/Llama-3.3-70B-Instruct --tp-size 4 --disable-radix-cache --enable-torch-compile',
        'mapping': 'Llama-3.3-70B mapped to llama-3.1-70b (same architecture).',
        'calibration': {
            ('offline', 1024, 1024, None, 'outputTokensPerSec'),
            ('offline', 4096, 1024, None, 'outputTokensPerSec'),
            ('offline', 256, 512, None, 'outputTokensPerSec'),
            ('poisson', 1024, 1024, 2.0, 'itlMedianMs'),
            ('poisson', 1024, 1024, 2.0, 'ttftMedianMs'),
        },
    },
    {
        'files': ['llama_405b_online_output.jsonl'],
        'hf': 'Llama-3.1-405B-Instruct',
        'tag': 'llama-3.1-405b',
        'model': 'llama-3.1-405b',
        'tp': 8,
        # The launch the repository's benchmarking commands give (sglang/experiments/
        # docker_dev_commands.txt): --mem-frac 0.87, which argparse takes as the unique prefix
        # of --mem-fraction-static; the commented launch line in llama_405b_sglang.sh has no
        # memory flag. The 70B build's line is the same in both files.
        'launch': 'python3 -m sglang.launch_server --model-path meta-llama/Llama-3.1-405B-Instruct --tp-size 8 --disable-radix-cache --enable-torch-compile --mem-frac 0.87',
        'memoryFraction': 0.87,
        'mapping': '',
        'calibration': {
            ('poisson', 1024, 1024, 1.0, 'ttftMedianMs'),
            ('poisson', 1024, 1024, 1.0, 'itlMedianMs'),
            ('poisson', 1024, 1024, 4.0, 'outputTokensPerSec'),
        },
    },
]

METRIC_FIELD = {
    'outputTokensPerSec': 'output_throughput',
    'ttftMedianMs': 'median_ttft_ms',
    'itlMedianMs': 'median_itl_ms',
    'e2eMeanMs': 'mean_e2e_latency_ms',
}
SATURATED = 0.9


def fmt(v):
    return repr(v) if isinstance(v, float) else json.dumps(v)


def rows_of(build):
    out = []
    for name in build['files']:
        for line in open(os.path.join(SOURCES, name)):
            d = json.loads(line)
            if d['dataset_name'] != 'random':
                continue
            assert d['random_range_ratio'] == 0.0, 'range ratio 0 only: prompts over [1, L], outputs over [0, L]'
            rate = d['request_rate']
            offline = rate == float('inf')
            n = d['completed']
            mean_in = d['total_input_tokens'] / n
            mean_out = d['total_output_tokens'] / n
            i, o = d['random_input_len'], d['random_output_len']
            if offline or d['output_throughput'] < SATURATED * rate * mean_out:
                metrics = ['outputTokensPerSec']
            else:
                metrics = ['ttftMedianMs', 'itlMedianMs', 'e2eMeanMs']
            for metric in metrics:
                field = METRIC_FIELD[metric]
                kind = 'offline' if offline else 'poisson'
                key = (kind, i, o, None if offline else float(rate), metric)
                run = f'offline-{i}-{o}-n{n}' if offline else f'poisson-{i}-{o}-r{int(rate)}'
                scenario = {
                    'kind': 'serving',
                    'requests': n,
                    'input': {'kind': 'uniform', 'min': 1, 'max': i},
                    'output': {'kind': 'uniform', 'min': 1, 'max': o},
                }
                if not offline:
                    scenario['rate'] = float(rate)
                # bench_serving sends ignore_eos (its default) and the radix cache is off, so
                # SGLang admits these requests on their known lengths (add_one_req_ignore_eos).
                scenario['ignoreEos'] = True
                # The client's draws (NumPy's legacy generator, bench_serving's default seed 1;
                # the commands pass no --seed): the simulation replays the run's own lengths and
                # send times. Their sums are the totals quoted (benchServing.test.ts).
                scenario['benchServingDraws'] = {'seed': 1, 'rangeRatio': 0.0}
                if 'memoryFraction' in build:
                    scenario['memoryFraction'] = build['memoryFraction']
                quoted = ', '.join(f'"{k}": {fmt(d[k])}' for k in (field, 'request_rate', 'random_input_len', 'random_output_len', 'random_range_ratio', 'completed', 'total_input_tokens', 'total_output_tokens', 'duration'))
                out.append({
                    'id': f"sglang-dc-{build['tag']}-h200-tp{build['tp']}-{run}-{metric}",
                    'source': f"DataCrunch h200-benchmarks, sglang.bench_serving output ({build['hf']}, {build['tp']} x H200, bf16, TP{build['tp']}), sglang/outputs/{name}",
                    # The repository's outputs folder, not the file: the 70B build's offline and
                    # online runs are two files of one build (one server launch), and the
                    # cross-validation holds a build out by its source.
                    'url': f'https://github.com/datacrunch-research/h200-benchmarks/tree/{COMMIT}/sglang/outputs',
                    'engine': 'SGLang (docker lmsysorg/sglang:latest, early December 2024: 0.4.0; exact version not recorded)',
                    'model': build['model'],
                    'gpu': 'h200',
                    'precision': 'bf16',
                    'tp': build['tp'],
                    'scenario': scenario,
                    'metric': metric,
                    'measured': round(d[field], 3),
                    'role': 'calibration' if key in build['calibration'] else 'holdout',
                    'engineProfile': 'sglang',
                    'quote': quoted,
                    'assumptions': (
                        (build['mapping'] + ' ' if build['mapping'] else '')
                        + (
                            f"Launched as `{build['launch']}` (sglang/experiments/docker_dev_commands.txt, 'Benchmarking'; argparse takes --mem-frac as --mem-fraction-static, so weights and KV get {build['memoryFraction']:g} of each GPU's memory instead of SGLang's {0.81 if build['tp'] >= 8 else 0.85:g} at TP{build['tp']}; the commented launch line in sglang/experiments/llama_405b_sglang.sh has no memory flag. SGLang's defaults otherwise: chunked_prefill_size 8192, no mixed chunks). "
                            if 'memoryFraction' in build
                            else f"Launched as `{build['launch']}` (SGLang's defaults otherwise: mem_fraction_static, chunked_prefill_size 8192, no mixed chunks). "
                        )
                        + 'sglang.bench_serving\'s random dataset with random_range_ratio 0.0 draws each prompt length uniformly from [1, L] and each output length from [0, L] '
                        + f'(observed means {mean_in:.1f} / {mean_out:.1f}), outputs forced to their length (ignore_eos, the client\'s default; with the radix cache off SGLang then admits a request on its known length: scenario.ignoreEos). '
                        + ('The lengths' if offline else 'The lengths and the Poisson send times') + ' come from NumPy\'s legacy generator seeded with the client\'s default seed 1; the simulation replays them (scenario.benchServingDraws; the lengths\' sums equal the totals quoted), an output of 0 tokens as 1 (so the output spec says [1, L]). '
                        + ('All requests sent at once (request_rate inf).' if offline else f'Poisson arrivals at {rate:g} req/s (the client\'s default).')
                        + ' Third-party measurement (DataCrunch), not the SGLang team.'
                    ),
                })
    seen = {}
    for r in out:
        seen[r['id']] = seen.get(r['id'], 0) + 1
        if seen[r['id']] > 1:
            r['id'] += f"-run{seen[r['id']]}"
    return out


def main():
    new = [r for b in BUILDS for r in rows_of(b)]
    ids = {r['id'] for r in new}
    v = json.load(open(VALIDATION))
    v['rows'] = [r for r in v['rows'] if r['id'] not in ids] + new
    with open(VALIDATION, 'w') as f:
        f.write(json.dumps(v, indent=1))
        f.write('\n')
    p = json.load(open(PENDING))
    before = len(p['rows'])
    p['rows'] = [r for r in p['rows'] if not r['id'].startswith('sglang-dc-')]
    with open(PENDING, 'w') as f:
        f.write(json.dumps(p, indent=1))
        f.write('\n')
    print(f'{len(new)} sglang rows ({sum(r["role"] == "calibration" for r in new)} calibration); pending {before} -> {len(p["rows"])}')


main()
