import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { preFix } from '../prefix';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtIgnoringExpiryStrategy, JwtStrategy } from './jwt.strategy';
import { LoginThrottleService } from './login-throttle.service';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        // Validated at startup (src/config/env.validation.ts): a positive
        // integer number of seconds. jsonwebtoken reads a number as seconds
        // but a unitless string ("3600") as milliseconds.
        const expiresIn = config.getOrThrow<string>('JWT_EXPIRES_IN');
        return {
          secret: config.getOrThrow<string>('JWT_SECRET'),
          signOptions: {
            algorithm: 'HS256' as const,
            expiresIn: preFix('expires-in-string') ? (expiresIn as unknown as number) : Number(expiresIn),
          },
          verifyOptions: { algorithms: ['HS256' as const] },
        };
      },
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, JwtStrategy, JwtIgnoringExpiryStrategy, LoginThrottleService],
})
export class AuthModule {}
