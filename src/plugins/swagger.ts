import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { stringify } from 'yaml';

const OPENAPI_INFO = {
  title: 'Liftoff',
  description:
    'Product experimentation (A/B and multi-variant tests with honest statistics) and viral-growth analytics. ' +
    'Authenticate with "Authorization: Bearer <key>" (scopes ingest, read, admin).',
  version: '1.0.0',
};

/**
 * The OpenAPI document as YAML that reads the same under YAML 1.1 and 1.2: strings a 1.1 parser takes for booleans
 * (`on`, `yes`, `n`) or numbers are quoted. Java and Python tooling (SnakeYAML, PyYAML) still reads 1.1, where the
 * plain `- on` of the retention mode enum reads as `true` (and, by the 1.1 spec, a property named `n` as `false`).
 */
export const openApiYaml = (app: FastifyInstance): string => stringify(app.swagger(), { version: '1.1' });

export default fp(
  async function swaggerPlugin(app: FastifyInstance) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: OPENAPI_INFO,
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // Swagger UI writes style attributes into its markup: allow inline styles on /docs only (never scripts).
      transformStaticCSP: (header) => header.replace(/style-src 'self'/, "style-src 'self' 'unsafe-inline'"),
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    let yaml: string | undefined;
    app.get('/openapi.yaml', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('application/yaml; charset=utf-8').send((yaml ??= openApiYaml(app))),
    );
  },
  { name: 'swagger' },
);
