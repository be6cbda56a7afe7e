import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTlv } from './ber-tlv';
import { CMS_OID, parseSignedData } from './cms';
import { parseCrl } from './crl';
import { encodeInt, encodeOid, nullValue, octets, printable, seq, set, TAG, utf8 } from './der';
import { parseMasterList } from './master-list';
import { parseTrustFile } from './trust-file';
import { encodeUtf8, toBase64 } from './text-codec';
import { parseCertificate } from './x509';

// Structure only (the signatures are filler bytes): these parsers leave signatures to the caller.
const ecdsaSha256 = seq(encodeOid('1.2.840.10045.4.3.2'));
const name = (country: string, cn: string) =>
  seq(set(seq(encodeOid('2.5.4.6'), printable(country))), set(seq(encodeOid('2.5.4.3'), utf8(cn))));
const time = (text: string) => encodeTlv(TAG.UTC_TIME, encodeUtf8(text));
const bits = (bytes: Uint8Array) => encodeTlv(TAG.BIT_STRING, Uint8Array.of(0), bytes);
const spki = seq(seq(encodeOid('1.2.840.10045.2.1'), encodeOid('1.2.840.10045.3.1.7')), bits(new Uint8Array(65)));
const ext = (oid: string, value: Uint8Array) => seq(encodeOid(oid), octets(value));

function certificate(serial: number, country: string, ca: boolean): Uint8Array {
  const exts = [ext('2.5.29.14', octets(Uint8Array.of(1, 2, 3, serial & 0xff)))];
  if (ca) exts.push(ext('2.5.29.19', seq(Uint8Array.of(0x01, 0x01, 0xff))));
  const tbs = seq(
    encodeTlv(0xa0, encodeInt(2)),
    encodeInt(serial),
    ecdsaSha256,
    name(country, 'CSCA'),
    seq(time('240101000000Z'), time('340101000000Z')),
    name(country, ca ? 'CSCA' : 'Signer'),
    spki,
    encodeTlv(0xa3, seq(...exts)),
  );
  return seq(tbs, ecdsaSha256, bits(new Uint8Array(70).fill(7)));
}

function crl(revoked: number[]): Uint8Array {
  const tbs = seq(
    encodeInt(1),
    ecdsaSha256,
    name('VN', 'CSCA'),
    time('260101000000Z'),
    time('260201000000Z'),
    seq(...revoked.map((n) => seq(encodeInt(n), time('260101000000Z')))),
  );
  return seq(tbs, ecdsaSha256, bits(new Uint8Array(70).fill(9)));
}

function masterList(certs: Uint8Array[], eContentType: string = CMS_OID.CSCA_MASTER_LIST): Uint8Array {
  const content = seq(encodeInt(0), set(...certs));
  const digest = seq(encodeOid('2.16.840.1.101.3.4.2.1'), nullValue());
  const signerInfo = seq(
    encodeInt(1),
    seq(name('VN', 'CSCA'), encodeInt(77)),
    digest,
    ecdsaSha256,
    octets(new Uint8Array(70)),
  );
  const sd = seq(
    encodeInt(3),
    set(digest),
    seq(encodeOid(eContentType), encodeTlv(0xa0, octets(content))),
    encodeTlv(0xa0, certificate(77, 'VN', false)),
    set(signerInfo),
  );
  return seq(encodeOid(CMS_OID.SIGNED_DATA), encodeTlv(0xa0, sd));
}

const pem = (label: string, der: Uint8Array) =>
  encodeUtf8(`-----BEGIN ${label}-----\n${toBase64(der)}\n-----END ${label}-----\n`);

describe('trust files', () => {
  it('reads a certificate: serial, countries, validity, CA flag, key identifier', () => {
    const r = parseCertificate(certificate(0x1001, 'VN', true));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      serialHex: '1001',
      isCa: true,
      notBefore: '2024-01-01T00:00:00.000Z',
      notAfter: '2034-01-01T00:00:00.000Z',
      subjectKeyIdentifier: '01020301',
    });
    expect(r.value.subject).toMatchObject({ country: 'VN', commonName: 'CSCA', text: 'C=VN, CN=CSCA' });
  });

  it('reads a CRL: issuer, updates and the revoked serials', () => {
    const r = parseCrl(crl([0x1001, 0x80]));
    expect(r.ok && { serials: r.value.revokedSerials, next: r.value.nextUpdate, c: r.value.issuer.country }).toEqual({
      serials: ['1001', '80'],
      next: '2026-02-01T00:00:00.000Z',
      c: 'VN',
    });
  });

  it('reads a master list: its CSCAs and the signer it carries', () => {
    const r = parseMasterList(masterList([certificate(1, 'VN', true), certificate(2, 'DE', true)]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.certificates.map((c) => c.subject.country)).toEqual(['VN', 'DE']);
    expect(r.value.signedData.certificates).toHaveLength(1);
  });

  it('tells the kinds apart, DER and PEM alike', () => {
    const kinds = [
      parseTrustFile(certificate(5, 'VN', true)),
      parseTrustFile(pem('CERTIFICATE', certificate(5, 'VN', true))),
      parseTrustFile(crl([5])),
      parseTrustFile(pem('X509 CRL', crl([5]))),
      parseTrustFile(masterList([certificate(1, 'VN', true)])),
      parseTrustFile(pem('CMS', masterList([certificate(1, 'VN', true)]))),
    ].map((r) => (r.ok ? r.value.kind : r.error.code));
    expect(kinds).toEqual(['certificate', 'certificate', 'crl', 'crl', 'master-list', 'master-list']);
  });

  it('refuses what is none of them with a typed error', () => {
    expect(parseTrustFile(encodeUtf8('hello')).ok).toBe(false);
    expect(parseTrustFile(new Uint8Array(0)).ok).toBe(false);
    const sod = masterList([certificate(1, 'VN', true)], CMS_OID.LDS_SECURITY_OBJECT);
    expect(parseSignedData(sod).ok).toBe(true);
    const r = parseTrustFile(sod);
    expect(!r.ok && r.error.code).toBe('master-list-malformed');
  });

  it('never throws on random, truncated or bit-flipped input (fuzz)', () => {
    const samples = [certificate(9, 'VN', true), crl([1, 2, 3]), masterList([certificate(1, 'VN', true)])];
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (sample, cut, at, flip) => {
          const bytes = Uint8Array.from(sample.subarray(0, 1 + (cut % sample.length)));
          const i = at % bytes.length;
          bytes[i] = (bytes[i] ?? 0) ^ flip;
          for (const r of [parseTrustFile(bytes), parseCertificate(bytes), parseCrl(bytes), parseMasterList(bytes)])
            expect(typeof r.ok).toBe('boolean');
        },
      ),
      { numRuns: 1500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(typeof parseTrustFile(bytes).ok).toBe('boolean');
        expect(typeof parseTrustFile(pem('CERTIFICATE', bytes)).ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});
