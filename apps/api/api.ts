import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../../libs/config/config';
import { documentProblems, HttpErrorsFilter } from '../../libs/nest/http-errors.filter';
import { jsonLogger } from '../../libs/nest/json-logger';
import { documentLogins } from '../../libs/nest/openapi-logins';
import { routesOf } from '../../libs/nest/routes';
import { requestBodies } from '../../libs/nest/request-body';
import { createValidationPipe } from '../../libs/nest/validation.pipe';
import { AppModule } from './app.module';
import { requestLog } from '../../libs/nest/request-log.middleware';

/** Builds the HTTP API (not listening yet), with OpenAPI docs at /docs and /docs-json. */
export async function createApi(config: AppConfig): Promise<INestApplication> {
  // Bodies are read by requestBodies (content type and a limit per route), not Nest's parsers.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger: jsonLogger(), bodyParser: false });
  // Behind a reverse proxy, the client's address (login throttling, the audit log) is the one it forwards.
  app.set('trust proxy', config.auth.trustProxy);
  // First, so a body refused at the edge has its request id and log line too.
  app.use(requestLog());
  app.use(requestBodies());
  app.use(cookieParser());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorsFilter());
  app.enableShutdownHooks();
  const document = documentLogins(
    documentProblems(
      SwaggerModule.createDocument(
        app,
        new DocumentBuilder()
          .setTitle('Epidemic-control operations API')
          .setDescription('Home observation, closed-loop transfers and duty rosters, run as Temporal workflows.')
          .setVersion('0.1.0')
          .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'POST /auth/login answers the accessToken' }, 'bearer')
          .build(),
      ),
    ),
    routesOf(app),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
