import { PrismaService } from '@bandeja/core';
import { randomBytes } from 'node:crypto';
import { AuthStateDecryptionError } from '../../libs/whatsapp/src/auth-state/crypto';
import {
  parseEncryptionKey,
  PostgresAuthStateStore,
} from '../../libs/whatsapp/src/auth-state/postgres-auth-state.store';
import { adminLogin, auth, bootApi, createPoint, TestApi } from '../support/api';

/**
 * The Postgres credential store against the real per-run database: a restart (new instance)
 * resumes the same identity, nothing is readable in the table, a wrong key fails loudly, and
 * rows go away with a logout or with their point.
 */
describe('PostgresAuthStateStore (real Postgres)', () => {
  let api: TestApi;
  let prisma: PrismaService;
  let token: string;
  const key = randomBytes(32);

  beforeAll(async () => {
    api = await bootApi();
    prisma = api.app.get(PrismaService);
    token = await adminLogin(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  const newPoint = async () => (await createPoint(api, token)).id;
  const rowsOf = (servicePointId: string) =>
    prisma.whatsappAuthEntry.findMany({ where: { servicePointId }, orderBy: { key: 'asc' } });

  it('is the postgres kind and accepts keys from parseEncryptionKey', () => {
    const store = new PostgresAuthStateStore(prisma, parseEncryptionKey(key.toString('hex')));
    expect(store.kind).toBe('postgres');
    expect(() => new PostgresAuthStateStore(prisma, randomBytes(16))).toThrow(/32-byte/);
  });

  it('a new instance resumes the same creds and keys (restart without a new QR)', async () => {
    const pointId = await newPoint();
    const storeA = new PostgresAuthStateStore(prisma, key);
    expect(await storeA.hasCredentials(pointId)).toBe(false);

    const a = await storeA.load(pointId);
    expect(await rowsOf(pointId)).toHaveLength(0); // loading alone writes nothing
    const preKey = { public: Buffer.from('pre-public-7'), private: Buffer.from('pre-private-7') };
    await a.state.keys.set({
      'pre-key': { '7': preKey, '8': { public: Buffer.from('p8'), private: Buffer.from('q8') } },
      session: { '59170000001.0': Buffer.from('session-bytes') },
      'app-state-sync-key': { AAAA: { keyData: Buffer.from('sync-key'), timestamp: 42 } },
      'lid-mapping': { '59170000001': '123456789' },
    });
    await a.saveCreds();
    expect(await storeA.hasCredentials(pointId)).toBe(false); // saved, but never paired

    a.state.creds.me = { id: '59170000000:1@s.whatsapp.net', name: 'x' };
    a.state.creds.registered = true;
    await a.saveCreds();
    expect(await storeA.hasCredentials(pointId)).toBe(true);

    const keys = (await rowsOf(pointId)).map((row) => row.key);
    expect(keys).toEqual([
      'app-state-sync-key:AAAA',
      'creds',
      'lid-mapping:59170000001',
      'pre-key:7',
      'pre-key:8',
      'session:59170000001.0',
    ]);

    const storeB = new PostgresAuthStateStore(prisma, Buffer.from(key));
    expect(await storeB.hasCredentials(pointId)).toBe(true);
    const b = await storeB.load(pointId);
    const creds = b.state.creds;
    expect(Buffer.isBuffer(creds.noiseKey.public)).toBe(true);
    expect(Buffer.compare(creds.noiseKey.public, a.state.creds.noiseKey.public)).toBe(0);
    expect(Buffer.compare(creds.noiseKey.private, a.state.creds.noiseKey.private)).toBe(0);
    expect(
      Buffer.compare(
        creds.signedPreKey.keyPair.private,
        a.state.creds.signedPreKey.keyPair.private,
      ),
    ).toBe(0);
    expect(creds.registrationId).toBe(a.state.creds.registrationId);
    expect(creds.advSecretKey).toBe(a.state.creds.advSecretKey);
    expect(creds.me).toEqual({ id: '59170000000:1@s.whatsapp.net', name: 'x' });
    expect(creds.registered).toBe(true);

    const preKeys = await b.state.keys.get('pre-key', ['7', '8', '9']);
    expect(Object.keys(preKeys).sort()).toEqual(['7', '8']);
    expect(Buffer.compare(preKeys['7'].public, preKey.public)).toBe(0);
    expect(Buffer.compare(preKeys['7'].private, preKey.private)).toBe(0);
    const sessions = await b.state.keys.get('session', ['59170000001.0']);
    expect(Buffer.from(sessions['59170000001.0']).toString()).toBe('session-bytes');
    const lids = await b.state.keys.get('lid-mapping', ['59170000001']);
    expect(lids['59170000001']).toBe('123456789');
    const syncKeys = await b.state.keys.get('app-state-sync-key', ['AAAA']);
    expect(syncKeys.AAAA.constructor.name).toBe('AppStateSyncKeyData');
    expect(Buffer.from(syncKeys.AAAA.keyData as Uint8Array).toString()).toBe('sync-key');
    expect(Number(syncKeys.AAAA.timestamp)).toBe(42);
    expect(await b.state.keys.get('pre-key', [])).toEqual({});
  });

  it('keys.get reads all ids in one query', async () => {
    const pointId = await newPoint();
    const store = new PostgresAuthStateStore(prisma, key);
    const { state } = await store.load(pointId);
    await state.keys.set({
      'pre-key': Object.fromEntries(
        ['1', '2', '3'].map((id) => [id, { public: Buffer.from(id), private: Buffer.from(id) }]),
      ),
    });
    const findMany = jest.spyOn(prisma.whatsappAuthEntry, 'findMany');
    try {
      const got = await state.keys.get('pre-key', ['1', '2', '3', '4']);
      expect(Object.keys(got).sort()).toEqual(['1', '2', '3']);
      expect(findMany).toHaveBeenCalledTimes(1);
    } finally {
      findMany.mockRestore();
    }
  });

  it('stores nothing readable: no plaintext key material in the raw bytes', async () => {
    const pointId = await newPoint();
    const store = new PostgresAuthStateStore(prisma, key);
    const { state, saveCreds } = await store.load(pointId);
    const preKeyPrivate = randomBytes(32);
    await state.keys.set({
      'pre-key': { '1': { public: randomBytes(32), private: preKeyPrivate } },
    });
    await saveCreds();

    const rows = await rowsOf(pointId);
    const creds = rows.find((row) => row.key === 'creds')!;
    const preKey = rows.find((row) => row.key === 'pre-key:1')!;
    const noisePrivate = Buffer.from(state.creds.noiseKey.private);
    for (const row of [creds, preKey]) {
      const bytes = Buffer.from(row.value);
      for (const needle of [noisePrivate, preKeyPrivate]) {
        expect(bytes.includes(needle)).toBe(false);
        expect(bytes.includes(Buffer.from(needle.toString('base64')))).toBe(false);
      }
      expect(bytes.includes(Buffer.from('noiseKey'))).toBe(false);
      expect(bytes.includes(Buffer.from(state.creds.advSecretKey))).toBe(false);
    }
  });

  it('a different key fails loudly instead of starting a new pairing', async () => {
    const pointId = await newPoint();
    const store = new PostgresAuthStateStore(prisma, key);
    const { state, saveCreds } = await store.load(pointId);
    await state.keys.set({ session: { s: Buffer.from('x') } });
    await saveCreds();
    const before = await rowsOf(pointId);

    const wrong = new PostgresAuthStateStore(prisma, randomBytes(32));
    await expect(wrong.load(pointId)).rejects.toThrow(AuthStateDecryptionError);
    await expect(wrong.load(pointId)).rejects.toThrow(
      /AUTH_ENCRYPTION_KEY is not the key they were saved with/,
    );
    await expect(wrong.hasCredentials(pointId)).rejects.toThrow(AuthStateDecryptionError);

    // Nothing was overwritten: the right key still reads the same rows.
    expect((await rowsOf(pointId)).map((r) => Buffer.from(r.value))).toEqual(
      before.map((r) => Buffer.from(r.value)),
    );
    const again = await new PostgresAuthStateStore(prisma, key).load(pointId);
    expect(Buffer.compare(again.state.creds.noiseKey.private, state.creds.noiseKey.private)).toBe(
      0,
    );
  });

  it('a row moved to another point or key does not decrypt', async () => {
    const source = await newPoint();
    const target = await newPoint();
    const store = new PostgresAuthStateStore(prisma, key);
    const { state, saveCreds } = await store.load(source);
    await state.keys.set({
      'pre-key': { '1': { public: Buffer.from('a'), private: Buffer.from('b') } },
    });
    await saveCreds();
    const rows = await rowsOf(source);
    const creds = rows.find((row) => row.key === 'creds')!;
    const preKey = rows.find((row) => row.key === 'pre-key:1')!;

    await prisma.whatsappAuthEntry.create({
      data: { servicePointId: target, key: 'creds', value: creds.value },
    });
    await expect(store.load(target)).rejects.toThrow(AuthStateDecryptionError);

    await prisma.whatsappAuthEntry.create({
      data: { servicePointId: source, key: 'pre-key:2', value: preKey.value },
    });
    await expect(state.keys.get('pre-key', ['2'])).rejects.toThrow(AuthStateDecryptionError);
  });

  it('keys.set writes in one transaction and deletes null / undefined values', async () => {
    const pointId = await newPoint();
    const store = new PostgresAuthStateStore(prisma, key);
    const { state } = await store.load(pointId);
    await state.keys.set({
      'pre-key': {
        '1': { public: Buffer.from('a'), private: Buffer.from('b') },
        '2': { public: Buffer.from('c'), private: Buffer.from('d') },
        '3': { public: Buffer.from('e'), private: Buffer.from('f') },
      },
    });
    const transaction = jest.spyOn(prisma, '$transaction');
    try {
      await state.keys.set({
        'pre-key': {
          '1': null,
          '2': undefined as never,
          '3': { public: Buffer.from('E'), private: Buffer.from('F') },
        },
        session: { s: Buffer.from('new') },
      });
      expect(transaction).toHaveBeenCalledTimes(1);
    } finally {
      transaction.mockRestore();
    }
    expect((await rowsOf(pointId)).map((row) => row.key)).toEqual(['pre-key:3', 'session:s']);
    const got = await state.keys.get('pre-key', ['1', '2', '3']);
    expect(Object.keys(got)).toEqual(['3']);
    expect(Buffer.from(got['3'].public).toString()).toBe('E');
  });

  it('saves of one handle land in order (the newest creds win)', async () => {
    const pointId = await newPoint();
    const store = new PostgresAuthStateStore(prisma, key);
    const { state, saveCreds } = await store.load(pointId);
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 20; i += 1) {
      state.creds.nextPreKeyId = i;
      saves.push(saveCreds());
    }
    await Promise.all(saves);
    const reloaded = await new PostgresAuthStateStore(prisma, key).load(pointId);
    expect(reloaded.state.creds.nextPreKeyId).toBe(19);
  });

  it('clear deletes every row of that point only', async () => {
    const pointA = await newPoint();
    const pointB = await newPoint();
    const store = new PostgresAuthStateStore(prisma, key);
    for (const pointId of [pointA, pointB]) {
      const { state, saveCreds } = await store.load(pointId);
      await state.keys.set({ session: { s: Buffer.from('x') } });
      await saveCreds();
    }
    await store.clear(pointA.toUpperCase());
    expect(await rowsOf(pointA)).toHaveLength(0);
    expect(await rowsOf(pointB)).toHaveLength(2);
    expect(await store.hasCredentials(pointA)).toBe(false);
    expect(await store.hasCredentials(pointB)).toBe(false);
    const fresh = await store.load(pointA);
    expect(fresh.state.creds.registered).toBe(false);
  });

  it('deleting the service point cascades its rows', async () => {
    const pointId = await newPoint();
    const other = await newPoint();
    const store = new PostgresAuthStateStore(prisma, key);
    for (const id of [pointId, other]) {
      const { state, saveCreds } = await store.load(id);
      await state.keys.set({
        'pre-key': { '1': { public: Buffer.from('a'), private: Buffer.from('b') } },
      });
      await saveCreds();
    }
    const res = await api.http().delete(`/api/v1/service-points/${pointId}`).set(auth(token));
    expect(res.status).toBe(204);
    expect(await rowsOf(pointId)).toHaveLength(0);
    expect(await rowsOf(other)).toHaveLength(2);
  });

  it('rejects a non-UUID point id', async () => {
    const store = new PostgresAuthStateStore(prisma, key);
    await expect(store.load('not-a-uuid')).rejects.toThrow(/must be a UUID/);
    await expect(store.hasCredentials("x' OR 1=1")).rejects.toThrow(/must be a UUID/);
    await expect(store.clear('')).rejects.toThrow(/must be a UUID/);
  });

  it('writes the 812 initial pre-keys of a pairing in one call', async () => {
    const pointId = await newPoint();
    const store = new PostgresAuthStateStore(prisma, key);
    const { state } = await store.load(pointId);
    const preKeys = Object.fromEntries(
      Array.from({ length: 812 }, (_, i) => [
        String(i + 1),
        { public: randomBytes(33), private: randomBytes(32) },
      ]),
    );
    await state.keys.set({ 'pre-key': preKeys });
    expect(await prisma.whatsappAuthEntry.count({ where: { servicePointId: pointId } })).toBe(812);
    const got = await state.keys.get('pre-key', ['1', '406', '812']);
    expect(Buffer.compare(got['812'].private, preKeys['812'].private)).toBe(0);
  });
});
