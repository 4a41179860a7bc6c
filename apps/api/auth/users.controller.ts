import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DistrictLevel, Roles } from '../../../libs/auth/roles.decorator';
import { ApiPageResponse, Page, PageQuery } from '../../../libs/nest/paging';
import { AccountDto, CreateUserDto, UpdateUserDto } from './auth.dto';
import { UsersService } from '../../../libs/auth/users.service';

/** Accounts are kept by a district-wide administrator. */
@ApiTags('users')
@Controller('users')
@Roles('admin')
@DistrictLevel()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'Opens an account' })
  @ApiCreatedResponse({ type: AccountDto })
  create(@Body() body: CreateUserDto): Promise<AccountDto> {
    return this.users.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'The accounts, by username' })
  @ApiPageResponse(AccountDto)
  list(@Query() query: PageQuery): Promise<Page<AccountDto>> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One account, with the locks in force on it' })
  @ApiOkResponse({ type: AccountDto })
  get(@Param('id') id: string): Promise<AccountDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Changes an account: its name, password, role, jurisdiction, whether it is active; lifts its locks' })
  @ApiOkResponse({ type: AccountDto })
  update(@Param('id') id: string, @Body() body: UpdateUserDto): Promise<AccountDto> {
    return this.users.update(id, body);
  }
}
