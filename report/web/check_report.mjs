// Browser test of a rebalance report.html: Debian's chromium, headless,
// driven by playwright-core (no bundled browser download).
//
//   node check_report.mjs REPORT.html SCREENSHOT.png [EXPECTED.json]
//        [--sections DIR] [--focus USA,CHN,...] [--forbid TEXT,TEXT,...]
//
// Checks, failing with exit code 1 and a message for each problem:
//   - the page loads from file:// with no console error, no uncaught
//     exception and no network request (the report must work offline);
//   - every chart container reports success (window.__rebalanceReport) and
//     holds an SVG with rendered marks; with EXPECTED.json ([{title, rects}]
//     in page order), each chart has exactly that many data rectangles;
//   - every sortable table sorts on a header click: ascending, then
//     descending, with empty cells last, for a numeric and a text column;
// and saves a full-page screenshot. Options (for the briefing of `rebalance
// run`):
//   --sections DIR  a screenshot of each <section> in DIR (NN-title.png);
//   --focus LIST    the report is a briefing: the comparison table
//                   ("Scenarios compared") has exactly these regions as rows;
//                   every scenario section shows its closure (numeraire and
//                   what is held fixed); every numeric table header shows a
//                   unit, also in print; every chart has a visible axis or
//                   legend title with a unit in parentheses; no chart or
//                   table is wider than the page column (nothing cut off);
//   --forbid LIST   none of these strings (e.g. the machine's folders) may
//                   occur in the file, nor any absolute local path;
//   --world2023 N   the default briefing's two worlds: a section "2023: tariff
//                   war (world2023, IMLS 2025 model)" with N tables (one per
//                   scenario) of USA, CHN, non-US, EU and RoW, each followed by
//                   its closure (numeraire, held fixed, tariff revenue, trade
//                   deficits); and every section's first line names its world
//                   ("World: world2011 ...", "World: world2022 ..." or "World: world2023 ...").
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
const [reportPath, screenshotPath, expectedPath] = positional;
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
  // Screenshots of a 1.2 MB page take seconds; on a loaded 2-core machine the full-page one
  // passed 30 s (playwright's default) once. A readiness wait, not a check.
  page.setDefaultTimeout(120000);
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
                             null, { timeout: 90000 }).catch(() => {
    problems.push('charts did not finish rendering within 90 s');
  });
  // The what-if explorer (if the report has one) compiles its WebAssembly module on the main
  // thread once the charts are drawn; until it is set up the page does not paint, and playwright's
  // element screenshots wait for "stable" frames. Wait for it first (a readiness wait: the explorer
  // itself is checked by check_explorer.mjs).
  await page.waitForFunction(() => !window.__rebalanceExplorer || window.__rebalanceExplorer.ready ||
                                   window.__rebalanceExplorer.error,
                             null, { timeout: 120000 }).catch(() => {
    console.log('check_report: the what-if explorer was not set up within 120 s');
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

  // Section screenshots first, before the sorting checks reorder the tables.
  if (flags.sections) {
    fs.mkdirSync(flags.sections, { recursive: true });
    const sections = page.locator('main > section');
    const n = await sections.count();
    for (let i = 0; i < n; ++i) {
      const title = (await sections.nth(i).locator('h2').first().textContent()) || `section ${i + 1}`;
      const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
      const file = path.join(flags.sections, `${String(i + 1).padStart(2, '0')}-${slug}.png`);
      await sections.nth(i).screenshot({ path: file });
      console.log(`check_report: section screenshot ${file}`);
    }
  }

  // Tables: click a numeric and a text header twice each.
  const tableCount = await page.$$eval('table.sortable', (t) => t.length);
  for (let t = 0; t < tableCount; ++t) {
    const table = page.locator('table.sortable').nth(t);
    // With column groups the sortable headers are in the last header row.
    const headerCells = table.locator('thead tr:last-child th');
    const types = await headerCells.evaluateAll((ths) => ths.map((th) => th.dataset.type));
    const numCol = types.indexOf('number');
    const textCol = types.indexOf('text');
    for (const col of [numCol, textCol]) {
      if (col < 0) continue;
      const numeric = types[col] === 'number';
      for (const dir of ['ascending', 'descending']) {
        await headerCells.nth(col).locator('button').click();
        const state = await headerCells.nth(col).getAttribute('aria-sort');
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

  if (flags.focus !== undefined) await checkBriefing(page, flags.focus.split(',').filter(Boolean), problems);
  if (flags.world2023 !== undefined) await checkTwoWorlds(page, Number(flags.world2023), problems);
  if (flags.forbid !== undefined || flags.focus !== undefined) {
    checkNoLocalPaths(fs.readFileSync(reportPath, 'utf8'), (flags.forbid || '').split(',').filter(Boolean),
                      problems);
  }
  fs.mkdirSync(path.dirname(path.resolve(screenshotPath)), { recursive: true });
  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(`check_report: ${charts.length} charts, ${tableCount} tables; screenshot ${screenshotPath}`);
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

// The briefing's content checks (see --focus above).
async function checkBriefing(page, focus, problems) {
  const result = await page.evaluate(() => {
    const out = { comparison: [], numericHeaders: [], closures: [], charts: [] };
    for (const table of document.querySelectorAll('table.sortable')) {
      const caption = table.caption ? table.caption.textContent : '';
      if (caption.startsWith('Scenarios compared')) {
        out.comparison.push({
          caption,
          regions: Array.from(table.tBodies[0].rows, (r) => r.cells[0].textContent.trim()),
          groups: table.tHead.rows.length > 1
            ? Array.from(table.tHead.rows[0].cells, (c) => c.textContent.trim()).filter(Boolean) : [],
        });
      }
      const headers = table.tHead.rows[table.tHead.rows.length - 1].cells;
      for (const th of headers) {
        if (th.dataset.type !== 'number') continue;
        // The unit is under the name (span.unit) or in the name itself
        // ("Output, million USD", "Net exports, % of output", "Rank").
        const unit = th.querySelector('.unit');
        const name = th.querySelector('button').textContent;
        const inName = /%|USD|\brank\b|\bratio\b|\bindex\b/i.test(name);
        out.numericHeaders.push({
          table: caption, column: name,
          unit: unit ? unit.innerText.trim() : (inName ? name : ''),
          shown: unit ? unit.getBoundingClientRect().height > 0 : inName,
        });
      }
    }
    for (const section of document.querySelectorAll('main > section')) {
      const title = section.querySelector('h2').textContent;
      if (!title.startsWith('Scenario: ')) continue;
      const box = section.querySelector('aside.box.closure');
      out.closures.push({ title, text: box ? box.innerText : '' });
    }
    // Nothing may be cut off at the right edge (the welfare chart once lost
    // its last region, ROW, to a horizontal scrollbar and to print).
    out.clipped = [];
    for (const el of document.querySelectorAll('div.vega-chart, div.table-wrap')) {
      if (el.scrollWidth > el.clientWidth + 1) {
        const label = el.matches('div.vega-chart') ? el.id
          : `table "${(el.querySelector('caption') || {}).textContent || ''}"`;
        out.clipped.push(`${label}: ${el.scrollWidth}px wide in a ${el.clientWidth}px column`);
      }
    }
    for (const el of document.querySelectorAll('div.vega-chart')) {
      const titles = Array.from(el.querySelectorAll('svg g.role-axis-title text, svg g.role-legend-title text'),
                                (t) => t.textContent);
      out.charts.push({ id: el.id, titles });
    }
    return out;
  });
  // The comparison may be split over several tables (a few scenarios each);
  // each has every focus region, and together they cover every scenario.
  const scenarioSections = result.closures.map((c) => c.title.replace(/^Scenario: /, ''));
  if (result.comparison.length === 0) {
    problems.push('briefing: no comparison table (caption "Scenarios compared ...")');
  }
  const compared = [];
  for (const t of result.comparison) {
    const got = t.regions;
    for (const c of focus) if (!got.includes(c)) problems.push(`briefing: ${t.caption}: focus region ${c} missing`);
    if (got.length !== focus.length) problems.push(`briefing: ${t.caption}: rows ${got.join(',')}, expected ${focus.join(',')}`);
    if (t.groups.length === 0) problems.push(`briefing: ${t.caption}: no scenario column groups`);
    compared.push(...t.groups);
    console.log(`check_report: ${t.caption}: ${got.length} regions x ${t.groups.length} scenarios`);
  }
  for (const s of scenarioSections) {
    if (!compared.includes(s)) problems.push(`briefing: scenario "${s}" is in no comparison table`);
  }
  for (const h of result.numericHeaders) {
    if (!h.unit || !h.shown) problems.push(`briefing: table "${h.table}", column "${h.column}": no visible unit in the header`);
  }
  for (const c of result.clipped) problems.push(`briefing: cut off at the right edge: ${c}`);
  if (result.closures.length === 0) problems.push('briefing: no scenario sections');
  for (const c of result.closures) {
    if (!/Numeraire/.test(c.text) || !/Held fixed/.test(c.text)) {
      problems.push(`briefing: ${c.title}: no closure (numeraire, held fixed) shown`);
    }
  }
  const unitInTitle = /\((%|[^)]*(USD|%)[^)]*)\)/;
  for (const c of result.charts) {
    if (!c.titles.some((t) => unitInTitle.test(t))) {
      problems.push(`briefing: ${c.id}: no axis or legend title with a unit (titles: ${c.titles.join(' | ')})`);
    }
  }
  // Units must survive printing: the header units stay displayed in print.
  await page.emulateMedia({ media: 'print' });
  const hiddenInPrint = await page.$$eval('table.sortable th .unit', (units) =>
    units.filter((u) => getComputedStyle(u).display === 'none' || u.getBoundingClientRect().height === 0).length);
  if (hiddenInPrint > 0) problems.push(`briefing: ${hiddenInPrint} header units hidden in print`);
  await page.emulateMedia({ media: 'screen' });
}

// The 2023 part of the default briefing, and a world named under every
// section title (see --world2023 above).
async function checkTwoWorlds(page, scenarios, problems) {
  // The provenance list (section#provenance) holds the sources of both worlds.
  const info = await page.$$eval('main > section:not(#provenance)', (secs) => secs.map((sec) => {
    const first = sec.querySelector(':scope > p');
    return {
      title: sec.querySelector('h2').textContent,
      world: first ? first.textContent : '',
      tables: Array.from(sec.querySelectorAll('table.sortable'), (t) => ({
        caption: t.caption ? t.caption.textContent : '',
        rows: Array.from(t.tBodies[0].rows, (r) => r.cells[0].textContent.trim()),
        headers: Array.from(t.tHead.rows[t.tHead.rows.length - 1].cells, (c) => c.innerText.replace(/\s+/g, ' ').trim()),
      })),
      closures: Array.from(sec.querySelectorAll('aside.box.closure'), (b) => b.innerText),
    };
  }));
  for (const s of info) {
    if (!/^World: world(2011|2022|2023)\b/.test(s.world)) {
      problems.push(`two worlds: section "${s.title}" does not name its world first (got "${s.world.slice(0, 60)}")`);
    }
  }
  const part = info.filter((s) => s.title === '2023: tariff war (world2023, IMLS 2025 model)');
  if (part.length !== 1) {
    problems.push(`two worlds: ${part.length} sections "2023: tariff war (world2023, IMLS 2025 model)", expected 1`);
    return;
  }
  const sec = part[0];
  if (!sec.world.startsWith('World: world2023')) problems.push(`two worlds: the 2023 section names "${sec.world}"`);
  if (sec.tables.length !== scenarios) problems.push(`two worlds: ${sec.tables.length} tables in the 2023 section, expected ${scenarios}`);
  if (sec.closures.length !== scenarios) problems.push(`two worlds: ${sec.closures.length} closures in the 2023 section, expected ${scenarios}`);
  const want = ['USA', 'CHN', 'non-US', 'EU', 'RoW'];
  const needHeaders = ['Welfare', 'Trade deficit', 'Exports/GDP', 'Imports/GDP', 'Employment', 'Consumer prices', 'Tariff revenue'];
  for (const t of sec.tables) {
    // The sorting checks above have reordered the rows: compare as sets.
    const got = t.rows.map((r) => r.split(' ')[0]).sort();
    if (got.join(',') !== [...want].sort().join(',')) problems.push(`two worlds: table "${t.caption}": rows ${got.join(',')}, expected ${want.join(',')}`);
    for (const h of needHeaders) {
      if (!t.headers.some((x) => x.startsWith(h))) problems.push(`two worlds: table "${t.caption}": no column ${h}`);
    }
    if (!t.headers.some((x) => /^Trade deficit.*% change of imports - exports/.test(x))) {
      problems.push(`two worlds: table "${t.caption}": the deficit header does not state its definition and unit`);
    }
  }
  for (const c of sec.closures) {
    for (const k of ['Numeraire', 'Held fixed', 'Tariff revenue', 'Trade deficits']) {
      if (!c.includes(k)) problems.push(`two worlds: a 2023 closure box lacks "${k}"`);
    }
  }
  console.log(`check_report: two worlds: ${info.length} sections named; 2023 section with ${sec.tables.length} tables`);
}

// No absolute local path in the file: the given strings, and anything that
// looks like a Unix home, temporary or system folder or a Windows drive.
function checkNoLocalPaths(text, forbidden, problems) {
  for (const f of forbidden) {
    if (f && text.includes(f)) problems.push(`the report contains the local path ${f}`);
  }
  const re = /(^|[\s"'(>=:,])(\/(home|tmp|work|root|Users|var|opt|mnt|srv|usr\/local)\/[^\s"'<)]*|[A-Za-z]:\\[^\s"'<]+)/g;
  const seen = new Set();
  for (const m of text.matchAll(re)) {
    if (seen.size < 5 && !seen.has(m[2])) problems.push(`the report contains an absolute path: ${m[2]}`);
    seen.add(m[2]);
  }
}

if (problems.length) {
  for (const p of problems) console.error(`check_report: FAIL: ${p}`);
  process.exit(1);
}
console.log('check_report: OK');
