// Writes one line per test, "suite<TAB>test<TAB>seconds", from the results of
// one `make test` run (Go's -v log, Vitest's and Playwright's JSON reports), so
// the slowest tests can be found: `sort -t$'\t' -k3 -rn .data/test-results/durations.tsv | head`.
// usage: node scripts/durations.js RESULTS_DIR > RESULTS_DIR/durations.tsv
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const out = [];
const read = (f) => { try { return fs.readFileSync(path.join(dir, f), 'utf8'); } catch { return ''; } };

// Go: top-level "--- PASS: TestX (1.23s)" lines (subtests are indented).
for (const m of read('go.log').matchAll(/^--- (?:PASS|FAIL): (\S+) \(([\d.]+)s\)/gm)) out.push(['go', m[1], Number(m[2])]);

try {
  for (const file of JSON.parse(read('vitest.json')).testResults ?? []) {
    for (const a of file.assertionResults ?? []) {
      out.push(['frontend', `${path.relative(process.cwd(), file.name)} > ${a.fullName}`, (a.duration ?? 0) / 1000]);
    }
  }
} catch {}

try {
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const secs = (t.results ?? []).reduce((s, r) => s + (r.duration ?? 0), 0) / 1000;
        out.push(['e2e', `${spec.file ?? file} > ${spec.title}`, secs]);
      }
    }
    for (const s of suite.suites ?? []) walk(s, suite.file ?? file);
  };
  for (const s of JSON.parse(read('e2e.json')).suites ?? []) walk(s, s.file);
} catch {}

for (const [suite, name, secs] of out) console.log(`${suite}\t${name.replace(/\s+/g, ' ')}\t${secs.toFixed(2)}`);
