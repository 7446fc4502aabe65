/**
 * The reader's language and its words: the tables are in strings/ (one chunk each), placeholders in
 * braces (`{max}`) are filled by `format`. A site owner overrides any string with the element's
 * `strings` property.
 */
import type { Strings } from './strings/vi.js';

export type { Strings };
export type StringKey = keyof Strings;
export type Lang = 'vi' | 'en';

/**
 * The first language given decides: `vi-VN` → `vi`; one we have no table for gets English (a French
 * page reads English better than Vietnamese); none at all gets Vietnamese, the product's home language.
 */
export function resolveLang(...candidates: (string | null | undefined)[]): Lang {
  const c = candidates.find((c) => c);
  return !c ? 'vi' : /^\s*vi(?![a-z])/i.test(c) ? 'vi' : 'en';
}

const tables: Partial<Record<Lang, Strings>> = {};

/**
 * Loads a language's table, once. Each language is its own chunk, so a Vietnamese page never downloads
 * the English words and the other way round; the single-file build inlines both.
 */
export async function loadStrings(lang: Lang): Promise<Strings> {
  return (tables[lang] ??= lang == 'vi' ? (await import('./strings/vi.js')).vi : (await import('./strings/en.js')).en);
}

export const hasStrings = (lang: Lang): boolean => !!tables[lang];

/** The table of a language already loaded (`loadStrings`), with a site owner's overrides. */
export const stringsFor = (lang: Lang, overrides?: Partial<Strings> | null): Strings => ({ ...tables[lang]!, ...overrides });

/** Fills `{name}` placeholders; unknown placeholders are left as they are so a typo shows. */
export const format = (template: string, params: Record<string, string | number> = {}): string =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => String(params[k] ?? m));
