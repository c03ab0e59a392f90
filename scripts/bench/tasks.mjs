// The main thread's tasks over 50 ms while a page with the widget starts (the bench host
// page, or PAGE, e.g. /book/open), with what each spends its time on: a Chrome trace taken
// through the DevTools protocol with the CPU slowed down CPU_SLOWDOWN times (4 by default,
// as Lighthouse's mobile profile), on a 412×823 phone. Prints each long task, the time V8
// spent in it compiling wasm functions on their first call, and its biggest events (script
// calls with their function and file, compiling, style, layout), for the last of RUNS runs
// (5 by default), then the median over the runs of the longest task, of the longest task
// that ran the widget's wasm, and of the time beyond 50 ms summed over the tasks (Lighthouse's
// "total blocking time", from navigation until two seconds after the first free day).
// Then, from twice RUNS loads without a trace, the tasks over 50 ms that the page's own
// `PerformanceObserver` saw from the wasm's instantiation on (the widget's start-up).
import { launchBrowser } from '../../tests/e2e/support.mjs';
import { startSite } from './site.mjs';

// Waits for a free day through the protocol, in a few lines of the page's own: Playwright's
// locators inject a script of their own into the page, whose evaluation would be a long task
// in the middle of the start-up measured.
const freeDay = (cdp) => cdp.send('Runtime.evaluate', {
  awaitPromise: true,
  expression: `new Promise((resolve, reject) => {
    const until = Date.now() + 30000;
    const look = () => [...document.querySelectorAll('*')].some((e) => e.shadowRoot?.querySelector('.bw-day--free'))
      ? resolve() : Date.now() > until ? reject(new Error('no free day')) : setTimeout(look, 20);
    look();
  })`,
}).then(({ exceptionDetails }) => { if (exceptionDetails) throw new Error(exceptionDetails.text); });

const SLOWDOWN = Number(process.env.CPU_SLOWDOWN ?? 4);
const PATH = process.env.PAGE ?? '/host.html';
// Events shorter than this (µs) are left out of a long task's breakdown.
const DETAIL = Number(process.env.DETAIL_MS ?? 2) * 1000;
const CATEGORIES = ['disabled-by-default-v8.wasm.detailed', 'v8.wasm', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'v8', 'blink.user_timing', 'loading'];

const RUNS = Number(process.env.RUNS ?? 5);
const ms = (us) => `${(us / 1000).toFixed(1)} ms`;
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

/** One cold load on a phone with the CPU slowed down, until two seconds after the first
 *  free day: `before(page, cdp)` runs before the page is asked for and returns what to do
 *  after, whose answer is the load's. */
const coldLoad = async (browser, base, before) => {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, isMobile: true, deviceScaleFactor: 1.75 });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
    const after = await before(page, cdp);
    await page.goto(base + PATH);
    await freeDay(cdp);
    await page.waitForTimeout(2000);
    return await after();
  } finally {
    await context.close();
  }
};

/** One cold load's trace: the main thread's events, and when navigation started. */
const trace = (browser, base) => coldLoad(browser, base, async (page, cdp) => {
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: CATEGORIES }, transferMode: 'ReportEvents' });
  return async () => {
    await cdp.send('Tracing.end');
    await done;
    // The renderer's main thread: the thread of the tasks that ran the page's scripts.
    const main = events.find((e) => e.name === 'FunctionCall' || e.name === 'EvaluateScript');
    const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
    const start = Math.min(...events.filter((e) => e.name === 'navigationStart' || e.name === 'TracingStartedInBrowser').map((e) => e.ts));
    return { onMain, start };
  };
});

/** One cold load without a trace (a trace lengthens the tasks that compile wasm, by a third
 *  or more): the tasks over 50 ms the page's own observer saw from the wasm's instantiation
 *  on, as `[start, duration]` in ms. */
const untraced = (browser, base) => coldLoad(browser, base, async (page) => {
  await page.addInitScript(() => {
    window.__long = [];
    // When the glue starts the wasm: the widget's start-up in the wasm comes after.
    for (const name of ['instantiateStreaming', 'instantiate']) {
      const start = WebAssembly[name];
      WebAssembly[name] = function (...args) {
        window.__wasmAt ??= performance.now();
        return start.apply(this, args);
      };
    }
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
  return () => page.evaluate(() => window.__long.filter(([start]) => start >= window.__wasmAt).map((t) => t.map(Math.round)));
});

const within = (task, e) => e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur;
/** The wasm functions V8 compiled in `task` on their first call (on the main thread). */
const lazyIn = (onMain, task) => {
  const lazy = onMain.filter((e) => e.name === 'wasm.CompileLazy' && within(task, e));
  return lazy.filter((e) => !lazy.some((p) => p !== e && p.ts <= e.ts && p.ts + p.dur >= e.ts + e.dur));
};

const proxy = await startSite();
const browser = await launchBrowser();
const longest = [];
const wasmLongest = [];
const blocking = [];
const steps = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    const { onMain, start } = await trace(browser, proxy.base);
    const long = onMain.filter((e) => e.name === 'RunTask' && e.dur > 50_000).sort((a, b) => a.ts - b.ts);
    const tasks = onMain.filter((e) => e.name === 'RunTask');
    longest.push(Math.max(0, ...tasks.map((t) => t.dur)));
    // A task that ran the wasm: one where V8 compiled wasm, or called into the glue.
    const wasm = tasks.filter((t) => onMain.some((e) => within(t, e) && (e.name === 'wasm.CompileLazy' || /booking-widget-/.test(e.args?.data?.url ?? ''))));
    wasmLongest.push(Math.max(0, ...wasm.map((t) => t.dur)));
    blocking.push(long.reduce((sum, t) => sum + t.dur - 50_000, 0));
    // The start-up's steps in the wasm, in order (those over 10 ms).
    steps.push(wasm.filter((t) => t.dur > 10_000).sort((a, b) => a.ts - b.ts).map((t) => Math.round(t.dur / 1000)));
    if (run < RUNS) continue;
    console.log(`Tasks over 50 ms on ${PATH}, CPU ${SLOWDOWN}× slower, the last of ${RUNS} runs (node scripts/bench/tasks.mjs):`);
    for (const task of long) {
      console.log(`\n- at ${ms(task.ts - start)}: ${ms(task.dur)}`);
      const outer = lazyIn(onMain, task);
      if (outer.length > 0) console.log(`  (wasm functions compiled on first call: ${outer.length}, ${ms(outer.reduce((a, e) => a + e.dur, 0))})`);
      const inside = onMain.filter((e) => e !== task && !e.name.startsWith('wasm.') && within(task, e) && e.dur > DETAIL);
      for (const e of inside.sort((a, b) => a.ts - b.ts)) {
        const d = e.args?.data ?? {};
        const what = [d.functionName, d.url?.split('/').pop(), d.type].filter(Boolean).join(' ');
        const depth = inside.filter((p) => p !== e && within(p, e)).length;
        console.log(`${'  '.repeat(depth + 1)}${e.name}${what ? ` (${what})` : ''}: ${ms(e.dur)} at +${ms(e.ts - task.ts)}`);
      }
    }
  }
  const row = (name, list) => console.log(`| ${name} | ${ms(median(list))} | ${list.map(ms).join(', ')} |`);
  console.log(`\nMedian of ${RUNS} runs on ${PATH}, CPU ${SLOWDOWN}× slower:\n\n| | median | runs |\n|---|---:|---|`);
  row('longest task', longest);
  row('longest task running the wasm', wasmLongest);
  row('time over 50 ms, summed', blocking);
  console.log(`\nThe tasks running the wasm, over 10 ms, in order (ms), each run:\n${steps.map((s) => `- ${s.join(', ')}`).join('\n')}`);
  const seen = [];
  for (let run = 1; run <= 2 * RUNS; run++) seen.push(await untraced(browser, proxy.base));
  const over = seen.filter((l) => l.length > 0).length;
  console.log(`\nWithout a trace, ${2 * RUNS} runs: the tasks over 50 ms from the wasm's instantiation on (start+duration, ms), in ${over} of them:`);
  console.log(seen.map((l) => `- ${l.length ? l.map(([at, d]) => `${at}+${d}`).join(', ') : 'none'}`).join('\n'));
} finally {
  await browser.close();
  await proxy.stop();
}
