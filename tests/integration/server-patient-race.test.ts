/**
 * Two kiosks check in the same new patient at the same moment on PostgreSQL: both get a ticket,
 * and there is one patient record (the loser of the race on the unique ID number retries and
 * matches the patient the winner created).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { AgentToServerEvents, CheckInReceipt, Result, ServerToAgentEvents } from '@kiosk/protocol';
import { startPostgres, type PostgresCluster } from '../support/postgres';
import { startServer, type RunningServer } from '../support/server-harness';
import { connectAgents, enrollAgent } from '../support/server-process';

let pg: PostgresCluster;
let server: RunningServer;
const agents: Socket<ServerToAgentEvents, AgentToServerEvents>[] = [];

beforeAll(async () => {
  pg = await startPostgres({ fsync: false });
  server = await startServer({
    DATABASE_URL: await pg.createDatabase('patient_race'),
    BOOTSTRAP_PAIRING_CODE: 'RACECODE1234',
  });
  agents.push(...(await connectAgents(server.url, await enrollAgent(server.url, 'RACECODE1234', 'kiosk-race'), 8)));
});

afterAll(async () => {
  for (const a of agents) a.close();
  await server?.stop();
  await pg?.stop();
});

describe('the same new patient at several kiosks at once (PostgreSQL)', () => {
  it('every kiosk gets a ticket and there is one patient record', async () => {
    for (let round = 0; round < 5; round++) {
      const idNumber = `0791880${String(10000 + round).slice(-5)}`;
      const results = await Promise.all(
        agents.map(
          (a) =>
            new Promise<Result<CheckInReceipt>>((resolve) =>
              a.emit(
                'checkin:submit',
                {
                  checkInId: randomUUID(),
                  identity: { source: 'cccd-qr', idNumber, fullName: 'Lê Văn Tám', dateOfBirth: '1970-01-01' },
                  serviceId: 'noi-tong-quat',
                  priorityClaims: [],
                  consent: true,
                },
                resolve,
              ),
            ),
        ),
      );
      expect(results.filter((r) => !r.ok)).toEqual([]);
      const patients = await server.app.services.db.kysely
        .selectFrom('patients')
        .select('id')
        .where('id_number', '=', idNumber)
        .execute();
      expect(patients).toHaveLength(1);
    }
  });
});
