/**
 * The reader's language and its words: the tables are in strings/ (one chunk per language and part),
 * placeholders in braces (`{max}`) are filled by `format`. A site owner overrides any string with the element's
 * `strings` property.
 */
import type { ReadingStrings } from './strings/vi.js';
import type { SendingStrings } from './strings/vi-sending.js';

/** Every word of the comment box; a site owner may override any of them. */
export type Strings = ReadingStrings & SendingStrings;
export type StringKey = keyof Strings;
export type Lang = 'vi' | 'en';
/** `reading`: the box as shown (heading, form, list); `sending`: the checks, outcomes and unsent comments. */
export type Part = 'reading' | 'sending';

/**
 * The first language given decides: `vi-VN` → `vi`; one we have no table for gets English (a French
 * page reads English better than Vietnamese); none at all gets Vietnamese, the product's home language.
 */
export function resolveLang(...candidates: (string | null | undefined)[]): Lang {
  const c = candidates.find((c) => c);
  return !c ? 'vi' : /^\s*vi(?![a-z])/i.test(c) ? 'vi' : 'en';
}

/**
 * An element's language: its own `lang`, else the closest ancestor's, else Vietnamese. Its own is read
 * as the property (the built-in one, which reads the attribute: "" without it).
 */
export const langOf = (el: HTMLElement): Lang => resolveLang(el.lang, pageLangOf(el));

/**
 * The `lang` an element is in without its own: the closest ancestor's, as written (undefined: none),
 * across shadow roots (a box inside an app's component takes the page's language).
 */
export function pageLangOf(el: Element): string | undefined {
  for (let n: Element | null = el; (n = n.parentElement ?? (n.getRootNode() as Partial<ShadowRoot>).host ?? null); ) {
    if (n.hasAttribute('lang')) return n.getAttribute('lang')!;
  }
}

const tables: Partial<Record<`${Lang} ${Part}`, Partial<Strings>>> = {};

/** Each table is its own chunk: a Vietnamese page never downloads the English words, nor a reader who only reads the sending ones. */
const sources: Record<`${Lang} ${Part}`, () => Promise<Partial<Strings>>> = {
  'vi reading': async () => (await import('./strings/vi.js')).vi,
  'en reading': async () => (await import('./strings/en.js')).en,
  'vi sending': async () => (await import('./strings/vi-sending.js')).viSending,
  'en sending': async () => (await import('./strings/en-sending.js')).enSending,
};

/** Loads a part of a language's words, once (the single-file build inlines them all). */
export async function loadStrings(lang: Lang, part: Part = 'reading'): Promise<void> {
  tables[`${lang} ${part}`] ??= await sources[`${lang} ${part}`]();
}

export const hasStrings = (lang: Lang, part: Part = 'reading'): boolean => !!tables[`${lang} ${part}`];

/**
 * A site owner's words: for every language (`{send: 'Gửi ý kiến'}`), and per language
 * (`{vi: {send: 'Gửi ý kiến'}, en: {send: 'Send comment'}}`), which wins for its own.
 */
export type StringsOverride = Partial<Strings> & { vi?: Partial<Strings>; en?: Partial<Strings> };

/**
 * A site owner's words for `lang`: those for every language, with that language's own (`vi`, `en`) over
 * them. Only text: a word a CMS left `undefined` or `null` keeps ours (blank, a button lost its name,
 * and a message that is not text threw where it was said).
 */
export const overridesFor = <T extends object>(lang: Lang, overrides?: (Partial<T> & { vi?: Partial<T>; en?: Partial<T> }) | null): Partial<T> => {
  const { vi, en, ...all } = overrides ?? {};
  const words = (o?: object | null) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => typeof v == 'string'));
  return { ...words(all), ...words(lang == 'vi' ? vi : en) } as Partial<T>;
};

/** The words of a language loaded so far (`loadStrings`), with a site owner's overrides. */
export const stringsFor = (lang: Lang, overrides?: StringsOverride | null): Strings =>
  ({ ...tables[`${lang} reading`], ...tables[`${lang} sending`], ...overridesFor<Strings>(lang, overrides) }) as Strings;

/**
 * Fills `{name}` placeholders; unknown placeholders are left as they are so a typo shows. With `lang`,
 * numbers are written as that language writes them ("2.000" / "2,000"), as the heading's count is.
 */
export const format = (template: string, params: Record<string, string | number> = {}, lang?: Lang): string =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => (lang ? (params[k] ?? m).toLocaleString(lang) : String(params[k] ?? m)));
