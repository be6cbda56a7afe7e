/**
 * Public display ↔ server, namespace /display: facts only, and no personal data. A display
 * connects with its credential (`auth: { credential }`, display-board.ts); without a valid one the
 * connection is refused with `display-unpaired`, and a revoked display is disconnected.
 */
import type { BoardConfig } from './display-board';
import type { CalledTicket } from './staff.events';

export interface ServerToDisplayEvents {
  'call:announced': (call: CalledTicket) => void;
  /** On connection: the recent calls the board shows. */
  'board:refreshed': (calls: CalledTicket[]) => void;
  /** On connection and after every change to this screen or the facility's board settings. */
  'board:configured': (config: BoardConfig) => void;
}
export type DisplayToServerEvents = Record<string, never>;
