/**
 * The kiosk's languages in the facility configuration: which catalogues the kiosk's language
 * switch offers, whether it speaks each step's prompt unasked, and service and department names
 * in the languages beyond Vietnamese and English. The kiosk page reads the public part.
 */
import { kioskLanguageSettingsSchema, kioskLanguagesSchema, ok } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { ADMIN } from '../access';

export function registerLanguageRoutes(
  api: ApiRegistry,
  s: Services,
  hooks: { now: () => Date; servicesChanged: () => void },
): void {
  api.define(
    {
      method: 'GET',
      url: '/api/kiosk/languages',
      summary: "The kiosk's languages (Vietnamese first) and whether it speaks each step's prompt",
      tag: 'kiosk',
      access: 'public',
      response: kioskLanguagesSchema,
    },
    async () => ok(await s.facility.kioskLanguages()),
  );
  api.define(
    {
      method: 'GET',
      url: '/api/admin/settings/languages',
      summary: "The kiosk's languages, spoken guidance and names in further languages",
      tag: 'facility',
      access: ADMIN,
      response: kioskLanguageSettingsSchema,
    },
    async () => ok(await s.facility.languageSettings()),
  );
  api.define(
    {
      method: 'PUT',
      url: '/api/admin/settings/languages',
      summary: "Sets the kiosk's languages, spoken guidance and names in further languages",
      tag: 'facility',
      access: ADMIN,
      body: kioskLanguageSettingsSchema,
    },
    async ({ body, user }) => {
      const saved = await s.facility.saveLanguageSettings(body, hooks.now().toISOString());
      await s.auth.audit(user.username, 'language-settings-saved', null);
      hooks.servicesChanged();
      return ok(saved);
    },
  );
}
