/**
 * `ykien(page, selector?)`: `<ykien-comments>` as a reader uses it, found through accessible names (the
 * labels a screen reader announces), on Vietnamese and English pages alike.
 *
 *   const w = ykien(page);
 *   await w.fill({ name: 'Nguyen Van A', content: 'A fine article.' });
 *   await w.solveCaptcha();
 *   await w.send();
 *   await expect(w.statusRegion).toContainText(/Thank you/); // or the Vietnamese thanks
 */
import type { Locator, Page } from '@playwright/test';

/**
 * Both languages' labels, as the widget writes them (src/strings/; a test keeps them equal). Escaped:
 * everything in dist/ is ASCII.
 */
export const LABEL_TEXTS: Record<
  'name' | 'content' | 'send' | 'clear' | 'captcha' | 'resetCaptcha' | 'more' | 'unsentHeading' | 'pending',
  readonly [vi: string, en: string]
> = {
  name: ['H\u1ecd v\u00e0 t\u00ean', 'Full name'],
  content: ['N\u1ed9i dung', 'Comment'],
  send: ['G\u1eedi b\u00ecnh lu\u1eadn', 'Send comment'],
  clear: ['Nh\u1eadp l\u1ea1i', 'Clear'],
  captcha: ['X\u00e1c minh', 'Verification'],
  resetCaptcha: ['L\u00e0m m\u1edbi captcha', 'Reset captcha'],
  more: ['Xem th\u00eam', 'Load more'],
  unsentHeading: ['B\u00ecnh lu\u1eadn ch\u01b0a g\u1eedi', 'Unsent comments'],
  pending: ['\u0110ang ch\u1edd duy\u1ec7t', 'Awaiting moderation'],
};

/**
 * Where the widget keeps its unsent comments (src/stored-before.ts: the database, its store, the outbox's
 * keys), for unsent() to know how many the box has to show; test/kit-storage.test.ts holds them equal.
 */
export const WIDGET_STORAGE = { db: 'ykien-db', store: 'ykien-kv', outboxPrefix: 'o:' } as const;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// As Playwright reads an accessible name: trimmed, runs of white space as one (a site's " Send  it ").
const anyOf = (texts: readonly (string | undefined)[]) =>
  new RegExp(`^(${texts.filter((t): t is string => !!t?.trim()).map((t) => escapeRegExp(t.trim().replace(/\s+/g, ' '))).join('|')})$`);

/** How the box's words say the captcha did not load (captchaLoadFailed, captchaReload, both languages), up to a button's name. */
const CAPTCHA_NOT_LOADED = ['Kh\u00f4ng t\u1ea3i \u0111\u01b0\u1ee3c captcha', 'The captcha did not load', 'The captcha could not be loaded'];
/** The status's text begins with one of `texts`, each up to its first placeholder (`{resetCaptcha}`). */
const startsAs = (texts: readonly (string | undefined)[]) =>
  new RegExp(`^(${texts.map((t) => t?.split('{')[0]!.trim()).filter(Boolean).map((t) => escapeRegExp(t!)).join('|')})`);

/** The words the kit finds controls by; the element's other words (`listEmpty`, ...) are taken and not needed here. */
type SiteWords = Partial<Record<'nameLabel' | 'contentLabel' | 'send' | 'clear' | 'captchaLabel' | 'loadMore' | 'captchaLoadFailed' | 'captchaReload', string>>;
type AnyWords = { readonly [word: string]: string | undefined };

/**
 * The widget's words a site replaced through the element's `strings` (README, "Attributes"): the same object,
 * with the same keys, for both languages or per language (`{ vi: {...}, en: {...} }`), so the object
 * the page passes can be passed here as it is.
 */
export interface YkienWidgetOptions {
  strings?: SiteWords & { readonly [word: string]: string | AnyWords | undefined; vi?: SiteWords & AnyWords; en?: SiteWords & AnyWords };
}

export interface PublishedComment {
  name: string;
  /** The `datetime` of its `<time>` (ISO 8601). */
  date: string;
  content: string;
  /** Marked "Awaiting moderation" (or its Vietnamese label): the reader's own comment, not yet published. */
  pending: boolean;
  /** The editorial board's reply, as shown under the comment. */
  reply?: string;
}

export interface UnsentComment {
  content: string;
  /** What the widget says about it ("Waiting to be sent", "Captcha needed", ...). */
  state: string;
  /** For a comment of another article: that article's title. */
  article?: string;
}

export type FieldName = 'name' | 'content' | 'captcha';

export interface YkienWidget {
  readonly host: Locator;
  readonly nameField: Locator;
  readonly contentField: Locator;
  readonly sendButton: Locator;
  readonly clearButton: Locator;
  /** The captcha's checkbox (the one `fakeHcaptcha` renders). */
  readonly captchaCheckbox: Locator;
  /** The form's live status region. */
  readonly statusRegion: Locator;
  readonly moreButton: Locator;
  /**
   * Scrolls to the comments, as a reader coming to them: with the one-tag embed their code loads only
   * then. Every method below does it first.
   */
  reach(): Promise<void>;
  fill(values: { name?: string; content?: string }): Promise<void>;
  /**
   * Ticks the captcha's checkbox and waits until it is checked (with `fakeHcaptcha` in `pass` mode), or
   * until its token went at once to an unsent comment ("Verify to send"), which resets the box. The
   * captcha loads only once the reader comes to the form: if it is not there yet, this comes to it first,
   * as a reader does (focus in the name field). A token the box kept (after a move in the page) is solved.
   */
  solveCaptcha(): Promise<void>;
  send(): Promise<void>;
  clear(): Promise<void>;
  /** The status region's text now ('' when it says nothing). */
  status(): Promise<string>;
  /** The message shown for a field ('' when none). */
  fieldError(field: FieldName): Promise<string>;
  /**
   * The published list, as shown (with the reader's own pending comments), once it has loaded: the list
   * is `aria-busy` until the reader's own comments are read too, which after a reload come from the
   * browser's storage after the first page shows. Rejects, with what the box says, when it could not load.
   */
  comments(): Promise<PublishedComment[]>;
  /**
   * The unsent comments the widget keeps for this reader, once the box shows all it holds for its
   * endpoint: their list is drawn by code that comes by need, after a reload too.
   */
  unsent(): Promise<UnsentComment[]>;
  /**
   * Presses "Load more" (or its Vietnamese label) and waits until the box is done with it: more comments
   * show, or the button is gone, or the pages it read held none not shown yet (the button stays for the
   * next ones); rejects, with what the box says, when it shows that they could not be loaded.
   */
  loadMore(): Promise<void>;
}

/** How long a box may take to be in the page before a method says there is none (a page's app may add it late). */
const FIND_MS = 10_000;

export function ykien(page: Page, selector = 'ykien-comments', options: YkienWidgetOptions = {}): YkienWidget {
  const s = options.strings ?? {};
  const site = (key: keyof SiteWords) => [s[key], s.vi?.[key], s.en?.[key]];
  const LABELS = {
    name: anyOf([...LABEL_TEXTS.name, ...site('nameLabel')]),
    content: anyOf([...LABEL_TEXTS.content, ...site('contentLabel')]),
    send: anyOf([...LABEL_TEXTS.send, ...site('send')]),
    clear: anyOf([...LABEL_TEXTS.clear, ...site('clear')]),
    captcha: anyOf([...LABEL_TEXTS.captcha, ...site('captchaLabel')]),
    more: anyOf([...LABEL_TEXTS.more, ...site('loadMore')]),
    captchaNotLoaded: startsAs([...CAPTCHA_NOT_LOADED, ...site('captchaLoadFailed'), ...site('captchaReload')]),
    human: /I am human/i,
  };
  const host = page.locator(selector).first();
  const form = host.getByRole('form');
  const nameField = host.getByRole('textbox', { name: LABELS.name });
  const contentField = host.getByRole('textbox', { name: LABELS.content });
  const sendButton = host.getByRole('button', { name: LABELS.send });
  const clearButton = host.getByRole('button', { name: LABELS.clear });
  const captchaGroup = host.getByRole('group', { name: LABELS.captcha });
  const captchaCheckbox = host.getByRole('checkbox', { name: LABELS.human }).first();
  // What the box puts in its captcha's place (its light DOM, slot "captcha"): hCaptcha's element once the
  // reader came to the form, or the line saying they are verified already (a fresh token kept across a move).
  const captchaSlot = host.locator('[slot="captcha"]');
  const captchaKept = host.locator('[slot="captcha"]:not(h-captcha)').first();
  const statusRegion = form.getByRole('status');
  const list = host.locator('[part~="list"]');
  const articles = list.getByRole('article');
  const listError = host.locator('[part~="list-error"]');
  const moreButton = host.getByRole('button', { name: LABELS.more });

  /** The texts its aria-describedby points at that are error messages. */
  const describedError = (target: Locator) =>
    target.evaluate((el) => {
      const root = el.getRootNode() as Document | ShadowRoot;
      return (el.getAttribute('aria-describedby') ?? '')
        .split(/\s+/)
        .filter((id) => id.endsWith('-error'))
        .map((id) => root.getElementById(id)?.textContent?.trim() ?? '')
        .join(' ')
        .trim();
    });

  /**
   * The box is there to be used, said in words when it is not: no box (a template without it, one in an
   * iframe, which ykien(page) does not reach) or a first one the page hides (a mobile and a desktop copy,
   * one of them `display: none`) would otherwise be waited out to the test's own timeout.
   */
  const present = async () => {
    const all = page.locator(selector);
    const found = await all.first().waitFor({ state: 'attached', timeout: FIND_MS }).then(() => true, () => false);
    if (!found) {
      const framed = page.frames().length - 1;
      throw new Error(`ykien(): no ${selector} in the page after ${FIND_MS / 1000} s${framed ? ` (it has ${framed} iframe${framed > 1 ? 's' : ''}: a box in one is not reached through the page)` : ''}`);
    }
    const n = await all.count();
    if (n > 1 && !(await host.isVisible()) && (await page.locator(`${selector} >> visible=true`).count()) > 0) {
      throw new Error(`ykien(): the first of the page's ${n} ${selector} is hidden: give ykien() a selector for the one to test (e.g. '#comments ${selector}')`);
    }
  };
  const reach = async () => (await present(), host.scrollIntoViewIfNeeded());
  /**
   * The box has rendered; rejects with what it says when it cannot work at all (no `endpoint`: a staging
   * template's missing attribute), which has neither list nor form to wait for.
   */
  const rendered = async () => {
    // (A stand-in element may render its list or form without the box's base.)
    await host.locator('[part~="base"], [part~="form"], [part~="list"], [part~="empty"], [part~="list-error"]').first().waitFor();
    const unusable = host.locator('[part~="base"] > [part~="error"]');
    if (!(await unusable.count())) return;
    // A framework may set the endpoint a moment after the element (a view that fills it in, one that
    // clears it between two articles): what still says so a second later is the page's.
    const stays = await unusable.waitFor({ state: 'detached', timeout: 1000 }).then(() => false, () => true);
    if (stays) throw new Error(`ykien(): the box cannot be used: ${((await unusable.textContent()) ?? '').trim()}`);
  };
  /** Until the box says its list is settled (a box that does not say, a stand-in or an older build, is). */
  const settled = async () => {
    await host.page().waitForFunction((el) => (el as { listSettled?: boolean } | null)?.listSettled !== false, await host.elementHandle());
  };
  /** What the box says in its list's error line. */
  /**
   * Waits until the list has loaded as the reader sees it (its comments, its empty line or its error),
   * the reader's own comments and the checks of them included; false when the box has no list.
   */
  const listLoaded = async (): Promise<boolean> => {
    await reach();
    // The list, its empty line, its error ("could not load"): whichever the reader sees; or the box
    // without them, when the list is off.
    const listParts = '[part~="list"], [part~="empty"], [part~="list-error"]';
    await rendered();
    // The property, not the attribute: a framework sets `list` as a property. Read once the box has
    // rendered, when one set before the element's code loaded has been taken in.
    if (await host.evaluate((el) => (el as HTMLElement & { list?: string }).list === 'off')) return false;
    await host.locator(listParts).first().waitFor();
    // The list is aria-busy until its load is whole: a first page shown at once is followed by the
    // reader's own comments (read from the browser's storage), which a reload must show too.
    const busy = listParts.split(', ').map((part) => `[aria-busy="true"] ${part}`).join(', ');
    await host.locator(busy).first().waitFor({ state: 'detached' });
    // Then the checks of the reader's own copies (`GET {endpoint}/{id}`), which are not waited for by
    // the list (a copy a moderator rejected goes, one published is marked so). A box that does not say
    // (a stand-in, an older build) is taken as settled.
    await settled();
    return true;
  };
  const listErrorSays = async () => (await listError.first().innerText()).trim();

  return {
    host,
    reach,
    nameField,
    contentField,
    sendButton,
    clearButton,
    captchaCheckbox,
    statusRegion,
    moreButton,
    async fill(values) {
      await reach();
      await rendered();
      if (values.name !== undefined) await nameField.fill(values.name);
      if (values.content !== undefined) await contentField.fill(values.content);
    },
    async solveCaptcha() {
      await reach();
      await rendered();
      // No captcha on this box (no site-key): said at once, not waited out to the test's timeout. The
      // property, not the attribute: a page's script or a framework sets `siteKey` as a property.
      if (!(await host.evaluate((el) => !!(el as HTMLElement & { siteKey?: string }).siteKey))) throw new Error('ykien(): solveCaptcha() on a box without a site-key: it has no captcha');
      // hCaptcha is loaded only when the reader comes to the form: nothing there yet, so come to it as a
      // reader does (focus in its first field), then wait for the checkbox, or for the box to say that
      // hCaptcha's script did not load.
      if ((await captchaSlot.count()) === 0) await nameField.focus();
      // hCaptcha's own widget (an iframe) is not the fake's checkbox: said, not waited out.
      const realFrame = host.locator('h-captcha iframe');
      await captchaCheckbox.or(captchaKept).or(statusRegion.filter({ hasText: LABELS.captchaNotLoaded })).or(realFrame).first().waitFor();
      if ((await realFrame.count()) && !(await captchaCheckbox.count())) {
        throw new Error("ykien(): solveCaptcha(): hCaptcha's own widget loaded, which a test cannot solve: call fakeHcaptcha(page) (with the site's captcha-jsapi as `jsapi`, if it sets one) before the page loads");
      }
      // The box moved in the page with a fresh token, and says the reader is verified: solved already.
      if (await captchaKept.count()) return;
      if ((await captchaCheckbox.count()) === 0) throw new Error(`ykien(): the captcha could not be used: ${((await statusRegion.textContent()) ?? '').trim()}`);
      // Solved already: clicking again would ask for a second token while the first still counts.
      if ((await captchaCheckbox.getAttribute('aria-checked')) === 'true') return;
      // A token for an unsent comment ("Verify to send") is handed over at once and the box reset in the
      // same moment: it is never seen checked. The token event says it was solved all the same, and the
      // error event that the challenge failed. The element listened to is the one waited on (taken
      // before the click).
      const widget = await host.locator('h-captcha').first().elementHandle();
      await widget!.evaluate((el) => {
        const w = el as HTMLElement & { __ykienSolved?: boolean; __ykienFailed?: string };
        w.__ykienSolved = false;
        w.__ykienFailed = '';
        el.addEventListener('verified', () => (w.__ykienSolved = true), { once: true });
        el.addEventListener('error', (e) => (w.__ykienFailed = String((e as Event & { error?: unknown }).error ?? 'error')), { once: true });
      });
      await captchaCheckbox.click();
      const failed = await page.waitForFunction((el) => {
        const w = el as (HTMLElement & { __ykienSolved?: boolean; __ykienFailed?: string }) | null;
        return !w || w.__ykienSolved || !!w.querySelector('[role="checkbox"][aria-checked="true"]') ? 'no' : w.__ykienFailed || '';
      }, widget);
      const error = await failed.jsonValue();
      if (error !== 'no') throw new Error(`ykien(): the captcha challenge failed: ${error}`);
    },
    // Pressed as a reader can press it while a send is under way (aria-disabled, not disabled: a second
    // press sends nothing more), which Playwright would otherwise wait out as a disabled button.
    send: async () => (await reach(), sendButton.click({ force: (await sendButton.getAttribute('aria-disabled')) === 'true' })),
    clear: async () => (await reach(), clearButton.click()),
    async status() {
      // (Reached first, as the other methods: with the one-tag embed the box's code comes only then, and
      // its status line with it; read on a page far above the box, it would wait out the test.)
      await reach();
      await rendered();
      return ((await statusRegion.textContent()) ?? '').trim();
    },
    async fieldError(field) {
      // Read from the form as drawn: before the box's code came (by need), no field says no error yet.
      await reach();
      await rendered();
      const target = field === 'name' ? nameField : field === 'content' ? contentField : captchaGroup;
      if ((await target.count()) === 0) {
        // No captcha on a box without a site-key (or not yet loaded): no error there.
        if (field === 'captcha') return '';
        throw new Error(`ykien(): fieldError('${field}'): the box shows no such field`);
      }
      return describedError(target);
    },
    async comments() {
      if (!(await listLoaded())) return [];
      // Could not load: not "no comments", which a check for an article without any would take it for;
      // nor only the reader's own copies, shown above a list that failed. (Its "Try again" button says the
      // list failed; a failed "Load more" keeps what it had, without one.)
      const failed = host.locator('[part~="list-error"]');
      if ((await failed.locator('button').count()) > 0) {
        throw new Error(`comments(): the list could not load; the box says "${(await failed.locator('p').first().innerText()).trim()}"`);
      }
      return articles.evaluateAll((nodes) =>
        nodes.map((a) => {
          const text = (sel: string) => (a.querySelector(sel) as HTMLElement | null)?.innerText.trim() ?? '';
          // The reply's text, without its heading (the "board's reply" label).
          const box = a.querySelector('[part~="comment-reply"]') as HTMLElement | null;
          const reply = (box?.querySelector(':scope > :not(.reply-label)') as HTMLElement | null) ?? box;
          return {
            name: text('[part~="comment-name"]'),
            date: a.querySelector('time[part~="comment-date"]')?.getAttribute('datetime') ?? '',
            content: text('[part~="comment-content"]'),
            pending: !!a.querySelector('[part~="comment-pending"]'),
            ...(reply ? { reply: reply.innerText.trim() } : {}),
          };
        }),
      );
    },
    async unsent() {
      await reach();
      // Its code in (it comes by need, after a reload too): before that the box has no endpoint to read
      // its comments by, and shows none, which would read as "none kept".
      await rendered();
      // As many shown as the browser keeps for the box's endpoint (read in the page, as the box reads
      // them; none when there is no database yet), both at one moment: a comment sent meanwhile leaves both.
      await host.evaluate(async (el, where) => {
        const held = () =>
          new Promise<number>((resolve) => {
            const open = indexedDB.open(where.db);
            let none = false;
            open.onupgradeneeded = () => ((none = true), open.transaction!.abort());
            open.onerror = () => resolve(none ? 0 : -1);
            open.onsuccess = () => {
              const db = open.result;
              try {
                const q = db.transaction(where.store).objectStore(where.store).getAll(IDBKeyRange.bound(where.outboxPrefix, `${where.outboxPrefix.slice(0, -1)};`, false, true));
                // The endpoint as requests go to it: a page that wrote it another way (a path, a trailing slash) shares the unsent.
                const key = (e?: string) => (e === undefined ? e : new URL(e.replace(/\/+$/, ''), document.baseURI).href);
                const mine = key((el as HTMLElement & { endpoint?: string }).endpoint);
                q.onsuccess = () => resolve(q.result.filter((i: { endpoint?: string; state?: string }) => key(i.endpoint) === mine && i.state !== 'sent').length);
                q.onerror = () => resolve(-1);
              } catch {
                resolve(-1);
              } finally {
                db.close();
              }
            };
          });
        const deadline = Date.now() + 15_000;
        for (;;) {
          const want = await held();
          const shown = el.shadowRoot?.querySelectorAll('[part~="outbox"] li').length ?? 0;
          // -1: the browser would not say (no IndexedDB here): what is shown is all there is.
          if (want < 0 || want === shown) return;
          if (Date.now() > deadline) throw new Error(`ykien: the box shows ${shown} unsent comments of the ${want} it keeps`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }, WIDGET_STORAGE);
      const items = host.locator('[part~="outbox"] li');
      return items.evaluateAll((nodes) =>
        nodes.map((li) => {
          const link = li.querySelector('a');
          return {
            content: (li.querySelector('p') as HTMLElement | null)?.innerText.trim() ?? '',
            state: (li.querySelector('small') as HTMLElement | null)?.innerText.trim() ?? '',
            ...(link ? { article: link.textContent?.trim() ?? '' } : {}),
          };
        }),
      );
    },
    async loadMore() {
      // The first page shown (and settled) before counting: pressed at once after the page opened, a
      // count of none would take the first page for more.
      if (!(await listLoaded())) throw new Error('loadMore(): the box shows no list (list="off")');
      // The first page itself failed: its retry button is there, no "Load more" to press.
      if ((await moreButton.count()) === 0 && (await listError.count())) {
        throw new Error(`loadMore(): the list could not load; the box says "${await listErrorSays()}"`);
      }
      // Said now, not as a wait for a button that will not come (a test's whole timeout, then "timed out").
      if ((await moreButton.count()) === 0) throw new Error('loadMore(): there is no "Load more": the list shows every comment');
      const before = await articles.count();
      await moreButton.click();
      const noMoreButton = host.filter({ hasNot: page.locator('button[part~="more"]') });
      // Until the box says its "Load more" is over: a page may bring nothing new and still have a next one
      // (its comments all shown already, the pages moved by new ones), which nothing else would tell.
      const says = await host.evaluate((el) => 'listSettled' in el);
      if (says) await settled();
      // A page that failed leaves the button (for another try) and says so: an answer too.
      else await articles.nth(before).or(noMoreButton).or(listError).first().waitFor();
      if ((await articles.count()) <= before && (await listError.count())) {
        throw new Error(`loadMore(): no more comments came; the box says "${await listErrorSays()}"`);
      }
    },
  };
}
