/**
 * Throwaway PKI for tests and the simulator: a self-signed CSCA, a document signer issued by
 * it, and EF.SOD (CMS SignedData over an LDSSecurityObject) signed by the document signer.
 * Keys come from node:crypto; certificates, CMS, master lists and CRLs are encoded here in DER,
 * so faulty variants (wrong hash, wrong signature, foreign CSCA) can be produced on purpose.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  CMS_OID,
  encodeBerTlv,
  encodeInt,
  encodeOid,
  nullValue,
  octets,
  printable,
  seq,
  set,
  utf8,
  TAG,
} from '@kiosk/protocol';
import { concat } from '../../identity/icao/bytes';
import { OID } from '../../identity/lds/sod.parser';

export type KeyKind = 'ec-p256' | 'rsa-2048' | 'rsa-pss-2048';
export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const DIGEST_OID: Record<HashName, string> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};
const RSA_SIG_OID: Record<HashName, string> = {
  sha1: '1.2.840.113549.1.1.5',
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
};
const ECDSA_SIG_OID: Record<HashName, string> = {
  sha1: '1.2.840.10045.4.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};
const RSA_PSS_OID = '1.2.840.113549.1.1.10';
const MGF1_OID = '1.2.840.113549.1.1.8';
const HASH_BYTES: Record<HashName, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

export interface KeyPair {
  kind: KeyKind;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateKeyPair(kind: KeyKind): KeyPair {
  if (kind === 'ec-p256') return { kind, ...generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) };
  return { kind, ...generateKeyPairSync('rsa', { modulusLength: 2048 }) };
}

function algorithmIdentifier(kind: KeyKind, hash: HashName): Uint8Array {
  if (kind === 'ec-p256') return seq(encodeOid(ECDSA_SIG_OID[hash]));
  if (kind === 'rsa-2048') return seq(encodeOid(RSA_SIG_OID[hash]), nullValue());
  const hashAlg = seq(encodeOid(DIGEST_OID[hash]), nullValue());
  return seq(
    encodeOid(RSA_PSS_OID),
    seq(
      encodeBerTlv(0xa0, hashAlg),
      encodeBerTlv(0xa1, seq(encodeOid(MGF1_OID), hashAlg)),
      encodeBerTlv(0xa2, encodeInt(HASH_BYTES[hash])),
    ),
  );
}

function signWith(key: KeyPair, hash: HashName, data: Uint8Array): Uint8Array {
  if (key.kind === 'rsa-pss-2048')
    return new Uint8Array(
      sign(hash, data, { key: key.privateKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: HASH_BYTES[hash] }),
    );
  return new Uint8Array(sign(hash, data, key.privateKey));
}

export interface DistinguishedName {
  country: string;
  organization?: string;
  organizationalUnit?: string;
  commonName: string;
  serialNumber?: string;
}

export function encodeName(dn: DistinguishedName): Uint8Array {
  const rdn = (oid: string, value: Uint8Array) => set(seq(encodeOid(oid), value));
  const parts = [rdn('2.5.4.6', printable(dn.country))];
  if (dn.organization) parts.push(rdn('2.5.4.10', utf8(dn.organization)));
  if (dn.organizationalUnit) parts.push(rdn('2.5.4.11', utf8(dn.organizationalUnit)));
  if (dn.serialNumber) parts.push(rdn('2.5.4.5', printable(dn.serialNumber)));
  parts.push(rdn('2.5.4.3', utf8(dn.commonName)));
  return seq(...parts);
}

function encodeTime(d: Date): Uint8Array {
  const iso = d.toISOString().replace(/[-:T]/gu, '').slice(0, 14);
  if (d.getUTCFullYear() < 2050) return encodeBerTlv(TAG.UTC_TIME, new TextEncoder().encode(`${iso.slice(2)}Z`));
  return encodeBerTlv(TAG.GENERALIZED_TIME, new TextEncoder().encode(`${iso}Z`));
}

function keyIdentifier(publicKey: KeyObject): Uint8Array {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return new Uint8Array(createHash('sha1').update(spki).digest());
}

export interface IssuedCertificate {
  der: Uint8Array;
  pem: string;
  key: KeyPair;
  /** Subject Name DER. */
  subject: Uint8Array;
  /** Issuer Name DER. */
  issuerName: Uint8Array;
  /** INTEGER content bytes. */
  serialNumber: Uint8Array;
  subjectKeyIdentifier: Uint8Array;
}

export interface CertificateOptions {
  subject: DistinguishedName;
  key: KeyPair;
  /** Absent: self-signed. */
  issuer?: IssuedCertificate;
  serialNumber?: number;
  notBefore?: Date;
  notAfter?: Date;
  isCa?: boolean;
  hash?: HashName;
  /** Subject key identifier to write instead of the SHA-1 of the key (to fake a CSCA in tests). */
  subjectKeyIdentifier?: Uint8Array;
}

const toPem = (der: Uint8Array): string => pemOf('CERTIFICATE', der);

export function issueCertificate(o: CertificateOptions): IssuedCertificate {
  const hash = o.hash ?? 'sha256';
  const signer = o.issuer?.key ?? o.key;
  const subject = encodeName(o.subject);
  const issuerName = o.issuer?.subject ?? subject;
  const serial = encodeInt(o.serialNumber ?? Math.floor(Math.random() * 2 ** 31));
  const sigAlg = algorithmIdentifier(signer.kind, hash);
  const extension = (oid: string, critical: boolean, value: Uint8Array) =>
    critical ? seq(encodeOid(oid), Uint8Array.of(0x01, 0x01, 0xff), octets(value)) : seq(encodeOid(oid), octets(value));
  const exts = [
    extension('2.5.29.14', false, octets(o.subjectKeyIdentifier ?? keyIdentifier(o.key.publicKey))),
    extension(
      '2.5.29.35',
      false,
      seq(encodeBerTlv(0x80, o.issuer?.subjectKeyIdentifier ?? keyIdentifier(signer.publicKey))),
    ),
    extension(
      '2.5.29.15',
      true,
      o.isCa ? Uint8Array.of(0x03, 0x02, 0x01, 0x06) : Uint8Array.of(0x03, 0x02, 0x07, 0x80),
    ),
  ];
  if (o.isCa) exts.push(extension('2.5.29.19', true, seq(Uint8Array.of(0x01, 0x01, 0xff), encodeInt(0))));
  const now = Date.now();
  const tbs = seq(
    encodeBerTlv(0xa0, encodeInt(2)),
    serial,
    sigAlg,
    issuerName,
    seq(
      encodeTime(o.notBefore ?? new Date(now - 86_400_000)),
      encodeTime(o.notAfter ?? new Date(now + 10 * 365 * 86_400_000)),
    ),
    subject,
    new Uint8Array(o.key.publicKey.export({ type: 'spki', format: 'der' })),
    encodeBerTlv(0xa3, seq(...exts)),
  );
  const signature = signWith(signer, hash, tbs);
  const der = seq(tbs, sigAlg, encodeBerTlv(TAG.BIT_STRING, Uint8Array.of(0), signature));
  return {
    der,
    pem: toPem(der),
    key: o.key,
    subject,
    issuerName,
    serialNumber: serial.subarray(2),
    subjectKeyIdentifier: o.subjectKeyIdentifier ?? keyIdentifier(o.key.publicKey),
  };
}

export interface SodOptions {
  /** Raw DG file bytes by DG number; each is hashed into the LDSSecurityObject. */
  dataGroups: Map<number, Uint8Array>;
  signer: IssuedCertificate;
  hash?: HashName;
  /** Replace a DG's hash (to make a mismatching SOD on purpose). */
  overrideHashes?: Map<number, Uint8Array>;
  /** Flip a bit of the signature. */
  corruptSignature?: boolean;
  /** Leave the document-signer certificate out of SignedData. */
  omitCertificate?: boolean;
}

export function buildLdsSecurityObject(
  dataGroups: Map<number, Uint8Array>,
  hash: HashName,
  overrides = new Map<number, Uint8Array>(),
): Uint8Array {
  const entries = [...dataGroups.keys()]
    .sort((a, b) => a - b)
    .map((n) => {
      const h =
        overrides.get(n) ??
        new Uint8Array(
          createHash(hash)
            .update(dataGroups.get(n) ?? new Uint8Array(0))
            .digest(),
        );
      return seq(encodeInt(n), octets(h));
    });
  return seq(encodeInt(0), seq(encodeOid(DIGEST_OID[hash]), nullValue()), seq(...entries));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

/** ContentInfo(SignedData) over `eContent` with signed attributes, DER. */
function buildSignedData(
  eContentType: string,
  eContent: Uint8Array,
  signer: IssuedCertificate,
  hash: HashName,
  options: { corruptSignature?: boolean; omitCertificate?: boolean } = {},
): Uint8Array {
  const digestAlg = seq(encodeOid(DIGEST_OID[hash]), nullValue());
  const attrs = [
    seq(encodeOid(OID.CONTENT_TYPE), set(encodeOid(eContentType))),
    seq(encodeOid(OID.MESSAGE_DIGEST), set(octets(new Uint8Array(createHash(hash).update(eContent).digest())))),
    seq(encodeOid(OID.SIGNING_TIME), set(encodeTime(new Date()))),
  ].sort(compareBytes);
  const signedAttrsSet = set(...attrs);
  const signature = signWith(signer.key, hash, signedAttrsSet);
  if (options.corruptSignature) signature[signature.length - 5] = (signature[signature.length - 5] ?? 0) ^ 0x01;
  const signerInfo = seq(
    encodeInt(1),
    seq(signer.issuerName, encodeInt(signer.serialNumber)),
    digestAlg,
    concat(Uint8Array.of(0xa0), signedAttrsSet.subarray(1)),
    algorithmIdentifier(signer.key.kind, hash),
    octets(signature),
  );
  const signedData = seq(
    encodeInt(3),
    set(digestAlg),
    seq(encodeOid(eContentType), encodeBerTlv(0xa0, octets(eContent))),
    ...(options.omitCertificate ? [] : [encodeBerTlv(0xa0, signer.der)]),
    set(signerInfo),
  );
  return seq(encodeOid(OID.SIGNED_DATA), encodeBerTlv(0xa0, signedData));
}

/** EF.SOD: `77` ‖ ContentInfo(SignedData) with signed attributes, DER. */
export function buildSod(o: SodOptions): Uint8Array {
  const hash = o.hash ?? 'sha256';
  const eContent = buildLdsSecurityObject(o.dataGroups, hash, o.overrideHashes);
  return encodeBerTlv(0x77, buildSignedData(OID.LDS_SECURITY_OBJECT, eContent, o.signer, hash, o));
}

export interface MasterListOptions {
  /** The master-list signer (its certificate goes into the SignedData). */
  signer: IssuedCertificate;
  certificates: IssuedCertificate[];
  hash?: HashName;
  corruptSignature?: boolean;
}

/** An ICAO CSCA master list (`.ml`): SignedData over CscaMasterList { version 0, SET OF Certificate }. */
export function buildMasterList(o: MasterListOptions): Uint8Array {
  const list = seq(encodeInt(0), set(...o.certificates.map((c) => c.der)));
  return buildSignedData(CMS_OID.CSCA_MASTER_LIST, list, o.signer, o.hash ?? 'sha256', o);
}

export interface CrlOptions {
  /** The CSCA that issues and signs the list. */
  issuer: IssuedCertificate;
  /** Serial numbers revoked. */
  revoked: number[];
  thisUpdate?: Date;
  nextUpdate?: Date;
  hash?: HashName;
  /** Sign with this key instead of the issuer's (a forged CRL). */
  signWithKey?: KeyPair;
}

/** An X.509 v2 CRL, DER. */
export function buildCrl(o: CrlOptions): Uint8Array {
  const hash = o.hash ?? 'sha256';
  const key = o.signWithKey ?? o.issuer.key;
  const sigAlg = algorithmIdentifier(key.kind, hash);
  const now = Date.now();
  const revoked = o.revoked.map((n) => seq(encodeInt(n), encodeTime(new Date(now - 3_600_000))));
  const tbs = seq(
    encodeInt(1),
    sigAlg,
    o.issuer.subject,
    encodeTime(o.thisUpdate ?? new Date(now - 3_600_000)),
    encodeTime(o.nextUpdate ?? new Date(now + 30 * 86_400_000)),
    ...(revoked.length > 0 ? [seq(...revoked)] : []),
    encodeBerTlv(
      0xa0,
      seq(seq(encodeOid('2.5.29.35'), octets(seq(encodeBerTlv(0x80, o.issuer.subjectKeyIdentifier))))),
    ),
  );
  return seq(tbs, sigAlg, encodeBerTlv(TAG.BIT_STRING, Uint8Array.of(0), signWith(key, hash, tbs)));
}

/** PEM armour of DER bytes under a label ('CERTIFICATE', 'X509 CRL' …). */
export function pemOf(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/gu)?.join('\n') ?? ''}\n-----END ${label}-----\n`;
}

export interface TestPki {
  csca: IssuedCertificate;
  documentSigner: IssuedCertificate;
}

export function createTestPki(options: { keyKind?: KeyKind; cscaKeyKind?: KeyKind; country?: string } = {}): TestPki {
  const country = options.country ?? 'VN';
  const csca = issueCertificate({
    subject: { country, organization: 'Test Ministry of Public Security', commonName: 'Test CSCA Viet Nam' },
    key: generateKeyPair(options.cscaKeyKind ?? options.keyKind ?? 'ec-p256'),
    isCa: true,
    serialNumber: 1,
  });
  const documentSigner = issueCertificate({
    subject: { country, organization: 'Test Ministry of Public Security', commonName: 'Test Document Signer 01' },
    key: generateKeyPair(options.keyKind ?? 'ec-p256'),
    issuer: csca,
    serialNumber: 0x1001,
  });
  return { csca, documentSigner };
}
