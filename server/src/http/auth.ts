/** Staff sessions travel as a cookie, or as a bearer token for API clients. */
export const SESSION_COOKIE = 'kiosk_sid';

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** The session token from the cookie or an `Authorization: Bearer` header. */
export function tokenOf(headers: {
  cookie?: string | undefined;
  authorization?: string | undefined;
}): string | undefined {
  const bearer = headers.authorization?.match(/^Bearer\s+(\S+)$/u)?.[1];
  return bearer ?? readCookie(headers.cookie, SESSION_COOKIE);
}
