import type { OpenApiDoc } from './openapi';

/** A small agent API spec: one POST with a body example, one GET with a path parameter. */
export const SPEC: OpenApiDoc = {
  openapi: '3.0.3',
  info: { title: 'Countersign agent API', version: '1.0.0', description: 'The only door.\n\nAuthenticate with `Authorization: Bearer <key>`.' },
  servers: [{ url: '/api/agent/v1' }],
  security: [{ bearer: [] }],
  paths: {
    '/proposals': {
      post: {
        operationId: 'submitProposals',
        summary: 'Submit 1 to 500 proposed field changes',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['proposals'],
                properties: { proposals: { type: 'array', minItems: 1, maxItems: 500, items: { $ref: '#/components/schemas/ProposalItem' } } },
              },
              example: { proposals: [{ object: 'deals', record_id: '5001', field: 'dealstage', proposed: 'closedwon', confidence: 0.91, rationale: "Per the prospect's reply." }] },
            },
          },
        },
        responses: {
          '200': { description: 'One result per item.' },
          '429': { description: 'Past the hard cap.', headers: { 'Retry-After': { schema: { type: 'integer' } } } },
          '401': { $ref: '#/components/responses/Problem' },
        },
      },
    },
    '/proposals/{proposalId}': {
      get: {
        operationId: 'getAgentProposal',
        summary: 'A proposal of this agent',
        parameters: [{ name: 'proposalId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The proposal.' } },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    responses: { Problem: { description: 'An RFC 9457 problem.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } } },
    schemas: {
      Problem: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } },
      Evidence: { type: 'object', required: ['url'], properties: { url: { type: 'string', description: 'http(s) URL.' }, title: { type: 'string' } } },
      ProposalItem: {
        type: 'object',
        required: ['object', 'record_id', 'field', 'confidence'],
        properties: {
          object: { type: 'string' },
          record_id: { type: 'string' },
          field: { type: 'string' },
          operation: { type: 'string', enum: ['set', 'clear', 'append'], default: 'set' },
          proposed: { description: 'The new value (JSON scalar or null).' },
          confidence: { type: 'number', format: 'double', minimum: 0, maximum: 1 },
          evidence: { type: 'array', maxItems: 10, items: { $ref: '#/components/schemas/Evidence' } },
        },
      },
    },
  },
};
