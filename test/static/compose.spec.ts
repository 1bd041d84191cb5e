// Static checks of the container setup: docker-compose.yml, docker/Dockerfile,
// docker/entrypoint.sh, .dockerignore and .env.example, against the code they run. Nothing here
// needs Docker; the point is to catch drift (a renamed variable, a moved entry file) before an
// image build or a deployment does.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { parse } from 'yaml';
import { AppConfig, loadConfig, REQUIRED_ENV } from '../../libs/core/src/config/app-config';

const ROOT = resolve(__dirname, '../..');
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');

const BASE_IMAGE = 'node:24-slim';
/** Read by docker/entrypoint.sh, not by AppConfig. */
const ENTRYPOINT_VARIABLES = ['MIGRATE_ON_START', 'SEED_ON_START'];
/** Used only to fill in docker-compose.yml. */
const COMPOSE_ONLY_VARIABLES = ['POSTGRES_PASSWORD', 'API_PORT', ...ENTRYPOINT_VARIABLES];
const APPS = ['api', 'worker'] as const;

// ---- AppConfig --------------------------------------------------------------------------------

/**
 * Every field of AppConfig. Fields with a default are own properties of an instance; the ones
 * without (`DATABASE_URL!`, `ADMIN_EMAIL?`) may not be, so the class body is read as well.
 */
function appConfigFields(): string[] {
  const source = read('libs/core/src/config/app-config.ts');
  const body = /export class AppConfig \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  const declared = [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*)[!?]?\s*[:=]/gm)].map((m) => m[1]);
  return [...new Set([...declared, ...Object.keys(new AppConfig())])].sort();
}

// ---- docker-compose.yml -----------------------------------------------------------------------

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  ports?: (string | number | { target?: number; published?: string | number })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  stop_grace_period?: string;
}
interface Compose {
  version?: unknown;
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const composeText = (): string => read('docker-compose.yml');
// Merge keys (`<<: *app-env`) are part of the file; Compose resolves them, so must we.
const loadCompose = (): Compose => parse(composeText(), { merge: true }) as Compose;

function service(name: string): Service {
  const svc = loadCompose().services?.[name];
  if (!svc) throw new Error(`docker-compose.yml has no service "${name}"`);
  return svc;
}

/** The environment block as a map; the list form (`- KEY=value`) is accepted too. */
function environmentOf(svc: Service): Record<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value == null ? '' : String(value)]),
  );
}

function dependenciesOf(svc: Service): Record<string, string | undefined> {
  const deps = svc.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep?.condition]));
}

/** Mounts as { source, target }; the short form is `source:target[:mode]`. */
function mountsOf(svc: Service): { source: string; target: string }[] {
  return (svc.volumes ?? []).map((volume) => {
    if (typeof volume === 'string') {
      const [source, target] = volume.split(':');
      return { source, target: target ?? source };
    }
    return { source: volume.source ?? '', target: volume.target ?? '' };
  });
}

function namedVolumeMounts(svc: Service): { source: string; target: string }[] {
  const declared = Object.keys(loadCompose().volumes ?? {});
  return mountsOf(svc).filter((m) => declared.includes(m.source));
}

function healthcheckCommand(svc: Service): string {
  const test = svc.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

/** Compose-style interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
    (_match, name: string, colon: string, op: string | undefined, arg: string) => {
      const set = name in vars && (colon !== ':' || vars[name] !== '');
      if (set) return vars[name];
      if (op === '?') throw new Error(`${name} is required: ${arg}`);
      return op === '-' ? arg : '';
    },
  );
}

/** Every variable docker-compose.yml interpolates. */
function interpolatedVariables(): string[] {
  return [
    ...new Set([...composeText().matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1])),
  ].sort();
}

// ---- .env.example -----------------------------------------------------------------------------

function envExample(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of read('.env.example').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

// ---- docker/Dockerfile ------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

function dockerfileStages(): Stage[] {
  const logical = read('docker/Dockerfile')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ from: words[0], name: as >= 0 ? words[as + 1] : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

const finalStage = (): Stage => dockerfileStages().at(-1)!;
const argsOf = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** The working directory a stage ends with, inherited through `FROM <earlier stage>`. */
function workdirOf(stageName: string): string {
  const stages = dockerfileStages();
  let stage = stages.find((s) => s.name === stageName);
  while (stage) {
    const workdir = argsOf(stage, 'WORKDIR').at(-1);
    if (workdir) return workdir;
    const parent = stage.from.toLowerCase();
    stage = stages.find((s) => s.name?.toLowerCase() === parent);
  }
  return '/';
}

/** COPY in shell form: flags, sources, destination. */
function parseCopy(args: string): {
  flags: Record<string, string>;
  sources: string[];
  dest: string;
} {
  const words = args.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [flag, value = ''] = words.shift()!.slice(2).split('=');
    flags[flag] = value;
  }
  return { flags, sources: words.slice(0, -1), dest: words.at(-1)! };
}

// ---- package.json and the build layout --------------------------------------------------------

const packageScripts = (): Record<string, string> =>
  (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

/** `node <file>` → file. */
function nodeScriptTarget(script: string): string {
  const m = /^node\s+(\S+\.js)$/.exec(script.trim());
  if (!m) throw new Error(`expected "node <file>.js", got "${script}"`);
  return m[1];
}

/** Where `nest build <app>` puts the entry file: the app's tsconfig outDir + nest-cli entryFile. */
function builtEntryOf(app: 'api' | 'worker'): string {
  const nest = JSON.parse(read('nest-cli.json')) as {
    projects: Record<string, { entryFile: string }>;
  };
  const tsconfig = JSON.parse(read(`apps/${app}/tsconfig.app.json`)) as {
    compilerOptions: { outDir: string };
  };
  const outDir = posix.normalize(posix.join(`apps/${app}`, tsconfig.compilerOptions.outDir));
  return posix.join(outDir, `${nest.projects[app].entryFile}.js`);
}

// ================================================================================================

describe('docker-compose.yml', () => {
  it('parses, with the four services and no obsolete version key', () => {
    const compose = loadCompose();
    expect(compose).toBeInstanceOf(Object);
    expect(compose.version).toBeUndefined();
    expect(Object.keys(compose.services ?? {}).sort()).toEqual(
      expect.arrayContaining(['api', 'postgres', 'redis', 'worker']),
    );
  });

  it('restarts every service unless stopped', () => {
    for (const [name, svc] of Object.entries(loadCompose().services ?? {})) {
      expect({ name, restart: svc.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
  });

  it('gives postgres and redis a health check and a named volume for their data', () => {
    const dataDirs = { postgres: '/var/lib/postgresql/data', redis: '/data' };
    for (const [name, dataDir] of Object.entries(dataDirs)) {
      const svc = service(name);
      expect(svc.healthcheck?.disable).not.toBe(true);
      expect(healthcheckCommand(svc)).not.toBe('');
      expect(namedVolumeMounts(svc)).toContainEqual(expect.objectContaining({ target: dataDir }));
    }
    expect(healthcheckCommand(service('postgres'))).toMatch(
      /pg_isready\b.*-U bandeja\b.*-d bandeja/,
    );
    expect(healthcheckCommand(service('redis'))).toMatch(/redis-cli\b.*\bping\b/);
    expect(Object.keys(loadCompose().volumes ?? {}).sort()).toEqual([
      'baileys_auth',
      'pgdata',
      'redisdata',
    ]);
  });

  it('runs redis append-only', () => {
    const command = service('redis').command;
    const text = Array.isArray(command) ? command.join(' ') : (command ?? '');
    expect(text).toMatch(/--appendonly\s+yes/);
  });

  it('starts api and worker only once postgres and redis are healthy', () => {
    for (const app of APPS) {
      const deps = dependenciesOf(service(app));
      expect({ app, postgres: deps.postgres, redis: deps.redis }).toEqual({
        app,
        postgres: 'service_healthy',
        redis: 'service_healthy',
      });
    }
  });

  it('starts the worker once the api (which applies migrations) is healthy', () => {
    expect(dependenciesOf(service('worker')).api).toBe('service_healthy');
    expect(healthcheckCommand(service('api'))).toContain('/health/ready');
  });

  it('runs both roles from the image built from docker/Dockerfile', () => {
    const api = service('api');
    const worker = service('worker');
    expect(api.build).toEqual(expect.objectContaining({ context: '.' }));
    const dockerfile = typeof api.build === 'object' ? api.build.dockerfile : undefined;
    expect(dockerfile).toBe('docker/Dockerfile');
    expect(existsSync(join(ROOT, dockerfile!))).toBe(true);
    expect(api.image).toBeTruthy();
    expect(worker.image).toBe(api.image);
    expect(api.command).toEqual(['api']);
    expect(worker.command).toEqual(['worker']);
  });

  it('publishes the port the api listens on', () => {
    const api = service('api');
    const port = environmentOf(api).PORT;
    expect(port).toBe('3000');
    const published = (api.ports ?? []).map(String);
    expect(published.some((p) => p.endsWith(`:${port}`))).toBe(true);
  });

  it('keeps WhatsApp credentials on a named volume at BAILEYS_AUTH_DIR', () => {
    const worker = service('worker');
    const dir = environmentOf(worker).BAILEYS_AUTH_DIR;
    expect(dir).toMatch(/^\//);
    expect(namedVolumeMounts(worker)).toContainEqual({ source: 'baileys_auth', target: dir });
    expect(worker.stop_grace_period).toBe('30s');
  });

  it.each(APPS)('gives %s every required variable', (app) => {
    const env = environmentOf(service(app));
    for (const name of REQUIRED_ENV) {
      expect({ name, value: env[name] ?? '' }).toEqual({
        name,
        value: expect.stringMatching(/\S/),
      });
    }
  });

  it.each(APPS)('gives %s only variables that something reads (no typos)', (app) => {
    const known = new Set([...appConfigFields(), ...ENTRYPOINT_VARIABLES]);
    const unknown = Object.keys(environmentOf(service(app))).filter((key) => !known.has(key));
    expect(unknown).toEqual([]);
  });

  it.each(APPS)('gives %s an environment AppConfig accepts (with .env.example values)', (app) => {
    const raw = environmentOf(service(app));
    const env = Object.fromEntries(
      Object.entries(raw).map(([key, value]) => [key, interpolate(value, envExample())]),
    );
    expect(() => loadConfig(env)).not.toThrow();
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(env.REDIS_URL).toMatch(/^redis:\/\/redis:6379/);
  });

  it('refuses to start without JWT_SECRET instead of using a default', () => {
    expect(() => interpolate(environmentOf(service('api')).JWT_SECRET, {})).toThrow(/JWT_SECRET/);
  });

  it('interpolates only variables documented in .env.example', () => {
    const documented = Object.keys(envExample());
    expect(interpolatedVariables().filter((name) => !documented.includes(name))).toEqual([]);
  });
});

describe('.env.example', () => {
  it('documents every AppConfig field and the compose-only variables', () => {
    const documented = Object.keys(envExample());
    const fields = appConfigFields();
    // Guard the class-body parser: it must see at least what an instance and REQUIRED_ENV show.
    expect(fields).toEqual(
      expect.arrayContaining([...Object.keys(new AppConfig()), ...REQUIRED_ENV]),
    );
    expect(fields).toEqual(expect.arrayContaining(['ADMIN_EMAIL', 'AUTH_ENCRYPTION_KEY']));
    expect(fields.filter((name) => !documented.includes(name))).toEqual([]);
    expect(COMPOSE_ONLY_VARIABLES.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it('holds no unknown variables', () => {
    const known = new Set([...appConfigFields(), ...COMPOSE_ONLY_VARIABLES]);
    expect(Object.keys(envExample()).filter((name) => !known.has(name))).toEqual([]);
  });

  it('is a valid configuration for a local run', () => {
    const env = envExample();
    const config = loadConfig(env);
    expect(config.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/bandeja');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379/0');
    expect(env.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(env.JWT_SECRET).toMatch(/change/i);
  });
});

describe('docker/Dockerfile', () => {
  it(`builds every stage on ${BASE_IMAGE}`, () => {
    const stages = dockerfileStages();
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const baseOf = new Map<string, string>();
    for (const stage of stages) {
      // FROM <earlier stage> inherits that stage's base image.
      const base = baseOf.get(stage.from.toLowerCase()) ?? stage.from;
      expect(base).toBe(BASE_IMAGE);
      if (stage.name) baseOf.set(stage.name.toLowerCase(), base);
    }
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(['deps', 'build', 'runtime']));
    expect(finalStage().name).toBe('runtime');
  });

  it('installs from the lockfile and prunes dev dependencies after the build', () => {
    const stages = dockerfileStages();
    const deps = stages.find((s) => s.name === 'deps')!;
    const build = stages.find((s) => s.name === 'build')!;
    const depsCopies = argsOf(deps, 'COPY').flatMap((args) => parseCopy(args).sources);
    expect(depsCopies).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    expect(argsOf(deps, 'RUN').join('\n')).toMatch(/\bnpm ci\b/);
    const buildRun = argsOf(build, 'RUN').join('\n');
    expect(buildRun).toMatch(/npm run build[\s\S]*npm prune --omit=dev/);
  });

  it('runs the final stage in production as a non-root user', () => {
    const stage = finalStage();
    expect(argsOf(stage, 'ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
    const user = argsOf(stage, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(argsOf(stage, 'WORKDIR').at(-1)).toBe('/app');
    expect(argsOf(stage, 'EXPOSE')).toContain('3000');
    expect(argsOf(stage, 'HEALTHCHECK').join(' ')).toContain('/health/live');
  });

  it('enters through docker/entrypoint.sh with the api as default role', () => {
    const stage = finalStage();
    expect(argsOf(stage, 'ENTRYPOINT').map((a) => JSON.parse(a))).toEqual([
      ['/app/docker/entrypoint.sh'],
    ]);
    expect(argsOf(stage, 'CMD').map((a) => JSON.parse(a))).toEqual([['api']]);
  });

  it('copies into the runtime image only repository files that exist, and all that it needs', () => {
    const stage = finalStage();
    const workdir = argsOf(stage, 'WORKDIR').at(-1)!;
    const buildRoot = workdirOf('build');
    // Produced by `npm ci` / `npm run build`, not present in a clean checkout.
    const artefacts = ['node_modules', 'dist'];
    const copied: string[] = [];
    for (const args of argsOf(stage, 'COPY')) {
      const { flags, sources, dest } = parseCopy(args);
      for (const source of sources) {
        const rel = flags.from
          ? posix.relative(buildRoot, posix.resolve(buildRoot, source))
          : posix.normalize(source);
        copied.push(rel);
        if (artefacts.includes(rel.split('/')[0])) continue;
        expect({ rel, exists: existsSync(join(ROOT, rel)) }).toEqual({ rel, exists: true });
      }
      if (sources.includes(posix.join(buildRoot, 'docker/entrypoint.sh'))) {
        expect(posix.resolve(workdir, dest)).toBe('/app/docker/entrypoint.sh');
      }
    }
    expect(copied).toEqual(
      expect.arrayContaining([
        'node_modules',
        'dist',
        'package.json',
        'prisma',
        'prisma.config.ts',
        'docker/entrypoint.sh',
      ]),
    );
    // `prisma migrate deploy` in the image reads these through prisma.config.ts.
    expect(read('prisma.config.ts')).toMatch(/schema:\s*'prisma\/schema\.prisma'/);
    expect(existsSync(join(ROOT, 'prisma/migrations/migration_lock.toml'))).toBe(true);
  });
});

describe('docker/entrypoint.sh', () => {
  const path = join(ROOT, 'docker/entrypoint.sh');
  const text = (): string => readFileSync(path, 'utf8');

  it('is an executable POSIX shell script that stops on errors', () => {
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o111).not.toBe(0);
    expect(text().split('\n')[0]).toBe('#!/bin/sh');
    expect(text()).toMatch(/^set -eu$/m);
    expect(text()).not.toContain('\r');
  });

  it('handles the api, worker, migrate and seed roles and runs anything else as given', () => {
    for (const role of ['api', 'worker', 'migrate', 'seed']) {
      expect(text()).toMatch(new RegExp(`^\\s*${role}\\)`, 'm'));
    }
    expect(text()).toMatch(/^\s*\*\)\s*\n\s*exec "\$@"/m);
    expect(text()).toContain('prisma migrate deploy');
    for (const name of ENTRYPOINT_VARIABLES) expect(text()).toContain(name);
  });

  it('starts the same files as package.json, where nest build puts them', () => {
    const scripts = packageScripts();
    const api = nodeScriptTarget(scripts['start:api']);
    const worker = nodeScriptTarget(scripts['start:worker']);
    expect(api).toBe(builtEntryOf('api'));
    expect(worker).toBe(builtEntryOf('worker'));
    expect(api).toBe('dist/apps/api/apps/api/src/main.js');
    expect(worker).toBe('dist/apps/worker/apps/worker/src/main.js');
    expect(text()).toContain(api);
    expect(text()).toContain(worker);
    expect(text()).toContain(nodeScriptTarget(scripts.seed));
  });
});

describe('.dockerignore', () => {
  const entries = (): string[] =>
    read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));

  it('keeps local state and secrets out of the build context', () => {
    expect(entries()).toEqual(
      expect.arrayContaining([
        'node_modules',
        'dist',
        '.git',
        'test-results',
        'coverage',
        '.env',
        '.baileys_auth',
        '*.log',
      ]),
    );
  });

  it('does not exclude what the image build needs', () => {
    const needed = ['package.json', 'package-lock.json', 'prisma', 'prisma.config.ts', 'docker'];
    for (const path of needed) expect(entries()).not.toContain(path);
    expect(entries()).not.toContain('.env.example');
  });
});
