/** Which language a page is in: the `lang` cookie (set by the switch), else the browser's Accept-Language. */
import { en, type Strings } from './en.js';
import { de } from './de.js';

export type { Strings };
export const LANGUAGES: Readonly<Record<string, Strings>> = Object.freeze({ en, de });
export const LANGUAGE_COOKIE = 'suite_lang';

/** The first supported language in Accept-Language order of preference (q values); English otherwise. */
export function pickLanguage(cookie: string | undefined, acceptLanguage: string | undefined): Strings {
  if (cookie && LANGUAGES[cookie]) return LANGUAGES[cookie]!;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { primary: (tag ?? '').toLowerCase().split('-')[0]!, q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0 && LANGUAGES[entry.primary])
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.length > 0 ? LANGUAGES[ranked[0]!.primary]! : en;
}
