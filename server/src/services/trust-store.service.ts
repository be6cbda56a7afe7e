/**
 * The CSCA trust store managed from the admin page. An administrator imports ICAO master lists,
 * CSCA certificates and CRLs; each is checked before it is kept (the file parses; a master list's
 * CMS signature verifies with the signer certificate it carries; a certificate that issued itself
 * verifies with its own key; a CRL is signed by a CSCA the store already trusts) and refused with a
 * reason code otherwise. The current set (every anchor and CRL) is pushed to every kiosk agent on
 * connect and on each change; each agent reports in its heartbeat what it applied.
 */
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { verifySignature } from '@kiosk/protocol/node';
import {
  err,
  ok,
  parseTrustFile,
  signatureSchemeOf,
  toBase64,
  fromBase64,
  CMS_OID,
  MAX_TRUST_FILE_BYTES,
  type CertificateInfo,
  type CrlInfo,
  type MasterListInfo,
  type Result,
  type TrustApplied,
  type TrustFileSummary,
  type TrustFileUpload,
  type TrustSet,
  type TrustStoreView,
} from '@kiosk/protocol';
import type { Repositories } from '../repositories';
import type { Clock } from '../clock';
import type { AuthService, StaffUser } from './auth.service';

interface StoredTrust {
  anchors: string[];
  crls: string[];
}

const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

const x509Of = (c: CertificateInfo): X509Certificate | undefined => {
  try {
    return new X509Certificate(Buffer.from(c.der));
  } catch {
    return undefined;
  }
};

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** `issuer` issued and signed `subject`. */
function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export class TrustStoreService {
  constructor(
    private readonly repositories: Repositories,
    private readonly clock: Clock,
    private readonly auth: AuthService,
    /** Told after every change, to push the new set to the agents. */
    private readonly changed: (set: TrustSet) => void = () => undefined,
  ) {}

  /** Every anchor and CRL of the imported files, with a revision that changes with them. */
  async currentSet(): Promise<TrustSet> {
    const rows = await this.repositories.trustStore.list();
    const anchors = new Set<string>();
    const crls = new Set<string>();
    for (const r of rows) {
      const t = JSON.parse(r.trust_json) as StoredTrust;
      for (const a of t.anchors) anchors.add(a);
      for (const c of t.crls) crls.add(c);
    }
    const revision = rows.length === 0 ? 'empty' : sha256Hex(rows.map((r) => r.sha256).join(',')).slice(0, 32);
    return { revision, anchors: [...anchors], crls: [...crls] };
  }

  async view(): Promise<TrustStoreView> {
    const [rows, set, states] = await Promise.all([
      this.repositories.trustStore.list(),
      this.currentSet(),
      this.repositories.trustStore.agentStates(),
    ]);
    return {
      revision: set.revision,
      files: rows.map((r) => ({
        ...(JSON.parse(r.summary_json) as Omit<TrustFileSummary, 'id' | 'name' | 'uploadedBy' | 'uploadedAt'>),
        id: r.id,
        name: r.name,
        uploadedBy: r.uploaded_by,
        uploadedAt: r.uploaded_at,
      })),
      kiosks: states.flatMap((s) =>
        s.revision === null || s.reported_at === null
          ? []
          : [
              {
                agentId: s.agent_id,
                name: s.name,
                revision: s.revision,
                anchors: Number(s.anchors ?? 0),
                crls: Number(s.crls ?? 0),
                localAnchors: Number(s.local_anchors ?? 0),
                reportedAt: s.reported_at,
                current: s.revision === set.revision,
              },
            ],
      ),
    };
  }

  /** What an agent reported it applied (its heartbeat or its answer to a push). */
  async recordApplied(agentId: string, applied: TrustApplied): Promise<void> {
    await this.repositories.trustStore.saveAgentState({
      agent_id: agentId,
      revision: applied.revision,
      anchors: applied.anchors,
      crls: applied.crls,
      local_anchors: applied.localAnchors,
      reported_at: this.clock.now().toISOString(),
    });
  }

  async upload(upload: TrustFileUpload, user: StaffUser): Promise<Result<TrustFileSummary>> {
    const bytes = fromBase64(upload.contentBase64);
    if (!bytes || bytes.length === 0) return err('trust-file-not-base64', 'the file content is not base64');
    if (bytes.length > MAX_TRUST_FILE_BYTES) return err('trust-file-too-large', 'the file is too large');
    const sha256 = sha256Hex(bytes);
    if (await this.repositories.trustStore.bySha256(sha256))
      return err('trust-file-duplicate', 'this file is already in the trust store');
    const parsed = parseTrustFile(bytes);
    if (!parsed.ok) return err('trust-file-unreadable', parsed.error.message);
    const trusted = await this.trustedAnchors();
    let checked: Result<{
      summary: Omit<TrustFileSummary, 'id' | 'name' | 'uploadedBy' | 'uploadedAt'>;
      trust: StoredTrust;
    }>;
    if (parsed.value.kind === 'master-list') checked = this.checkMasterList(parsed.value.masterList, trusted);
    else if (parsed.value.kind === 'certificate') checked = this.checkCertificates(parsed.value.certificates);
    else checked = this.checkCrl(parsed.value.crl, trusted);
    if (!checked.ok) return checked;
    const row = {
      id: randomUUID(),
      name: upload.name,
      kind: parsed.value.kind,
      sha256,
      content: toBase64(bytes),
      trust_json: JSON.stringify(checked.value.trust),
      summary_json: JSON.stringify(checked.value.summary),
      uploaded_by: user.username,
      uploaded_at: this.clock.now().toISOString(),
    };
    await this.repositories.trustStore.insert(row);
    await this.auth.audit(user.username, 'trust-file-imported', `${row.kind} ${row.id}`);
    await this.announce();
    return ok({
      ...checked.value.summary,
      id: row.id,
      name: row.name,
      uploadedBy: row.uploaded_by,
      uploadedAt: row.uploaded_at,
    });
  }

  async remove(id: string, user: StaffUser): Promise<Result<null>> {
    if (!(await this.repositories.trustStore.delete(id))) return err('unknown-trust-file', 'no such trust file');
    await this.auth.audit(user.username, 'trust-file-removed', id);
    await this.announce();
    return ok(null);
  }

  private async announce(): Promise<void> {
    this.changed(await this.currentSet());
  }

  private async trustedAnchors(): Promise<X509Certificate[]> {
    const out: X509Certificate[] = [];
    for (const b64 of (await this.currentSet()).anchors) {
      try {
        out.push(new X509Certificate(Buffer.from(b64, 'base64')));
      } catch {
        // Validated on import; a row that no longer parses is skipped.
      }
    }
    return out;
  }

  private summaryOf(certs: CertificateInfo[]) {
    const countries = [...new Set(certs.map((c) => c.issuer.country ?? c.subject.country ?? '??'))].sort();
    const validFrom = certs.map((c) => c.notBefore).sort()[0] ?? '';
    const validTo = certs.map((c) => c.notAfter).sort()[0];
    return { certificates: certs.length, countries, validFrom, ...(validTo ? { validTo } : {}) };
  }

  private checkCertificates(certs: CertificateInfo[]) {
    for (const [i, c] of certs.entries()) {
      const x = x509Of(c);
      if (!x) return err('certificate-unreadable', `certificate ${i + 1} does not parse`);
      if (!c.isCa) return err('certificate-not-ca', `certificate ${i + 1} is not a CA certificate`);
      if (bytesEqual(c.issuer.der, c.subject.der) && !issued(x, x))
        return err('certificate-bad-signature', `certificate ${i + 1}: its self-signature does not verify`);
    }
    return ok({
      summary: { kind: 'certificate' as const, ...this.summaryOf(certs) },
      trust: { anchors: certs.map((c) => toBase64(c.der)), crls: [] },
    });
  }

  private checkMasterList(ml: MasterListInfo, trusted: X509Certificate[]) {
    const sd = ml.signedData;
    const si = sd.signerInfos[0];
    if (!si) return err('master-list-no-signer', 'the master list has no signer');
    const signers = sd.certificates.flatMap((der) => {
      try {
        return [new X509Certificate(Buffer.from(der))];
      } catch {
        return [];
      }
    });
    const signer = signers.find((x) => {
      if ('subjectKeyIdentifier' in si.sid) return true;
      const serial = Buffer.from(si.sid.serialNumber).toString('hex').replace(/^0+/u, '').toUpperCase();
      return x.serialNumber.replace(/^0+/u, '').toUpperCase() === serial;
    });
    if (!signer) return err('master-list-no-signer', "the master list does not carry its signer's certificate");
    const scheme = signatureSchemeOf(si.signatureAlgorithm, si.digestAlgorithm);
    const digestScheme = signatureSchemeOf({ oid: '1.2.840.10045.2.1' }, si.digestAlgorithm);
    if (!scheme || !digestScheme) return err('master-list-bad-signature', 'unsupported signature algorithm');
    if (si.signedAttributes) {
      if (si.contentTypeAttribute !== undefined && si.contentTypeAttribute !== CMS_OID.CSCA_MASTER_LIST)
        return err('master-list-bad-signature', 'the signed content type is not a master list');
      const digest = createHash(digestScheme.hash).update(sd.eContent).digest();
      if (!si.messageDigest || !bytesEqual(new Uint8Array(digest), si.messageDigest))
        return err('master-list-bad-signature', 'the signed digest does not match the list');
    }
    if (!verifySignature(scheme, si.signedAttributes ?? sd.eContent, signer.publicKey, si.signature))
      return err('master-list-bad-signature', 'the master list signature does not verify');
    const listed = ml.certificates.flatMap((c) => {
      const x = x509Of(c);
      return x ? [x] : [];
    });
    if (listed.length !== ml.certificates.length)
      return err('certificate-unreadable', 'a listed certificate does not parse');
    const signerStatus = listed.some((c) => issued(c, signer))
      ? ('listed-csca' as const)
      : trusted.some((c) => issued(c, signer))
        ? ('trusted-csca' as const)
        : ('unknown-issuer' as const);
    return ok({
      summary: { kind: 'master-list' as const, ...this.summaryOf(ml.certificates), signer: signerStatus },
      trust: { anchors: ml.certificates.map((c) => toBase64(c.der)), crls: [] },
    });
  }

  private checkCrl(crl: CrlInfo, trusted: X509Certificate[]) {
    const scheme = signatureSchemeOf(crl.signatureAlgorithm);
    if (!scheme) return err('crl-bad-signature', 'unsupported signature algorithm');
    const issuers = trusted.filter((c) => sameName(c, crl));
    const issuer = issuers.find((c) => verifySignature(scheme, crl.tbs, c.publicKey, crl.signature));
    if (issuers.length === 0)
      return err('crl-no-issuer', 'no CSCA in the trust store issued this CRL: import its CSCA first');
    if (!issuer) return err('crl-bad-signature', "the CRL's signature does not verify with its CSCA");
    return ok({
      summary: {
        kind: 'crl' as const,
        certificates: 0,
        revoked: crl.revokedSerials.length,
        countries: crl.issuer.country ? [crl.issuer.country] : [],
        validFrom: crl.thisUpdate,
        ...(crl.nextUpdate ? { validTo: crl.nextUpdate } : {}),
      },
      trust: { anchors: [], crls: [toBase64(crl.der)] },
    });
  }
}

/** The CRL's issuer Name is the certificate's subject Name (DER compared). */
function sameName(cert: X509Certificate, crl: CrlInfo): boolean {
  const parsed = parseTrustFile(new Uint8Array(cert.raw));
  return (
    parsed.ok &&
    parsed.value.kind === 'certificate' &&
    bytesEqual(parsed.value.certificates[0]?.subject.der ?? new Uint8Array(0), crl.issuer.der)
  );
}
