import { z } from 'zod';
import type { AppServices } from '../../app';
import { defineOperation, type ApiOperation } from '../api/operation';
import * as repo from './reference.repository';
import {
  codeListItem,
  langQuery,
  skillQuery,
  skillSchema,
  territoryParams,
  territoryQuery,
  territorySchema,
} from './reference.schemas';
import { territoryDetail, toCodeItem, toTerritory } from './reference.service';

const lang = (l: string | undefined) => (l === 'en' ? 'en' : 'it');

// A list longer than a page is read a page at a time: `total` says how many there are.
const page = z.coerce.number().int().min(1).max(100_000).optional().default(1);
const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    items: z.array(item),
  });

export function referenceOperations({ db }: AppServices): ApiOperation[] {
  return [
    defineOperation({
      operationId: 'listTerritories',
      method: 'get',
      path: '/territories',
      summary: 'Current territories by level, parent and a search on code or name, 200 a page',
      tags: ['reference'],
      access: 'reference:read',
      query: territoryQuery.extend({ page }),
      response: {
        status: 200,
        description: 'A page of territories with the total count',
        schema: pageOf(territorySchema),
      },
      handler: async ({ query }) => {
        const pageSize = repo.PAGE_LIMIT;
        const [rows, total] = await Promise.all([
          repo.searchTerritories(db, query, {
            limit: pageSize,
            offset: (query.page - 1) * pageSize,
          }),
          repo.countTerritories(db, query),
        ]);
        return {
          total,
          page: query.page,
          pageSize,
          items: rows.map((t) => toTerritory(t, lang(query.lang))),
        };
      },
    }),
    defineOperation({
      operationId: 'getTerritory',
      method: 'get',
      path: '/territories/:code',
      summary: 'One territory, its path to the root and its children',
      tags: ['reference'],
      access: 'reference:read',
      params: territoryParams,
      query: langQuery,
      response: {
        status: 200,
        description: 'The territory',
        schema: z.object({
          territory: territorySchema,
          path: z.array(z.object({ code: z.string(), level: z.string(), name: z.string() })),
          children: z.array(territorySchema.extend({ children: z.number().int() })),
        }),
      },
      errors: [404],
      handler: ({ params, query }) => territoryDetail(db, params.code, lang(query.lang)),
    }),
    defineOperation({
      operationId: 'listSkills',
      method: 'get',
      path: '/skills',
      summary: 'Skills of the taxonomy, optionally of one area, 1000 a page',
      tags: ['reference'],
      access: 'reference:read',
      query: skillQuery.extend({ page }),
      response: {
        status: 200,
        description: 'A page of skills with the total count',
        schema: pageOf(skillSchema),
      },
      handler: async ({ query }) => {
        const pageSize = repo.SKILLS_PAGE;
        const [rows, total] = await Promise.all([
          repo.searchSkills(db, query, (query.page - 1) * pageSize),
          repo.countSkills(db, query),
        ]);
        return {
          total,
          page: query.page,
          pageSize,
          items: rows.map((s) => ({
            code: s.code,
            areaCode: s.area_code,
            name: s.name,
            names: s.names,
            escoUri: s.esco_uri,
          })),
        };
      },
    }),
    defineOperation({
      operationId: 'listSectors',
      method: 'get',
      path: '/sectors',
      summary: 'NACE Rev. 2 sections and divisions',
      tags: ['reference'],
      access: 'reference:read',
      response: {
        status: 200,
        description: 'Sectors',
        schema: z.object({ items: z.array(codeListItem) }),
      },
      handler: async () => ({ items: (await repo.listSectors(db)).map(toCodeItem) }),
    }),
    defineOperation({
      operationId: 'listOccupations',
      method: 'get',
      path: '/occupations',
      summary: 'ISCO-08 major and sub-major groups',
      tags: ['reference'],
      access: 'reference:read',
      response: {
        status: 200,
        description: 'Occupations',
        schema: z.object({ items: z.array(codeListItem) }),
      },
      handler: async () => ({ items: (await repo.listOccupations(db)).map(toCodeItem) }),
    }),
  ];
}
