// SPDX-License-Identifier: MIT
// console.js -- the gputick console: the live forward curve of a product with
// its index and bid/ask per contract, the top of book and depth ladder of one
// contract, candlestick bars with volume, and the latest fixings.
//
// History comes from the API (/api/symbols, /api/bars, /api/fixings: tickq's
// commands); the live state from one EventSource on /live: first the state
// of every instrument of the product (event "state", whose id is the bus
// sequence it reflects), then each bus record (event "tick", id = its bus
// sequence). A reconnect sends the last id, so the server resumes after it;
// what it no longer holds comes as an event "gap" (then a fresh state).
// Everything the page shows of a record is stamped on the DOM (data-seq,
// data-lag-ms: now minus tickfeed's receive time) so a test can read it.
'use strict';

const gt = {
  token: new URLSearchParams(location.search).get('access_token'),
  product: null, contract: null, interval: '5m', index: null,
  insts: new Map(), // symbol -> {def, tob, trade, book, stale, fixing}
  es: null, lastSeq: 0, seen: [], gaps: 0, dirty: new Set(), timer: null,
  fixings: [], chart: null, candles: null, volume: null, lastBar: null,
};
window.gt = gt;

const $ = (id) => document.getElementById(id);
const num = (v) => (v === null || v === undefined ? null : Number(v));
const fmt = (v, d = 3) => (v === null || v === undefined || Number.isNaN(v) ? '' : Number(v).toFixed(d));

function url(path, params = {}) {
  const q = new URLSearchParams(params);
  if (gt.token) q.set('access_token', gt.token);
  const s = q.toString();
  return path + (s ? '?' + s : '');
}

// tickq's JSON: one object per line, or one array.
async function api(cmd, params) {
  const r = await fetch(url('/api/' + cmd, params));
  const text = await r.text();
  if (!r.ok) throw new Error(text);
  const t = text.trim();
  if (!t) return [];
  if (t[0] === '[') return JSON.parse(t);
  return t.split('\n').filter((l) => l).map((l) => JSON.parse(l));
}

function inst(sym) {
  let i = gt.insts.get(sym);
  if (!i) {
    i = { symbol: sym, def: null, tob: null, trade: null, book: null, stale: false, fixing: null };
    gt.insts.set(sym, i);
  }
  return i;
}

function futures() {
  return [...gt.insts.values()]
    .filter((i) => i.def && i.def.type === 1 && i.def.product === gt.product)
    .sort((a, b) => a.def.maturity - b.def.maturity || a.symbol.localeCompare(b.symbol));
}

// ---- the live stream ----

function connect(lastId) {
  const kinds = ['def', 'status', 'tob', 'book', 'trade', 'fixing', 'stat'];
  const params = { state: '1', topics: kinds.map((k) => `${k}.${gt.product}.`).join(',') };
  if (lastId) params.last_event_id = String(lastId);
  const es = new EventSource(url('/live', params));
  gt.es = es;
  es.onopen = () => setConn('live', 'ok');
  es.onerror = () => setConn('reconnecting', 'bad');
  es.addEventListener('state', (e) => {
    const s = JSON.parse(e.data);
    for (const x of s.instruments) {
      const i = inst(x.symbol);
      if (x.def) i.def = x.def;
      if (x.tob) i.tob = x.tob;
      if (x.trade) i.trade = x.trade;
      if (x.fixing) i.fixing = x.fixing;
      if (x.book) { i.book = x.book; i.stale = x.book.stale; }
      if (i.def && i.def.type === 2) gt.index = i;
      markAll(i.symbol);
    }
    seqSeen(s.seq, 'state');
    schedule();
  });
  es.addEventListener('tick', (e) => {
    const t = JSON.parse(e.data);
    seqSeen(t.seq, t.topic);
    apply(t);
  });
  es.addEventListener('gap', (e) => {
    const g = JSON.parse(e.data);
    gt.gaps++;
    $('gaps').textContent = `missed ${g.from}..${g.to} (${g.reason})`;
  });
}

// Closes the stream and opens it again after the last id seen, as a browser
// does after a network error (the test calls it; EventSource's own retry
// sends Last-Event-ID as a header instead).
gt.reconnect = () => {
  if (gt.es) gt.es.close();
  connect(gt.lastSeq);
};

function setConn(text, cls) {
  const c = $('conn');
  c.textContent = text;
  c.className = 'badge ' + cls;
}

function seqSeen(seq, topic) {
  gt.lastSeq = seq;
  if (gt.seen.length < 200000) gt.seen.push([seq, topic]);
  $('last-seq').textContent = String(seq);
}

function apply(t) {
  const i = inst(t.symbol);
  switch (t.kind) {
    case 'def': i.def = t; if (t.type === 2) gt.index = i; break;
    case 'tob': i.tob = t; break;
    case 'book': if (t.book) { i.book = t.book; i.stale = t.book.stale; } break;
    case 'trade':
      if (t.action !== 2) { i.trade = t; if (t.symbol === gt.contract) barTrade(t); }
      break;
    case 'fixing': i.fixing = t; fixingAdd(t); break;
    case 'status':
      if (t.feed === 1) i.stale = true;
      if (t.feed === 2 || t.feed === 3) i.stale = false;
      break;
    default: return;
  }
  i.lastSeq = t.seq;
  i.lastRecv = t.recv_ns;
  gt.dirty.add(t.symbol);
  schedule();
}

function markAll(sym) { gt.dirty.add(sym); }

function schedule() {
  if (!gt.timer) gt.timer = setTimeout(render, 50);
}

// ---- rendering ----

function render() {
  gt.timer = null;
  const dirty = gt.dirty;
  gt.dirty = new Set();
  renderCurve();
  if (dirty.has(gt.contract)) renderBook();
}

function mid(i) {
  const b = i.tob && num(i.tob.bid_px), a = i.tob && num(i.tob.ask_px);
  return b !== null && a !== null && b !== undefined && a !== undefined ? (b + a) / 2 : null;
}

function lagOf(i) {
  return i.lastRecv ? Math.round(Date.now() - i.lastRecv / 1e6) : '';
}

function renderCurve() {
  const fs = futures();
  const idx = gt.index && gt.index.fixing ? num(gt.index.fixing.px) : null;
  $('index-level').textContent = gt.index ? `${gt.index.symbol} ${fmt(idx, 4)}` : '';
  const tb = $('curve-table').tBodies[0];
  const rows = fs.map((i) => {
    const b = i.tob ? num(i.tob.bid_px) : null, a = i.tob ? num(i.tob.ask_px) : null, m = mid(i);
    const last = i.trade ? num(i.trade.px) : null;
    const tr = document.createElement('tr');
    tr.dataset.symbol = i.symbol;
    tr.dataset.seq = String(i.lastSeq || 0);
    tr.dataset.lagMs = String(lagOf(i));
    if (i.stale) { tr.className = 'stale'; gt.staleShown = (gt.staleShown || 0) + 1; }
    tr.innerHTML = `<td>${i.symbol}</td><td class="bid">${fmt(b)}</td><td class="ask">${fmt(a)}</td>` +
      `<td>${fmt(m, 4)}</td><td>${fmt(last)}</td><td>${m !== null && idx !== null ? fmt(m - idx, 4) : ''}</td>` +
      `<td>${i.stale ? 'stale' : ''}</td>`;
    tr.onclick = () => choose(i.symbol);
    return tr;
  });
  tb.replaceChildren(...rows);
  drawCurve(fs, idx);
}

// The curve in SVG: per contract a bid-ask bar and its mid, the index level as
// a dashed line; stale contracts in amber.
function drawCurve(fs, idx) {
  const svg = $('curve'), W = 640, H = 260, L = 48, R = 10, T = 12, B = 28;
  const ys = [];
  for (const i of fs) {
    if (i.tob) { ys.push(num(i.tob.bid_px), num(i.tob.ask_px)); }
  }
  if (idx !== null) ys.push(idx);
  const ok = ys.filter((v) => v !== null && Number.isFinite(v));
  if (!fs.length || !ok.length) { svg.innerHTML = ''; return; }
  let lo = Math.min(...ok), hi = Math.max(...ok);
  const pad = (hi - lo) * 0.1 || 0.05;
  lo -= pad; hi += pad;
  const x = (k) => L + (fs.length === 1 ? (W - L - R) / 2 : (k * (W - L - R)) / (fs.length - 1));
  const y = (v) => T + ((hi - v) * (H - T - B)) / (hi - lo);
  const parts = [];
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#232a33"/>`,
      `<text x="${L - 4}" y="${y(v) + 4}" fill="#8a94a0" font-size="10" text-anchor="end">${v.toFixed(3)}</text>`);
  }
  if (idx !== null) {
    parts.push(`<line id="curve-index" x1="${L}" x2="${W - R}" y1="${y(idx)}" y2="${y(idx)}" stroke="#7fb1ff" stroke-dasharray="5,4"/>`,
      `<text x="${W - R}" y="${y(idx) - 4}" fill="#7fb1ff" font-size="10" text-anchor="end">index ${idx.toFixed(4)}</text>`);
  }
  const mids = [];
  fs.forEach((i, k) => {
    const color = i.stale ? '#d9a23c' : '#d8dde3';
    if (i.tob) {
      const b = num(i.tob.bid_px), a = num(i.tob.ask_px);
      if (b !== null) parts.push(`<circle cx="${x(k)}" cy="${y(b)}" r="2.5" fill="#4fc27a"/>`);
      if (a !== null) parts.push(`<circle cx="${x(k)}" cy="${y(a)}" r="2.5" fill="#e0605a"/>`);
      if (b !== null && a !== null) {
        parts.push(`<line x1="${x(k)}" x2="${x(k)}" y1="${y(a)}" y2="${y(b)}" stroke="${color}" stroke-width="2"/>`);
        mids.push(`${x(k)},${y((a + b) / 2)}`);
      }
    }
    parts.push(`<text x="${x(k)}" y="${H - 10}" fill="${color}" font-size="9" text-anchor="middle">${i.symbol.slice(-3)}</text>`);
  });
  if (mids.length > 1) parts.push(`<polyline points="${mids.join(' ')}" fill="none" stroke="#8a94a0" stroke-width="1"/>`);
  svg.innerHTML = parts.join('');
}

function renderBook() {
  const i = gt.insts.get(gt.contract);
  $('book-symbol').textContent = gt.contract || '';
  if (!i) return;
  const box = $('book');
  box.dataset.seq = String(i.lastSeq || 0);
  box.dataset.lagMs = String(lagOf(i));
  box.dataset.stale = i.stale ? '1' : '0';
  $('book-stale').hidden = !i.stale;
  const t = i.tob;
  $('tob').innerHTML = t
    ? `<span class="bid">${t.bid_qty} @ ${fmt(num(t.bid_px))}</span> &nbsp; / &nbsp; <span class="ask">${fmt(num(t.ask_px))} @ ${t.ask_qty}</span>` +
      (i.trade ? ` &nbsp; <span class="muted">last ${fmt(num(i.trade.px))} x ${i.trade.qty}</span>` : '')
    : '<span class="muted">no top of book yet</span>';
  const bk = i.book || { bids: [], asks: [] };
  const n = Math.max(bk.bids.length, bk.asks.length);
  let maxq = 1;
  for (const l of bk.bids.concat(bk.asks)) maxq = Math.max(maxq, l[1]);
  const rows = [];
  for (let k = 0; k < n; k++) {
    const b = bk.bids[k], a = bk.asks[k];
    const tr = document.createElement('tr');
    if (i.stale) tr.className = 'stale';
    const bar = (q, c) => `<span class="qbar" style="width:${Math.round((40 * q) / maxq)}px;background:${c}"></span>`;
    tr.innerHTML = b
      ? `<td>${b[2] >= 0 ? b[2] : ''}</td><td>${bar(b[1], '#4fc27a')} ${b[1]}</td><td class="bid">${fmt(b[0])}</td>`
      : '<td></td><td></td><td></td>';
    tr.innerHTML += a
      ? `<td class="ask">${fmt(a[0])}</td><td>${a[1]} ${bar(a[1], '#e0605a')}</td><td>${a[2] >= 0 ? a[2] : ''}</td>`
      : '<td></td><td></td><td></td>';
    rows.push(tr);
  }
  box.tBodies[0].replaceChildren(...rows);
}

// ---- bars ----

const SECONDS = { s: 1, m: 60, h: 3600, d: 86400 };
function intervalSec(s) { return Number(s.slice(0, -1)) * SECONDS[s.slice(-1)]; }

async function loadBars() {
  $('bars-title').textContent = `${gt.contract} ${gt.interval}`;
  const rows = await api('bars', { symbol: gt.contract, interval: gt.interval }).catch((e) => {
    $('bars-note').hidden = false;
    $('bars-note').textContent = String(e.message);
    return [];
  });
  const bars = rows.map((r) => ({
    time: Date.parse(r.start) / 1000, open: num(r.open), high: num(r.high), low: num(r.low),
    close: num(r.close), volume: num(r.volume),
  })).filter((b) => b.open !== null);
  gt.lastBar = bars.length ? { ...bars[bars.length - 1] } : null;
  $('bars').dataset.count = String(bars.length);
  if (!window.LightweightCharts) {
    $('bars-note').hidden = false;
    $('bars-note').textContent = 'the chart library was not installed with tickweb (npm absent at build)';
    return;
  }
  const LC = window.LightweightCharts;
  if (!gt.chart) {
    gt.chart = LC.createChart($('bars'), {
      layout: { background: { color: '#171b21' }, textColor: '#d8dde3' },
      grid: { vertLines: { color: '#232a33' }, horzLines: { color: '#232a33' } },
      timeScale: { timeVisible: true, secondsVisible: false }, autoSize: true,
    });
    gt.candles = gt.chart.addSeries(LC.CandlestickSeries, {});
    gt.volume = gt.chart.addSeries(LC.HistogramSeries, { priceScaleId: 'vol', priceFormat: { type: 'volume' } });
    gt.chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    gt.candles.priceScale().applyOptions({ scaleMargins: { top: 0.05, bottom: 0.25 } });
  }
  gt.candles.setData(bars.map(({ volume, ...b }) => b));
  gt.volume.setData(bars.map((b) => ({ time: b.time, value: b.volume, color: b.close >= b.open ? '#2e7d4f' : '#8a3a36' })));
  gt.chart.timeScale().fitContent();
}

// A live trade of the chosen contract updates (or opens) its bar.
function barTrade(t) {
  const w = intervalSec(gt.interval), px = num(t.px), q = num(t.qty) || 0;
  const start = Math.floor(t.exch_ns / 1e9 / w) * w;
  let b = gt.lastBar;
  if (b && start < b.time) return; // older than the chart's last bar
  if (!b || start > b.time) b = gt.lastBar = { time: start, open: px, high: px, low: px, close: px, volume: 0 };
  b.high = Math.max(b.high, px); b.low = Math.min(b.low, px); b.close = px; b.volume += q;
  $('bars').dataset.lastTrade = String(t.seq);
  if (!gt.candles) return;
  const { volume, ...c } = b;
  gt.candles.update(c);
  gt.volume.update({ time: b.time, value: volume, color: b.close >= b.open ? '#2e7d4f' : '#8a3a36' });
}

// ---- fixings ----

async function loadFixings() {
  const idx = [...gt.insts.values()].find((i) => i.def && i.def.type === 2 && i.def.product === gt.product);
  gt.fixings = [];
  if (idx) {
    $('fixings-index').textContent = idx.symbol;
    const rows = await api('fixings', { index: idx.symbol }).catch(() => []);
    gt.fixings = rows.slice(-12).reverse().map((r) => ({ time: r.time, value: num(r.value), type: r.type }));
  }
  renderFixings();
}

function fixingAdd(t) {
  const kinds = { 1: 'indicative', 2: 'premarket', 3: 'prelim close', 4: 'session close', 5: 'official' };
  gt.fixings.unshift({ time: t.time, value: num(t.px), type: kinds[t.code] || String(t.code) });
  gt.fixings.length = Math.min(gt.fixings.length, 12);
  renderFixings();
}

function renderFixings() {
  const tb = $('fixings').tBodies[0];
  tb.replaceChildren(...gt.fixings.map((f) => {
    const tr = document.createElement('tr');
    if (f.type === 'official') tr.style.fontWeight = 'bold';
    tr.innerHTML = `<td>${f.time}</td><td>${fmt(f.value, 4)}</td><td>${f.type}</td>`;
    return tr;
  }));
}

// ---- choosing ----

function choose(sym) {
  gt.contract = sym;
  $('contract').value = sym;
  const u = new URL(location.href);
  u.searchParams.set('contract', sym);
  history.replaceState(null, '', u);
  renderBook();
  loadBars();
}

async function start() {
  const q = new URLSearchParams(location.search);
  gt.interval = q.get('interval') || '5m';
  $('interval').value = gt.interval;
  const syms = await api('symbols', {});
  for (const s of syms) {
    const i = inst(s.symbol);
    i.def = i.def || { type: s.type === 'index' ? 2 : 1, product: s.product, maturity: s.maturity || 0 };
  }
  const products = [...new Set(syms.map((s) => s.product))];
  gt.product = q.get('product') || (products.includes('H100') ? 'H100' : products[0]);
  $('product').replaceChildren(...products.map((p) => new Option(p, p, false, p === gt.product)));
  $('product').onchange = (e) => { const u = new URL(location.href); u.search = ''; u.searchParams.set('product', e.target.value); if (gt.token) u.searchParams.set('access_token', gt.token); location.href = u; };
  const fs = syms.filter((s) => s.product === gt.product && s.type === 'future' && s.trade > 0);
  gt.contract = q.get('contract') || (fs[0] && fs[0].symbol) || null;
  $('contract').replaceChildren(...fs.map((s) => new Option(s.symbol, s.symbol, false, s.symbol === gt.contract)));
  $('contract').onchange = (e) => choose(e.target.value);
  $('interval').onchange = (e) => { gt.interval = e.target.value; loadBars(); };
  connect(0);
  renderBook();
  await Promise.all([loadBars(), loadFixings()]);
  document.body.dataset.ready = '1';
}

start().catch((e) => { setConn('error: ' + e.message, 'bad'); });
