import { randomBytes } from 'node:crypto';
import {
  AuthStateDecryptionError,
  decrypt,
  encrypt,
  IV_LENGTH,
  parseEncryptionKey,
  TAG_LENGTH,
} from './crypto';

describe('parseEncryptionKey', () => {
  const raw = randomBytes(32);

  it('accepts 64 hex characters, either case', () => {
    expect(parseEncryptionKey(raw.toString('hex'))).toEqual(raw);
    expect(parseEncryptionKey(raw.toString('hex').toUpperCase())).toEqual(raw);
  });

  it('accepts base64 of 32 bytes', () => {
    expect(parseEncryptionKey(raw.toString('base64'))).toEqual(raw);
  });

  it.each([
    ['empty', ''],
    ['short hex', 'ab'.repeat(31)],
    ['long hex', 'ab'.repeat(33)],
    ['non-hex characters', 'zz'.repeat(32)],
    ['base64 of 16 bytes', randomBytes(16).toString('base64')],
    ['base64 of 48 bytes', randomBytes(48).toString('base64')],
    ['base64url', 'A-_' + 'A'.repeat(40) + '='],
    ['a passphrase', 'correct horse battery staple'],
  ])('rejects %s', (_label, value) => {
    expect(() => parseEncryptionKey(value)).toThrow(/AUTH_ENCRYPTION_KEY must be 32 bytes/);
  });

  it('does not echo the rejected value', () => {
    const secret = 'my-secret-passphrase-that-is-wrong';
    expect(() => parseEncryptionKey(secret)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });
});

describe('encrypt / decrypt', () => {
  const key = randomBytes(32);
  const aad = '0b7d3f0e-6f0a-4c43-9a8e-2f4a1f0f7a10:creds';
  const plaintext = Buffer.from('{"noiseKey":"secret material"}', 'utf8');

  it('round-trips and lays out iv | tag | ciphertext', () => {
    const sealed = encrypt(key, plaintext, aad);
    expect(sealed.length).toBe(IV_LENGTH + TAG_LENGTH + plaintext.length);
    expect(sealed.includes(plaintext)).toBe(false);
    expect(decrypt(key, sealed, aad)).toEqual(plaintext);
  });

  it('uses a fresh IV on every write', () => {
    const a = encrypt(key, plaintext, aad);
    const b = encrypt(key, plaintext, aad);
    expect(a.subarray(0, IV_LENGTH).equals(b.subarray(0, IV_LENGTH))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('round-trips an empty plaintext', () => {
    expect(decrypt(key, encrypt(key, Buffer.alloc(0), aad), aad)).toEqual(Buffer.alloc(0));
  });

  const flip = (buffer: Buffer, index: number) => {
    const copy = Buffer.from(buffer);
    copy[index] ^= 0x01;
    return copy;
  };

  it('fails on a tampered ciphertext', () => {
    const sealed = encrypt(key, plaintext, aad);
    expect(() => decrypt(key, flip(sealed, sealed.length - 1), aad)).toThrow(
      AuthStateDecryptionError,
    );
  });

  it('fails on a tampered tag', () => {
    const sealed = encrypt(key, plaintext, aad);
    expect(() => decrypt(key, flip(sealed, IV_LENGTH), aad)).toThrow(AuthStateDecryptionError);
  });

  it('fails on a tampered IV', () => {
    const sealed = encrypt(key, plaintext, aad);
    expect(() => decrypt(key, flip(sealed, 0), aad)).toThrow(AuthStateDecryptionError);
  });

  it('fails when the AAD differs (row moved to another point or key)', () => {
    const sealed = encrypt(key, plaintext, aad);
    expect(() => decrypt(key, sealed, '0b7d3f0e-6f0a-4c43-9a8e-2f4a1f0f7a11:creds')).toThrow(
      AuthStateDecryptionError,
    );
    expect(() => decrypt(key, sealed, aad.replace('creds', 'pre-key:1'))).toThrow(
      AuthStateDecryptionError,
    );
  });

  it('fails with another key', () => {
    const sealed = encrypt(key, plaintext, aad);
    expect(() => decrypt(randomBytes(32), sealed, aad)).toThrow(
      /failed authentication \(wrong key or altered data\)/,
    );
  });

  it('fails on a truncated value', () => {
    expect(() => decrypt(key, Buffer.alloc(IV_LENGTH + TAG_LENGTH - 1), aad)).toThrow(
      AuthStateDecryptionError,
    );
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => encrypt(randomBytes(16), plaintext, aad)).toThrow(/32 bytes/);
    expect(() => decrypt(randomBytes(31), Buffer.alloc(40), aad)).toThrow(/32 bytes/);
  });
});
