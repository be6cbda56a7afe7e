import type { AppError, TlvError } from '@kiosk/protocol';

/** Rejection of an LDS file: a TLV fault or a content fault, with the file it concerns. */
export interface LdsError extends AppError {
  code: 'lds-malformed' | 'lds-unexpected-content' | 'lds-bad-mrz' | 'lds-no-image';
  file: string;
}

export function ldsErr(code: LdsError['code'], file: string, message: string): { ok: false; error: LdsError } {
  return { ok: false, error: { code, file, message } };
}

export function fromTlv(file: string, e: TlvError): { ok: false; error: LdsError } {
  return ldsErr('lds-malformed', file, `${e.code} at ${e.offset}: ${e.message}`);
}
