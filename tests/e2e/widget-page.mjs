// The widget as the end-to-end tests see it: every selector they use, in one page object
// (as Leptos's `counters` example keeps its Playwright page object). `scope` is a page (the
// public booking page) or a locator of one <booking-widget>; Playwright's CSS locators
// pierce open shadow roots.

/** Selectors, also for code that runs in the page (`waitForFunction`). */
export const SEL = {
  root: '.bw-root',
  title: 'h2',
  description: '.bw-header__description',
  skeleton: '.bw-skeleton',
  // A free day the loader draws in the skeleton until the wasm is up.
  earlyDay: '.bw-skeleton button',
  error: '[part=error]',
  alert: '[role=alert]',
  status: '[role=status]',
  calendar: '[part=calendar]',
  monthTitle: '#bw-month-title',
  monthNav: '.bw-calendar__nav',
  day: '[part=day]',
  freeDay: '.bw-day--free',
  slot: '[part=slot]',
  timesTitle: '#bw-times-title',
  zone: 'input[list=bw-zones]',
  formTitle: '#bw-form-title',
  notice: '.bw-notice',
  primary: '[part~=primary-button]',
  confirmation: '[part=confirmation]',
  doneTitle: '#bw-done-title',
  manageLink: '.bw-confirmation__manage a',
  manageTitle: '#bw-manage-title',
  manageState: '.bw-manage__state',
  launcher: '[part=launcher]',
  closeButton: '.bw-close',
  dialog: 'dialog',
  field: (name) => `#bw-field-${name}`,
};

export class Widget {
  constructor(scope) {
    this.scope = scope;
    for (const [name, selector] of Object.entries(SEL)) {
      if (typeof selector === 'string') this[name] = scope.locator(selector);
    }
  }

  /** The profile's title, once it reads `text`. */
  titled(text) { return this.scope.locator(SEL.title, { hasText: text }); }

  /** An alert saying `text`. */
  alerting(text) { return this.scope.locator(SEL.alert, { hasText: text }); }

  /** A notice saying `text`. */
  noticing(text) { return this.scope.locator(SEL.notice, { hasText: text }); }

  /** The control of the field `name` (`name` and `email` are the booker's). */
  field(name) { return this.scope.locator(SEL.field(name)); }

  /** The message under the field `name`. */
  fieldError(name) { return this.scope.locator(`${SEL.field(name)}-error`); }

  /** The button reading `text`. */
  button(text) { return this.scope.locator('button', { hasText: text }); }

  /** Waits until the month shows a free day (20 s). */
  async ready() { await this.freeDay.first().waitFor({ timeout: 20_000 }); }

  /** Clicks the first free day after today, turning to the next month when today is the
   * month's last: late in the day today may have a single time left, or none once it is taken. */
  async pickLaterDay() {
    await this.ready();
    const later = this.scope.locator(`${SEL.freeDay}:not(.bw-day--today)`);
    if (!(await later.count())) await this.monthNav.nth(1).click();
    await later.first().click({ timeout: 20_000 });
  }

  /** Picks the first free day (or with `later`, the first after today) and its first time
   * (or its last, hours away from the minimum notice's edge); resolves to the time's start. */
  async pickFirstTime({ last = false, later = false } = {}) {
    if (later) await this.pickLaterDay();
    else await this.freeDay.first().click({ timeout: 20_000 });
    const slot = last ? this.slot.last() : this.slot.first();
    const start = await slot.getAttribute('data-start');
    await slot.click();
    return start;
  }

  /** Fills the booker and whichever of the test profiles' fields the form has. */
  async fillIn({ name = 'Ada Lovelace', email = 'ada@example.com' } = {}) {
    await this.field('name').fill(name);
    await this.field('email').fill(email);
    const size = this.field('team_size');
    if (await size.count()) await size.selectOption('1-10');
    const topic = this.field('topic');
    if (await topic.count()) await topic.fill('Pricing');
  }

  /** Books the first free time with `fillIn`'s answers, up to the confirmation. */
  async book(answers) {
    await this.pickFirstTime();
    await this.fillIn(answers);
    await this.primary.click();
    await this.confirmation.waitFor({ timeout: 20_000 });
  }
}
