import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { IsTimeZone } from '../validation/is-time-zone';

// Strict conversions: anything but plain digits / a known word stays a string and fails validation.
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  const word = typeof value === 'string' ? value.toLowerCase() : value;
  if (['1', 'true', 'yes', 'on'].includes(word as string)) return true;
  if (['0', 'false', 'no', 'off'].includes(word as string)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * Every environment variable the apps read, validated once at start-up. A wrong or missing
 * variable stops the process with a message naming it (see `loadConfig`).
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL!: string;

  /** Postgres connections per process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  /**
   * Distinct SQL texts kept as named prepared statements on each connection (parsed and planned
   * once instead of on every call); 0 turns the cache off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  DATABASE_STATEMENT_CACHE = 500;

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL!: string;

  /** Prefix of every Redis key Bandeja writes (queues, rate limits, signals). */
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, {
    message: 'REDIS_PREFIX may hold letters, digits, ":", "_" and "-"',
  })
  REDIS_PREFIX = 'bandeja';

  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET!: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(60 * 60 * 24 * 30)
  JWT_EXPIRES_IN_SECONDS = 3600;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an e-mail address' })
  ADMIN_EMAIL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'ADMIN_PASSWORD must be at least 8 characters' })
  @MaxLength(256)
  ADMIN_PASSWORD?: string;

  @IsTimeZone({ message: 'DEFAULT_TIMEZONE must be an IANA time zone such as America/La_Paz' })
  DEFAULT_TIMEZONE = 'America/La_Paz';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Largest accepted request body, in bytes. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** Failed logins allowed per e-mail and per client address within the window. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_ATTEMPTS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_WINDOW_SECONDS = 900;

  @IsString()
  BAILEYS_AUTH_DIR = './.baileys_auth';

  /**
   * Where WhatsApp credentials live: `file` (a folder per point under BAILEYS_AUTH_DIR, the
   * compose volume) or `postgres` (encrypted with AUTH_ENCRYPTION_KEY; any worker can take over).
   */
  @IsIn(['file', 'postgres'])
  AUTH_STORE: 'file' | 'postgres' = 'file';

  /** Reconnect attempts after network-type disconnects before a session is FAILED. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WA_MAX_RECONNECT_ATTEMPTS = 12;

  /** First reconnect delay; doubles per attempt (with ±20 % jitter) up to WA_BACKOFF_MAX_MS. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  WA_BACKOFF_BASE_MS = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  WA_BACKOFF_MAX_MS = 60000;

  /** QR codes shown without a scan before the session stops and says so. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  WA_MAX_QR_CODES = 5;

  /** Delay between session starts on boot, so hundreds of points do not connect at once. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  WA_START_STAGGER_MS = 250;

  /**
   * Who answers customers: `ai` (the bot: OpenAI when configured, else the local engine) or
   * `minimal` (acknowledges each message; for benchmarks and pipeline tests).
   */
  @IsIn(['ai', 'minimal'])
  BOT_RESPONDER: 'ai' | 'minimal' = 'ai';

  /** Turns on the OpenAI provider (the local engine answers without it, and on any failure). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  OPENAI_API_KEY?: string;

  /** Any OpenAI-compatible server (e.g. http://127.0.0.1:11434/v1); unset: api.openai.com. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'OPENAI_BASE_URL must be an http(s) URL' },
  )
  OPENAI_BASE_URL?: string;

  @IsString()
  @MinLength(1)
  OPENAI_MODEL = 'gpt-4o-mini';

  /** Time budget of one OpenAI turn (all its requests); past it the local engine answers. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120000)
  OPENAI_TIMEOUT_MS = 8000;

  /** Model round trips with tool calls allowed per turn before the local engine takes over. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  OPENAI_MAX_TOOL_STEPS = 4;

  /** 32 bytes as 64 hex characters or base64; needed only by the Postgres credential store. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, {
    message: 'AUTH_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64',
  })
  AUTH_ENCRYPTION_KEY?: string;

  /** Serve Swagger UI at /docs and the OpenAPI JSON at /docs-json. */
  @Transform(toBool)
  @IsBoolean()
  SWAGGER_ENABLED = true;

  /** Milliseconds the worker waits for running jobs on SIGTERM before it exits anyway. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SHUTDOWN_TIMEOUT_MS = 10000;

  /** First retry delay of a failed follow-up webhook in ms; each next one doubles. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  WEBHOOK_BACKOFF_MS = 2000;

  /** Attempts per follow-up webhook (network errors, 5xx, 429) before it is kept as failed. */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  WEBHOOK_MAX_ATTEMPTS = 8;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Validates `env` (defaults to process.env) and returns the typed config, or throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const raw: Record<string, unknown> = {};
  for (const key of new Set([
    ...known,
    'DATABASE_URL',
    'REDIS_URL',
    'JWT_SECRET',
    'ADMIN_EMAIL',
    'ADMIN_PASSWORD',
    'AUTH_ENCRYPTION_KEY',
    'OPENAI_API_KEY',
    'OPENAI_BASE_URL',
  ])) {
    // An empty variable counts as unset: `PORT=` keeps the default rather than failing.
    if (env[key] !== undefined && env[key] !== '') raw[key] = env[key];
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => ({
        variable: e.property,
        message:
          e.value === undefined
            ? `is required (${Object.values(e.constraints ?? {}).join('; ')})`
            : Object.values(e.constraints ?? {}).join('; '),
      })),
    );
  }
  if (config.AUTH_STORE === 'postgres' && !config.AUTH_ENCRYPTION_KEY) {
    throw new ConfigError([
      { variable: 'AUTH_ENCRYPTION_KEY', message: 'is required when AUTH_STORE=postgres' },
    ]);
  }
  if (config.ADMIN_EMAIL && !config.ADMIN_PASSWORD) {
    throw new ConfigError([
      { variable: 'ADMIN_PASSWORD', message: 'is required when ADMIN_EMAIL is set' },
    ]);
  }
  return config;
}

/** Names of the variables with no default: deployments must provide them. */
export const REQUIRED_ENV = ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET'] as const;
