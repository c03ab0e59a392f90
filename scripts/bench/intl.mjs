// What a page's first use of `Intl` costs, whoever makes it: Chromium builds its ICU state
// (the locale's patterns, the zone's rules) in that one call, so it is one task that no
// splitting can shorten. The widget's loader makes it (the visitor's zone, for the early
// requests), as does the floor page. In a blank page, with the CPU slowed down CPU_SLOWDOWN
// times (4 by default, as Lighthouse's mobile profile): the first call, a second formatter
// (another locale and zone), and the same first call made again in the same page; median
// of RUNS fresh contexts (Debian's Chromium). Prints a Markdown table.
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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await launchBrowser();
const runs = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
      await page.goto('data:text/html,<!doctype html><title>blank</title>');
      const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression: TIMED, returnByValue: true });
      if (exceptionDetails) throw new Error(exceptionDetails.text);
      runs.push(result.value);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}
const ms = (x) => `${x.toFixed(1)} ms`;
console.log(`The first use of Intl in a blank page, CPU ${SLOWDOWN}× slower, median of ${RUNS} (node scripts/bench/intl.mjs):\n`);
console.log('| call | median | runs |\n|---|---:|---|');
const rows = ['the first: `Intl.DateTimeFormat().resolvedOptions().timeZone`', 'then a formatter for another locale and zone', 'the first call again'];
rows.forEach((name, i) => console.log(`| ${name} | ${ms(median(runs.map((r) => r[i])))} | ${runs.map((r) => ms(r[i])).join(', ')} |`));
