// Single-page apps: a React 19 and a Vue 3 app built with Vite (tests/e2e/spa/) embed the
// widget as docs/frameworks.md shows, on one of two client-side routes; and a plain page
// adds and removes it. However often the widget comes and goes, nothing removed stays
// alive, and a parent's re-render leaves the visitor where they were.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProxy, launchBrowser, startApp, startHost, liveObjects, INTRO_PROFILE } from './support.mjs';
import { Widget } from './widget-page.mjs';
import { buildApps } from './spa/build.mjs';

const VISITS = 15;
// Live DOM nodes two counts may differ by with nothing kept (a kept widget holds at least
// its element, shadow root and container: 45 over the visits).
const SLACK = 5;

let apps;
let app;
let host;
let proxy;
let browser;

before(async () => {
  apps = await buildApps(mkdtempSync(join(tmpdir(), 'bw-spa-')));
  app = await startApp();
  host = await startHost((base) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Plain page</title><script src="${base}/widget.js" defer></script></head><body><main id="here"></main></body></html>`);
  proxy = await startProxy(INTRO_PROFILE, { origins: [app.origin, host.origin] });
  app.setProxy(proxy.base);
  host.setProxy(proxy.base);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
  await app?.stop();
  await host?.stop();
});

async function open(url) {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(url);
  return { page, problems, close: () => context.close() };
}

function openApp(name) {
  app.setDir(apps[name]);
  return open(app.origin);
}

/// Resolves after two animation frames: whatever a change set off has been drawn.
const frames = (page) => page.evaluate(() => new Promise((done) => {
  requestAnimationFrame(() => requestAnimationFrame(done));
}));

/// Goes to the booking route and back `times` times; each visit shows a month with free
/// days (a popup's launcher is opened first and closed after).
async function visit(page, times, { popup = false } = {}) {
  for (let i = 0; i < times; i++) {
    await page.locator('#nav-book').click();
    const w = new Widget(page.locator('booking-widget'));
    if (popup) await w.launcher.click({ timeout: 20_000 });
    await w.ready();
    if (popup) {
      await page.keyboard.press('Escape');
      await w.dialog.waitFor({ state: 'hidden' });
    }
    await page.locator('#nav-home').click();
    await page.locator('h1', { hasText: 'Home' }).waitFor();
  }
}

/// Counts after one round and after `VISITS` more: no widget alive, no node gained.
async function assertNothingKept(t, page, round) {
  await round(1);
  const first = await liveObjects(page);
  await round(VISITS);
  const last = await liveObjects(page);
  t.diagnostic(`live DOM nodes ${first.nodes} -> ${last.nodes}, widgets ${first.widgets} -> ${last.widgets}`);
  assert.equal(last.widgets, 0, `removed <booking-widget> elements alive: ${last.widgets}`);
  assert.ok(last.nodes - first.nodes <= SLACK, `live DOM nodes ${first.nodes} -> ${last.nodes}`);
}

test('React 19: 15 visits to the route with the widget leave no widget or node behind', async (t) => {
  const { page, problems, close } = await openApp('react');
  await assertNothingKept(t, page, (times) => visit(page, times));
  assert.deepEqual(problems, []);
  await close();
});

test('Vue 3: 15 visits to the route with the popup widget leave no widget or node behind', async (t) => {
  const { page, problems, close } = await openApp('vue');
  await assertNothingKept(t, page, (times) => visit(page, times, { popup: true }));
  assert.deepEqual(problems, []);
  await close();
});

test('React 19: a parent re-render keeps the half-filled form, and the confirmation outlives onBooked\'s state update', async () => {
  const { page, problems, close } = await openApp('react');
  let profileLoads = 0;
  page.on('request', (r) => { if (r.url().endsWith('/api/v1/profiles/intro')) profileLoads += 1; });
  await page.locator('#nav-book').click();
  const w = new Widget(page.locator('booking-widget'));
  await w.pickFirstTime();
  assert.equal(await w.field('name').inputValue(), 'Ada Lovelace', 'the effect prefilled the name');
  await w.field('topic').fill('Pricing');
  // The parent draws again: BookCall's effect runs again and prefills the same values.
  await page.locator('#rerender').click();
  await page.locator('#rerender', { hasText: 'Drawn again 1 times' }).waitFor();
  await frames(page);
  assert.equal(await w.field('topic').inputValue({ timeout: 1_000 }), 'Pricing', 'the form is kept');
  await w.field('team_size').selectOption('1-10');
  await w.primary.click();
  // onBooked sets the parent's state: another render, another run of the effect.
  await page.locator('#booked', { hasText: 'Booked bk_' }).waitFor({ timeout: 20_000 });
  await frames(page);
  assert.equal(await w.confirmation.count(), 1, 'the confirmation is still shown');
  assert.equal(profileLoads, 1, 'the widget was never mounted again');
  assert.deepEqual(problems, []);
  await close();
});

test('plain page: adding and removing the widget 15 times leaves no widget or node behind', async (t) => {
  const { page, problems, close } = await open(host.origin);
  await assertNothingKept(t, page, async (times) => {
    for (let i = 0; i < times; i++) {
      await page.evaluate(() => {
        const el = document.createElement('booking-widget');
        el.id = 'p';
        el.setAttribute('profile', 'intro');
        document.getElementById('here').append(el);
      });
      await new Widget(page.locator('#p')).ready();
      await page.evaluate(() => document.getElementById('p').remove());
    }
  });
  assert.deepEqual(problems, []);
  await close();
});
