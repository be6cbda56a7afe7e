/**
 * The kiosk's languages in the facility configuration: the public list the kiosk page reads, the
 * admin's settings, and service and department names in a further language carried with the
 * service list the kiosks hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskLanguageSettings, KioskLanguages, ServiceInfo } from '@kiosk/protocol';
import { api, login, startServer, type RunningServer } from '../support/server-harness';

describe('kiosk languages', () => {
  let server: RunningServer;
  let admin: string;

  beforeAll(async () => {
    server = await startServer();
    admin = await login(server.url, 'admin', 'admin-demo');
  });
  afterAll(() => server?.stop());

  it('the demo facility offers Vietnamese, English and Khmer, with Khmer service names', async () => {
    const pub = await api<KioskLanguages>(server.url, undefined, 'GET', '/api/kiosk/languages');
    expect(pub.status).toBe(200);
    expect(pub.body.value).toEqual({ languages: ['vi', 'en', 'km'], spokenGuidance: false });
    const services = await server.app.services.facility.listServices();
    const general = services.find((s) => s.id === 'noi-tong-quat');
    expect(general?.name).toEqual({ vi: 'Khám Nội tổng quát', en: 'General internal medicine', km: 'ពិនិត្យជំងឺទូទៅ' });
    expect(general?.department.km).toBe('ផ្នែកពិនិត្យជំងឺ');
  });

  it('an admin changes the languages, spoken guidance and names; nonsense is refused', async () => {
    const settings: KioskLanguageSettings = {
      languages: ['vi', 'km'],
      spokenGuidance: true,
      names: { km: { services: { 'nhi-khoa': 'កុមារ' }, departments: {} } },
    };
    expect((await api(server.url, undefined, 'PUT', '/api/admin/settings/languages', settings)).status).toBe(401);
    expect((await api(server.url, admin, 'PUT', '/api/admin/settings/languages', settings)).status).toBe(200);
    const pub = await api<KioskLanguages>(server.url, undefined, 'GET', '/api/kiosk/languages');
    expect(pub.body.value).toEqual({ languages: ['vi', 'km'], spokenGuidance: true });
    const back = await api<KioskLanguageSettings>(server.url, admin, 'GET', '/api/admin/settings/languages');
    expect(back.body.value).toEqual(settings);
    const services: ServiceInfo[] = await server.app.services.facility.listServices();
    expect(services.find((s) => s.id === 'nhi-khoa')?.name.km).toBe('កុមារ');
    // A service without a Khmer name has none: the kiosk falls back to Vietnamese.
    expect(services.find((s) => s.id === 'noi-tong-quat')?.name.km).toBeUndefined();

    for (const bad of [
      { ...settings, languages: ['en', 'vi'] },
      { ...settings, languages: ['vi', 'vi'] },
      { ...settings, languages: ['vi', 'Khmer'] },
      { ...settings, spokenGuidance: 'yes' },
    ])
      expect((await api(server.url, admin, 'PUT', '/api/admin/settings/languages', bad)).status).toBe(400);
  });
});
