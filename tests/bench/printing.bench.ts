/**
 * Receipt printing figures (targets from the printing brief):
 *  1. an 80 mm ticket with four Vietnamese lines: bytes ready, median warm ≤ 10 ms, ≤ 8 KB;
 *  2. print request → cut on the simulated 38,400-baud link ≤ 1.1 × the wire time of its bytes
 *     (the real driver: status check, chunked writes, simulated printer decoding every byte);
 *  3. the same ticket in plain ASCII built by our encoder and by node-thermal-printer:
 *     ours must be neither slower nor larger.
 * Run: npx tsx tests/bench/printing.bench.ts [iterations]
 */
import { CharacterSet, PrinterTypes, ThermalPrinter } from 'node-thermal-printer';
import type { Ticket } from '@kiosk/protocol';
import { profileById, type PrinterProfile } from '@kiosk/hardware-profiles';
import {
  EscPosPrinterDriver,
  SimulatedByteTransport,
  attachSimulatedPrinter,
  decodeEscPos,
  encodeItems,
  encodeTicket,
  layoutTicket,
  vietnameseLabels,
  type TicketItem,
} from '@kiosk/device-agent';
import { plainVietnameseTicket as vietnameseTicket } from '@kiosk/device-agent/testing';
import { median } from './stats';

const iterations = Number(process.argv[2] ?? 300);
const BAUD = 38_400;
const base = profileById('simulated.printer-80');
if (!base || base.class !== 'printer') throw new Error('simulated.printer-80 missing');
const profile: PrinterProfile = base;

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`  ${ok ? 'PASS' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const timeMedian = (fn: () => unknown, runs = iterations): number => {
  for (let i = 0; i < Math.min(50, runs); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
};
const wireMs = (bytes: number) => (bytes * 10 * 1000) / BAUD;

// ---- 1. bytes ready -----------------------------------------------------------------------
console.log(`printing bench — Node ${process.version}, ${iterations} iterations`);
const coldStart = performance.now();
const viBytes = encodeTicket(vietnameseTicket, profile).bytes;
const coldMs = performance.now() - coldStart;
const rasterLines = decodeEscPos(viBytes).blocks.filter((b) => b.kind === 'raster').length;
const viMs = timeMedian(() => encodeTicket(vietnameseTicket, profile).bytes);
console.log(`\n1. 80 mm ticket, ${rasterLines} Vietnamese (raster) lines`);
console.log(
  `  bytes ready: median ${viMs.toFixed(3)} ms warm (first call ${coldMs.toFixed(1)} ms, font parse included)`,
);
console.log(`  size: ${viBytes.length} bytes`);
check(rasterLines === 4, 'four Vietnamese lines');
check(viMs <= 10, 'median warm ≤ 10 ms');
check(viBytes.length <= 8 * 1024, '≤ 8 KB');

// ---- 2. print → cut on the simulated 38,400-baud link --------------------------------------
console.log(`\n2. print request → cut over a simulated ${BAUD}-baud link`);
const ratios: number[] = [];
const totals: number[] = [];
for (let run = 0; run < 5; run++) {
  const transport = new SimulatedByteTransport('bench-printer', { baudRate: BAUD });
  const printer = attachSimulatedPrinter(transport, profile);
  const driver = new EscPosPrinterDriver(transport, profile, { pollIntervalMs: 0 });
  await driver.start();
  const cut = printer.nextJob(30_000);
  const t0 = performance.now();
  const result = driver.print(vietnameseTicket);
  const job = await cut;
  const elapsed = job.finishedAt - t0;
  if ((await result).state !== 'confirmed') throw new Error('bench print failed');
  ratios.push(elapsed / wireMs(viBytes.length));
  totals.push(elapsed);
  await driver.dispose();
  printer.detach();
}
const ratio = median(ratios);
console.log(`  wire time of ${viBytes.length} bytes: ${wireMs(viBytes.length).toFixed(1)} ms`);
console.log(
  `  request → cut: median ${median(totals).toFixed(1)} ms = ${ratio.toFixed(3)} × wire time (runs: ${ratios.map((r) => r.toFixed(3)).join(', ')})`,
);
check(ratio <= 1.1, 'request → cut ≤ 1.1 × wire time');

// ---- 3. the same ASCII ticket: ours vs node-thermal-printer --------------------------------
const asciiTicket: Ticket = {
  ...vietnameseTicket,
  hospitalName: 'Benh vien Da khoa Trung uong Can Tho',
  department: 'Khoa Tai Mui Hong',
  maskedName: 'Nguyen Thi Ngoc Diep',
};
const labels = { ...vietnameseLabels, room: (room: string, floor: number) => `Phong ${room} - Tang ${floor}` };
const items: TicketItem[] = layoutTicket(asciiTicket, { labels });
const oursAscii = () => encodeItems(items, profile, { qrModuleDots: 8 }).bytes;

// One instance, cleared per ticket (their cheapest use); the file interface is never opened.
const ntp = new ThermalPrinter({
  type: PrinterTypes.EPSON,
  interface: '/dev/null',
  width: 48,
  characterSet: CharacterSet.PC437_USA,
});
const theirs = () => {
  const p = ntp;
  p.clear();
  for (const item of items) {
    switch (item.kind) {
      case 'text':
        if (item.align === 'center') p.alignCenter();
        else p.alignLeft();
        if (item.bold) p.bold(true);
        p.println(item.text);
        if (item.bold) p.bold(false);
        break;
      case 'number':
        p.alignCenter();
        p.bold(true);
        p.setTextSize(3, 3);
        p.println(item.text);
        p.setTextNormal();
        p.bold(false);
        break;
      case 'rule':
        p.drawLine();
        break;
      case 'feed':
        p.newLine();
        break;
      case 'qr':
        p.alignCenter();
        p.printQR(item.payload, { cellSize: 8, correction: 'M', model: 2 });
        p.newLine();
        break;
    }
  }
  p.cut();
  return p.getBuffer();
};

const oursBytes = oursAscii();
const theirBytes = theirs();
const oursMs = timeMedian(oursAscii);
const theirMs = timeMedian(theirs);
const oursDecoded = decodeEscPos(oursBytes);
const theirDecoded = decodeEscPos(new Uint8Array(theirBytes));
console.log('\n3. the same ASCII-only ticket');
console.log(`  ours:                 ${oursBytes.length} bytes, median ${oursMs.toFixed(3)} ms`);
console.log(`  node-thermal-printer: ${theirBytes.length} bytes, median ${theirMs.toFixed(3)} ms`);
console.log(
  `  same text printed: ${JSON.stringify(oursDecoded.lines.filter(Boolean)) === JSON.stringify(theirDecoded.lines.filter(Boolean)) ? 'yes' : `no\n    ours  ${JSON.stringify(oursDecoded.lines)}\n    their ${JSON.stringify(theirDecoded.lines)}`}`,
);
console.log(`  QR: ours ${JSON.stringify(oursDecoded.qrPayloads)}, theirs ${JSON.stringify(theirDecoded.qrPayloads)}`);
check(oursMs <= theirMs, 'ours not slower than node-thermal-printer');
check(oursBytes.length <= theirBytes.length, 'ours not larger than node-thermal-printer');

console.log(failures.length ? `\n${failures.length} target(s) missed` : '\nall printing targets met');
process.exitCode = failures.length ? 1 : 0;
