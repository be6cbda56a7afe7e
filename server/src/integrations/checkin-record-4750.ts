/**
 * Decision 130/QĐ-BYT as amended by 4750/QĐ-BYT: the check-in table the reception fills, one
 * record per visit, exported for a range of facility days. XML uses the decision's upper-case
 * element names (as its XML files do); JSON uses the table's field names as written in the
 * decision's table (lower case). `stt` numbers the records of one export from 1.
 */
import type { CheckinRecordTable } from '../db/schema';
import type { VisitRepository } from '../repositories/visit.repository';
import { nextDay, utcOffsetOf } from './vn-core';

export const FIELDS_4750 = [
  'ma_lk',
  'stt',
  'ma_bn',
  'ho_ten',
  'so_cccd',
  'ngay_sinh',
  'gioi_tinh',
  'ma_the_bhyt',
  'ma_dkbd',
  'gt_the_tu',
  'gt_the_den',
  'ma_doituong_kcb',
  'ngay_vao',
  'ma_loai_kcb',
  'ma_cskcb',
  'ma_dich_vu',
  'ten_dich_vu',
  'ngay_yl',
] as const;
export type Field4750 = (typeof FIELDS_4750)[number];
export type Record4750 = Record<Field4750, string | number | null>;

/** Start of a facility day as an ISO instant. */
function dayStart(day: string, timeZone: string): string {
  const noonUtc = new Date(`${day}T12:00:00Z`);
  return new Date(`${day}T00:00:00${utcOffsetOf(noonUtc, timeZone)}`).toISOString();
}

/** The records of the facility days `from` to `to` (inclusive), numbered from 1. */
export async function checkinRecords4750(
  visits: Pick<VisitRepository, 'checkinRecordsBetween'>,
  from: string,
  to: string,
  timeZone: string,
): Promise<Record4750[]> {
  const rows = await visits.checkinRecordsBetween(dayStart(from, timeZone), dayStart(nextDay(to), timeZone));
  return rows.map((r, i) => toRecord(r, i + 1));
}

export function toRecord(r: CheckinRecordTable, stt: number): Record4750 {
  return {
    ma_lk: r.ma_lk,
    stt,
    ma_bn: r.ma_bn,
    ho_ten: r.ho_ten,
    so_cccd: r.so_cccd,
    ngay_sinh: r.ngay_sinh,
    gioi_tinh: Number(r.gioi_tinh),
    ma_the_bhyt: r.ma_the_bhyt,
    ma_dkbd: r.ma_dkbd,
    gt_the_tu: r.gt_the_tu,
    gt_the_den: r.gt_the_den,
    ma_doituong_kcb: r.ma_doituong_kcb,
    ngay_vao: r.ngay_vao,
    ma_loai_kcb: r.ma_loai_kcb,
    ma_cskcb: r.ma_cskcb,
    ma_dich_vu: r.ma_dich_vu,
    ten_dich_vu: r.ten_dich_vu,
    ngay_yl: r.ngay_yl,
  };
}

const XML_FORBIDDEN = new RegExp('[^\\t\\n\\r\\u0020-\\ud7ff\\ue000-\\ufffd\\u{10000}-\\u{10ffff}]', 'gu');

const escapeXml = (v: string) =>
  v
    .replace(/&/gu, '&amp;')
    .replace(/</gu, '&lt;')
    .replace(/>/gu, '&gt;')
    .replace(/"/gu, '&quot;')
    .replace(/'/gu, '&apos;')
    // Characters XML 1.0 cannot carry at all (C0 controls other than tab and line ends, lone surrogates).
    .replace(XML_FORBIDDEN, '');

export function toXml4750(records: readonly Record4750[]): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', '<DSACH_CHECKIN>'];
  for (const r of records) {
    lines.push('  <CHECKIN>');
    for (const f of FIELDS_4750) {
      const v = r[f];
      const tag = f.toUpperCase();
      lines.push(v === null || v === '' ? `    <${tag} />` : `    <${tag}>${escapeXml(String(v))}</${tag}>`);
    }
    lines.push('  </CHECKIN>');
  }
  lines.push('</DSACH_CHECKIN>', '');
  return lines.join('\n');
}

export function toJson4750(records: readonly Record4750[]): string {
  return JSON.stringify({ records }, null, 2);
}
