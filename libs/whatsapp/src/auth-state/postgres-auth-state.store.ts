import type { Prisma, PrismaService } from '@bandeja/core';
import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import type {
  AuthenticationCreds,
  SignalDataSet,
  SignalDataTypeMap,
  SignalKeyStore,
} from '@whiskeysockets/baileys';
import {
  AuthStateHandle,
  AuthStateStore,
  isPaired,
  normalizeServicePointId,
} from './auth-state-store';
import { AuthStateDecryptionError, decrypt, encrypt, KEY_LENGTH } from './crypto';

export { parseEncryptionKey } from './crypto';

const CREDS_KEY = 'creds';

/** Row key of one signal key: `<type>:<id>` (the creds row is `creds`). */
const signalKey = (type: string, id: string) => `${type}:${id}`;

/**
 * Credentials in the `WhatsappAuthEntry` table, so any worker can take a session over. Every
 * value is Baileys' BufferJSON, encrypted with AES-256-GCM under AUTH_ENCRYPTION_KEY with
 * `<servicePointId>:<key>` as additional data: a row copied to another point or key does not
 * decrypt. A wrong key throws AuthStateDecryptionError instead of starting a new pairing.
 */
export class PostgresAuthStateStore implements AuthStateStore {
  readonly kind = 'postgres' as const;
  private readonly key: Buffer;

  constructor(
    private readonly prisma: PrismaService,
    key: Buffer,
  ) {
    if (!Buffer.isBuffer(key) || key.length !== KEY_LENGTH) {
      throw new Error(`PostgresAuthStateStore needs a ${KEY_LENGTH}-byte encryption key`);
    }
    this.key = Buffer.from(key);
  }

  async load(servicePointId: string): Promise<AuthStateHandle> {
    const pointId = normalizeServicePointId(servicePointId);
    const creds = (await this.readCreds(pointId)) ?? initAuthCreds();

    // Writes of one handle run one after another, so an older snapshot of the creds can never
    // land after a newer one; reads wait for the writes already queued (read-your-writes).
    let writes: Promise<unknown> = Promise.resolve();
    const enqueue = (task: () => Promise<void>): Promise<void> => {
      const run = writes.then(task, task);
      writes = run.catch(() => undefined);
      return run;
    };

    const keys: SignalKeyStore = {
      get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
        await writes;
        return this.readKeys(pointId, type, ids);
      },
      set: (data: SignalDataSet) => {
        const batch = this.encodeSet(pointId, data);
        return enqueue(() => this.writeKeys(pointId, batch));
      },
    };

    return {
      state: { creds, keys },
      saveCreds: () => {
        // Serialized now: Baileys keeps mutating the same creds object.
        const value = this.encode(pointId, CREDS_KEY, creds);
        return enqueue(() => this.upsert(pointId, CREDS_KEY, value));
      },
    };
  }

  async hasCredentials(servicePointId: string): Promise<boolean> {
    const creds = await this.readCreds(normalizeServicePointId(servicePointId));
    return creds !== null && isPaired(creds);
  }

  async clear(servicePointId: string): Promise<void> {
    const pointId = normalizeServicePointId(servicePointId);
    await this.prisma.whatsappAuthEntry.deleteMany({ where: { servicePointId: pointId } });
  }

  private async readCreds(pointId: string): Promise<AuthenticationCreds | null> {
    const row = await this.prisma.whatsappAuthEntry.findUnique({
      where: { servicePointId_key: { servicePointId: pointId, key: CREDS_KEY } },
      select: { value: true },
    });
    return row ? this.decode<AuthenticationCreds>(pointId, CREDS_KEY, row.value) : null;
  }

  /** One query for all ids; ids with no row are left out of the result. */
  private async readKeys<T extends keyof SignalDataTypeMap>(
    pointId: string,
    type: T,
    ids: string[],
  ): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
    const result: { [id: string]: SignalDataTypeMap[T] } = {};
    if (ids.length === 0) return result;
    const byKey = new Map(ids.map((id) => [signalKey(type, id), id]));
    const rows = await this.prisma.whatsappAuthEntry.findMany({
      where: { servicePointId: pointId, key: { in: [...byKey.keys()] } },
      select: { key: true, value: true },
    });
    for (const row of rows) {
      const id = byKey.get(row.key);
      if (id === undefined) continue;
      let value = this.decode<unknown>(pointId, row.key, row.value);
      if (type === 'app-state-sync-key' && value) {
        // Baileys expects the protobuf class here, not the plain JSON object.
        value = proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>);
      }
      result[id] = value as SignalDataTypeMap[T];
    }
    return result;
  }

  private encodeSet(pointId: string, data: SignalDataSet) {
    const upserts: { key: string; value: Uint8Array<ArrayBuffer> }[] = [];
    const deletes: string[] = [];
    for (const [type, entries] of Object.entries(data)) {
      if (!entries) continue;
      for (const [id, value] of Object.entries(entries)) {
        const key = signalKey(type, id);
        if (value === null || value === undefined) deletes.push(key);
        else upserts.push({ key, value: this.encode(pointId, key, value) });
      }
    }
    return { upserts, deletes };
  }

  /** All of one `keys.set` in a single transaction: upserts for values, a delete for nulls. */
  private async writeKeys(
    pointId: string,
    batch: { upserts: { key: string; value: Uint8Array<ArrayBuffer> }[]; deletes: string[] },
  ): Promise<void> {
    const table = this.prisma.whatsappAuthEntry;
    const operations: Prisma.PrismaPromise<unknown>[] = batch.upserts.map(({ key, value }) =>
      table.upsert({
        where: { servicePointId_key: { servicePointId: pointId, key } },
        create: { servicePointId: pointId, key, value },
        update: { value },
        select: { key: true },
      }),
    );
    if (batch.deletes.length > 0) {
      operations.push(
        table.deleteMany({ where: { servicePointId: pointId, key: { in: batch.deletes } } }),
      );
    }
    if (operations.length > 0) await this.prisma.$transaction(operations);
  }

  private async upsert(pointId: string, key: string, value: Uint8Array<ArrayBuffer>) {
    await this.prisma.whatsappAuthEntry.upsert({
      where: { servicePointId_key: { servicePointId: pointId, key } },
      create: { servicePointId: pointId, key, value },
      update: { value },
      select: { key: true },
    });
  }

  private encode(pointId: string, key: string, value: unknown): Uint8Array<ArrayBuffer> {
    const json = JSON.stringify(value, BufferJSON.replacer);
    return new Uint8Array(encrypt(this.key, Buffer.from(json, 'utf8'), `${pointId}:${key}`));
  }

  private decode<T>(pointId: string, key: string, stored: Uint8Array): T {
    let plaintext: Buffer;
    try {
      plaintext = decrypt(this.key, stored, `${pointId}:${key}`);
    } catch (error) {
      throw new AuthStateDecryptionError(
        `Cannot decrypt the stored WhatsApp credentials of service point ${pointId} ` +
          `(entry "${key}"): AUTH_ENCRYPTION_KEY is not the key they were saved with, ` +
          'or the stored data was altered',
        { cause: error },
      );
    }
    try {
      return JSON.parse(plaintext.toString('utf8'), BufferJSON.reviver) as T;
    } catch {
      // No `cause`: a JSON SyntaxError quotes part of the (secret) plaintext.
      throw new AuthStateDecryptionError(
        `The stored WhatsApp credentials of service point ${pointId} (entry "${key}") are not valid JSON`,
      );
    }
  }
}
