// Embedding: one script tag and <booking-widget> on a page of another origin, under a
// strict CSP, against the real proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, launchBrowser, artifact, focused, startHost, bookThroughApi, INTRO_PROFILE } from './support.mjs';

const OTHER_PROFILE = `
[profiles.other]
provider = "local"
title = "Second opinion"
time_zone = "Europe/London"
durations = [30]
hours = { mon = ["10:00-16:00"], tue = ["10:00-16:00"], wed = ["10:00-16:00"], thu = ["10:00-16:00"], fri = ["10:00-16:00"] }
`;

let proxy;
let host;
let browser;
let body = '';

before(async () => {
  host = await startHost((base) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Host page</title><link rel="stylesheet" href="/host.css">
<script src="${base}/widget.js" defer></script></head><body>${body}</body></html>`);
  proxy = await startProxy(INTRO_PROFILE + OTHER_PROFILE, { origins: [host.origin] });
  host.setProxy(proxy.base);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
  await host?.stop();
});

/// Opens the host page with `markup` in its body; collects console errors and CSP reports.
async function openHost(markup, { css = '', colorScheme = 'light', holdSlots = 0 } = {}) {
  body = markup;
  host.setCss(css);
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', colorScheme });
  if (holdSlots) {
    // Slots answer late, so a test can act while the request is out.
    await context.route('**/slots?*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, holdSlots));
      await route.continue().catch(() => {});
    });
  }
  const page = await context.newPage();
  const problems = [];
  // How each of the widget's files came over the wire.
  const encodings = {};
  page.on('response', (r) => {
    const file = new URL(r.url()).pathname.match(/(widget\.js|\.js|_bg\.wasm)$/)?.[1];
    if (file && r.url().startsWith(proxy.base)) encodings[file] = r.headers()['content-encoding'];
  });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript(() => {
    window.__events = [];
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    for (const name of ['ready', 'slots-loaded', 'slot-selected', 'submitted', 'created', 'failed']) {
      document.addEventListener(`booking:${name}`, (e) => window.__events.push({ type: e.type, target: e.target.id, detail: e.detail }));
    }
  });
  await page.goto(host.origin);
  return { page, problems, encodings, close: () => context.close() };
}

async function book(scope, page) {
  await scope.locator('.bw-day--free').first().click();
  await scope.locator('[part=slot]').first().click();
  await scope.locator('#bw-field-name').fill('Ada Lovelace');
  await scope.locator('#bw-field-email').fill('ada@example.com');
  const size = scope.locator('#bw-field-team_size');
  if (await size.count()) await size.selectOption('1-10');
  const topic = scope.locator('#bw-field-topic');
  if (await topic.count()) await topic.fill('Pricing');
  await scope.locator('[part~=primary-button]').click();
  await scope.locator('[part=confirmation]').waitFor({ timeout: 20_000 });
}

test('inline: books end to end under a strict CSP and sends the six events', async () => {
  const { page, problems, encodings, close } = await openHost('<booking-widget id="w" profile="intro"></booking-widget>');
  const w = page.locator('#w');
  await w.locator('.bw-day--free').first().waitFor({ timeout: 20_000 });
  // The payload comes compressed: its brotli copies, and the loader compressed on the way.
  assert.deepEqual(encodings, { 'widget.js': 'br', '.js': 'br', '_bg.wasm': 'br' });
  // A 409 first, for booking:failed: book the chosen time through the API behind its back.
  await w.locator('.bw-day--free').first().click();
  const first = w.locator('[part=slot]').first();
  const start = await first.getAttribute('data-start');
  await first.click();
  await w.locator('#bw-field-name').fill('Ada Lovelace');
  await w.locator('#bw-field-email').fill('ada@example.com');
  await w.locator('#bw-field-team_size').selectOption('1-10');
  await w.locator('#bw-field-topic').fill('Pricing');
  assert.equal(await bookThroughApi(proxy.base, 'intro', new Date(start).toISOString()), 201);
  await w.locator('[part~=primary-button]').click();
  await w.locator('[role=alert]', { hasText: 'just taken' }).waitFor({ timeout: 15_000 });
  await page.waitForFunction((taken) => {
    const starts = [...document.getElementById('w').shadowRoot.querySelectorAll('[part=slot]')].map((e) => e.dataset.start);
    return starts.length > 0 && !starts.includes(taken);
  }, start, { timeout: 15_000 });
  await w.locator('[part=slot]').first().click();
  await w.locator('[part~=primary-button]').click();
  await w.locator('[part=confirmation]').waitFor({ timeout: 20_000 });
  await page.screenshot({ path: artifact('embed-light.png'), fullPage: true });

  const events = await page.evaluate(() => window.__events);
  const of = (type) => events.filter((e) => e.type === `booking:${type}`);
  assert.ok(events.every((e) => e.target === 'w'), 'dispatched on the element (composed)');
  assert.equal(of('ready')[0].detail.id, 'intro');
  assert.ok(of('slots-loaded')[0].detail.count > 0);
  assert.equal(of('slot-selected')[0].detail.start, start);
  assert.equal(of('submitted').length, 2);
  assert.ok(!JSON.stringify(of('submitted')).includes('Ada'), 'no personal data in submitted');
  assert.equal(of('failed')[0].detail.code, 'slot_unavailable');
  assert.match(of('created')[0].detail.id, /^bk_/);
  assert.equal(of('created')[0].detail.status, 'confirmed');
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violation');
  // Chromium logs the 409 this test provokes; nothing else may be logged.
  assert.deepEqual(problems.filter((p) => !p.includes('status of 409')), []);
  await close();
});

test('popup: a button opens a modal dialog; Escape closes it and focus returns', async () => {
  const { page, close } = await openHost('<booking-widget id="p" profile="intro" mode="popup" label="Book a call"></booking-widget>');
  const button = page.locator('#p').getByRole('button', { name: 'Book a call' });
  await button.waitFor({ timeout: 20_000 });
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__events.length), 0, 'nothing loads until it is opened');
  await button.click();
  const dialog = page.locator('#p dialog');
  await dialog.locator('.bw-day--free').first().waitFor({ timeout: 20_000 });
  assert.equal(await dialog.evaluate((d) => d.open), true);
  assert.ok(await page.evaluate(() => document.querySelector('#p').shadowRoot.querySelector('dialog').matches(':modal')));
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('#p').shadowRoot.querySelector('dialog').open);
  assert.equal((await focused(page)).text, 'Book a call', 'focus is back on the button');
  await close();
});

test('two widgets on one page book independently', async () => {
  const { page, close } = await openHost(
    '<booking-widget id="a" profile="intro"></booking-widget><booking-widget id="b" profile="other"></booking-widget>');
  await book(page.locator('#a'), page);
  assert.equal(await page.locator('#b [part=confirmation]').count(), 0, 'the other is untouched');
  await book(page.locator('#b'), page);
  const created = await page.evaluate(() => window.__events.filter((e) => e.type === 'booking:created').map((e) => e.target));
  assert.deepEqual(created, ['a', 'b']);
  await close();
});

test('hostile host CSS does not reach in; a custom property themes the primary button', async () => {
  const css = `* { color: red !important; all: revert } button { display: none }
    booking-widget { --bw-accent: rgb(200, 0, 100); --bw-radius: 0px; }`;
  const { page, close } = await openHost('<booking-widget id="h" profile="intro"></booking-widget>', { css });
  const w = page.locator('#h');
  const day = w.locator('.bw-day--free').first();
  await day.waitFor({ timeout: 20_000 });
  assert.ok(await day.isVisible(), 'buttons are not hidden by the host');
  assert.notEqual(await day.evaluate((d) => getComputedStyle(d).color), 'rgb(255, 0, 0)');
  await day.click();
  await w.locator('[part=slot]').first().click();
  const primary = w.locator('[part~=primary-button]');
  assert.equal(await primary.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(200, 0, 100)');
  assert.equal(await primary.evaluate((b) => getComputedStyle(b).borderTopLeftRadius), '0px');
  await page.screenshot({ path: artifact('embed-custom-theme.png'), fullPage: true });
  await close();
});

test('dark theme, and auto follows the system', async () => {
  const { page, close } = await openHost('<booking-widget id="d" profile="intro" theme="auto"></booking-widget>', { colorScheme: 'dark' });
  const root = page.locator('#d .bw-root');
  await page.locator('#d .bw-day--free').first().waitFor({ timeout: 20_000 });
  assert.equal(await root.evaluate((r) => getComputedStyle(r).backgroundColor), 'rgb(21, 24, 30)');
  await page.screenshot({ path: artifact('embed-dark.png'), fullPage: true });
  await page.locator('#d').evaluate((el) => el.setAttribute('theme', 'light'));
  await page.waitForFunction(() => getComputedStyle(document.querySelector('#d').shadowRoot.querySelector('.bw-root')).backgroundColor === 'rgb(255, 255, 255)');
  await close();
});

test('attributes take effect after mount; removing the element unmounts cleanly', async () => {
  const { page, problems, close } = await openHost('<booking-widget id="r" profile="intro"></booking-widget>');
  const w = page.locator('#r');
  await w.locator('h2', { hasText: 'Intro call' }).waitFor({ timeout: 20_000 });
  await w.evaluate((el) => el.setAttribute('profile', 'other'));
  await w.locator('h2', { hasText: 'Second opinion' }).waitFor({ timeout: 20_000 });
  await w.evaluate((el) => el.setAttribute('locale', 'de-DE'));
  await w.locator('#bw-times-title', { hasText: 'Tag wählen' }).waitFor({ timeout: 20_000 });
  await w.evaluate((el) => el.prefill({ name: 'Grace Hopper', email: 'grace@example.com' }));
  await w.locator('.bw-day--free').first().click();
  await w.locator('[part=slot]').first().click();
  assert.equal(await w.locator('#bw-field-name').inputValue(), 'Grace Hopper');
  const before = await page.evaluate(() => window.__events.length);
  await w.evaluate((el) => el.remove());
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__events.length), before, 'a removed widget sends nothing');
  assert.deepEqual(problems, []);
  await close();
});

test('removing the element while its slots are loading leaves no error behind', async () => {
  const { page, problems, close } = await openHost('<booking-widget id="q" profile="intro"></booking-widget>', { holdSlots: 1000 });
  const w = page.locator('#q');
  await w.locator('h2', { hasText: 'Intro call' }).waitFor({ timeout: 20_000 });
  await page.waitForTimeout(200);
  await w.evaluate((el) => el.remove());
  await page.waitForTimeout(1500);
  assert.deepEqual(problems, []);
  await close();
});

test('prefill from the page URL, unless the element turns it off; odd values are left out', async () => {
  // `null` and an object are what an app's state may hold: those answers are left out.
  const prefill = JSON.stringify({ name: 'Grace Hopper', fields: { topic: 'Compilers', company: null, team_size: { a: 1 } } });
  body = `<booking-widget id="u" profile="intro"></booking-widget><booking-widget id="n" profile="intro" prefill-from-url="false" prefill='${prefill}'></booking-widget>`;
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${host.origin}/?name=Ada%20Lovelace&email=ada%40example.com&topic=Engines`);
  for (const id of ['u', 'n']) {
    const w = page.locator(`#${id}`);
    await w.locator('.bw-day--free').first().click({ timeout: 20_000 });
    await w.locator('[part=slot]').first().click();
  }
  assert.equal(await page.locator('#u #bw-field-name').inputValue(), 'Ada Lovelace');
  assert.equal(await page.locator('#u #bw-field-email').inputValue(), 'ada@example.com');
  assert.equal(await page.locator('#u #bw-field-topic').inputValue(), 'Engines');
  assert.equal(await page.locator('#n #bw-field-name').inputValue(), 'Grace Hopper', 'not the URL\'s name');
  assert.equal(await page.locator('#n #bw-field-email').inputValue(), '');
  assert.equal(await page.locator('#n #bw-field-topic').inputValue(), 'Compilers');
  assert.deepEqual(problems, []);
  await context.close();
});

test('floating: a fixed corner button opens the same dialog', async () => {
  const { page, close } = await openHost('<booking-widget id="f" profile="intro" mode="floating" label="Book now"></booking-widget>');
  const button = page.locator('#f').getByRole('button', { name: 'Book now' });
  await button.waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#f').evaluate((el) => getComputedStyle(el).position), 'fixed');
  const box = await button.boundingBox();
  const viewport = page.viewportSize();
  assert.ok(box.x + box.width > viewport.width - 60 && box.y + box.height > viewport.height - 60, 'bottom corner');
  await button.click();
  await page.locator('#f dialog .bw-day--free').first().waitFor({ timeout: 20_000 });
  await close();
});
