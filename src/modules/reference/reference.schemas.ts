import { z } from 'zod';
import { TERRITORY_LEVELS } from '../../db/database';
import { labelledChoice } from '../../http/validate';

/** Query strings from a GET form send empty fields as '' (or a search of spaces): "not given". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    schema.optional(),
  );

const code = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{2,12}$/, 'errors.query.reasons.territory');

export const territoryQuery = z.strictObject({
  level: optional(labelledChoice(TERRITORY_LEVELS, 'reference.levelNames')),
  parent: optional(code),
  q: optional(z.string().trim().min(1).max(100)),
  lang: optional(labelledChoice(['it', 'en'], 'layout.switchTo')),
});

export const territoryPageQuery = territoryQuery.extend({ code: optional(code) });

export const territoryParams = z.strictObject({ code });

export const skillQuery = z.strictObject({
  // Area codes are upper case (F40, DC1, ESCO-DIGITAL): a typed f40 is the same area.
  area: optional(z.string().trim().toUpperCase().max(40)),
  q: optional(z.string().trim().min(1).max(100)),
  lang: optional(labelledChoice(['it', 'en'], 'layout.switchTo')),
});

export const langQuery = z.strictObject({
  lang: optional(labelledChoice(['it', 'en'], 'layout.switchTo')),
});

const names = z.record(z.string(), z.string());
export const territorySchema = z
  .object({
    code: z.string(),
    level: z.enum(TERRITORY_LEVELS),
    parentCode: z.string().nullable(),
    name: z.string(),
    localName: z.string(),
    names,
    validFrom: z.string(),
    validTo: z.string().nullable(),
  })
  .meta({ id: 'Territory' });

export const skillSchema = z
  .object({
    code: z.string(),
    areaCode: z.string(),
    name: z.string(),
    names,
    escoUri: z.string().nullable(),
  })
  .meta({ id: 'Skill' });

export const codeListItem = z
  .object({
    code: z.string(),
    level: z.string(),
    parentCode: z.string().nullable(),
    name: z.string(),
    names,
  })
  .meta({ id: 'CodeListItem' });
