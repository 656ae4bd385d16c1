import type { FigureId } from './experiment.ts';
import { SYSTEMS, type SystemName } from './systems.ts';
import { parseShard, type Shard } from './shard.ts';

/** A bad command line; the CLI prints the message on one line and exits 2. */
export class UsageError extends Error {}

export function parseFigures(text: string, known: readonly FigureId[]): FigureId[] {
  const requested = text
    .split(',')
    .map((part) => part.trim().replace(/^fig/i, ''))
    .filter((part) => part.length > 0);
  if (requested.length === 0) throw new UsageError(`--figure needs at least one figure (valid: ${known.join(', ')})`);
  for (const figure of requested) {
    if (!(known as readonly string[]).includes(figure)) {
      throw new UsageError(`unknown figure '${figure}' (valid: ${known.join(', ')})`);
    }
  }
  // The paper's order, once each, whatever order the user typed.
  return known.filter((figure) => requested.includes(figure));
}

export function parseCount(option: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < minimum) {
    throw new UsageError(`${option} must be a whole number >= ${minimum}, got '${text}'`);
  }
  return value;
}

export function parseChoice<T extends string>(option: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`unknown ${option.replace(/^--/, '')} '${text}' (valid: ${choices.join(', ')})`);
  }
  return text as T;
}

// Parsers commander calls as it reads an option's value, with the harness's own one-line wording.

export const choice =
  <T extends string>(option: string, choices: readonly T[]) =>
  (text: string): T =>
    parseChoice(option, text, choices);

export const count = (option: string, minimum: number) => (text: string) => parseCount(option, text, minimum);

/** --figure: a list of the known figures; `validate` was one once and says where it went. */
export function figureListParser(known: readonly FigureId[]): (text: string) => FigureId[] {
  return (text) => {
    if (/(^|,)\s*validate\s*(,|$)/.test(text)) throw new UsageError('validation is its own command now: npm run validate -- [--measured DIR]');
    return parseFigures(text, known);
  };
}

/** --systems: a comma-separated list of known systems, in the harness's order, once each. */
export function parseSystems(text: string): SystemName[] {
  const requested = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (requested.length === 0) throw new UsageError(`--systems needs at least one system (valid: ${SYSTEMS.join(', ')})`);
  const unknown = requested.find((name) => !(SYSTEMS as readonly string[]).includes(name));
  if (unknown !== undefined) throw new UsageError(`unknown system '${unknown}' (valid: ${SYSTEMS.join(', ')})`);
  return SYSTEMS.filter((system) => requested.includes(system));
}

export function shardOption(text: string): Shard {
  const shard = parseShard(text);
  if (shard === undefined) throw new UsageError(`--shard must be i/n with 1 <= i <= n, got '${text}'`);
  return shard;
}
