// The main thread's tasks over 50 ms while a page with the widget starts (the bench host
// page, or PAGE, e.g. /book/open), with what each spends its time on: a Chrome trace taken
// through the DevTools protocol with the CPU slowed down CPU_SLOWDOWN times (4 by default,
// as Lighthouse's mobile profile), on a 412×823 phone. Prints each long task, the time V8
// spent in it compiling wasm functions on their first call, and its biggest events (script
// calls with their function and file, compiling, style, layout).
import { launchBrowser } from '../../tests/e2e/support.mjs';
import { startSite } from './site.mjs';

const SLOWDOWN = Number(process.env.CPU_SLOWDOWN ?? 4);
const PATH = process.env.PAGE ?? '/host.html';
const CATEGORIES = ['disabled-by-default-v8.wasm.detailed', 'v8.wasm', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'v8', 'blink.user_timing', 'loading'];

const proxy = await startSite();
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, isMobile: true, deviceScaleFactor: 1.75 });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: CATEGORIES }, transferMode: 'ReportEvents' });
  await page.goto(proxy.base + PATH);
  await page.locator('.bw-day--free').first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(2000);
  await cdp.send('Tracing.end');
  await done;

  // The renderer's main thread: the thread of the tasks that ran the page's scripts.
  const main = events.find((e) => e.name === 'FunctionCall' || e.name === 'EvaluateScript');
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
  const start = Math.min(...events.filter((e) => e.name === 'navigationStart' || e.name === 'TracingStartedInBrowser').map((e) => e.ts));
  const long = onMain.filter((e) => e.name === 'RunTask' && e.dur > 50_000).sort((a, b) => a.ts - b.ts);
  const ms = (us) => `${(us / 1000).toFixed(1)} ms`;
  console.log(`Tasks over 50 ms on ${PATH}, CPU ${SLOWDOWN}× slower (node scripts/bench/tasks.mjs):`);
  for (const task of long) {
    console.log(`\n- at ${ms(task.ts - start)}: ${ms(task.dur)}`);
    // V8 compiles a wasm function the first time it is called, on the main thread.
    const lazy = onMain.filter((e) => e.name === 'wasm.CompileLazy' && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur);
    const outer = lazy.filter((e) => !lazy.some((p) => p !== e && p.ts <= e.ts && p.ts + p.dur >= e.ts + e.dur));
    if (outer.length > 0) console.log(`  (wasm functions compiled on first call: ${outer.length}, ${ms(outer.reduce((a, e) => a + e.dur, 0))})`);
    const inside = onMain.filter((e) => e !== task && !e.name.startsWith('wasm.') && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur && e.dur > 2_000);
    for (const e of inside.sort((a, b) => a.ts - b.ts)) {
      const d = e.args?.data ?? {};
      const what = [d.functionName, d.url?.split('/').pop(), d.type].filter(Boolean).join(' ');
      const depth = inside.filter((p) => p !== e && p.ts <= e.ts && p.ts + p.dur >= e.ts + e.dur).length;
      console.log(`${'  '.repeat(depth + 1)}${e.name}${what ? ` (${what})` : ''}: ${ms(e.dur)} at +${ms(e.ts - task.ts)}`);
    }
  }
  await context.close();
} finally {
  await browser.close();
  await proxy.stop();
}
