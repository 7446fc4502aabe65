/**
 * The box's words: which language it speaks (its own `lang`, else the closest ancestor's, else
 * Vietnamese), that language's tables loaded before the first render, however long the network takes,
 * and a change of language (the element's or the page's, as a bilingual single-page app does) told to
 * the box once the new tables are in (it speaks the old ones until then), so that what it said is said
 * again in the new one.
 */
import type { ReactiveController, ReactiveElement } from 'lit';
import { hasStrings, langOf, loadStrings, type Lang } from '../i18n.js';

export class WordsController implements ReactiveController {
  #host: ReactiveElement;
  #sending: () => boolean;
  #changed: () => void;
  /** The language of the last render. */
  #shown?: Lang;
  /** `<html lang>` is not an attribute of the element: watched while it is on the page. */
  #watch: MutationObserver;

  /** `sending`: whether the sending half is in, whose words are needed too; `changed`: the language changed since the last render. */
  constructor(host: ReactiveElement, sending: () => boolean, changed: () => void) {
    (this.#host = host).addController(this);
    this.#sending = sending;
    this.#changed = changed;
    this.#watch = new MutationObserver(() => this.#watched());
  }

  /**
   * Ends the pause between two tries now: the language changed, and its words may be in already; or the
   * browser is back online. Called while a try is on its way, it makes the next come at once if that
   * one fails (there is no pause yet to end).
   */
  wake(): void {
    if (this.#wake) this.#wake();
    else this.#wokenDuringTry = true;
  }

  #wokenDuringTry = false;

  #wake?: () => void;
  /** Ends the pause's timer and its wait for `online`, leaving the pause for `wake` to end (the box left the page). */
  #stop?: () => void;

  get language(): Lang {
    return langOf(this.#host);
  }

  /**
   * The language whose words to use now: the box's, else, while those are on their way, the last one
   * shown, so that what the reader does meanwhile (send pressed: "Vui lòng nhập nội dung") is said in
   * words, and made again in the new ones when they come.
   */
  get speaking(): Lang {
    return this.ready || !this.#shown ? this.language : this.#shown;
  }

  /** Both tables of the language spoken now are in: any message can be made of its words. */
  get speakingWhole(): boolean {
    return hasStrings(this.speaking) && hasStrings(this.speaking, 'sending');
  }

  /** The words of the box are in; with the sending half, its words too. */
  get ready(): boolean {
    const lang = this.language;
    return hasStrings(lang) && (!this.#sending() || hasStrings(lang, 'sending'));
  }

  /**
   * Resolves once the words of the language the box has *then* are in: the language may change while
   * they load (a bilingual app switching back and forth), so it is read again after each load. A failed
   * fetch (offline since the page came) is tried again when the browser is back online, else after a
   * while: giving up would end the element's updates for good. As the loader's tries of the box's code:
   * twelve timed ones, then one every quarter of an hour (a tab left open for hours on a file its server
   * lost must not ask for it twice a minute).
   */
  loaded(): Promise<void> {
    // One round of tries at a time, however many wait for it (each render, each handler).
    return (this.#loading ??= this.#load().finally(() => (this.#loading = undefined)));
  }

  #loading?: Promise<void>;

  async #load(): Promise<void> {
    for (let wait = 1000, tries = 0; !this.ready; ) {
      // Back online, or another language, while a try was failing (the fetch went before the network
      // came back): tried again at once, not after the pause that this wake came too early to end.
      this.#wokenDuringTry = false;
      const heard = () => this.wake();
      addEventListener('online', heard);
      try {
        const lang = this.language;
        await Promise.all([loadStrings(lang), this.#sending() && loadStrings(lang, 'sending')]);
      } catch {
        if (this.#wokenDuringTry && this.#host.isConnected) continue;
        removeEventListener('online', heard);
        const pause = ++tries < 12 ? wait : 900_000;
        await new Promise<void>((resume) => {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const stop = () => (clearTimeout(timer), removeEventListener('online', go), (this.#stop = undefined));
          const go = () => (stop(), (this.#wake = undefined), resume());
          this.#wake = go;
          // Out of the page already (removed while the fetch went): no timer, no listener; put back, woken.
          if (!this.#host.isConnected) return;
          timer = setTimeout(go, pause);
          addEventListener('online', go);
          this.#stop = stop;
        });
        wait = Math.min(2 * wait, 30_000);
      } finally {
        removeEventListener('online', heard);
      }
    }
  }

  /** Runs `fn` at once when the words are in, else once they are. */
  whenReady(fn: () => void): void {
    if (this.ready) fn();
    else this.loaded().then(fn);
  }

  hostConnected(): void {
    this.#watch.observe(document.documentElement, { attributeFilter: ['lang'] });
    // Back in the page while its words could not be fetched: tried again now (its timer went with it).
    this.wake();
    // Put back in the page (moved by a framework, under another `lang`, or after `<html lang>` changed
    // while it was out): nothing else renders it again, and it would speak the old language.
    if (this.#shown && this.language != this.#shown) this.#watched();
  }

  #watched = () => (this.wake(), this.#host.requestUpdate());

  hostDisconnected(): void {
    this.#watch.disconnect();
    // Out of the page, its words are not asked for again (nor is the box kept by a timer or a listener
    // of the window until the browser is online): put back, it asks at once.
    this.#stop?.();
  }

  hostUpdate(): void {
    // A render in the words spoken so far, the new language's on their way: not that language's yet.
    if (!this.ready) return;
    const lang = this.language;
    if (this.#shown && lang != this.#shown) this.#changed();
    this.#shown = lang;
  }
}
