import { describe, expect, it } from 'vitest';
import { profileById } from '@kiosk/hardware-profiles';
import { PcscTransport, SerialSmartReaderTransport } from '../transports';
import { hardwareOpener } from './hardware.source';
import type { FoundDevice } from './device-source';

const found = (id: string, transport: FoundDevice['transport'], openPath: string): FoundDevice => {
  const profile = profileById(id);
  if (!profile) throw new Error(`no profile ${id}`);
  return { key: `${transport}:${openPath}`, class: 'card-reader', profile, score: 0, transport, openPath };
};

describe('hardware opener for card readers', () => {
  it('opens a serial smart reader as framed APDUs over its serial line', () => {
    const r = hardwareOpener.apdu(found('generic.serial-smart-reader', 'serial', '/dev/ttyUSB7'));
    expect(r.ok && r.value instanceof SerialSmartReaderTransport).toBe(true);
  });
  it('opens a PC/SC reader through PC/SC', () => {
    const r = hardwareOpener.apdu(found('generic.pcsc-contactless', 'pcsc', 'Virtual PCD 00 00'));
    expect(r.ok && r.value instanceof PcscTransport).toBe(true);
  });
});
