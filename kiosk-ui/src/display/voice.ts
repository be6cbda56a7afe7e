/**
 * What a call sounds like in Vietnamese: the clip sequence for the recorded voice
 * (scripts/build-voice.mjs) and the sentence for a speech-synthesis voice. Pure functions.
 */
import type { CalledTicket } from '@kiosk/protocol';

const digit = (d: number) => `d-${d}`;

/** Vietnamese number words for 0–9999 as clip ids: 21 → hai mươi mốt, 105 → một trăm linh năm. */
export function numberClips(n: number): string[] {
  if (!Number.isInteger(n) || n < 0 || n > 9999) return String(n).replace(/\D/gu, '').split('').map(Number).map(digit);
  if (n < 10) return [digit(n)];
  if (n < 100) {
    const tens = Math.floor(n / 10);
    const unit = n % 10;
    const head = tens === 1 ? ['muoi'] : [digit(tens), 'muoi-tens'];
    if (unit === 0) return head;
    if (unit === 5) return [...head, 'lam'];
    if (unit === 1 && tens > 1) return [...head, 'mot'];
    return [...head, digit(unit)];
  }
  if (n < 1000) {
    const rest = n % 100;
    const head = [digit(Math.floor(n / 100)), 'tram'];
    if (rest === 0) return head;
    if (rest < 10) return [...head, 'linh', digit(rest)];
    return [...head, ...numberClips(rest)];
  }
  const rest = n % 1000;
  const head = [digit(Math.floor(n / 1000)), 'nghin'];
  if (rest === 0) return head;
  if (rest < 100) return [...head, digit(0), 'tram', ...(rest < 10 ? ['linh', digit(rest)] : numberClips(rest))];
  return [...head, ...numberClips(rest)];
}

/**
 * A code such as `A012`, `101` or `B2-05` as clips: letters by their Vietnamese names, digit runs as
 * a number, except runs with a leading zero after a letter-free start ("05" → không năm).
 */
export function codeClips(code: string): string[] {
  const out: string[] = [];
  for (const m of code.normalize('NFD').matchAll(/[A-Za-z]|\d+/gu)) {
    const token = m[0];
    if (/\d/u.test(token)) {
      const leadingZero = token.length > 1 && token.startsWith('0');
      out.push(
        ...(leadingZero && out.length === 0 ? [...token].map((d) => digit(Number(d))) : numberClips(Number(token))),
      );
    } else out.push(`l-${token.toLowerCase()}`);
  }
  return out;
}

/** The clip sequence of one call: chime, "Mời số" <number> "đến phòng" <room> ["quầy" <counter>]. */
export function callClips(call: Pick<CalledTicket, 'number' | 'room' | 'counter'>): string[] {
  const clips = ['chime', 'moi-so', ...codeClips(call.number), 'den-phong', ...codeClips(call.room)];
  if (call.counter && call.counter !== call.room) clips.push('quay', ...codeClips(call.counter));
  return clips;
}

/** The same call as a sentence for a Vietnamese speech-synthesis voice. */
export function callSentence(call: Pick<CalledTicket, 'number' | 'room' | 'counter'>): string {
  const number = call.number.replace(/^([A-Za-z]+)0*(\d+)$/u, '$1 $2');
  const counter = call.counter && call.counter !== call.room ? `, quầy ${call.counter}` : '';
  return `Mời số ${number}, đến phòng ${call.room}${counter}.`;
}
