export {
  childrenOf,
  encodeLength,
  // vietqr.ts has the EMV QR encodeTlv (text); this is the byte one.
  encodeTlv as encodeBerTlv,
  expectTlv,
  findTlv,
  MAX_TLV_DEPTH,
  readTlv,
  readTlvList,
  tagHex,
  tlvError,
  type Tlv,
  type TlvError,
  type TlvRejection,
} from './ber-tlv';
export * from './der';
export * from './cms';
export * from './x509';
export * from './crl';
export * from './master-list';
export * from './signature-scheme';
export * from './trust-file';
export { fromBase64, toBase64, hexOf } from './text-codec';
