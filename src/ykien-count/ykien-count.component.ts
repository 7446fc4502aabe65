/**
 * `<ykien-count>`: "12 ý kiến" beside a headline on a home or category page. A plain custom element, not
 * a Lit one: a page of headlines pays for a few hundred bytes, not for the comment box.
 */
import { langOf, type Lang } from '../i18n.js';
import { requestCount } from './counts.js';

export interface CountStrings {
  /** `{count}` is the number, formatted for the language. */
  countOne: string;
  countOther: string;
}

const LABELS: Record<Lang, CountStrings> = {
  vi: { countOne: '{count} ý kiến', countOther: '{count} ý kiến' },
  en: { countOne: '{count} comment', countOther: '{count} comments' },
};

/**
 * The number of published comments of an article, resolved for all the page's counts in one request
 * per endpoint (`GET {endpoint}/counts`, docs/api.md). Shows nothing until the number is known, and
 * nothing when it cannot be had.
 *
 * @summary A comment count for article lists.
 *
 * @attr endpoint - URL of the comments collection, as on `<ykien-comments>`; required.
 * @attr page-id - The article's identity, as `<ykien-comments>` sends it; required.
 * @attr format - `label` (default: "12 ý kiến" / "12 comments") or `number` ("12").
 * @attr lang - `vi` or `en`; default: the closest `lang` attribute, else `vi`. Followed when it, or `<html lang>`, changes.
 *
 * @csspart count - The text.
 */
export class YkienCount extends HTMLElement {
  static observedAttributes = ['endpoint', 'page-id', 'format', 'lang'];

  /** The published count, once known. */
  count?: number;
  #strings?: Partial<CountStrings>;
  #text: HTMLElement;
  #asked?: string;
  /** Every count on the page: one observer re-words them all when the page's `lang` changes. */
  static #all = new Set<YkienCount>();
  static #langWatch?: MutationObserver;

  constructor() {
    super();
    this.#text = document.createElement('span');
    this.#text.part.add('count');
    this.attachShadow({ mode: 'open' }).append(this.#text);
    // A page may set `strings` before this script defines the element: that own property would hide
    // the accessor below, and the override would never apply.
    if (Object.hasOwn(this, 'strings')) {
      const early = this.strings;
      delete (this as { strings?: unknown }).strings;
      this.strings = early;
    }
  }

  /** A partial override of the label, e.g. `{countOther: '{count} bình luận'}`. */
  get strings(): Partial<CountStrings> | undefined {
    return this.#strings;
  }

  set strings(value: Partial<CountStrings> | undefined) {
    this.#strings = value;
    this.#render();
  }

  get language(): Lang {
    return langOf(this);
  }

  connectedCallback(): void {
    YkienCount.#all.add(this);
    if (!YkienCount.#langWatch) {
      YkienCount.#langWatch = new MutationObserver(() => YkienCount.#all.forEach((c) => c.#render()));
      YkienCount.#langWatch.observe(document.documentElement, { attributeFilter: ['lang'] });
    }
    this.#ask();
  }

  disconnectedCallback(): void {
    YkienCount.#all.delete(this);
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.#ask();
  }

  async #ask(): Promise<void> {
    const endpoint = this.getAttribute('endpoint');
    // Trimmed as the server reads it; a blank one is no article (and would fail its whole batch).
    const pageId = this.getAttribute('page-id')?.normalize('NFC').trim();
    const asked = endpoint + ' ' + pageId;
    if (asked != this.#asked) {
      this.#asked = asked;
      this.count = undefined;
      this.#render(); // the old article's number goes now, not when the new one comes
      if (endpoint && pageId) {
        const count = await requestCount(endpoint, pageId);
        if (this.#asked == asked) this.count = count;
      }
    }
    this.#render();
  }

  #render(): void {
    const n = this.count;
    const lang = this.language;
    this.#text.lang = lang; // the words' language, for a screen reader's voice
    const labels = { ...LABELS[lang], ...this.#strings };
    const number = n === undefined ? '' : new Intl.NumberFormat(lang).format(n);
    this.#text.textContent =
      n === undefined || this.getAttribute('format') == 'number' ? number : (n == 1 ? labels.countOne : labels.countOther).replace('{count}', number);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ykien-count': YkienCount;
  }
}
