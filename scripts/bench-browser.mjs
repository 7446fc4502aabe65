// The browser half of `npm run bench` (also `node scripts/bench-browser.mjs` alone): figures, never
// pass/fail, all on 127.0.0.1 (scripts/bench-site.mjs: the reference server with hCaptcha's test site key,
// a fake siteverify and a fake api.js). In one run, side by side:
// 1. Lighthouse 12.2.3 (desktop preset, simulated throttling, median of RUNS) on the demo article without
//    the widget, with it as the demo has it (comments below the fold), and with the comments at the fold
//    (right under the picture, a few dozen px below the first screen: the widget's code then loads with the
//    page, though nothing of it shows before a scroll), and with the comments in the first screen (above
//    the picture, the article's text under them: any shift as the box fills in is the reader's to see):
//    TBT, LCP, CLS, script evaluation, bytes, requests.
// 2. Chromium's own performance timeline (Playwright, no throttling, median of RUNS) on the same pages:
//    LCP, CLS, TBT from long tasks, script time (CDP Performance.ScriptDuration), bytes and requests at
//    load; then the reader scrolling to the comments (the code fetched, the list and form shown).
// 3. The reader jumping to the comments with 200 ms added to every request: the round trips one after
//    the other before the first comment shows, and the time that takes in the page.
// 4. Typing a 2,000-character comment into the form, with Event Timing
//    (PerformanceObserver type 'event', durationThreshold 16): the slowest interaction, an INP-like figure
//    and the input delays, against the same typing into a plain <textarea> on the page without the widget;
//    then 240 characters at a reader's pace, with a 320 ms pause every 40 keys, just past the draft's 300 ms
//    wait, so that its save starts as the next keys come.
// 5. The widget on a bare page: page start → form visible, script start → form visible, and an offline
//    send → the comment safe in the outbox, median and p95 over a few loads.
// Bounded: Lighthouse always makes its RUNS runs of each page; the timeline and the bare-page loads stop
// starting new runs past their share of the time limit (YKIEN_BENCH_BROWSER_SECONDS, 180 by default),
// keeping at least one (three for part 5), and say how many they made; the typing is done once per field.
import { createRequire } from 'node:module';
import { loadavg, cpus } from 'node:os';
import { chromium } from '@playwright/test';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { chromiumOptions } from './demo-server.mjs';
import { routeOffline, startBenchSite, watchPage } from './bench-site.mjs';
import { isMain } from './is-main.mjs';

const RUNS = 3;
const LOADS = 10;
const TYPED = 2000;
const SEEDED = 5;
/** Lighthouse's own desktop screen, used for the timeline too so both see the same fold. */
const VIEWPORT = { width: 1350, height: 940 };
const PAGES = [
  ['without', 'without the widget'],
  ['with', 'with it (comments below the fold)'],
  // (Just under the fold, in its 200 px margin: their code loads with the page, nothing of them shows.)
  ['near', 'with it, comments at the fold'],
  // In sight at load, the picture and the article's text under them: a shift as the box fills in shows.
  ['inview', 'with it, comments in the first screen'],
];

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');
const kib = (x) => (Number.isFinite(x) ? `${(x / 1024).toFixed(1)} KiB` : 'n/a');
const num = (d) => (x) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const pad = (s, n) => String(s).padEnd(n);

function table(title, columns, rows) {
  console.log(`\n${title}`);
  const w = [38, ...columns.map((c) => Math.max(14, c.length + 2))];
  console.log(pad('', w[0]) + columns.map((c, i) => pad(c, w[i + 1])).join(''));
  for (const [name, fmt, values] of rows) console.log(pad(name, w[0]) + values.map((v, i) => pad(fmt(v), w[i + 1])).join(''));
}

// ---------------------------------------------------------------------------------------- Lighthouse
const AUDITS = [
  'metrics', 'first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift',
  'bootup-time', 'mainthread-work-breakdown', 'network-requests',
];

async function benchLighthouse(site) {
  const chrome = await chromeLauncher.launch({
    chromePath: chromiumOptions().executablePath,
    chromeFlags: ['--headless=new', ...chromiumOptions().args],
  });
  const runs = Object.fromEntries(PAGES.map(([v]) => [v, []]));
  try {
    // Interleaved (without, with, near, inview, without, ...), so a busy moment of the machine hits all alike.
    for (let r = 0; r < RUNS; r++) {
      for (const [variant] of PAGES) {
        const { lhr } = await lighthouse(
          site.page(variant),
          { port: chrome.port, output: 'json', logLevel: 'error', onlyAudits: AUDITS, disableFullPageScreenshot: true },
          desktopConfig,
        );
        if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
        const a = lhr.audits;
        const breakdown = Object.fromEntries((a['mainthread-work-breakdown'].details?.items ?? []).map((i) => [i.group, i.duration]));
        const observed = a.metrics.details?.items?.[0] ?? {};
        const requests = (a['network-requests'].details?.items ?? []).filter((i) => new URL(i.url).pathname !== '/favicon.ico');
        runs[variant].push({
          fcp: a['first-contentful-paint'].numericValue,
          lcp: a['largest-contentful-paint'].numericValue,
          lcpObserved: observed.observedLargestContentfulPaint,
          tbt: a['total-blocking-time'].numericValue,
          cls: a['cumulative-layout-shift'].numericValue,
          bootup: a['bootup-time'].numericValue,
          scriptEval: breakdown.scriptEvaluation ?? 0,
          mainThread: a['mainthread-work-breakdown'].numericValue,
          // The favicon's 404 is left out: Lighthouse records it in some runs and not in others.
          bytes: requests.reduce((n, i) => n + i.transferSize, 0),
          requests: requests.length,
        });
      }
    }
  } finally {
    await chrome.kill();
  }
  const col = (key) => PAGES.map(([v]) => median(runs[v].map((x) => x[key])));
  const each = (key) => PAGES.map(([v]) => runs[v].map((x) => x[key]));
  const list = (xs) => xs.map((x) => x.toFixed(0)).join(' / ');
  table(
    `Lighthouse ${lhVersion()} desktop preset, simulated throttling, median of ${runs.without.length} (interleaved)`,
    PAGES.map(([, label]) => label),
    [
      ['total blocking time', ms, col('tbt')],
      ['  each run (ms)', list, each('tbt')],
      ['largest contentful paint', ms, col('lcp')],
      ['  each run (ms)', list, each('lcp')],
      ['  observed (unthrottled), median', ms, col('lcpObserved')],
      ['first contentful paint', ms, col('fcp')],
      ['cumulative layout shift', num(3), col('cls')],
      ['script evaluation (main thread)', ms, col('scriptEval')],
      ['JS execution time (bootup-time)', ms, col('bootup')],
      ['main-thread work, all', ms, col('mainThread')],
      ['bytes (transfer, gzip)', kib, col('bytes')],
      ['requests', num(0), col('requests')],
    ],
  );
  return runs;
}

const lhVersion = () => createRequire(import.meta.url)('lighthouse/package.json').version;

// ------------------------------------------------------------------------- Chromium's timeline
/** Observers set before any of the page's scripts: paints, layout shifts, long tasks, Event Timing. */
function observe() {
  const perf = (window.__perf = { fcp: NaN, lcp: NaN, shifts: [], longtasks: [], events: [] });
  const on = (type, fn, extra = {}) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(fn)).observe({ type, buffered: true, ...extra });
    } catch {
      // an entry type this browser lacks: its figure stays n/a
    }
  };
  on('paint', (e) => e.name === 'first-contentful-paint' && (perf.fcp = e.startTime));
  on('largest-contentful-paint', (e) => (perf.lcp = e.startTime));
  const name = (n) => (n instanceof Element ? n.localName + (n.id ? '#' + n.id : '') + (n.classList[0] ? '.' + n.classList[0] : '') : n?.nodeName ?? '?');
  on('layout-shift', (e) => {
    if (e.hadRecentInput) return;
    const moved = (e.sources ?? []).map((s) => `${name(s.node)} ${Math.round(s.currentRect.y - s.previousRect.y)}px`);
    perf.shifts.push({ t: e.startTime, v: e.value, moved });
  });
  on('longtask', (e) => perf.longtasks.push({ t: e.startTime, d: e.duration }));
  on('event', (e) => perf.events.push({ id: e.interactionId, name: e.name, d: e.duration, delay: e.processingStart - e.startTime }), {
    durationThreshold: 16,
  });
  addEventListener('ykien-sent', () => (perf.sent = true), true);
}

/** Transfer bytes and requests so far (navigation + resources), from Resource Timing. */
const transfer = (page) =>
  page.evaluate(() => {
    const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    return { bytes: all.reduce((n, e) => n + e.transferSize, 0), requests: all.length };
  });

/** The main thread's busy time so far, in seconds (CDP metrics): all tasks, and script and layout among them. */
async function mainThread(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { task: value('TaskDuration'), script: value('ScriptDuration'), layout: value('LayoutDuration') };
}

/** A page of the bench site in a fresh context: the bench's screen, nothing off the machine, the observers set. */
export async function openPage(browser, site, variant) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await routeOffline(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.addInitScript(observe);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const watch = watchPage(page);
  await page.goto(site.page(variant), { waitUntil: 'load' });
  await watch.settle();
  return { context, page, cdp, watch };
}

/** Page-load figures from the observers, CDP and Resource Timing. */
async function loadFigures(page, cdp) {
  // The largest paint is reported after the frame that painted it: wait for it (a page has one).
  await page.waitForFunction(() => Number.isFinite(window.__perf.lcp), null, { timeout: 10_000 }).catch(() => {});
  const perf = await page.evaluate(() => window.__perf);
  const loaded = await transfer(page);
  return {
    perf,
    loaded,
    lcp: perf.lcp,
    cls: perf.shifts.reduce((n, s) => n + s.v, 0),
    tbt: blocking(perf),
    script: (await mainThread(cdp)).script * 1000,
    bytes: loaded.bytes,
    requests: loaded.requests,
    below: await page.evaluate(() => {
      const el = document.querySelector('ykien-comments');
      return el ? el.getBoundingClientRect().top - innerHeight : NaN;
    }),
  };
}
const blocking = (perf) => perf.longtasks.filter((t) => t.t >= perf.fcp).reduce((n, t) => n + Math.max(0, t.d - 50), 0);

/**
 * The reader goes to the comments, by a jump (a link to them, `scrollIntoView`) or by the mouse wheel
 * (100 px every 50 ms); what the widget then costs, and whether anything on screen moves as it fills in.
 */
async function scrollToComments(page, cdp, watch, before, mode) {
  const host = page.locator('ykien-comments');
  const t0 = Date.now();
  if (mode === 'jump') {
    await host.scrollIntoViewIfNeeded();
  } else {
    await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height / 2);
    while ((await host.evaluate((el) => el.getBoundingClientRect().top)) > 100) {
      await page.mouse.wheel(0, 100);
      await page.waitForTimeout(50); // the wheel's rhythm, not a wait for a result
      if (Date.now() - t0 > 30_000) throw new Error('bench: the wheel did not reach the comments');
    }
  }
  await host.locator(`[part~="comment"] >> nth=${SEEDED - 1}`).waitFor({ state: 'visible' });
  const shown = Date.now() - t0;
  await watch.settle();
  const after = await page.evaluate(() => window.__perf);
  const moved = await transfer(page);
  const shifts = after.shifts.slice(before.perf.shifts.length);
  return {
    shown,
    moved: shifts.filter((x) => x.v > 0.001).map((x) => `${x.v.toFixed(3)}: ${x.moved.join(', ')}`),
    cls: shifts.reduce((n, x) => n + x.v, 0),
    tbt: blocking(after) - before.tbt,
    script: (await mainThread(cdp)).script * 1000 - before.script,
    bytes: moved.bytes - before.bytes,
    requests: moved.requests - before.requests,
  };
}

async function benchTimeline(browser, site, until) {
  const runs = Object.fromEntries(PAGES.map(([v]) => [v, []]));
  const scrolled = { jump: [], wheel: [] };
  for (let r = 0; r < RUNS && (r === 0 || Date.now() < until); r++) {
    for (const [variant] of [...PAGES, ['with']]) {
      const { context, page, cdp, watch } = await openPage(browser, site, variant);
      try {
        const figures = await loadFigures(page, cdp);
        // The second load of "with" in a round is for the wheel scroll only.
        const wheel = variant === 'with' && runs.with.length > r;
        if (!wheel) runs[variant].push(figures);
        if (variant === 'with') scrolled[wheel ? 'wheel' : 'jump'].push(await scrollToComments(page, cdp, watch, figures, wheel ? 'wheel' : 'jump'));
      } finally {
        await context.close();
      }
    }
  }
  const col = (key) => PAGES.map(([v]) => median(runs[v].map((x) => x[key])));
  table(
    `Chromium's timeline (Playwright, ${VIEWPORT.width}x${VIEWPORT.height}, no throttling), page load, median of ${runs.without.length}`,
    PAGES.map(([, label]) => label),
    [
      ['largest contentful paint', ms, col('lcp')],
      ['cumulative layout shift (sum)', num(3), col('cls')],
      ['total blocking time (long tasks)', ms, col('tbt')],
      ['script time (CDP ScriptDuration)', ms, col('script')],
      ['bytes (transfer)', kib, col('bytes')],
      ['requests', num(0), col('requests')],
      ['comments below the fold by', (x) => (Number.isFinite(x) ? `${Math.round(x)} px` : '-'), col('below')],
    ],
  );
  const scrollCol = (key) => ['jump', 'wheel'].map((m) => median(scrolled[m].map((x) => x[key])));
  table(
    `then the reader goes to the comments (page "with"), median of ${scrolled.jump.length} / ${scrolled.wheel.length}`,
    ['a jump (link, scrollIntoView)', 'mouse wheel, 100 px / 50 ms'],
    [
      ['list and form shown, from the start', ms, scrollCol('shown')],
      ['layout shift while it fills in', num(3), scrollCol('cls')],
      ['blocking time (long tasks)', ms, scrollCol('tbt')],
      ['script time (CDP ScriptDuration)', ms, scrollCol('script')],
      ['bytes (transfer: code and the list)', kib, scrollCol('bytes')],
      ['requests', num(0), scrollCol('requests')],
    ],
  );
  for (const mode of ['jump', 'wheel']) {
    const moved = scrolled[mode].find((x) => x.moved.length)?.moved;
    if (moved) console.log(`  shifts after a ${mode} (first run with any; score: element and how far it moved): ${moved.join('; ')}`);
  }
  return { runs, scrolled };
}

// ------------------------------------------------------------------------------------- round trips
const LATENCY = 200;

/**
 * The reader jumps to the comments over a slow network (CDP adds LATENCY ms to every request): how many
 * round trips, one after the other, stand between the jump and the first comment on screen, and how long
 * that takes in the page (performance.now(), so Playwright's own polling is not in it).
 */
async function benchRoundTrips(browser, site) {
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    const { context, page, cdp } = await openPage(browser, site, 'with');
    try {
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: LATENCY, downloadThroughput: -1, uploadThroughput: -1 });
      // Times in the page's clock: when the jump starts, and when the first comment is on screen.
      const shown = page.evaluate(
        () =>
          new Promise((resolve) => {
            const el = document.querySelector('ykien-comments');
            const start = performance.now();
            const tick = () => (el.shadowRoot?.querySelector('[part~="comment"]') ? resolve({ start, shown: performance.now() }) : requestAnimationFrame(tick));
            tick();
            el.scrollIntoView();
          }),
      );
      // Bounded: a box that never shows fails the bench instead of holding it for ever.
      const { start, shown: at } = await Promise.race([
        shown,
        new Promise((_, reject) => setTimeout(() => reject(new Error('bench: the comments did not show within 30 s')), 30_000)),
      ]);
      // Resource Timing, in the same clock: each request's start and end.
      const timing = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd })));
      const after = timing.filter((t) => t.start >= start && t.end <= at).sort((a, b) => a.start - b.start);
      // A request's depth: one more than the deepest request that had ended before it started.
      for (const t of after) t.depth = 1 + Math.max(0, ...after.filter((u) => u.end <= t.start).map((u) => u.depth));
      runs.push({
        shown: at - start,
        depth: Math.max(0, ...after.map((t) => t.depth)),
        chain: after.map((t) => `${t.depth}:${new URL(t.name).pathname.replace(/^.*\/(cdn|api)\//, '$1/')}`).join(', '),
      });
    } finally {
      await context.close();
    }
  }
  console.log(`\nthe reader jumps to the comments over a slow network (${LATENCY} ms added to every request), median of ${runs.length}`);
  console.log(`  first comment on screen, in the page    ${ms(median(runs.map((x) => x.shown)))}  (each run: ${runs.map((x) => Math.round(x.shown)).join(' / ')} ms)`);
  console.log(`  round trips one after the other         ${median(runs.map((x) => x.depth))}  (round: request, in the first run: ${runs[0]?.chain})`);
}

// ----------------------------------------------------------------------------------------- typing
const TEXT = Array.from({ length: 400 }, (_, i) => ['Binh ', 'luan ', 'so ', `${i % 10} `, 've '][i % 5]).join('').repeat(3).slice(0, TYPED);

/** One figure per interaction (keydown, keypress, keyup share an interactionId): its longest event, slowest first. */
function interactions(events) {
  const by = new Map();
  for (const e of events) if (e.id > 0) by.set(e.id, Math.max(by.get(e.id) ?? 0, e.d));
  return [...by.values()].sort((a, b) => b - a);
}
/** A time Event Timing reported; none reported (nothing reaches its 16 ms threshold) is "< 16 ms". */
const orUnder16 = (x) => (Number.isFinite(x) ? ms(x) : '< 16 ms');

/** Characters typed at a reader's pace, after the burst. */
const PACED = 240;

async function benchTyping(browser, site) {
  const results = [];
  const paced = [];
  for (const [variant, label] of [
    ['textarea', 'a plain <textarea>, no widget'],
    ['with', 'the widget\'s form'],
  ]) {
    const { context, page, cdp, watch } = await openPage(browser, site, variant);
    try {
      let field;
      if (variant === 'with') {
        const host = page.locator('ykien-comments');
        await host.scrollIntoViewIfNeeded();
        field = host.locator('[part~="textarea"]');
        await field.click(); // focus: hCaptcha's wrapper and (fake) api.js load now, as for a reader
        await page.locator('ykien-comments .fake-hcaptcha').waitFor({ state: 'visible' });
      } else {
        field = page.locator('.ykien-bench-plain');
        await field.click();
      }
      await watch.settle();
      await page.evaluate(() => (window.__perf.events.length = 0));
      const before = await mainThread(cdp);
      const t0 = Date.now();
      await page.keyboard.type(TEXT);
      const wall = Date.now() - t0;
      await watch.settle();
      const after = await mainThread(cdp);
      const typed = (await field.inputValue()).length;
      const events = await page.evaluate(() => window.__perf.events);
      const slow = interactions(events);
      // INP leaves out one worst interaction per 50; below the 16 ms threshold nothing is reported.
      const inp = slow[Math.floor(TYPED / 50)] ?? NaN;
      results.push({
        label, typed, wall,
        max: slow[0] ?? NaN,
        inp,
        over50: slow.filter((d) => d > 50).length,
        over16: slow.length,
        maxDelay: events.reduce((m, e) => Math.max(m, e.delay), 0),
        // Main-thread time per key (all tasks; of it, layout), the steadiest of these figures.
        taskPerKey: ((after.task - before.task) * 1e6) / TYPED,
        layoutPerKey: ((after.layout - before.layout) * 1e6) / TYPED,
      });
      // At a reader's pace: keys 60 ms apart, with a pause of 320 ms after every 40 (just past the draft's
      // 300 ms wait: its IndexedDB write then starts as the next keys come, which the burst above, typed
      // back to back without a pause, never lets it do).
      await field.fill('');
      await watch.settle();
      await page.evaluate(() => (window.__perf.events.length = 0));
      for (let i = 0; i < PACED; i += 40) {
        await page.keyboard.type(TEXT.slice(i, i + 40), { delay: 60 });
        await new Promise((r) => setTimeout(r, 320));
      }
      await watch.settle();
      const pacedEvents = await page.evaluate(() => window.__perf.events);
      const pacedSlow = interactions(pacedEvents);
      paced.push({ label, typed: (await field.inputValue()).length, max: pacedSlow[0] ?? NaN, over16: pacedSlow.length, maxDelay: pacedEvents.length ? Math.max(...pacedEvents.map((e) => e.delay)) : NaN });
    } finally {
      await context.close();
    }
  }
  console.log(`\ntyping ${TYPED} characters (Playwright keyboard.type, one key after the other), Event Timing, durationThreshold 16 ms`);
  console.log(`${pad('', 34)}${pad('typed', 8)}${pad('took', 10)}${pad('slowest', 11)}${pad('INP-like', 11)}${pad('>16 ms', 8)}${pad('>50 ms', 8)}${pad('max input delay', 17)}main thread / key  of it layout`);
  for (const r of results) {
    // (Event Timing reports no event under 16 ms: none reported is "< 16 ms", not a measured 0.)
    const delay = r.over16 ? ms(r.maxDelay) : '< 16 ms';
    console.log(`${pad(r.label, 34)}${pad(r.typed, 8)}${pad(`${(r.wall / 1000).toFixed(1)} s`, 10)}${pad(orUnder16(r.max), 11)}${pad(orUnder16(r.inp), 11)}${pad(r.over16, 8)}${pad(r.over50, 8)}${pad(delay, 17)}${pad(`${Math.round(r.taskPerKey)} us`, 19)}${Math.round(r.layoutPerKey)} us`);
  }
  console.log(`\ntyping ${PACED} characters at a reader's pace (60 ms a key, 320 ms pauses every 40: the draft's save starts as the next keys come), Event Timing, 16 ms threshold`);
  console.log(`${pad('', 34)}${pad('typed', 8)}${pad('slowest', 11)}${pad('>16 ms', 8)}max input delay`);
  for (const r of paced) console.log(`${pad(r.label, 34)}${pad(r.typed, 8)}${pad(orUnder16(r.max), 11)}${pad(r.over16, 8)}${orUnder16(r.maxDelay)}`);
  return results;
}

// ------------------------------------------------ the widget alone (first render, outbox write)
async function benchWidget(browser, site, until) {
  const render = [];
  const ready = [];
  const queue = [];
  for (let i = 0; i < LOADS && (i < 3 || Date.now() < until); i++) {
    const context = await browser.newContext();
    await routeOffline(context);
    const page = await context.newPage();
    await page.addInitScript(() => {
      const t0 = performance.now();
      // The first frame in which the reader can see the form (not `updateComplete`, which also waits
      // for the re-render after IndexedDB answered).
      const seen = () => {
        if (!document.querySelector('ykien-comments')?.shadowRoot?.querySelector('form')) return requestAnimationFrame(seen);
        const now = performance.now();
        window.__render = [now - t0, now - (window.__beforeScript ?? NaN)];
      };
      requestAnimationFrame(seen);
      addEventListener('ykien-submit', () => (window.__submitAt = performance.now()), true);
      addEventListener('ykien-queued', () => (window.__queued = performance.now() - window.__submitAt), true);
    });
    // A bare article page: nothing but the element and its script (the loader, which fetches the
    // element's code at once on a page this short), so the figure is ours alone.
    await page.route(site.url + '/bench.html', (r) =>
      r.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html lang="vi"><title>Bench</title><h1>Bài viết</h1>
          <ykien-comments endpoint="/api/comments"></ykien-comments>
          <script>window.__beforeScript = performance.now()</script><script src="/ykien.iife.js"></script>`,
      }),
    );
    await page.goto(site.url + '/bench.html');
    await page.waitForFunction(() => window.__render !== undefined);
    const [fromStart, fromScript] = await page.evaluate(() => window.__render);
    render.push(fromStart);
    ready.push(fromScript);
    // Offline send: the time until the comment is in IndexedDB and the reader is told.
    const host = page.locator('ykien-comments');
    await host.locator('[part~="input"]').fill('Bench');
    await host.locator('[part~="textarea"]').fill('Bình luận thử ' + i);
    await context.setOffline(true);
    await host.locator('[part~="submit"]').click();
    await page.waitForFunction(() => window.__queued !== undefined);
    queue.push(await page.evaluate(() => window.__queued));
    await context.close();
  }
  console.log('\nthe widget on a bare page (loader + chunks from loopback)');
  console.log(`widget  page start → form visible           median ${ms(pct(render, 50))}  p95 ${ms(pct(render, 95))}  (n=${render.length})`);
  console.log(`widget  script start → form visible         median ${ms(pct(ready, 50))}  p95 ${ms(pct(ready, 95))}  (n=${ready.length})`);
  console.log(`widget  send offline → stored in outbox      median ${ms(pct(queue, 50))}  p95 ${ms(pct(queue, 95))}  (n=${queue.length})`);
}

export async function benchBrowser({ seconds = Number(process.env.YKIEN_BENCH_BROWSER_SECONDS ?? 180) } = {}) {
  const started = Date.now();
  const end = started + seconds * 1000;
  console.log(
    `browser  ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the start;` +
      ` Chromium ${chromiumOptions().executablePath ?? '(Playwright\'s)'}`,
  );
  const site = await startBenchSite({ captcha: true });
  const browser = await chromium.launch(chromiumOptions());
  try {
    await site.seed(SEEDED);
    console.log(`browser  Chromium ${browser.version()}; the demo article with ${SEEDED} published comments, served from ${site.url}`);
    // Shares of the time limit: Lighthouse is the slowest part by far.
    await benchLighthouse(site); // always RUNS runs of each page: the issue asks for a median of 3
    await benchTimeline(browser, site, started + 0.75 * (end - started));
    await benchRoundTrips(browser, site);
    await benchTyping(browser, site); // once in each field, whatever the time
    await benchWidget(browser, site, end);
  } finally {
    await browser.close();
    await site.stop();
  }
  for (const note of site.notes) console.log(`note: ${note}`);
  console.log(`browser  load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end; took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (isMain(import.meta.url)) await benchBrowser();
