// Browser test of report.html's what-if explorer: Debian's chromium,
// headless, driven by playwright-core.
//
//   node check_explorer.mjs REPORT.html OUT_DIR [--scenario NAME]
//        [--shock IMPORTER:EXPORTER:SECTOR] [--from 100] [--to 50] [--repeat N]
//
// In the explorer panel of the scenario NAME (default "US tariffs on China"):
//   1. waits for the module, presses Solve; saves what the page shows
//      for the scenario as run (OUT_DIR/page_initial.json);
//   2. finds the tariff control IMPORTER:EXPORTER:SECTOR (default
//      USA:CHN:Transport equipment), checks it shows FROM (pp), sets TO, and
//      waits for the re-solve and redraw; saves the page's results
//      (OUT_DIR/page_results.json), the downloaded scenario
//      (OUT_DIR/whatif.toml) and results (OUT_DIR/whatif_results.csv), and a
//      screenshot of the panel (OUT_DIR/explorer.png);
//   3. times N more re-solves (alternating TO and TO + 10) and writes the
//      timings (OUT_DIR/timings.json: solve and solve + redraw, ms);
//   4. sets an out-of-range value (+250 pp: a 250% tariff) and checks that
//      the page refuses it next to that control, shows no numbers, and
//      saves the refused scenario (OUT_DIR/whatif_bad.toml) and message
//      (OUT_DIR/bad_message.txt) for the CLI comparison; screenshot
//      OUT_DIR/explorer_refused.png;
//   5. "Reset" brings back FROM and the scenario as run;
//   6. theta scaling (--theta-sector, default "*"; --theta, default 0.5):
//      added, solved, saved for the CLI comparison, and a factor of 0 refused
//      next to its control (see the step below).
//   7. with --war NAME: the 2023 part's one-sector tariff_war panel of that
//      scenario (see the step below).
// Fails (exit 1) on any console error, uncaught exception or network request.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const positional = [];
const flags = {};
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i].startsWith('--')) flags[argv[i].slice(2)] = argv[++i];
    else positional.push(argv[i]);
  }
}
const [reportPath, outDir] = positional;
if (!reportPath || !outDir) {
  console.error('usage: node check_explorer.mjs REPORT.html OUT_DIR [--scenario NAME] ...');
  process.exit(2);
}
const scenarioName = flags.scenario || 'US tariffs on China';
const [importer, exporter, sector] = (flags.shock || 'USA:CHN:Transport equipment').split(':');
const from = flags.from || '100';
const to = flags.to || '50';
const repeat = Number(flags.repeat || 6);
fs.mkdirSync(outDir, { recursive: true });
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const problems = [];
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rebalance-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
function fail(message) {
  problems.push(message);
  throw new Error(message);
}
try {
  const page = context.pages()[0] || await context.newPage();
  const reportUrl = pathToFileURL(path.resolve(reportPath)).href;
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('request', (req) => {
    if (req.url() !== reportUrl && !req.url().startsWith('data:') && !req.url().startsWith('blob:')) {
      problems.push(`network request from an offline report: ${req.url()}`);
    }
  });
  const t0 = Date.now();
  await page.goto(reportUrl, { waitUntil: 'load' });
  const loadMs = Date.now() - t0;
  await page.waitForFunction(() => window.__rebalanceReport && window.__rebalanceReport.rendered > 0,
                             null, { timeout: 120000 });
  const reportFirstChartMs = Date.now() - t0;
  await page.waitForFunction(() => window.__rebalanceExplorer &&
                                   (window.__rebalanceExplorer.ready || window.__rebalanceExplorer.error),
                             null, { timeout: 120000 });
  const startErr = await page.evaluate(() => window.__rebalanceExplorer.error);
  if (startErr) fail(`explorer did not start: ${startErr}`);
  const index = await page.evaluate((name) => {
    const d = JSON.parse(document.getElementById('explorer-data').textContent);
    return d.scenarios.findIndex((s) => s.name === name);
  }, scenarioName);
  if (index < 0) fail(`no explorer for scenario '${scenarioName}'`);
  const panel = page.locator(`div.explorer[data-scenario="${index}"]:not([data-model])`);
  // A panel solves when asked.
  await panel.scrollIntoViewIfNeeded();
  await panel.locator('button.solve').click();
  const rec = () => page.evaluate((k) => {
    const r = window.__rebalanceExplorer.solves[k];
    return JSON.parse(JSON.stringify(r));
  }, index);
  const waitDrawn = async (count) => {
    await page.waitForFunction(([k, c]) => {
      const r = window.__rebalanceExplorer.solves[k];
      return r && r.count >= c && (r.status !== 'ok' || r.drawn === r.count);
    }, [index, count], { timeout: 60000 });
    return rec();
  };
  const t1 = Date.now();
  let r = await waitDrawn(1);
  const firstChartMs = Date.now() - t0;
  const panelFirstMs = Date.now() - t1;
  if (r.status !== 'ok') fail(`the scenario as run did not solve in the page: ${r.message}`);
  fs.writeFileSync(path.join(outDir, 'page_initial.json'), JSON.stringify(r.result));

  // The tariff control.
  const rows = panel.locator('table.explorer-shocks tbody tr[data-shock]');
  const n = await rows.count();
  let target = -1;
  for (let i = 0; i < n; ++i) {
    const row = rows.nth(i);
    if (await row.locator('select.importer').count() === 0) continue;
    const im = await row.locator('select.importer').inputValue();
    const ex = await row.locator('select.exporter').inputValue();
    const se = await row.locator('select.sector').inputValue();
    if (im === importer && ex === exporter && se === sector) { target = i; break; }
  }
  if (target < 0) fail(`no tariff control ${importer}:${exporter}:${sector}`);
  const input = () => rows.nth(target).locator('input.value');
  const shown = await input().inputValue();
  if (shown !== from) fail(`the control shows '${shown}', expected '${from}'`);
  const setValue = async (v) => {
    const before = (await rec()).count;
    await input().fill(String(v));
    await input().dispatchEvent('change');
    return waitDrawn(before + 1);
  };
  r = await setValue(to);
  if (r.status !== 'ok') fail(`the edited scenario did not solve: ${r.message}`);
  fs.writeFileSync(path.join(outDir, 'page_results.json'), JSON.stringify(r.result));
  const editMs = { solve: r.ms_solve, total: r.ms_total };
  // The page's table shows the new numbers.
  const statusText = await panel.locator('.explorer-status').textContent();
  if (!/Re-solved/.test(statusText)) fail(`status after the edit: ${statusText}`);
  await panel.screenshot({ path: path.join(outDir, 'explorer.png') });
  const save = async (button, name) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), panel.locator(button).click()]);
    await dl.saveAs(path.join(outDir, name));
  };
  await save('button.download-toml', 'whatif.toml');
  await save('button.download-csv', 'whatif_results.csv');

  // Timings.
  const times = [];
  for (let i = 0; i < repeat; ++i) {
    const t = await setValue(i % 2 === 0 ? Number(to) + 10 : to);
    if (t.status !== 'ok') fail(`re-solve ${i} failed: ${t.message}`);
    times.push({ solve: t.ms_solve, total: t.ms_total });
  }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const timings = {
    page_load_ms: loadMs, report_first_chart_ms: reportFirstChartMs, explorer_ready_ms: firstChartMs,
    panel_first_solve_and_draw_ms: panelFirstMs, edit: editMs,
    solve_ms_median: med(times.map((t) => t.solve)), total_ms_median: med(times.map((t) => t.total)),
    solve_ms_max: Math.max(...times.map((t) => t.solve)), runs: times,
    report_bytes: fs.statSync(reportPath).size,
  };
  fs.writeFileSync(path.join(outDir, 'timings.json'), JSON.stringify(timings, null, 1));
  console.log(`check_explorer: load ${loadMs} ms, report's first chart ${reportFirstChartMs} ms, explorer ` +
              `panel drawn ${firstChartMs} ms after navigation; re-solve median ` +
              `${timings.solve_ms_median.toFixed(1)} ms (max ${timings.solve_ms_max.toFixed(1)}), ` +
              `with redraw ${timings.total_ms_median.toFixed(1)} ms`);

  // Refused value.
  r = await setValue('250');
  if (r.status !== 'invalid') fail(`a 250 pp tariff was not refused (status ${r.status})`);
  const errRow = rows.nth(target).locator('xpath=following-sibling::tr[1]');
  const errText = (await errRow.textContent()) || '';
  if (!(await errRow.isVisible()) || errText !== r.message) {
    fail(`the refusal is not shown next to the control: '${errText}' vs '${r.message}'`);
  }
  if (await panel.locator('.explorer-results').isVisible()) fail('numbers shown for a refused scenario');
  fs.writeFileSync(path.join(outDir, 'bad_message.txt'), r.message);
  await save('button.download-toml', 'whatif_bad.toml');
  await panel.screenshot({ path: path.join(outDir, 'explorer_refused.png') });

  // Reset.
  const before = (await rec()).count;
  await panel.locator('button.reset').click();
  r = await waitDrawn(before + 1);
  if (r.status !== 'ok') fail(`reset did not solve: ${r.message}`);
  const again = await input().inputValue();
  if (again !== from) fail(`after reset the control shows '${again}', expected '${from}'`);
  const initial = JSON.parse(fs.readFileSync(path.join(outDir, 'page_initial.json'), 'utf8'));
  if (JSON.stringify(initial.rows) !== JSON.stringify(r.result.rows)) fail('reset did not give back the scenario as run');

  // theta scaling: "Add θ scaling" appends a row (factor 1: the numbers as
  // run, bit for bit), then THETA_SECTOR's theta is multiplied by THETA;
  // the page's results and scenario file are saved for the CLI comparison
  // (OUT_DIR/page_theta.json, OUT_DIR/whatif_theta.toml), and a factor of
  // 0 is refused next to its control (OUT_DIR/theta_bad_message.txt,
  // OUT_DIR/whatif_theta_bad.toml).
  const thetaSector = flags['theta-sector'] || '*';
  const thetaValue = flags.theta || '0.5';
  let count = (await rec()).count;
  await panel.locator('button.add-theta').click();
  r = await waitDrawn(count + 1);
  if (r.status !== 'ok') fail(`theta x 1 did not solve: ${r.message}`);
  if (JSON.stringify(initial.rows) !== JSON.stringify(r.result.rows)) fail('theta x 1 changed the numbers');
  const thetaRow = rows.nth(n);
  if ((await thetaRow.locator('td').first().textContent()) !== 'Trade elasticity θ') fail('no theta row added');
  count = (await rec()).count;
  await thetaRow.locator('select.sector').selectOption(thetaSector);
  await waitDrawn(count + 1);
  const setIn = async (v) => {
    const c = (await rec()).count;
    await thetaRow.locator('input.value').fill(String(v));
    await thetaRow.locator('input.value').dispatchEvent('change');
    return waitDrawn(c + 1);
  };
  r = await setIn(thetaValue);
  if (r.status !== 'ok') fail(`theta x ${thetaValue} did not solve: ${r.message}`);
  if (JSON.stringify(initial.rows) === JSON.stringify(r.result.rows)) fail(`theta x ${thetaValue} moved nothing`);
  fs.writeFileSync(path.join(outDir, 'page_theta.json'), JSON.stringify(r.result));
  await save('button.download-toml', 'whatif_theta.toml');
  await panel.screenshot({ path: path.join(outDir, 'explorer_theta.png') });
  r = await setIn('0');
  if (r.status !== 'invalid') fail(`theta x 0 was not refused (status ${r.status})`);
  const thetaErr = thetaRow.locator('xpath=following-sibling::tr[1]');
  if (!(await thetaErr.isVisible()) || (await thetaErr.textContent()) !== r.message) {
    fail(`the theta refusal is not shown next to its control: '${await thetaErr.textContent()}' vs '${r.message}'`);
  }
  fs.writeFileSync(path.join(outDir, 'theta_bad_message.txt'), r.message);
  await save('button.download-toml', 'whatif_theta_bad.toml');

  // The one-sector tariff_war model (the 2023 part), when --war NAME is
  // given: Solve (OUT_DIR/page_war_initial.json), shock WAR_ROW (default 0)
  // set to WAR_TO % (default 20; OUT_DIR/page_war.json, whatif_war.toml,
  // explorer_war.png), then -150 % refused next to its control
  // (OUT_DIR/war_bad_message.txt, whatif_war_bad.toml).
  if (flags.war) {
    const wi = await page.evaluate((name) => {
      const d = JSON.parse(document.getElementById('explorer-data').textContent);
      return d.tariff_war ? d.tariff_war.scenarios.findIndex((s) => s.name === name) : -1;
    }, flags.war);
    if (wi < 0) fail(`no tariff_war explorer for scenario '${flags.war}'`);
    const key = 'war' + wi;
    const wpanel = page.locator(`div.explorer[data-model="tariff_war"][data-scenario="${wi}"]`);
    const wrec = () => page.evaluate((k) => JSON.parse(JSON.stringify(window.__rebalanceExplorer.solves[k])), key);
    const wdrawn = async (c) => {
      await page.waitForFunction(([k, c]) => {
        const r = window.__rebalanceExplorer.solves[k];
        return r && r.count >= c && (r.status !== 'ok' || r.drawn === r.count);
      }, [key, c], { timeout: 60000 });
      return wrec();
    };
    await wpanel.scrollIntoViewIfNeeded();
    await wpanel.locator('button.solve').click();
    let w = await wdrawn(1);
    if (w.status !== 'ok') fail(`the 2023 scenario as run did not solve in the page: ${w.message}`);
    fs.writeFileSync(path.join(outDir, 'page_war_initial.json'), JSON.stringify(w.result));
    const wrow = wpanel.locator('table.explorer-shocks tbody tr[data-shock]').nth(Number(flags['war-row'] || 0));
    const wset = async (v) => {
      const c = (await wrec()).count;
      await wrow.locator('input.value').fill(String(v));
      await wrow.locator('input.value').dispatchEvent('change');
      return wdrawn(c + 1);
    };
    const wt = Date.now();
    w = await wset(flags['war-to'] || '20');
    const warEditMs = Date.now() - wt;
    if (w.status !== 'ok') fail(`the edited 2023 scenario did not solve: ${w.message}`);
    const warSolveMs = w.ms_solve;
    fs.writeFileSync(path.join(outDir, 'page_war.json'), JSON.stringify(w.result));
    const wsave = async (name) => {
      const [dl] = await Promise.all([page.waitForEvent('download'), wpanel.locator('button.download-toml').click()]);
      await dl.saveAs(path.join(outDir, name));
    };
    await wsave('whatif_war.toml');
    await wpanel.screenshot({ path: path.join(outDir, 'explorer_war.png') });
    w = await wset('-150');
    if (w.status !== 'invalid') fail(`a -150% tariff was not refused in the 2023 panel (status ${w.status})`);
    const werr = wrow.locator('xpath=following-sibling::tr[1]');
    if (!(await werr.isVisible()) || (await werr.textContent()) !== w.message) {
      fail(`the 2023 refusal is not shown next to its control: '${await werr.textContent()}' vs '${w.message}'`);
    }
    if (await wpanel.locator('.explorer-results').isVisible()) fail('numbers shown for a refused 2023 scenario');
    fs.writeFileSync(path.join(outDir, 'war_bad_message.txt'), w.message);
    await wsave('whatif_war_bad.toml');
    const timingsPath = path.join(outDir, 'timings.json');
    const tj = JSON.parse(fs.readFileSync(timingsPath, 'utf8'));
    tj.war_edit = { solve_ms: warSolveMs, edit_to_numbers_ms: warEditMs };
    fs.writeFileSync(timingsPath, JSON.stringify(tj, null, 1));
  }
} catch (e) {
  if (!problems.includes(e.message)) problems.push(`check_explorer: ${e.message}`);
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
if (problems.length) {
  for (const p of problems) console.error(`check_explorer: ${p}`);
  process.exit(1);
}
console.log('check_explorer: ok');
