import { ValidationError } from '../errors.js';
import type { ChannelIn } from '../schemas/channels.js';

/** Rules of the deployment a channel must meet when it is created (the network rules are checked again at send). */
export function checkChannelInput(
  channels: ChannelIn[],
  opts: { allowHttp: boolean; emailEnabled: boolean },
): void {
  const errors: { path: string; message: string }[] = [];
  channels.forEach((c, i) => {
    if (c.type === 'email' && !opts.emailEnabled) {
      errors.push({ path: `channels.${i}.type`, message: 'email channels need SMTP_URL to be configured' });
    }
    if (c.type !== 'email' && !opts.allowHttp && !c.url.startsWith('https://')) {
      errors.push({
        path: `channels.${i}.url`,
        message: 'must be https (set DELIVERY_ALLOW_HTTP to allow http)',
      });
    }
  });
  if (errors.length > 0) throw new ValidationError(errors);
}
