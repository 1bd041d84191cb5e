import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM layout of a stored value: iv (12 bytes) | auth tag (16 bytes) | ciphertext. */
export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;
export const KEY_LENGTH = 32;
const ALGORITHM = 'aes-256-gcm';

/** Decryption failed: wrong key, or the iv, tag, ciphertext or AAD were altered. */
export class AuthStateDecryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthStateDecryptionError';
  }
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Reads AUTH_ENCRYPTION_KEY: 32 bytes written as 64 hex characters or as base64. Throws
 * otherwise; the message never repeats the value.
 */
export function parseEncryptionKey(value: string): Buffer {
  const text = typeof value === 'string' ? value.trim() : '';
  let key: Buffer | undefined;
  if (HEX_KEY.test(text)) key = Buffer.from(text, 'hex');
  else if (BASE64_KEY.test(text)) key = Buffer.from(text, 'base64');
  if (!key || key.length !== KEY_LENGTH) {
    throw new Error('AUTH_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64');
  }
  return key;
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_LENGTH) {
    throw new Error(`the credential encryption key must be ${KEY_LENGTH} bytes`);
  }
}

/** Encrypts `plaintext` bound to `aad` with a fresh random IV; returns iv | tag | ciphertext. */
export function encrypt(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  assertKey(key);
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]);
}

/** Reverses `encrypt`; throws AuthStateDecryptionError unless key, AAD and bytes all match. */
export function decrypt(key: Buffer, payload: Uint8Array, aad: string): Buffer {
  assertKey(key);
  const bytes = Buffer.from(payload);
  if (bytes.length < IV_LENGTH + TAG_LENGTH) {
    throw new AuthStateDecryptionError('encrypted value is too short');
  }
  const iv = bytes.subarray(0, IV_LENGTH);
  const tag = bytes.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH);
  const data = bytes.subarray(IV_LENGTH + TAG_LENGTH);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch (error) {
    throw new AuthStateDecryptionError(
      'encrypted value failed authentication (wrong key or altered data)',
      { cause: error },
    );
  }
}
