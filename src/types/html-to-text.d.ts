/** The part of html-to-text (10.x, ships no types) the e-mail interface uses. */
declare module 'html-to-text' {
  export interface HtmlToTextOptions {
    wordwrap?: number | false | null;
    selectors?: Array<Record<string, unknown>>;
  }
  export function convert(html: string, options?: HtmlToTextOptions): string;
}
