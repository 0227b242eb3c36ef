/**
 * The language of a page: the one the person chose (the wallet's switch), else the first
 * of the browser's Accept-Language we have, German or English (the default).
 */
import { en, type Strings } from './strings-en.js';
import { de } from './strings-de.js';

const LANGUAGES: ReadonlyMap<string, Strings> = new Map([['en', en], ['de', de]]);

/** The languages pages are offered in, by code. */
export const LANGUAGE_CODES: readonly string[] = [...LANGUAGES.keys()];

export function stringsFor(acceptLanguage: string | undefined, chosen?: string): Strings {
  const picked = chosen === undefined ? undefined : LANGUAGES.get(chosen);
  if (picked) return picked;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .slice(0, 32)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((l) => l.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const l of ranked) {
    const s = LANGUAGES.get(l.lang);
    if (s) return s;
  }
  return en;
}
