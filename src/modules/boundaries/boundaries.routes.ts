import fs from 'node:fs';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { fieldErrors } from '../../http/validate';
import { receiveUpload, UploadError } from '../imports/upload';
import { importedSummary } from './boundaries.repository';
import { BoundaryFileError, importBoundaries, MAX_BOUNDARY_BYTES } from './boundaries.service';

const boundaryForm = z.strictObject({
  source: z.enum(['auto', 'gisco', 'istat']).default('auto'),
});

/**
 * Admin upload of boundary files. Imported in the request: the files are a few megabytes and
 * the import takes a second or two, so there is no job to follow.
 */
export function boundaryRoutes({ db, config }: AppServices): Router {
  const router = Router();
  const maxBytes = Math.min(config.IMPORT_MAX_MB * 1024 * 1024, MAX_BOUNDARY_BYTES);
  const maxMb = Math.floor(maxBytes / 1024 / 1024);

  const page = async (req: Request, res: Response, status: number, extra: object) => {
    res.status(status).render('boundaries/index', {
      title: req.t('boundaries.title'),
      imported: await importedSummary(db),
      maxMb,
      values: { source: 'auto' },
      ...extra,
    });
  };

  router.get('/admin/boundaries', allow('reference:import'), (req, res) => page(req, res, 200, {}));

  router.post('/admin/boundaries', allow('reference:import'), async (req, res) => {
    let upload;
    try {
      upload = await receiveUpload(req, maxBytes);
    } catch (err) {
      if (!(err instanceof UploadError)) throw err;
      req.resume();
      const key = err.status === 413 ? 'boundaries.errors.tooBig' : err.messageKey;
      return page(req, res, err.status, { errors: { file: req.t(key, { max: maxMb }) } });
    }
    const file = upload.file;
    try {
      const parsed = boundaryForm.safeParse(upload.fields);
      const errors: Record<string, string> = parsed.success ? {} : fieldErrors(parsed.error, req.t);
      if (!file) errors.file = req.t('boundaries.errors.noFile');
      else if (file.bytes === 0) errors.file = req.t('imports.source.empty');
      else if (!/\.(geo|topo)?json$/i.test(file.name))
        errors.file = req.t('boundaries.errors.notJsonName');
      if (!parsed.success || Object.keys(errors).length)
        return await page(req, res, 422, { errors, values: upload.fields });
      const source = parsed.data.source === 'auto' ? undefined : parsed.data.source;
      let report;
      try {
        report = await importBoundaries(db, await fs.promises.readFile(file!.path, 'utf8'), {
          fileName: file!.name,
          source,
          userId: req.user!.id,
        });
      } catch (err) {
        if (!(err instanceof BoundaryFileError)) throw err;
        // A source is named as the form's choices name it, not by its code.
        const params = Object.fromEntries(
          Object.entries(err.params).map(([k, v]) => [
            k,
            k === 'expected' || k === 'found' ? req.t(`boundaries.sources.${String(v)}`) : v,
          ]),
        );
        const errors = { file: req.t(err.messageKey, params) };
        return await page(req, res, 422, { errors, values: upload.fields });
      }
      const params = {
        file: file!.name,
        matched: String(report.matched),
        changed: String(report.changed),
        unknown: String(report.unknown.length),
        sample: report.unknown.slice(0, 5).join('; '),
        note: report.skipped.length
          ? ` ${req.t('boundaries.skipped', { list: report.skipped.join('; ') })}`
          : '',
      };
      flash(req, report.unknown.length ? 'boundaries.doneWithUnknown' : 'boundaries.done', params);
      res.redirect(303, '/admin/boundaries');
    } finally {
      if (file) fs.rmSync(file.path, { force: true });
    }
  });

  return router;
}
