/** The virtual CCCD: a simulated chip, its ApduTransport, and the builders behind its files. */
export {
  VirtualCccdChip,
  type VirtualCccdOptions,
  type VirtualCccdFaults,
  type ApduResponder,
} from './virtual-cccd.chip';
export { PaceChipSession, type PaceChipConfig } from './pace-chip';
export { generateFaceJpeg2000, wrapJp2, type Jpeg2000FaceOptions } from './jpeg2000';
export {
  buildCardAccess,
  buildDg14,
  buildDg15,
  makeChipAuthenticationKey,
  makeActiveAuthenticationKey,
  type ChipAuthenticationKey,
  type ActiveAuthenticationKey,
} from './security-files';
export {
  SimulatedApduTransport,
  apduLinkTimeMs,
  BITS_PER_BYTE_ON_AIR,
  type SimulatedApduLinkOptions,
  type ApduFaults,
} from './simulated-apdu.transport';
export { buildCccdMrz, type CccdMrzFields } from './mrz-builder';
export {
  buildCardFiles,
  SYNTHETIC_MRZ,
  SYNTHETIC_DG13,
  SYNTHETIC_BAC_KEY_INFO,
  type CardFiles,
  type CardFilesOptions,
} from './synthetic-card';
export { buildEfCom, buildDg1, buildDg2, buildDg13, buildFaceRecord, type Dg13Content } from './lds-builder';
export {
  createTestPki,
  issueCertificate,
  generateKeyPair,
  buildSod,
  buildLdsSecurityObject,
  buildMasterList,
  buildCrl,
  pemOf,
  type TestPki,
  type IssuedCertificate,
  type KeyKind,
} from './pki';
export { generateFaceJpeg, type GeneratedJpegOptions } from './jpeg';
