import { BACKEND_NAMES, type BackendName } from './backends/backend.ts';
import type { FigureId } from './experiment.ts';

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

export function parseBackend(text: string): BackendName {
  if (!(BACKEND_NAMES as readonly string[]).includes(text)) {
    throw new UsageError(`unknown backend '${text}' (valid: ${BACKEND_NAMES.join(', ')})`);
  }
  return text as BackendName;
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
