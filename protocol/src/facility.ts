import { z } from 'zod';

/** A kiosk language: an ISO 639 code (`vi`, `en`, `km` …); each has a catalogue in kiosk-ui. */
export const languageCodeSchema = z.string().regex(/^[a-z]{2,3}$/u, 'expected an ISO 639 language code');
export type LanguageCode = z.infer<typeof languageCodeSchema>;

/**
 * A name in Vietnamese and English, and in any further language the facility names it in
 * (`{ vi, en, km }`); a language without its own name falls back to Vietnamese, as the signs do.
 */
export const localTextSchema = z.object({ vi: z.string(), en: z.string() }).catchall(z.string().max(200));
export type LocalText = z.infer<typeof localTextSchema>;

export const serviceInfoSchema = z.object({
  id: z.string().min(1).max(64),
  /** Ticket prefix, e.g. `A`. */
  prefix: z.string().regex(/^[A-Z]{1,3}$/u),
  name: localTextSchema,
  department: localTextSchema,
  room: z.string().max(32),
  floor: z.number().int(),
  waiting: z.number().int().nonnegative(),
  /** Estimated wait for a ticket taken now (waiting × the service's recent pace), whole minutes. */
  estimatedWaitMinutes: z.number().int().nonnegative().optional(),
});
export type ServiceInfo = z.infer<typeof serviceInfoSchema>;

const namesByIdSchema = z.record(z.string().min(1).max(64), z.string().trim().min(1).max(200));

/**
 * The kiosk's languages, part of the facility configuration: which catalogues the language switch
 * offers (Vietnamese first: every patient starts in it), whether each step's prompt is spoken
 * without a tap, and the service and department names in the languages beyond Vietnamese and
 * English (those two live with the catalogue rows).
 */
export const kioskLanguageSettingsSchema = z.object({
  languages: z
    .array(languageCodeSchema)
    .min(1)
    .max(8)
    .refine((l) => l[0] === 'vi' && new Set(l).size === l.length, { message: 'Vietnamese first, no repeats' }),
  spokenGuidance: z.boolean(),
  names: z
    .record(
      languageCodeSchema,
      z.object({ services: namesByIdSchema.default({}), departments: namesByIdSchema.default({}) }),
    )
    .default({}),
});
export type KioskLanguageSettings = z.infer<typeof kioskLanguageSettingsSchema>;

/** What the kiosk page is told (public: no names beyond the services it lists anyway). */
export const kioskLanguagesSchema = kioskLanguageSettingsSchema.pick({ languages: true, spokenGuidance: true });
export type KioskLanguages = z.infer<typeof kioskLanguagesSchema>;
