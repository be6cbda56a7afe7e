/** EF.COM: `60` { 5F01 LDS version, 5F36 Unicode version, 5C tag list }. */
import type { Result } from '@kiosk/protocol';
import { childrenOf, expectTlv, findTlv } from '@kiosk/protocol';
import { EF_COM_TAG, dataGroupOfTag } from './lds-files';
import { fromTlv, ldsErr, type LdsError } from './lds-error';

export interface EfCom {
  ldsVersion?: string;
  unicodeVersion?: string;
  /** Data-group numbers listed in the tag list, in listed order. */
  dataGroups: number[];
}

const ascii = (b: Uint8Array): string => String.fromCharCode(...b.subarray(0, 16));

export function parseEfCom(bytes: Uint8Array): Result<EfCom, LdsError> {
  const outer = expectTlv(bytes, EF_COM_TAG);
  if (!outer.ok) return fromTlv('EF.COM', outer.error);
  const kids = childrenOf(outer.value);
  if (!kids.ok) return fromTlv('EF.COM', kids.error);
  const list = findTlv(kids.value, 0x5c);
  if (!list) return ldsErr('lds-unexpected-content', 'EF.COM', 'no data-group tag list (5C)');
  const dataGroups: number[] = [];
  for (const tag of list.value) {
    const dg = dataGroupOfTag(tag);
    if (dg !== undefined && !dataGroups.includes(dg)) dataGroups.push(dg);
  }
  const com: EfCom = { dataGroups };
  const lds = findTlv(kids.value, 0x5f01);
  const uni = findTlv(kids.value, 0x5f36);
  if (lds) com.ldsVersion = ascii(lds.value);
  if (uni) com.unicodeVersion = ascii(uni.value);
  return { ok: true, value: com };
}
