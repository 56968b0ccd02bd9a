import { Body, Controller, Logger, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { JwtAuthGuard, JwtIgnoringExpiryGuard } from '../auth/jwt-auth.guard';
import { preFix } from '../prefix';
import { DocumentsService } from '../documents/documents.service';
import { buildAnswer, toDeltas } from './answer';
import { ChatService } from './chat.service';
import { ChatMessageDto } from './dto/chat-message.dto';

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

@Controller('documents')
@UseGuards(preFix('stream-ignores-expiry') ? JwtIgnoringExpiryGuard : JwtAuthGuard)
export class ChatController {
  private readonly logger = new Logger(ChatController.name);
  private readonly delayMs: number;

  constructor(
    private readonly documents: DocumentsService,
    private readonly chat: ChatService,
    config: ConfigService,
  ) {
    this.delayMs = Number(config.getOrThrow<string>('STREAM_DELAY_MS'));
  }

  /**
   * Server-sent events over a POST. The guard checked the token once, when
   * the request came in; everything that can fail with a status (401, 404,
   * 400) fails before the first byte of the stream. After that, a failure
   * is an `event: error`. Token expiry during the stream does not end it.
   */
  @Post(':id/chat/stream')
  async stream(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: ChatMessageDto,
    @Res() res: Response,
  ): Promise<void> {
    const document = await this.documents.findOwned(user.id, id);
    const answer = buildAnswer(document.title, document.content, dto.message);
    const deltas = toDeltas(answer);

    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();

    let gone = false;
    res.on('close', () => {
      gone = !res.writableFinished;
    });

    for (const [index, content] of deltas.entries()) {
      if (index > 0 && this.delayMs > 0) await sleep(this.delayMs);
      if (gone) return;
      res.write(event('delta', { content }));
    }
    try {
      const messageId = await this.chat.saveExchange(document.id, user.id, dto.message, answer);
      if (!gone) res.write(event('done', { messageId }));
    } catch (error) {
      this.logger.warn(`chat answer not stored: ${(error as Error).message}`);
      if (!gone) res.write(event('error', { message: 'The answer could not be saved, please try again' }));
    }
    res.end();
  }
}
