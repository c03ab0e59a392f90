// The zone list's cost to the visitor: how long the zone field's first focus holds the main
// thread (its listener, which fills the list with every zone), and how long until every
// zone is named (a slice a frame after that), on /book/open with the CPU slowed down
// CPU_SLOWDOWN times (4 by default, as Lighthouse's mobile profile), median of 5.
import { launchBrowser } from '../../tests/e2e/support.mjs';
import { startSite } from './site.mjs';

const SLOWDOWN = Number(process.env.CPU_SLOWDOWN ?? 4);
const RUNS = 5;

const proxy = await startSite();
const browser = await launchBrowser();
// A run that timed out counts as the slowest.
const median = (xs) => xs.map((x) => (Number.isNaN(x) ? Infinity : x)).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const focus = [];
  const all = [];
  let zones = 0;
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
    const page = await context.newPage();
    await page.goto(`${proxy.base}/book/open`);
    await page.locator('.bw-day--free').first().waitFor({ timeout: 30_000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
    const [held, named, count] = await page.evaluate(() => new Promise((resolve) => {
      const root = document.querySelector('#booking-widget').shadowRoot;
      const input = root.querySelector('input[list]');
      const start = performance.now();
      input.focus();
      const held = performance.now() - start;
      const options = () => root.querySelectorAll('datalist option');
      const wait = () => {
        const list = options();
        if (list.length && [...list].every((o) => o.hasAttribute('label'))) resolve([held, performance.now() - start, list.length]);
        else if (performance.now() - start > 20_000) resolve([held, NaN, list.length]);
        else setTimeout(wait, 5);
      };
      wait();
    }));
    focus.push(held);
    all.push(named);
    zones = count;
    await context.close();
  }
  console.log(`The zone list, CPU ${SLOWDOWN}× slower, median of ${RUNS} (node scripts/bench/zones.mjs):`);
  console.log(`- ${zones} zones; the first focus holds the main thread ${median(focus).toFixed(0)} ms`);
  console.log(`- every zone named after ${median(all).toFixed(0)} ms`);
} finally {
  await browser.close();
  await proxy.stop();
}
