// Booking through the widget against the real proxy and local provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startProxy, launchBrowser, artifact, focused, focusOn, tabTo, axeViolations, bookThroughApi,
  INTRO_PROFILE, ROOT,
} from './support.mjs';

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

async function open(options = {}) {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${proxy.base}/book/intro`);
  await page.locator('.bw-day--free').first().waitFor({ timeout: 20_000 });
  return { page, errors, close: () => context.close() };
}

async function fillForm(page) {
  await page.locator('#bw-field-name').fill('Ada Lovelace');
  await page.locator('#bw-field-email').fill('ada@example.com');
  await page.locator('#bw-field-team_size').selectOption('11-50');
  await page.locator('#bw-field-agenda').fill('Pricing and onboarding');
  await page.locator('#bw-field-topic').fill('Pricing');
}

test('book by mouse: day, time, form, confirmation (no serious axe violations)', async () => {
  const { page, errors, close } = await open();
  assert.deepEqual(await axeViolations(page), [], 'calendar step');
  await page.screenshot({ path: artifact('calendar.png'), fullPage: true });
  await page.locator('.bw-day--free').first().click();
  const slots = page.locator('[part=slot]');
  await slots.first().waitFor();
  assert.ok((await slots.count()) > 1);
  assert.match(await page.locator('[role=status]').textContent(), /\d+ times available/);
  assert.deepEqual(await axeViolations(page), [], 'times step');
  await slots.first().click();
  await page.locator('#bw-form-title').waitFor();
  assert.equal((await focused(page)).id, 'bw-form-title', 'focus moves to the new step');
  // Submitting empty: inline errors, nothing posted.
  let posted = 0;
  page.on('request', (r) => { if (r.method() === 'POST') posted += 1; });
  await page.locator('[part~=primary-button]').click();
  await page.locator('#bw-field-name[aria-invalid=true]').waitFor();
  assert.equal(await page.locator('#bw-field-name-error').textContent(), 'This field is required.');
  assert.equal(await page.locator('#bw-field-name').getAttribute('aria-describedby'), 'bw-field-name-error');
  assert.equal(posted, 0, 'nothing is posted while the form is invalid');
  assert.deepEqual(await axeViolations(page), [], 'form with errors');
  await fillForm(page);
  await page.locator('#bw-field-email').fill('not-an-email');
  await page.locator('[part~=primary-button]').click();
  assert.equal(await page.locator('#bw-field-email-error').textContent(), 'Enter a valid email address.');
  await page.locator('#bw-field-email').fill('ada@example.com');
  assert.equal(await page.locator('.bw-notice').count(), 0, 'the notice goes once nothing is marked');
  await page.screenshot({ path: artifact('form.png'), fullPage: true });
  await page.locator('[part~=primary-button]').click();
  const done = page.locator('[part=confirmation]');
  await done.waitFor({ timeout: 15_000 });
  assert.equal(posted, 1);
  assert.match(await done.textContent(), /You're booked/);
  assert.match(await done.textContent(), /CET/, 'the visitor\'s zone');
  assert.match(await done.textContent(), /Host's time/);
  const ics = await done.locator('a[download]').getAttribute('href');
  assert.match(ics, /^blob:/);
  // Downloaded as a visitor would (the page's policy lets it fetch nothing but the proxy).
  const [download] = await Promise.all([page.waitForEvent('download'), done.locator('a[download]').click()]);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /BEGIN:VEVENT[\s\S]*DTSTART:\d{8}T\d{6}Z[\s\S]*SUMMARY:Intro call/);
  assert.deepEqual(await axeViolations(page), [], 'confirmation');
  await page.screenshot({ path: artifact('confirmation.png'), fullPage: true });
  // The README shows these three: `UPDATE_SCREENSHOTS=1 make test-e2e` refreshes them.
  if (process.env.UPDATE_SCREENSHOTS) {
    mkdirSync(join(ROOT, 'docs/screenshots'), { recursive: true });
    for (const name of ['calendar.png', 'form.png', 'confirmation.png']) {
      copyFileSync(artifact(name), join(ROOT, 'docs/screenshots', name));
    }
  }
  await done.locator('button').click();
  await page.locator('[part=calendar]').waitFor();
  assert.deepEqual(errors, []);
  await close();
});

test('book by keyboard only', async () => {
  const { page, close } = await open();
  const day = await tabTo(page, (f) => f.part === 'day');
  assert.ok(day, 'the grid has one tab stop');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  // Move to a free day: the first free day holds the tab stop on load. (On a month's last
  // day the arrows cross into the next month and back: focus follows on the next frame.)
  assert.equal((await focusOn(page, 'day')).part, 'day');
  await page.keyboard.press('Enter');
  await tabTo(page, (f) => f.part === 'slot');
  await page.keyboard.press('Enter');
  await page.locator('#bw-form-title').waitFor();
  await tabTo(page, (f) => f.id === 'bw-field-name');
  await page.keyboard.type('Grace Hopper');
  await page.keyboard.press('Tab');
  await page.keyboard.type('grace@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowDown'); // team size: first option
  await page.keyboard.press('Tab');
  await page.keyboard.type('Compilers');
  await page.keyboard.press('Tab');
  await page.keyboard.type('COBOL');
  await page.keyboard.press('Enter'); // implicit submission
  await page.locator('[part=confirmation]').waitFor({ timeout: 15_000 });
  assert.equal((await focused(page)).id, 'bw-done-title');
  // "Book another time" takes focus back to the month's heading.
  await tabTo(page, (f) => f.text === 'Book another time');
  await page.keyboard.press('Enter');
  await page.locator('.bw-calendar').waitFor();
  await page.waitForFunction(() => document.querySelector('#booking-widget').shadowRoot.activeElement?.id === 'bw-month-title', null, { timeout: 5_000 });
  await close();
});

test('a time taken between choosing and submitting: slots refresh, input kept, focus on the times', async () => {
  const { page, close } = await open();
  await page.locator('.bw-day--free').first().click();
  const first = page.locator('[part=slot]').first();
  const start = await first.getAttribute('data-start');
  await first.click();
  await fillForm(page);
  assert.equal(await bookThroughApi(proxy.base, 'intro', new Date(start).toISOString()), 201);
  await page.locator('[part~=primary-button]').click();
  const alert = page.locator('[role=alert]', { hasText: 'just taken' });
  await alert.waitFor({ timeout: 15_000 });
  assert.equal((await focused(page)).id, 'bw-times-title');
  // The refreshed slots replace the old ones once they arrive.
  await page.waitForFunction((taken) => {
    const root = document.getElementById('booking-widget').shadowRoot;
    const starts = [...root.querySelectorAll('[part=slot]')].map((e) => e.dataset.start);
    return starts.length > 0 && !starts.includes(taken);
  }, start, { timeout: 15_000 });
  await page.locator('[part=slot]').first().click();
  assert.equal(await page.locator('#bw-field-name').inputValue(), 'Ada Lovelace', 'answers are kept');
  await page.locator('[part~=primary-button]').click();
  await page.locator('[part=confirmation]').waitFor({ timeout: 15_000 });
  await close();
});

test('the visitor\'s language: German, and Arabic right to left', async () => {
  for (const [locale, heading, dir] of [['de-DE', 'Tag wählen', 'ltr'], ['ar-EG', 'اختر يومًا', 'rtl']]) {
    const { page, close } = await open({ locale });
    assert.equal(await page.locator('.bw-root').getAttribute('dir'), dir);
    assert.equal(await page.locator('.bw-root').getAttribute('lang'), locale);
    assert.equal((await page.locator('#bw-times-title').textContent()).trim(), heading);
    if (dir === 'rtl') {
      const box = (sel) => page.locator(sel).first().boundingBox();
      const [prev, next] = [await box('.bw-calendar__nav >> nth=0'), await box('.bw-calendar__nav >> nth=1')];
      assert.ok(prev.x > next.x, 'the previous-month button is on the right');
      await page.screenshot({ path: artifact('arabic.png'), fullPage: true });
    }
    await close();
  }
});

test('changing the time zone regroups the days', async () => {
  const { page, close } = await open({ timezoneId: 'Pacific/Pago_Pago' });
  const freeDays = () => page.locator('.bw-day--free').evaluateAll((els) => els.map((e) => e.dataset.date));
  const weekday = (d) => new Date(`${d}T12:00:00Z`).getUTCDay();
  const before = await freeDays();
  assert.ok(before.every((d) => weekday(d) >= 1 && weekday(d) <= 5), `Mon-Fri in Pago Pago: ${before}`);
  const zone = page.locator('input[list=bw-zones]');
  assert.equal(await zone.inputValue(), 'Pacific/Pago_Pago');
  await zone.fill('Pacific/Kiritimati');
  await zone.press('Enter');
  await zone.dispatchEvent('change');
  await page.waitForFunction(() => {
    const root = document.getElementById('booking-widget').shadowRoot;
    return [...root.querySelectorAll('.bw-day--free')].some((e) => new Date(`${e.dataset.date}T12:00:00Z`).getUTCDay() === 6);
  }, null, { timeout: 15_000 });
  const after = await freeDays();
  assert.ok(after.some((d) => weekday(d) === 6), `Tue-Sat in Kiritimati: ${after}`);
  assert.ok(after.every((d) => weekday(d) >= 2 && weekday(d) <= 6 || d === after[0]), `${after}`);
  await close();
});

const EVERY_KIND = `
[profiles.kinds]
provider = "local"
title = "Every kind"
time_zone = "UTC"
durations = [30]
hours = { mon = ["08:00-18:00"], tue = ["08:00-18:00"], wed = ["08:00-18:00"], thu = ["08:00-18:00"], fri = ["08:00-18:00"], sat = ["08:00-18:00"], sun = ["08:00-18:00"] }
fields = [
  { name = "company", kind = "text" },
  { name = "about", kind = "textarea" },
  { name = "billing", kind = "email", required = true },
  { name = "phone", kind = "phone" },
  { name = "seats", kind = "number", required = true },
  { name = "site", kind = "url" },
  { name = "plan", kind = "select", options = ["Free", "Pro"], required = true },
  { name = "topics", kind = "multiselect", options = ["Pricing", "Security", "API"] },
  { name = "channels", kind = "checkbox", options = ["Email", "Phone"] },
  { name = "newsletter", kind = "boolean" },
  { name = "consent", label = "I agree to the terms", kind = "checkbox", required = true },
]
`;

test('every kind of field is asked, checked and sent with its type', async () => {
  const kinds = await startProxy(EVERY_KIND);
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  try {
    await page.goto(`${kinds.base}/book/kinds`);
    await page.locator('.bw-day--free').first().click();
    await page.locator('[part=slot]').first().click();
    await page.locator('#bw-field-name').fill('Ada Lovelace');
    await page.locator('#bw-field-email').fill('ada@example.com');
    await page.locator('[part~=primary-button]').click();
    for (const required of ['billing', 'seats', 'plan', 'consent']) {
      await page.locator(`#bw-field-${required}[aria-invalid=true]`).waitFor();
    }
    await page.locator('#bw-field-company').fill('Analytical Engines');
    await page.locator('#bw-field-about').fill('Bernoulli numbers');
    await page.locator('#bw-field-billing').fill('billing@example.com');
    await page.locator('#bw-field-phone').fill('+44 20 7946 0000');
    await page.locator('#bw-field-seats').fill('twelve');
    await page.locator('#bw-field-site').fill('ftp://example.com');
    await page.locator('#bw-field-plan').selectOption('Pro');
    await page.locator('#bw-field-topics').getByText('Security').click();
    await page.locator('#bw-field-topics').getByText('API').click();
    await page.locator('#bw-field-channels').getByText('Phone').click();
    await page.locator('#bw-field-newsletter').check();
    await page.locator('#bw-field-consent').check();
    await page.locator('[part~=primary-button]').click();
    assert.equal(await page.locator('#bw-field-seats-error').textContent(), 'Enter a number.');
    assert.equal(await page.locator('#bw-field-site-error').textContent(), 'Enter a web address starting with https://');
    await page.locator('#bw-field-seats').fill('12');
    await page.locator('#bw-field-site').fill('https://example.com');
    const posted = page.waitForRequest((r) => r.method() === 'POST');
    await page.locator('[part~=primary-button]').click();
    const body = (await posted).postDataJSON();
    assert.deepEqual(body.fields, {
      company: 'Analytical Engines', about: 'Bernoulli numbers', billing: 'billing@example.com',
      phone: '+44 20 7946 0000', seats: 12, site: 'https://example.com', plan: 'Pro',
      topics: ['Security', 'API'], channels: ['Phone'], newsletter: true, consent: true,
    });
    await page.locator('[part=confirmation]').waitFor({ timeout: 15_000 });
  } finally {
    await context.close();
    await kinds.stop();
  }
});

test('a lost answer is retried with the same key and books once', async () => {
  const { page, close } = await open();
  await page.locator('.bw-day--free').first().click();
  const slot = page.locator('[part=slot]').first();
  const start = await slot.getAttribute('data-start');
  await slot.click();
  await fillForm(page);
  const keys = [];
  let lose = true;
  await page.route('**/bookings', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (lose) {
      lose = false;
      await route.fetch(); // the proxy books it…
      return route.abort('connectionreset'); // …but the answer never arrives
    }
    return route.continue();
  });
  await page.locator('[part~=primary-button]').click();
  await page.locator('.bw-notice', { hasText: 'Could not reach' }).waitFor({ timeout: 15_000 });
  await page.locator('[part~=primary-button]').click();
  await page.locator('[part=confirmation]').waitFor({ timeout: 15_000 });
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], `same Idempotency-Key: ${keys}`);
  // Exactly one booking: the time is taken once, and booking it again is a conflict.
  assert.equal(await bookThroughApi(proxy.base, 'intro', new Date(start).toISOString()), 409);
  await close();
});

test('the clock follows the language unless the page says otherwise', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'America/New_York' });
  const page = await context.newPage();
  const firstTime = async (url) => {
    await page.goto(url);
    await page.locator('.bw-day--free').first().click();
    return (await page.locator('[part=slot]').first().textContent()).trim();
  };
  assert.match(await firstTime(`${proxy.base}/book/intro`), /^\d{1,2}:\d{2}\s?(AM|PM)$/);
  assert.match(await firstTime(`${proxy.base}/book/intro?hour_cycle=h23`), /^\d{2}:\d{2}$/);
  await context.close();
});
