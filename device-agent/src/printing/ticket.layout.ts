/**
 * What a queue ticket says, independent of bytes: an ordered list of items the encoder
 * turns into ESC/POS. Vietnamese first; no unmasked personal data (protocol's Ticket).
 */
import { ticketQrPayload, type Ticket } from '@kiosk/protocol';
import type { Align } from './escpos.commands';

export type TicketItem =
  | {
      kind: 'text';
      text: string;
      align: Align;
      bold?: boolean;
      /** Character size multiplier. */
      scale?: number;
      /** Wrapped lines beyond this are cut, the last one ending in an ellipsis. Default 4. */
      maxLines?: number;
    }
  /** The queue number: as large as fits the paper (GS !). */
  | { kind: 'number'; text: string }
  | { kind: 'rule' }
  | { kind: 'qr'; payload: string }
  | { kind: 'feed'; lines: number };

export interface TicketLabels {
  numberCaption: string;
  room: (room: string, floor: number) => string;
  service: Record<Ticket['serviceType'], string>;
  priority: Record<Ticket['priority'], string | undefined>;
  issuedAt: (formatted: string) => string;
  lookup: (code: string) => string;
  /** People waiting before this ticket when it was issued. */
  ahead: (n: number) => string;
  /** The estimated wait, in minutes. */
  wait: (minutes: number) => string;
}

/**
 * Where Vietnamese tickets have a customary ASCII form (STT, BHYT, a bare time and code) we use
 * it: those lines then print natively, and only lines that need diacritics become raster.
 */
export const vietnameseLabels: TicketLabels = {
  numberCaption: 'STT',
  room: (room, floor) => `Phòng ${room} - Tầng ${floor}`,
  service: { insurance: 'BHYT', 'fee-paying': 'DỊCH VỤ' },
  priority: {
    normal: undefined,
    'child-under-6': 'ƯU TIÊN: TRẺ EM DƯỚI 6 TUỔI',
    'elderly-75': 'ƯU TIÊN: NGƯỜI TỪ 75 TUỔI',
    pregnant: 'ƯU TIÊN: PHỤ NỮ CÓ THAI',
    disability: 'ƯU TIÊN: NGƯỜI KHUYẾT TẬT',
    meritorious: 'ƯU TIÊN: NGƯỜI CÓ CÔNG',
  },
  issuedAt: (t) => t,
  lookup: (code) => code,
  ahead: (n) => (n === 0 ? 'Bạn là người tiếp theo' : `Còn ${n} người trước bạn`),
  wait: (m) => `Thời gian chờ khoảng ${m} phút`,
};

export interface LayoutOptions {
  /** IANA zone for the printed time. Default Asia/Ho_Chi_Minh. */
  timeZone?: string;
  labels?: TicketLabels;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `HH:mm dd/MM/yyyy` in the hospital's zone. */
export function formatIssuedAt(iso: string, timeZone = 'Asia/Ho_Chi_Minh'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('hour')}:${get('minute')} ${get('day')}/${get('month')}/${get('year')}`;
}

/** The QR payload of a ticket (protocol contract: its status page's URL, else `TK:<lookupCode>`). */
export { ticketQrPayload };

export function layoutTicket(ticket: Ticket, options: LayoutOptions = {}): TicketItem[] {
  const labels = options.labels ?? vietnameseLabels;
  const items: TicketItem[] = [
    { kind: 'text', text: ticket.hospitalName, align: 'center', bold: true, maxLines: 2 },
    // The clinic chosen first (when the server names it), its department under it.
    ...(ticket.serviceName
      ? [
          { kind: 'text', text: ticket.serviceName.vi, align: 'center', bold: true, maxLines: 2 } as const,
          { kind: 'text', text: ticket.department, align: 'center', maxLines: 2 } as const,
        ]
      : [{ kind: 'text', text: ticket.department, align: 'center', bold: true, maxLines: 2 } as const]),
    { kind: 'text', text: labels.room(ticket.room, ticket.floor), align: 'center' },
    { kind: 'rule' },
    { kind: 'text', text: labels.numberCaption, align: 'center' },
    { kind: 'number', text: ticket.number },
    { kind: 'text', text: labels.service[ticket.serviceType], align: 'center', bold: true },
  ];
  const priority = labels.priority[ticket.priority];
  if (priority) items.push({ kind: 'text', text: priority, align: 'center', bold: true });
  if (ticket.peopleAhead !== undefined)
    items.push({ kind: 'text', text: labels.ahead(ticket.peopleAhead), align: 'center', bold: true });
  if (ticket.estimatedWaitMinutes !== undefined)
    items.push({ kind: 'text', text: labels.wait(ticket.estimatedWaitMinutes), align: 'center' });
  if (ticket.maskedName) items.push({ kind: 'text', text: ticket.maskedName, align: 'center', maxLines: 2 });
  items.push(
    { kind: 'feed', lines: 1 },
    { kind: 'qr', payload: ticketQrPayload(ticket) },
    // A ticket the kiosk issued offline carries a discreet mark after its code (staff know it).
    { kind: 'text', text: `${labels.lookup(ticket.lookupCode)}${ticket.offline ? ' *' : ''}`, align: 'center' },
    { kind: 'text', text: labels.issuedAt(formatIssuedAt(ticket.issuedAt, options.timeZone)), align: 'center' },
  );
  if (ticket.footer) items.push({ kind: 'rule' }, { kind: 'text', text: ticket.footer, align: 'center' });
  return items;
}
