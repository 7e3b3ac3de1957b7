// Machine-readable figures of `make bench` (issue #17). Every benchmark that prints a figure
// also hands it to `record`, which appends one JSON line to $BENCH_RESULTS_JSONL when
// scripts/bench.sh set it (and does nothing otherwise, so a benchmark still runs alone);
// tests/bench/report.mjs gathers the lines into target/bench/results.json and prints the
// goal rows. A figure: `{name, value, unit, baseline}`, where `baseline` names the figure
// measured in the same run that it is compared with (or null).
import { appendFileSync } from 'node:fs';

/** Appends figures (`[{name, value, unit, baseline?}]`) to $BENCH_RESULTS_JSONL, if set. */
export function record(...figures) {
  const file = process.env.BENCH_RESULTS_JSONL;
  if (!file) return;
  const lines = figures.map(({ name, value, unit, baseline = null }) => {
    if (!Number.isFinite(value)) throw new Error(`bench figure ${name}: ${value} is not a number`);
    return JSON.stringify({ name, value: Number(value.toFixed(4)), unit, baseline }) + '\n';
  });
  appendFileSync(file, lines.join(''));
}
