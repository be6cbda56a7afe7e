/** Public display ↔ server, namespace /display: facts only, and no personal data. */
import type { CalledTicket } from './staff.events';

export interface ServerToDisplayEvents {
  'call:announced': (call: CalledTicket) => void;
  /** On connection: the recent calls the board shows. */
  'board:refreshed': (calls: CalledTicket[]) => void;
}
export type DisplayToServerEvents = Record<string, never>;
