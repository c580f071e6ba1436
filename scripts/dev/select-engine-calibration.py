# Marks the engine-calibration rows of the LMDeploy profile
# (role=calibration) by a rule fixed before fitting (docs/research/sim-fidelity.md, round 2).
# Idempotent; prints the rows it marks. Run from the repository root:
#   python3 scripts/dev/select-engine-calibration.py
#
# Only LMDeploy: the same kind of rule for in-flight TensorRT-LLM (per v0.10.0 / v0.12.0 / 1.0
# source, H100 SXM FP8, input 128, outputs 128 and 2048, the smallest model at TP1 and the
# largest at its highest TP degree) was tried in round 2 and made the leave-one-source-out
# error worse (docs/research/sim-fidelity.md): its rows stay holdout.
# lmdeploy, per model (the table's three setups: 7B and 13B on one A100, 70B on four):
#   throughput at 128/2048 with 1 and 64 clients, and TTFT at 2048/128 with 16 clients
#   (the rule round 1 used for Llama-2-7B, applied to each model). 3 rows a model.
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

for r in marked:
    r['role'] = 'calibration'
    print(r['id'], r['measured'])
print(len(marked), 'rows')
out = json.dumps(data, indent=1) + '\n'
if out != text:
    open(PATH, 'w').write(out)
