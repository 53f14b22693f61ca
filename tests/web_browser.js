// SPDX-License-Identifier: MIT
// web_browser.js URL SCREENSHOT -- the console in Debian's chromium, headless,
// driven by puppeteer-core (installed by the build into build/npm), against a
// running ticksim -> tickfeed -> tickstore -> tickweb pipeline
// (tests/web_browser.sh starts it). Asserts on the DOM:
//   - the page loads: the curve has a row per H100 contract with bid and ask,
//     the index level, a book ladder, candlestick bars, fixings;
//   - the curve and the book update from the live stream within a second of
//     the tick (data-lag-ms: the page's clock minus tickfeed's receive time);
//   - a book made stale by packets lost on both lines is drawn stale;
//   - a reconnect (EventSource closed and opened again after its last id)
//     resumes without a hole: every record a second stream that never
//     disconnected saw over the same span, the page saw too, and no gap;
// and writes a screenshot. Exits non-zero with a message on a failure.
'use strict';
const path = require('path');
const npm = process.env.GT_NPM_DIR;
const puppeteer = require(path.join(npm, 'node_modules', 'puppeteer-core'));

const [base, shot] = process.argv.slice(2);
const fail = (msg) => { console.error('web_browser: FAIL: ' + msg); process.exit(1); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(page, fn, what, ms = 60000, arg) {
  try {
    return await page.waitForFunction(fn, { timeout: ms, polling: 50 }, arg);
  } catch (e) {
    const seen = await page.evaluate(() => JSON.stringify({
      conn: document.getElementById('conn').textContent, last: gt.lastSeq, gaps: gt.gaps,
      insts: gt.insts.size, rows: document.querySelectorAll('#curve-table tbody tr').length,
      book: document.querySelectorAll('#book tbody tr').length, ready: document.body.dataset.ready || '',
    })).catch(() => '?');
    fail(`${what} not within ${ms} ms (the page: ${seen})`);
  }
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.GT_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-proxy-server'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + '/?product=H100', { waitUntil: 'load' });
  await waitFor(page, () => document.body.dataset.ready === '1', 'the page ready');
  await waitFor(page, () => {
    const rows = [...document.querySelectorAll('#curve-table tbody tr')];
    return rows.length >= 6 && rows.filter((r) => r.children[1].textContent && r.children[2].textContent).length >= 3;
  }, 'the curve with bid and ask for 3 contracts');
  await waitFor(page, () => document.querySelectorAll('#book tbody tr').length >= 3, 'a depth ladder of 3 levels');
  await waitFor(page, () => /SDH100RT \d/.test(document.getElementById('index-level').textContent), 'the index level');
  await waitFor(page, () => Number(document.getElementById('bars').dataset.count) > 0, 'candlestick bars');
  await waitFor(page, () => document.querySelector('#bars canvas') !== null, 'the bars chart drawn');
  await waitFor(page, () => document.querySelectorAll('#fixings tbody tr').length > 0, 'fixings');

  // Live: a row of the curve and the book take a newer record, each within a
  // second of tickfeed receiving it.
  const seq0 = await page.evaluate(() => Math.max(...[...document.querySelectorAll('#curve-table tbody tr')].map((r) => Number(r.dataset.seq))));
  await waitFor(page, (s) => [...document.querySelectorAll('#curve-table tbody tr')].some((r) => Number(r.dataset.seq) > s), 'a curve update', 60000, seq0);
  const book0 = await page.evaluate(() => Number(document.getElementById('book').dataset.seq));
  await waitFor(page, (s) => Number(document.getElementById('book').dataset.seq) > s, 'a book update', 60000, book0);
  let lags = [];
  for (let k = 0; k < 20; k++) {
    lags.push(await page.evaluate(() => [
      ...[...document.querySelectorAll('#curve-table tbody tr')].map((r) => Number(r.dataset.lagMs)).filter((x) => x > -1e9),
      Number(document.getElementById('book').dataset.lagMs)]));
    await sleep(100);
  }
  // The lag of a row is its newest record's age at rendering; fresh records
  // only count (a contract that stopped trading keeps an old stamp).
  const fresh = lags.flat().filter((x) => Number.isFinite(x) && x < 5000);
  if (!fresh.length) fail('no fresh update seen');
  const best = Math.min(...fresh);
  if (best >= 1000) fail(`the freshest update was ${best} ms after its tick (want < 1000)`);
  console.log(`web_browser: curve and book updated live, freshest ${best} ms after tickfeed received the tick`);

  // Reconnect: a reference stream stays open while the page's reconnects.
  await page.evaluate(() => {
    window.ref = [];
    const topics = ['def', 'status', 'tob', 'book', 'trade', 'fixing', 'stat'].map((k) => `${k}.H100.`).join(',');
    const es = new EventSource('/live?topics=' + topics);
    es.addEventListener('tick', (e) => window.ref.push(Number(e.lastEventId)));
    window.refEs = es;
  });
  await waitFor(page, () => window.ref.length > 50, 'the reference stream');
  const mark = await page.evaluate(() => { const n = gt.seen.length; gt.reconnect(); return n; });
  await waitFor(page, (m) => gt.seen.length > m + 200, 'records after the reconnect', 60000, mark);
  await sleep(300);
  const r = await page.evaluate((m) => {
    window.refEs.close();
    const ticks = gt.seen.filter((x) => x[1] !== 'state').map((x) => x[0]);
    return { ref: window.ref, page: ticks, at: gt.seen[m - 1][0], gaps: gt.gaps };
  }, mark);
  if (r.gaps) fail(`${r.gaps} gap events`);
  const got = new Set(r.page);
  const lo = Math.max(r.ref[0], r.page[0]), hi = Math.min(r.ref[r.ref.length - 1], r.page[r.page.length - 1]);
  if (!(lo < r.at && r.at < hi)) fail(`the reconnect at ${r.at} is not inside the compared span ${lo}..${hi}`);
  const missed = r.ref.filter((s) => s >= lo && s <= hi && !got.has(s));
  if (missed.length) fail(`the page missed ${missed.length} records across the reconnect at ${r.at}, first ${missed[0]}`);
  const n = r.ref.filter((s) => s >= lo && s <= hi).length;
  console.log(`web_browser: reconnected after ${r.at}: all ${n} records of ${lo}..${hi} seen, none twice: ${r.page.length === got.size}`);
  if (r.page.length !== got.size) fail('a record was delivered twice');

  // Stale books shown as stale: ticksim loses packets on both lines
  // (--lose-both), tickfeed marks the books stale until the snapshot loop
  // recovers them, and the curve's row of such a contract is drawn stale.
  await waitFor(page, () => (gt.staleShown || 0) > 0, 'a stale book shown stale');
  const stale = await page.evaluate(() => gt.staleShown);
  console.log(`web_browser: a stale contract's row was drawn stale ${stale} times`);
  if (errors.length) fail('page errors: ' + errors.join('; '));
  await page.screenshot({ path: shot, fullPage: true });
  console.log('web_browser: screenshot ' + shot);
  await browser.close();
})().catch((e) => fail(String(e && e.stack || e)));
