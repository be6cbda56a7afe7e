// Builds the display's recorded voice: one short WAV clip per word of a Vietnamese call ("Mời số",
// letter names, number words, "đến phòng", "quầy") with espeak-ng (`-v vi`), silence trimmed, plus a
// chime, and a manifest. The display plays them in sequence when the browser has no Vietnamese
// speech voice. Also the kiosk's spoken guidance: one clip per step prompt for each language of
// its catalogues that espeak-ng speaks. Run before `vite build` (public/ is copied into dist/);
// skipped when up to date.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const outDir = path.resolve(import.meta.dirname, '../public/audio/vi');
const promptsDir = path.resolve(import.meta.dirname, '../public/audio/prompts');
const VERSION = 3;
const SPEED_WPM = 140;

/** clip id → text spoken by espeak-ng. Ids are what kiosk-ui/src/display/voice.ts sequences. */
export const vocabulary = {
  'moi-so': 'Mời số',
  'den-phong': 'đến phòng',
  'den-quay': 'đến quầy',
  quay: 'quầy',
  // digits and the words of Vietnamese number reading
  'd-0': 'không',
  'd-1': 'một',
  'd-2': 'hai',
  'd-3': 'ba',
  'd-4': 'bốn',
  'd-5': 'năm',
  'd-6': 'sáu',
  'd-7': 'bảy',
  'd-8': 'tám',
  'd-9': 'chín',
  muoi: 'mười',
  'muoi-tens': 'mươi',
  mot: 'mốt',
  lam: 'lăm',
  tram: 'trăm',
  linh: 'linh',
  nghin: 'nghìn',
  // letter names as Vietnamese say them
  'l-a': 'a',
  'l-b': 'bê',
  'l-c': 'xê',
  'l-d': 'dê',
  'l-e': 'e',
  'l-f': 'ép',
  'l-g': 'giê',
  'l-h': 'hát',
  'l-i': 'i',
  'l-j': 'gi',
  'l-k': 'ca',
  'l-l': 'e lờ',
  'l-m': 'em mờ',
  'l-n': 'en nờ',
  'l-o': 'o',
  'l-p': 'pê',
  'l-q': 'quy',
  'l-r': 'e rờ',
  'l-s': 'ét',
  'l-t': 'tê',
  'l-u': 'u',
  'l-v': 'vê',
  'l-w': 'vê kép',
  'l-x': 'ích',
  'l-y': 'i dài',
  'l-z': 'dét',
};

function parseWav(buf) {
  // espeak-ng writes canonical PCM: RIFF, fmt , data. Find the chunks rather than assume offsets.
  let off = 12;
  let fmt;
  let data;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ')
      fmt = {
        channels: buf.readUInt16LE(off + 10),
        rate: buf.readUInt32LE(off + 12),
        bits: buf.readUInt16LE(off + 22),
      };
    if (id === 'data') data = buf.subarray(off + 8, Math.min(buf.length, off + 8 + size));
    off += 8 + size + (size % 2);
  }
  if (!fmt || !data || fmt.bits !== 16 || fmt.channels !== 1) throw new Error('unexpected WAV from espeak-ng');
  return { rate: fmt.rate, samples: new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)) };
}

function wav(samples, rate) {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.length * 2, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.length * 2, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.length * 2)]);
}

/** Drops leading and trailing silence, keeping 30 ms either side so words don't clip. */
function trim(samples, rate) {
  const threshold = 600;
  let start = samples.findIndex((s) => Math.abs(s) > threshold);
  let end = samples.length - 1;
  while (end > 0 && Math.abs(samples[end]) <= threshold) end--;
  if (start < 0) return samples;
  const pad = Math.round(rate * 0.03);
  start = Math.max(0, start - pad);
  end = Math.min(samples.length - 1, end + pad);
  return samples.slice(start, end + 1);
}

/** Two soft tones (E5 then C5) that tell the waiting room a call follows. */
function chime(rate) {
  const tone = (hz, ms) =>
    Array.from({ length: Math.round((rate * ms) / 1000) }, (_, i) => {
      const t = i / rate;
      const env = Math.min(1, t * 40) * Math.exp(-t * 3.2);
      return Math.round(Math.sin(2 * Math.PI * hz * t) * env * 9000);
    });
  return Int16Array.from([...tone(659.25, 450), ...tone(523.25, 650)]);
}

async function espeakVersion() {
  try {
    const { stdout } = await run('espeak-ng', ['--version']);
    return /\d+\.\d+(\.\d+)?/u.exec(stdout)?.[0] ?? stdout.trim().slice(0, 40);
  } catch {
    return null;
  }
}

/**
 * One folder of clips: `entries` (clip id → text) spoken by espeak-ng `voice`, silence trimmed,
 * with a manifest naming each clip's text and length; skipped when the folder is up to date.
 */
async function buildClips({ outDir, entries: wanted, voice, version, withChime }) {
  const hash = createHash('sha256')
    .update(JSON.stringify({ VERSION, SPEED_WPM, version, voice, wanted, withChime }))
    .digest('hex')
    .slice(0, 16);
  const manifestPath = path.join(outDir, 'manifest.json');
  try {
    const old = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    if (old.hash === hash && Object.keys(old.clips).every((id) => fs.existsSync(path.join(outDir, `${id}.wav`))))
      return;
  } catch {
    // no manifest yet
  }
  fs.mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  const clips = {};
  const entries = Object.entries(wanted);
  const tmp = fs.mkdtempSync(path.join(outDir, '.tmp-'));
  try {
    // A few espeak-ng processes at a time: each spends most of its time starting up.
    const workers = Array.from({ length: 6 }, async () => {
      for (let next = entries.shift(); next; next = entries.shift()) {
        const [id, text] = next;
        const raw = path.join(tmp, `${id}.wav`);
        await run('espeak-ng', ['-v', voice, '-s', String(SPEED_WPM), '-w', raw, text]);
        const { rate, samples } = parseWav(fs.readFileSync(raw));
        const trimmed = trim(samples, rate);
        fs.writeFileSync(path.join(outDir, `${id}.wav`), wav(trimmed, rate));
        clips[id] = { text, ms: Math.round((trimmed.length / rate) * 1000) };
      }
    });
    await Promise.all(workers);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (withChime) {
    const rate = 22050;
    const bell = chime(rate);
    fs.writeFileSync(path.join(outDir, 'chime.wav'), wav(bell, rate));
    clips.chime = { text: '', ms: Math.round((bell.length / rate) * 1000) };
  }
  const sorted = Object.fromEntries(Object.entries(clips).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(
    manifestPath,
    `${JSON.stringify({ hash, voice: `espeak-ng ${version} -v ${voice}`, clips: sorted }, null, 2)}\n`,
  );
  process.stdout.write(
    `[voice] ${Object.keys(sorted).length} clips in ${Date.now() - started} ms → ${path.relative(process.cwd(), outDir)}\n`,
  );
}

/**
 * The kiosk's spoken guidance: each language's step prompts (`prompt.<step>` in
 * src/lib/locales/<lang>.ts) as one clip per step, for the languages espeak-ng speaks.
 */
async function buildPrompts(version) {
  const { tsImport } = await import('tsx/esm/api');
  const localesDir = path.resolve(import.meta.dirname, '../src/lib/locales');
  for (const file of fs.readdirSync(localesDir).filter((f) => /^[a-z]+\.ts$/u.test(f))) {
    const mod = await tsImport(path.join(localesDir, file), import.meta.url);
    const locale = mod.default?.messages ? mod.default : mod.default?.default;
    if (!locale?.espeak) continue;
    const prompts = Object.fromEntries(
      Object.entries(locale.messages)
        .filter(([key]) => key.startsWith('prompt.'))
        .map(([key, text]) => [key.slice('prompt.'.length), text]),
    );
    await buildClips({
      outDir: path.join(promptsDir, file.slice(0, -3)),
      entries: prompts,
      voice: locale.espeak,
      version,
      withChime: false,
    });
  }
}

async function main() {
  const version = await espeakVersion();
  if (!version) {
    process.stderr.write(
      "[voice] espeak-ng is not installed: the display and the kiosk's spoken guidance will rely on the browser's speech voice. Install it with: apt-get install espeak-ng\n",
    );
    return;
  }
  await buildClips({ outDir, entries: vocabulary, voice: 'vi', version, withChime: true });
  await buildPrompts(version);
}

// Imported by the unit spec for its vocabulary: only build when run as a script.
if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) await main();
