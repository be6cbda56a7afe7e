/** BER-TLV reading and encoding: shared with the server, in @kiosk/protocol (asn1/ber-tlv.ts). */
export {
  childrenOf,
  encodeLength,
  encodeBerTlv as encodeTlv,
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
} from '@kiosk/protocol';
