import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter } from 'react-router';
import { createQueryClient } from '../api/queries';
import { App, redirectToLogin } from '../App';
import { routes } from '../routes';

/** Renders the whole console at `path` against whatever fetch the test stubbed. */
export function renderApp(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const queryClient = createQueryClient(redirectToLogin(router));
  const user = userEvent.setup();
  const view = render(<App router={router} queryClient={queryClient} />);
  const location = () => router.state.location.pathname + router.state.location.search;
  return { ...view, router, queryClient, user, location };
}
