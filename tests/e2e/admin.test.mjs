// Profiles as data: a profile created through one instance's admin API is booked through
// the widget, in Chromium, on another instance sharing the database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, launchBrowser } from './support.mjs';
import { Widget } from './widget-page.mjs';

const TOKEN = 'adm_e2e_5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e';
const ADMIN = `[admin]
token_env = "BW_E2E_ADMIN_TOKEN"`;
const env = { BW_E2E_ADMIN_TOKEN: TOKEN };

let a;
let b;
let browser;

before(async () => {
  a = await startProxy(ADMIN, { env });
  b = await startProxy(ADMIN, { env, database: a.database });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await a?.stop();
  await b?.stop();
});

function admin(base, method, path, body) {
  return fetch(`${base}/api/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const everyDay = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['08:00-20:00']]),
);

function guitar(title) {
  return {
    provider: 'local', title, time_zone: 'Europe/Paris', durations: [30], min_notice: 60,
    hours: everyDay,
    fields: [{ name: 'level', label: 'Your level', kind: 'select', required: true, options: ['Beginner', 'Advanced'] }],
  };
}

test('a profile created by the admin API on one instance is booked through the widget on another', async () => {
  const created = await admin(a.base, 'PUT', '/profiles/guitar-ada', guitar('Guitar with Ada'));
  assert.equal(created.status, 201, await created.clone().text());

  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${b.base}/book/guitar-ada`);
  const w = new Widget(page);
  await w.ready();
  assert.equal(await page.title(), 'Guitar with Ada');
  await w.titled('Guitar with Ada').waitFor();
  const start = await w.pickFirstTime();
  await w.fillIn({ name: 'Grace Hopper', email: 'grace@example.com' });
  await w.field('level').selectOption('Advanced');
  await w.primary.click();
  await w.confirmation.waitFor({ timeout: 20_000 });
  assert.match(await w.confirmation.textContent(), /You're booked/);
  assert.deepEqual(errors, []);
  await context.close();

  // The host sees it through the first instance, with the visitor's answer.
  const listed = await (await admin(a.base, 'GET', '/bookings?profile=guitar-ada')).json();
  assert.equal(listed.bookings.length, 1);
  assert.equal(listed.bookings[0].email, 'grace@example.com');
  assert.equal(new Date(listed.bookings[0].start).toISOString(), new Date(start).toISOString());

  // Replaced on the first instance: the second serves the new version within seconds
  // (SQLite announces nothing; a kept copy is checked against the stored version).
  const replaced = await admin(a.base, 'PUT', '/profiles/guitar-ada', guitar('Guitar lessons with Ada'));
  assert.equal(replaced.status, 200);
  const deadline = Date.now() + 10_000;
  let title;
  while (Date.now() < deadline) {
    title = (await (await fetch(`${b.base}/api/v1/profiles/guitar-ada`)).json()).title;
    if (title === 'Guitar lessons with Ada') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(title, 'Guitar lessons with Ada');
});
