import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { EnrolmentDto } from './observation.dto';
import { EnrolmentService } from '../../../libs/observation/enrolment.service';

@ApiTags('persons')
@Controller('persons')
export class PersonsController {
  constructor(private readonly enrolment: EnrolmentService) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ type: EnrolmentDto })
  @ApiOperation({ summary: 'Enrol a person: one record, one observation number, one observation workflow' })
  @ApiConflictResponse({ description: 'the person already has an open observation; the body names its number' })
  @ApiUnprocessableEntityResponse({ description: 'a field is wrong; `problems` names each field and reason' })
  async enrol(@Body() body: Record<string, unknown>, @Res({ passthrough: true }) response: Response) {
    const result = await this.enrolment.enrol(body);
    if (result.status === 'existing') response.status(200);
    return result;
  }
}
