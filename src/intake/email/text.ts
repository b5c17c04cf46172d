/**
 * The text of an e-mail as the SMS or WhatsApp message carries it: the text/plain part, else the
 * HTML part turned into text (html-to-text); quoted replies and the signature after a `-- ` line
 * cut; the subject only when the body is empty. Pure.
 */
import { convert } from 'html-to-text';

export interface MailContent {
  /** The text/plain part, if there is one. */
  text?: string;
  /** The HTML part, if there is one. */
  html?: string | false;
  subject?: string;
}

/** Lines that start a quoted earlier message: everything from there on is cut. */
const QUOTE_HEADERS = [
  /^On .{1,200} wrote:\s*$/i, // Gmail, Apple Mail, Thunderbird
  /^Am .{1,200} schrieb .{1,200}:\s*$/i, // German clients
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Forwarded message)\s*-{2,}\s*$/i, // Outlook
  /^_{10,}\s*$/, // Outlook's rule above "From: ... Sent: ..."
  /^(From|Von): .+$/, // Outlook without the rule; only when followed by Sent/Gesendet (checked below)
];

export function messageText(mail: MailContent): string {
  const body = mail.text !== undefined && mail.text.trim() !== '' ? mail.text : mail.html ? htmlText(mail.html) : '';
  const text = cutQuotesAndSignature(body);
  return text !== '' ? text : (mail.subject ?? '').trim();
}

export function htmlText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      // Quoted replies in HTML mail are blockquotes: dropped like "> " lines.
      { selector: 'blockquote', format: 'skip' },
    ],
  });
}

export function cutQuotesAndSignature(body: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '-- ' || line === '--') break; // RFC 3676 signature separator (some clients strip the space)
    if (/^\s*>/.test(line)) continue; // quoted line
    if (isQuoteHeader(line, lines[i + 1])) break;
    kept.push(line);
  }
  return kept.join('\n').replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim();
}

function isQuoteHeader(line: string, next: string | undefined): boolean {
  const trimmed = line.trim();
  for (const [i, pattern] of QUOTE_HEADERS.entries()) {
    if (!pattern.test(trimmed)) continue;
    if (i < QUOTE_HEADERS.length - 1) return true;
    return next !== undefined && /^(Sent|Gesendet|Date|Datum): /.test(next.trim());
  }
  return false;
}
