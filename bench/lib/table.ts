/** One line of the benchmark table. `pass` is undefined for reference rows that carry no goal. */
export interface Row {
  readonly name: string
  readonly figure: string
  readonly baseline: string
  readonly ratio: string
  readonly goal: string
  readonly pass: boolean | undefined
}

const HEADER = ['benchmark', 'figure', 'baseline', 'ratio', 'goal', 'pass'] as const

const cells = (row: Row): string[] => [
  row.name,
  row.figure,
  row.baseline,
  row.ratio,
  row.goal,
  row.pass === undefined ? '–' : row.pass ? 'pass' : 'FAIL',
]

/** A Markdown table, padded so it also reads well in a terminal. */
export function formatTable(rows: readonly Row[]): string {
  const body = rows.map(cells)
  const widths = HEADER.map((title, column) => Math.max(title.length, ...body.map((line) => line[column]?.length ?? 0)))
  const line = (values: readonly string[]) => `| ${values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')} |`
  return [line(HEADER), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n')
}

/** Type guard for rows received from a benchmark child process. */
export function isRows(value: unknown): value is Row[] {
  return (
    Array.isArray(value) &&
    value.every((row: unknown) => typeof row === 'object' && row !== null && 'name' in row && 'figure' in row)
  )
}
