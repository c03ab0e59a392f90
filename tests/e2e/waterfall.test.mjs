// No waterfall: the loader asks for the wasm beside the glue and for the profile and its
// first month's slots while the wasm loads, and the widget uses those answers; the booking
// page carries its profile and this month's slots, so the widget asks the proxy nothing
// before it draws them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, launchBrowser, startHost, INTRO_PROFILE } from './support.mjs';
import { Widget } from './widget-page.mjs';

// Nothing is free before 75 days from now: the widget looks ahead for the first free month.
const LATER_PROFILE = `
[profiles.later]
provider = "local"
title = "Later"
time_zone = "UTC"
durations = [30]
min_notice = 108000
horizon_days = 150
hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], thu = ["09:00-17:00"], fri = ["09:00-17:00"] }
`;

let proxy;
let host;
let browser;

before(async () => {
  host = await startHost((base) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Host page</title><script src="${base}/widget.js" defer></script></head>
<body><booking-widget id="w" profile="intro"></booking-widget></body></html>`);
  proxy = await startProxy(INTRO_PROFILE + LATER_PROFILE, { origins: [host.origin] });
  host.setProxy(proxy.base);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
  await host?.stop();
});

/// A page whose wasm answers `wasmDelay` ms late, and the log of what it asked, in order:
/// `{ event: 'start' | 'end', path, search, at }`.
async function openLogged(wasmDelay) {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
  await context.route('**/*_bg.wasm', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, wasmDelay));
    await route.continue().catch(() => {});
  });
  const page = await context.newPage();
  const log = [];
  const note = (event) => (r) => {
    const url = new URL(r.url());
    log.push({ event, path: url.pathname, search: url.search, at: log.length });
  };
  page.on('request', note('start'));
  page.on('requestfinished', note('end'));
  return { page, log, close: () => context.close() };
}

/// This month in `zone` as the widget asks for it: `?from=…-01&to=…-<last>&time_zone=…`.
function thisMonth(zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric' })
    .formatToParts().map(({ type, value }) => [type, Number(value)]));
  const month = `${parts.year}-${String(parts.month).padStart(2, '0')}`;
  const last = new Date(Date.UTC(parts.year, parts.month, 0)).getUTCDate();
  return `?from=${month}-01&to=${month}-${last}&time_zone=${encodeURIComponent(zone)}`;
}

test('embedded: the wasm, the profile and the first month are asked for at once, and each once', async () => {
  const { page, log, close } = await openLogged(600);
  await page.goto(host.origin);
  await new Widget(page.locator('#w')).ready();
  const first = (event, test) => log.find((e) => e.event === event && test(e));
  const glueEnd = first('end', (e) => /booking-widget-[^/]*\.js$/.test(e.path));
  const wasmStart = first('start', (e) => e.path.endsWith('_bg.wasm'));
  const wasmEnd = first('end', (e) => e.path.endsWith('_bg.wasm'));
  const profileStart = first('start', (e) => e.path === '/api/v1/profiles/intro');
  assert.ok(glueEnd && wasmStart && wasmEnd && profileStart, JSON.stringify(log));
  assert.ok(wasmStart.at < glueEnd.at, 'the wasm is asked for before the glue has arrived');
  assert.ok(profileStart.at < wasmEnd.at, 'the profile is asked for while the wasm loads');
  const month = `/api/v1/profiles/intro/slots${thisMonth('Europe/Paris')}&duration=30`;
  const asked = (url) => log.filter((e) => e.event === 'start' && e.path + e.search === url).length;
  assert.equal(asked('/api/v1/profiles/intro'), 1, 'the widget took the loader\'s answer');
  assert.equal(asked(month), 1, `the first month once: ${JSON.stringify(log.map((e) => e.path + e.search))}`);
  await close();
});

test('/book/{profile}: the profile and this month come with the page', async () => {
  const { page, log, close } = await openLogged(0);
  await page.goto(`${proxy.base}/book/intro`);
  await page.locator('.bw-day--free').first().waitFor({ timeout: 20_000 });
  const api = log.filter((e) => e.event === 'start' && e.path.startsWith('/api/'));
  const month = thisMonth('Europe/Paris');
  assert.ok(!api.some((e) => e.path === '/api/v1/profiles/intro'), JSON.stringify(api));
  assert.ok(!api.some((e) => e.search.startsWith(month)), `not this month: ${JSON.stringify(api)}`);
  // What the page carried is what the proxy would have said.
  const shown = await page.locator('.bw-day--free').evaluateAll((days) => days.map((d) => d.dataset.date));
  const answer = await (await fetch(`${proxy.base}/api/v1/profiles/intro/slots${month}&duration=30`)).json();
  const days = [...new Set(answer.slots.map((s) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(s.start))))];
  if (days.length > 0) assert.deepEqual(shown, days);
  await close();
});

test('looking ahead for the first free month asks once per two months', async () => {
  const { page, log, close } = await openLogged(0);
  await page.goto(`${proxy.base}/book/later`);
  const first = page.locator('.bw-day--free').first();
  await first.waitFor({ timeout: 30_000 });
  const day = await first.getAttribute('data-date');
  const earliest = new Date(Date.now() + 75 * 86_400_000).toISOString().slice(0, 10);
  assert.ok(day >= earliest, `${day} is not before ${earliest}`);
  // Months after this one (in Paris, the visitor's zone) up to the free day's.
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date()).split('-').map(Number);
  const [fy, fm] = day.split('-').map(Number);
  const ahead = (fy - y) * 12 + (fm - m);
  const asked = log.filter((e) => e.event === 'start' && e.path === '/api/v1/profiles/later/slots');
  // This month came with the page; the months ahead two at a time.
  assert.equal(asked.length, Math.ceil(ahead / 2), JSON.stringify(asked.map((e) => e.search)));
  await close();
});
