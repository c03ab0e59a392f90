// Every step of the visitor's flow, on a desktop and a 390 px phone, light and dark, in
// each of the six languages: a screenshot of each (tests/e2e/artifacts/steps/, and with
// UPDATE_SCREENSHOTS=1 docs/screenshots/steps/) and axe in each state. The booking page
// /book/{p} is what is shown: the widget as a visitor opening its link sees it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startProxy, launchBrowser, axeViolations, ARTIFACTS, ROOT, INTRO_PROFILE } from './support.mjs';
import { Widget } from './widget-page.mjs';

const LANGUAGES = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR', es: 'es-ES', ja: 'ja-JP', ar: 'ar-EG' };
const SCREENS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const OUT = join(ARTIFACTS, 'steps');
const DOCS = join(ROOT, 'docs/screenshots/steps');

let proxy;
let browser;

before(async () => {
  // Two dozen bookings from one address in a minute or two: more than a visitor's limit.
  proxy = await startProxy(`[limits]\nbookings_per_minute = 1000\n${INTRO_PROFILE}`);
  browser = await launchBrowser();
  mkdirSync(OUT, { recursive: true });
  if (process.env.UPDATE_SCREENSHOTS) mkdirSync(DOCS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
});

async function shot(page, name) {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS) copyFileSync(path, join(DOCS, `${name}.png`));
}

for (const [lang, locale] of Object.entries(LANGUAGES)) {
  for (const [screen, viewport] of Object.entries(SCREENS)) {
    for (const scheme of ['light', 'dark']) {
      test(`${lang}, ${screen}, ${scheme}: calendar, times, form and confirmation, axe clean in each`, async () => {
        const context = await browser.newContext({ locale, timezoneId: 'Europe/Paris', viewport, colorScheme: scheme });
        const page = await context.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        try {
          await page.goto(`${proxy.base}/book/intro`);
          const w = new Widget(page);
          const name = (step) => `${lang}-${screen}-${scheme}-${step}`;
          // The first free day is chosen on load, its times shown beside the month; on a
          // phone they take the month's place once the day is tapped.
          await w.freeDay.first().waitFor({ timeout: 20_000 });
          assert.equal(await w.root.getAttribute('lang'), locale);
          if (screen === 'phone') {
            assert.deepEqual(await axeViolations(page), [], 'calendar');
            await shot(page, name('0-calendar'));
            await w.scope.locator('.bw-day--selected').click();
          }
          await w.slot.first().waitFor();
          assert.deepEqual(await axeViolations(page), [], 'times');
          await shot(page, name('1-times'));
          await w.slot.first().click();
          await w.formTitle.waitFor();
          assert.deepEqual(await axeViolations(page), [], 'form');
          await shot(page, name('2-form'));
          await w.fillIn();
          await w.primary.click();
          await w.confirmation.waitFor({ timeout: 20_000 });
          assert.deepEqual(await axeViolations(page), [], 'confirmation');
          await shot(page, name('3-confirmation'));
          assert.deepEqual(errors, []);
        } finally {
          await context.close();
        }
      });
    }
  }
}

/// A loopback port free a moment ago, for the demo host page's server.
async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

test('the demo host page (make demo) with its inline, popup, themed and floating widgets', async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const demo = await startProxy(INTRO_PROFILE.replaceAll('profiles.intro', 'profiles.demo'), { origins: [origin] });
  const host = spawn(process.execPath, [join(ROOT, 'scripts/demo-host.mjs'), `127.0.0.1:${port}`, demo.base], { stdio: ['ignore', 'pipe', 'inherit'] });
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', viewport: { width: 1100, height: 900 } });
  try {
    await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('the demo host page did not start in 10 s')), 10_000);
      host.stdout.on('data', (d) => { if (String(d).includes('demo host page on')) { clearTimeout(timer); ok(); } });
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(origin);
    for (const id of ['inline', 'themed']) {
      await new Widget(page.locator(`#${id}`)).slot.first().waitFor({ timeout: 20_000 });
    }
    await shot(page, 'host-page');
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(join(OUT, 'host-page.png'), join(ROOT, 'docs/screenshots/host-page.png'));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    host.kill();
    await demo.stop();
  }
});
