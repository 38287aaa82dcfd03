import { SMTPServer } from 'smtp-server';

/** A real SMTP server on 127.0.0.1 that keeps every message it is given (raw MIME). */
export async function smtpReceiver(t: { teardown(fn: () => unknown): void }) {
  const mails: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push(raw);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
  const port = (smtp.server.address() as { port: number }).port;
  return { url: `smtp://127.0.0.1:${port}`, mails };
}

/** The decoded base64 part of a raw MIME message with this content type (the first one). */
export function attachment(raw: string, contentType: string): { filename: string; content: Buffer } | null {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  for (const part of parts) {
    const [head = '', ...body] = part.split(/\r?\n\r?\n/);
    if (!new RegExp(`^Content-Type: ${contentType}`, 'im').test(head)) continue;
    const filename = /filename="?([^";\r\n]+)"?/i.exec(head)?.[1] ?? '';
    const b64 = body
      .join('\n')
      .split(/\r?\n--/)[0]!
      .replace(/\s+/g, '');
    return { filename, content: Buffer.from(b64, 'base64') };
  }
  return null;
}
