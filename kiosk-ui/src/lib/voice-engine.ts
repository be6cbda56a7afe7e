/**
 * The voice of the display's calls and the kiosk's prompts: a speech-synthesis voice of the
 * language when the browser has one, else recorded clips (WAV files and a manifest, built with
 * espeak-ng by scripts/build-voice.mjs) played one after another. Autoplay rules: a refused play
 * or utterance is reported (`onBlocked`) so the page can ask for a gesture, and never stalls the
 * caller: every method resolves.
 */
export type VoiceMode = 'auto' | 'speech' | 'clips';
export type Engine = 'speech' | 'clips' | 'none';

interface Manifest {
  clips: Record<string, { text: string; ms: number }>;
}

export interface VoiceOptions {
  mode: VoiceMode;
  /** Where the clips and their manifest.json are, ending in '/'. */
  clipBase: string;
  /** The language a speech voice must speak: a BCP 47 tag or its primary subtag (`vi`, `km-KH`). */
  lang: string;
  /** A play was refused (autoplay policy): the page should ask for a gesture again. */
  onBlocked: () => void;
  onChange: () => void;
}

export class VoiceEngine {
  /** Clips and utterances started: proof that sound actually began, for the page and its tests. */
  started = 0;
  private manifest: Manifest | null = null;
  private readonly audio = new Map<string, HTMLAudioElement>();
  private voice: SpeechSynthesisVoice | null = null;
  private playing: HTMLAudioElement | null = null;
  private loaded: Promise<void> | undefined;

  constructor(private readonly options: VoiceOptions) {
    if (typeof speechSynthesis !== 'undefined') {
      // Not synchronously: the owner's onChange may read this engine before it is assigned.
      queueMicrotask(() => this.pickVoice());
      speechSynthesis.addEventListener('voiceschanged', () => this.pickVoice());
    }
  }

  /** Fetches the clips' manifest (once; later calls wait for the same fetch). */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      try {
        const res = await fetch(`${this.options.clipBase}manifest.json`);
        if (res.ok) this.manifest = (await res.json()) as Manifest;
      } catch {
        this.manifest = null;
      }
      this.options.onChange();
    })();
    return this.loaded;
  }

  get engine(): Engine {
    const { mode } = this.options;
    if (mode !== 'clips' && this.voice) return 'speech';
    if (mode !== 'speech' && this.manifest) return 'clips';
    return 'none';
  }

  /** The text a clip was recorded from (a catalogue changed since the build: not the same words). */
  clipText(id: string): string | undefined {
    return this.manifest?.clips[id]?.text;
  }

  /** Stops what is being said now. */
  stop(): void {
    if (typeof speechSynthesis !== 'undefined') speechSynthesis.cancel();
    this.playing?.pause();
    this.playing = null;
  }

  /** Speaks a sentence with the speech voice; false when there is none or it was refused. */
  utter(text: string): Promise<boolean> {
    const voice = this.voice;
    if (!voice) return Promise.resolve(false);
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

  /** Plays one clip to its end; true also for a clip the manifest does not have (nothing to play). */
  async play(id: string): Promise<boolean> {
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
        audio.removeEventListener('pause', done);
        resolve();
      };
      audio.addEventListener('ended', done);
      audio.addEventListener('error', done);
      audio.addEventListener('pause', done);
    });
    try {
      this.playing = audio;
      await audio.play();
      this.started++;
      this.options.onChange();
    } catch (e) {
      if (e instanceof DOMException && e.name === 'NotAllowedError') this.options.onBlocked();
      return false;
    }
    await ended;
    if (this.playing === audio) this.playing = null;
    return true;
  }

  private pickVoice() {
    const want = this.options.lang.toLowerCase().split('-')[0] ?? '';
    this.voice =
      speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().replace('_', '-').split('-')[0] === want) ?? null;
    this.options.onChange();
  }
}
