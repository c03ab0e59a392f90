// The public booking page's theme: the visitor's prefers-color-scheme by default, or the
// page's `?theme=light|dark|auto`, for the widget and the page around it alike, under the
// page's strict Content-Security-Policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startProxy, launchBrowser, artifact, axeViolations, INTRO_PROFILE, ROOT } from './support.mjs';
import { Widget } from './widget-page.mjs';

let proxy;
let browser;

before(async () => {
  proxy = await startProxy(INTRO_PROFILE);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
});

// The widget's background (--bw-bg) and text (--bw-text), light and dark (docs/theming.md),
// and the page's own background around it (style/page.css).
const LIGHT = { page: 'rgb(244, 245, 247)', card: 'rgb(255, 255, 255)', text: 'rgb(26, 29, 35)' };
const DARK = { page: 'rgb(14, 16, 20)', card: 'rgb(21, 24, 30)', text: 'rgb(238, 240, 243)' };

/// Opens `/book/intro` + `query` with the system's `colorScheme`; resolves once a free day
/// shows, with the colours drawn and a free day's (the accent).
async function open(colorScheme, query = '') {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', colorScheme, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto(`${proxy.base}/book/intro${query}`);
  assert.equal(response.status(), 200, query);
  const w = new Widget(page);
  await w.ready();
  const colours = async () => ({
    page: await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
    card: await w.root.evaluate((r) => getComputedStyle(r).backgroundColor),
    text: await w.root.evaluate((r) => getComputedStyle(r).color),
  });
  // A free day not chosen (the first is chosen on load) is drawn in the accent; late on
  // the month's last free day, the next month has them.
  const accent = async () => {
    const other = w.scope.locator('.bw-day--free:not(.bw-day--selected)').first();
    if (!(await other.count())) await w.monthNav.nth(1).click();
    return other.evaluate((d) => getComputedStyle(d).color);
  };
  const clean = async () => {
    assert.deepEqual(await page.evaluate(() => window.__violations), [], `${query}: no CSP violation`);
    assert.deepEqual(problems, [], query);
  };
  return { page, w, colours, accent, clean, close: () => context.close() };
}

test('/book follows the system: dark when the visitor prefers dark, light otherwise', async () => {
  const dark = await open('dark');
  assert.deepEqual(await dark.colours(), DARK, 'no white card on a dark page');
  assert.deepEqual(await axeViolations(dark.page), [], 'dark');
  await dark.page.screenshot({ path: artifact('book-desktop-dark.png') });
  // docs/screenshots shows it: `UPDATE_SCREENSHOTS=1` refreshes it.
  if (process.env.UPDATE_SCREENSHOTS) {
    mkdirSync(join(ROOT, 'docs/screenshots'), { recursive: true });
    copyFileSync(artifact('book-desktop-dark.png'), join(ROOT, 'docs/screenshots/book-desktop-dark.png'));
  }
  await dark.clean();
  const light = await open('light');
  assert.deepEqual(await light.colours(), LIGHT);
  await light.clean();
  await light.close();
  await dark.close();
});

test('?theme=dark and ?theme=light win over the system; auto and unknown values follow it', async () => {
  const dark = await open('light', '?theme=dark');
  assert.deepEqual(await dark.colours(), DARK, 'no light page around a dark card');
  assert.deepEqual(await axeViolations(dark.page), [], 'theme=dark');
  await dark.page.screenshot({ path: artifact('book-desktop-theme-dark.png') });
  // The system's dark and the query's dark are the same tokens, the accent too.
  const system = await open('dark');
  assert.equal(await system.accent(), await dark.accent());
  assert.equal(await dark.accent(), 'rgb(138, 180, 255)');
  await dark.clean();
  await system.close();
  await dark.close();

  const light = await open('dark', '?theme=light');
  assert.deepEqual(await light.colours(), LIGHT, 'no dark page around a light card');
  assert.deepEqual(await axeViolations(light.page), [], 'theme=light');
  await light.clean();
  await light.close();

  for (const [scheme, query, want] of [
    ['dark', '?theme=auto', DARK], ['light', '?theme=auto', LIGHT],
    ['dark', '?theme=sepia', DARK], ['light', '?theme=', LIGHT],
    ['dark', '?theme=dark&theme=light', DARK], ['dark', '?locale=fr&theme=light', LIGHT],
  ]) {
    const o = await open(scheme, query);
    assert.deepEqual(await o.colours(), want, `${scheme} ${query}`);
    await o.clean();
    await o.close();
  }
});

test('auto changes with the system while the page is open', async () => {
  const o = await open('light');
  assert.deepEqual(await o.colours(), LIGHT);
  await o.page.emulateMedia({ colorScheme: 'dark' });
  assert.deepEqual(await o.colours(), DARK);
  await o.close();
});

test('/book has one h1, the profile\'s title, for assistive technology; an unknown profile\'s says so', async () => {
  const { page, w, close } = await open('light');
  const heading = page.getByRole('heading', { level: 1 });
  assert.equal(await heading.count(), 1);
  assert.equal(await heading.textContent(), 'Intro call');
  // Read out, not drawn: the widget's own header shows the title.
  const drawn = await heading.evaluate((h) => {
    const r = h.getBoundingClientRect();
    const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return h.contains(at) || getComputedStyle(h).position !== 'absolute';
  });
  assert.equal(drawn, false, 'clipped away, out of the flow');
  assert.equal(await w.scope.getByRole('heading', { level: 2 }).first().textContent(), 'Intro call');
  await page.goto(`${proxy.base}/book/nope`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Booking profile not found');
  await close();
});
