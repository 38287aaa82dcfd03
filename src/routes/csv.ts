export type CsvCell = string | number | boolean | null | undefined;
export type CsvRow = Record<string, CsvCell>;

const FORMULA = /^[=+\-@\t\r]/;

/** One RFC 4180 cell: numbers plain; text starting with = + - @ is prefixed with ' against formula injection. */
function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 text with a header row from the first row's keys; CRLF line ends. Empty input gives "". */
export function toCsv(rows: CsvRow[], columns?: string[]): string {
  const header = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  if (header.length === 0) return '';
  const lines = [
    header.map(csvCell).join(','),
    ...rows.map((r) => header.map((c) => csvCell(r[c])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
