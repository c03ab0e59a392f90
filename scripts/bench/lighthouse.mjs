// Lighthouse (npm, scripts/bench/package.json) with Debian's Chromium against the booking
// page and a host page embedding the widget, served by the release proxy on 127.0.0.1
// (scripts/bench/site.mjs). Mobile and desktop profiles, median of RUNS by performance
// score, a fresh Chromium per run. Prints a Markdown table, and the widget's long tasks.
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { startSite } from './site.mjs';

const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const PAGES = [['`/book/{p}`', '/book/open'], ['embed on a host page', '/host.html']];
const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const DESKTOP = {
  formFactor: 'desktop',
  screenEmulation: { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false },
  // Lighthouse's own desktop throttling (its desktop preset).
  throttling: { rttMs: 40, throughputKbps: 10240, cpuSlowdownMultiplier: 1, requestLatencyMs: 0,
    downloadThroughputKbps: 0, uploadThroughputKbps: 0 },
};

async function audit(url, desktop) {
  const chrome = await chromeLauncher.launch({ chromePath: '/usr/bin/chromium', chromeFlags: FLAGS });
  try {
    const settings = {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
    };
    const config = desktop
      ? { extends: 'lighthouse:default', settings: { ...DESKTOP } }
      : undefined;
    const { lhr } = await lighthouse(url, settings, config);
    const score = (c) => Math.round((lhr.categories[c].score ?? 0) * 100);
    const value = (a) => lhr.audits[a]?.numericValue ?? NaN;
    return {
      performance: score('performance'),
      accessibility: score('accessibility'),
      practices: score('best-practices'),
      tbt: value('total-blocking-time'),
      lcp: value('largest-contentful-paint'),
      cls: value('cumulative-layout-shift'),
      // Each with the script Lighthouse gives it to: the page itself, the loader, the glue, the wasm.
      longTasks: (lhr.audits['long-tasks']?.details?.items ?? []).map((t) => ({
        duration: t.duration,
        script: (t.url ?? '').replace(/^.*\//, '').replace(/-[0-9a-f]{16}/, '') || 'the page',
      })),
    };
  } finally {
    await chrome.kill();
  }
}

const proxy = await startSite();
const rows = [];
try {
  for (const desktop of [false, true]) {
    for (const [name, path] of PAGES) {
      const runs = [];
      for (let run = 0; run < RUNS; run++) runs.push(await audit(proxy.base + path, desktop));
      runs.sort((a, b) => a.performance - b.performance);
      rows.push({ name, form: desktop ? 'desktop' : 'mobile', ...runs[Math.floor(runs.length / 2)] });
    }
  }
} finally {
  await proxy.stop();
}
const ms = (x) => `${Math.round(x).toLocaleString('en')} ms`;
console.log(`Lighthouse, median of ${RUNS} by performance (node scripts/bench/lighthouse.mjs):\n`);
console.log('| page | profile | performance | accessibility | best practices | TBT | LCP | CLS | long tasks |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  const tasks = r.longTasks.length ? r.longTasks.map((t) => `${ms(t.duration)} (${t.script})`).join(', ') : 'none';
  console.log(`| ${r.name} | ${r.form} | ${r.performance} | ${r.accessibility} | ${r.practices} | ${ms(r.tbt)} | ${ms(r.lcp)} | ${r.cls.toFixed(3)} | ${tasks} |`);
}
