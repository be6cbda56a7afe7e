/**
 * Check-in latency through the FHIR adapter against the FHIR engine's own transaction time, in the
 * same run, on the same engine (@medplum/fhir-router over HTTP on 127.0.0.1, its own process):
 *  - adapter: FhirAdapter.checkIn (bundle built and validated, cached OAuth2 token, one HTTP
 *    transaction, response parsed; FHIR_APPOINTMENTS=in-bundle, so one round trip);
 *  - raw: the same kind of Bundle, prebuilt and serialised outside the timing, posted with a bare
 *    keep-alive HTTP request and its body read — the engine's transaction time as any client sees it;
 *  - engine: the router's own handling time inside the engine (no HTTP), reported for scale.
 * Adapter and raw check-ins alternate (new patients, then repeat visits) so both see the same engine
 * state. Target: adapter median ≤ 1.10 × raw median.
 * With `separate` (the default FHIR_APPOINTMENTS), both sides also make the appointment search as a
 * second request.
 * Run: npx tsx tests/bench/integration-fhir-latency.bench.ts [check-ins per side] [in-bundle|separate]
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';

import { FhirAdapter, appointmentSearchUrl, checkInBundle, visitNumberOf, type EmrCheckIn } from '@kiosk/server';

import { forkFhirEngine } from '../support/fhir-engine-process';

import { median, percentile } from './stats';

await main();

function checkInOf(i: number, repeat: boolean): EmrCheckIn {
  const n = repeat ? i % 1000 : i;
  const ticket = `A${String(i).padStart(4, '0')}`;
  return {
    patient: {
      patientId: randomUUID(),
      nationalId: `0791${String(n).padStart(8, '0')}`,
      insuranceNumber: `GD479${String(n).padStart(10, '0')}`,
      fullName: 'Nguyễn Văn Thử',
      dateOfBirth: '1980-01-15',
      sex: 'male',
      address: 'Phường Ninh Kiều, TP. Cần Thơ',
    },
    coverage: { cardNumber: `GD479${String(n).padStart(10, '0')}`, validFrom: '2026-01-01', validTo: '2026-12-31' },
    visit: {
      visitNumber: visitNumberOf('92012', '2026-11-22', ticket),
      visitId: randomUUID(),
      checkInId: randomUUID(),
      ticketNumber: ticket,
      serviceId: 'noi-tong-quat',
      serviceName: 'Khám Nội tổng quát',
      department: 'Khoa Khám bệnh',
      room: '101',
      arrivedAt: '2026-11-22T01:30:00.000Z',
      day: '2026-11-22',
      utcOffset: '+07:00',
    },
  };
}

async function main(): Promise<void> {
  const perSide = Number(process.argv[2] ?? 1000);
  const appointments: 'separate' | 'in-bundle' = process.argv[3] === 'separate' ? 'separate' : 'in-bundle';
  const engine = await forkFhirEngine();
  const { info } = engine;
  const options = {
    baseUrl: info.baseUrl,
    tokenUrl: info.tokenUrl,
    clientId: info.clientId,
    clientSecret: info.clientSecret,
    timeoutMs: 10_000,
    facilityCode: '92012',
    facilitySystem: 'urn:kiosk:facility-code',
    facilityName: 'Bệnh viện Đa khoa Thành phố Cần Thơ',
    serviceSystem: 'urn:kiosk:service',
    encounterClass: 'AMB',
    appointments,
  };
  const adapter = new FhirAdapter(options);
  const token = await adapter.token?.get();
  if (!token?.ok) throw new Error('no token');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const raw = (bundle: unknown, path = '') =>
    new Promise<void>((resolve, reject) => {
      const body = bundle === undefined ? '' : JSON.stringify(bundle);
      const req = http.request(
        `${info.baseUrl}${path}`,
        {
          method: bundle === undefined ? 'GET' : 'POST',
          agent,
          headers: {
            'content-type': 'application/fhir+json',
            authorization: `Bearer ${token.value}`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (res.statusCode === 200) resolve();
            else reject(new Error(`raw ${res.statusCode}`));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const adapterMs: number[] = [];
  const rawMs: number[] = [];
  const warmup = 300;
  const total = warmup + perSide;
  for (let i = 0; i < total; i++) {
    const repeat = i >= total / 2;
    const a = checkInOf(2 * i, repeat);
    const b = checkInOf(2 * i + 1, repeat);
    const bundle = checkInBundle(b, { ...options, appointmentSearchInBundle: appointments === 'in-bundle' }).bundle;
    // Alternate which goes first, so neither always follows the other's garbage.
    let tAdapter = 0;
    let tRaw = 0;
    const viaAdapter = async () => {
      const t = performance.now();
      const r = await adapter.deliverCheckIn(a, { controlId: `B${i}` });
      tAdapter = performance.now() - t;
      if (!r.ok) throw new Error(`adapter: ${r.error.code} ${r.error.message}`);
    };
    const viaRaw = async () => {
      const t = performance.now();
      await raw(bundle);
      // The adapter searches by the Patient id from the response; any id does for the timing.
      if (appointments === 'separate')
        await raw(undefined, `/${appointmentSearchUrl('Patient/bench', b.visit.day, b.visit.utcOffset)}`);
      tRaw = performance.now() - t;
    };
    if (i % 2 === 0) {
      await viaAdapter();
      await viaRaw();
    } else {
      await viaRaw();
      await viaAdapter();
    }
    if (i >= warmup) {
      adapterMs.push(tAdapter);
      rawMs.push(tRaw);
    }
  }
  const inside = (await engine.ask('engine-ms')).slice(2 * warmup);
  await adapter.close();
  agent.destroy();
  engine.stop();

  const ratio = median(adapterMs) / median(rawMs);
  // Pairs ran back to back: their ratio is less sensitive to load from other processes.
  const pairwise = median(adapterMs.map((a, i) => a / (rawMs[i] ?? a)));
  console.log(
    `FHIR_APPOINTMENTS=${appointments}; check-ins per side: ${perSide} (after ${warmup} warm-up), half new patients, half repeat visits`,
  );
  console.log(`adapter  median ${median(adapterMs)} ms  p95 ${percentile(adapterMs, 95)} ms`);
  console.log(`raw POST median ${median(rawMs)} ms  p95 ${percentile(rawMs, 95)} ms`);
  console.log(`engine (router only, per FHIR request) median ${median(inside)} ms  p95 ${percentile(inside, 95)} ms`);
  console.log(
    `adapter / raw = ${ratio.toFixed(3)} × (target ≤ 1.10); median of back-to-back pairs ${pairwise.toFixed(3)} ×`,
  );
  process.exitCode = ratio <= 1.1 ? 0 : 1;
}
