/** Small recording implementations of the queue and chat ports, for tests of the domain services. */
import type { Chat, ChatMessage, Queue } from '../../functions/domain/ports.ts';

export class RecordingQueue<T> implements Queue<T> {
  readonly sent: T[] = [];
  async send(messages: readonly T[]): Promise<void> {
    this.sent.push(...messages);
  }
}

export class RecordingChat implements Chat {
  readonly posts: ChatMessage[] = [];
  readonly updates: (ChatMessage & { ts: string })[] = [];
  private next = 1;
  async post(message: ChatMessage): Promise<{ channel: string; ts: string }> {
    this.posts.push(message);
    return { channel: message.channel, ts: `1732262400.${String(this.next++).padStart(6, '0')}` };
  }
  async update(message: ChatMessage & { ts: string }): Promise<void> {
    this.updates.push(message);
  }
}
