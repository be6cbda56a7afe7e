/**
 * How fast the EMR outbox drains into the FHIR test engine (@medplum/fhir-router over HTTP, in its
 * own process). N check-ins are stored through the check-in service with the outbox worker stopped
 * (as after an EMR outage: every delivery waiting), then the worker starts and the time until the
 * last delivery is recorded — each delivery is the real path: claim, FHIR transaction (Patient,
 * Coverage, Encounter with conditional creates), appointment search, results written back.
 * Afterwards the engine must hold exactly one Encounter per check-in and one Patient per person.
 * Target: ≥ 200 check-ins per second. Server on SQLite (the default), default outbox settings.
 * Run: npx tsx tests/bench/integration-outbox-drain.bench.ts [check-ins]
 */
import { randomUUID } from 'node:crypto';

import type { Identity } from '@kiosk/protocol';

import { forkFhirEngine } from '../support/fhir-engine-process';

import { startServer } from '../support/server-harness';

await main();

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000);
  const engine = await forkFhirEngine();
  const { info } = engine;
  const server = await startServer({
    EMR_MODE: 'fhir',
    FACILITY_CODE: '92012',
    FHIR_BASE_URL: info.baseUrl,
    FHIR_TOKEN_URL: info.tokenUrl,
    FHIR_CLIENT_ID: info.clientId,
    FHIR_CLIENT_SECRET: info.clientSecret,
  });
  const { integrations, services } = server.app;
  await integrations.worker.stop();

  // Four in five check-ins are new patients, one in five a second visit of an earlier one.
  const people = Math.ceil(n * 0.8);
  const person = (i: number): Identity => ({
    source: 'chip',
    idNumber: `0792${String(i).padStart(8, '0')}`,
    ...(i % 2 === 0 ? { insuranceNumber: `GD479${String(i).padStart(10, '0')}` } : {}),
    fullName: 'Nguyễn Văn Thử',
    dateOfBirth: '1980-01-15',
    sex: 'male',
  });
  const storeStarted = performance.now();
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, k) => {
        const j = i + k;
        const who = j < people ? j : (j * 7919) % people;
        return services.checkIn.checkIn(
          {
            checkInId: randomUUID(),
            identity: person(who),
            serviceId: ['noi-tong-quat', 'nhi-khoa', 'tai-mui-hong'][j % 3] ?? 'noi-tong-quat',
            priorityClaims: [],
            consent: true,
          },
          null,
        );
      }),
    );
  }
  const storeMs = performance.now() - storeStarted;
  const waiting = await integrations.outbox.depth();
  if (waiting.pending !== n) throw new Error(`expected ${n} pending deliveries, found ${waiting.pending}`);

  const started = performance.now();
  integrations.worker.start();
  for (;;) {
    const d = await integrations.outbox.depth();
    if (d.pending + d.delivering === 0) {
      if (d.failed > 0) throw new Error(`${d.failed} deliveries failed`);
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const drainMs = performance.now() - started;
  const counts = await engine.ask('counts');
  await server.stop();
  engine.stop();

  const rate = n / (drainMs / 1000);
  console.log(`${n} check-ins stored in ${storeMs.toFixed(0)} ms with the worker stopped`);
  console.log(`drained in ${drainMs.toFixed(0)} ms = ${rate.toFixed(0)} check-ins/s (target ≥ 200)`);
  console.log(
    `engine: ${counts.patients} Patients (expected ${people}), ${counts.encounters} Encounters (expected ${n}), ${counts.coverages} Coverages`,
  );
  const exact = counts.patients === people && counts.encounters === n;
  if (!exact) console.log('NOT exactly once');
  process.exitCode = rate >= 200 && exact ? 0 : 1;
}
