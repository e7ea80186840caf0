import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { RouterProvider, type createBrowserRouter } from 'react-router';
import { loginPathFor } from './features/auth/session';

export type AppRouter = ReturnType<typeof createBrowserRouter>;

/** The whole console: server state and routing. */
export function App({ router, queryClient }: { router: AppRouter; queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}

/** Sends the user to sign in again, coming back to where they were. */
export function redirectToLogin(router: AppRouter): () => void {
  return () => {
    const { pathname, search } = router.state.location;
    if (pathname === '/login' || pathname.startsWith('/invite/')) return;
    void router.navigate(loginPathFor(pathname, search), { replace: true });
  };
}
