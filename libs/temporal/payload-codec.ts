import { defaultPayloadConverter, METADATA_ENCODING_KEY, Payload, PayloadCodec, SerializationContext, ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PayloadKeys } from '../config/config';
import { PLAINTEXT_MARK, PlaintextMark } from '../../workflows/shared/plaintext-mark';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload names a key the keyring no longer (or not yet) has. */
export class UnknownPayloadKeyError extends ValueError {
  constructor(readonly keyId: string) {
    super(`payload is encrypted with key "${keyId}", which is not in EPI_PAYLOAD_KEYS (keep a retired key until no history needs it)`);
  }
}

/**
 * Encrypts whole payloads (metadata included, so not even the encoding shows) with AES-256-GCM:
 * data = IV ‖ ciphertext ‖ tag, the layout of Temporal's encryption samples. Encodes with the active
 * key; decodes with the key the payload names, so a rotation keeps old histories readable.
 *
 * Payloads that are not encrypted are read as they are, so histories written before encryption
 * still read. A worker's codec (`worker` given) marks those addressed to a workflow (its input,
 * signals, updates, queries) instead, saying whether it refuses them: the workflow's interceptor
 * (workflows/shared/plaintext-guard.ts) refuses a client's new plaintext message there, where a
 * replay decides the same way, rather than failing the workflow's task here.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;

  constructor(
    private readonly keyring: PayloadKeys,
    private readonly worker?: { refusePlaintext: boolean },
  ) {
    this.keys = new Map(Object.entries(keyring.keys));
    if (!this.keys.has(keyring.activeKeyId)) throw new ValueError(`the active payload key "${keyring.activeKeyId}" is not in the keyring`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : this.plaintext(payload, context)));
  }

  private plaintext(payload: Payload, context?: SerializationContext): Payload {
    if (!this.worker || context?.type !== 'workflow') return payload;
    // The project's messages are JSON; anything else (or JSON that does not parse) carries no value over.
    let value: unknown;
    try {
      value = text(payload.metadata?.[METADATA_ENCODING_KEY]) === 'json/plain' ? defaultPayloadConverter.fromPayload(payload) : undefined;
    } catch {
      value = undefined;
    }
    const mark: PlaintextMark = { refuse: this.worker.refusePlaintext, value };
    return defaultPayloadConverter.toPayload({ [PLAINTEXT_MARK]: mark });
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.keyring.activeKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.keys.get(keyId)!, iv);
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    return {
      metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(keyId) },
      data: Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
    const key = this.keys.get(keyId);
    if (!key) throw new UnknownPayloadKeyError(keyId);
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is too short');
    const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    // final() throws when the ciphertext, IV or tag was altered.
    const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING;
}

function text(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
}

/** A fresh `keyId:base64key` entry for EPI_PAYLOAD_KEYS, for development and test systems. */
export function newPayloadKeyEntry(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}:${randomBytes(32).toString('base64')}`;
}
