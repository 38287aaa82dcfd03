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
