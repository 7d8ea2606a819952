import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';

export class UploadError extends Error {
  constructor(
    readonly messageKey: string,
    readonly status = 422,
  ) {
    super(messageKey);
  }
}

export interface Upload {
  fields: Record<string, string>;
  file: { path: string; name: string; bytes: number } | null;
}

/**
 * Streams one multipart file to a temporary file (never into memory) with its text fields.
 * Over maxBytes the upload is cut off and refused whole.
 */
export function receiveUpload(req: Request, maxBytes: number): Promise<Upload> {
  return new Promise((resolve, reject) => {
    if (!req.is('multipart/form-data'))
      return reject(new UploadError('imports.errors.notMultipart', 415));
    const fields: Record<string, string> = {};
    let file: Upload['file'] = null;
    let writing: Promise<void> | null = null;
    let tooBig = false;
    const bb = busboy({
      headers: req.headers,
      limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1000 },
    });
    bb.on('field', (name, value) => {
      if (name !== '_csrf') fields[name] = value;
    });
    bb.on('file', (_name, stream, info) => {
      // A browser sends an empty part with no file name when no file was chosen.
      if (!info.filename) return stream.resume();
      const target = path.join(os.tmpdir(), `patto-upload-${crypto.randomUUID()}`);
      const name = path.basename(info.filename || 'upload').slice(0, 255);
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
      stream.on('limit', () => (tooBig = true));
      writing = pipeline(stream, fs.createWriteStream(target)).then(() => {
        file = { path: target, name, bytes };
      });
    });
    bb.on('error', reject);
    bb.on('close', () => {
      (writing ?? Promise.resolve())
        .then(() => {
          const f = file as Upload['file'];
          if (tooBig) {
            if (f) fs.rmSync(f.path, { force: true });
            return reject(new UploadError('imports.errors.tooBig', 413));
          }
          resolve({ fields, file: f });
        })
        .catch(reject);
    });
    req.pipe(bb);
  });
}

/**
 * Why a file cannot be a CSV of text, or null if it may be: UTF-16 (Excel's "Unicode text" and
 * some exports: a byte-order mark, then a NUL after every ASCII letter) is named as such, since
 * saving as UTF-8 fixes it; otherwise a text file has no NUL byte in its first 64 KiB, while
 * spreadsheets and archives do.
 */
export async function textProblem(file: string): Promise<'utf16' | 'binary' | null> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
      return 'utf16';
    return head.includes(0) ? 'binary' : null;
  } finally {
    await handle.close();
  }
}
