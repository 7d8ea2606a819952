import crypto from 'node:crypto';
import { defaultPoolMax } from '../src/config';
import type { Db } from '../src/db';
import { italianCheckDigit } from '../src/lib/vat';
import type { SessionUser } from '../src/http/types';
import { findSessionUser } from '../src/modules/accounts/accounts.repository';
import { plannableQuarters, romeToday } from '../src/modules/survey/calendar';
import { submitResponse } from '../src/modules/survey/responses.service';
import { foldNeeds } from '../src/modules/needs/aggregate';
import { startNeedsFolder } from '../src/modules/needs/fold-worker';
import { createLogger } from '../src/logger';
import {
  benchComuni,
  openBenchCampaign,
  serverCpu,
  serverCpuSpent,
  withBenchDb,
} from './bench-kit';

// npm run bench:survey [-- RUNS CONCURRENCY PER_FIRM]: submitting a response with 10 need lines
// through the service (one transaction: lock, checks, version row, lines, queued aggregate
// change), on real PostgreSQL, in a database of its own that is dropped at the end.
const RUNS = Number(process.argv[2] ?? 300);
const CONCURRENCY = Number(process.argv[3] ?? 50);
// 40 each: 2,000 submissions, so the figure is the sustained rate, not the pool and JIT warming up.
const PER_FIRM = Number(process.argv[4] ?? 40);
const DB_NAME = 'patto_bench_survey';
// The app's own pool size unless BENCH_POOL says otherwise.
const POOL = Number(process.env.BENCH_POOL ?? defaultPoolMax());

function vat(): string {
  const first = `1${crypto.randomInt(0, 1e9).toString().padStart(9, '0')}`;
  return `IT${first}${italianCheckDigit(first)}`;
}

const SKILLS = [
  'F40.a',
  'F40.b',
  'F40.c',
  'F40.d',
  'F40.e',
  'F40.f',
  'F40.g',
  'F40.h',
  'F40.i',
  'F40.l',
];

function payload() {
  const quarters = plannableQuarters(romeToday());
  return {
    readiness: {
      strategy: '3',
      readiness: '2',
      human: '4',
      data: '3',
      automation: '1',
      green: '2',
      technologies: ['cloud', 'iot'],
    },
    needs: SKILLS.map((skill, i) => ({
      skill,
      occupation: '72',
      workers: String(i + 1),
      eqf: '4',
      priority: 'high',
      modality: 'blended',
      period: quarters[i % quarters.length],
      note: '',
    })),
  };
}

/**
 * `n` firms with complete profiles and a draft ready to submit, inserted in bulk, placed in
 * `places` in turn (one comune by default: every submission then updates the same cells).
 */
async function prepareFirms(db: Db, campaignId: string, n: number, places = ['048014']) {
  const orgs = await db
    .insertInto('organisations')
    .values(
      Array.from({ length: n }, (_, i) => ({
        kind: 'firm' as const,
        name: `Firm ${i}`,
        territory_code: places[i % places.length]!,
      })),
    )
    .returning('id')
    .execute();
  const users = await db
    .insertInto('users')
    .values(
      orgs.map((o) => ({
        organisation_id: o.id,
        email: `${o.id}@bench.test`,
        full_name: 'Bench',
        password_hash: 'x',
      })),
    )
    .returning(['id', 'organisation_id'])
    .execute();
  await db
    .insertInto('firms')
    .values(
      orgs.map((o, i) => ({
        organisation_id: o.id,
        legal_name: 'Bench S.r.l.',
        vat_number: vat(),
        nace_section: 'C',
        nace_division: '28',
        employees: 40,
        territory_code: places[i % places.length]!,
        contact_name: 'Bench',
        contact_email: 'bench@bench.test',
      })),
    )
    .execute();
  await db
    .insertInto('response_drafts')
    .values(
      orgs.map((o) => ({
        campaign_id: campaignId,
        firm_id: o.id,
        step: 4,
        payload: JSON.stringify(payload()),
      })),
    )
    .execute();
  return Promise.all(users.map((u) => findSessionUser(db, u.id).then((s) => s!)));
}

/**
 * CONCURRENCY workers, each submitting PER_FIRM of `firms` one after the other, with the app's
 * background folder folding their changes into the aggregate meanwhile; the time includes the
 * last fold, so the figure is what a campaign sustains with its aggregate kept current.
 */
async function concurrent(db: Db, campaignId: string, firms: SessionUser[]) {
  let errors = 0;
  const latencies: number[] = [];
  const folder = startNeedsFolder({ db, logger: createLogger('warn', false) });
  const server0 = await serverCpu(DB_NAME);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let k = 0; k < PER_FIRM; k++) {
        const s = performance.now();
        try {
          await submitResponse(db, firms[w * PER_FIRM + k]!, campaignId, 1);
          latencies.push(performance.now() - s);
        } catch (err) {
          errors++;
          console.error(err);
        }
      }
    }),
  );
  await folder.stop();
  await foldNeeds(db, campaignId);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const server = serverCpuSpent(server0, await serverCpu(DB_NAME));
  latencies.sort((a, b) => a - b);
  // CPU milliseconds per submission: this process (the service, its driver) and the server.
  const perSubmission = (s: number) => (1000 * s) / Math.max(1, latencies.length);
  return {
    errors,
    latencies,
    seconds,
    nodeCpu: perSubmission((cpu.user + cpu.system) / 1e6),
    serverCpu: perSubmission(server),
  };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function main() {
  await withBenchDb(
    DB_NAME,
    async (db) => {
      const { campaignId } = await openBenchCampaign(db, [
        'F40',
        'DC1',
        'DC2',
        'DC3',
        'DC4',
        'DC5',
      ]);

      // (a) one submission at a time: server time of the service call.
      const single = await prepareFirms(db, campaignId, RUNS + 20);
      const times: number[] = [];
      for (const [i, user] of single.entries()) {
        const t0 = performance.now();
        await submitResponse(db, user, campaignId, 1);
        if (i >= 20) times.push(performance.now() - t0); // the first 20 warm the pool and caches
      }
      times.sort((a, b) => a - b);

      // (b) CONCURRENCY firms at once, each submitting PER_FIRM times (fresh drafts each time), all
      // in one comune; (c) the same spread over the comuni of Florence and Prato, as firms are.
      const comuni = await benchComuni(db);
      const sameComune = await concurrent(
        db,
        campaignId,
        await prepareFirms(db, campaignId, CONCURRENCY * PER_FIRM),
      );
      const spread = await concurrent(
        db,
        campaignId,
        await prepareFirms(db, campaignId, CONCURRENCY * PER_FIRM, comuni),
      );
      const stored = await db
        .selectFrom('response_needs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();

      const f = (n: number) => n.toFixed(1);
      console.log(
        `Survey submission benchmark (PostgreSQL, pool ${POOL}, 10 need lines per response)`,
      );
      console.log(
        `(a) sequential, ${times.length} runs: p50 ${f(pct(times, 50))} ms, p95 ${f(pct(times, 95))} ms, mean ${f(times.reduce((a, b) => a + b, 0) / times.length)} ms`,
      );
      for (const [label, r] of [
        [`(b) ${CONCURRENCY} concurrent firms × ${PER_FIRM}, one comune`, sameComune],
        [`(c) ${CONCURRENCY} concurrent firms × ${PER_FIRM}, ${comuni.length} comuni`, spread],
      ] as const)
        console.log(
          `${label}: ${r.latencies.length} submissions in ${r.seconds.toFixed(2)} s = ${f(r.latencies.length / r.seconds)} submissions/s, errors ${r.errors}, p50 ${f(pct(r.latencies, 50))} ms, p95 ${f(pct(r.latencies, 95))} ms; CPU per submission: bench process ${f(r.nodeCpu)} ms, server ${f(r.serverCpu)} ms`,
        );
      console.log(`need lines stored: ${stored.n}`);
    },
    POOL,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
