/**
 * The ticket's QR: its status page's URL under the server's public URL, else `TK:<lookupCode>`.
 * No zod here: the kiosk page's bundle takes these helpers without the schemas.
 */

/**
 * A public URL and a ticket's status URL at most: the screen's QR encoder and the printers' native
 * QR go up to 213 bytes (version 10, level M); a shorter payload keeps the QR's modules large.
 */
export const PUBLIC_URL_MAX_CHARS = 120;
export const STATUS_URL_MAX_CHARS = 200;

/** The ticket QR's payload where the server has no public URL (read by the counter's and the kiosk's scanners). */
export const TICKET_QR_PREFIX = 'TK:';

/**
 * What the ticket's QR carries, on screen and on paper: its status page's URL (a phone's camera
 * opens it), else `TK:<lookupCode>`.
 */
export const ticketQrPayload = (ticket: { lookupCode: string; statusUrl?: string | undefined }): string =>
  ticket.statusUrl ?? `${TICKET_QR_PREFIX}${ticket.lookupCode}`;

/**
 * The server's public base URL for patients' phones as a canonical origin (`http(s)://host[:port]`,
 * lower-case host, no default port, no trailing slash), or undefined when the text is not one: a
 * path, query, fragment or credentials are refused, not dropped. Short enough that
 * `<origin>/t/<code>` stays within STATUS_URL_MAX_CHARS.
 */
export function publicBaseUrlOf(text: string): string | undefined {
  if (text.length > PUBLIC_URL_MAX_CHARS) return undefined;
  const m = PUBLIC_URL.exec(text);
  if (!m) return undefined;
  const scheme = (m[1] ?? '').toLowerCase();
  const host = (m[2] ?? '').toLowerCase();
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const defaultPort = scheme === 'https' ? 443 : 80;
  return `${scheme}://${host}${port === undefined || port === defaultPort ? '' : `:${port}`}`;
}
const PUBLIC_URL =
  /^(https?):\/\/([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?\/?$/iu;

/** The status page's URL of a ticket under a public base URL (from publicBaseUrlOf). */
export const ticketStatusUrl = (publicUrl: string, lookupCode: string): string =>
  `${publicUrl}/t/${encodeURIComponent(lookupCode)}`;
