/**
 * The sample CCCD of the identity tests: the QR printed on its back, a test PKI whose document
 * signer signs the virtual chip's data, a trust store holding that PKI's CSCA, and the chip's
 * access key taken from the QR as the kiosk takes it.
 */
import {
  accessKeyFromIdentity,
  classifyScan,
  createTestPki,
  createTrustStore,
  type TrustStore,
} from '@kiosk/device-agent';

export const CCCD_QR = '079188012345||Nguyễn Thị Lan|12031988|Nữ|Phường Ninh Kiều, TP. Cần Thơ|10052021';

export const pki = createTestPki();

const trusted = createTrustStore([pki.csca.pem]);
if (!trusted.ok) throw new Error(trusted.error.message);
export const trustStore: TrustStore = trusted.value;

/** The chip's access key from the card's QR, and the identity the QR gave. */
export function keyFromQr(qr: string = CCCD_QR) {
  const scan = classifyScan(qr);
  if (scan.kind !== 'cccd-qr') throw new Error(`QR classified as ${scan.kind}`);
  const key = accessKeyFromIdentity(scan.identity);
  if (!key) throw new Error('no access key from the QR');
  return { key, qrIdentity: scan.identity };
}
