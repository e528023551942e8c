import path from 'node:path';
import { sharedDataPath } from '../config/paths';
import type { SentimentDataFiles } from '../ml';

/** `--name value`, `--name=value` and bare `--flag` (= "true"); anything else is an error. */
export function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) flags.set(name, inline);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(name, argv[++i]);
    else flags.set(name, 'true');
  }
  return flags;
}

/** A numeric flag, or the fallback when absent; a non-number is an error. */
export function numberFlag(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return value;
}

/** The labelled training/evaluation files: --twitter-dir / --sentfin, else TIDINGS_SENTIMENT_DATA_DIR, else ../shared. */
export function sentimentDataFiles(flags: Map<string, string>): SentimentDataFiles {
  const dataDir = process.env.TIDINGS_SENTIMENT_DATA_DIR ?? sharedDataPath('sentiment');
  const twitterDir = flags.get('twitter-dir') ?? path.join(dataDir, 'twitter-financial-news');
  return {
    twitterTrain: path.join(twitterDir, 'train.csv'),
    twitterValid: path.join(twitterDir, 'valid.csv'),
    sentfin: flags.get('sentfin') ?? path.join(dataDir, 'sentfin', 'SEntFiN.csv'),
  };
}
