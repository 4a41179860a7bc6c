import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Payload } from '@temporalio/common';
import { IsArray } from 'class-validator';
import { invalid } from '../../../libs/domain/errors';
import { AllowCookieAuth, DistrictLevel, Roles } from '../../../libs/auth/roles.decorator';
import { AesGcmPayloadCodec, UnknownPayloadKeyError } from '../../../libs/temporal/payload-codec';

/** A payload as the Web UI and CLI send it (proto3 JSON: every bytes field in base64). */
interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

class PayloadsBody {
  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      properties: {
        metadata: { type: 'object', additionalProperties: { type: 'string', format: 'byte' }, description: 'each value base64' },
        data: { type: 'string', format: 'byte', nullable: true, description: 'base64' },
      },
    },
    description: 'Temporal payloads in their JSON form',
    example: [{ metadata: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==', 'encryption-key-id': 'ZGV2LTE=' }, data: '…' }],
  })
  @IsArray()
  payloads!: JsonPayload[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytes(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value)) throw invalid(field, 'must be base64');
  return Buffer.from(value, 'base64');
}

function fromJson(json: JsonPayload, i: number): Payload {
  if (typeof json !== 'object' || json === null) throw invalid(`payloads[${i}]`, 'must be an object');
  const metadata = Object.entries(json.metadata ?? {}).map(([key, value]) => [key, bytes(value, `payloads[${i}].metadata.${key}`)]);
  return { metadata: Object.fromEntries(metadata), data: json.data ? bytes(json.data, `payloads[${i}].data`) : undefined };
}

function toJson(payload: Payload): JsonPayload {
  const metadata = Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]);
  return { metadata: Object.fromEntries(metadata), data: Buffer.from(payload.data ?? []).toString('base64') };
}

/**
 * The Temporal Web UI's and CLI's codec server (README "Personal data in Temporal"). District level:
 * a payload's jurisdiction cannot be known before it is decoded, so only district-wide staff decode.
 */
@ApiTags('codec')
@Controller('codec')
export class CodecController {
  constructor(private readonly codec: AesGcmPayloadCodec) {}

  @Post('decode')
  @HttpCode(200)
  @Roles('supervisor', 'admin')
  @DistrictLevel()
  @AllowCookieAuth()
  @ApiOperation({ summary: 'Decrypts payloads for the Temporal Web UI; one under an unknown key comes back unchanged' })
  @ApiOkResponse({ type: PayloadsBody })
  async decode(@Body() body: PayloadsBody): Promise<PayloadsBody> {
    const payloads = body.payloads.map(fromJson);
    // One payload under a retired key must not hide the rest of a history.
    const decoded = await Promise.all(
      payloads.map(async (payload, i) => {
        try {
          return toJson((await this.codec.decode([payload]))[0]);
        } catch (error) {
          if (error instanceof UnknownPayloadKeyError) return body.payloads[i];
          throw invalid(`payloads[${i}]`, 'cannot be decrypted: altered, or encrypted under another key with the same id');
        }
      }),
    );
    return { payloads: decoded };
  }

  @Post('encode')
  @HttpCode(200)
  @Roles('supervisor', 'admin')
  @DistrictLevel()
  @AllowCookieAuth()
  @ApiOperation({ summary: 'Encrypts payloads the Web UI sends (e.g. a signal typed in by hand) with the active key' })
  @ApiOkResponse({ type: PayloadsBody })
  async encode(@Body() body: PayloadsBody): Promise<PayloadsBody> {
    return { payloads: (await this.codec.encode(body.payloads.map(fromJson))).map(toJson) };
  }
}
