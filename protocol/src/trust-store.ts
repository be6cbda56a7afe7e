/**
 * The CSCA trust store managed from the admin page: files an administrator imports (ICAO master
 * lists, CSCA certificates, CRLs), the trust set the server pushes to every kiosk agent, and what
 * each agent reports it applied. Certificates and CRLs travel as base64 DER.
 */
import { z } from 'zod';

/** A master list holds a few hundred certificates (~1 MB); 8 MB bounds an upload. */
export const MAX_TRUST_FILE_BYTES = 8 * 1024 * 1024;

export const trustFileUploadSchema = z.object({
  name: z.string().trim().min(1).max(120),
  contentBase64: z
    .string()
    .min(4)
    .max(Math.ceil((MAX_TRUST_FILE_BYTES * 4) / 3) + 4),
});
export type TrustFileUpload = z.infer<typeof trustFileUploadSchema>;

export const trustFileKindSchema = z.enum(['master-list', 'certificate', 'crl']);
export type TrustFileKind = z.infer<typeof trustFileKindSchema>;

/**
 * For a master list: its signer is issued by one of the list's own CSCAs, by a CSCA the store
 * already trusts, or by neither (the list's signature verified with its own signer all the same).
 */
export const masterListSignerSchema = z.enum(['listed-csca', 'trusted-csca', 'unknown-issuer']);

export const trustFileSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: trustFileKindSchema,
  /** CSCA certificates it adds (0 for a CRL). */
  certificates: z.number().int().min(0),
  /** Revoked serials a CRL lists. */
  revoked: z.number().int().min(0).optional(),
  /** Issuer countries (ISO 3166 alpha-2 as the certificates spell them), sorted. */
  countries: z.array(z.string().max(8)),
  /** Earliest notBefore / thisUpdate. */
  validFrom: z.string(),
  /** Earliest expiry of its certificates, or a CRL's nextUpdate. */
  validTo: z.string().optional(),
  signer: masterListSignerSchema.optional(),
  uploadedBy: z.string(),
  uploadedAt: z.string(),
});
export type TrustFileSummary = z.infer<typeof trustFileSummarySchema>;

/** What the server pushes to an agent: every anchor and CRL of the imported files. */
export const trustSetSchema = z.object({
  /** Changes whenever a file is added or removed ('empty' for none). */
  revision: z.string().min(1).max(80),
  anchors: z.array(z.string().max(64_000)).max(20_000),
  crls: z.array(z.string().max(11_000_000)).max(1000),
});
export type TrustSet = z.infer<typeof trustSetSchema>;

/** What an agent applied: counts of the pushed set it took, and the folder's own anchors. */
export const trustAppliedSchema = z.object({
  revision: z.string().max(80),
  anchors: z.number().int().min(0),
  crls: z.number().int().min(0),
  /** Anchors from the agent's own TRUST_STORE_DIR. */
  localAnchors: z.number().int().min(0),
});
export type TrustApplied = z.infer<typeof trustAppliedSchema>;

export const kioskTrustStateSchema = trustAppliedSchema.extend({
  agentId: z.string(),
  name: z.string(),
  reportedAt: z.string(),
  /** It applied the server's current revision. */
  current: z.boolean(),
});
export type KioskTrustState = z.infer<typeof kioskTrustStateSchema>;

export const trustStoreViewSchema = z.object({
  revision: z.string(),
  files: z.array(trustFileSummarySchema),
  kiosks: z.array(kioskTrustStateSchema),
});
export type TrustStoreView = z.infer<typeof trustStoreViewSchema>;
