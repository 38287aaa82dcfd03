export type ExperimentStatus = 'draft' | 'running' | 'paused' | 'completed';

export interface Variant {
  key: string;
  weight: number;
  description: string | null;
}

/** The slice [start, end) of a namespace an experiment occupies (SPEC §10.3). */
export interface ExperimentNamespace {
  key: string;
  range: [number, number];
}

export type ExperimentType = 'ab' | 'bandit';

/** How a bandit moves its traffic (SPEC §10.1). */
export interface BanditSettings {
  /** The binomial metric whose posteriors set the weights; when absent, the experiment's targetMetric. */
  metric?: string;
  explorationHours: number;
  updateEveryMinutes: number;
  minWeight: number;
  minUsersPerVariant: number;
}

/** Where a bandit stands: the weight period new users are bucketed in and its weights (null: equal). */
export interface BanditState {
  period: number;
  weights: number[] | null;
  updatedAt: Date | null;
}

export interface Experiment {
  id: number;
  key: string;
  name: string;
  description: string | null;
  hypothesis: string | null;
  status: ExperimentStatus;
  variants: Variant[];
  controlVariant: string;
  targetMetric: string;
  trafficPercent: number;
  hashSeed: string;
  namespace: ExperimentNamespace | null;
  type: ExperimentType;
  bandit: BanditSettings | null;
  banditState: BanditState;
  winner: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  stoppedAt: Date | null;
  completedAt: Date | null;
}

export interface HistoryEntry {
  action: string;
  actor: string;
  at: Date;
  details: Record<string, unknown>;
}
