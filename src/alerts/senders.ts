import nodemailer from 'nodemailer';
import type { Delivery } from './delivery-store.js';
import { postJson, type PostOptions } from './http-post.js';
import { webhookHeaders } from './signing.js';
import type { Channel } from './types.js';

/** What one attempt returned: an HTTP status (or SMTP reply code for email) and Retry-After when given. */
export interface SendResult {
  statusCode: number;
  retryAfter: string | null;
  /** SMTP: the reply class decides (4xx transient, 5xx permanent). */
  smtp?: boolean;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const message = (d: Delivery) => {
  const data = d.payload.data as { title?: string; text?: string; link?: string };
  return { title: data.title ?? d.eventType, text: data.text ?? '', link: data.link ?? '' };
};

/** Slack incoming-webhook payload: a plain-text fallback and blocks. */
function slackPayload(d: Delivery) {
  const m = message(d);
  return {
    text: `${m.title}\n${m.text}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: m.title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: m.text || ' ' } },
      ...(m.link
        ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `<${m.link}|Open in Liftoff>` }] }]
        : []),
    ],
  };
}

export interface SenderOptions extends PostOptions {
  smtpUrl?: string;
  emailFrom: string;
}

/** Sends one delivery over its channel; throws on network errors and refused targets. */
export class Senders {
  private readonly mailer;

  constructor(private readonly opts: SenderOptions) {
    this.mailer = opts.smtpUrl
      ? nodemailer.createTransport({
          url: opts.smtpUrl,
          connectionTimeout: opts.timeoutMs,
          greetingTimeout: opts.timeoutMs,
          socketTimeout: opts.timeoutMs,
        } as Parameters<typeof nodemailer.createTransport>[0])
      : null;
  }

  async send(channel: Channel, d: Delivery, now: Date): Promise<SendResult> {
    if (channel.type === 'webhook') {
      const body = JSON.stringify(d.payload);
      return postJson(channel.url!, body, webhookHeaders(channel.secret!, d.id, now, body), this.opts);
    }
    if (channel.type === 'slack')
      return postJson(channel.url!, JSON.stringify(slackPayload(d)), {}, this.opts);
    return this.email(channel, d);
  }

  private async email(channel: Channel, d: Delivery): Promise<SendResult> {
    if (!this.mailer) throw new Error('SMTP_URL is not configured');
    const m = message(d);
    try {
      const info = (await this.mailer.sendMail({
        from: this.opts.emailFrom,
        to: channel.to!,
        subject: m.title,
        text: `${m.text}\n\n${m.link}`,
        html: `<h2>${escapeHtml(m.title)}</h2><p>${escapeHtml(m.text)}</p>${m.link ? `<p><a href="${escapeHtml(m.link)}">Open in Liftoff</a></p>` : ''}`,
        headers: { 'X-Liftoff-Delivery': d.id },
        attachments: d.attachment
          ? [
              {
                filename: d.attachment.filename,
                contentType: d.attachment.contentType,
                content: Buffer.from(d.attachment.content, 'base64'),
              },
            ]
          : [],
      })) as { response?: string };
      const code = Number(/^(\d{3})/.exec(info.response ?? '250')?.[1] ?? 250);
      return { statusCode: code, retryAfter: null, smtp: true };
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if (typeof code === 'number') return { statusCode: code, retryAfter: null, smtp: true };
      throw err;
    }
  }

  close(): void {
    this.mailer?.close();
  }
}
