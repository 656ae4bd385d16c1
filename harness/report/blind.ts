/**
 * The blind predictions: the simulator's output at commit 8be88d8, before
 * the brief gave the paper's numbers for Figs. 4-7 (issue 14). They are
 * read from the committed snapshot (results/blind-8be88d8/, made by running
 * that commit; see its README), never typed in.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { csvPath, readTable } from '../results/csv.ts';
import { fig2Table, fig3Table, fig4Table, fig5Table, fig6Table, fig7Table } from '../results/tables.ts';
import type { StatementRows } from './paper-validation.ts';

export const BLIND_REVISION = '8be88d8';
export const BLIND_DIRECTORY = fileURLToPath(new URL(`../../results/blind-${BLIND_REVISION}/sim`, import.meta.url));

/** The snapshot's rows; throws if it is missing (it is committed). */
export function readBlindRows(directory: string = BLIND_DIRECTORY): StatementRows {
  if (!existsSync(directory)) throw new Error(`the blind predictions' snapshot ${directory} is missing (see results/blind-${BLIND_REVISION}/README.md)`);
  return {
    fig2: readTable(fig2Table, csvPath(directory, fig2Table)),
    fig3: readTable(fig3Table, csvPath(directory, fig3Table)),
    fig4: readTable(fig4Table, csvPath(directory, fig4Table)),
    fig5: readTable(fig5Table, csvPath(directory, fig5Table)),
    fig6: readTable(fig6Table, csvPath(directory, fig6Table)),
    fig7: readTable(fig7Table, csvPath(directory, fig7Table)),
  };
}
