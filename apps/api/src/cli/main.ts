#!/usr/bin/env node
import 'reflect-metadata';
import { userInfo } from 'node:os';
import { ApiKeyRole, FeedKind } from '@prisma/client';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EnvError, loadCliEnv } from '../config/env';
import { createCore, createJobParts, type Core, type JobParts } from '../deps';
import { AppError } from '../errors/app-error';
import { FEED_FORMATS } from '../modules/ingestion/feed-format';
import type { IngestProgress } from '../modules/ingestion/ingestion.service';
import { toClassification } from '../modules/serving/classification.mapper';
import { classifyWithModel } from '../modules/serving/classify-with-model';
import { ARTIFACT_FILE, ModelTransfer, REGISTRY_FILE } from '../modules/models/model-transfer';

/** The CLI needs only the database: the composition root's core, opened for one command. */
async function withCore<T>(run: (core: Core) => Promise<T>): Promise<T> {
  const core = createCore(loadCliEnv(), { poolSize: 2 });
  try {
    return await run(core);
  } finally {
    await core.close();
  }
}

/** Commands that reach the queues (schedules, jobs) need Redis as well. */
async function withJobs<T>(run: (core: Core, jobs: JobParts) => Promise<T>): Promise<T> {
  const env = loadCliEnv();
  if (!env.REDIS_URL) throw new EnvError('Invalid environment variable REDIS_URL: is not set (this command reaches the job queues)');
  const core = createCore(env, { poolSize: 2 });
  const parts = createJobParts(core, { ...env, REDIS_URL: env.REDIS_URL });
  try {
    return await run(core, parts);
  } finally {
    await parts.close();
    await core.close();
  }
}

/**
 * The core plus the queues when REDIS_URL is set: an ingestion then runs the post-ingest hooks
 * that queue jobs (the promoted model's evaluation of a new DGA snapshot), as the API would.
 */
async function withCoreAndQueues<T>(run: (core: Core, queues: boolean) => Promise<T>): Promise<T> {
  const env = loadCliEnv();
  const core = createCore(env, { poolSize: 2 });
  const parts = env.REDIS_URL ? createJobParts(core, { ...env, REDIS_URL: env.REDIS_URL }) : null;
  try {
    return await run(core, parts !== null);
  } finally {
    await parts?.close();
    await core.close();
  }
}

/** Admin commands run as whoever has the database URL; the audit log names the OS user. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}

/** Runs an admin command inside an audit entry, like a GraphQL mutation. */
function audited<T>(core: Core, action: string, args: unknown, run: () => Promise<T>): Promise<T> {
  return core.audit.around({ actor: cliActor(), apiKeyId: null, via: 'cli', action, arguments: args }, run, (err) =>
    err instanceof AppError ? err.category : 'ERROR',
  );
}

function parseDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`"${value}" is not a date (use YYYY-MM-DD or ISO 8601)`);
  return date;
}
function parseId(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a snapshot id`);
  return Number(value);
}

function progressBar(label: string) {
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted} | {phase}`,
    hideCursor: true,
    stream: process.stderr,
    noTTYOutput: false,
    etaBuffer: 50,
  });
  const started = Date.now();
  let begun = false;
  return {
    update(p: IngestProgress) {
      const total = p.sizeHint ?? Math.max(p.bytes, 1);
      const payload = {
        rows: p.rows.toLocaleString('en'),
        rate: Math.round(p.rows / Math.max((Date.now() - started) / 1000, 0.001)).toLocaleString('en'),
        phase: p.phase,
      };
      if (!begun) {
        bar.start(total, 0, payload);
        begun = true;
      }
      bar.setTotal(Math.max(total, p.bytes));
      bar.update(p.phase === 'merging' ? Math.max(total, p.bytes) : p.bytes, payload);
    },
    stop: () => begun && bar.stop(),
  };
}

const program = new Command()
  .name('dgascope')
  .description('dgascope command line: ingest feeds and look at what they hold.')
  // Options after a subcommand are the subcommand's (models import <dir> --json); commander needs it on every level.
  .enablePositionalOptions()
  .showHelpAfterError();

program
  .command('ingest')
  .description('Ingest one feed file (a path or an http(s) URL; .gz and .zip are read as they are).')
  .argument('<source>', 'file path or http(s) URL')
  .requiredOption('--feed <name>', 'feed name (created on first use)')
  .addOption(new Option('--format <format>', 'skip format detection').choices([...FEED_FORMATS]))
  .option('--taken-at <date>', 'when the snapshot was taken (default: the feed header date, else now)', parseDate)
  .addOption(new Option('--kind <kind>', 'kind of a new feed (default: implied by the format)').choices(Object.values(FeedKind)))
  .option('--family-suffix <suffix...>', 'Bambenek family-extraction suffixes, in order (default: " DGA" " (" " -")')
  .option('--json', 'print the result as JSON')
  .action(
    async (
      source: string,
      opts: {
        feed: string;
        format?: (typeof FEED_FORMATS)[number];
        takenAt?: Date;
        kind?: FeedKind;
        familySuffix?: string[];
        json?: boolean;
      },
    ) => {
      const bar = progressBar(opts.feed);
      await withCoreAndQueues(async (core, queues) => {
        const started = Date.now();
        const outcome = await audited(core, 'ingest', { source, ...opts }, () =>
          core.ingestion.ingest(
            {
              feed: opts.feed,
              source: /^https?:\/\//i.test(source) ? { kind: 'url', url: source } : { kind: 'path', path: source },
              ...(opts.format ? { format: opts.format } : {}),
              ...(opts.takenAt ? { takenAt: opts.takenAt } : {}),
              ...(opts.kind ? { feedKind: opts.kind } : {}),
              ...(opts.familySuffix ? { familySuffixes: opts.familySuffix } : {}),
            },
            (p) => bar.update(p),
          ),
        );
        bar.stop();
        const seconds = (Date.now() - started) / 1000;
        if (opts.json) console.log(JSON.stringify({ ...outcome, seconds }));
        else if (!outcome.created)
          console.log(`${source}: already ingested for feed "${opts.feed}" as snapshot ${outcome.snapshotId}; nothing added`);
        else {
          console.log(
            `${source}: snapshot ${outcome.snapshotId} (${outcome.format}) — ${outcome.rowsAccepted} accepted, ${outcome.rowsRejected} rejected, ${outcome.rowsDuplicate} duplicate, ${seconds.toFixed(1)} s (${Math.round(outcome.rowsRead / seconds)} rows/s)`,
          );
          for (const h of outcome.afterIngest) console.log(`  after ingest, ${h.hook}: ${h.ok ? '' : 'FAILED: '}${h.message}`);
          if (!queues) console.log('  after ingest: REDIS_URL is not set, so no job was queued (the promoted model was not evaluated)');
        }
      }).finally(() => bar.stop());
    },
  );

program
  .command('skew')
  .description('Class skew of one or more snapshots (combined).')
  .argument('<snapshotIds...>', 'snapshot ids', (v: string, prev: number[] = []) => [...prev, parseId(v)])
  .option('--top <n>', 'rows to print', (v) => parseId(v), 20)
  .action(async (ids: number[], opts: { top: number }) => {
    await withCore(async (core) => {
      const skew = await core.analytics.skew(ids, opts.top);
      console.log(`${skew.total} domains in ${skew.familyCount} families (imbalance ${skew.imbalanceRatio?.toFixed(0) ?? '-'}:1)`);
      for (const f of skew.families.slice(0, opts.top))
        console.log(
          `${String(f.rank).padStart(4)}  ${f.family.padEnd(32)} ${String(f.count).padStart(9)}  ${(100 * f.fraction).toFixed(3)}%`,
        );
    });
  });

program
  .command('unseen')
  .description('Families present in snapshot B and absent from snapshot A (and the reverse).')
  .argument('<a>', 'snapshot A (e.g. the one a model was trained on)', parseId)
  .argument('<b>', 'snapshot B (e.g. a later feed)', parseId)
  .action(async (a: number, b: number) => {
    await withCore(async (core) => {
      const r = await core.analytics.unseenFamilies(a, b);
      console.log(`In ${b}, absent from ${a}: ${r.appeared.length} families, ${(100 * r.appearedFraction).toFixed(2)}% of ${b}`);
      for (const f of r.appeared) console.log(`  ${f.family.padEnd(32)} ${String(f.count).padStart(9)}  ${(100 * f.fraction).toFixed(3)}%`);
      console.log(`In ${a}, absent from ${b}: ${r.disappeared.length} families, ${(100 * r.disappearedFraction).toFixed(2)}% of ${a}`);
      for (const f of r.disappeared)
        console.log(`  ${f.family.padEnd(32)} ${String(f.count).padStart(9)}  ${(100 * f.fraction).toFixed(3)}%`);
    });
  });

const keys = program.command('keys').description('API keys: create, list, revoke (every change is audited).');

keys
  .command('create')
  .description('Create a key and print its secret once (only its SHA-256 is stored).')
  .requiredOption('--name <name>', 'a unique name (who or what uses it)')
  .addOption(new Option('--role <role>', 'viewer reads; admin also runs mutations').choices(['viewer', 'admin']).makeOptionMandatory())
  .option('--json', 'print the result as JSON')
  .action(async (opts: { name: string; role: 'viewer' | 'admin'; json?: boolean }) => {
    await withCore(async (core) => {
      const role = opts.role === 'admin' ? ApiKeyRole.ADMIN : ApiKeyRole.VIEWER;
      const { secret, key } = await audited(core, 'keys create', { name: opts.name, role }, () =>
        core.apiKeys.create(opts.name, role, cliActor()),
      );
      if (opts.json) console.log(JSON.stringify({ id: key.id, name: key.name, role: key.role, key: secret }));
      else {
        console.log(`created ${key.role.toLowerCase()} key "${key.name}" (id ${key.id}). Its secret, shown only now:`);
        console.log(secret);
      }
    });
  });

keys
  .command('list')
  .description('List keys with their role, creation, last use and revocation.')
  .option('--json', 'print the result as JSON')
  .action(async (opts: { json?: boolean }) => {
    await withCore(async (core) => {
      const list = await core.apiKeys.list();
      if (opts.json) {
        console.log(JSON.stringify(list.map(({ keyHash: _hash, ...k }) => k)));
        return;
      }
      if (list.length === 0) console.log('no API keys (the ADMIN_API_KEY of the environment still works)');
      const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-');
      for (const k of list)
        console.log(
          `${String(k.id).padStart(4)}  ${k.name.padEnd(24)} ${k.role.toLowerCase().padEnd(7)} ${k.prefix}…  created ${day(k.createdAt)}  last used ${day(k.lastUsedAt)}${k.revokedAt ? `  REVOKED ${day(k.revokedAt)}` : ''}`,
        );
    });
  });

keys
  .command('revoke')
  .description('Revoke a key by name or id; requests with it fail from now on.')
  .argument('<nameOrId>', 'key name or id')
  .action(async (nameOrId: string) => {
    await withCore(async (core) => {
      const key = await audited(core, 'keys revoke', { nameOrId }, () => core.apiKeys.revoke(nameOrId));
      console.log(`revoked key "${key.name}" (id ${key.id})`);
    });
  });

function parseThreshold(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`"${value}" is not a number`);
  return x;
}

program
  .command('classify')
  .description("Classify domains now with the promoted model (or --model): one verdict each, by the model's thresholds unless overridden.")
  .argument('<domains...>', 'domain names')
  .option('--model <id>', 'model id (default: the promoted model)', parseId)
  .option('--dga-threshold <x>', "instead of the model's DGA threshold (dgaScore ≥ x → dga)", parseThreshold)
  .option('--novelty-threshold <y>', "instead of the model's novelty threshold (novelty > y → unknown family)", parseThreshold)
  .option('--no-unknown-family', 'never answer "unknown family" (the nearest family instead)')
  .option('--json', 'print the answers as JSON')
  .action(
    async (
      domains: string[],
      opts: { model?: number; dgaThreshold?: number; noveltyThreshold?: number; unknownFamily: boolean; json?: boolean },
    ) => {
      await withCore(async (core) => {
        const { modelId, results } = await classifyWithModel(core.models, domains, opts.model, {
          ...(opts.dgaThreshold !== undefined ? { dgaThreshold: opts.dgaThreshold } : {}),
          ...(!opts.unknownFamily
            ? { noveltyThreshold: null }
            : opts.noveltyThreshold !== undefined
              ? { noveltyThreshold: opts.noveltyThreshold }
              : {}),
        });
        const answers = results.map((r) => toClassification(r, modelId));
        if (opts.json) {
          console.log(JSON.stringify(answers));
          return;
        }
        const width = Math.max(6, ...answers.map((a) => a.domain.length));
        console.log(`model ${modelId}`);
        console.log(`${'domain'.padEnd(width)}  verdict  ${'family'.padEnd(24)} dgaScore`);
        for (const a of answers)
          console.log(
            a.error
              ? `${a.domain.padEnd(width)}  invalid  ${a.error}`
              : `${a.domain.padEnd(width)}  ${a.verdict!.toLowerCase().padEnd(7)}  ${a.family!.padEnd(24)} ${a.dgaScore!.toFixed(4)}`,
          );
      });
    },
  );

const modelsCommand = program
  .command('models')
  .description(
    'The model registry, newest first: status, preset, loss and verdict thresholds; its commands move a model between installations.',
  )
  .enablePositionalOptions()
  .option('--json', 'print the result as JSON')
  .action(async (opts: { json?: boolean }) => {
    await withCore(async (core) => {
      const list = await core.models.list(null, 100);
      const models = list.nodes.map(({ metricsJson: _m, architecture: _a, config: _c, ...m }) => m);
      if (opts.json) {
        console.log(JSON.stringify(models));
        return;
      }
      if (models.length === 0) console.log('no models yet');
      const num = (x: number | null | undefined, digits = 4) => (x == null ? '-' : Number(x.toPrecision(digits)).toString());
      for (const m of models) {
        const d = m.decision;
        console.log(
          `${String(m.id).padStart(4)}  ${m.status.toLowerCase().padEnd(8)} preset ${m.preset ?? '-'}  loss ${m.loss}  ` +
            (d
              ? `dga ≥ ${num(d.dgaThreshold)} (target FPR ${num(d.targetBenignFpr)}, ${d.dgaThresholdMethod ?? 'quantile'}, ${d.calibrationBenign ?? '-'} benign, prior ${d.dgaScorePrior ?? 'training'})  ` +
                `novelty ${d.noveltyMethod ?? 'none'}${d.noveltyMethod ? ` > ${num(d.noveltyThreshold)} (target ${num(d.targetRejectRate)})` : ''}`
              : 'not trained'),
        );
      }
    });
  });

modelsCommand
  .command('export')
  .description('Write a model into a directory (model.dgam + registry.json) that `models import` reads on another installation.')
  .argument('<id>', 'model id', parseId)
  .argument('<dir>', 'directory to write (created if needed; files of an earlier export are replaced)')
  .action(async (id: number, dir: string) => {
    await withCore(async (core) => {
      const out = await audited(core, 'models export', { id, dir }, () => new ModelTransfer(core.db.prisma).exportTo(id, dir));
      console.log(
        `model ${id} written to ${dir}: ${ARTIFACT_FILE} (${out.artifact.bytes} bytes) and ${REGISTRY_FILE} (${out.labels.length} classes, trained on ${out.trainingSnapshots.length} snapshot(s))`,
      );
    });
  });

modelsCommand
  .command('import')
  .description(
    'Store a model written by `models export` as a ready model (promote it like a trained one). Checks the files, and finds its training snapshots here by feed and content.',
  )
  .argument('<dir>', 'directory holding model.dgam and registry.json')
  .option('--allow-missing-snapshots', 'import even when a training snapshot is not ingested here')
  .option('--json', 'print the result as JSON')
  .action(async (dir: string, opts: { allowMissingSnapshots?: boolean; json?: boolean }) => {
    await withCore(async (core) => {
      const out = await audited(core, 'models import', { dir, ...opts }, () =>
        new ModelTransfer(core.db.prisma).importFrom(dir, { allowMissingSnapshots: !!opts.allowMissingSnapshots }),
      );
      if (opts.json) return console.log(JSON.stringify(out));
      console.log(
        out.created
          ? `imported ${dir} as model ${out.modelId} (ready; training snapshots here: ${out.snapshotIds.join(', ') || 'none'})`
          : `${dir}: already imported as model ${out.modelId}; nothing added`,
      );
      for (const s of out.missingSnapshots)
        console.log(`  not ingested here: ${s.fileName} of feed "${s.feed}" (${s.rowsAccepted} domains, sha256 ${s.sha256})`);
    });
  });

const feeds = program.command('feeds').description('Feeds and their scheduled pulls (run by the workers).');

function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number of seconds`);
  return Number(value);
}
const when = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '-');

feeds
  .command('list')
  .description('Feeds with their URL, schedule, next pull and last pull.')
  .option('--json', 'print the result as JSON')
  .action(async (opts: { json?: boolean }) => {
    await withJobs(async (core, jobs) => {
      const list = await core.db.prisma.feed.findMany({ orderBy: { name: 'asc' } });
      const rows = await Promise.all(
        list.map(async (f) => ({
          name: f.name,
          kind: f.kind,
          url: f.url,
          schedule: f.pullCron ?? (f.pullEverySeconds != null ? `every ${f.pullEverySeconds} s` : null),
          paused: f.pullPaused,
          nextPullAt: await jobs.feedPulls.nextPullAt(f).catch(() => null),
          lastPull: f.lastPullAt
            ? { at: f.lastPullAt, outcome: f.lastPullOutcome, snapshotId: f.lastPullSnapshotId, error: f.lastPullError }
            : null,
        })),
      );
      if (opts.json) return console.log(JSON.stringify(rows));
      if (rows.length === 0) console.log('no feeds yet');
      for (const r of rows)
        console.log(
          `${r.name.padEnd(24)} ${r.kind.toLowerCase().padEnd(8)} ${r.schedule ? `${r.schedule}${r.paused ? ' (paused)' : ''}, next ${when(r.nextPullAt)}` : 'not scheduled'}` +
            (r.lastPull
              ? `; last pull ${when(r.lastPull.at)} ${r.lastPull.outcome}${r.lastPull.error ? `: ${r.lastPull.error}` : ''}`
              : '') +
            (r.url ? `\n${''.padEnd(25)}${r.url}` : ''),
        );
    });
  });

feeds
  .command('schedule')
  .description('Pull a feed on a schedule: --cron (UTC) or --every seconds; creates the feed when new (give --kind).')
  .argument('<feed>', 'feed name')
  .option('--url <url>', 'http(s) URL to pull (default: the feed’s URL)')
  .option('--cron <pattern>', 'cron pattern, UTC ("15 * * * *": hourly at :15)')
  .option('--every <seconds>', 'pull every N seconds', parseSeconds)
  .addOption(new Option('--format <format>', 'skip format detection').choices([...FEED_FORMATS]))
  .addOption(new Option('--kind <kind>', 'kind of a new feed').choices(Object.values(FeedKind)))
  .action(
    async (
      feed: string,
      opts: { url?: string; cron?: string; every?: number; format?: (typeof FEED_FORMATS)[number]; kind?: FeedKind },
    ) => {
      await withJobs(async (core, jobs) => {
        const saved = await audited(core, 'setFeedSchedule', { feed, ...opts }, () =>
          jobs.feedPulls.setSchedule({
            feed,
            url: opts.url,
            cron: opts.cron,
            everySeconds: opts.every,
            format: opts.format,
            kind: opts.kind,
          }),
        );
        console.log(
          `feed "${saved.name}": pulled ${saved.pullCron ? `at "${saved.pullCron}" (UTC)` : `every ${saved.pullEverySeconds} s`} from ${saved.url}; next pull ${when(await jobs.feedPulls.nextPullAt(saved))}`,
        );
      });
    },
  );

for (const [name, action, describe] of [
  ['pause', 'pauseFeedSchedule', 'Stop scheduled pulls of a feed, keeping its schedule.'],
  ['resume', 'resumeFeedSchedule', 'Resume scheduled pulls of a feed.'],
  ['unschedule', 'removeFeedSchedule', 'Remove the schedule (the feed, its URL and history stay).'],
] as const)
  feeds
    .command(name)
    .description(describe)
    .argument('<feed>', 'feed name')
    .action(async (feed: string) => {
      await withJobs(async (core, jobs) => {
        const service = jobs.feedPulls;
        const run =
          name === 'pause'
            ? () => service.pause(feed)
            : name === 'resume'
              ? () => service.resume(feed)
              : () => service.removeSchedule(feed);
        const saved = await audited(core, action, { feed }, run);
        console.log(
          `feed "${saved.name}": ${name === 'unschedule' ? 'not scheduled' : saved.pullPaused ? 'paused' : `resumed, next pull ${when(await service.nextPullAt(saved))}`}`,
        );
      });
    });

feeds
  .command('pull')
  .description('Pull a feed’s URL now (a FEED_PULL job for the workers); prints the job id.')
  .argument('<feed>', 'feed name')
  .action(async (feed: string) => {
    await withJobs(async (core, jobs) => {
      const job = await audited(core, 'pullFeedNow', { feed }, () => jobs.feedPulls.pullNow(feed));
      console.log(`queued pull of "${feed}" as job ${job.id}`);
    });
  });

program
  .command('retention')
  .description('Run the retention job now (RETENTION_* settings); prints the job id.')
  .action(async () => {
    await withJobs(async (core, jobs) => {
      const job = await audited(core, 'runRetention', {}, () => jobs.retention.runNow());
      console.log(
        `queued retention as job ${job.id} (max age ${jobs.retention.policy.maxAgeDays ?? '-'} days, keep ${jobs.retention.policy.keepJobsPerSnapshot ?? 'all'} jobs per snapshot)`,
      );
    });
  });

for (const what of ['snapshot', 'model'] as const)
  program
    .command(`delete-${what}`)
    .description(`Delete a ${what}; refused while anything still rests on it (the reason names it).`)
    .argument('<id>', `${what} id`, parseId)
    .option('--with-predictions', 'also delete the predictions that rest on it')
    .action(async (id: number, opts: { withPredictions?: boolean }) => {
      await withJobs(async (core, jobs) => {
        const action = what === 'snapshot' ? 'deleteSnapshot' : 'deleteModel';
        const out = await audited(core, action, { id, withPredictions: !!opts.withPredictions }, () =>
          what === 'snapshot'
            ? jobs.deletion.deleteSnapshot(id, !!opts.withPredictions)
            : jobs.deletion.deleteModel(id, !!opts.withPredictions),
        );
        console.log(
          `deleted ${what} ${id}${out.predictionsDeleted ? ` and ${out.predictionsDeleted} predictions of ${out.jobsPruned} bulk job(s)` : ''}`,
        );
      });
    });

program.parseAsync().catch((err: unknown) => {
  if (err instanceof AppError || err instanceof EnvError) console.error(`error: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
