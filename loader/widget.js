// booking-widget loader (served as /widget.js). Defines <booking-widget>, loads the widget's
// wasm once per page from the proxy's origin, and mounts each element into its own open
// shadow root. No dependencies; nothing inline, so a strict Content-Security-Policy holds.
(() => {
  'use strict';
  if (window.customElements.get('booking-widget')) return;

  const script = document.currentScript;
  const ORIGIN = new URL(script ? script.src : window.location.href).origin;
  // Filled in by booking-proxy from the build: content-hashed, cached for a year. The
  // manage bundle (the widget with manage mode) is loaded only for a booking's manage token.
  const BUNDLES = {
    book: ['__GLUE__', '__WASM__'],
    manage: ['__MANAGE_GLUE__', '__MANAGE_WASM__'],
  };
  const modules = {};
  const load = (kind) => {
    const [glue, wasm] = BUNDLES[kind].map((path) => new URL(path, ORIGIN).href);
    // The wasm is fetched beside the glue, not after it; the glue compiles it as it streams.
    modules[kind] ??= ((bytes) => import(glue).then(async (m) => {
      await m.default({ module_or_path: bytes });
      return m;
    }))(fetch(wasm));
    return modules[kind];
  };

  // Requests started while the wasm loads, URL → promise of the answer's JSON (null when it
  // failed: the widget then asks itself and shows why). The widget takes each one once.
  const EARLY = new Map();
  const ask = (url) => {
    if (!EARLY.has(url)) EARLY.set(url, fetch(url).then((r) => (r.ok ? r.json() : null)).catch(() => unreachable(url)));
    return EARLY.get(url);
  };
  // The usual cause for a site owner: the proxy refuses this page's origin (CORS). Said
  // once per proxy, in the console, where the widget itself can only say "could not reach".
  const told = new Set();
  const unreachable = (url) => {
    const { origin } = new URL(url);
    if (!told.has(origin)) {
      told.add(origin);
      console.warn(`booking-widget: could not reach ${origin}; if it is up, add ${location.origin} to its server.allowed_origins`);
    }
    return null;
  };
  const zoneOk = (zone) => {
    try { return Boolean(zone) && Boolean(new Intl.DateTimeFormat('en', { timeZone: zone })); } catch { return false; }
  };
  /** The profile, then its first month's slots as the widget will ask for them, and the
   *  visitor's language unless English (the widget fetches what is missing itself). */
  const prefetch = (api, profile, zoneAttr, locale) => {
    const origin = api.replace(/\/+$/, '');
    const lang = (locale || navigator.language).split(/[-_]/)[0].toLowerCase();
    // The languages of i18n/ but English, which the widget has built in.
    if (/^(ar|de|es|fr|ja)$/.test(lang)) ask(`${origin}/i18n/${lang}.json`);
    const base = `${origin}/api/v1/profiles/${encodeURIComponent(profile)}`;
    const zone = zoneOk(zoneAttr) ? zoneAttr : Intl.DateTimeFormat().resolvedOptions().timeZone;
    ask(base).then((p) => {
      const duration = p?.durations?.[0];
      if (!duration) return;
      const part = {};
      for (const { type, value } of new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric' }).formatToParts()) part[type] = Number(value);
      const month = `${part.year}-${String(part.month).padStart(2, '0')}`;
      const last = new Date(Date.UTC(part.year, part.month, 0)).getUTCDate();
      ask(`${base}/slots?from=${month}-01&to=${month}-${last}&time_zone=${encodeURIComponent(zone)}&duration=${duration}`);
    });
  };

  const PARTS = 'root, calendar, day, slot, form, field, input, button, primary-button, confirmation, error';
  const DARK = window.matchMedia('(prefers-color-scheme: dark)');
  const QUERY_RESERVED = new Set(['profile', 'api', 'mode', 'theme', 'locale', 'time_zone', 'hour_cycle', 'booking_token']);
  // What a prefill value may be: text, a number, yes/no, or a list of text (the form's answers).
  const usable = (v) => ['string', 'boolean'].includes(typeof v) || Number.isFinite(v)
    || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  // Attributes the mounted widget takes in place; the others (profile, api, mode, manage) mount anew.
  const IN_PLACE = new Set(['locale', 'time-zone', 'hour-cycle', 'prefill', 'prefill-from-url']);

  class BookingWidget extends HTMLElement {
    static observedAttributes = ['profile', 'api', 'mode', 'manage', 'label', 'theme', 'locale', 'time-zone', 'hour-cycle', 'prefill', 'prefill-from-url'];

    #widget = null;
    #generation = 0;
    #extra = {};
    #onScheme = () => this.#applyTheme();
    #mountHost = null;
    #launch = null;

    connectedCallback() { this.#render(); }

    disconnectedCallback() {
      this.#generation += 1;
      this.#teardown();
    }

    attributeChangedCallback(name, before, after) {
      if (before === after || !this.isConnected) return;
      if (name === 'theme') this.#applyTheme();
      else if (name === 'label') this.#label();
      else if (IN_PLACE.has(name)) this.#update();
      else this.#render();
    }

    /** Fills in answers, e.g. `el.prefill({ name: 'Ada', email: 'ada@example.com', company: 'ACME' })`. */
    prefill(values) {
      this.#extra = { ...this.#extra, ...values };
      if (this.isConnected) this.#update();
    }

    #prefillValues() {
      const values = {};
      if (this.getAttribute('prefill-from-url') !== 'false') {
        for (const [key, value] of new URLSearchParams(window.location.search)) {
          if (!QUERY_RESERVED.has(key)) values[key] = value;
        }
      }
      const attr = this.getAttribute('prefill');
      if (attr) {
        try {
          const parsed = JSON.parse(attr);
          Object.assign(values, parsed.fields ?? {});
          if (parsed.name) values.name = parsed.name;
          if (parsed.email) values.email = parsed.email;
        } catch (e) {
          console.warn('booking-widget: the prefill attribute is not JSON', e);
        }
      }
      const all = { ...values, ...this.#extra };
      // One odd value (a `null` from an app's state) leaves that answer out, not the widget.
      for (const [key, value] of Object.entries(all)) {
        if (usable(value)) continue;
        if (value != null) console.warn(`booking-widget: prefill "${key}" is not text, a number, true/false or a list of text; left out`);
        delete all[key];
      }
      return all;
    }

    /** The options as mountWidget and update take them, read when they are used. */
    #options() {
      return JSON.stringify({
        profile: this.getAttribute('profile') || '',
        api: this.getAttribute('api') || ORIGIN,
        locale: this.getAttribute('locale') || null,
        timeZone: this.getAttribute('time-zone') || null,
        hourCycle: this.getAttribute('hour-cycle') || null,
        prefill: this.#prefillValues(),
        manage: this.#manageToken(),
      });
    }

    /** A booking's manage token: the `manage` attribute, else the host page's `?booking_token=`. */
    #manageToken() {
      return this.getAttribute('manage') || new URLSearchParams(window.location.search).get('booking_token') || null;
    }

    /** New language, zone, clock or prefill for the mounted widget (the same: nothing). */
    #update() {
      this.#widget?.update(this.#options());
    }

    async #render() {
      const generation = ++this.#generation;
      const mode = this.getAttribute('mode') || 'inline';
      const profile = this.getAttribute('profile');
      const manage = Boolean(this.#manageToken());
      // A popup's widget asks nothing until it is opened; a manage page asks for no free days.
      if (profile && mode === 'inline' && !manage) prefetch(this.getAttribute('api') || ORIGIN, profile, this.getAttribute('time-zone'), this.getAttribute('locale'));
      let m;
      try {
        m = await load(manage ? 'manage' : 'book');
      } catch (e) {
        console.error('booking-widget: could not load the widget', e);
        return;
      }
      if (generation !== this.#generation || !this.isConnected) return;
      this.#teardown();
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      DARK.addEventListener('change', this.#onScheme);
      const mount = (host) => {
        this.#mountHost = host;
        this.#applyTheme();
        try {
          this.#widget = m.mountWidget(host, this.#options(), EARLY);
        } catch (e) {
          console.error('booking-widget: could not start', e);
        }
      };
      if (mode === 'popup' || mode === 'floating') {
        // The widget (and its requests) start when the dialog is first opened.
        this.#launcher(root, m, mount);
      } else {
        mount(this);
      }
    }

    /** The button and modal dialog; `mount(inner)` runs on the first opening. */
    #launcher(root, m, mount) {
      root.replaceChildren();
      // The widget's own stylesheet: its tokens, and the launcher's rules (style/launcher.css).
      root.adoptedStyleSheets = [m.styleSheet()].filter(Boolean);
      this.#applyTheme();
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'bw-launch';
      button.setAttribute('part', 'launcher');
      button.setAttribute('aria-haspopup', 'dialog');
      const dialog = document.createElement('dialog');
      dialog.className = 'bw-dialog';
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'bw-close';
      close.setAttribute('aria-label', 'Close');
      close.textContent = '×';
      const inner = document.createElement('div');
      inner.setAttribute('exportparts', PARTS);
      dialog.append(close, inner);
      this.#launch = { button, dialog };
      this.#label();
      // showModal() makes the page inert, closes on Escape and returns focus to the button.
      button.addEventListener('click', () => {
        if (!this.#widget) mount(inner);
        dialog.showModal();
      });
      close.addEventListener('click', () => dialog.close());
      dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });
      root.append(button, dialog);
    }

    #label() {
      if (!this.#launch) return;
      const text = this.getAttribute('label') || 'Book a time';
      this.#launch.button.textContent = text;
      this.#launch.dialog.setAttribute('aria-label', text);
    }

    /** Light or dark tokens, on the element (the launcher's) and the widget's own host. */
    #applyTheme() {
      const theme = this.getAttribute('theme') || 'light';
      const dark = theme === 'dark' || (theme === 'auto' && DARK.matches) ? 'dark' : 'light';
      for (const host of new Set([this, this.#mountHost])) host?.setAttribute('data-theme', dark);
    }

    #teardown() {
      DARK.removeEventListener('change', this.#onScheme);
      if (this.#widget) {
        this.#widget.unmount();
        this.#widget.free();
        this.#widget = null;
      }
      this.#mountHost = null;
      this.#launch = null;
    }
  }

  // A page that closes (and is not kept for going back) lets its widgets go: a time held for
  // the visitor is released at once rather than when the hold expires.
  window.addEventListener('pagehide', (e) => {
    if (e.persisted) return;
    for (const el of document.querySelectorAll('booking-widget')) el.disconnectedCallback();
  });

  window.customElements.define('booking-widget', BookingWidget);
})();
