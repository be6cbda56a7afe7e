/**
 * The kiosk's look set by an admin (Admin → Giao diện ki-ốt): the hospital's name in Vietnamese
 * and English, the primary colour (white text on it reads at 4.5:1 or better) and the logo (a
 * PNG, or an SVG with nothing but drawing, bounded in size), served to kiosk pages with their
 * configuration. Refusals carry a code the admin page translates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGO_MAX_BYTES, type KioskBranding, type KioskConfig } from '@kiosk/protocol';
import { api, login, startServer, type RunningServer } from '../support/server-harness';

const svg = (body: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48">${body}</svg>`);
const b64 = (bytes: Buffer) => bytes.toString('base64');
/** A 1×1 PNG. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const look: KioskBranding = {
  hospitalName: { vi: 'Bệnh viện Đa khoa Cần Thơ', en: 'Can Tho General Hospital' },
  primaryColor: '#1D4ED8',
  logo: { mime: 'image/svg+xml', dataBase64: b64(svg('<circle cx="24" cy="24" r="20" fill="#1d4ed8"/>')) },
};

describe('kiosk look', () => {
  let server: RunningServer;
  let admin: string;
  let reception: string;

  beforeAll(async () => {
    server = await startServer();
    admin = await login(server.url, 'admin', 'admin-demo');
    reception = await login(server.url, 'tiepdon', 'tiepdon-demo');
  });
  afterAll(() => server?.stop());

  it('nothing set: the admin reads an empty look and the kiosk keeps the facility configuration', async () => {
    const got = await api<KioskBranding>(server.url, admin, 'GET', '/api/admin/settings/kiosk-look');
    expect(got.status).toBe(200);
    expect(got.body.value).toEqual({ hospitalName: { vi: '', en: '' }, primaryColor: '', logo: null });
    const config = await api<KioskConfig>(server.url, undefined, 'GET', '/api/kiosk/config');
    expect(config.body.value?.logoUrl).toBeUndefined();
    expect(config.body.value?.hospitalNameEn).toBeUndefined();
  });

  it('an admin sets name, colour and logo; the kiosk configuration carries them', async () => {
    const put = await api<KioskBranding>(server.url, admin, 'PUT', '/api/admin/settings/kiosk-look', look);
    expect(put.status).toBe(200);
    expect(put.body.value?.primaryColor).toBe('#1d4ed8');
    const back = await api<KioskBranding>(server.url, admin, 'GET', '/api/admin/settings/kiosk-look');
    expect(back.body.value).toEqual({ ...look, primaryColor: '#1d4ed8' });
    const config = await api<KioskConfig>(server.url, undefined, 'GET', '/api/kiosk/config');
    expect(config.body.value).toMatchObject({
      hospitalName: 'Bệnh viện Đa khoa Cần Thơ',
      hospitalNameEn: 'Can Tho General Hospital',
      accentColor: '#1d4ed8',
      logoUrl: `data:image/svg+xml;base64,${look.logo?.dataBase64}`,
    });
    // A PNG logo is taken as well.
    const withPng = { ...look, logo: { mime: 'image/png' as const, dataBase64: b64(png) } };
    expect((await api(server.url, admin, 'PUT', '/api/admin/settings/kiosk-look', withPng)).status).toBe(200);
  });

  it('refuses a colour white text does not read on, and unsafe, false or oversized logos, with a code', async () => {
    const refusal = async (body: unknown) => {
      const r = await api(server.url, admin, 'PUT', '/api/admin/settings/kiosk-look', body);
      return { status: r.status, code: r.body.error?.code ?? null };
    };
    expect(await refusal({ ...look, primaryColor: '#ffd400' })).toEqual({ status: 400, code: 'color-contrast-low' });
    expect(await refusal({ ...look, primaryColor: '#1d4ed' })).toEqual({ status: 400, code: 'validation-failed' });
    expect(await refusal({ ...look, primaryColor: 'blue' })).toEqual({ status: 400, code: 'validation-failed' });
    for (const body of [
      '<script>alert(1)</script>',
      '<rect width="4" height="4" onload="alert(1)"/>',
      '<a href="javascript:alert(1)"><rect width="4" height="4"/></a>',
      '<image href="https://example.com/x.png"/>',
      '<foreignObject><div>x</div></foreignObject>',
      '<style>@import url(https://example.com/x.css);</style>',
    ])
      expect(await refusal({ ...look, logo: { mime: 'image/svg+xml', dataBase64: b64(svg(body)) } })).toEqual({
        status: 400,
        code: 'logo-svg-unsafe',
      });
    expect(await refusal({ ...look, logo: { mime: 'image/png', dataBase64: b64(svg('')) } })).toEqual({
      status: 400,
      code: 'logo-not-png',
    });
    const big = Buffer.concat([png, Buffer.alloc(LOGO_MAX_BYTES)]);
    expect((await refusal({ ...look, logo: { mime: 'image/png', dataBase64: b64(big) } })).status).toBe(400);
    // Nothing refused was stored: the last good look stands.
    const config = await api<KioskConfig>(server.url, undefined, 'GET', '/api/kiosk/config');
    expect(config.body.value?.accentColor).toBe('#1d4ed8');
  });

  it('only an admin reads or sets it', async () => {
    expect((await api(server.url, reception, 'GET', '/api/admin/settings/kiosk-look')).status).toBe(403);
    expect((await api(server.url, reception, 'PUT', '/api/admin/settings/kiosk-look', look)).status).toBe(403);
    expect((await api(server.url, undefined, 'PUT', '/api/admin/settings/kiosk-look', look)).status).toBe(401);
  });
});
