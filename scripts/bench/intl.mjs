// What a page's first use of `Intl` costs, whoever makes it: Chromium builds its ICU state
// (the locale's patterns, the zone's rules) in that one call, one task that no splitting can
// shorten. A page's workers share that state with it, so the loader has a worker make its
// first call, and takes the visitor's zone and today's date from `Temporal`, which needs none
// of it. In a blank page, with the CPU slowed down CPU_SLOWDOWN times (4 by default, as
// Lighthouse's mobile profile): the first call, a second formatter (another locale and zone),
// the same first call made again; then, in another fresh page, the zone and today's date
// from `Temporal`, and the first call once a worker has made its own; median of RUNS fresh
// contexts each (Debian's Chromium). Prints a Markdown table.
import { launchBrowser } from '../../tests/e2e/support.mjs';

const SLOWDOWN = Number(process.env.CPU_SLOWDOWN ?? 4);
const RUNS = Number(process.env.RUNS ?? 7);
// Timed in the page, as the loader makes them.
const TIMED = `(() => {
  const t0 = performance.now();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const t1 = performance.now();
  new Intl.DateTimeFormat('sv', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'short' }).format(Date.now());
  const t2 = performance.now();
  Intl.DateTimeFormat().resolvedOptions().timeZone;
  const t3 = performance.now();
  return [t1 - t0, t2 - t1, t3 - t2, zone];
})()`;
// The loader's way: the zone and date from `Temporal`; a worker's first call, then the page's.
const WARMED = `new Promise((done) => {
  const t0 = performance.now();
  const zone = Temporal.Now.timeZoneId();
  const today = Temporal.Now.plainDateISO(zone);
  const t1 = performance.now();
  const worker = new Worker(URL.createObjectURL(new Blob(['Intl.DateTimeFormat().format();postMessage(0);close()'])));
  worker.onmessage = () => {
    const t2 = performance.now();
    Intl.DateTimeFormat().resolvedOptions().timeZone;
    done([t1 - t0, performance.now() - t2, String(today)]);
  };
})`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await launchBrowser();
const runs = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const times = [];
    // Each in a fresh context: a renderer whose ICU state is still unbuilt.
    for (const expression of [TIMED, WARMED]) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
        await page.goto('data:text/html,<!doctype html><title>blank</title>');
        const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
        if (exceptionDetails) throw new Error(exceptionDetails.text);
        times.push(...result.value.filter((x) => typeof x === 'number'));
      } finally {
        await context.close();
      }
    }
    runs.push(times);
  }
} finally {
  await browser.close();
}
const ms = (x) => `${x.toFixed(1)} ms`;
console.log(`The first use of Intl in a blank page, CPU ${SLOWDOWN}× slower, median of ${RUNS} (node scripts/bench/intl.mjs):\n`);
console.log('| call | median | runs |\n|---|---:|---|');
const rows = [
  'the first: `Intl.DateTimeFormat().resolvedOptions().timeZone`',
  'then a formatter for another locale and zone',
  'the first call again',
  'in a fresh page: the zone and today\'s date from `Temporal`',
  'then the first call, once a worker has made its own',
];
rows.forEach((name, i) => console.log(`| ${name} | ${ms(median(runs.map((r) => r[i])))} | ${runs.map((r) => ms(r[i])).join(', ')} |`));
