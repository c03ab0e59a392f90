// Booking through the widget against the real proxy and local provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startProxy, launchBrowser, artifact, focused, focusOn, tabTo, axeViolations, bookThroughApi,
  INTRO_PROFILE, ROOT,
} from './support.mjs';
import { Widget, SEL } from './widget-page.mjs';

// Booked up: the notice needed is longer than the days bookable ahead.
const BOOKED_UP_PROFILE = `
[profiles.booked-up]
provider = "local"
title = "Booked up"
time_zone = "UTC"
durations = [30]
min_notice = 108000
horizon_days = 60
hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], thu = ["09:00-17:00"], fri = ["09:00-17:00"] }
`;

let proxy;
let browser;

before(async () => {
  proxy = await startProxy(INTRO_PROFILE + BOOKED_UP_PROFILE);
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
  const w = new Widget(page);
  await w.ready();
  return { page, w, errors, close: () => context.close() };
}

async function fillForm(w) {
  await w.field('name').fill('Ada Lovelace');
  await w.field('email').fill('ada@example.com');
  await w.field('team_size').selectOption('11-50');
  await w.field('agenda').fill('Pricing and onboarding');
  await w.field('topic').fill('Pricing');
}

test('book by mouse: day, time, form, confirmation (no serious axe violations)', async () => {
  const { page, w, errors, close } = await open();
  assert.deepEqual(await axeViolations(page), [], 'calendar step');
  await page.screenshot({ path: artifact('calendar.png'), fullPage: true });
  await w.pickLaterDay();
  const slots = w.slot;
  await slots.first().waitFor();
  assert.ok((await slots.count()) > 1);
  assert.match(await w.status.textContent(), /\d+ times available/);
  assert.deepEqual(await axeViolations(page), [], 'times step');
  await slots.first().click();
  await w.formTitle.waitFor();
  assert.equal((await focused(page)).id, 'bw-form-title', 'focus moves to the new step');
  // The chosen time heads the form as a card whose "Change" goes back to the times.
  const card = w.scope.locator('.bw-form__summary');
  assert.match(await card.textContent(), /\d{1,2}:\d{2}.*Change$/);
  await card.getByRole('button', { name: 'Change' }).click();
  await slots.first().click();
  await w.formTitle.waitFor();
  // Submitting empty: inline errors, nothing posted.
  let posted = 0;
  page.on('request', (r) => { if (r.method() === 'POST') posted += 1; });
  await w.primary.click();
  await w.field('name').and(page.locator('[aria-invalid=true]')).waitFor();
  assert.equal(await w.fieldError('name').textContent(), 'This field is required.');
  assert.equal(await w.field('name').getAttribute('aria-describedby'), 'bw-field-name-error');
  assert.equal(posted, 0, 'nothing is posted while the form is invalid');
  assert.deepEqual(await axeViolations(page), [], 'form with errors');
  await fillForm(w);
  await w.field('email').fill('not-an-email');
  await w.primary.click();
  assert.equal(await w.fieldError('email').textContent(), 'Enter a valid email address.');
  await w.field('email').fill('ada@example.com');
  assert.equal(await w.notice.count(), 0, 'the notice goes once nothing is marked');
  await page.screenshot({ path: artifact('form.png'), fullPage: true });
  await w.primary.click();
  const done = w.confirmation;
  await done.waitFor({ timeout: 15_000 });
  assert.equal(posted, 1);
  assert.match(await done.textContent(), /You're booked/);
  assert.match(await done.textContent(), /:\d\d CES?T/, 'the visitor\'s zone, in winter or summer time');
  assert.match(await done.textContent(), /Host's time/);
  // "Add to calendar" opens a menu: the services' "add event" pages, filled in, and the file.
  await done.getByText('Add to calendar').click();
  const google = new URL(await done.getByRole('link', { name: 'Google' }).getAttribute('href'));
  assert.equal(google.origin + google.pathname, 'https://calendar.google.com/calendar/render');
  assert.equal(google.searchParams.get('action'), 'TEMPLATE');
  assert.equal(google.searchParams.get('text'), 'Intro call');
  const [from, to] = google.searchParams.get('dates').split('/');
  assert.match(from, /^\d{8}T\d{6}Z$/);
  for (const [name, origin] of [['Outlook.com', 'https://outlook.live.com'], ['Office 365', 'https://outlook.office.com']]) {
    const link = done.getByRole('link', { name });
    assert.equal(await link.getAttribute('target'), '_blank', 'the host page stays');
    const url = new URL(await link.getAttribute('href'));
    assert.equal(url.origin + url.pathname, `${origin}/calendar/0/action/compose`);
    assert.equal(url.searchParams.get('subject'), 'Intro call');
    const compact = (iso) => new Date(iso).toISOString().replace(/[-:]|\.\d+/g, '');
    assert.deepEqual([compact(url.searchParams.get('startdt')), compact(url.searchParams.get('enddt'))], [from, to]);
    assert.match(url.searchParams.get('body'), /Intro call\n.*\/manage\//, 'the manage link');
  }
  const file = done.getByRole('link', { name: 'Other calendar (.ics)' });
  const ics = await file.getAttribute('href');
  assert.match(ics, /\/api\/v1\/bookings\/[\w-]+\/calendar$/, 'the proxy\'s file, from the manage token');
  // Downloaded as a visitor would (the page's policy lets it fetch nothing but the proxy).
  const [download] = await Promise.all([page.waitForEvent('download'), file.click()]);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /BEGIN:VEVENT[\s\S]*DTSTART:\d{8}T\d{6}Z[\s\S]*SUMMARY:Intro call/);
  assert.match(text, new RegExp(`\r\nDTSTART:${from}\r\n`), 'the links and the file agree');
  assert.match(text, new RegExp(`\r\nDTEND:${to}\r\n`));
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
  await w.calendar.waitFor();
  assert.deepEqual(errors, []);
  await close();
});

test('book by keyboard only', async () => {
  const { page, w, close } = await open();
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
  await w.formTitle.waitFor();
  await tabTo(page, (f) => f.id === 'bw-field-name');
  await page.keyboard.type('Grace Hopper');
  await page.keyboard.press('Tab');
  await page.keyboard.type('grace@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowDown'); // team size: first option
  await page.keyboard.press('Tab');
  await page.keyboard.type('COBOL'); // the topic: required, so before the optional agenda
  await page.keyboard.press('Enter'); // implicit submission
  await w.confirmation.waitFor({ timeout: 15_000 });
  assert.equal((await focusOn(page, 'bw-done-title', 'id')).id, 'bw-done-title');
  // The heading is marked as where the step starts, not boxed like a control.
  const mark = await w.doneTitle.evaluate((e) => {
    const { outlineStyle, textDecorationLine } = getComputedStyle(e);
    return { outlineStyle, textDecorationLine };
  });
  assert.equal(mark.outlineStyle, 'none');
  assert.equal(mark.textDecorationLine, 'underline');
  // "Book another time" takes focus back to the month's heading.
  await tabTo(page, (f) => f.text === 'Book another time');
  await page.keyboard.press('Enter');
  await w.calendar.waitFor();
  await page.waitForFunction((sel) => document.querySelector('#booking-widget').shadowRoot.activeElement?.matches(sel), SEL.monthTitle, { timeout: 5_000 });
  await close();
});

test('the details and settings: location, the duration as a segmented toggle, the clock as a switch, zones by name with their time now, the description filled in as typed', async () => {
  const { page, w, errors, close } = await open();
  assert.equal(await w.scope.locator('.bw-header__location').textContent(), 'Google Meet');
  // Duration: a radio group whose chosen segment is filled; another length asks anew.
  const durations = w.scope.getByRole('radiogroup', { name: 'Duration' });
  assert.equal(await durations.getByRole('radio', { name: '30 min' }).isChecked(), true);
  const asked = page.waitForRequest((r) => r.url().includes('/slots?') && r.url().includes('duration=60'));
  await durations.getByText('60 min').click();
  await asked;
  assert.equal(await durations.getByRole('radio', { name: '60 min' }).isChecked(), true);
  assert.equal(await durations.getByRole('radio', { name: '30 min' }).isChecked(), false);
  const filled = (text) => w.scope.locator('.bw-seg label', { hasText: text }).evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(await filled('60 min'), await filled('30 min'), 'the chosen segment is drawn apart');
  // Clock: a switch, named by its visible text.
  const clock = w.scope.getByRole('switch', { name: '24-hour clock' });
  assert.equal(await clock.isChecked(), true, 'en-GB reads a 24-hour clock');
  // The day chosen at the start may have no hour free (today's last half hours, booked by
  // the tests before): the times of the first day free for an hour, once drawn.
  await page.waitForFunction((sel) => !document.getElementById('booking-widget').shadowRoot
    .querySelector(sel)?.hasAttribute('aria-busy'), '[role=grid]', { timeout: 5_000 });
  await w.freeDay.first().click();
  await w.slot.first().waitFor();
  assert.match(await w.slot.first().textContent(), /^\d{2}:\d{2}$/);
  // The day's heading is short, on one line above its times.
  assert.match(await w.timesTitle.textContent(), /^Times on [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2,3}$/);
  assert.ok((await w.timesTitle.boundingBox()).height < 30);
  await w.scope.getByText('24-hour clock').click();
  assert.equal(await clock.isChecked(), false);
  await page.waitForFunction((sel) => /am|pm/i.test(document.querySelector('#booking-widget').shadowRoot.querySelector(sel)?.textContent), SEL.slot);
  // Zones: each by the browser's name for it in the visitor's language, with its time now.
  // Every zone is in the list on the first focus; their names follow a slice a frame.
  await w.zone.focus();
  assert.ok(await w.scope.locator('#bw-zones option[value="Pacific/Tahiti"]').count(), 'every zone at once');
  const paris = w.scope.locator('#bw-zones option[value="Europe/Paris"][label]');
  await paris.waitFor({ state: 'attached' });
  assert.match(await paris.getAttribute('label'), /^\d{1,2}:\d{2}\s?[ap]m Central European (Standard )?Time$/i);
  assert.deepEqual(await axeViolations(page), [], 'settings');
  // Focused again, the list reads the clock of that moment.
  await w.scope.getByText('24-hour clock').click();
  await w.zone.focus();
  await page.waitForFunction(() => /^\d{2}:\d{2} Central/.test(document.querySelector('#booking-widget').shadowRoot.querySelector('#bw-zones option[value="Europe/Paris"]')?.label));
  // The description's blank reads as the answer once typed.
  assert.equal(await w.description.textContent(), 'A call about [topic].');
  await w.pickFirstTime();
  await w.field('topic').fill('Pricing');
  assert.equal(await w.description.textContent(), 'A call about Pricing.');
  assert.deepEqual(errors, []);
  await close();
});

test('on a phone the month and the times take turns, focus following; on a desktop both show', async () => {
  const phone = await open({ viewport: { width: 390, height: 844 } });
  const { page, w } = phone;
  const inView = async (locator) => {
    const box = await locator.boundingBox();
    return box !== null && box.y + box.height <= 844;
  };
  assert.equal(await w.calendar.isVisible(), true);
  assert.equal(await w.timesTitle.isVisible(), false, 'the times wait for a day');
  assert.ok(await inView(w.day.last()), 'the whole month above the fold');
  await w.scope.locator('.bw-day--selected').click();
  await w.slot.first().waitFor();
  assert.equal(await w.calendar.isVisible(), false, 'the times in the month\'s place');
  assert.ok(await inView(w.slot.first()), 'the first time above the fold');
  await page.waitForFunction(() => document.querySelector('#booking-widget').shadowRoot.activeElement?.id === 'bw-times-title');
  assert.deepEqual(await axeViolations(page), [], 'phone times');
  await w.button('Change').click();
  await w.calendar.waitFor();
  assert.equal(await w.timesTitle.isVisible(), false);
  await page.waitForFunction(() => document.querySelector('#booking-widget').shadowRoot.activeElement?.id === 'bw-month-title');
  // Back from the form: the times again, not the month.
  await w.pickFirstTime();
  await w.formTitle.waitFor();
  await w.scope.locator('.bw-form__summary').getByRole('button', { name: 'Change' }).click();
  await w.slot.first().waitFor();
  assert.equal(await w.calendar.isVisible(), false);
  await phone.close();

  // From 40rem (640 px) on, two columns: the edge itself is a wider screen.
  const desktop = await open({ viewport: { width: 640, height: 900 } });
  await desktop.w.freeDay.last().click();
  await desktop.w.slot.first().waitFor();
  assert.equal(await desktop.w.calendar.isVisible(), true, 'a wider screen shows both');
  assert.equal(await desktop.w.button('Change').isVisible(), false, 'and no way back to the month');
  assert.equal((await focused(desktop.page)).part, 'day', 'focus stays on the day');
  await desktop.close();
});

test('a time taken between choosing and submitting: slots refresh, input kept, focus on the times', async () => {
  const { page, w, close } = await open();
  const start = await w.pickFirstTime();
  await fillForm(w);
  assert.equal(await bookThroughApi(proxy.base, 'intro', new Date(start).toISOString()), 201);
  await w.primary.click();
  await w.alerting('just taken').waitFor({ timeout: 15_000 });
  assert.equal((await focusOn(page, 'bw-times-title', 'id')).id, 'bw-times-title');
  // Said once, by the alert: the live region does not repeat it.
  assert.doesNotMatch(await w.status.textContent(), /just taken/);
  // The refreshed slots replace the old ones once they arrive; late in the day the taken
  // time may have been the day's last, and the visitor picks another day.
  await page.waitForFunction(([taken, slot, free]) => {
    const root = document.getElementById('booking-widget').shadowRoot;
    const starts = [...root.querySelectorAll(slot)].map((e) => e.dataset.start);
    return !starts.includes(taken) && (starts.length > 0 || root.querySelector(free) !== null);
  }, [start, SEL.slot, SEL.freeDay], { timeout: 15_000 });
  await w.freeDay.first().click();
  assert.notEqual(await w.slot.first().getAttribute('data-start'), start);
  await w.slot.first().click();
  assert.equal(await w.field('name').inputValue(), 'Ada Lovelace', 'answers are kept');
  await w.primary.click();
  await w.confirmation.waitFor({ timeout: 15_000 });
  await close();
});

test('the visitor\'s language: German, and Arabic right to left', async () => {
  for (const [locale, previous, times, dir] of [['de-DE', 'Vorheriger Monat', 'Zeiten am ', 'ltr'], ['ar-EG', 'الشهر السابق', 'المواعيد يوم ', 'rtl']]) {
    const { page, w, close } = await open({ locale });
    assert.equal(await w.root.getAttribute('dir'), dir);
    assert.equal(await w.root.getAttribute('lang'), locale);
    assert.equal(await w.monthNav.nth(0).getAttribute('aria-label'), previous);
    // The first free day is chosen: its times are shown at once.
    await w.timesTitle.filter({ hasText: times }).waitFor({ timeout: 15_000 });
    assert.ok((await w.slot.count()) > 0);
    if (dir === 'rtl') {
      const [prev, next] = [await w.monthNav.nth(0).boundingBox(), await w.monthNav.nth(1).boundingBox()];
      assert.ok(prev.x > next.x, 'the previous-month button is on the right');
      await page.screenshot({ path: artifact('arabic.png'), fullPage: true });
    }
    await close();
  }
});

test('nothing free in the coming months: said on this month, not a year ahead', async () => {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  await page.goto(`${proxy.base}/book/booked-up`);
  const w = new Widget(page);
  const thisMonth = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'Europe/Paris' }).format(new Date());
  await w.noticing('Nothing is free').waitFor({ timeout: 30_000 });
  await page.waitForFunction(([sel, want]) => document.getElementById('booking-widget').shadowRoot
    .querySelector(sel)?.textContent.trim() === want, [SEL.monthTitle, thisMonth], { timeout: 15_000 }).catch(() => {});
  assert.equal((await w.monthTitle.textContent()).trim(), thisMonth);
  await w.noticing('Nothing is free').waitFor({ timeout: 15_000 });
  await context.close();
});

test('today is marked, past days set apart, and a month on its way is busy, not fully booked', async () => {
  const { page, w, close } = await open();
  // Slots not asked for yet (another duration): the grid is busy until they come.
  let release;
  const held = new Promise((done) => { release = done; });
  await page.route('**/slots?**', async (route) => { await held; await route.continue(); });
  const grid = w.scope.locator('[role=grid]');
  await w.scope.getByRole('radiogroup', { name: 'Duration' }).getByText('60 min').click();
  await page.waitForFunction((sel) => document.getElementById('booking-widget').shadowRoot
    .querySelector(sel)?.getAttribute('aria-busy') === 'true', '[role=grid]', { timeout: 5_000 }).catch(() => {});
  assert.equal(await grid.getAttribute('aria-busy'), 'true');
  release();
  await w.freeDay.first().waitFor({ timeout: 15_000 });
  await page.waitForFunction((sel) => !document.getElementById('booking-widget').shadowRoot
    .querySelector(sel)?.hasAttribute('aria-busy'), '[role=grid]', { timeout: 5_000 }).catch(() => {});
  assert.equal(await grid.getAttribute('aria-busy'), null);

  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
  // Late on the month's last free day the widget opens on the next month: back to this one.
  const todays = w.scope.locator(`[data-date="${today}"]`);
  if (!(await todays.count())) await w.monthNav.nth(0).click();
  assert.match(await todays.getAttribute('class'), /bw-day--today/);
  const day = Number(today.slice(8));
  if (day > 1) {
    const before = `${today.slice(0, 8)}${String(day - 1).padStart(2, '0')}`;
    assert.match(await w.scope.locator(`[data-date="${before}"]`).getAttribute('class'), /bw-day--past/);
  }
  await close();
});

test('changing the time zone regroups the days, the zone typed in any case', async () => {
  const { page, w, close } = await open({ timezoneId: 'Pacific/Pago_Pago' });
  const freeDays = () => w.freeDay.evaluateAll((els) => els.map((e) => e.dataset.date));
  const weekday = (d) => new Date(`${d}T12:00:00Z`).getUTCDay();
  const before = await freeDays();
  assert.ok(before.every((d) => weekday(d) >= 1 && weekday(d) <= 5), `Mon-Fri in Pago Pago: ${before}`);
  const zone = w.zone;
  assert.equal(await zone.inputValue(), 'Pacific/Pago_Pago');
  // Typed in lower case: the widget asks the proxy in the zone database's spelling.
  const asked = page.waitForRequest((r) => r.url().includes('time_zone=Pacific%2FKiritimati'), { timeout: 15_000 });
  await zone.fill('pacific/kiritimati');
  await zone.press('Enter');
  await zone.dispatchEvent('change');
  await page.waitForFunction((free) => {
    const root = document.getElementById('booking-widget').shadowRoot;
    return [...root.querySelectorAll(free)].some((e) => new Date(`${e.dataset.date}T12:00:00Z`).getUTCDay() === 6);
  }, SEL.freeDay, { timeout: 15_000 });
  await asked;
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
    const w = new Widget(page);
    await w.pickFirstTime();
    // Required fields first, in the profile's order; optional ones marked as such.
    const order = await w.scope.locator('[part=field]').evaluateAll((els) => els.map((e) => e.id || e.querySelector('[id^=bw-field-]').id));
    assert.deepEqual(order.map((id) => id.replace('bw-field-', '')),
      ['name', 'email', 'billing', 'seats', 'plan', 'consent', 'company', 'about', 'phone', 'site', 'topics', 'channels', 'newsletter']);
    assert.match(await w.scope.locator('label[for=bw-field-company]').textContent(), /\(optional\)$/);
    assert.doesNotMatch(await w.scope.locator('label[for=bw-field-billing]').textContent(), /optional/);
    assert.match(await w.scope.locator('#bw-field-topics legend').textContent(), /\(optional\)$/);
    // The keyboard each kind needs; addresses and numbers left to right even in a right-to-left page.
    for (const [name, mode, dir] of [['billing', 'email', 'ltr'], ['phone', 'tel', 'ltr'], ['seats', 'decimal', 'ltr'], ['site', 'url', 'ltr'], ['company', 'text', 'auto']]) {
      assert.equal(await w.field(name).getAttribute('inputmode'), mode, name);
      assert.equal(await w.field(name).getAttribute('dir'), dir, name);
    }
    // A yes/no box sits before its label, one size with the boxes of a list.
    const [box, text] = [await w.field('consent').boundingBox(), await w.scope.locator('label[for=bw-field-consent]').boundingBox()];
    assert.ok(box.x + box.width <= text.x && Math.abs((box.y + box.height / 2) - (text.y + text.height / 2)) < 8, 'inline');
    const listBox = await w.field('channels').locator('input').first().boundingBox();
    assert.equal(Math.round(listBox.width), Math.round(box.width));
    await w.fillIn();
    await w.primary.click();
    for (const required of ['billing', 'seats', 'plan', 'consent']) {
      await w.field(required).and(page.locator('[aria-invalid=true]')).waitFor();
    }
    await w.field('company').fill('Analytical Engines');
    await w.field('about').fill('Bernoulli numbers');
    await w.field('billing').fill('billing@example.com');
    await w.field('phone').fill('+44 20 7946 0000');
    await w.field('seats').fill('twelve');
    await w.field('site').fill('ftp://example.com');
    await w.field('plan').selectOption('Pro');
    await w.field('topics').getByText('Security').click();
    await w.field('topics').getByText('API').click();
    await w.field('channels').getByText('Phone').click();
    await w.field('newsletter').check();
    await w.field('consent').check();
    await w.primary.click();
    assert.equal(await w.fieldError('seats').textContent(), 'Enter a number.');
    assert.equal(await w.fieldError('site').textContent(), 'Enter a web address starting with https://');
    await w.field('seats').fill('12');
    await w.field('site').fill('https://example.com');
    const posted = page.waitForRequest((r) => r.method() === 'POST');
    await w.primary.click();
    const body = (await posted).postDataJSON();
    assert.deepEqual(body.fields, {
      company: 'Analytical Engines', about: 'Bernoulli numbers', billing: 'billing@example.com',
      phone: '+44 20 7946 0000', seats: 12, site: 'https://example.com', plan: 'Pro',
      topics: ['Security', 'API'], channels: ['Phone'], newsletter: true, consent: true,
    });
    await w.confirmation.waitFor({ timeout: 15_000 });
  } finally {
    await context.close();
    await kinds.stop();
  }
});

test('a lost answer is retried with the same key and books once', async () => {
  const { page, w, close } = await open();
  const start = await w.pickFirstTime();
  await fillForm(w);
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
  await w.primary.click();
  await w.noticing('Could not reach').waitFor({ timeout: 15_000 });
  await w.primary.click();
  await w.confirmation.waitFor({ timeout: 15_000 });
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
    const w = new Widget(page);
    await w.freeDay.first().click({ timeout: 20_000 });
    return (await w.slot.first().textContent()).trim();
  };
  assert.match(await firstTime(`${proxy.base}/book/intro`), /^\d{1,2}:\d{2}\s?(AM|PM)$/);
  assert.match(await firstTime(`${proxy.base}/book/intro?hour_cycle=h23`), /^\d{2}:\d{2}$/);
  await context.close();
});
