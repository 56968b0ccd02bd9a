import { Body, Controller, Get, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { preFix } from '../prefix';
import { AuthUser, CurrentUser, PublicUser, publicUser } from './auth-user';
import { AuthService, Session } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { JwtAuthGuard } from './jwt-auth.guard';

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  register(@Body() dto: RegisterDto): Promise<Session> {
    return this.auth.register(dto);
  }

  /** A POST answers 201 in NestJS unless told otherwise; a login creates nothing. */
  @Post('login')
  @HttpCode(preFix('login-201') ? HttpStatus.CREATED : HttpStatus.OK)
  login(@Body() dto: LoginDto): Promise<Session> {
    return this.auth.login(dto);
  }

  /** The account the guard loaded with the token: no second query. */
  @Get('me')
  @UseGuards(JwtAuthGuard)
  me(@CurrentUser() user: AuthUser): PublicUser {
    return publicUser(user.account);
  }
}
