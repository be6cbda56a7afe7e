/**
 * Contracts the kiosk page needs from its local agent beyond QR scans and check-in: chip-read
 * progress, the chip's identity, face and authenticity, the insurance (BHYT) eligibility result in
 * a form the page can put in plain words, and the agent's feature list so the page only offers
 * what the agent can do. Browser-safe: zod only.
 */
import { z } from 'zod';
import { identitySchema, partialDateSchema } from './identity';

// ---- chip card (CCCD, ICAO 9303) ----------------------------------------------------------------

/** Where a chip read is: the page shows a progress bar and the step in words. */
export const cardReadStepSchema = z.enum([
  /** A card is on the reader and the patient consented: the read starts. */
  'detected',
  /** PACE or BAC key agreement. */
  'authenticating',
  /** DG1 and DG13. */
  'reading-identity',
  /** DG2. */
  'reading-face',
  /** Passive authentication (EF.SOD hashes and signature). */
  'verifying',
]);
export type CardReadStep = z.infer<typeof cardReadStepSchema>;

export const cardProgressSchema = z.object({
  /** One id per card presentation; every later card event of the same read carries it. */
  readId: z.string().min(1).max(64),
  step: cardReadStepSchema,
  /** 0–100, monotonic within a read. */
  percent: z.number().min(0).max(100),
  /** Bytes read from the chip so far, and the total of the files opened so far (grows as files open). */
  bytesRead: z.number().int().nonnegative().optional(),
  bytesTotal: z.number().int().nonnegative().optional(),
});
export type CardProgress = z.infer<typeof cardProgressSchema>;

/**
 * A card entered the reader's field. Nothing has been read from it: the agent waits for the
 * patient's consent (`card:read`) before it opens the chip (vietnam.md §6). The readId names this
 * presentation; the read it starts, if any, carries the same one.
 */
export const cardPresentSchema = z.object({ readId: z.string().min(1).max(64) });
export type CardPresent = z.infer<typeof cardPresentSchema>;

/**
 * The patient read the privacy notice and agreed: read the card of this presentation. Without
 * `consent: true`, or for a card no longer on the reader, the agent refuses and reads nothing.
 */
export const cardReadCommandSchema = z.object({
  readId: z.string().min(1).max(64),
  consent: z.literal(true),
});
export type CardReadCommand = z.infer<typeof cardReadCommandSchema>;

/** Passive authentication of the chip data: is the data what the issuing state signed? */
export const cardAuthenticitySchema = z.object({
  /** EF.SOD signature over the data-group hashes and the hashes of the groups read. */
  passive: z.enum(['valid', 'invalid', 'not-checked']),
  /** Whether the document signer chains to a trusted CSCA certificate. */
  signer: z.enum(['trusted', 'untrusted', 'unknown']).default('unknown'),
  /** Machine code when not valid: 'hash-mismatch', 'bad-signature', 'no-sod' … */
  reason: z.string().max(64).optional(),
  /**
   * Passive authentication in full: verified up to a trusted CSCA, signed but no trust anchor
   * configured, failed (hash or signature), or unavailable (no readable EF.SOD).
   */
  pa: z.enum(['verified', 'no-trust-anchor', 'failed', 'unavailable']).optional(),
  /** Chip authentication (DG14): the chip proved it holds the key EF.SOD vouches for. */
  ca: z.enum(['verified', 'not-supported', 'failed']).optional(),
  /** Active authentication (DG15): the chip signed a challenge with the key EF.SOD vouches for. */
  aa: z.enum(['verified', 'not-supported', 'failed']).optional(),
  /** How the chip was opened: PACE with the CAN or the MRZ, or BAC. */
  access: z.enum(['pace-can', 'pace-mrz', 'bac']).optional(),
  /**
   * False when the identity was read but cannot be tied to a signed chip and its face (no readable
   * EF.SOD, no readable DG2): an unverified identity, to be treated as a QR identity is.
   */
  verified: z.boolean().optional(),
  /** Why the identity is unverified, for staff: 'no-sod', 'sod-unreadable', 'no-face' … (no personal data). */
  unverifiedReasons: z.array(z.string().max(64)).max(8).optional(),
});
export type CardAuthenticity = z.infer<typeof cardAuthenticitySchema>;

export const cardIdentitySchema = z.object({
  readId: z.string().min(1).max(64),
  identity: identitySchema,
  authenticity: cardAuthenticitySchema,
});
export type CardIdentity = z.infer<typeof cardIdentitySchema>;

/** DG2's face, for the screen only: never stored, never logged, dropped on session reset. */
export const cardFaceSchema = z.object({
  readId: z.string().min(1).max(64),
  /** Browsers cannot show JPEG 2000: the agent converts it to JPEG or PNG first. */
  mime: z.enum(['image/jpeg', 'image/png']),
  dataBase64: z.string().max(400_000),
});
export type CardFace = z.infer<typeof cardFaceSchema>;

export const cardFailureCodeSchema = z.enum([
  'card-removed',
  'access-denied',
  'read-error',
  'unsupported-card',
  'reader-error',
  /** Passive authentication failed: the chip's data does not match its signature. */
  'not-authentic',
  /**
   * Chip or active authentication failed: the chip's data is signed but the chip does not hold the
   * key it vouches for — a copy of a genuine card's data on another chip.
   */
  'cloned-chip',
]);
export const cardFailureSchema = z.object({
  readId: z.string().min(1).max(64),
  code: cardFailureCodeSchema,
  /** Patient-facing hint key: 'hold-card-still', 'scan-qr-instead', 'go-to-counter'. */
  hint: z.string().max(64).optional(),
  /** Staff-facing reason, no personal data: 'DG2: card removed', 'no-access-key' … */
  reason: z.string().max(200).optional(),
});
export type CardFailure = z.infer<typeof cardFailureSchema>;

// ---- health insurance (BHYT) eligibility ---------------------------------------------------------

/**
 * The BHXH gateway's `maKetQua` folded into what the kiosk does next (vietnam.md §3). The raw code
 * travels along for staff; the page shows only the verdict in words.
 */
export const insuranceVerdictSchema = z.enum([
  /** 000, 003, 004: the card can be used today. */
  'eligible',
  /** 010: the card has expired: fee-paying, or the counter. */
  'expired',
  /** No card found for this person (050) or no card number to check: fee-paying. */
  'no-card',
  /** 001/002, 051–090, 110–130, unknown codes: a human must look at it. */
  'go-to-counter',
  /** 100/101, timeouts: the gateway is down; fee-paying for now or the counter. */
  'unavailable',
]);
export type InsuranceVerdict = z.infer<typeof insuranceVerdictSchema>;

export const insuranceCheckRequestSchema = z.object({ identity: identitySchema });
export type InsuranceCheckRequest = z.infer<typeof insuranceCheckRequestSchema>;

export const insuranceCheckSchema = z.object({
  verdict: insuranceVerdictSchema,
  /** The gateway's `maKetQua`, for staff and logs. */
  resultCode: z.string().max(8).optional(),
  /** Masked card number the result is about. */
  maskedCardNumber: z.string().max(20).optional(),
  validTo: partialDateSchema.optional(),
  /** 003/004: a new card was issued; its validity end. */
  newCardValidTo: partialDateSchema.optional(),
  /** Patient-facing message key finer than the verdict ('insurance.card-revoked' …); the UI may fall back to the verdict. */
  messageKey: z.string().max(64).optional(),
});
export type InsuranceCheck = z.infer<typeof insuranceCheckSchema>;

// ---- agent features ------------------------------------------------------------------------------

/**
 * What this agent can do beyond scans and check-in; sent on every connection. The page offers a
 * step only when its feature is listed, so a kiosk without a card reader never says "tap your card".
 */
export const agentFeatureSchema = z.enum(['card-read', 'insurance-check', 'card-payment']);
export type AgentFeature = z.infer<typeof agentFeatureSchema>;
export const agentFeaturesSchema = z.object({ features: z.array(agentFeatureSchema).max(16) });
export type AgentFeatures = z.infer<typeof agentFeaturesSchema>;
