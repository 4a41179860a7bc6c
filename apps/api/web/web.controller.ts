import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../../libs/auth/roles.decorator';
import { PageFiles } from '../../../libs/nest/page-files';

/**
 * The web front end's folders (apps/web), one per role beside `shared`: `/app/` is the login and the
 * landing, `/app/<area>/` an area's page, `/app/<area>/<file>` its files, `/app/trips/<runId>/<tripId>`
 * one trip of the escort's and driver's page. The pages are public files;
 * what they show comes from the API, which keeps every check.
 */
const AREAS = ['shared', 'worker', 'dispatcher', 'trips', 'receiver', 'duty', 'inbox', 'supervisor'] as const;

@ApiExcludeController()
@Controller('app')
export class WebController {
  private readonly root = new PageFiles('app', 'apps', 'web');
  private readonly areas = new Map(AREAS.map((area) => [area as string, new PageFiles(`app ${area}`, 'apps', 'web', area)]));

  @Get()
  @Public()
  landing(@Res() response: Response) {
    this.root.send(response, 'index.html');
  }

  /** An area's page (`/app/worker/`), or a file of the landing (`/app/landing.js`). */
  @Get(':name')
  @Public()
  areaOrFile(@Param('name') name: string, @Res() response: Response) {
    const area = this.areas.get(name);
    if (area) area.send(response, 'index.html');
    else this.root.send(response, name);
  }

  /** One trip on the escort's and driver's page: the link the dispatch SMS sends them. */
  @Get('trips/:runId/:tripId')
  @Public()
  trip(@Res() response: Response) {
    this.areas.get('trips')!.send(response, 'index.html');
  }

  @Get(':area/:name')
  @Public()
  file(@Param('area') area: string, @Param('name') name: string, @Res() response: Response) {
    const files = this.areas.get(area);
    if (!files) throw new NotFoundException(`no app area ${area}`);
    files.send(response, name);
  }
}
