// Browser test of a rebalance report.html: Debian's chromium, headless,
// driven by playwright-core (no bundled browser download).
//
//   node check_report.mjs REPORT.html SCREENSHOT.png [EXPECTED.json]
//
// Checks, failing with exit code 1 and a message for each problem:
//   - the page loads from file:// with no console error, no uncaught
//     exception and no network request (the report must work offline);
//   - every chart container reports success (window.__rebalanceReport) and
//     holds an SVG with rendered marks; with EXPECTED.json ([{title, rects}]
//     in page order), each chart has exactly that many data rectangles;
//   - every sortable table sorts on a header click: ascending, then
//     descending, with empty cells last, for a numeric and a text column;
// and saves a full-page screenshot.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [reportPath, screenshotPath, expectedPath] = process.argv.slice(2);
if (!reportPath || !screenshotPath) {
  console.error('usage: node check_report.mjs REPORT.html SCREENSHOT.png [EXPECTED.json]');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(executablePath)) {
  console.error(`check_report: ${executablePath} not found; install Debian's chromium ` +
                '(scripts/setup.sh does: apt-get install chromium)');
  process.exit(1);
}

const problems = [];
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rebalance-chromium-'));
// A fresh profile directory per run (playwright passes it as --user-data-dir).
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = context.pages()[0] || await context.newPage();
  const reportUrl = pathToFileURL(path.resolve(reportPath)).href;
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    else if (msg.type() === 'warning') console.log(`check_report: console warning: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('request', (req) => {
    if (req.url() !== reportUrl && !req.url().startsWith('data:') && !req.url().startsWith('blob:')) {
      problems.push(`network request from an offline report: ${req.url()}`);
    }
  });

  await page.goto(reportUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__rebalanceReport && window.__rebalanceReport.done,
                             null, { timeout: 30000 }).catch(() => {
    problems.push('charts did not finish rendering within 30 s');
  });

  // Charts: status object, then the rendered SVG in every container.
  const status = await page.evaluate(() => window.__rebalanceReport || null);
  if (!status) {
    problems.push('window.__rebalanceReport missing: the page script did not run');
  } else {
    if (status.charts === 0) problems.push('the report has no charts');
    if (status.rendered !== status.charts) {
      problems.push(`${status.rendered} of ${status.charts} charts rendered`);
    }
    for (const e of status.errors) problems.push(`chart error: ${e}`);
  }
  const charts = await page.$$eval('div.vega-chart', (nodes) => nodes.map((el) => {
    const figure = el.closest('figure');
    const caption = figure && figure.querySelector('figcaption');
    return {
      id: el.id,
      title: caption ? caption.textContent : el.id,
      svg: el.querySelectorAll('svg').length,
      // Vega's SVG renderer draws each bar / cell as a <path> inside a
      // <g class="mark-rect role-mark ...">; legends and axes use other roles.
      rects: el.querySelectorAll('svg g.mark-rect.role-mark path').length,
      marks: el.querySelectorAll('svg g.role-mark > *').length,
    };
  }));
  for (const c of charts) {
    if (c.svg === 0) problems.push(`${c.id} (${c.title}): no SVG rendered`);
    if (c.marks === 0) problems.push(`${c.id} (${c.title}): no marks rendered`);
    console.log(`check_report: ${c.id} "${c.title}": ${c.rects} rect marks, ${c.marks} marks`);
  }
  if (expectedPath) {
    const expected = JSON.parse(fs.readFileSync(expectedPath, 'utf8'));
    if (expected.length !== charts.length) {
      problems.push(`expected ${expected.length} charts, the page has ${charts.length}`);
    }
    expected.forEach((e, i) => {
      const c = charts[i];
      if (!c) return;
      if (c.title !== e.title) problems.push(`chart ${i + 1}: title "${c.title}", expected "${e.title}"`);
      if (c.rects !== e.rects) {
        problems.push(`chart ${i + 1} (${e.title}): ${c.rects} rect marks, expected ${e.rects}`);
      }
    });
  }

  // Tables: click a numeric and a text header twice each.
  const tableCount = await page.$$eval('table.sortable', (t) => t.length);
  for (let t = 0; t < tableCount; ++t) {
    const table = page.locator('table.sortable').nth(t);
    const types = await table.locator('thead th').evaluateAll((ths) => ths.map((th) => th.dataset.type));
    const numCol = types.indexOf('number');
    const textCol = types.indexOf('text');
    for (const col of [numCol, textCol]) {
      if (col < 0) continue;
      const numeric = types[col] === 'number';
      for (const dir of ['ascending', 'descending']) {
        await table.locator('thead th').nth(col).locator('button').click();
        const state = await table.locator('thead th').nth(col).getAttribute('aria-sort');
        const keys = await table.locator('tbody tr').evaluateAll((rows, c) => rows.map((r) => {
          const cell = r.cells[c];
          return cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent.trim();
        }), col);
        const where = `table ${t + 1}, column ${col + 1} (${dir})`;
        if (state !== dir) problems.push(`${where}: aria-sort is ${state}`);
        if (keys.length < 2) problems.push(`${where}: fewer than 2 rows, sorting not exercised`);
        const firstEmpty = keys.indexOf('');
        if (firstEmpty >= 0 && keys.slice(firstEmpty).some((k) => k !== '')) {
          problems.push(`${where}: empty cells are not all last`);
        }
        const filled = firstEmpty >= 0 ? keys.slice(0, firstEmpty) : keys;
        const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
        for (let i = 1; i < filled.length; ++i) {
          const d = numeric ? parseFloat(filled[i - 1]) - parseFloat(filled[i])
                            : collator.compare(filled[i - 1], filled[i]);
          if ((dir === 'ascending' && d > 0) || (dir === 'descending' && d < 0)) {
            problems.push(`${where}: rows ${i} and ${i + 1} out of order ` +
                          `(${filled[i - 1]} then ${filled[i]})`);
            break;
          }
        }
      }
    }
  }
  if (tableCount === 0) console.log('check_report: no sortable tables on the page');

  fs.mkdirSync(path.dirname(path.resolve(screenshotPath)), { recursive: true });
  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(`check_report: ${charts.length} charts, ${tableCount} tables; screenshot ${screenshotPath}`);
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

if (problems.length) {
  for (const p of problems) console.error(`check_report: FAIL: ${p}`);
  process.exit(1);
}
console.log('check_report: OK');
