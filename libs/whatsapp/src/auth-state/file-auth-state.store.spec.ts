import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuthStateStore } from './file-auth-state.store';

describe('FileAuthStateStore', () => {
  let baseDir: string;
  let store: FileAuthStateStore;
  let pointId: string;

  beforeEach(async () => {
    baseDir = await mkdtemp(join(tmpdir(), 'bandeja-auth-'));
    store = new FileAuthStateStore({ baseDir });
    pointId = randomUUID();
  });

  afterEach(async () => {
    await rm(baseDir, { recursive: true, force: true });
  });

  it('is the file kind', () => {
    expect(store.kind).toBe('file');
  });

  it('load creates fresh creds in a private folder per point', async () => {
    const { state } = await store.load(pointId);
    expect(Buffer.isBuffer(state.creds.noiseKey.public)).toBe(true);
    expect(state.creds.registered).toBe(false);
    expect(state.creds.me).toBeUndefined();
    const folder = await stat(join(baseDir, pointId));
    expect(folder.isDirectory()).toBe(true);
    expect(folder.mode & 0o777).toBe(0o700);
  });

  it('persists creds and keys so a new store on the same folder resumes without a new QR', async () => {
    const first = await store.load(pointId);
    const preKey = { public: Buffer.from('pre-public'), private: Buffer.from('pre-private') };
    await first.state.keys.set({
      'pre-key': { '7': preKey },
      session: { 'a:1': Buffer.from('s') },
    });
    await first.saveCreds();

    const restarted = await new FileAuthStateStore({ baseDir }).load(pointId);
    const creds = restarted.state.creds;
    expect(Buffer.isBuffer(creds.noiseKey.public)).toBe(true);
    expect(Buffer.compare(creds.noiseKey.public, first.state.creds.noiseKey.public)).toBe(0);
    expect(Buffer.compare(creds.noiseKey.private, first.state.creds.noiseKey.private)).toBe(0);
    expect(creds.registrationId).toBe(first.state.creds.registrationId);
    expect(creds.advSecretKey).toBe(first.state.creds.advSecretKey);

    const keys = await restarted.state.keys.get('pre-key', ['7', '8']);
    expect(Buffer.compare(keys['7'].public, preKey.public)).toBe(0);
    expect(Buffer.compare(keys['7'].private, preKey.private)).toBe(0);
    expect(keys['8']).toBeFalsy();
    const sessions = await restarted.state.keys.get('session', ['a:1']);
    expect(Buffer.from(sessions['a:1']).toString()).toBe('s');
  });

  it('keys.set with null deletes the key', async () => {
    const { state } = await store.load(pointId);
    await state.keys.set({
      'pre-key': { '1': { public: Buffer.from('a'), private: Buffer.from('b') } },
    });
    await state.keys.set({ 'pre-key': { '1': null } });
    const keys = await state.keys.get('pre-key', ['1']);
    expect(keys['1']).toBeFalsy();
  });

  it('revives app-state-sync keys as the protobuf class', async () => {
    const { state } = await store.load(pointId);
    await state.keys.set({
      'app-state-sync-key': { AAAA: { keyData: Buffer.from('kd'), timestamp: 5 } },
    });
    const keys = await state.keys.get('app-state-sync-key', ['AAAA']);
    expect(keys.AAAA.constructor.name).toBe('AppStateSyncKeyData');
    expect(Buffer.from(keys.AAAA.keyData as Uint8Array).toString()).toBe('kd');
  });

  it('hasCredentials is false before pairing and true once a paired identity is saved', async () => {
    expect(await store.hasCredentials(pointId)).toBe(false);
    const { state, saveCreds } = await store.load(pointId);
    await saveCreds();
    expect(await store.hasCredentials(pointId)).toBe(false);

    state.creds.me = { id: '59170000000:1@s.whatsapp.net', name: 'x' };
    state.creds.registered = true;
    await saveCreds();
    expect(await store.hasCredentials(pointId)).toBe(true);
    expect(await new FileAuthStateStore({ baseDir }).hasCredentials(pointId)).toBe(true);
  });

  it('treats an upper-case id as the same point', async () => {
    const { saveCreds } = await store.load(pointId);
    await saveCreds();
    expect(await readdir(baseDir)).toEqual([pointId]);
    const again = await store.load(pointId.toUpperCase());
    expect(await readdir(baseDir)).toEqual([pointId]);
    expect(again.state.creds.registrationId).toBeDefined();
  });

  it('clear removes the folder of that point only', async () => {
    const other = randomUUID();
    await (await store.load(pointId)).saveCreds();
    await (await store.load(other)).saveCreds();
    await store.clear(pointId);
    await expect(stat(join(baseDir, pointId))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(join(baseDir, other))).isDirectory()).toBe(true);
    expect(await store.hasCredentials(pointId)).toBe(false);
    await expect(store.clear(pointId)).resolves.toBeUndefined();
  });

  it.each(['../etc', '..', 'not-a-uuid', `${randomUUID()}/../x`, '', `${randomUUID()}\0`])(
    'rejects the non-UUID id %j before touching the disk',
    async (bad) => {
      await expect(store.load(bad)).rejects.toThrow(/must be a UUID/);
      await expect(store.hasCredentials(bad)).rejects.toThrow(/must be a UUID/);
      await expect(store.clear(bad)).rejects.toThrow(/must be a UUID/);
      expect(await readdir(baseDir)).toEqual([]);
    },
  );

  it('refuses to start over a damaged creds file instead of replacing it', async () => {
    const { saveCreds } = await store.load(pointId);
    await saveCreds();
    await writeFile(join(baseDir, pointId, 'creds.json'), '{not json');
    await expect(store.load(pointId)).rejects.toThrow(/not valid JSON/);
    await expect(store.hasCredentials(pointId)).rejects.toThrow(/not valid JSON/);
  });

  it('creates a missing base folder', async () => {
    const nested = new FileAuthStateStore({ baseDir: join(baseDir, 'a', 'b') });
    await (await nested.load(pointId)).saveCreds();
    expect((await stat(join(baseDir, 'a', 'b', pointId, 'creds.json'))).isFile()).toBe(true);
  });
});
