/** DG1: `61` { 5F1F MRZ } — TD1 (90 chars) on a CCCD, TD3 (88) on a passport. */
import type { Result } from '@kiosk/protocol';
import { parseMrz, type Mrz } from '../mrz/mrz.parser';
import { childrenOf, expectTlv, findTlv } from '@kiosk/protocol';
import { DG_TAGS } from './lds-files';
import { fromTlv, ldsErr, type LdsError } from './lds-error';

export function parseDg1(bytes: Uint8Array): Result<Mrz, LdsError> {
  const outer = expectTlv(bytes, DG_TAGS[1] ?? 0x61);
  if (!outer.ok) return fromTlv('DG1', outer.error);
  const kids = childrenOf(outer.value);
  if (!kids.ok) return fromTlv('DG1', kids.error);
  const mrzTlv = findTlv(kids.value, 0x5f1f);
  if (!mrzTlv) return ldsErr('lds-unexpected-content', 'DG1', 'no MRZ (5F1F)');
  const text = String.fromCharCode(...mrzTlv.value.subarray(0, 200));
  const mrz = parseMrz(text);
  if (!mrz.ok)
    return ldsErr('lds-bad-mrz', 'DG1', `${mrz.error.code}${mrz.error.field ? ` (${mrz.error.field})` : ''}`);
  return mrz;
}
