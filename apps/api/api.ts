import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../../libs/config/config';
import { HttpErrorsFilter } from '../../libs/nest/http-errors.filter';
import { jsonLogger } from '../../libs/nest/json-logger';
import { createValidationPipe } from '../../libs/nest/validation.pipe';
import { AppModule } from './app.module';

/** Builds the HTTP API (not listening yet), with OpenAPI docs at /docs and /docs-json. */
export async function createApi(config: AppConfig): Promise<INestApplication> {
  // rawBody: the dispatch system's events are signed over the bytes it sent (apps/api/transfer/dispatch-signature.guard.ts).
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger: jsonLogger(), rawBody: true });
  // Behind a reverse proxy, the client's address (login throttling, the audit log) is the one it forwards.
  app.set('trust proxy', config.auth.trustProxy);
  app.use(cookieParser());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorsFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Epidemic-control operations API')
      .setDescription('Home observation, closed-loop transfers and duty rosters, run as Temporal workflows.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
