export type ChannelType = 'webhook' | 'slack' | 'email';

/** Where notifications of one owner (an alert rule, a report, an experiment's decision policy) go. */
export interface Channel {
  id: string;
  ownerKind: string;
  ownerId: string;
  type: ChannelType;
  url: string | null;
  to: string[] | null;
  secret: string | null;
  disabledAt: Date | null;
  disabledReason: string | null;
}

export type EventType = 'alert.firing' | 'alert.resolved' | 'experiment.decided' | 'report.ready';

/** What a notification says, independent of the channel that carries it. */
export interface Notice {
  eventType: EventType;
  title: string;
  lines: string[];
  link: string;
  data: Record<string, unknown>;
}

/** The time source of alerting and delivery; tests pass a controllable one through buildApp. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
