import type { TableName } from '../results/tables.ts';
import { VALIDATION_STATEMENTS } from '../report/paper.ts';
import type { Gate } from './types.ts';

/** The tables a gate reads. */
export function gateInputs(gate: Gate): { backend: string; table: TableName }[] {
  switch (gate.kind) {
    case 'threshold':
    case 'regression':
      return [{ backend: gate.select.backend, table: gate.select.table }];
    case 'ratio':
      return [gate.numerator, gate.denominator].map(({ backend, table }) => ({ backend, table }));
    case 'paper': {
      const validation = VALIDATION_STATEMENTS.find((statement) => statement.id === gate.statement);
      if (validation !== undefined) return validation.reads.map((table) => ({ backend: gate.backend, table }));
      return [
        { backend: gate.backend, table: 'fig2' },
        { backend: gate.backend, table: 'fig3' },
      ];
    }
  }
}
