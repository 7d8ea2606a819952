import fs from 'node:fs';
import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { formKeyFor, postedFormKey } from '../../http/form-key';
import { uuidParam } from '../../http/validate';
import { DomainError } from '../../lib/domain-error';
import { textProblem, receiveUpload, UploadError } from '../imports/upload';
import { plannableQuarters, romeToday } from './calendar';
import { getManagedCampaign, type Campaign } from './campaigns.service';
import { COLUMN_NAMES, MAX_IMPORT_PROBLEMS } from './bulk-import.parse';
import { importResponses, type ImportResult } from './bulk-import.service';

/** The template: the header and two rows of one example firm (its second row a second line). */
export function templateCsv(campaign: Campaign): string {
  const q = plannableQuarters(romeToday())[1] ?? '';
  const firm = [
    'IT01234567897',
    'Meccanica Esempio S.r.l.',
    '28',
    '40',
    '048014',
    'Giulia Conti',
    'giulia@esempio.it',
  ];
  const scores = campaign.readiness
    ? ['3', '2', '4', '3', '1', '2', 'cloud|iot']
    : ['', '', '', '', '', '', ''];
  const rows = [
    COLUMN_NAMES,
    [...firm, ...scores, 'F40.a', '72', '5', '4', 'high', 'blended', q, ''],
    [...firm, ...scores, 'F40.b', '31', '2', '5', 'medium', 'online', q, 'turno serale'],
  ];
  return `${rows.map((r) => r.join(';')).join('\r\n')}\r\n`;
}

/** A region uploads the responses it holds from another survey tool, for one open campaign. */
export function bulkImportRoutes({ db, config }: AppServices): Router {
  const router = Router();
  const maxBytes = config.IMPORT_MAX_MB * 1024 * 1024;

  const page = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const campaign = await getManagedCampaign(db, req.user!, uuidParam(req));
    res.status(status).render('campaigns/import', {
      title: req.t('bulkImport.title'),
      campaign,
      columns: COLUMN_NAMES,
      maxMb: config.IMPORT_MAX_MB,
      firstQuarter: plannableQuarters(romeToday())[0],
      lastQuarter: plannableQuarters(romeToday()).at(-1),
      errors: {},
      formKey: formKeyFor(undefined),
      ...extra,
    });
  };

  router.get('/campaigns/:id/import', allow('campaign:manage'), (req, res) => page(req, res, 200));

  router.get('/campaigns/:id/import/template.csv', allow('campaign:manage'), async (req, res) => {
    const campaign = await getManagedCampaign(db, req.user!, uuidParam(req));
    res.type('text/csv; charset=utf-8');
    res.attachment('patto-import-template.csv');
    res.send(templateCsv(campaign));
  });

  router.post('/campaigns/:id/import', allow('campaign:manage'), async (req, res) => {
    const id = uuidParam(req);
    await getManagedCampaign(db, req.user!, id);
    let upload;
    try {
      upload = await receiveUpload(req, maxBytes);
    } catch (err) {
      if (!(err instanceof UploadError)) throw err;
      req.resume();
      return page(req, res, err.status, {
        errors: { file: req.t(err.messageKey, { max: config.IMPORT_MAX_MB }) },
      });
    }
    const file = upload.file;
    // A refused file's page keeps the form's key: its corrected upload is still one import.
    const again = (status: number, extra: object) =>
      page(req, res, status, { formKey: formKeyFor(upload.fields), ...extra });
    try {
      let error: string | null = null;
      if (!file) error = 'imports.errors.noFile';
      else if (file.bytes === 0) error = 'bulkImport.errors.source.empty';
      else if (!/\.(csv|txt)$/i.test(file.name)) error = 'imports.errors.notCsv';
      else {
        const problem = await textProblem(file.path);
        if (problem === 'utf16') error = 'bulkImport.errors.source.utf16';
        else if (problem) error = 'imports.errors.binary';
      }
      if (error) return again(422, { errors: { file: req.t(error) } });
      let result: ImportResult;
      try {
        result = await importResponses(db, req.user!, id, file!.path, {
          formKey: postedFormKey(upload.fields),
        });
      } catch (err) {
        if (!(err instanceof DomainError) || err.status === 404) throw err;
        return again(err.status, { errors: { file: req.t(err.messageKey) } });
      }
      if (result.problems.length)
        return again(422, {
          errors: { file: req.t('bulkImport.rejected', { count: result.problems.length }) },
          report: {
            rows: result.rows,
            truncated: result.problems.length >= MAX_IMPORT_PROBLEMS,
            problems: result.problems.map((p) => ({
              line: p.line,
              column: p.column ?? '',
              message: req.t(p.key, p.params),
            })),
          },
        });
      // A double click: the first post imported the file; this one lands where it did.
      if (result.repeated) flash(req, 'bulkImport.repeated');
      else
        flash(req, 'bulkImport.done', {
          responses: result.responses,
          lines: result.lines,
          created: result.createdFirms,
        });
      res.redirect(303, `/campaigns/${id}`);
    } finally {
      if (file) fs.rmSync(file.path, { force: true });
    }
  });

  return router;
}
