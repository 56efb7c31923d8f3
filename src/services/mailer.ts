// The SMTP transport of scheduled reports: nodemailer over MESURE_SMTP_URL (smtp:// with STARTTLS when the server
// offers it, smtps:// for TLS from the start). Short timeouts: a report waits, the server does not.
import nodemailer from 'nodemailer';
import type { ReportMailer } from './reports';

export function smtpMailer(url: string): ReportMailer & { close(): void } {
  // Timeouts unless the URL sets its own (?connectionTimeout=…, in ms): nodemailer's defaults wait minutes.
  const u = new URL(url);
  for (const [name, ms] of [['connectionTimeout', 10_000], ['greetingTimeout', 10_000], ['socketTimeout', 30_000]] as const) {
    if (!u.searchParams.has(name)) u.searchParams.set(name, String(ms));
  }
  const transport = nodemailer.createTransport(u.toString());
  return {
    async send(message) {
      const info = await transport.sendMail({ ...message, headers: { 'Auto-Submitted': 'auto-generated' } });
      return { messageId: String(info.messageId ?? '') };
    },
    close: () => transport.close(),
  };
}
