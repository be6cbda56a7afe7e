/** TD1 MRZ for a CCCD with every check digit computed (for virtual cards and tests). */
import { mrzCheckDigit } from '../../identity/mrz/check-digit';

export interface CccdMrzFields {
  /** 12-digit ID; the MRZ document number is its last 9 digits. */
  idNumber: string;
  /** YYMMDD */
  dateOfBirth: string;
  sex: 'M' | 'F' | '<';
  /** YYMMDD (or `<<<<<<`) */
  dateOfExpiry: string;
  surname: string;
  givenNames: string;
}

export function buildCccdMrz(f: CccdMrzFields): string[] {
  const doc = f.idNumber.slice(3);
  const opt1 = `${f.idNumber}<<${mrzCheckDigit(f.idNumber)}`;
  const l1 = `IDVNM${doc}${mrzCheckDigit(doc)}${opt1}`.padEnd(30, '<').slice(0, 30);
  const l2start = `${f.dateOfBirth}${mrzCheckDigit(f.dateOfBirth)}${f.sex}${f.dateOfExpiry}${mrzCheckDigit(f.dateOfExpiry)}VNM`;
  const opt2 = '<'.repeat(11);
  const composite = l1.slice(5, 30) + l2start.slice(0, 7) + l2start.slice(8, 15) + opt2;
  const l2 = `${l2start}${opt2}${mrzCheckDigit(composite)}`;
  const name = `${f.surname.replace(/ /gu, '<')}<<${f.givenNames.replace(/ /gu, '<')}`.padEnd(30, '<').slice(0, 30);
  return [l1, l2, name];
}
