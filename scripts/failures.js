// Prints one line per failed test of a `make test` run — suite, test, and the
// first line of its error with where it stood — so the end of the output (all
// a CI log may keep) says what failed and why, not only how many.
// usage: node scripts/failures.js RESULTS_DIR [FAILED_COUNT]
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const failed = Number(process.argv[3] ?? 0);
const read = (f) => { try { return fs.readFileSync(path.join(dir, f), 'utf8'); } catch { return ''; } };
const clip = (s, n = 300) => { s = String(s ?? '').replace(/\x1b\[[0-9;]*m/g, '').replace(/\s+/g, ' ').trim(); return s.length > n ? `${s.slice(0, n - 1)}…` : s; };
const out = [];

// Go: each "--- FAIL: TestX" with the last "file_test.go:N: message" line logged before it.
let last = '';
for (const line of read('go.log').split('\n')) {
  if (/^=== (RUN|CONT)\s/.test(line)) last = ''; // a test's own lines follow
  const at = line.match(/^\s+(\S+_test\.go:\d+: .*)$/);
  if (at) last = at[1];
  const m = line.match(/^(\s*)--- FAIL: (\S+)/);
  if (m && !m[1]) { out.push(['go', m[2], last]); last = ''; }
}

try {
  for (const file of JSON.parse(read('vitest.json')).testResults ?? []) {
    for (const a of file.assertionResults ?? []) {
      if (a.status === 'failed') out.push(['frontend', `${path.basename(file.name)} > ${a.fullName}`, (a.failureMessages ?? [])[0]?.split('\n')[0]]);
    }
  }
} catch {}

try {
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        for (const r of t.results ?? []) {
          if (r.status === 'passed' || r.status === 'skipped') continue;
          const errs = r.errors?.length ? r.errors : [r.error ?? {}];
          const where = (e) => (e.location ? ` (${path.basename(e.location.file)}:${e.location.line})` : '');
          const steps = (r.steps ?? []).filter((s) => s.error).map((s) => s.title);
          out.push(['e2e', `${spec.file ?? file} > ${spec.title}`,
            errs.map((e) => `${(e.message ?? '').split('\n').find((l) => l.trim()) ?? r.status}${where(e)}`).join(' · ') + (steps.length ? ` [step: ${steps.join(' > ')}]` : '')]);
        }
      }
    }
    for (const s of suite.suites ?? []) walk(s, suite.file ?? file);
  };
  for (const s of JSON.parse(read('e2e.json')).suites ?? []) walk(s, s.file);
} catch {}

for (const [suite, name, why] of out.slice(0, 10)) console.log(`FAILED ${suite} ${clip(name, 140)}: ${clip(why) || 'see its log'}`);
if (out.length > 10) console.log(`… and ${out.length - 10} more failed (see ${dir})`);
if (failed > out.length) {
  console.log(`FAILED ${failed - out.length} more not named above (subtests, generated code, a Go package that did not build or ` +
    `panicked, a missing report, the set-up checks): see the output above and ${dir}`);
}
