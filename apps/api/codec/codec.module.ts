import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AppConfig, requirePayloadKeys } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { AesGcmPayloadCodec } from '../../../libs/temporal/payload-codec';
import { CodecCorsMiddleware } from './codec-cors.middleware';
import { CodecController } from './codec.controller';

/** POST /codec/decode and /codec/encode for the Temporal Web UI, with their own CORS. */
@Module({
  controllers: [CodecController],
  providers: [{ provide: AesGcmPayloadCodec, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new AesGcmPayloadCodec(requirePayloadKeys(config)) }],
})
export class CodecModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Paths, not the controller, so the middleware also sees the OPTIONS preflight.
    consumer.apply(CodecCorsMiddleware).forRoutes('codec/decode', 'codec/encode');
  }
}
