/**
 * Masking for personal data. Logs never carry ID numbers, names, MRZ or raw QR payloads;
 * screens show masked IDs. Browser-safe.
 */

/** `079188012345` → `0791****2345`; short values keep at most their last 2 characters. */
export function maskId(value: string): string {
  const v = value.trim();
  if (v.length >= 10) return `${v.slice(0, 4)}${'*'.repeat(v.length - 8)}${v.slice(-4)}`;
  if (v.length <= 2) return '*'.repeat(v.length);
  return `${'*'.repeat(v.length - 2)}${v.slice(-2)}`;
}

/** `Nguyễn Thị Lan` → `N. T. Lan`: given name kept, family and middle names reduced to initials. */
export function maskName(fullName: string): string {
  const parts = fullName.trim().split(/\s+/u).filter(Boolean);
  if (parts.length <= 1) return parts[0] ? `${[...parts[0]][0] ?? ''}.` : '';
  const last = parts[parts.length - 1] ?? '';
  return [...parts.slice(0, -1).map((p) => `${[...p][0] ?? ''}.`), last].join(' ');
}

/** A raw scanned payload in a log: its length and kind only. */
export function describePayload(payload: string): string {
  return `<${payload.length} chars>`;
}
