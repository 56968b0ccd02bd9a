import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class ChatService {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores the question and the answer together; returns the answer's id. */
  async saveExchange(documentId: string, userId: string, question: string, answer: string): Promise<string> {
    const questionId = randomUUID();
    const answerId = randomUUID();
    await this.prisma.chatMessage.createMany({
      data: [
        { id: questionId, documentId, userId, role: 'user', content: question },
        { id: answerId, documentId, userId, role: 'assistant', content: answer },
      ],
    });
    return answerId;
  }
}
