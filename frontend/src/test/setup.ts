import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { setCsrfToken } from '../api/client';

// Tests wait for the state they assert; on a loaded machine (a page's chunk is
// transformed on its first lazy import) that state may take longer than the
// library's 1 s default to arrive, which is slowness, not failure.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setCsrfToken('');
});
