// booking-widget loader (served as /widget.js). Defines <booking-widget>, loads the widget's
// wasm once per page from the proxy's origin, and mounts each element into its own open
// shadow root. No dependencies; nothing inline, so a strict Content-Security-Policy holds.
(() => {
  'use strict';
  if (window.customElements.get('booking-widget')) return;

  const script = document.currentScript;
  const ORIGIN = new URL(script ? script.src : window.location.href).origin;
  // Filled in by booking-proxy from the build: content-hashed, cached for a year.
  const GLUE = new URL('__GLUE__', ORIGIN).href;
  const WASM = new URL('__WASM__', ORIGIN).href;

  let module = null;
  const load = () => {
    module ??= import(GLUE).then(async (m) => {
      await m.default({ module_or_path: WASM });
      return m;
    });
    return module;
  };

  const PARTS = 'root, calendar, day, slot, form, field, input, button, primary-button, confirmation, error';
  const DARK = window.matchMedia('(prefers-color-scheme: dark)');
  // The launcher button and dialog of the popup and floating modes (constructed, not inline).
  let launcherSheet = null;
  const launcherCss = () => {
    if (!launcherSheet) {
      launcherSheet = new CSSStyleSheet();
      launcherSheet.replaceSync(`
        :host { display: inline-block; }
        :host([mode="floating"]) { position: fixed; inset-block-end: 1.5rem; inset-inline-end: 1.5rem; z-index: 2147483000; }
        .bw-launch { font: inherit; font-family: var(--bw-font-family, inherit); font-size: var(--bw-font-size, 1rem);
          padding: .75em 1.25em; border: 0; border-radius: var(--bw-radius, 8px); cursor: pointer;
          color: var(--bw-accent-contrast, #fff); background: var(--bw-accent, #1d4ed8); }
        :host([mode="floating"]) .bw-launch { border-radius: 999px; box-shadow: 0 4px 16px rgb(0 0 0 / .25); }
        .bw-launch:focus-visible { outline: 3px solid var(--bw-accent, #1d4ed8); outline-offset: 3px; }
        dialog { padding: 0; border: 0; border-radius: var(--bw-radius, 8px); width: min(46rem, 100vw - 1rem);
          max-height: calc(100vh - 1rem); background: transparent; }
        dialog::backdrop { background: rgb(0 0 0 / .5); }
        .bw-close { position: absolute; inset-block-start: .5rem; inset-inline-end: .5rem; z-index: 1;
          font: inherit; font-size: 1.25rem; line-height: 1; width: 2.5rem; height: 2.5rem; cursor: pointer;
          border: 1px solid var(--bw-border, #c9ced6); border-radius: var(--bw-radius, 8px);
          color: var(--bw-text, #1a1d23); background: var(--bw-surface, #f4f5f7); }`);
    }
    return launcherSheet;
  };

  const QUERY_RESERVED = new Set(['profile', 'api', 'mode', 'theme', 'locale', 'time_zone', 'hour_cycle']);
  // What a prefill value may be: text, a number, yes/no, or a list of text (the form's answers).
  const usable = (v) => ['string', 'boolean'].includes(typeof v) || Number.isFinite(v)
    || (Array.isArray(v) && v.every((x) => typeof x === 'string'));

  class BookingWidget extends HTMLElement {
    static observedAttributes = ['profile', 'api', 'mode', 'label', 'theme', 'locale', 'time-zone', 'hour-cycle', 'prefill', 'prefill-from-url'];

    #widget = null;
    #generation = 0;
    #extra = {};
    #onScheme = () => this.#applyTheme();
    #mountHost = null;

    connectedCallback() { this.#render(); }

    disconnectedCallback() {
      this.#generation += 1;
      this.#teardown();
    }

    attributeChangedCallback(_name, before, after) {
      if (before !== after && this.isConnected) this.#render();
    }

    /** Fills in answers, e.g. `el.prefill({ name: 'Ada', email: 'ada@example.com', company: 'ACME' })`. */
    prefill(values) {
      this.#extra = { ...this.#extra, ...values };
      if (this.isConnected) this.#render();
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

    async #render() {
      const generation = ++this.#generation;
      let m;
      try {
        m = await load();
      } catch (e) {
        console.error('booking-widget: could not load the widget', e);
        return;
      }
      if (generation !== this.#generation || !this.isConnected) return;
      this.#teardown();
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      const mode = this.getAttribute('mode') || 'inline';
      const options = {
        profile: this.getAttribute('profile') || '',
        api: this.getAttribute('api') || ORIGIN,
        locale: this.getAttribute('locale') || null,
        timeZone: this.getAttribute('time-zone') || null,
        hourCycle: this.getAttribute('hour-cycle') || null,
        prefill: this.#prefillValues(),
      };
      const mount = (host) => {
        this.#mountHost = host;
        this.#applyTheme();
        DARK.addEventListener('change', this.#onScheme);
        try {
          this.#widget = m.mountWidget(host, JSON.stringify(options));
        } catch (e) {
          console.error('booking-widget: could not start', e);
        }
      };
      if (mode === 'popup' || mode === 'floating') {
        // The widget (and its requests) start when the dialog is first opened.
        this.#launcher(root, mount);
      } else {
        mount(this);
      }
    }

    /** The button and modal dialog; `mount(inner)` runs on the first opening. */
    #launcher(root, mount) {
      root.replaceChildren();
      root.adoptedStyleSheets = [launcherCss()];
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'bw-launch';
      button.setAttribute('part', 'launcher');
      button.setAttribute('aria-haspopup', 'dialog');
      button.textContent = this.getAttribute('label') || 'Book a time';
      const dialog = document.createElement('dialog');
      dialog.setAttribute('aria-label', button.textContent);
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'bw-close';
      close.setAttribute('aria-label', 'Close');
      close.textContent = '×';
      const inner = document.createElement('div');
      inner.setAttribute('exportparts', PARTS);
      dialog.append(close, inner);
      // showModal() makes the page inert, closes on Escape and returns focus to the button.
      button.addEventListener('click', () => {
        if (!this.#widget) mount(inner);
        dialog.showModal();
      });
      close.addEventListener('click', () => dialog.close());
      dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });
      root.append(button, dialog);
    }

    #applyTheme() {
      const theme = this.getAttribute('theme') || 'light';
      const dark = theme === 'dark' || (theme === 'auto' && DARK.matches);
      this.#mountHost?.setAttribute('data-theme', dark ? 'dark' : 'light');
    }

    #teardown() {
      DARK.removeEventListener('change', this.#onScheme);
      if (this.#widget) {
        this.#widget.unmount();
        this.#widget.free();
        this.#widget = null;
      }
      this.#mountHost = null;
    }
  }

  window.customElements.define('booking-widget', BookingWidget);
})();
