import fs from 'node:fs';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { SourceError, type CsvFile, type CsvRecord, type ImportSource } from './csv-source';

/** A ZIP archive (every XLSX is one) starts with a local file header, "PK\3\4". */
export const isZip = (head: Buffer): boolean =>
  head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;

/** True when the file on disk starts like a ZIP archive. */
export async function fileLooksLikeZip(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return isZip(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

type Value = ExcelJS.CellValue;

/**
 * Re-cuts a byte stream so that no chunk ends inside a UTF-8 sequence. exceljs 4.4's streaming
 * reader decodes every inflated chunk on its own, so a character split between two chunks came
 * out as two U+FFFD (seen on the Serbian and Greek names of NUTS 2024).
 */
export async function* wholeCharacters(
  chunks: AsyncIterable<Buffer | string>,
): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    const buf = carry.length ? Buffer.concat([carry, bytes]) : bytes;
    let end = buf.length;
    let i = end - 1;
    while (i >= 0 && end - i < 4 && (buf[i]! & 0xc0) === 0x80) i--;
    if (i >= 0) {
      const lead = buf[i]!;
      const len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
      if (i + len > end) end = i;
    }
    carry = buf.subarray(end);
    if (end > 0) yield buf.subarray(0, end);
  }
  if (carry.length) yield carry;
}

// The two places where exceljs hands an entry's bytes to its XML parser (internal methods of
// exceljs 4.4, covered by the CSV-equals-XLSX test on NUTS 2024): given whole characters.
interface ReaderInternals {
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: AsyncIterable<Buffer>, sheetNo: string): Generator<unknown>;
}
class WholeCharacterReader extends ExcelJS.stream.xlsx.WorkbookReader {
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncGenerator<unknown> {
    const base = ExcelJS.stream.xlsx.WorkbookReader.prototype as unknown as ReaderInternals;
    const whole = Readable.from(wholeCharacters(entry as AsyncIterable<Buffer>));
    return base._parseSharedStrings.call(this, whole);
  }

  _parseWorksheet(iterator: AsyncIterable<Buffer>, sheetNo: string): Generator<unknown> {
    const base = ExcelJS.stream.xlsx.WorkbookReader.prototype as unknown as ReaderInternals;
    return base._parseWorksheet.call(this, wholeCharacters(iterator), sheetNo);
  }
}

/** A cell as the text a CSV export would hold; formulas are refused by the caller. */
function text(value: Value): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('error' in value) return String(value.error);
  if ('text' in value) return typeof value.text === 'string' ? value.text : text(value.text);
  return '';
}

const isFormula = (value: Value): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !(value instanceof Date) &&
  ('formula' in value || 'sharedFormula' in value);

/**
 * Streams the first worksheet of an XLSX file as the same records a CSV gives: the first
 * non-empty row is the header, and each record's line is its row number in the sheet. Rows are
 * read as the archive is inflated (exceljs's streaming reader); only what the ZIP layout forces
 * is held apart: the shared strings, and a worksheet stored before them goes to a temporary file.
 * A formula cell is not evaluated: the record carries "C12: formulas are not accepted".
 */
export async function openXlsx(source: ImportSource): Promise<CsvFile> {
  const input = typeof source === 'string' ? fs.createReadStream(source) : (source as Readable);
  const reader = new WholeCharacterReader(input as never, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  const close = () => (input as Readable).destroy?.();

  async function* records(): AsyncGenerator<CsvRecord> {
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const cells: string[] = [];
        let formulaAt: string | undefined;
        row.eachCell({ includeEmpty: false }, (cell, col) => {
          while (cells.length < col - 1) cells.push('');
          if (isFormula(cell.value)) {
            formulaAt ??= cell.address;
            cells.push('');
          } else cells.push(text(cell.value));
        });
        yield { line: row.number, cells, formulaAt };
      }
      return; // the first worksheet only
    }
  }

  const all = records();
  let header: CsvRecord | undefined;
  try {
    for (;;) {
      const next = await all.next();
      if (next.done) break;
      if (next.value.cells.some((c) => c.trim() !== '')) {
        if (next.value.formulaAt) {
          throw new SourceError(
            next.value.line,
            `${next.value.formulaAt}: formulas are not accepted (in the header row)`,
            'formulaHeader',
          );
        }
        header = next.value;
        break;
      }
    }
  } catch (err) {
    close();
    if (err instanceof SourceError) throw err;
    throw new SourceError(1, `unreadable XLSX file: ${(err as Error).message}`);
  }
  if (!header) {
    close();
    throw new SourceError(1, 'the first worksheet is empty', 'empty');
  }
  const width = header.cells.length;

  async function* batches(): AsyncGenerator<CsvRecord[]> {
    let out: CsvRecord[] = [];
    let last = header!.line;
    try {
      for await (const record of all) {
        last = record.line;
        if (!record.formulaAt && record.cells.every((c) => c.trim() === '')) continue;
        while (record.cells.length < width) record.cells.push('');
        out.push(record);
        if (out.length >= 1000) {
          yield out;
          out = [];
        }
      }
    } catch (err) {
      throw new SourceError(last + 1, `unreadable XLSX file: ${(err as Error).message}`);
    }
    if (out.length) yield out;
  }

  return {
    header: header.cells,
    headerLine: header.line,
    delimiter: '',
    encoding: () => null,
    close,
    batches: { [Symbol.asyncIterator]: batches },
  };
}
