import { describe, expect, it } from 'vitest';
import { curlExample, endpoints, shellQuote, typeLabel } from './openapi';
import { SPEC } from './specFixture';

describe('curlExample', () => {
  it("posts the spec's example with the key from the environment, quoted for the shell", () => {
    const post = endpoints(SPEC).find((e) => e.method === 'post')!;
    const curl = curlExample(SPEC, post, 'https://cs.example.com');
    expect(curl.split(' \\\n')).toEqual([
      'curl -sS -X POST "https://cs.example.com/api/agent/v1/proposals"',
      '  -H "Authorization: Bearer $COUNTERSIGN_AGENT_KEY"',
      '  -H "Content-Type: application/json"',
      `  --data ${shellQuote(JSON.stringify(SPEC.paths['/proposals'].post!.requestBody!.content!['application/json'].example, null, 2))}`,
    ]);
    expect(curl).toContain(`"rationale": "Per the prospect'\\''s reply."`);
  });

  it('leaves path parameters as placeholders and sends no body on a GET', () => {
    const get = endpoints(SPEC).find((e) => e.method === 'get')!;
    expect(curlExample(SPEC, get, 'http://localhost:8080')).toBe(
      'curl -sS "http://localhost:8080/api/agent/v1/proposals/<proposalId>" \\\n  -H "Authorization: Bearer $COUNTERSIGN_AGENT_KEY"',
    );
  });
});

describe('typeLabel', () => {
  it('summarises types, ranges, enums, arrays and refs', () => {
    const item = SPEC.components!.schemas!.ProposalItem.properties!;
    expect(typeLabel(SPEC, item.confidence)).toBe('number 0–1');
    expect(typeLabel(SPEC, item.operation)).toBe('set | clear | append');
    expect(typeLabel(SPEC, item.evidence)).toBe('array of Evidence (≤ 10 items)');
    expect(typeLabel(SPEC, item.proposed)).toBe('any JSON value');
  });
});
