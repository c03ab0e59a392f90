// The public booking page under its own Content-Security-Policy: the whole flow runs with
// no violation reported by Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, launchBrowser, INTRO_PROFILE } from './support.mjs';

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

test('/book/{profile} books with its strict policy and no violation', async () => {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto(`${proxy.base}/book/intro`);
  const policy = response.headers()['content-security-policy'];
  assert.match(policy, /default-src 'none'/);
  assert.doesNotMatch(policy, /'unsafe-inline'|'unsafe-eval'/);
  assert.equal(response.headers()['x-content-type-options'], 'nosniff');

  await page.locator('.bw-day--free').first().click();
  await page.locator('[part=slot]').first().click();
  await page.locator('#bw-field-name').fill('Ada Lovelace');
  await page.locator('#bw-field-email').fill('ada@example.com');
  await page.locator('#bw-field-team_size').selectOption('1-10');
  await page.locator('#bw-field-topic').fill('Pricing');
  await page.locator('[part~=primary-button]').click();
  await page.locator('[part=confirmation]').waitFor({ timeout: 20_000 });

  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(problems, []);
  await context.close();
});
