// The what-if explorer in report.html (see explorer_page.h and
// include/rebalance/report/explorer.h). The page turns a scenario's controls
// into a scenario file (TOML, docs/scenarios.md), hands it to the
// WebAssembly module, which parses, checks and solves it with the library's
// own code, and draws the answer: charts from the same Vega-Lite builders as
// the report, tables of the same variables. An invalid value is shown next to
// its control with the library's message; a solve that does not converge
// shows that and hides the numbers. The scenario file and the results can be
// downloaded; `rebalance run whatif.toml` reproduces the numbers.
#include "explorer_page.h"

#include <fmt/format.h>

#include "rebalance/report/html.h"

namespace rebalance::report::internal {
namespace {

constexpr const char* kCss = R"CSS(
.explorer { border: 1px solid var(--line); border-top: 3px solid var(--accent); padding: .6rem 1rem;
            margin: 1.5rem 0; background: #fbfcfe; }
.explorer h3 { font-size: 1.05rem; margin: .2rem 0 .4rem; }
.explorer .explorer-missing { color: #8a4b00; }
.explorer table.explorer-shocks { border-collapse: collapse; font-size: .85rem; margin: .4rem 0; }
.explorer table.explorer-shocks th, .explorer table.explorer-shocks td { padding: .2rem .35rem;
            border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
.explorer select, .explorer input { font: inherit; font-size: .85rem; max-width: 11rem; }
.explorer input.value { width: 6.5rem; text-align: right; }
.explorer input[aria-invalid="true"] { border: 2px solid #b00020; }
.explorer .explorer-error { color: #b00020; font-size: .82rem; max-width: 60rem; }
.explorer .explorer-buttons { display: flex; flex-wrap: wrap; gap: .4rem; margin: .4rem 0; }
.explorer button { font: inherit; font-size: .85rem; padding: .2rem .6rem; cursor: pointer; }
.explorer .explorer-status { font-size: .88rem; color: var(--muted); margin: .3rem 0; }
.explorer .explorer-status.bad { color: #b00020; font-weight: 600; }
.explorer .explorer-results[hidden] { display: none; }
.explorer .explorer-chart, .explorer .explorer-table-wrap { overflow-x: auto; max-width: 100%; margin: .8rem 0; }
.explorer table.explorer-table { border-collapse: collapse; font-size: .85rem; font-variant-numeric: tabular-nums; }
.explorer table.explorer-table caption { text-align: left; font-weight: 600; padding: 0 0 .3rem; }
.explorer table.explorer-table th, .explorer table.explorer-table td { padding: .25rem .5rem;
            border-bottom: 1px solid var(--line); }
.explorer table.explorer-table thead th { background: var(--head); text-align: left; vertical-align: bottom; }
.explorer table.explorer-table th.num, .explorer table.explorer-table td.num { text-align: right; }
.explorer table.explorer-table th .unit { display: block; font-weight: 400; font-size: .8rem; color: var(--muted); }
@media print { .explorer .explorer-buttons, .explorer table.explorer-shocks button { display: none; } }
)CSS";

constexpr const char* kScript = R"JS(
(function () {
  'use strict';
  var state = { ready: false, error: null, solves: {}, panels: {} };
  window.__rebalanceExplorer = state;
  var dataEl = document.getElementById('explorer-data');
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var B = data.baseline;
  var W = data.tariff_war || null;  // the one-sector 2023 part, when the report has it
  var FILE = 'whatif.toml';
  var money = B.currency_unit === 'million USD' ? { scale: 1e-3, label: 'bn USD' }
                                                : { scale: 1, label: B.currency_unit };
  var panels = Array.prototype.slice.call(document.querySelectorAll('div.explorer[data-scenario]'));
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function failAll(message) {
    state.error = message;
    panels.forEach(function (p) {
      var s = p.querySelector('.explorer-status');
      if (s) { s.textContent = 'The what-if explorer could not start: ' + message; s.className = 'explorer-status bad'; }
    });
    console.error('rebalance explorer: ' + message);
  }
  if (typeof RebalanceExplorer !== 'function') { failAll('its WebAssembly module is missing from this page'); return; }

  // Kinds of shock: their selectors and how a value is shown (display) and
  // written to the scenario file (fraction or factor).
  var PCT = { toShow: function (v) { return v * 100; }, fromShow: function (v) { return v / 100; } };
  var RAW = { toShow: function (v) { return v; }, fromShow: function (v) { return v; } };
  var KINDS = {
    tariff: { label: 'Tariff', who: ['importer', 'exporter'], sector: true,
      modes: { add: ['change by', 'pp', PCT], set: ['set to', '%', PCT], multiply: ['multiply 1+t by', '×', RAW] } },
    iceberg: { label: 'Trade cost (iceberg)', who: ['importer', 'exporter'], sector: true,
      modes: { factor: ['multiply cost by', '×', RAW] } },
    productivity: { label: 'Productivity', who: ['country'], sector: true,
      modes: { efficiency: ['efficiency change', '%', PCT], lambda_hat: ['technology factor λ̂', '×', RAW] } },
    production_subsidy: { label: 'Production subsidy', who: ['country'], sector: true,
      modes: { rate: ['set rate to', '%', PCT], add: ['change rate by', 'pp', PCT] } },
    export_subsidy: { label: 'Export subsidy', who: ['country'], sector: true,
      modes: { rate: ['set rate to', '%', PCT], add: ['change rate by', 'pp', PCT] } },
    deficit: { label: 'Trade deficit target', who: ['country'], sector: false,
      modes: { bn_usd: ['target', 'bn USD', RAW], multiply: ['multiple of base-year deficit', '×', RAW],
               share_of_gdp: ['target', '% of GDP', PCT], mn_usd: ['target', 'mn USD', RAW],
               share_of_world_gdp: ['target', '% of world GDP', PCT] } },
    deficits: { label: 'All trade deficits', who: [], sector: false, modes: { zero: ['set to zero', '', RAW] } },
    theta: { label: 'Trade elasticity θ', who: [], sector: true,
      modes: { multiply: ['multiply θ by', '×', RAW] } }
  };
  // The tariff_war model (one goods sector): tariffs by importer and exporter,
  // and rates from a schedule of the baseline (at least `floor`).
  var WAR_KINDS = {
    tariff: { label: 'Tariff', who: ['importer', 'exporter'], sector: false,
      modes: { add: ['change by', 'pp', PCT], set: ['set to', '%', PCT], multiply: ['multiply 1+t by', '×', RAW] } },
    tariff_schedule: { label: 'Tariff schedule', who: ['importer', 'exporter'], sector: false,
      modes: { floor: ['schedule, at least', '%', PCT] } }
  };
  var countryOptions = ['*'].concat(Object.keys(data.country_groups || {}), B.countries);
  var warGroups = {};
  if (W) {
    Object.keys(W.world.groups).forEach(function (g) { warGroups[g] = W.world.groups[g]; });
    Object.keys(W.country_groups || {}).forEach(function (g) { warGroups[g] = W.country_groups[g]; });
  }
  var warCountryOptions = W ? ['*'].concat(Object.keys(warGroups), W.world.countries) : [];
  var sectorOptions = ['*'].concat(Object.keys(data.sector_groups || {}), B.sectors);
  function optionLabel(v, sector, groups) {
    if (v === '*') return sector ? (sector === 'all' ? '* (all sectors)' : '* (all tradable sectors)') : '* (all)';
    groups = groups || (sector ? data.sector_groups : data.country_groups);
    if (groups && groups[v]) return v + ' (group: ' + groups[v].join(', ') + ')';
    return v;
  }
  function select(options, value, sector, groups) {
    var s = el('select');
    options.forEach(function (o) { var opt = el('option', { value: o }, optionLabel(o, sector, groups)); s.appendChild(opt); });
    if (options.indexOf(value) < 0) s.appendChild(el('option', { value: value }, value));
    s.value = value;
    return s;
  }
  function tomlString(s) { return JSON.stringify(String(s)); }
  function tomlNumber(v) {
    if (typeof v === 'number' && isFinite(v)) return String(v);
    return String(v).trim() === '' ? '""' : String(v).trim();  // the parser names what is wrong
  }
  function shockToml(r, K) {
    var k = (K || KINDS)[r.kind], f = [];
    if (r.kind === 'deficits') return '{ deficits = "zero" }';
    if (r.kind === 'tariff_schedule') {
      f = ['importer = ' + tomlString(r.importer), 'exporter = ' + tomlString(r.exporter),
           'schedule = ' + tomlString(r.schedule), 'floor = ' + tomlNumber(r.value)];
      if (r.mirror) f.push('mirror = true');
      return '{ tariff_schedule = { ' + f.join(', ') + ' } }';
    }
    k.who.forEach(function (w) { f.push(w + ' = ' + tomlString(r[w])); });
    if (k.sector) f.push('sectors = ' + tomlString(r.sector));
    if (r.kind === 'deficit') {
      if (r.mode === 'multiply') f.push('multiply = ' + tomlNumber(r.value));
      else { f.push('target = ' + tomlNumber(r.value)); f.push('unit = ' + tomlString(r.mode)); }
      if (r.residual) f.push('residual = ' + tomlString(r.residual));
    } else {
      f.push(r.mode + ' = ' + tomlNumber(r.value));
    }
    if (r.allow_extreme) f.push('allow_extreme = true');
    return '{ ' + r.kind + ' = { ' + f.join(', ') + ' } }';
  }
  // The scenario file of a tariff_war panel: world2023 and the run's [model].
  function warToml(p) {
    var out = [], lines = [];
    out.push('# Edited in the what-if explorer of a rebalance report; run it with');
    out.push('#   rebalance run ' + FILE);
    out.push('title = ' + tomlString(W.title + ' (what-if)'));
    out.push('');
    out.push('[baseline]');
    out.push('builtin = "world2023"');
    out.push('');
    out.push('[model]');
    out.push('type = "tariff_war"');
    Object.keys(W.model).forEach(function (k) {
      var v = W.model[k];
      out.push(k + ' = ' + (typeof v === 'string' ? tomlString(v) : String(v)));
    });
    var names = Object.keys(W.country_groups || {});
    if (names.length) {
      out.push('');
      out.push('[groups.countries]');
      names.forEach(function (n) { out.push(tomlString(n) + ' = [' + W.country_groups[n].map(tomlString).join(', ') + ']'); });
    }
    out.push('');
    out.push('[[scenario]]');
    out.push('name = ' + tomlString(p.scenario.name));
    out.push('description = ' + tomlString('Edited in the what-if explorer of a rebalance report. As run: ' +
                                           p.scenario.description));
    out.push('shocks = [');
    p.rows.forEach(function (r) { out.push('  ' + shockToml(r, WAR_KINDS) + ','); lines.push(out.length); });
    out.push(']');
    return { text: out.join('\n') + '\n', lines: lines };
  }
  // The scenario file of a panel; `lines[i]` is the line of shock i.
  function buildToml(p) {
    if (p.war) return warToml(p);
    var out = [], lines = [];
    out.push('# Edited in the what-if explorer of a rebalance report; run it with');
    out.push('#   rebalance run ' + FILE);
    if (!data.builtin) out.push('# Put the baseline files named below beside this file.');
    out.push('title = ' + tomlString(data.title + ' (what-if)'));
    out.push('');
    out.push('[baseline]');
    Object.keys(data.source).forEach(function (k) {
      var v = data.source[k];
      out.push(k + ' = ' + (typeof v === 'string' ? tomlString(v) : String(v)));
    });
    out.push('');
    out.push('[model]');
    out.push('type = "multisector"');
    [['countries', data.country_groups], ['sectors', data.sector_groups]].forEach(function (g) {
      var names = Object.keys(g[1] || {});
      if (!names.length) return;
      out.push('');
      out.push('[groups.' + g[0] + ']');
      names.forEach(function (n) { out.push(tomlString(n) + ' = [' + g[1][n].map(tomlString).join(', ') + ']'); });
    });
    out.push('');
    out.push('[[scenario]]');
    out.push('name = ' + tomlString(p.scenario.name));
    out.push('description = ' + tomlString('Edited in the what-if explorer of a rebalance report. As run: ' +
                                           p.scenario.description));
    out.push('shocks = [');
    p.rows.forEach(function (r) { out.push('  ' + shockToml(r) + ','); lines.push(out.length); });
    out.push(']');
    return { text: out.join('\n') + '\n', lines: lines };
  }

  function fmtNum(v, d, sign) {
    if (v === null || v === undefined || !isFinite(v)) return '';
    var s = v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
    return sign && v > 0 ? '+' + s : s;
  }
  function table(caption, cols, rows) {
    var t = el('table', { 'class': 'explorer-table' });
    t.appendChild(el('caption', null, caption));
    var thead = el('thead'), tr = el('tr');
    cols.forEach(function (c) {
      var th = el('th', c.num ? { 'class': 'num', scope: 'col' } : { scope: 'col' }, c.name);
      if (c.unit) th.appendChild(el('span', { 'class': 'unit' }, c.unit));
      tr.appendChild(th);
    });
    thead.appendChild(tr); t.appendChild(thead);
    var tb = el('tbody');
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (v, i) {
        var c = cols[i];
        if (c.num) {
          var td = el('td', { 'class': 'num', 'data-value': v === null ? '' : String(v) },
                      v === null ? '' : fmtNum(v * (c.scale || 1), c.d, c.sign));
          row.appendChild(td);
        } else row.appendChild(el('td', null, v));
      });
      tb.appendChild(row);
    });
    t.appendChild(tb);
    var wrap = el('div', { 'class': 'explorer-table-wrap' });
    wrap.appendChild(t);
    return wrap;
  }

  var api = null;
  function csvField(v) {
    var s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function resultsCsv(res) {
    var out = ['scenario,country,partner,sector,variable,unit,baseline,counterfactual,pct_change'];
    res.rows.forEach(function (r) {
      out.push([res.scenario, r[0], '', r[1], r[2], r[3], r[4], r[5], r[6]].map(csvField).join(','));
    });
    return out.join('\n') + '\n';
  }
  function download(name, text, type) {
    var a = el('a', { href: URL.createObjectURL(new Blob([text], { type: type })), download: name });
    document.body.appendChild(a); a.click(); a.remove();
  }

  function setup(panel) {
    var index = +panel.dataset.scenario;
    var war = panel.dataset.model === 'tariff_war';
    var K = war ? WAR_KINDS : KINDS;
    var cOpts = war ? warCountryOptions : countryOptions;
    var cGroups = war ? warGroups : data.country_groups;
    var sc = (war ? W : data).scenarios[index];
    var key = war ? 'war' + index : index;  // tariff_war panels: state.solves['war0'], ...
    var p = { scenario: sc, rows: [], result: null, count: 0, war: war };
    state.panels[key] = p;
    var rec = state.solves[key] = { count: 0, status: null, ms_solve: null, ms_total: null };
    var head = panel.querySelector('.explorer-body');
    head.textContent = '';
    var shocksTable = el('table', { 'class': 'explorer-shocks' });
    var thr = el('tr');
    ['Shock', 'Who', '', 'Sectors', 'How', 'Value', ''].forEach(function (h) { thr.appendChild(el('th', { scope: 'col' }, h)); });
    var thead = el('thead'); thead.appendChild(thr); shocksTable.appendChild(thead);
    var tbody = el('tbody'); shocksTable.appendChild(tbody);
    head.appendChild(shocksTable);
    var buttons = el('div', { 'class': 'explorer-buttons' });
    function button(text, fn, cls) { var b = el('button', { type: 'button', 'class': cls || '' }, text); b.addEventListener('click', fn); buttons.appendChild(b); return b; }
    button('Solve', function () { solveNow(); }, 'solve');
    if (war) button('Add tariff', function () { p.rows.push({ kind: 'tariff', importer: 'USA', exporter: 'CHN', mode: 'add', value: 0.1 }); redraw(); });
    if (!war) button('Add tariff', function () { p.rows.push({ kind: 'tariff', importer: B.countries[0], exporter: B.countries[1], sector: '*', mode: 'add', value: 0.1 }); redraw(); });
    if (!war) button('Add production subsidy', function () { p.rows.push({ kind: 'production_subsidy', country: B.countries[0], sector: B.sectors[0], mode: 'rate', value: 0.1 }); redraw(); });
    if (!war) button('Add deficit target', function () { p.rows.push({ kind: 'deficit', country: B.countries[0], mode: 'multiply', value: 0.5, residual: 'proportional' }); redraw(); });
    if (!war) button('Add θ scaling', function () { p.rows.push({ kind: 'theta', sector: '*', mode: 'multiply', value: 1 }); redraw(); }, 'add-theta');
    button('Reset', function () { reset(); redraw(); }, 'reset');
    button('Download scenario (TOML)', function () { download(FILE, buildToml(p).text, 'application/toml'); }, 'download-toml');
    button('Download results (CSV)', function () { if (p.result) download('whatif_results.csv', resultsCsv(p.result), 'text/csv'); }, 'download-csv');
    head.appendChild(buttons);
    var status = panel.querySelector('.explorer-status');
    status.textContent = 'Ready: press Solve, or change a value, to re-solve this scenario in your browser.';
    var results = el('div', { 'class': 'explorer-results' });
    head.appendChild(results);

    function reset() { p.rows = JSON.parse(JSON.stringify(sc.shocks)); }
    function rowControls(r, i) {
      var k = K[r.kind];
      var tr = el('tr', { 'data-shock': String(i) });
      tr.appendChild(el('td', null, k.label + (r.schedule ? ' ' + r.schedule + (r.mirror ? ' (mirrored: the importer\'s own rate)' : '') : '')));
      [0, 1].forEach(function (w) {
        var td = el('td');
        var who = k.who[w];
        if (who) {
          var s = select(cOpts, r[who], false, cGroups);
          s.setAttribute('aria-label', who); s.className = who;
          s.addEventListener('change', function () { r[who] = s.value; solveNow(); });
          td.appendChild(el('span', null, who + ' '));
          td.appendChild(s);
        }
        tr.appendChild(td);
      });
      var tds = el('td');
      if (k.sector) {
        var ss = select(sectorOptions, r.sector, r.kind === 'theta' ? 'all' : true);
        ss.setAttribute('aria-label', 'sectors'); ss.className = 'sector';
        ss.addEventListener('change', function () { r.sector = ss.value; solveNow(); });
        tds.appendChild(ss);
      }
      tr.appendChild(tds);
      var tdm = el('td'), modes = Object.keys(k.modes);
      var ms = el('select', { 'aria-label': 'how', 'class': 'mode' });
      modes.forEach(function (m) { ms.appendChild(el('option', { value: m }, k.modes[m][0] + (k.modes[m][1] ? ' (' + k.modes[m][1] + ')' : ''))); });
      ms.value = r.mode;
      tdm.appendChild(ms);
      tr.appendChild(tdm);
      var tdv = el('td');
      var input = null;
      if (r.kind !== 'deficits') {
        var conv = k.modes[r.mode][2];
        input = el('input', { type: 'text', inputmode: 'decimal', 'class': 'value', 'aria-label': 'value' });
        input.value = typeof r.value === 'number' ? String(+conv.toShow(r.value).toPrecision(12)) : String(r.value);
        tdv.appendChild(input);
        tdv.appendChild(el('span', null, ' ' + k.modes[r.mode][1]));
        input.addEventListener('change', function () {
          var t = input.value.trim(), v = Number(t);
          r.value = t !== '' && isFinite(v) ? K[r.kind].modes[r.mode][2].fromShow(v) : t;
          solveNow();
        });
      }
      ms.addEventListener('change', function () {
        var old = k.modes[r.mode][2], shown = typeof r.value === 'number' ? old.toShow(r.value) : r.value;
        r.mode = ms.value;
        if (typeof shown === 'number') r.value = k.modes[r.mode][2].fromShow(shown);
        redraw();
      });
      tr.appendChild(tdv);
      var tdx = el('td');
      var rm = el('button', { type: 'button', 'aria-label': 'remove this shock', title: 'remove this shock' }, '×');
      rm.addEventListener('click', function () { p.rows.splice(i, 1); redraw(); });
      tdx.appendChild(rm);
      tr.appendChild(tdx);
      var err = el('tr', { 'class': 'explorer-error-row', hidden: '' });
      var errTd = el('td', { colspan: '7', 'class': 'explorer-error', role: 'alert' });
      err.appendChild(errTd);
      return { row: tr, err: err, errTd: errTd, input: input };
    }
    var controls = [];
    function renderRows() {
      tbody.textContent = '';
      controls = p.rows.map(function (r, i) {
        var c = rowControls(r, i);
        tbody.appendChild(c.row); tbody.appendChild(c.err);
        return c;
      });
    }
    function redraw() {
      renderRows();
      solveNow();
    }
    function clearErrors() {
      controls.forEach(function (c) { c.err.hidden = true; c.errTd.textContent = ''; if (c.input) c.input.removeAttribute('aria-invalid'); });
    }
    function showError(message, toml) {
      // The shock the message names: by key (shocks[K]) or by the line of
      // the scenario file it points at.
      var at = -1, m = /scenario\[0\]\.shocks\[(\d+)\]/.exec(message);
      if (m) at = +m[1];
      else {
        var l = new RegExp(FILE.replace('.', '\\.') + ':(\\d+):').exec(message);
        if (l) at = toml.lines.indexOf(+l[1]);
      }
      if (at >= 0 && at < controls.length) {
        var c = controls[at];
        c.err.hidden = false; c.errTd.textContent = message;
        if (c.input) c.input.setAttribute('aria-invalid', 'true');
      }
      status.textContent = (at >= 0 ? 'Refused (see the shock marked in red): ' : 'Refused: ') + message;
      status.className = 'explorer-status bad';
    }
    var pending = Promise.resolve();
    function solveNow() {
      var toml = buildToml(p);
      clearErrors();
      var t0 = performance.now();
      var res = p.rows.length ? (war ? api.solveWar(toml.text) : api.solve(toml.text))
                              : { status: 'invalid', message: FILE + ': key \'scenario[0].shocks\': a scenario needs at least one shock', shock: -1 };
      var t1 = performance.now();
      rec.count += 1; rec.status = res.status; rec.ms_solve = t1 - t0; rec.toml = toml.text;
      rec.message = res.message || null;
      if (res.status !== 'ok') {
        p.result = null; rec.result = null;
        results.hidden = true;
        if (res.status === 'invalid') showError(res.message, toml);
        else {
          status.textContent = (res.status === 'not_converged' ? 'Not converged: no numbers are shown. ' : 'Error: ') + res.message;
          status.className = 'explorer-status bad';
        }
        rec.ms_total = performance.now() - t0;
        return pending;
      }
      p.result = res; rec.result = res;
      results.hidden = false;
      results.textContent = '';
      if (war) {
        drawWar(res);
        rec.ms_total = performance.now() - t0;
        rec.drawn = rec.count;
        status.className = 'explorer-status';
        status.textContent = 'Re-solved in this browser in ' + rec.ms_solve.toFixed(0) + ' ms (' + res.brief + ').';
        return pending;
      }
      var charts = [];
      [['Welfare by region (% change in real income), edited scenario', res.welfare],
       ['Sectoral output changes (% change in gross output), edited scenario', res.heatmap]].forEach(function (c) {
        var fig = el('figure', { 'class': 'chart' });
        fig.appendChild(el('figcaption', null, c[0]));
        var div = el('div', { 'class': 'explorer-chart' });
        fig.appendChild(div); results.appendChild(fig);
        charts.push(vegaEmbed(div, c[1], { mode: 'vega-lite', renderer: 'svg',
          actions: { export: true, source: true, compiled: false, editor: false } }));
      });
      var by = {};
      res.rows.forEach(function (r) { if (!r[1]) by[r[0] + '|' + r[2]] = r; });
      function pct(c, v) { var r = by[c + '|' + v]; return r ? r[6] : null; }
      function lvl(c, v, cf) { var r = by[c + '|' + v]; return r ? r[cf ? 5 : 4] : null; }
      var regionRows = B.countries.map(function (c) {
        return [c, pct(c, 'welfare'), pct(c, 'real_wage'), pct(c, 'consumer_price_index'), pct(c, 'exports'),
                pct(c, 'imports'), lvl(c, 'trade_balance', false), lvl(c, 'trade_balance', true),
                lvl(c, 'tariff_revenue', true), lvl(c, 'subsidy_cost', true)];
      });
      if (res.pairs.length) {
        results.appendChild(table('Exports of the targeted pairs (producer prices, net of tariffs), edited scenario', [
          { name: 'Exporter' }, { name: 'Importer' }, { name: 'Sector' },
          { name: 'Base year', num: true, d: 1, scale: money.scale, unit: money.label },
          { name: 'Scenario', num: true, d: 1, scale: money.scale, unit: money.label },
          { name: 'Change', num: true, d: 1, sign: true, unit: '%' }],
          res.pairs.map(function (q) { return [q[0], q[1], q[2], q[3], q[4], q[3] > 0 ? 100 * (q[4] - q[3]) / q[3] : null]; })));
      }
      results.appendChild(table('Results by region, edited scenario', [
        { name: 'Region' }, { name: 'Welfare', num: true, d: 3, sign: true, unit: '% change' },
        { name: 'Real wage', num: true, d: 3, sign: true, unit: '% change' },
        { name: 'Consumer prices', num: true, d: 3, sign: true, unit: '% change' },
        { name: 'Exports', num: true, d: 2, sign: true, unit: '% change' },
        { name: 'Imports', num: true, d: 2, sign: true, unit: '% change' },
        { name: 'Trade balance, base', num: true, d: 1, sign: true, scale: money.scale, unit: money.label },
        { name: 'Trade balance, scenario', num: true, d: 1, sign: true, scale: money.scale, unit: money.label },
        { name: 'Tariff revenue, scenario', num: true, d: 1, scale: money.scale, unit: money.label },
        { name: 'Subsidy cost, scenario', num: true, d: 1, scale: money.scale, unit: money.label }], regionRows));
      results.appendChild(el('p', { 'class': 'table-note' },
        'Point values of the edited scenario (no theta range). Money at base-year prices of the numeraire (world GDP). ' +
        'All variables: "Download results (CSV)".'));
      status.className = 'explorer-status';
      status.textContent = 'Re-solved in this browser in ' + rec.ms_solve.toFixed(0) + ' ms (' + res.brief + ').';
      pending = Promise.all(charts).then(function () {
        rec.ms_total = performance.now() - t0;
        rec.drawn = rec.count;
        status.textContent = 'Re-solved in this browser in ' + rec.ms_solve.toFixed(0) + ' ms, drawn in ' +
          (rec.ms_total - rec.ms_solve).toFixed(0) + ' ms (' + res.brief + ').';
      }, function (e) { status.textContent = 'Chart error: ' + e; status.className = 'explorer-status bad'; rec.status = 'chart_error'; });
      return pending;
    }
    // The 2023 results: the United States, China and the groups (percent
    // changes; groups are means weighted by 2023 expenditure, as the run's).
    function drawWar(res) {
      var by = {};
      res.rows.forEach(function (r) { by[r[0] + '|' + r[2]] = r; });
      function pct(c, v) { var r = by[c + '|' + v]; return r ? r[6] : null; }
      var who = ['USA', 'CHN'].concat(res.groups);
      results.appendChild(table('Results, edited scenario (2023, world2023)', [
        { name: 'Country or group' }, { name: 'Welfare', num: true, d: 2, sign: true, unit: '% change' },
        { name: 'Trade deficit', num: true, d: 1, sign: true, unit: '% change of imports - exports' },
        { name: 'Exports/GDP', num: true, d: 1, sign: true, unit: '% change' },
        { name: 'Imports/GDP', num: true, d: 1, sign: true, unit: '% change' },
        { name: 'Employment', num: true, d: 2, sign: true, unit: '% change' },
        { name: 'Prices', num: true, d: 1, sign: true, unit: '% change' }],
        who.map(function (c) {
          return [c, pct(c, 'welfare'), pct(c, 'deficit'), pct(c, 'exports_gdp'), pct(c, 'imports_gdp'),
                  pct(c, 'employment'), pct(c, 'prices')];
        })));
      var ul = el('ul');
      res.headlines.forEach(function (h) { ul.appendChild(el('li', null, h)); });
      results.appendChild(ul);
      results.appendChild(el('p', { 'class': 'table-note' },
        'Percent changes from 2023 (IMLS 2025 model on world2023, one goods sector). All ' +
        W.world.countries.length + ' countries and the groups: "Download results (CSV)".'));
    }
    reset();
    // Nothing is solved until the reader asks (Solve, or any change): the
    // section above already shows the scenario as run, and a page that
    // solved and drew every panel on view would be slow to scroll and print.
    renderRows();
  }

  // The module is compiled once the report's own charts are drawn, so that
  // it does not delay the first chart.
  function whenReportDrawn(fn) {
    var t0 = Date.now();
    (function wait() {
      var s = window.__rebalanceReport;
      if ((s && s.done) || Date.now() - t0 > 20000) fn(); else setTimeout(wait, 50);
    })();
  }
  whenReportDrawn(function () {
  // The factory returns the module itself (synchronous compilation) or, in
  // other builds, a promise of it.
  var made;
  try { made = RebalanceExplorer(); } catch (e) { failAll(String(e)); return; }
  Promise.resolve(made).then(function (mod) {
    // Text goes through the module's heap (the baseline of a large table
    // does not fit on its stack, where ccall would put it).
    function call(fn, text) {
      var n = mod.lengthBytesUTF8(text) + 1, ptr = mod._malloc(n);
      try {
        mod.stringToUTF8(text, ptr, n);
        return JSON.parse(mod.UTF8ToString(fn(ptr)));
      } finally { mod._free(ptr); }
    }
    var r = call(mod._rb_explorer_load, JSON.stringify(B));
    if (r.status !== 'ok') { failAll(r.message); return; }
    if (W) {
      var rw = call(mod._rb_explorer_load_war, JSON.stringify(W.world));
      if (rw.status !== 'ok') { failAll(rw.message); return; }
    }
    api = { solve: function (t) { return call(mod._rb_explorer_solve, t); },
            solveWar: function (t) { return call(mod._rb_explorer_solve_war, t); } };
    panels.forEach(function (p) {
      try { setup(p); } catch (e) { failAll(String(e)); }
    });
    state.ready = true;
  }, function (e) { failAll(String(e)); });
  });
})();
)JS";

}  // namespace

const char* ExplorerCss() { return kCss; }

void RenderExplorerPanel(int index, const std::string& missing, std::string* out,
                         const std::string& model) {
  const bool war = model == "tariff_war";
  *out += fmt::format("<div class=\"explorer\" data-scenario=\"{}\"{}>\n", index,
                      war ? " data-model=\"tariff_war\"" : "");
  *out +=
      war ? "<h3>What-if explorer (2023, tariff_war model)</h3>\n" : "<h3>What-if explorer</h3>\n";
  if (!missing.empty()) {
    *out += fmt::format(
        "<p class=\"explorer-missing\">The what-if explorer is missing from this report: {}</p>\n",
        EscapeHtml(missing));
    *out += "</div>\n";
    return;
  }
  if (war) {
    *out +=
        "<p>Edit this 2023 scenario's tariffs (by importer and exporter; the tariff_war model has "
        "one goods sector): the IMLS (2025) model re-solves on world2023 in your browser "
        "(WebAssembly, offline) with the same code and data as the run. Out-of-range values are "
        "refused with the command's message. \"Download scenario (TOML)\" saves a file that "
        "<code>rebalance run</code> accepts.</p>\n";
  } else {
    *out +=
        "<p>Edit this scenario's shocks: the multi-sector model re-solves in your browser "
        "(WebAssembly, offline) with the same code and baseline as the run, and the charts and "
        "tables below the controls are redrawn. Out-of-range values are refused with the "
        "command's message. \"Download scenario (TOML)\" saves a file that <code>rebalance "
        "run</code> "
        "accepts.</p>\n";
  }
  *out +=
      "<div class=\"explorer-status\" role=\"status\">Starting the model "
      "(needs JavaScript)...</div>\n<div class=\"explorer-body\"></div>\n</div>\n";
}

void RenderExplorerScripts(const nlohmann::json& data, const std::string& module_code,
                           std::string* out) {
  *out += fmt::format("<script type=\"application/json\" id=\"explorer-data\">{}</script>\n",
                      JsonForScript(data));
  if (!module_code.empty()) {
    *out += "<script>\n";
    *out += module_code;
    *out += "\n</script>\n";
  }
  *out += fmt::format("<script>{}</script>\n", kScript);
}

}  // namespace rebalance::report::internal
