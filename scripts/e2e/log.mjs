// Progress output of the e2e harness: one prefixed line per step, with elapsed time,
// so a CI log shows where a run spent its time or where it stopped.
const startedAt = Date.now();

function elapsed() {
  return `${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)}s`;
}

export function step(message) {
  console.log(`[e2e ${elapsed()}] ${message}`);
}

export function detail(message) {
  console.log(`[e2e ${elapsed()}]   ${message}`);
}

export function fail(message) {
  console.error(`[e2e ${elapsed()}] FAILED: ${message}`);
}
