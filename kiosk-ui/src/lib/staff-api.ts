/** Staff pages talk to the server they were served from; the session is an HttpOnly cookie. */
import type { StaffRole } from '@kiosk/protocol';

export interface StaffUser {
  username: string;
  role: StaffRole;
}

export async function api<T>(
  path: string,
  init: RequestInit = {},
): Promise<{ ok: true; value: T } | { ok: false; status: number; code: string }> {
  try {
    const res = await fetch(path, {
      credentials: 'same-origin',
      ...init,
      headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
    });
    const body = (await res.json().catch(() => ({}))) as { ok?: boolean; value?: T; error?: { code?: string } };
    if (res.ok && body.ok) return { ok: true, value: body.value as T };
    return { ok: false, status: res.status, code: body.error?.code ?? 'http-error' };
  } catch {
    return { ok: false, status: 0, code: 'network-error' };
  }
}

export const login = (username: string, password: string) =>
  api<{ user: StaffUser }>('/api/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) });
export const me = () => api<StaffUser>('/api/auth/me');
export const logout = () => api<null>('/api/auth/logout', { method: 'POST' });
