import { profileById } from '@kiosk/hardware-profiles';
import { describe, expect, it } from 'vitest';
import { HidTransport } from './hid.transport';
import { PcscTransport } from './pcsc.transport';
import { SerialTransport } from './serial.transport';
import { TcpTransport } from './tcp.transport';
import { createApduTransport, createByteTransport, transportSettingsFor } from './transport.factory';
import { UsbPrinterTransport } from './usb-printer.transport';

describe('transport factory', () => {
  it('picks the profile entry matching how the device was found', () => {
    const voyager = profileById('honeywell.voyager-1470g');
    expect(voyager && transportSettingsFor(voyager, 'hid')?.kind).toBe('hid');
    expect(voyager && transportSettingsFor(voyager, 'serial')).toMatchObject({ kind: 'serial', baudRate: 115200 });
    expect(voyager && transportSettingsFor(voyager, 'pcsc')).toBeUndefined();
  });

  it('creates the transport of each kind without opening anything', () => {
    const make = (s: Parameters<typeof createByteTransport>[0], target: string) => {
      const r = createByteTransport(s, target);
      return r.ok ? r.value : r.error.code;
    };
    expect(
      make(
        { kind: 'serial', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'dtrdsr' },
        '/dev/ttyUSB0',
      ),
    ).toBeInstanceOf(SerialTransport);
    expect(make({ kind: 'hid', usagePage: 0x8c }, '/dev/hidraw1')).toBeInstanceOf(HidTransport);
    expect(make({ kind: 'tcp', port: 9100 }, '192.0.2.10')).toBeInstanceOf(TcpTransport);
    expect(make({ kind: 'usb-printer', devicePathPattern: '/dev/usb/lp*' }, '/dev/usb/lp0')).toBeInstanceOf(
      UsbPrinterTransport,
    );
    expect(make({ kind: 'simulated' }, 'sim-1')).toBe('wrong-transport-kind');
    expect(make({ kind: 'pcsc', shareMode: 'shared' }, 'x')).toBe('wrong-transport-kind');
    const apdu = createApduTransport({ kind: 'pcsc', shareMode: 'shared' }, 'ACS ACR1252 1S CL Reader PICC 0');
    expect(apdu.ok && apdu.value).toBeInstanceOf(PcscTransport);
    expect(createApduTransport({ kind: 'simulated' }, 'x').ok).toBe(false);
  });
});
