import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';

export type TextEncoding = 'utf8' | 'cp1252';

/** A file that cannot be read as text at all: the report gives the line where it went wrong. */
export class EncodingError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

interface Scan {
  /** Index of the first byte that is not valid UTF-8, or -1. */
  invalidAt: number;
  /** Bytes at the end that start a multi-byte sequence the next chunk may complete. */
  tail: number;
  multiByte: boolean;
}

function scanUtf8(buf: Buffer): Scan {
  let multiByte = false;
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len =
      b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return { invalidAt: i, tail: 0, multiByte };
    for (let k = 1; k < len; k++) {
      if (i + k >= buf.length) return { invalidAt: -1, tail: buf.length - i, multiByte };
      if ((buf[i + k]! & 0xc0) !== 0x80) return { invalidAt: i, tail: 0, multiByte };
    }
    multiByte = true;
    i += len;
  }
  return { invalidAt: -1, tail: 0, multiByte };
}

function countLines(buf: Buffer, end = buf.length): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Decodes UTF-8 or Windows-1252 (ISTAT publishes in cp1252) without being told which: the first
 * byte sequence that is not ASCII decides, and a later byte that contradicts the choice is a
 * mixed-encoding error rather than silent mojibake. A UTF-8 BOM decides at once.
 */
export class DetectingDecoder extends Transform {
  encoding: TextEncoding | null = null;
  private pending: Buffer = Buffer.alloc(0);
  private line = 1;
  private started = false;

  constructor() {
    super({ decodeStrings: true, readableObjectMode: false, encoding: 'utf8' });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      if (!this.started) {
        if (buf.length < 3) {
          this.pending = buf;
          return done();
        }
        this.started = true;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
          this.encoding = 'utf8';
          buf = buf.subarray(3);
        }
      }
      this.pending = Buffer.alloc(0);
      const scan = scanUtf8(buf);
      if (this.encoding === null && scan.invalidAt >= 0) this.encoding = 'cp1252';
      if (this.encoding === null && scan.multiByte) this.encoding = 'utf8';
      if (this.encoding === 'utf8' && scan.invalidAt >= 0) {
        throw this.mixed(buf, scan.invalidAt, 'a byte that is not UTF-8 in a UTF-8 file');
      }
      const keep = scan.tail;
      const body = keep ? buf.subarray(0, buf.length - keep) : buf;
      if (this.encoding === 'cp1252') {
        const utf8At = firstMultiByte(body);
        if (utf8At >= 0) throw this.mixed(body, utf8At, 'UTF-8 text in a Windows-1252 file');
      }
      this.pending = keep ? Buffer.from(buf.subarray(buf.length - keep)) : this.pending;
      this.line += countLines(body);
      done(
        null,
        this.encoding === 'cp1252' ? iconv.decode(body, 'win1252') : body.toString('utf8'),
      );
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.pending.length === 0) return done();
    if (this.encoding === 'utf8')
      return done(this.mixed(this.pending, 0, 'a truncated UTF-8 character'));
    done(null, iconv.decode(this.pending, this.encoding === 'cp1252' ? 'win1252' : 'utf8'));
  }

  private mixed(buf: Buffer, at: number, what: string): EncodingError {
    const line = this.line + countLines(buf, at);
    return new EncodingError(
      line,
      `mixed encodings: ${what} (line ${line}); save the file as UTF-8`,
    );
  }
}

/** Index of the first complete UTF-8 multi-byte sequence, or -1. */
function firstMultiByte(buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b < 0xc2 || b > 0xf4) continue;
    const len = b <= 0xdf ? 2 : b <= 0xef ? 3 : 4;
    let ok = i + len <= buf.length;
    for (let k = 1; ok && k < len; k++) ok = (buf[i + k]! & 0xc0) === 0x80;
    if (ok) return i;
  }
  return -1;
}
