import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AssignmentService } from '../experiments/assignment-service.js';
import { AssignmentStore } from '../experiments/assignment-store.js';
import { ConversionService } from '../experiments/conversion-service.js';
import { ConversionStore } from '../experiments/conversion-store.js';
import { ExperimentService } from '../experiments/experiment-service.js';
import { ExperimentStore } from '../experiments/experiment-store.js';
import { ResultsService } from '../experiments/results-service.js';
import { ResultsStore } from '../experiments/results-store.js';

export interface Services {
  experiments: ExperimentService;
  assignments: AssignmentService;
  conversions: ConversionService;
  results: ResultsService;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

/** The composition root: stores on the app's database, services on the stores. */
export function createServices(app: FastifyInstance): Services {
  const knex = app.db.knex;
  const experimentStore = new ExperimentStore(knex);
  const assignmentStore = new AssignmentStore(knex);
  return {
    experiments: new ExperimentService(knex, experimentStore),
    assignments: new AssignmentService(assignmentStore),
    conversions: new ConversionService(assignmentStore, new ConversionStore(knex)),
    results: new ResultsService(experimentStore, new ResultsStore(knex)),
  };
}

export default fp(
  async function services(app: FastifyInstance) {
    app.decorate('services', createServices(app));
  },
  { name: 'services', dependencies: ['db'] },
);
