import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { setCsrfToken } from '../api/client';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setCsrfToken('');
});
