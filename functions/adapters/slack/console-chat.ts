/**
 * Chat for local runs without a Slack token: cards and thread entries are printed readably.
 * It renders the same text the Slack card carries; message ids are local counters.
 */
import type { Chat, ChatMessage } from '../../domain/ports.ts';

export class ConsoleChat implements Chat {
  private counter = 0;

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  private render(message: ChatMessage, heading: string): void {
    if (message.threadTs) {
      this.write(`  ↳ ${message.text}`);
      return;
    }
    this.write(`\n${heading} ${message.channel}`);
    for (const block of message.blocks) {
      const b = block as {
        type?: string;
        text?: { text?: string };
        fields?: { text?: string }[];
        elements?: { text?: { text?: string } | string }[];
      };
      if (b.type === 'header') this.write(`┌ ${b.text?.text ?? ''}`);
      for (const field of b.fields ?? [])
        this.write(`│ ${(field.text ?? '').replace(/\*/g, '').replace('\n', ': ')}`);
      if (b.type === 'actions')
        this.write(
          `│ [${(b.elements ?? []).map((e) => (typeof e.text === 'object' ? e.text.text : e.text)).join('] [')}]`,
        );
    }
    this.write('└');
  }

  async post(message: ChatMessage): Promise<{ channel: string; ts: string }> {
    this.render(message, '💬 Slack card →');
    this.counter += 1;
    return {
      channel: message.channel,
      ts: `${Math.floor(Date.now() / 1000)}.${String(this.counter).padStart(6, '0')}`,
    };
  }

  async update(message: ChatMessage & { ts: string }): Promise<void> {
    this.render(message, `💬 Slack card ${message.ts} updated →`);
  }
}
