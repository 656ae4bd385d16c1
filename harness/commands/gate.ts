/** `npm run gate`: check result CSVs against the gates in experiments/gates.ts; a table, gate-report.md and gate-junit.xml. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../options.ts';
import { EXIT_FAILURES, EXIT_OK } from './context.ts';
import { checkOut } from './results-dir.ts';

export interface GateOptions {
  readonly results: string;
  readonly baseline?: string;
  readonly only?: readonly string[];
  readonly backend?: string;
  readonly reportDir: string;
}

export async function gate(options: GateOptions): Promise<number> {
  const { GATES } = await import('../../experiments/gates.ts');
  const { evaluateGate } = await import('../gate/evaluate.ts');
  const { baselineSource, directorySource, InputError } = await import('../gate/sources.ts');
  const { summaryLine, verdictJunit, verdictMarkdown, verdictTable } = await import('../gate/report.ts');
  const { gateInputs } = await import('../gate/inputs.ts');
  let gates = GATES.filter((candidate) => options.backend === undefined || gateInputs(candidate).every((input) => input.backend === options.backend));
  const { only } = options;
  if (only !== undefined) {
    const unknown = only.filter((name) => !GATES.some((candidate) => candidate.name === name));
    if (unknown.length > 0) throw new UsageError(`unknown gate '${unknown[0]}' (see experiments/gates.ts for the names)`);
    gates = gates.filter((candidate) => only.includes(candidate.name));
  }
  if (gates.length === 0) {
    const backends = [...new Set(GATES.flatMap((candidate) => gateInputs(candidate).map((input) => input.backend)))];
    throw new UsageError(`no gates selected (backends with gates: ${backends.join(', ')})`);
  }
  const reportDir = checkOut(options.reportDir, '--report-dir');
  try {
    const current = directorySource(options.results);
    const baseline =
      options.baseline === undefined
        ? undefined
        : await baselineSource(options.baseline, gates.filter((candidate) => candidate.kind === 'regression').flatMap(gateInputs));
    // Each gate's evaluation time, for the JUnit report.
    const seconds: number[] = [];
    const verdicts = gates.map((candidate) => {
      const started = performance.now();
      const verdict = evaluateGate(candidate, current, baseline);
      seconds.push(Math.round(performance.now() - started) / 1000);
      return verdict;
    });
    console.log(verdictTable(verdicts));
    console.log(summaryLine(verdicts));
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(join(reportDir, 'gate-report.md'), verdictMarkdown(verdicts));
    writeFileSync(join(reportDir, 'gate-junit.xml'), verdictJunit(verdicts, seconds));
    return verdicts.some((verdict) => verdict.status === 'fail') ? EXIT_FAILURES : EXIT_OK;
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message);
    throw error;
  }
}
