/** DER value helpers: shared with the server, in @kiosk/protocol (asn1/der.ts). */
export {
  decodeOid,
  decodeSmallInt,
  decodeString,
  encodeInt,
  encodeOid,
  isStringTag,
  nullValue,
  octets,
  printable,
  seq,
  set,
  TAG,
  utf8,
} from '@kiosk/protocol';
