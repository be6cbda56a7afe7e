/**
 * A real HL7 v2 MLLP peer for the HL7 suites: node-hl7-server 2.5.0 (with node-hl7-client 2.3)
 * on 127.0.0.1, which parses each message and builds its ACK. The test decides the answer: AA,
 * AE, AR, or none for the next N messages (a HIS that takes too long). Every received message is
 * kept with its control id and parsed fields.
 *
 * node-hl7-server 2.5.0 never clears its per-connection buffer: on a kept-alive connection each new
 * message is parsed together with the earlier ones, which are received and acknowledged again
 * (our client ignores ACKs naming another control id). Suites that count received messages
 * connect per message.
 */
import { Server } from 'node-hl7-server';
import { freePort } from './free-port';

export interface ReceivedMessage {
  controlId: string;
  type: string;
  /** `get('PID.3')`-style access to the parsed message. */
  field(path: string): string;
  raw: string;
}

export interface MllpPeer {
  port: number;
  received: ReceivedMessage[];
  /** Answer of the messages to come. */
  answer: 'AA' | 'AE' | 'AR';
  /** The next N messages get no answer at all. */
  silentFor: number;
  close(): Promise<void>;
}

export async function startMllpPeer(): Promise<MllpPeer> {
  const port = await freePort();
  const server = new Server({ bindAddress: '127.0.0.1' });
  const peer: MllpPeer = {
    port,
    received: [],
    answer: 'AA',
    silentFor: 0,
    close: async () => {
      await inbound.close();
    },
  };
  const inbound = server.createInbound({ port }, async (req, res) => {
    const message = req.getMessage();
    peer.received.push({
      controlId: message.get('MSH.10').toString(),
      type: `${message.get('MSH.9.1').toString()}^${message.get('MSH.9.2').toString()}`,
      field: (path: string) => message.get(path).toString(),
      raw: message.toString(),
    });
    if (peer.silentFor > 0) {
      peer.silentFor -= 1;
      return;
    }
    await res.sendResponse(peer.answer);
  });
  await new Promise<void>((resolve, reject) => {
    inbound.once('listen', () => resolve());
    inbound.once('error', reject);
  });
  return peer;
}
