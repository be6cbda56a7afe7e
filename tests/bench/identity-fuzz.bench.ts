/**
 * Fuzz throughput of the identity parsers (MRZ, QR, TLV, DG2, DG13, EF.SOD, and those of PACE, CA
 * and AA: EF.CardAccess, DG14, DG15, JP2 boxes). Run: npx tsx tests/bench/identity-fuzz.bench.ts
 * ≥ 100,000 fast-check cases per parser (random bytes, truncations and byte mutations of a
 * valid file): prints cases/s, the slowest single case (a hang would show here) and any throw.
 */
import fc from 'fast-check';
import {
  classifyScan,
  parseDg13,
  parseDg2,
  parseMrz,
  parseSod,
  parseCardAccess,
  parseDg14,
  parseDg15,
  jpeg2000Codestream,
} from '@kiosk/device-agent';
import { childrenOf, readTlvList, type Tlv } from '@kiosk/protocol';
import {
  buildCardAccess,
  buildCardFiles,
  buildSod,
  createTestPki,
  generateFaceJpeg2000,
  VirtualCccdChip,
  wrapJp2,
  SYNTHETIC_MRZ,
} from '@kiosk/device-agent';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
const files = buildCardFiles({ faceBytes: 1500 });
const pki = createTestPki();
const sod = buildSod({ dataGroups: files.dataGroups, signer: pki.documentSigner });

function bytesFrom(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }),
    fc.nat(valid.length).map((n) => valid.subarray(0, n)),
    fc
      .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
      .map((edits) => {
        const c = Uint8Array.from(valid);
        for (const [i, b] of edits) c[i] = b;
        return c;
      }),
  );
}

function walk(list: readonly Tlv[], depth: number): void {
  if (depth > 8) return;
  for (const t of list) {
    if (!t.constructed) continue;
    const k = childrenOf(t);
    if (k.ok) walk(k.value, depth + 1);
  }
}

function run<T>(name: string, arb: fc.Arbitrary<T>, parse: (input: T) => unknown): void {
  let slowest = 0;
  const t0 = performance.now();
  const out = fc.check(
    fc.property(arb, (input) => {
      const t = performance.now();
      parse(input);
      slowest = Math.max(slowest, performance.now() - t);
    }),
    { numRuns: RUNS },
  );
  const ms = performance.now() - t0;
  const status = out.failed
    ? `FAILED after ${out.numRuns} cases: ${String(out.errorInstance).slice(0, 200)}`
    : 'no throw';
  console.log(
    `${name.padEnd(14)} ${out.numRuns.toLocaleString('en')} cases in ${(ms / 1000).toFixed(2)} s → ` +
      `${Math.round((out.numRuns / ms) * 1000).toLocaleString('en')} cases/s, slowest case ${slowest.toFixed(2)} ms, ${status}`,
  );
}

run('BER-TLV', bytesFrom(sod), (b) => {
  const r = readTlvList(b);
  if (r.ok) walk(r.value, 0);
});
run('DG13', bytesFrom(files.dataGroups.get(13) ?? new Uint8Array(0)), parseDg13);
run('EF.SOD', bytesFrom(sod), parseSod);
run('DG2', bytesFrom(files.dataGroups.get(2) ?? new Uint8Array(0)), parseDg2);
const mrz = SYNTHETIC_MRZ.join('\n');
run(
  'MRZ',
  fc.oneof(
    fc.string({ maxLength: 100 }),
    fc
      .tuple(fc.nat(mrz.length - 1), fc.constantFrom(...'019AZ<\n#'))
      .map(([i, c]) => mrz.slice(0, i) + c + mrz.slice(i + 1)),
  ),
  parseMrz,
);
const qr = '079188012345||Nguyễn Thị Lan|12031988|Nữ|Phường Ninh Kiều, TP. Cần Thơ|10052021';
run(
  'classifyScan',
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.nat(qr.length).map((n) => qr.slice(0, n)),
    fc.tuple(fc.nat(qr.length - 1), fc.string({ maxLength: 3 })).map(([i, s]) => qr.slice(0, i) + s + qr.slice(i + 1)),
  ),
  classifyScan,
);

// PACE, chip and active authentication inputs.
const chip = new VirtualCccdChip({ pki, faceBytes: 1500, chipAuthentication: 'aes', activeAuthentication: 'ecdsa' });
run('EF.CardAccess', bytesFrom(buildCardAccess('0.4.0.127.0.7.2.2.4.2.2', 13)), parseCardAccess);
run('DG14', bytesFrom(chip.dataGroups.get(14) ?? new Uint8Array(0)), parseDg14);
run('DG15', bytesFrom(chip.dataGroups.get(15) ?? new Uint8Array(0)), parseDg15);
run(
  'JP2 boxes',
  bytesFrom(wrapJp2(await generateFaceJpeg2000({ widthPx: 64, heightPx: 64 }), 64, 64)),
  jpeg2000Codestream,
);
