/**
 * From a profile's transport settings and a discovered device to a transport instance. The
 * composition root calls this; drivers only ever see ByteTransport / ApduTransport.
 */
import { err, ok, type Result } from '@kiosk/protocol';
import type { DeviceProfile, TransportSettings } from '@kiosk/hardware-profiles';
import type { DiscoveredTransport } from './discovery';
import { HidTransport } from './hid.transport';
import { PcscTransport } from './pcsc.transport';
import { SerialTransport } from './serial.transport';
import { TcpTransport } from './tcp.transport';
import type { ApduTransport, ByteTransport } from './transport';
import { UsbPrinterTransport } from './usb-printer.transport';

const settingsKindFor: Record<DiscoveredTransport, TransportSettings['kind']> = {
  serial: 'serial',
  hid: 'hid',
  pcsc: 'pcsc',
  'usb-printer': 'usb-printer',
};

/** The profile's settings for the way the device was found (a scanner seen on hidraw uses its 'hid' entry). */
export function transportSettingsFor(
  profile: DeviceProfile,
  found: DiscoveredTransport,
): TransportSettings | undefined {
  return profile.transports.find((t) => t.kind === settingsKindFor[found]);
}

/** `target` is the device path (serial, hid, usb-printer) or the host name (tcp). */
export function createByteTransport(settings: TransportSettings, target: string): Result<ByteTransport> {
  switch (settings.kind) {
    case 'serial':
      return ok(new SerialTransport({ path: target, settings }));
    case 'hid':
      return ok(
        new HidTransport({
          path: target,
          ...(settings.enableFeatureReport && { enableFeatureReport: settings.enableFeatureReport }),
        }),
      );
    case 'tcp':
      return ok(new TcpTransport({ host: target, port: settings.port }));
    case 'usb-printer':
      return ok(new UsbPrinterTransport({ path: target }));
    case 'simulated':
      return err('wrong-transport-kind', 'simulated links belong to the simulator, which makes its own');
    case 'pcsc':
      return err('wrong-transport-kind', 'PC/SC carries APDUs, not bytes: use createApduTransport');
  }
}

export function createApduTransport(
  settings: TransportSettings,
  readerName: string,
): Result<ApduTransport & { open(): Promise<void> }> {
  if (settings.kind !== 'pcsc') return err('wrong-transport-kind', `${settings.kind} is not an APDU transport`);
  return ok(new PcscTransport({ readerName }));
}
