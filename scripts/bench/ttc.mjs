// Time to clickable: from navigation start until a free day can be clicked, for a static
// floor page, the widget embedded in a host page, and the booking page `/book/{p}`, on
// loopback and on two emulated 4G networks. Release proxy on 127.0.0.1, Debian's Chromium,
// a fresh browser context per run, median of RUNS. Prints two Markdown tables: until any
// free day is clickable (the loader's early month counts), and until the widget's own is.
import { launchBrowser } from '../../tests/e2e/support.mjs';
import { SEL } from '../../tests/e2e/widget-page.mjs';
import { startSite } from './site.mjs';

const RUNS = Number(process.env.TTC_RUNS ?? 5);
// Chromium's emulation: round trip in ms, throughput in bytes per second.
const NETWORKS = [
  { name: 'loopback', conditions: null },
  { name: 'fast 4G (60 ms, 9 Mbps)', conditions: { latency: 60, downloadThroughput: 9e6 / 8, uploadThroughput: 1.5e6 / 8 } },
  { name: 'slow 4G (150 ms, 1.6 Mbps)', conditions: { latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 0.75e6 / 8 } },
];
// In the page from its first script: the first animation frame in which a free day is an
// enabled button, found through open shadow roots; `__clickable` for any (the loader's
// early month counts: a click there opens that day once the widget is up) and `__widget`
// for the widget's own calendar.
const WATCH = ([early, own]) => {
  const find = (root, selector) => {
    const hit = root.querySelector(selector);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) {
        const inner = find(el.shadowRoot, selector);
        if (inner) return inner;
      }
    }
    return null;
  };
  const shown = (day) => day && !day.disabled && day.getBoundingClientRect().width > 0;
  const tick = () => {
    if (window.__clickable === undefined && shown(find(document, `${early}, ${own}`))) {
      window.__clickable = performance.now();
    }
    if (shown(find(document, own))) {
      window.__widget = performance.now();
    } else {
      requestAnimationFrame(tick);
    }
  };
  requestAnimationFrame(tick);
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const proxy = await startSite();
const browser = await launchBrowser();
const pages = [['static floor page', '/floor.html'], ['embed on a host page', '/host.html'], ['`/book/{p}`', '/book/open']];
const rows = [];
try {
  for (const network of NETWORKS) {
    const figures = [];
    for (const [, path] of pages) {
      const times = [];
      for (let run = 0; run < RUNS; run++) {
        const context = await browser.newContext({ timezoneId: 'Europe/Paris' });
        const page = await context.newPage();
        await page.addInitScript(WATCH, [SEL.earlyDay, SEL.freeDay]);
        if (network.conditions) {
          const cdp = await context.newCDPSession(page);
          await cdp.send('Network.enable');
          await cdp.send('Network.emulateNetworkConditions', { offline: false, ...network.conditions });
        }
        await page.goto(proxy.base + path);
        await page.waitForFunction(() => window.__widget !== undefined, null, { timeout: 30_000 });
        times.push(await page.evaluate(() => [window.__clickable, window.__widget]));
        await context.close();
      }
      figures.push([median(times.map((t) => t[0])), median(times.map((t) => t[1]))]);
    }
    rows.push([network.name, ...figures]);
  }
} finally {
  await browser.close();
  await proxy.stop();
}
const ms = (x) => `${Math.round(x).toLocaleString('en')} ms`;
const table = (title, pick) => {
  console.log(`${title}, median of ${RUNS} (node scripts/bench/ttc.mjs):\n`);
  console.log('| network | static floor page | embed on a host page | `/book/{p}` |');
  console.log('|---|---:|---:|---:|');
  for (const [name, ...figures] of rows) {
    const [floor, embed, book] = figures.map(pick);
    const ratio = (x) => `${ms(x)} (${(x / floor).toFixed(1)}×)`;
    console.log(`| ${name} | ${ms(floor)} | ${ratio(embed)} | ${ratio(book)} |`);
  }
};
table('Time to a clickable free day', (f) => f[0]);
console.log();
table("Time to the widget's own calendar (the floor as above)", (f) => f[1]);
