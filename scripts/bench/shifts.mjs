// Layout shifts while the embedded widget loads: the bench host page (scripts/bench/site.mjs)
// on a phone (412×823, as Lighthouse's mobile profile) and a desktop (1350×940), each
// layout-shift entry with what moved (its sources' nodes, rectangles before and after) and
// the widget's height over time. Release proxy on 127.0.0.1, Debian's Chromium, CPU
// slowed down CPU_SLOWDOWN times (4 by default, as Lighthouse's mobile profile).
import { launchBrowser } from '../../tests/e2e/support.mjs';
import { startSite } from './site.mjs';

const SLOWDOWN = Number(process.env.CPU_SLOWDOWN ?? 4);
const SCREENS = [
  { name: 'phone 412×823', viewport: { width: 412, height: 823 }, isMobile: true, deviceScaleFactor: 1.75 },
  { name: 'desktop 1350×940', viewport: { width: 1350, height: 940 }, isMobile: false, deviceScaleFactor: 1 },
];

// In the page from its first script: every layout shift, described, and the widget's
// height at each animation frame where it changed.
const OBSERVE = () => {
  window.__shifts = [];
  window.__heights = [];
  const describe = (node) => {
    if (!node) return '(gone)';
    if (node.nodeType === Node.TEXT_NODE) return `#text in ${describe(node.parentNode)}`;
    if (node instanceof ShadowRoot) return `shadow root of ${describe(node.host)}`;
    const cls = node.getAttribute?.('class');
    return `${node.nodeName.toLowerCase()}${cls ? `.${cls.split(/\s+/).join('.')}` : ''}`;
  };
  const rect = (r) => `${Math.round(r.y)}+${Math.round(r.height)} (x ${Math.round(r.x)}+${Math.round(r.width)})`;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      window.__shifts.push({
        at: Math.round(e.startTime),
        value: e.value,
        input: e.hadRecentInput,
        sources: (e.sources ?? []).map((s) => `${describe(s.node)}: ${rect(s.previousRect)} -> ${rect(s.currentRect)}`),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  let last = -1;
  const tick = () => {
    const el = document.querySelector('booking-widget');
    const h = el ? Math.round(el.getBoundingClientRect().height) : -1;
    if (h !== last) {
      window.__heights.push(`${Math.round(performance.now())} ms: ${h}px`);
      last = h;
    }
    if (performance.now() < 8000) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

const proxy = await startSite();
const browser = await launchBrowser();
try {
  for (const screen of SCREENS) {
    const { name, ...options } = screen;
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
    await page.addInitScript(OBSERVE);
    await page.goto(`${proxy.base}/host.html`);
    await page.locator('.bw-day--free').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1500);
    const { shifts, heights } = await page.evaluate(() => ({ shifts: window.__shifts, heights: window.__heights }));
    const total = shifts.filter((s) => !s.input).reduce((sum, s) => sum + s.value, 0);
    console.log(`\n## ${name}, CPU ${SLOWDOWN}× slower: CLS ${total.toFixed(4)}`);
    for (const s of shifts) {
      console.log(`- at ${s.at} ms: ${s.value.toFixed(4)}${s.input ? ' (after input)' : ''}`);
      for (const src of s.sources) console.log(`    ${src}`);
    }
    console.log(`  widget height: ${heights.join(', ')}`);
    await context.close();
  }
} finally {
  await browser.close();
  await proxy.stop();
}
