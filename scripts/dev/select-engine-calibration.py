# Engine profiles of whole-system rows and their calibration rows, by rules fixed before fitting
# (docs/research/sim-fidelity.md, rounds 2 and 3). Idempotent; prints the rows it marks.
# Run from the repository root:
#   python3 scripts/dev/select-engine-calibration.py
#
# lmdeploy (round 2), per model (the table's three setups: 7B and 13B on one A100, 70B on four):
#   throughput at 128/2048 with 1 and 64 clients, and TTFT at 2048/128 with 16 clients. 3 rows a model.
#
# In-flight TensorRT-LLM (round 3): one engine profile per documented version, because the
# versions disagree by 15-40% on the same setup (round 2): tensorrt-llm-0.10 (v0.10.0
# perf-overview), tensorrt-llm-0.12 (v0.12.0) and tensorrt-llm (1.0, PyTorch backend: today's
# engine, the one the planner offers). Calibration setups per version, every length row of each:
#   - on each GPU, the smallest model at TP1 in FP8 where the table lists FP8, else FP16;
#   - the Llama-2-70B (else Llama-3.1-70B) FP8 setups at the highest TP degree on H100 and at
#     the lowest TP degree on H200.
#   - (round 7) the 70B model at the highest TP degree on every GPU of the table.
# tensorrt-llm-0.11 (v0.11.0 perf-overview, added 2026-12-07 by scripts/dev/add-published-rows.py):
# the same rule. The 1.0 table's Llama-3.1-405B rows (added the same day) are not a setup the rule
# names (it names the smallest model and the 70B one), so they stay held out.
#
# TensorRT-LLM v0.9.0's gptSessionBenchmark table (round 10, profile tensorrt-llm-0.5): the
# same setups. Its v0.5.0 and v0.6.1 calibration rows were chosen by hand (round 1).
import json

PATH = 'src/core/sim/data/validation.json'
text = open(PATH).read()
data = json.loads(text)
rows = data['rows']
marked = []

for r in rows:
    if r['engineProfile'] != 'lmdeploy':
        continue
    s = r['scenario']
    tput = r['metric'] == 'outputTokensPerSec' and s['input'] == 128 and s['output'] == 2048 and s['concurrency'] in (1, 64)
    ttft = r['metric'] == 'ttftMeanMs' and s['input'] == 2048 and s['output'] == 128 and s['concurrency'] == 16
    if tput or ttft:
        marked.append(r)

VERSIONS = [('v0.10.0', 'tensorrt-llm-0.10'), ('v0.11.0', 'tensorrt-llm-0.11'), ('v0.12.0', 'tensorrt-llm-0.12'), ('00f37686aa854010d68bcbd0f4ab000221541ca6', 'tensorrt-llm')]
OLD_PROFILE_TEXT = 'Engine profile: tensorrt-llm (in-flight batching, v0.10 and later), not fitted: the default fixed costs until rows of another source calibrate it.'
SIZE = {'llama-2-7b': 6.7, 'llama-3.1-8b': 8.0, 'mistral-7b': 7.2, 'llama-2-70b': 69.0, 'llama-3.1-70b': 70.6, 'llama-3.1-405b': 405.9}


def version_profile(r):
    for key, profile in VERSIONS:
        if key in r['url']:
            return profile
    return None


inflight = [r for r in rows if r['engine'].startswith('TensorRT-LLM') and r['scenario']['kind'] == 'offline']
for r in inflight:
    profile = version_profile(r)
    assert profile is not None, r['id']
    r['engineProfile'] = profile
    r['assumptions'] = r['assumptions'].replace(
        OLD_PROFILE_TEXT,
        f'Engine profile: {profile} (this version\'s in-flight batching; fitted on its own calibration rows, scripts/dev/select-engine-calibration.py).',
    )

def calibration_setups(own):
    """The setups (model, GPU, precision, TP) of one table whose rows calibrate its profile."""
    setups = set()
    for gpu in sorted({r['gpu'] for r in own}):
        tp1 = [r for r in own if r['gpu'] == gpu and r['tp'] == 1]
        if not tp1:
            continue
        smallest = min(SIZE[r['model']] for r in tp1)
        small = [r for r in tp1 if SIZE[r['model']] == smallest]
        precision = 'fp8' if any(r['precision'] == 'fp8' for r in small) else small[0]['precision']
        setups.add((small[0]['model'], gpu, precision, 1))
    big = [r for r in own if r['precision'] == 'fp8' and SIZE[r['model']] > 60]
    model = 'llama-2-70b' if any(r['model'] == 'llama-2-70b' for r in big) else 'llama-3.1-70b'
    for gpu, pick in (('h100-sxm', max), ('h200', min)):
        tps = [r['tp'] for r in big if r['model'] == model and r['gpu'] == gpu]
        if tps:
            setups.add((model, gpu, 'fp8', pick(tps)))
    # Round 7: the 70B model at the highest TP degree on every GPU of the table (FP8 where it
    # lists FP8, else 16-bit), so that each version's fit sees a multi-GPU setup on each GPU
    # and leaving one out still leaves another (v0.10 had one: H100 at TP8).
    for gpu in sorted({r['gpu'] for r in own}):
        on_gpu = [r for r in own if r['gpu'] == gpu and r['model'] == model]
        if not on_gpu:
            continue
        precision = 'fp8' if any(r['precision'] == 'fp8' for r in on_gpu) else on_gpu[0]['precision']
        setups.add((model, gpu, precision, max(r['tp'] for r in on_gpu if r['precision'] == precision)))
    return setups


for _, profile in VERSIONS:
    own = [r for r in inflight if r['engineProfile'] == profile]
    setups = calibration_setups(own)
    print(profile, sorted(setups))
    for r in own:
        if (r['model'], r['gpu'], r['precision'], r['tp']) in setups:
            marked.append(r)

# Round 10: the same rule picks calibration setups in TensorRT-LLM v0.9.0's gptSessionBenchmark
# table (profile tensorrt-llm-0.5, static batches). Until then that profile, and with it the
# Hopper hardware profile of stage 1, was fitted on v0.5.0/v0.6.1 rows only: 9 Hopper rows, 5
# of them one build, so leaving that build out left Hopper nearly unfitted.
V090 = 'blob/v0.9.0/docs/source/performance.md'
session = [r for r in rows if r['engineProfile'] == 'tensorrt-llm-0.5' and V090 in r['url']]
setups = calibration_setups(session)
print('tensorrt-llm-0.5 v0.9.0', sorted(setups))
for r in session:
    r['assumptions'] = r['assumptions'].replace(
        '(tensorrt-llm-0.5, fitted on v0.5/v0.6 rows); this row is from a later version of the same benchmark.',
        '(tensorrt-llm-0.5, fitted on v0.5/v0.6 rows and on this table\'s calibration setups, scripts/dev/select-engine-calibration.py); this row is from a later version of the same benchmark.',
    )
for r in session:
    if (r['model'], r['gpu'], r['precision'], r['tp']) in setups:
        marked.append(r)

for r in marked:
    r['role'] = 'calibration'
    print(r['id'], r['measured'])
print(len(marked), 'rows')
out = json.dumps(data, indent=1) + '\n'
if out != text:
    open(PATH, 'w').write(out)
