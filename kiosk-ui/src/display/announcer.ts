/**
 * Spoken calls for the waiting-room display. One queue, so calls never overlap; each call is a
 * chime and a sentence, spoken by a Vietnamese speech-synthesis voice when the browser has one,
 * else by the recorded clips of scripts/build-voice.mjs played in sequence. Autoplay rules: the
 * first sound needs a user gesture (the "enable sound" button); a refused play is reported so the
 * page can ask again, and the queue moves on instead of stalling.
 */
import type { CalledTicket } from '@kiosk/protocol';
import { callClips, callSentence } from './voice';

export type VoiceMode = 'auto' | 'speech' | 'clips';
export type Engine = 'speech' | 'clips' | 'none';

interface Manifest {
  clips: Record<string, { text: string; ms: number }>;
}

export class Announcer {
  /** Calls waiting to be spoken, the one being spoken included. */
  pending = 0;
  /** Calls spoken to the end. */
  spoken = 0;
  /** The call being spoken now (the board highlights it). */
  speaking: CalledTicket | null = null;
  /** Clips and utterances started: proof that sound actually began, for the page and its tests. */
  started = 0;
  private chain: Promise<void> = Promise.resolve();
  private manifest: Manifest | null = null;
  private readonly audio = new Map<string, HTMLAudioElement>();
  private voice: SpeechSynthesisVoice | null = null;

  constructor(
    private readonly options: {
      mode: VoiceMode;
      clipBase: string;
      /** A play was refused (autoplay policy): the page should ask for a gesture again. */
      onBlocked: () => void;
      onChange: () => void;
    },
  ) {
    if (typeof speechSynthesis !== 'undefined') {
      // Not synchronously: the owner's onChange may read this announcer before it is assigned.
      queueMicrotask(() => this.pickVoice());
      speechSynthesis.addEventListener('voiceschanged', () => this.pickVoice());
    }
  }

  async load(): Promise<void> {
    try {
      const res = await fetch(`${this.options.clipBase}manifest.json`);
      if (res.ok) this.manifest = (await res.json()) as Manifest;
    } catch {
      this.manifest = null;
    }
    this.options.onChange();
  }

  get engine(): Engine {
    const { mode } = this.options;
    if (mode !== 'clips' && this.voice) return 'speech';
    if (mode !== 'speech' && this.manifest) return 'clips';
    return 'none';
  }

  /** Called from the "enable sound" gesture: plays the chime, which also unlocks later plays. */
  async unlock(): Promise<boolean> {
    if (typeof speechSynthesis !== 'undefined') speechSynthesis.cancel();
    if (!this.manifest) return this.engine !== 'none';
    return this.play('chime');
  }

  announce(call: CalledTicket): void {
    this.pending++;
    this.options.onChange();
    this.chain = this.chain
      .then(() => {
        this.speaking = call;
        this.options.onChange();
        return this.speak(call);
      })
      .catch(() => undefined)
      .then(() => {
        this.speaking = null;
        this.pending--;
        this.options.onChange();
      });
  }

  /** Resolves when every queued call has been spoken (or given up on). */
  idle(): Promise<void> {
    return this.chain;
  }

  private pickVoice() {
    this.voice =
      speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().replace('_', '-').startsWith('vi')) ?? null;
    this.options.onChange();
  }

  private async speak(call: CalledTicket): Promise<void> {
    const engine = this.engine;
    if (engine === 'speech' && this.voice) {
      if (this.manifest) await this.play('chime');
      const ok = await this.utter(callSentence(call), this.voice);
      if (ok) this.spoken++;
    } else if (engine === 'clips') {
      for (const id of callClips(call)) {
        if (!(await this.play(id))) return;
      }
      this.spoken++;
    }
  }

  private utter(text: string, voice: SpeechSynthesisVoice): Promise<boolean> {
    return new Promise((resolve) => {
      const u = new SpeechSynthesisUtterance(text);
      u.voice = voice;
      u.lang = voice.lang;
      u.rate = 0.9;
      const timer = setTimeout(() => resolve(false), 3000 + text.length * 150);
      u.onend = () => {
        clearTimeout(timer);
        resolve(true);
      };
      u.onerror = (e) => {
        clearTimeout(timer);
        // Chromium refuses speech before a user gesture unless its autoplay policy allows it.
        if (e.error === 'not-allowed') this.options.onBlocked();
        resolve(false);
      };
      u.onstart = () => {
        this.started++;
        this.options.onChange();
      };
      speechSynthesis.speak(u);
    });
  }

  /** Plays one clip to its end; false when the browser refused or the clip failed. */
  private async play(id: string): Promise<boolean> {
    const meta = this.manifest?.clips[id];
    if (!meta) return true;
    let el = this.audio.get(id);
    if (!el) {
      el = new Audio(`${this.options.clipBase}${id}.wav`);
      el.preload = 'auto';
      this.audio.set(id, el);
    }
    const audio = el;
    audio.currentTime = 0;
    const ended = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, meta.ms + 1500);
      const done = () => {
        clearTimeout(timer);
        audio.removeEventListener('ended', done);
        audio.removeEventListener('error', done);
        resolve();
      };
      audio.addEventListener('ended', done);
      audio.addEventListener('error', done);
    });
    try {
      await audio.play();
      this.started++;
      this.options.onChange();
    } catch (e) {
      if (e instanceof DOMException && e.name === 'NotAllowedError') this.options.onBlocked();
      return false;
    }
    await ended;
    return true;
  }
}
