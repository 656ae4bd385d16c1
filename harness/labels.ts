/** Words that charts and reports share about what a set of result rows is. */

/** ", 4 GB guest" or ", 512 MB guest" from the rows' guest size; "" when no row has one. */
export function guestSizeLabel(rows: readonly { readonly memory_mb?: number | undefined }[]): string {
  const memoryMb = rows.find((row) => row.memory_mb !== undefined)?.memory_mb;
  if (memoryMb === undefined) return '';
  return memoryMb % 1024 === 0 ? `, ${memoryMb / 1024} GB guest` : `, ${memoryMb} MB guest`;
}

/** The simulator's Figs. 4, 5 and 7 come from mechanisms, not from the paper's numbers: say so; a testbed measured them. */
export function provenanceLabel(rows: readonly { readonly backend: string }[]): string {
  return rows.length > 0 && rows.every((row) => row.backend === 'sim') ? ' (prediction)' : '';
}
