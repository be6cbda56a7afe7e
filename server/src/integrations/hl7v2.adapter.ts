/**
 * EMR port over HL7 v2.5 ADT and MLLP for HIS that speak v2: a check-in is ADT^A04, a demographic
 * update ADT^A08. MSH-10 is the delivery's control id, the same on every retry, so a receiver that
 * saw a message before can recognise it. MSA-1 AA (or CA) delivered · AE/AR → alert, counter ·
 * timeout, refused or dropped connection → retry later with the same control id.
 */
import {
  emrError,
  maskDigits,
  type DeliveryKey,
  type EmrCheckIn,
  type EmrPatient,
  type EmrPort,
  type EmrResult,
} from './emr.port';
import { adtA04, adtA08, parseAck, type Hl7Header } from './hl7v2-message';
import { MllpClient, type MllpClientOptions } from './mllp.client';
import { utcOffsetOf } from './vn-core';

export interface Hl7AdapterOptions extends MllpClientOptions {
  sendingApp: string;
  facilityCode: string;
  receivingApp: string;
  receivingFacility: string;
  processingId: 'P' | 'T' | 'D';
  timeZone: string;
  now?: () => Date;
}

export class Hl7v2Adapter implements EmrPort {
  readonly mode = 'hl7' as const;
  readonly client: MllpClient;

  constructor(private readonly o: Hl7AdapterOptions) {
    this.client = new MllpClient(o);
  }

  private header(key: DeliveryKey): Hl7Header {
    const now = this.o.now ? this.o.now() : new Date();
    return {
      sendingApp: this.o.sendingApp,
      sendingFacility: this.o.facilityCode,
      receivingApp: this.o.receivingApp,
      receivingFacility: this.o.receivingFacility,
      controlId: key.controlId,
      processingId: this.o.processingId,
      at: now.toISOString(),
      utcOffset: utcOffsetOf(now, this.o.timeZone),
    };
  }

  deliverCheckIn(c: EmrCheckIn, key: DeliveryKey): Promise<EmrResult> {
    return this.exchange(adtA04(c, this.header(key)), key);
  }

  updatePatient(p: EmrPatient, key: DeliveryKey): Promise<EmrResult> {
    return this.exchange(adtA08(p, this.header(key)), key);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private async exchange(message: string, key: DeliveryKey): Promise<EmrResult> {
    const sent = await this.client.send(message, key.controlId);
    if (!sent.ok)
      return emrError('emr-unavailable', `HIS not reachable: ${sent.error.message}`, { detail: sent.error.code });
    const ack = parseAck(sent.value);
    if (!ack)
      return emrError('emr-bad-response', 'the HIS answered something that is not an ACK', { detail: 'not-ack' });
    if (ack.code === 'AA' || ack.code === 'CA')
      return { ok: true, value: { patient: 'accepted', encounter: 'accepted', appointment: 'not-applicable' } };
    const text = ack.text ? `: ${maskDigits(ack.text)}` : '';
    return emrError('emr-rejected', `the HIS answered ${ack.code}${text}`, {
      retriable: false,
      route: 'counter',
      detail: `msa-${ack.code}${ack.errorCode && /^[\w-]{1,20}$/u.test(ack.errorCode) ? `:err-${ack.errorCode}` : ''}`,
    });
  }
}
