import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DistrictLevel, Roles } from '../../../libs/auth/roles.decorator';
import { CreateUserDto, UpdateUserDto } from './auth.dto';
import { UsersService } from '../../../libs/auth/users.service';

/** Accounts are kept by a district-wide administrator. */
@ApiTags('users')
@Controller('users')
@Roles('admin')
@DistrictLevel()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  create(@Body() body: CreateUserDto) {
    return this.users.create(body);
  }

  @Get()
  list() {
    return this.users.list();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.users.get(id);
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() body: UpdateUserDto) {
    return this.users.update(id, body);
  }
}
