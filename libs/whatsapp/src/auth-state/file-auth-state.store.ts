import { BufferJSON, useMultiFileAuthState } from '@whiskeysockets/baileys';
import type { AuthenticationCreds } from '@whiskeysockets/baileys';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  AuthStateHandle,
  AuthStateStore,
  isPaired,
  normalizeServicePointId,
} from './auth-state-store';

const CREDS_FILE = 'creds.json';
const PRIVATE_DIR = 0o700;

/**
 * Credentials on disk: one folder per point, `<baseDir>/<servicePointId>/`, in Baileys' own
 * multi-file format (so a folder can be inspected or moved with the library's tools). Folders are
 * private to the process user (0700).
 */
export class FileAuthStateStore implements AuthStateStore {
  readonly kind = 'file' as const;
  private readonly baseDir: string;

  constructor(options: { baseDir: string }) {
    if (!options?.baseDir) throw new Error('FileAuthStateStore needs a baseDir');
    this.baseDir = resolve(options.baseDir);
  }

  async load(servicePointId: string): Promise<AuthStateHandle> {
    const folder = this.folderOf(servicePointId);
    await mkdir(this.baseDir, { recursive: true, mode: PRIVATE_DIR });
    await mkdir(folder, { recursive: true, mode: PRIVATE_DIR });
    await chmod(folder, PRIVATE_DIR);
    // Baileys treats an unreadable creds file as "no creds" and would silently start a new
    // pairing over it; refuse instead, so a damaged session is noticed rather than replaced.
    await this.readCreds(folder);
    const { state, saveCreds } = await useMultiFileAuthState(folder);
    return { state, saveCreds };
  }

  async hasCredentials(servicePointId: string): Promise<boolean> {
    const creds = await this.readCreds(this.folderOf(servicePointId));
    return creds !== null && isPaired(creds);
  }

  async clear(servicePointId: string): Promise<void> {
    await rm(this.folderOf(servicePointId), { recursive: true, force: true });
  }

  private folderOf(servicePointId: string): string {
    const folder = join(this.baseDir, normalizeServicePointId(servicePointId));
    // A UUID cannot leave baseDir; checked anyway so a future change cannot open a traversal.
    if (!folder.startsWith(this.baseDir + sep)) throw new Error('invalid auth state folder');
    return folder;
  }

  /** The saved creds, or null when the point has none; throws if the file is unreadable. */
  private async readCreds(folder: string): Promise<AuthenticationCreds | null> {
    let text: string;
    try {
      text = await readFile(join(folder, CREDS_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let creds: unknown;
    try {
      creds = JSON.parse(text, BufferJSON.reviver);
    } catch {
      creds = undefined;
    }
    if (typeof creds !== 'object' || creds === null) {
      throw new Error(`the stored WhatsApp credentials in ${folder} are not valid JSON`);
    }
    return creds as AuthenticationCreds;
  }
}
