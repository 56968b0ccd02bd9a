import {
  ConflictException,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as bcrypt from 'bcryptjs';
import { preFix } from '../prefix';
import { DATABASE_UNAVAILABLE, isDatabaseOutage, isUniqueViolation } from '../prisma/prisma-errors';
import { PrismaService } from '../prisma/prisma.service';
import { PublicUser, publicUser, USER_FIELDS } from './auth-user';
import { LoginDto } from './dto/login.dto';
import { RegisterDto } from './dto/register.dto';
import { LoginThrottleService } from './login-throttle.service';

/**
 * bcrypt's cost: 10 unless BCRYPT_ROUNDS says otherwise (a test run may
 * lower it; no rule depends on it, and at 10 hashing is most of the work).
 */
const BCRYPT_ROUNDS = Number.parseInt(process.env.BCRYPT_ROUNDS ?? '', 10) || 10;
/** Compared against for an unknown email, so it costs as much as a wrong password. */
const TIMING_EQUALIZER_HASH = bcrypt.hashSync('a password nobody knows', BCRYPT_ROUNDS);
export const EMAIL_TAKEN = 'Email already registered';
export const BAD_CREDENTIALS = 'Invalid email or password';

export interface Session {
  accessToken: string;
  user: PublicUser;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottleService,
  ) {}

  /**
   * No look-up before the insert: the unique constraint on users.email
   * decides, and its violation (P2002) is the 409, however many requests
   * for one email arrive at once (REG-3).
   */
  async register(dto: RegisterDto): Promise<Session> {
    if (preFix('register-check-then-insert')) return this.registerCheckThenInsert(dto);
    const passwordHash = await bcrypt.hash(dto.password, BCRYPT_ROUNDS);
    try {
      const user = await this.prisma.user.create({
        data: { email: dto.email, name: dto.name ?? null, passwordHash },
        select: USER_FIELDS,
      });
      return this.session(user);
    } catch (error) {
      if (isUniqueViolation(error) && !preFix('unmapped-p2002')) throw new ConflictException(EMAIL_TAKEN);
      if (isDatabaseOutage(error)) throw new ServiceUnavailableException(DATABASE_UNAVAILABLE);
      throw error;
    }
  }

  /** The code before the fix: a look-up, the hash, then an unguarded insert. */
  private async registerCheckThenInsert(dto: RegisterDto): Promise<Session> {
    const existing = await this.prisma.user.findUnique({ where: { email: dto.email } });
    if (existing) throw new ConflictException(EMAIL_TAKEN);
    const passwordHash = await bcrypt.hash(dto.password, BCRYPT_ROUNDS);
    const user = await this.prisma.user.create({
      data: { email: dto.email, name: dto.name ?? null, passwordHash },
      select: USER_FIELDS,
    });
    return this.session(user);
  }

  /** One message for a wrong password and an unknown email (LOG-3). */
  async login(dto: LoginDto): Promise<Session> {
    await this.throttle.assertAllowed(dto.email);
    const user = await this.prisma.user.findUnique({ where: { email: dto.email } });
    const matches = await bcrypt.compare(dto.password, user?.passwordHash ?? TIMING_EQUALIZER_HASH);
    if (!user || !matches) {
      await this.throttle.recordFailure(dto.email);
      throw new UnauthorizedException(BAD_CREDENTIALS);
    }
    await this.throttle.reset(dto.email);
    return this.session(user);
  }

  private async session(user: { id: string; email: string; name: string | null }): Promise<Session> {
    const accessToken = await this.jwt.signAsync({ sub: user.id, email: user.email });
    return { accessToken, user: publicUser(user) };
  }
}
