// Times the report's WebAssembly explorer outside the browser (node, same
// module): loads the baseline embedded in REPORT.html and solves the scenario
// file TOML N times, printing the minimum and median of the call (JSON in and
// out included) and of the solver's own time. For the native figure beside
// it, time `rebalance run TOML --draws 0` (run.json: scenarios[].seconds).
//
//   node bench_explorer.mjs MODULE.js REPORT.html SCENARIO.toml [N]
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [modulePath, reportPath, tomlPath, nArg] = process.argv.slice(2);
if (!modulePath || !reportPath || !tomlPath) {
  console.error('usage: node bench_explorer.mjs MODULE.js REPORT.html SCENARIO.toml [N]');
  process.exit(2);
}
const n = Number(nArg || 20);
const require = createRequire(import.meta.url);
const factory = require(path.resolve(modulePath));
const html = fs.readFileSync(reportPath, 'utf8');
const m = /<script type="application\/json" id="explorer-data">([\s\S]*?)<\/script>/.exec(html);
if (!m) { console.error('no explorer data in the report'); process.exit(1); }
const data = JSON.parse(m[1]);
const mod = await Promise.resolve(factory());
function call(fn, text) {  // as the page: text through the module's heap
  const n = mod.lengthBytesUTF8(text) + 1, ptr = mod._malloc(n);
  try {
    mod.stringToUTF8(text, ptr, n);
    return mod.UTF8ToString(fn(ptr));
  } finally { mod._free(ptr); }
}
const load = (t) => call(mod._rb_explorer_load, t);
const solve = (t) => call(mod._rb_explorer_solve, t);
const t0 = performance.now();
const loaded = JSON.parse(load(JSON.stringify(data.baseline)));
const loadMs = performance.now() - t0;
if (loaded.status !== 'ok') { console.error(loaded.message); process.exit(1); }
const toml = fs.readFileSync(tomlPath, 'utf8');
const calls = [], solver = [];
for (let i = 0; i < n; ++i) {
  const a = performance.now();
  const r = JSON.parse(solve(toml));
  calls.push(performance.now() - a);
  if (r.status !== 'ok') { console.error(r.message); process.exit(1); }
  solver.push(r.solver_seconds * 1000);
}
const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return { min: s[0], median: s[Math.floor(s.length / 2)] }; };
console.log(JSON.stringify({ countries: loaded.countries, sectors: loaded.sectors, load_ms: loadMs,
                             call_ms: stats(calls), solver_ms: stats(solver) }));
