// A real SMTP server for the tests of scheduled reports (smtp-server on a free port of 127.0.0.1, no TLS, no login):
// every message it receives is parsed (mailparser) and kept; it can refuse connections, as a server that is down.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Smtp {
  url: string;
  mails: ParsedMail[];
  /** While true, every connection is refused with 421 (the SMTP server is "down"). */
  refuse: boolean;
  /** The next message to arrive after `count` messages. */
  next(count: number, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<Smtp> {
  const mails: ParsedMail[] = [];
  const smtp: Partial<Smtp> = { mails, refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, cb) {
      if (smtp.refuse) return cb(Object.assign(new Error('Service not available (test: SMTP down)'), { responseCode: 421 }));
      cb();
    },
    onData(stream, _session, cb) {
      simpleParser(stream).then((m) => {
        mails.push(m);
        cb();
      }, cb);
    },
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = (server.server.address() as { port: number }).port;
  return Object.assign(smtp, {
    url: `smtp://127.0.0.1:${port}`,
    async next(count: number, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (mails.length <= count) {
        if (Date.now() > until) throw new Error(`no e-mail arrived after the ${count} received`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return mails[count];
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  }) as Smtp;
}

