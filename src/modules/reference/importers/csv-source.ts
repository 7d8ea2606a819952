import fs from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { DetectingDecoder, EncodingError, type TextEncoding } from './decode';
import { mapColumns, type ImportRowError } from './report';
import { isZip, openXlsx } from './xlsx-source';

/** A file path, or a byte stream (an upload). */
export type ImportSource = string | NodeJS.ReadableStream;

/**
 * What made a file unusable, for pages that word it in the reader's language (the message stays
 * English, for the command line and the logs).
 */
export type SourceProblem =
  | 'empty'
  | 'zip'
  | 'utf16'
  | 'binary'
  | 'noSeparator'
  | 'noHeader'
  | 'encoding'
  | 'unreadable'
  | 'notXlsx'
  | 'formulaHeader';

/** Why a file was refused, as `errors` says it, in codes a page words in the reader's language. */
export interface Refusal {
  line: number;
  code: SourceProblem | 'missingColumn';
  column?: string;
}

/** The file itself is unusable (empty, binary, bad header, broken quoting): reported on a line. */
export class SourceError extends Error {
  constructor(
    readonly line: number,
    message: string,
    readonly code: SourceProblem = 'unreadable',
  ) {
    super(message);
  }
}

export interface CsvRecord {
  /** The line the record starts on (a quoted cell may span several lines). */
  line: number;
  cells: string[];
  /** The address of a formula cell (XLSX), which cannot be read as text: the row is refused. */
  formulaAt?: string;
}

export interface CsvFile {
  header: string[];
  headerLine: number;
  delimiter: string;
  encoding(): TextEncoding | null;
  /** The data records, in file order, a batch at a time. */
  batches: AsyncIterable<CsvRecord[]>;
  /** Stops reading early and releases the file. */
  close(): void;
}

const HEAD_BYTES = 64 * 1024;

async function peek(input: NodeJS.ReadableStream): Promise<{ head: Buffer; stream: Readable }> {
  const it = (input as Readable)[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < HEAD_BYTES) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    const buf = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(buf);
    size += buf.length;
  }
  const head = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    while (!ended) {
      const next = await it.next();
      if (next.done) return;
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  }
  return { head, stream: Readable.from(all(), { objectMode: false }) };
}

function sniff(head: Buffer): string {
  if (head.length === 0 || head.toString('latin1').trim() === '') {
    throw new SourceError(1, 'the file is empty', 'empty');
  }
  if (isZip(head)) {
    throw new SourceError(1, 'this is an XLSX/ZIP file, not a CSV: export the sheet as CSV', 'zip');
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new SourceError(1, 'UTF-16 text is not supported: save the file as UTF-8', 'utf16');
  }
  if (head.includes(0)) throw new SourceError(1, 'this is a binary file, not a CSV', 'binary');
  // The header row decides the separator; a quoted header cell may span lines, so count
  // separators outside quotes up to the first unquoted line end.
  const counts: Record<string, number> = { ';': 0, ',': 0, '\t': 0 };
  let quoted = false;
  for (const ch of head.toString('latin1')) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch]!++;
  }
  const best = Object.entries(counts).sort((a, b) => b[1] - a[1])[0]!;
  if (best[1] === 0)
    throw new SourceError(1, 'the header row has no ; , or tab separator', 'noSeparator');
  return best[0];
}

/** Streams a CSV file: encoding and separator detected, one record at a time, never the whole file. */
export async function openCsv(source: ImportSource): Promise<CsvFile> {
  const input = typeof source === 'string' ? fs.createReadStream(source) : source;
  const { head, stream } = await peek(input);
  const delimiter = sniff(head);
  const decoder = new DetectingDecoder();
  // relax_quotes: a stray quote inside a cell (=CMD("calc")) is kept as text and checked by the
  // importer rather than ending the read.
  const parser = parse({
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    // Named, not discovered: while discovering, csv-parse allocates a buffer per byte read. A
    // file with a CR and no LF at its start ends its lines in a lone CR ("CSV (Macintosh)").
    record_delimiter: head.includes(0x0d) && !head.includes(0x0a) ? ['\r'] : ['\r\n', '\n'],
    info: true,
    bom: true,
  });
  pipeline(stream, decoder, parser, () => undefined);

  // Records are drained synchronously, a thousand at a time: one promise per record costs more
  // than the parsing itself.
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  parser.on('readable', () => wake?.());
  parser.on('end', () => {
    ended = true;
    wake?.();
  });
  parser.on('error', (err) => {
    failure = err;
    wake?.();
  });
  let lastLine = 0;
  async function* batches(): AsyncGenerator<CsvRecord[]> {
    for (;;) {
      const out: CsvRecord[] = [];
      let step: { record: string[]; info: { lines: number } } | null;
      while (out.length < 1000 && (step = parser.read() as typeof step) !== null) {
        const line = lastLine + 1;
        lastLine = step.info.lines;
        const cells = step.record;
        if (cells.length === 1 && cells[0]!.trim() === '') continue;
        out.push({ line, cells });
      }
      if (failure) throw asSourceError(failure, lastLine + 1);
      if (out.length) {
        yield out;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  }

  const all = batches();
  const first = await all.next();
  const rest = first.done ? [] : first.value;
  const header = rest.shift();
  if (!header) throw new SourceError(1, 'the file has no header row', 'noHeader');
  return {
    header: header.cells,
    headerLine: header.line,
    delimiter,
    encoding: () => decoder.encoding,
    close: () => parser.destroy(),
    batches: {
      async *[Symbol.asyncIterator]() {
        if (rest.length) yield rest;
        yield* all;
      },
    },
  };
}

function asSourceError(err: unknown, line: number): SourceError {
  if (err instanceof EncodingError) return new SourceError(err.line, err.message, 'encoding');
  const e = err as { message?: string; lines?: number; code?: string };
  return new SourceError(e.lines ?? line, `unreadable CSV: ${e.message ?? String(err)}`);
}

/**
 * Opens the file and finds the wanted columns; a refusal comes back as the report's errors.
 * With `xlsx`, a ZIP archive is read as a workbook (by content: an upload's temporary file has no
 * extension); 'required' when the name said .xlsx, so that anything else is refused as such.
 */
export async function openColumns<K extends string>(
  source: ImportSource,
  fields: Record<K, { names: readonly string[]; required: boolean }>,
  options: { xlsx?: 'accepted' | 'required' } = {},
): Promise<
  { file: CsvFile; col: Record<K, number> } | { errors: ImportRowError[]; refusals: Refusal[] }
> {
  let file: CsvFile;
  try {
    if (options.xlsx) {
      const input = typeof source === 'string' ? fs.createReadStream(source) : source;
      const { head, stream } = await peek(input);
      if (isZip(head)) file = await openXlsx(stream);
      else if (options.xlsx === 'required')
        throw new SourceError(1, 'this is not an XLSX file (not a ZIP archive)', 'notXlsx');
      else file = await openCsv(stream);
    } else file = await openCsv(source);
  } catch (err) {
    if (err instanceof SourceError)
      return {
        errors: [{ line: err.line, message: err.message, code: err.code }],
        refusals: [{ line: err.line, code: err.code }],
      };
    throw err;
  }
  const { columns, missing } = mapColumns(file.header, fields);
  if (missing.length) {
    file.close();
    return {
      errors: missing.map((m) => ({
        line: file.headerLine,
        message: `missing column "${m}"`,
        code: 'missingColumn',
        column: m,
      })),
      refusals: missing.map((m) => ({
        line: file.headerLine,
        code: 'missingColumn' as const,
        column: m,
      })),
    };
  }
  return { file, col: columns };
}
