/**
 * QRs of identity documents the kiosk recognises but cannot read (vietnam.md §2):
 * - VNeID (the national identity app): not publicly specified; the app's QR is verified online
 *   through the identity service. Recognised by a link to a vneid.gov.vn host or a `vneid:` /
 *   `VNEID` prefix (unconfirmed: the forms seen in public material).
 * - the 2024 căn cước's back QR: household data after the ID number, layout unconfirmed.
 *   Recognised as `|`-separated text whose first field is a 12-digit number and which has more
 *   fields than any 2021 CCCD QR (9 or more; 6–7 is the 2021 card, 8 its malformed variant).
 * Pure, bounded, never throws on any input.
 */
const VNEID_LINK = /^(?:https?:\/\/)?(?:[a-z0-9-]+\.)*vneid\.gov\.vn(?:[/?#:]|$)/iu;
const VNEID_PREFIX = /^vneid[:|/]/iu;
const ID_FIELD = /^\d{12}$/u;
export const CCCD_2024_MIN_FIELDS = 9;

export function looksLikeVneidQr(text: string): boolean {
  const head = text.slice(0, 256).trim();
  return VNEID_LINK.test(head) || VNEID_PREFIX.test(head);
}

export function looksLikeCccd2024Qr(text: string): boolean {
  const bar = text.indexOf('|');
  if (bar !== 12 || !ID_FIELD.test(text.slice(0, 12))) return false;
  let fields = 1;
  for (let i = 0; i < text.length && fields < CCCD_2024_MIN_FIELDS; i++) if (text.charCodeAt(i) === 0x7c) fields++;
  return fields >= CCCD_2024_MIN_FIELDS;
}
