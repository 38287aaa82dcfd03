export type ExperimentStatus = 'draft' | 'running' | 'paused' | 'completed';

export interface Variant {
  key: string;
  weight: number;
  description: string | null;
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
