import fs from 'node:fs';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { fieldErrors, uuidParam } from '../../http/validate';
import {
  findImport,
  importableNutsVersions,
  listImports,
  NUTS_VERSIONS,
  startImport,
} from './imports.service';
import type { ImportRowError } from '../reference/importers/report';
import { fileLooksLikeZip } from '../reference/importers/xlsx-source';
import { textProblem, receiveUpload, UploadError } from './upload';

const importForm = z
  .strictObject({
    kind: z.enum(['istat', 'nuts', 'esco']),
    version: z.union([z.enum(NUTS_VERSIONS), z.literal('')]).optional(),
  })
  .refine((v) => v.kind !== 'nuts' || !!v.version, {
    message: 'imports.errors.versionRequired',
    path: ['version'],
  });

/**
 * Why a file or a row was refused, in the reader's language; a code this version does not know
 * (or a report written before rows had codes) keeps the importer's English message.
 */
function reasonText(e: ImportRowError, t: Request['t']): string {
  if (!e.code) return e.message;
  return t([`imports.rowProblems.${e.code}`, `imports.source.${e.code}`], {
    ...e.params,
    column: e.column,
    defaultValue: e.message,
  });
}

/** Admin upload of the official files: ISTAT comuni, Eurostat NUTS, ESCO skills. */
export function importRoutes({ db, logger, config }: AppServices): Router {
  const router = Router();
  const maxBytes = config.IMPORT_MAX_MB * 1024 * 1024;

  const indexView = async (req: Request, res: Response, status: number, extra: object) => {
    const nuts = await importableNutsVersions(db);
    res.status(status).render('imports/index', {
      title: req.t('imports.title'),
      jobs: await listImports(db),
      versions: nuts.offered,
      olderVersions: nuts.older.length
        ? req.t('imports.olderVersions', { versions: nuts.older.join(', '), date: nuts.loaded })
        : undefined,
      maxMb: config.IMPORT_MAX_MB,
      values: {},
      ...extra,
    });
  };

  router.get('/admin/imports', allow('reference:import'), (req, res) =>
    indexView(req, res, 200, {}),
  );

  router.post('/admin/imports', allow('reference:import'), async (req, res) => {
    let upload;
    try {
      upload = await receiveUpload(req, maxBytes);
    } catch (err) {
      if (!(err instanceof UploadError)) throw err;
      // The rest of a refused body is drained so the client reads our answer.
      req.resume();
      return indexView(req, res, err.status, {
        errors: { file: req.t(err.messageKey, { max: config.IMPORT_MAX_MB }) },
      });
    }
    const discard = () => upload.file && fs.rmSync(upload.file.path, { force: true });
    const parsed = importForm.safeParse(upload.fields);
    const errors: Record<string, string> = parsed.success ? {} : fieldErrors(parsed.error, req.t);
    const xlsx = !!upload.file && /\.xlsx$/i.test(upload.file.name);
    if (!upload.file) errors.file = req.t('imports.errors.noFile');
    else if (upload.file.bytes === 0) errors.file = req.t('imports.source.empty');
    else if (xlsx) {
      // Eurostat publishes NUTS as XLSX too; ISTAT and ESCO files are CSV only.
      if (parsed.success && parsed.data.kind !== 'nuts')
        errors.file = req.t('imports.errors.xlsxOnlyNuts');
      else if (!(await fileLooksLikeZip(upload.file.path)))
        errors.file = req.t('imports.errors.notXlsx');
    } else if (!/\.(csv|txt)$/i.test(upload.file.name))
      errors.file = req.t('imports.errors.notCsv');
    else {
      const problem = await textProblem(upload.file.path);
      if (problem)
        errors.file = req.t(`imports.${problem === 'utf16' ? 'source' : 'errors'}.${problem}`);
    }
    if (!parsed.success || Object.keys(errors).length) {
      discard();
      return indexView(req, res, 422, { errors, values: upload.fields });
    }
    const { id } = await startImport(db, logger, {
      kind: parsed.data.kind,
      version: parsed.data.kind === 'nuts' ? parsed.data.version || null : null,
      format: xlsx ? 'xlsx' : 'csv',
      file: upload.file!,
      userId: req.user!.id,
    });
    res.redirect(303, `/admin/imports/${id}`);
  });

  const ENCODING_NAMES: Record<string, string> = { utf8: 'UTF-8', cp1252: 'Windows-1252' };

  router.get('/admin/imports/:id', allow('reference:import'), async (req, res) => {
    const job = await findImport(db, uuidParam(req));
    const running = job.status === 'running' && !job.stale;
    // Refreshes itself while running: a progress page that needs no JavaScript.
    if (running) res.setHeader('Refresh', '2');
    const errors = (job.report?.errors ?? []).map((e) => ({
      line: e.line,
      message: reasonText(e, req.t),
    }));
    // The decoder's codes (utf8, cp1252) named as the form's hint names them.
    // (Not `encoding`: express-handlebars reads that render option as the template files' own.)
    const encodingName = job.report?.encoding
      ? (ENCODING_NAMES[job.report.encoding] ?? job.report.encoding)
      : undefined;
    res.render('imports/show', {
      title: req.t('imports.jobTitle'),
      job,
      running,
      errors,
      encodingName,
    });
  });

  return router;
}
