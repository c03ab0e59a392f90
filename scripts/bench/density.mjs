// What a slot costs the widget: `/book/{p}` for local profiles open around the clock whose
// month holds about 1,500, 3,000 and 4,500 slots (a slot every 30, 15 and 10 minutes), on a
// phone with the CPU slowed down 4 times (as Lighthouse's mobile profile). For each: the
// time from navigation start to the widget's own first free day, and the page's longest
// task (the widget's mount and first drawing, which groups the month's slots by day and
// formats the chosen day's times), median of RUNS. Release proxy on 127.0.0.1, Debian's
// Chromium, a fresh context per run. Prints a Markdown table.
import { launchBrowser, openProfile, startProxy } from '../../tests/e2e/support.mjs';
import { SEL } from '../../tests/e2e/widget-page.mjs';

const RUNS = Number(process.env.DENSITY_RUNS ?? 5);
const STEPS = [30, 15, 10];
const profiles = STEPS.map((step) => openProfile(`every${step}`, step)).join('');

// In the page from its first script: the longest task, and the first frame in which the
// widget's own free day is an enabled button.
const WATCH = (selector) => {
  window.__longest = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
  }).observe({ type: 'longtask', buffered: true });
  const tick = () => {
    const day = document.querySelector('#booking-widget')?.shadowRoot?.querySelector(selector);
    if (day && !day.disabled) window.__drawn = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const proxy = await startProxy(profiles);
const browser = await launchBrowser();
const rows = [];
try {
  for (const step of STEPS) {
    const answer = await (await fetch(`${proxy.base}/api/v1/profiles/every${step}`)).json();
    if (!answer.durations) throw new Error(`profile every${step}: ${JSON.stringify(answer)}`);
    const [drawn, longest, slots] = [[], [], []];
    // One run first, not counted: the proxy's first answer for the profile and the
    // browser's first page of it are slower for reasons of their own.
    for (let run = -1; run < RUNS; run++) {
      const context = await browser.newContext({ timezoneId: 'Europe/Paris', viewport: { width: 412, height: 823 }, isMobile: true });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await page.addInitScript(WATCH, SEL.freeDay);
      await page.goto(`${proxy.base}/book/every${step}`);
      await page.waitForFunction(() => window.__drawn !== undefined, null, { timeout: 60_000 });
      // Long tasks are reported after they end: a moment for the last one.
      await page.waitForTimeout(500);
      const [d, l, n] = await page.evaluate(() => [
        window.__drawn,
        window.__longest,
        JSON.parse(document.getElementById('bw-page-data').textContent).slots.slots.length,
      ]);
      await context.close();
      if (run < 0) continue;
      drawn.push(d);
      longest.push(l);
      slots.push(n);
    }
    rows.push([step, median(slots), median(drawn), median(longest)]);
  }
} finally {
  await browser.close();
  await proxy.stop();
}
const ms = (x) => `${Math.round(x).toLocaleString('en')} ms`;
console.log(`A month's slots and the widget's start on a 4× slower CPU, median of ${RUNS} (node scripts/bench/density.mjs):\n`);
console.log('| a slot every | slots in the page | time to the widget\'s first free day | longest task |');
console.log('|---|---:|---:|---:|');
for (const [step, n, d, l] of rows) console.log(`| ${step} min | ${n.toLocaleString('en')} | ${ms(d)} | ${ms(l)} |`);
