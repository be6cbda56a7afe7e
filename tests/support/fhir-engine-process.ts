/**
 * The FHIR test engine in a process of its own, for benchmarks: what is timed must not share an
 * event loop with the engine. `forkFhirEngine()` starts this file as the child; the child answers
 * the parent's questions (the router's own handling times, the resources it holds).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFhirEngine } from './fhir-engine';

export interface EngineInfo {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** What the parent may ask, and what each answers. */
export interface EngineAnswers {
  /** The router's handling time of each transaction since the last ask, in ms (no HTTP). */
  'engine-ms': number[];
  counts: { patients: number; encounters: number; coverages: number };
}

export interface ForkedEngine {
  info: EngineInfo;
  ask<Q extends keyof EngineAnswers>(question: Q): Promise<EngineAnswers[Q]>;
  stop(): void;
}

const self = fileURLToPath(import.meta.url);

export async function forkFhirEngine(): Promise<ForkedEngine> {
  const child = fork(self, ['--engine'], { execArgv: ['--import', 'tsx'] });
  const info = await new Promise<EngineInfo>((resolve) => child.once('message', (m) => resolve(m as EngineInfo)));
  return {
    info,
    ask: (question) =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as EngineAnswers[typeof question]));
        child.send(question);
      }),
    stop: () => void child.kill(),
  };
}

if (process.argv[1] === self && process.argv[2] === '--engine') {
  const engine = await startFhirEngine();
  process.on('message', (m) => {
    if (m === 'engine-ms') process.send?.(engine.engineMs.splice(0) satisfies EngineAnswers['engine-ms']);
    if (m === 'counts')
      void Promise.all([engine.count('Patient'), engine.count('Encounter'), engine.count('Coverage')]).then(
        ([patients, encounters, coverages]) =>
          process.send?.({ patients, encounters, coverages } satisfies EngineAnswers['counts']),
      );
  });
  process.send?.({
    baseUrl: engine.baseUrl,
    tokenUrl: engine.tokenUrl,
    clientId: engine.clientId,
    clientSecret: engine.clientSecret,
  } satisfies EngineInfo);
}
