import { AppConfig, ConfigError, loadConfig, REQUIRED_ENV } from './app-config';

const SECRET = 'x'.repeat(32);
const HEX_KEY = '0123456789abcdef'.repeat(4);
const BASE64_KEY = Buffer.alloc(32, 7).toString('base64');

const minimal = (): Record<string, string | undefined> => ({
  DATABASE_URL: 'postgresql://bandeja:secret@localhost:5432/bandeja',
  REDIS_URL: 'redis://localhost:6379',
  JWT_SECRET: SECRET,
});

/** Runs loadConfig and returns the ConfigError it throws (fails the test when it does not). */
function configErrorFor(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const variablesOf = (error: ConfigError) => error.problems.map((p) => p.variable);

describe('loadConfig', () => {
  describe('with the minimal valid environment', () => {
    it('returns an AppConfig with every default filled in', () => {
      const config = loadConfig(minimal());

      expect(config).toBeInstanceOf(AppConfig);
      expect(config).toMatchObject({
        NODE_ENV: 'development',
        PORT: 3000,
        HOST: '0.0.0.0',
        DATABASE_URL: 'postgresql://bandeja:secret@localhost:5432/bandeja',
        REDIS_URL: 'redis://localhost:6379',
        REDIS_PREFIX: 'bandeja',
        JWT_SECRET: SECRET,
        JWT_EXPIRES_IN_SECONDS: 3600,
        DEFAULT_TIMEZONE: 'America/La_Paz',
        LOG_LEVEL: 'info',
        BODY_LIMIT_BYTES: 1048576,
        LOGIN_MAX_ATTEMPTS: 5,
        LOGIN_WINDOW_SECONDS: 900,
        BAILEYS_AUTH_DIR: './.baileys_auth',
        SWAGGER_ENABLED: true,
        SHUTDOWN_TIMEOUT_MS: 10000,
      });
      expect(config.ADMIN_EMAIL).toBeUndefined();
      expect(config.ADMIN_PASSWORD).toBeUndefined();
      expect(config.AUTH_ENCRYPTION_KEY).toBeUndefined();
    });

    it('ignores variables it does not know', () => {
      const config = loadConfig({ ...minimal(), SOMETHING_ELSE: 'value', PATH: '/usr/bin' });

      expect(config).not.toHaveProperty('SOMETHING_ELSE');
      expect(config).not.toHaveProperty('PATH');
    });

    it('accepts postgres:// and rediss:// URLs as well', () => {
      const config = loadConfig({
        ...minimal(),
        DATABASE_URL: 'postgres://db/bandeja',
        REDIS_URL: 'rediss://cache:6380',
      });

      expect(config.DATABASE_URL).toBe('postgres://db/bandeja');
      expect(config.REDIS_URL).toBe('rediss://cache:6380');
    });
  });

  describe('conversions', () => {
    it('turns numeric strings into numbers', () => {
      const config = loadConfig({
        ...minimal(),
        PORT: '8080',
        JWT_EXPIRES_IN_SECONDS: '7200',
        BODY_LIMIT_BYTES: '2048',
        LOGIN_MAX_ATTEMPTS: '10',
        LOGIN_WINDOW_SECONDS: '60',
        SHUTDOWN_TIMEOUT_MS: '0',
      });

      expect(config.PORT).toBe(8080);
      expect(config.JWT_EXPIRES_IN_SECONDS).toBe(7200);
      expect(config.BODY_LIMIT_BYTES).toBe(2048);
      expect(config.LOGIN_MAX_ATTEMPTS).toBe(10);
      expect(config.LOGIN_WINDOW_SECONDS).toBe(60);
      expect(config.SHUTDOWN_TIMEOUT_MS).toBe(0);
    });

    it.each([
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['yes', true],
      ['on', true],
      ['false', false],
      ['0', false],
      ['no', false],
      ['off', false],
    ])('turns SWAGGER_ENABLED=%p into %p', (raw, expected) => {
      expect(loadConfig({ ...minimal(), SWAGGER_ENABLED: raw }).SWAGGER_ENABLED).toBe(expected);
    });

    it('keeps the string settings as given', () => {
      const config = loadConfig({
        ...minimal(),
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        REDIS_PREFIX: 'bandeja:test_1',
        DEFAULT_TIMEZONE: 'Europe/Madrid',
        LOG_LEVEL: 'debug',
        BAILEYS_AUTH_DIR: '/var/lib/bandeja',
      });

      expect(config).toMatchObject({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        REDIS_PREFIX: 'bandeja:test_1',
        DEFAULT_TIMEZONE: 'Europe/Madrid',
        LOG_LEVEL: 'debug',
        BAILEYS_AUTH_DIR: '/var/lib/bandeja',
      });
    });
  });

  describe('required variables', () => {
    it('REQUIRED_ENV lists the variables without a default', () => {
      expect([...REQUIRED_ENV].sort()).toEqual(['DATABASE_URL', 'JWT_SECRET', 'REDIS_URL']);
    });

    it('names every missing variable in problems and in the message', () => {
      const error = configErrorFor({});

      expect(error.name).toBe('ConfigError');
      expect(variablesOf(error).sort()).toEqual(['DATABASE_URL', 'JWT_SECRET', 'REDIS_URL']);
      for (const name of REQUIRED_ENV) {
        expect(error.message).toContain(name);
        expect(error.problems.find((p) => p.variable === name)?.message).toMatch(/^is required/);
      }
    });

    it.each(REQUIRED_ENV)('names %s alone when only it is missing', (name) => {
      const error = configErrorFor({ ...minimal(), [name]: undefined });

      expect(variablesOf(error)).toEqual([name]);
      expect(error.message).toContain(`${name}: is required`);
    });
  });

  describe('bad values', () => {
    it.each<[string, string]>([
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['PORT', '-1'],
      ['PORT', '80.5'],
      ['NODE_ENV', 'staging'],
      ['DATABASE_URL', 'mysql://db/bandeja'],
      ['REDIS_URL', 'http://x'],
      ['REDIS_PREFIX', 'has space'],
      ['JWT_SECRET', 'x'.repeat(31)],
      ['JWT_EXPIRES_IN_SECONDS', '10'],
      ['ADMIN_EMAIL', 'not-an-email'],
      ['DEFAULT_TIMEZONE', 'Mars/Base'],
      ['LOG_LEVEL', 'loud'],
      ['BODY_LIMIT_BYTES', '100'],
      ['LOGIN_MAX_ATTEMPTS', '0'],
      ['LOGIN_WINDOW_SECONDS', 'soon'],
      ['AUTH_ENCRYPTION_KEY', 'abc123'],
      ['AUTH_ENCRYPTION_KEY', HEX_KEY + '00'],
      ['AUTH_ENCRYPTION_KEY', HEX_KEY.slice(0, 62) + 'zz'],
      ['AUTH_ENCRYPTION_KEY', Buffer.alloc(16).toString('base64')],
      ['SHUTDOWN_TIMEOUT_MS', '-5'],
    ])('rejects %s=%p and names it', (name, value) => {
      const env: Record<string, string | undefined> = { ...minimal(), [name]: value };
      if (name === 'ADMIN_EMAIL') env.ADMIN_PASSWORD = 'long-enough-password';
      const error = configErrorFor(env);

      expect(variablesOf(error)).toEqual([name]);
      expect(error.message).toContain(name);
      expect(error.problems[0].message).not.toBe('');
      expect(error.problems[0].message).not.toMatch(/^is required/);
    });

    it('uses the custom messages where the class declares them', () => {
      const error = configErrorFor({
        ...minimal(),
        REDIS_URL: 'http://x',
        JWT_SECRET: 'short',
        DEFAULT_TIMEZONE: 'Mars/Base',
        AUTH_ENCRYPTION_KEY: 'nope',
      });
      const byName = Object.fromEntries(error.problems.map((p) => [p.variable, p.message]));

      expect(byName).toEqual({
        REDIS_URL: 'REDIS_URL must be a redis:// URL',
        JWT_SECRET: 'JWT_SECRET must be at least 32 characters',
        DEFAULT_TIMEZONE: 'DEFAULT_TIMEZONE must be an IANA time zone such as America/La_Paz',
        AUTH_ENCRYPTION_KEY: 'AUTH_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64',
      });
    });

    it('reports every bad variable at once, one line each', () => {
      const error = configErrorFor({
        ...minimal(),
        PORT: 'abc',
        LOG_LEVEL: 'loud',
        DATABASE_URL: undefined,
      });

      expect(variablesOf(error).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT']);
      const lines = error.message.split('\n');
      expect(lines[0]).toBe('Invalid configuration:');
      expect(lines).toHaveLength(4);
      for (const name of ['DATABASE_URL', 'LOG_LEVEL', 'PORT']) {
        expect(lines.some((line) => line.startsWith(`  - ${name}: `))).toBe(true);
      }
    });
  });

  describe('admin bootstrap credentials', () => {
    it('requires ADMIN_PASSWORD when ADMIN_EMAIL is set', () => {
      const error = configErrorFor({ ...minimal(), ADMIN_EMAIL: 'admin@example.com' });

      expect(error.problems).toEqual([
        { variable: 'ADMIN_PASSWORD', message: 'is required when ADMIN_EMAIL is set' },
      ]);
      expect(error.message).toContain('ADMIN_PASSWORD');
    });

    it('rejects a short ADMIN_PASSWORD', () => {
      const error = configErrorFor({
        ...minimal(),
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD: 'short',
      });

      expect(variablesOf(error)).toEqual(['ADMIN_PASSWORD']);
      expect(error.problems[0].message).toContain('at least 8 characters');
    });

    it('accepts both together', () => {
      const config = loadConfig({
        ...minimal(),
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD: 'correct horse battery',
      });

      expect(config.ADMIN_EMAIL).toBe('admin@example.com');
      expect(config.ADMIN_PASSWORD).toBe('correct horse battery');
    });
  });

  describe('empty strings', () => {
    it('treats empty optional variables as unset', () => {
      const config = loadConfig({
        ...minimal(),
        ADMIN_EMAIL: '',
        ADMIN_PASSWORD: '',
        AUTH_ENCRYPTION_KEY: '',
      });

      expect(config.ADMIN_EMAIL).toBeUndefined();
      expect(config.ADMIN_PASSWORD).toBeUndefined();
      expect(config.AUTH_ENCRYPTION_KEY).toBeUndefined();
    });

    it('an empty ADMIN_PASSWORD with ADMIN_EMAIL set still counts as missing', () => {
      const error = configErrorFor({
        ...minimal(),
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD: '',
      });

      expect(variablesOf(error)).toEqual(['ADMIN_PASSWORD']);
    });

    // Regression: an empty variable used to overwrite the class default with undefined.
    it.each<[string, unknown]>([
      ['PORT', 3000],
      ['BODY_LIMIT_BYTES', 1048576],
      ['LOGIN_MAX_ATTEMPTS', 5],
      ['SWAGGER_ENABLED', true],
    ])('an empty %s falls back to its default %p', (name, expected) => {
      const config = loadConfig({ ...minimal(), [name]: '' });

      expect(config[name as keyof AppConfig]).toBe(expected);
    });

    it.each(['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET'])('an empty %s is rejected', (name) => {
      const error = configErrorFor({ ...minimal(), [name]: '' });

      expect(variablesOf(error)).toEqual([name]);
    });
  });

  describe('AUTH_ENCRYPTION_KEY', () => {
    it.each([
      ['64 lower-case hex characters', HEX_KEY],
      ['64 upper-case hex characters', HEX_KEY.toUpperCase()],
      ['32 bytes of base64', BASE64_KEY],
      ['32 random bytes of base64', Buffer.from(HEX_KEY, 'hex').toString('base64')],
    ])('accepts %s', (_label, key) => {
      expect(loadConfig({ ...minimal(), AUTH_ENCRYPTION_KEY: key }).AUTH_ENCRYPTION_KEY).toBe(key);
    });
  });
});
