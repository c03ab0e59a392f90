// The page frame in a real browser: the built widget, served by the real proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, launchBrowser, artifact, INTRO_PROFILE } from './support.mjs';
import { Widget, SEL } from './widget-page.mjs';

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

test('the public page shows the profile in an open shadow root', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${proxy.base}/book/intro`);
  assert.equal(await page.title(), 'Intro call');
  const w = new Widget(page);
  await w.titled('Intro call').waitFor({ timeout: 15_000 });
  // A blank shows what it stands for until the booking fills it.
  assert.equal(await w.description.textContent(), 'A call about [topic].');
  await w.calendar.waitFor();
  const inShadow = await page.evaluate((sel) => !!document.getElementById('booking-widget').shadowRoot?.querySelector(sel), SEL.calendar);
  assert.ok(inShadow);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an unknown profile gets a clear, styled message, not a blank box', async () => {
  const page = await browser.newPage();
  const response = await page.goto(`${proxy.base}/book/no-such-profile`);
  assert.equal(response.status(), 404);
  const error = new Widget(page).error;
  await error.waitFor({ timeout: 15_000 });
  assert.match(await error.textContent(), /no booking profile "no-such-profile"/);
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await error.locator('button').count(), 0, 'no "Try again" that cannot succeed');
  const color = await error.locator('p').evaluate((p) => getComputedStyle(p).color);
  assert.notEqual(color, 'rgb(0, 0, 0)', 'the message is styled');
  await page.screenshot({ path: artifact('unknown-profile.png') });
  await page.close();
});

/// The booking page as the proxy sends it when it could not read the profile in time: no
/// data of its own, so the widget asks the API (which these tests then hold or refuse).
async function withoutPageData(page) {
  await page.route('**/book/intro', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(/<script type="application\/json" id="bw-page-data">.*?<\/script>/s, '');
    await route.fulfill({ response, body });
  });
}

test('a profile that answers late is drawn when it arrives (an embed shows the loader\'s skeleton meanwhile)', async () => {
  const page = await browser.newPage();
  await withoutPageData(page);
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/api/v1/profiles/intro', async (route) => { await held; await route.continue(); });
  await page.goto(`${proxy.base}/book/intro`);
  const w = new Widget(page);
  await page.waitForTimeout(500);
  assert.equal(await w.title.count(), 0);
  release();
  await w.titled('Intro call').waitFor({ timeout: 15_000 });
  await page.close();
});

test('an unreachable proxy gets a message and a retry that recovers', async () => {
  const page = await browser.newPage();
  await withoutPageData(page);
  await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
  await page.goto(`${proxy.base}/book/intro`);
  const w = new Widget(page);
  await w.error.waitFor({ timeout: 15_000 });
  assert.match(await w.error.textContent(), /could not reach the booking service/i);
  await page.unroute('**/api/v1/**');
  await w.error.locator('button').click();
  await w.titled('Intro call').waitFor({ timeout: 15_000 });
  await page.close();
});

test('the public page fits a 360-pixel phone', async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  await page.goto(`${proxy.base}/book/intro`);
  const w = new Widget(page);
  await w.ready();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
  const day = await w.freeDay.first().boundingBox();
  assert.ok(day.width >= 32 && day.height >= 40, `days stay tappable: ${JSON.stringify(day)}`);
  await page.screenshot({ path: artifact('public-360.png'), fullPage: true });
  await page.close();
});
