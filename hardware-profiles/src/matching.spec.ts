import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { catalogue, profileById } from './catalogue';
import { fingerprintWeights, matchProfile, rankProfiles, scoreFingerprint, type DeviceFingerprint } from './matching';
import type { DeviceProfile } from './schema';

describe('scoreFingerprint', () => {
  const device: DeviceFingerprint = {
    class: 'printer',
    vendorId: 0x1234,
    productId: 0x5678,
    manufacturer: 'ACME Corp',
    path: '/dev/serial/by-id/usb-ACME_Printer-if00',
  };

  it('orders vid+pid < vid+pid+manufacturer < vid+pid+path', () => {
    const vp = scoreFingerprint({ vendorId: 0x1234, productId: 0x5678 }, device);
    const vpm = scoreFingerprint({ vendorId: 0x1234, productId: 0x5678, manufacturer: 'acme' }, device);
    const vpp = scoreFingerprint({ vendorId: 0x1234, productId: 0x5678, path: 'ACME_Printer' }, device);
    expect(vp).toBeGreaterThan(0);
    expect(vpm).toBeGreaterThan(vp);
    expect(vpp).toBeGreaterThan(vpm);
  });

  it('scores 0 when any named field disagrees or is unknown on the device', () => {
    expect(scoreFingerprint({ vendorId: 0x1234, productId: 0x9999 }, device)).toBe(0);
    expect(scoreFingerprint({ vendorId: 0x1234, usagePage: 0x8c }, device)).toBe(0);
    expect(scoreFingerprint({ readerName: 'ACS' }, device)).toBe(0);
    expect(scoreFingerprint({}, device)).toBe(0);
  });

  it('treats an invalid pattern as no match instead of throwing', () => {
    expect(scoreFingerprint({ path: '([' }, device)).toBe(0);
  });

  it('sums the weights of the matched fields', () => {
    expect(scoreFingerprint({ vendorId: 0x1234 }, device)).toBe(fingerprintWeights.vendorId);
  });
});

describe('matchProfile', () => {
  it('recognises readers by PC/SC name and by USB ids', () => {
    expect(
      matchProfile({ class: 'card-reader', readerName: 'ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00' })
        .profile.id,
    ).toBe('acs.acr1252u');
    expect(matchProfile({ class: 'card-reader', vendorId: 0x076b, productId: 0x5022 }).profile.id).toBe(
      'hid-omnikey.5022',
    );
    expect(
      matchProfile({ class: 'card-reader', readerName: 'HID Global OMNIKEY 5422CL Smartcard Reader 01 00' }).profile.id,
    ).toBe('hid-omnikey.5422');
    expect(matchProfile({ class: 'card-reader', vendorId: 0x096e, productId: 0x060d }).profile.id).toBe('feitian.r502');
  });

  it('tells Epson models that share a product id apart by their product string', () => {
    const base = { class: 'printer', vendorId: 0x04b8, productId: 0x0202, manufacturer: 'EPSON' } as const;
    expect(matchProfile({ ...base, product: 'TM-T88VI' }).profile.id).toBe('epson.tm-t88vi');
    expect(matchProfile({ ...base, product: 'TM-T82III' }).profile.id).toBe('epson.tm-t82iii');
  });

  it('prefers a product-string match over a bare shared vid+pid', () => {
    const m = matchProfile({ class: 'printer', vendorId: 0x0416, productId: 0x5011, product: 'XP-58IIH' });
    expect(m.profile.id).toBe('xprinter.xp-58iih');
    expect(matchProfile({ class: 'printer', vendorId: 0x0416, productId: 0x5011 }).profile.id).toBe('zjiang.pos-5890');
  });

  it('matches scanners by vendor and HID POS usage page, and CDC ports by path', () => {
    expect(matchProfile({ class: 'scanner', vendorId: 0x0c2e, usagePage: 0x8c }).profile.id).toBe(
      'honeywell.voyager-1470g',
    );
    expect(
      matchProfile({ class: 'scanner', vendorId: 0x0c2e, usagePage: 0x8c, product: 'Xenon 1900g' }).profile.id,
    ).toBe('honeywell.xenon-1900');
    expect(
      matchProfile({ class: 'scanner', vendorId: 0x05e0, productId: 0x1701, path: '/dev/ttyACM0' }).profile.id,
    ).toBe('zebra.ds2208');
  });

  it('gives unknown devices the generic profile of their class with score 0', () => {
    const printer = matchProfile({ class: 'printer', vendorId: 0xdead, productId: 0xbeef });
    expect(printer).toMatchObject({ score: 0 });
    expect(printer.profile.generic).toBe(true);
    expect(printer.profile.class).toBe('printer');

    const hidScanner = matchProfile({ class: 'scanner', vendorId: 0xdead, usagePage: 0x8c });
    expect(hidScanner.profile.id).toBe('generic.hid-pos-scanner');
    expect(hidScanner.score).toBe(0);

    const cdcScanner = matchProfile({ class: 'scanner', vendorId: 0xdead, path: '/dev/ttyACM3' });
    expect(cdcScanner.profile.id).toBe('generic.usb-cdc-scanner');

    const reader = matchProfile({ class: 'card-reader', readerName: 'Virtual PCD 00 00' });
    expect(reader.profile.id).toBe('generic.pcsc-contactless');
    expect(reader.score).toBe(0);
  });

  it('never lets a generic profile beat a specific one', () => {
    // generic.usb-cdc-scanner matches any /dev/ttyACM path (path weight 40) but Zebra's vid+pid wins.
    const m = matchProfile({ class: 'scanner', vendorId: 0x05e0, productId: 0x1701, path: '/dev/ttyACM0' });
    expect(m.profile.generic).toBe(false);
  });

  it('never returns a simulated profile or a profile of another class', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            class: fc.constantFrom('printer', 'scanner', 'card-reader' as const),
            vendorId: fc.integer({ min: 0, max: 0xffff }),
            productId: fc.integer({ min: 0, max: 0xffff }),
            manufacturer: fc.string(),
            product: fc.string(),
            path: fc.string(),
            usagePage: fc.constantFrom(0x01, 0x8c),
            readerName: fc.string(),
          },
          { requiredKeys: ['class'] },
        ),
        (device) => {
          const m = matchProfile(device as DeviceFingerprint);
          expect(m.profile.class).toBe(device.class);
          expect(m.profile.simulated).toBe(false);
          expect(m.score).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('every non-generic profile is the match for its own best fingerprint', () => {
    for (const p of catalogue) {
      if (p.simulated || p.generic) continue;
      const fps = [...p.match].sort((a, b) => Object.keys(b).length - Object.keys(a).length);
      const matchedSomewhere = fps.some((fp) => {
        const device = fingerprintToDevice(p, fp);
        return rankProfiles(device).some((m) => m.profile.id === p.id);
      });
      expect(matchedSomewhere, p.id).toBe(true);
    }
  });

  it('ranks every recognising profile, best first', () => {
    const ranked = rankProfiles({
      class: 'printer',
      vendorId: 0x04b8,
      productId: 0x0202,
      manufacturer: 'EPSON',
      product: 'TM-T88VI',
    });
    expect(ranked[0]?.profile.id).toBe('epson.tm-t88vi');
    expect(profileById(ranked[0]?.profile.id ?? '')).toBeDefined();
  });
});

/** A device that satisfies a fingerprint: patterns are given a literal sample that matches them. */
function fingerprintToDevice(p: DeviceProfile, fp: DeviceProfile['match'][number]): DeviceFingerprint {
  const sample = (source: string) =>
    source
      .replace(/^\^/u, '')
      .replace(/\$$/u, '')
      .replace(/\\d\+/gu, '0')
      .replace(/\(([^|)]*)[^)]*\)/gu, '$1')
      .replace(/\|.*$/u, '')
      .replace(/\\b/gu, '')
      .replace(/\\/gu, '');
  return {
    class: p.class,
    ...(fp.vendorId !== undefined && { vendorId: fp.vendorId }),
    ...(fp.productId !== undefined && { productId: fp.productId }),
    ...(fp.manufacturer !== undefined && { manufacturer: fp.manufacturer }),
    ...(fp.product !== undefined && { product: fp.product }),
    ...(fp.path !== undefined && { path: sample(fp.path) }),
    ...(fp.usagePage !== undefined && { usagePage: fp.usagePage }),
    ...(fp.readerName !== undefined && { readerName: sample(fp.readerName) }),
  };
}
