import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { createQueryClient } from './api/queries';
import { App, redirectToLogin } from './App';
import './index.css';
import { routes } from './routes';

const router = createBrowserRouter(routes);
const queryClient = createQueryClient(redirectToLogin(router));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App router={router} queryClient={queryClient} />
  </StrictMode>,
);
