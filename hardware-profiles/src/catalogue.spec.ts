// Specs may read the source tree; the no-I/O rule is for the package's runtime code.
// eslint-disable-next-line no-restricted-imports
import { readdirSync } from 'node:fs';
// eslint-disable-next-line no-restricted-imports
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogue, profileById, profileModules } from './catalogue';
import { deviceProfileSchema } from './schema';

const classDirs = ['printers', 'scanners', 'readers', 'terminals'] as const;
const srcDir = fileURLToPath(new URL('.', import.meta.url));

describe('catalogue', () => {
  it('every registered profile validates against the schema', () => {
    for (const [file, profiles] of Object.entries(profileModules)) {
      for (const p of profiles) {
        const parsed = deviceProfileSchema.safeParse(p);
        expect(parsed.success, `${file}: ${p.id} ${parsed.error?.message ?? ''}`).toBe(true);
      }
    }
  });

  it('ids are unique', () => {
    const ids = catalogue.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every profile file in printers/ scanners/ readers/ terminals/ is registered in profileModules', () => {
    const onDisk = classDirs.flatMap((dir) =>
      readdirSync(`${srcDir}${dir}`)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
        .map((f) => `${dir}/${f.replace(/\.ts$/u, '')}`),
    );
    expect(onDisk.length).toBeGreaterThan(10);
    expect(Object.keys(profileModules).sort()).toEqual(onDisk.sort());
  });

  it('files sit under the directory of their class', () => {
    const dirOf = {
      printer: 'printers',
      scanner: 'scanners',
      'card-reader': 'readers',
      'payment-terminal': 'terminals',
    } as const;
    for (const [file, profiles] of Object.entries(profileModules)) {
      for (const p of profiles) expect(file.startsWith(`${dirOf[p.class]}/`), `${p.id} in ${file}`).toBe(true);
    }
  });

  it('keeps the simulated profiles the rest of the agent relies on', () => {
    expect(profileById('simulated.printer-80')?.class).toBe('printer');
    expect(profileById('simulated.scanner')?.class).toBe('scanner');
    expect(profileById('simulated.card-reader')?.class).toBe('card-reader');
    expect(profileById('simulated.card-reader-mrz')).toMatchObject({ capabilities: { mrzOptics: true } });
    for (const id of [
      'simulated.printer-80',
      'simulated.scanner',
      'simulated.card-reader',
      'simulated.card-reader-mrz',
    ]) {
      expect(profileById(id)?.simulated).toBe(true);
    }
  });

  it('has exactly one plain simulated profile and at least one generic profile per class', () => {
    // Richer simulated devices are profiles of their own (a reader with MRZ optics).
    const plain = (p: (typeof catalogue)[number]) => p.class !== 'card-reader' || !p.capabilities.mrzOptics;
    for (const cls of ['printer', 'scanner', 'card-reader'] as const) {
      expect(catalogue.filter((p) => p.class === cls && p.simulated && plain(p))).toHaveLength(1);
      expect(catalogue.filter((p) => p.class === cls && p.generic).length).toBeGreaterThan(0);
    }
  });

  it('every path and reader-name pattern is a valid regular expression', () => {
    for (const p of catalogue) {
      for (const fp of p.match) {
        for (const source of [fp.path, fp.readerName]) {
          if (source !== undefined) expect(() => new RegExp(source, 'iu'), `${p.id}: ${source}`).not.toThrow();
        }
      }
    }
  });

  it('non-simulated, non-generic profiles have at least one fingerprint; fingerprints are never empty', () => {
    for (const p of catalogue) {
      if (!p.simulated && !p.generic) expect(p.match.length, p.id).toBeGreaterThan(0);
      for (const fp of p.match) expect(Object.keys(fp).length, p.id).toBeGreaterThan(0);
    }
  });

  it('printer capabilities are self-consistent', () => {
    for (const p of catalogue) {
      if (p.class !== 'printer') continue;
      const c = p.capabilities;
      // 80 mm paper prints 72 mm (512 dots at 180 dpi, 576 at 203); 58 mm prints 48 mm (384 at 203).
      const printableMm = c.paperWidthMm === 80 ? 72 : 48;
      expect(Math.abs((c.dotsPerLine / c.dpi) * 25.4 - printableMm), p.id).toBeLessThan(1);
      expect(c.columns.fontB, p.id).toBeGreaterThan(c.columns.fontA);
      expect(c.codePages.some((cp) => cp.encoding === 'cp437' && cp.number === 0) || p.simulated, p.id).toBe(true);
    }
  });

  it('Vietnamese code-page numbers follow the vendor tables of hardware.md', () => {
    const cp1258 = (id: string) => {
      const p = profileById(id);
      return p?.class === 'printer'
        ? p.capabilities.codePages.filter((c) => c.encoding === 'cp1258').map((c) => c.number)
        : [];
    };
    expect(cp1258('epson.tm-t88vi')).toEqual([52]);
    expect(cp1258('epson.tm-t20iii')).toEqual([52]);
    expect(cp1258('rongta.rp326')).toEqual([35]);
    expect(cp1258('zjiang.pos-5890')).toEqual([27, 94]);
  });

  it('serial transports of scanners declare how a frame ends', () => {
    for (const p of catalogue) {
      if (p.class !== 'scanner') continue;
      for (const t of p.transports) if (t.kind === 'serial') expect(t.framing, p.id).toBeDefined();
    }
  });
});

describe('readers used at Vietnamese kiosks and counters', () => {
  const named = catalogue.filter((p) => !p.simulated && !p.generic);

  it('names at least 20 real models (what `kiosk-agent profiles` lists)', () => {
    expect(named.length).toBeGreaterThanOrEqual(20);
  });

  it('has an all-in-one reader with MRZ/QR optics, and plain pads without', () => {
    const readers = named.filter((p) => p.class === 'card-reader');
    const optics = readers.filter((p) => p.capabilities.mrzOptics === true);
    expect(optics.length).toBeGreaterThan(0);
    expect(readers.filter((p) => p.capabilities.mrzOptics !== true).length).toBeGreaterThan(0);
  });

  it('every named reader says what is unconfirmed about it', () => {
    for (const p of named) if (p.class === 'card-reader') expect(p.uncertain.length, p.id).toBeGreaterThan(0);
  });

  it('the new readers are found by their USB ids or PC/SC names', async () => {
    const { matchProfile } = await import('./matching');
    expect(matchProfile({ class: 'card-reader', vendorId: 0x072f, productId: 0x2200 }).profile.id).toBe('acs.acr122u');
    expect(matchProfile({ class: 'card-reader', readerName: 'ACS ACR122U PICC Interface 00 00' }).profile.id).toBe(
      'acs.acr122u',
    );
    expect(matchProfile({ class: 'card-reader', readerName: 'Identiv uTrust 3700 F CL Reader 00 00' }).profile.id).toBe(
      'identiv.utrust-3700f',
    );
    expect(matchProfile({ class: 'card-reader', readerName: 'Thales CR5400 RFID 00 00' }).profile.id).toBe(
      'thales.cr5400',
    );
  });
});
