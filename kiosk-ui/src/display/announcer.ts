/**
 * Spoken calls for the waiting-room display. One queue, so calls never overlap; each call is a
 * chime and a sentence, spoken by a Vietnamese speech-synthesis voice when the browser has one,
 * else by the recorded clips of scripts/build-voice.mjs played in sequence (lib/voice-engine.ts,
 * the kiosk's spoken guidance uses the same engine). Autoplay rules: the first sound needs a user
 * gesture (the "enable sound" button); a refused play is reported so the page can ask again, and
 * the queue moves on instead of stalling.
 */
import type { CalledTicket } from '@kiosk/protocol';
import { VoiceEngine, type Engine, type VoiceMode } from '../lib/voice-engine';
import { callClips, callSentence } from './voice';

export type { Engine, VoiceMode };

export class Announcer {
  /** Calls waiting to be spoken, the one being spoken included. */
  pending = 0;
  /** Calls spoken to the end. */
  spoken = 0;
  /** The call being spoken now (the board highlights it). */
  speaking: CalledTicket | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly voice: VoiceEngine;
  private readonly onChange: () => void;

  constructor(options: {
    mode: VoiceMode;
    clipBase: string;
    /** A play was refused (autoplay policy): the page should ask for a gesture again. */
    onBlocked: () => void;
    onChange: () => void;
  }) {
    this.voice = new VoiceEngine({ ...options, lang: 'vi' });
    this.onChange = options.onChange;
  }

  /** Clips and utterances started: proof that sound actually began, for the page and its tests. */
  get started(): number {
    return this.voice.started;
  }

  load(): Promise<void> {
    return this.voice.load();
  }

  get engine(): Engine {
    return this.voice.engine;
  }

  /** Called from the "enable sound" gesture: plays the chime, which also unlocks later plays. */
  async unlock(): Promise<boolean> {
    if (typeof speechSynthesis !== 'undefined') speechSynthesis.cancel();
    if (this.voice.clipText('chime') === undefined) return this.engine !== 'none';
    return this.voice.play('chime');
  }

  announce(call: CalledTicket): void {
    this.pending++;
    this.onChange();
    this.chain = this.chain
      .then(() => {
        this.speaking = call;
        this.onChange();
        return this.speak(call);
      })
      .catch(() => undefined)
      .then(() => {
        this.speaking = null;
        this.pending--;
        this.onChange();
      });
  }

  /** Resolves when every queued call has been spoken (or given up on). */
  idle(): Promise<void> {
    return this.chain;
  }

  private async speak(call: CalledTicket): Promise<void> {
    const engine = this.voice.engine;
    if (engine === 'speech') {
      await this.voice.play('chime');
      if (await this.voice.utter(callSentence(call))) this.spoken++;
    } else if (engine === 'clips') {
      for (const id of callClips(call)) {
        if (!(await this.voice.play(id))) return;
      }
      this.spoken++;
    }
  }
}
