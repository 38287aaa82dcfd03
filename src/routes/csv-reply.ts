import type { FastifyReply, FastifyRequest } from 'fastify';
import { toCsv, type CsvRow } from './csv.js';

/** True (and the CSV sent) when the client asked for CSV by ?format=csv or Accept: text/csv. */
export function sendCsvIfAsked(
  req: FastifyRequest,
  reply: FastifyReply,
  format: 'json' | 'csv' | undefined,
  /** The rows, or a function that builds them only when CSV was asked for. */
  rows: CsvRow[] | (() => CsvRow[]),
  filename: string,
  /** The header for an answer without rows (otherwise taken from the first row). */
  columns?: string[],
): boolean {
  const accept = req.headers.accept ?? '';
  const wantsCsv =
    format === 'csv' ||
    (format === undefined && /\btext\/csv\b/i.test(accept) && !/application\/json/i.test(accept));
  if (!wantsCsv) return false;
  const table = typeof rows === 'function' ? rows() : rows;
  // Bypass the JSON serializer: the body is already text.
  reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .serializer((payload: unknown) => payload as string)
    .send(toCsv(table, table.length > 0 ? undefined : columns));
  return true;
}
