/** `1988-03-12` → `12/03/1988`; a year alone stays a year. */
export function formatDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return m && d ? `${d}/${m}/${y}` : (y ?? '');
}
